"""The curator's Markdown (text items and notes) as HTML that is safe by construction.

Markdown work is bounded. The parser spends tens of microseconds on each character
that may open markup (``[``, ``*``, ``_``...), so a hostile story of 5 MB of brackets
would take minutes. A text longer than ``MARKDOWN_TEXT_LIMIT`` characters, and every
text once a render has used up ``MARKUP_BUDGET`` markup characters, is shown as plain
text (escaped, its paragraphs and line breaks kept): nothing is lost, only formatting.
Nesting is bounded by the parser itself (20 levels).
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any, Final
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


#: The longest text rendered as Markdown, in characters (a long note is a few hundred).
MARKDOWN_TEXT_LIMIT: Final = 20_000
#: Characters that may open markup, rendered as Markdown per render run.
MARKUP_BUDGET: Final = 50_000
_MARKUP_CHARACTERS = re.compile(r"[\[\]*_`<>!\\~]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass
class _Budget:
    left: int


_budget: ContextVar[_Budget | None] = ContextVar("markdown_budget", default=None)


@contextlib.contextmanager
def markdown_budget(markup_characters: int = MARKUP_BUDGET) -> Iterator[None]:
    """Bound the Markdown work of everything rendered inside the block (one render run)."""
    token = _budget.set(_Budget(markup_characters))
    try:
        yield
    finally:
        _budget.reset(token)


def plain_text_html(text: str) -> str:
    """Return ``text`` as escaped paragraphs with line breaks: no Markdown at all."""
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]
    return "".join(
        "<p>" + "<br>\n".join(html.escape(line) for line in p.splitlines()) + "</p>\n"
        for p in paragraphs
    )


def fits_markdown_budget(texts: Iterable[str], markup_characters: int = MARKUP_BUDGET) -> bool:
    """Tell whether one run renders every text of ``texts`` as Markdown (none falls back).

    True when none is too long and together they never spend the budget: then which
    text is rendered first cannot change what any of them becomes.
    """
    left = markup_characters
    for text in texts:
        if len(text) > MARKDOWN_TEXT_LIMIT:
            return False
        left -= len(_MARKUP_CHARACTERS.findall(text))
        if left < 0:
            return False
    return True


def _within_budget(text: str) -> bool:
    if len(text) > MARKDOWN_TEXT_LIMIT:
        return False
    budget = _budget.get()
    if budget is None:
        return True
    cost = len(_MARKUP_CHARACTERS.findall(text))
    if cost > budget.left:
        budget.left = 0  # once spent, later texts are plain too: the run stays bounded
        return False
    budget.left -= cost
    return True


def render_markdown(text: str) -> str:
    """Return the HTML for the curator's Markdown ``text`` (plain text past the bounds)."""
    if not _within_budget(text):
        return plain_text_html(text)
    env: dict[str, Any] = {}
    rendered: str = _parser().render(text, env)
    return rendered
