"""The live preview server behind ``storyboard serve``."""
