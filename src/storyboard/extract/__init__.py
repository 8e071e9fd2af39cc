"""Untrusted content to clean data: pure functions over bytes and text, no network."""
