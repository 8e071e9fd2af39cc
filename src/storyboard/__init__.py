"""storyboard: turn a curated list of social-media URLs into a durable story page."""

from __future__ import annotations

__version__ = "0.1.0"
