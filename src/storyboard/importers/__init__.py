"""Stories made elsewhere, read into a story file and its snapshots."""
