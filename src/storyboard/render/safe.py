"""The one place where HTML is marked safe for templates: right after it was made safe.

Everything else reaching a template is a plain ``str`` and gets escaped by autoescape.
Templates never use ``|safe``; a test checks it.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from storyboard.extract.sanitize import sanitize_embed_html, sanitize_post_text
from storyboard.render.markdown_text import render_markdown


def _trusted(html: str) -> Markup:
    # Callers below pass only the output of a sanitizer or of the raw-HTML-free Markdown parser.
    return Markup(html)  # noqa: S704


def post_text_html(html: str) -> Markup:
    """Return a post's text (already cleaned at fetch time) cleaned again, as safe HTML."""
    return _trusted(sanitize_post_text(html))


def embed_html(html: str, *, iframe_hosts: Iterable[str]) -> Markup:
    """Return a provider's embed HTML through the live-mode allowlist, as safe HTML."""
    return _trusted(sanitize_embed_html(html, iframe_hosts=iframe_hosts))


def markdown_html(text: str) -> Markup:
    """Return the curator's Markdown as safe HTML (raw HTML and images are off)."""
    return _trusted(render_markdown(text))


def theme_file_text(source: str) -> Markup:
    """Return a theme's static file (its script) as it is: trusted like its templates."""
    return Markup(source)  # noqa: S704 (written by the theme's author, not a provider)
