"""Render a story from its snapshots: a page, a blog fragment, Markdown or JSON."""

from __future__ import annotations

from storyboard.render.build import render_story
from storyboard.render.options import (
    OutputFormat,
    RenderOptions,
    RenderResult,
    default_assets_mode,
)

__all__ = ["OutputFormat", "RenderOptions", "RenderResult", "default_assets_mode", "render_story"]
