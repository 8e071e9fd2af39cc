"""Each item of the story as the page will show it, through the render layer's templates.

The editor shows what ``render`` publishes, item by item, so it can put its controls
around each one. The HTML comes from the same view builder and templates (the story's
theme included), so provider text is escaped and sanitized exactly as on the page.
Cards are shown static: the editor itself loads nothing from any platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from jinja2 import Environment

from storyboard.model.snapshot import Snapshot
from storyboard.model.story import EmbedMode, Story
from storyboard.providers import ProviderRegistry
from storyboard.render.context import StoryViewBuilder
from storyboard.render.media import AssetLinker
from storyboard.render.page import template_context
from storyboard.render.themes import make_environment, render_template
from storyboard.render.views import CardView, HeadingView, TextView

_PARTIALS = {HeadingView: "partials/heading.html", TextView: "partials/text.html"}


class ItemPreviews:
    """Render the items of a story with one theme (its Jinja environment built once)."""

    def __init__(self, theme_dir: Path | None, registry: ProviderRegistry) -> None:
        """Use the theme in ``theme_dir`` (else the built-in one) and ``registry``."""
        self.theme_dir = theme_dir
        self.env: Environment = make_environment(theme_dir)
        self.registry = registry

    def stylesheet(self) -> str:
        """Return the theme's stylesheet, as the page includes it."""
        loader = self.env.loader
        assert loader is not None
        return loader.get_source(self.env, "storyboard.css")[0]

    def render(
        self, story: Story, snapshots: Mapping[str, Snapshot], assets_dir: Path
    ) -> list[str]:
        """Return each item's HTML, in story order; images link to ``assets/NAME``."""
        linker = AssetLinker(assets_dir, "copy")
        view = StoryViewBuilder(story, snapshots, self.registry, linker, EmbedMode.STATIC).build()
        context = template_context(self.env, view)
        out = []
        for item in view.items:
            name = "partials/entry.html" if isinstance(item, CardView) else _PARTIALS[type(item)]
            out.append(render_template(self.env, name, {**context, "item": item}))
        return out


__all__ = ["ItemPreviews"]
