"""HTML outputs: the standalone page and the fragment to paste into a blog post."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2 import Environment, Template
from markupsafe import Markup

from storyboard.extract.sanitize import IFRAME_ALLOW, IFRAME_REFERRER_POLICY, IFRAME_SANDBOX
from storyboard.i18n import translate, ui_strings
from storyboard.render.themes import (
    generate_template,
    raw_theme_file,
    render_template,
    select_template,
)
from storyboard.render.views import CardView, StoryView

PAGE_TEMPLATE = "page.html"
FRAGMENT_TEMPLATE = "fragment.html"
#: The page for other sites' iframes (oEmbed), beside the page in ``embed/``.
EMBED_TEMPLATE = "embed.html"

#: What every player iframe gets, the same as the sanitizer gives live-mode iframes;
#: the click-to-load script reads it from its own tag, so the script itself is static.
IFRAME_POLICY = {
    "sandbox": IFRAME_SANDBOX,
    "referrerpolicy": IFRAME_REFERRER_POLICY,
    "allow": IFRAME_ALLOW,
}


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

    def static_file(name: str) -> Markup:
        return raw_theme_file(env, name)

    return {
        "story": story,
        "ui": strings,
        "tr": tr,
        "item_template": item_template,
        "iframe_policy": IFRAME_POLICY,
        "static_file": static_file,
    }


def render_html(env: Environment, template: str, story: StoryView) -> str:
    """Render ``template`` (page or fragment) for ``story``."""
    return render_template(env, template, template_context(env, story)).strip() + "\n"


def html_pieces(env: Environment, template: str, story: StoryView) -> Iterator[str]:
    """Yield what ``render_html`` returns, piece by piece, for writing as it is made."""
    return stripped_pieces(generate_template(env, template, template_context(env, story)))


#: Characters gathered before they are stripped and passed on: a card is some thirty
#: pieces, which cost more one by one than joined (and a batch is still little memory).
_STRIP_BATCH = 16 * 1024


def stripped_pieces(pieces: Iterable[str], batch_characters: int = _STRIP_BATCH) -> Iterator[str]:
    """Yield ``"".join(pieces).strip() + "\\n"`` without ever joining all the pieces.

    The pieces are joined in batches of about ``batch_characters``; the whitespace that
    ends a batch waits for the next one, and is dropped if nothing else follows.
    """
    started = False
    pending = ""  # whitespace that is trailing unless more text follows
    batch: list[str] = []
    length = 0
    for piece in pieces:
        batch.append(piece)
        length += len(piece)
        if length < batch_characters:
            continue
        text, pending, started = _strip_batch(pending, batch, started)
        if text:
            yield text
        batch, length = [], 0
    text, pending, started = _strip_batch(pending, batch, started)
    if text:
        yield text
    yield "\n"


def _strip_batch(pending: str, batch: list[str], started: bool) -> tuple[str, str, bool]:
    """Return a batch's text to pass on, the whitespace that waits, and whether text began."""
    # A plain str: the engine's pieces are mostly Markup, and str.join makes a str of them.
    text = pending + "".join(batch)
    if not started:
        text = text.lstrip()
        if not text:
            return "", "", False
    body = text.rstrip()
    if not body:
        return "", text, True
    return body, text[len(body) :], True


def pictures_style(env: Environment, story: StoryView) -> str:
    """Return a ``<style>`` defining the story's inlined pictures once each, or ``""``.

    For outputs whose stylesheet is a file of its own (Markdown): the rules the fragment
    puts in its ``<style>`` (``partials/pictures_css.html``).
    """
    if not story.shared_pictures:
        return ""
    rules = render_template(env, "partials/pictures_css.html", template_context(env, story))
    return f"<style>\n{rules.strip()}\n</style>"


def entry_renderer(env: Environment, story: StoryView) -> Callable[[CardView], str]:
    """Return a function that renders one card entry alone (for Markdown output)."""
    context = template_context(env, story)

    def render(item: CardView) -> str:
        return render_template(env, "partials/entry.html", {**context, "item": item})

    return render
