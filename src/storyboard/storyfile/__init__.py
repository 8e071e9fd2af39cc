"""STORY.yaml in and out: safe YAML with positions, the located loader, edits, the skeleton."""
