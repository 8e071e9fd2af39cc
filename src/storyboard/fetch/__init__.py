"""URL to snapshot: the resolver, the media archive and the concurrent pool."""
