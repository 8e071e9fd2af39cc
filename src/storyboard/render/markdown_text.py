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
from collections.abc import Callable, Iterable, Iterator, Sequence
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
def markdown_parser() -> MarkdownIt:
    """Return the parser of the curator's Markdown (CommonMark, no raw HTML or images)."""
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
#: Characters that may mean more than text to CommonMark wherever they are (emphasis,
#: code, links, raw HTML, entities, escapes), and those it rewrites (CR, NUL, tabs).
_INLINE_MARKUP = re.compile(r"[\\`*_\[\]<>&~\t\r\0]")
#: Line starts that open a block: heading, quote, list item, rule, setext underline.
_BLOCK_START = re.compile(r"[#>+\-=]|\d+[.)]")


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


def plain_markdown_html(text: str) -> str | None:
    """Return CommonMark's HTML for ``text`` if it has no markup at all, else None.

    Most notes are a sentence or two of plain text, for which the parser's work (some
    300 microseconds a note) always ends in the same HTML: each run of lines between
    empty lines is a ``<p>``, its lines joined by newlines, ``"`` escaped. Any character
    or line start that could mean more (see ``_INLINE_MARKUP``, ``_BLOCK_START``), and
    any space at either end of a line, leaves the text to the parser. A test holds this
    to the parser's output.
    """
    if _INLINE_MARKUP.search(text):
        return None
    return _paragraphs_html(text, _escape_quotes)


#: Markup other than ``*`` and `````` (see ``_INLINE_MARKUP``).
_OTHER_MARKUP = re.compile(r"[\\_\[\]<>&~\t\r\0]")
#: ``*one*`` or ``**one or more words**`` within a line: after a space or a line start,
#: letters or digits at both inner ends, before a space, a line end or ``.,;:!?)``.
#: Such a run can only open and the other only close (CommonMark's flanking rules), so
#: the parser pairs them as written.
_SIMPLE_EMPHASIS = re.compile(r"(?<![^ \n])(\*\*?)([^\W_](?:[^*\n]*[^\W_])?)\1(?![^ \n.,;:!?)])")
_EMPHASIS_TAGS = {"*": "em", "**": "strong"}
#: ```code``` within a line: single backticks, no space at either inner end, and no
#: star inside (code binds first: a star there is text, not emphasis).
_SIMPLE_CODE = re.compile(r"(?<!`)`([^`\s*](?:[^`\n*]*[^`\s*])?)`(?!`)")


def simple_markup_html(text: str) -> str | None:
    """Return CommonMark's HTML for ``text`` if its only markup is of the simplest, else None.

    The next most common notes after plain text: a few words in ``*italics*`` or
    ``**bold**`` (see ``_SIMPLE_EMPHASIS``), a ```#tag``` in code, which the parser
    would spend most of a millisecond on. A star or backtick left over once those are
    made, or any other markup, leaves the text to the parser. A test holds this to
    the parser's output.
    """
    if ("*" not in text and "`" not in text) or _OTHER_MARKUP.search(text):
        return None
    html = _paragraphs_html(text, _simple_inline)
    if html is None or "*" in html or "`" in html:
        return None
    return html


def _escape_quotes(paragraph: str) -> str:
    return paragraph.replace('"', "&quot;")


def _simple_inline(paragraph: str) -> str:
    # ``&quot;`` is no letter, digit, space or backtick, as ``"`` was not: the same runs pair.
    html = _SIMPLE_CODE.sub(r"<code>\1</code>", _escape_quotes(paragraph))
    return _SIMPLE_EMPHASIS.sub(_emphasis_element, html)


def _emphasis_element(match: re.Match[str]) -> str:
    tag = _EMPHASIS_TAGS[match.group(1)]
    return f"<{tag}>{match.group(2)}</{tag}>"


def _paragraphs_html(text: str, inline: Callable[[str], str]) -> str | None:
    """Return ``text``'s paragraphs as ``<p>``s (``inline`` makes each one's HTML), or None.

    None when a line could start a block or has a space at either end.
    """
    paragraphs: list[str] = []
    lines: list[str] = []
    for line in [*text.split("\n"), ""]:
        if not line:
            if lines:
                paragraphs.append("<p>" + inline("\n".join(lines)) + "</p>\n")
                lines = []
        elif line != line.strip() or _BLOCK_START.match(line):
            return None
        else:
            lines.append(line)
    return "".join(paragraphs)


def render_markdown(text: str) -> str:
    """Return the HTML for the curator's Markdown ``text`` (plain text past the bounds)."""
    if not _within_budget(text):
        return plain_text_html(text)
    quick = plain_markdown_html(text)
    if quick is None:
        quick = simple_markup_html(text)
    if quick is not None:
        return quick
    env: dict[str, Any] = {}
    rendered: str = markdown_parser().render(text, env)
    return rendered
