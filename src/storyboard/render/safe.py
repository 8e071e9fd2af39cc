"""The one place where HTML is marked safe for templates: right after it was made safe.

Everything else reaching a template is a plain ``str`` and gets escaped by autoescape.
Templates never use ``|safe``; a test checks it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from markupsafe import Markup, escape

from storyboard.extract.sanitize import sanitize_embed_html, sanitize_post_text
from storyboard.render.inert import inert_html
from storyboard.render.markdown_text import render_markdown


def _trusted(html: str) -> Markup:
    # Callers below pass only the output of a sanitizer or of the raw-HTML-free Markdown parser
    # (no <script>, no <style>), so template delimiters can become references everywhere.
    return Markup(inert_html(html))  # noqa: S704


#: The characters ``escape`` (``& < > " '``) and ``inert_html`` (``{ } [ ]``) rewrite.
_CHANGED_BY_ESCAPING = re.compile(r"[&<>\"'{}\[\]]")

#: ``Markup(text)`` of a plain ``str``, made without ``Markup.__new__``'s checks for an
#: ``__html__`` (a ``str`` has none): a long page prints tens of thousands of values.
_as_markup: Callable[[str], Markup] = functools.partial(str.__new__, Markup)


def escape_text(value: object) -> Markup:
    """Return a plain value as escaped HTML that no blog's template language reads as code.

    The Jinja environment's ``finalize``: every ``{{ value }}`` a template prints goes
    through here; HTML made safe above passes unchanged.
    """
    if isinstance(value, Markup):
        return value
    if type(value) is str and _CHANGED_BY_ESCAPING.search(value) is None:
        return _as_markup(value)  # nothing in it that escaping would change
    return _as_markup(inert_html(str(escape(value))))


def post_text_html(html: str) -> Markup:
    """Return a post's text (already cleaned at fetch time) cleaned again, as safe HTML."""
    return _trusted(sanitize_post_text(html))


#: An ``<iframe`` start tag that has no ``title`` attribute (the sanitizer's output is regular).
_UNTITLED_FRAME = re.compile(r"<iframe(?![^>]*\stitle=)")


def embed_html(html: str, *, iframe_hosts: Iterable[str], frame_title: str = "") -> Markup:
    """Return a provider's embed HTML through the live-mode allowlist, as safe HTML.

    A frame without a title is a nameless box to a screen reader: those get ``frame_title``.
    """
    clean = sanitize_embed_html(html, iframe_hosts=iframe_hosts)
    if frame_title:
        clean = _UNTITLED_FRAME.sub(f'<iframe title="{escape(frame_title)}"', clean)
    return _trusted(clean)


def markdown_html(text: str) -> Markup:
    """Return the curator's Markdown as safe HTML (raw HTML and images are off)."""
    return _trusted(render_markdown(text))


def theme_file_text(source: str) -> Markup:
    """Return a theme's static file (its script) as it is: trusted like its templates."""
    return Markup(source)  # noqa: S704 (written by the theme's author, not a provider)


def json_for_script(data: Any) -> Markup:
    """Return ``data`` as JSON that cannot end its ``<script>`` or open a comment in it.

    Provider text may contain ``</script>`` or ``<!--``: every ``<``, ``>`` and ``&`` is
    written as a JSON escape, which parses to the same string.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return Markup(text)  # noqa: S704 - escaped above for a script element
