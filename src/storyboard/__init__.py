"""storyboard: turn a curated list of social-media URLs into a durable story page."""

from __future__ import annotations

#: The version, in one place: pyproject reads it from here and ``--version`` prints it.
__version__ = "0.1.0"
