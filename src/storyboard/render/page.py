"""HTML outputs: the standalone page and the fragment to paste into a blog post."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import Environment, Template

from storyboard.i18n import translate, ui_strings
from storyboard.render.themes import render_template, select_template
from storyboard.render.views import CardView, StoryView

PAGE_TEMPLATE = "page.html"
FRAGMENT_TEMPLATE = "fragment.html"


def template_context(env: Environment, story: StoryView) -> dict[str, Any]:
    """Return the variables every template of a render run sees."""
    strings = ui_strings(story.lang)
    chosen: dict[tuple[str, ...], Template] = {}

    def tr(key: str, **values: Any) -> str:
        # A plain str: autoescape still escapes it, and the values put into it.
        return translate(story.lang, key, **values)

    def item_template(item: CardView) -> Template:
        names = item.template_names
        if names not in chosen:
            chosen[names] = select_template(env, names)
        return chosen[names]

    return {"story": story, "ui": strings, "tr": tr, "item_template": item_template}


def render_html(env: Environment, template: str, story: StoryView) -> str:
    """Render ``template`` (page or fragment) for ``story``."""
    return render_template(env, template, template_context(env, story)).strip() + "\n"


def entry_renderer(env: Environment, story: StoryView) -> Callable[[CardView], str]:
    """Return a function that renders one card entry alone (for Markdown output)."""
    context = template_context(env, story)

    def render(item: CardView) -> str:
        return render_template(env, "partials/entry.html", {**context, "item": item})

    return render
