"""The curator's Markdown (text items and notes) as HTML that is safe by construction."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

#: Link schemes a note may use; anything else stays as literal text.
ALLOWED_LINK_SCHEMES = frozenset({"http", "https", "mailto"})


class _StoryMarkdown(MarkdownIt):
    """CommonMark without raw HTML or images, and with links limited to safe schemes."""

    def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's name)
        """Accept only absolute http(s) and mailto links."""
        try:
            scheme = urlsplit(url.strip()).scheme.lower()
        except ValueError:
            return False
        return scheme in ALLOWED_LINK_SCHEMES


def _link_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # The curator's links point at other people's pages: no endorsement for search engines.
    tokens[idx].attrSet("rel", "nofollow")
    return renderer.renderToken(tokens, idx, options, env)


@cache
def _parser() -> MarkdownIt:
    # html=False escapes raw HTML; images are off because a page must not load
    # anything from elsewhere (an image in a note would be a third-party request).
    md = _StoryMarkdown("commonmark", {"html": False})
    md.disable("image")
    md.add_render_rule("link_open", _link_open)
    return md


def render_markdown(text: str) -> str:
    """Return the HTML for the curator's Markdown ``text``."""
    env: dict[str, Any] = {}
    html: str = _parser().render(text, env)
    return html
