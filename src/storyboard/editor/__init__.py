"""``storyboard edit``: a local browser editor that writes the story file in place."""
