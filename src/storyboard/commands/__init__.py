"""The library API: one workflow per command; returns results, never prints."""
