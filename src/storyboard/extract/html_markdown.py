"""Turn an HTML fragment (a Storify text element) into CommonMark that says the same.

The output is meant for a text item, which is rendered with raw HTML switched off, so
it can never carry markup: every character of the source text that Markdown would read
as syntax is escaped, links keep only http(s) and mailto addresses, and scripts,
styles and other non-text elements are dropped with their content. What survives is
paragraphs, line breaks, links, emphasis, lists, quotes, headings and code.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable
from urllib.parse import quote, urlsplit

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning
from bs4.element import Comment, Declaration, Doctype, NavigableString, PageElement, Tag

from storyboard.urls import absolute_http_url

# A text block that is only an address ("http://...") is text here, not a file to open.
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning, module=r"storyboard\.")

#: Elements dropped together with everything inside them.
_DROPPED = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "head",
        "title",
        "textarea",
        "select",
        "button",
        "form",
        "audio",
        "video",
        "canvas",
    }
)
#: Elements that start a new block; their inline content becomes a paragraph.
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "aside",
        "nav",
        "figure",
        "figcaption",
        "address",
        "center",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "dl",
        "dt",
        "dd",
        "details",
        "summary",
        "body",
        "html",
    }
)
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_STRONG = frozenset({"strong", "b"})
_EMPHASIS = frozenset({"em", "i", "cite", "dfn"})
_CODE = frozenset({"code", "kbd", "samp", "tt"})
#: Deeper nesting than this is flattened to its text (a hostile file must not recurse forever).
MAX_DEPTH = 60

#: A line break inside a paragraph, until the paragraph is finished.
_BREAK = "\ue000"
_SPACE_RE = re.compile(r"[ \t\n\r\f\v]+")
#: Characters that are Markdown syntax anywhere in a line: backslash, backtick, star,
#: brackets, ``<`` (autolinks), an ``&`` that starts an entity, an ``_`` at a word's edge
#: (one inside a word, as in snake_case, never emphasizes).
_INLINE_SPECIALS = re.compile(r"([\\`*\[\]<]|&(?=#?\w+;)|(?<![^\W_])_|_(?![^\W_]))")
#: What makes a line start a heading, list, quote, fence or thematic break.
_LINE_START_RE = re.compile(r"^([#>+=~|-])")
_ORDERED_START_RE = re.compile(r"^(\d{1,9})([.)])")
_MAILTO_RE = re.compile(r"^mailto:[^\s<>()\\]+@[^\s<>()\\]+$", re.IGNORECASE)


def html_to_markdown(html: str) -> str:
    """Return CommonMark text with the content of the HTML fragment ``html``."""
    soup = BeautifulSoup(html, "html.parser")
    return "\n\n".join(_Converter().blocks(soup.children, 0)).strip()


def sole_heading(html: str) -> tuple[int, str] | None:
    """Return (level, text) if the fragment is one heading and nothing else, else None."""
    soup = BeautifulSoup(html, "html.parser")
    children = [c for c in soup.children if not _is_blank(c)]
    while len(children) == 1 and isinstance(children[0], Tag) and children[0].name in _BLOCKS:
        children = [c for c in children[0].children if not _is_blank(c)]
    if len(children) != 1 or not isinstance(children[0], Tag):
        return None
    level = _HEADINGS.get(children[0].name)
    text = _SPACE_RE.sub(" ", children[0].get_text()).strip()
    return (level, text) if level is not None and text else None


def escape_markdown(text: str) -> str:
    """Escape ``text`` so that CommonMark shows it as it is (one paragraph's worth)."""
    return "\n".join(_escape_line_start(line) for line in _escape_inline(text).split("\n"))


def _is_blank(node: PageElement) -> bool:
    if isinstance(node, Comment | Declaration | Doctype):
        return True
    return isinstance(node, NavigableString) and not str(node).strip()


def _escape_inline(text: str) -> str:
    return _INLINE_SPECIALS.sub(r"\\\1", text)


def _escape_line_start(line: str) -> str:
    """Escape what would make this line a heading, a list item, a quote or a fence."""
    if _LINE_START_RE.match(line):
        return "\\" + line
    ordered = _ORDERED_START_RE.match(line)
    if ordered:
        return f"{ordered.group(1)}\\{ordered.group(2)}{line[ordered.end() :]}"
    return line


def _link_destination(href: str) -> str | None:
    """Return an http(s) or mailto address written safely for ``[text](...)``, else None."""
    value = href.strip()
    if _MAILTO_RE.match(value):
        return value
    absolute = absolute_http_url(value.replace(" ", "%20"))  # browsers send a space as %20
    if absolute is None or not urlsplit(absolute).hostname:
        return None
    # Percent-encode what would end or break the destination; keep everything else.
    return quote(absolute, safe="/:?#@!$&'*+,;=%~.-_")


def _fence(text: str, char: str = "`") -> str:
    longest = max((len(run) for run in re.findall(f"{re.escape(char)}+", text)), default=0)
    return char * max(3 if char == "~" else 1, longest + 1)


def _wrap(marker: str, text: str) -> str:
    """Wrap ``text`` in an emphasis marker, keeping its outer spaces outside the marker."""
    stripped = text.strip(" ")
    if not stripped or stripped == _BREAK:
        return text
    lead = text[: len(text) - len(text.lstrip(" "))]
    trail = text[len(text.rstrip(" ")) :]
    return f"{lead}{marker}{stripped}{marker}{trail}"


def _indent(block: str, first: str, rest: str) -> str:
    """Prefix a block's first line with ``first`` and its other non-empty lines with ``rest``."""
    lines = block.split("\n")
    out = [first + lines[0]]
    out.extend(rest + line if line else "" for line in lines[1:])
    return "\n".join(out)


class _Converter:
    """Walk a parsed fragment and build Markdown blocks."""

    def blocks(self, children: Iterable[PageElement], depth: int) -> list[str]:
        """Return the Markdown blocks of a run of sibling nodes."""
        blocks: list[str] = []
        inline: list[str] = []
        for child in list(children):
            made = self.block(child, depth + 1) if depth < MAX_DEPTH else None
            if made is None:
                inline.append(self.node_inline(child, depth + 1, in_link=False))
                continue
            blocks.extend(_paragraphs("".join(inline)))
            inline.clear()
            blocks.extend(made)
        blocks.extend(_paragraphs("".join(inline)))
        return blocks

    def block(self, node: PageElement, depth: int) -> list[str] | None:
        """Return the blocks a block-level element makes; None for inline content."""
        if not isinstance(node, Tag) or node.name in _DROPPED:
            return None
        if node.name in _BLOCKS or node.name == "li":
            return self.blocks(node.children, depth)
        handlers: dict[str, Callable[[Tag, int], str]] = {
            "blockquote": self.quote_block,
            "ul": self.list_block,
            "ol": self.list_block,
            "pre": _code_block,
            "hr": lambda _tag, _depth: "* * *",
            **dict.fromkeys(_HEADINGS, self.heading_block),
        }
        handler = handlers.get(node.name)
        if handler is None:
            return None
        made = handler(node, depth)
        return [made] if made else []

    def heading_block(self, tag: Tag, depth: int) -> str:
        """Return an ATX heading, or '' for an empty one."""
        text = _SPACE_RE.sub(" ", self.inline(tag, depth).replace(_BREAK, " ")).strip()
        # A heading's trailing #s would be read as its closing sequence.
        text = re.sub(r"(#+)$", r"\\\1", text)
        return "#" * _HEADINGS[tag.name] + " " + text if text else ""

    def quote_block(self, tag: Tag, depth: int) -> str:
        """Return a block quote of the element's blocks."""
        inner = "\n\n".join(self.blocks(tag.children, depth))
        return (
            "\n".join(f"> {line}" if line else ">" for line in inner.split("\n")) if inner else ""
        )

    def list_block(self, tag: Tag, depth: int) -> str:
        """Return a bullet or numbered list; each item's blocks indented under its marker."""
        ordered = tag.name == "ol"
        start = tag.get("start")
        number = int(start) if isinstance(start, str) and start.strip().isdigit() else 1
        number = min(number, 999_999_999)
        entries: list[str] = []
        for child in list(tag.children):
            nodes = child.children if isinstance(child, Tag) and child.name == "li" else [child]
            content = _join_item_blocks(self.blocks(nodes, depth + 1))
            if not content:
                continue
            marker = f"{number}. " if ordered else "- "
            entries.append(_indent(content, marker, " " * len(marker)))
            number += 1
        return "\n".join(entries)

    def node_inline(self, node: PageElement, depth: int, *, in_link: bool) -> str:
        """Return the inline Markdown of a text node or an element."""
        if isinstance(node, Comment | Declaration | Doctype):
            return ""
        if isinstance(node, NavigableString):
            return _escape_inline(_SPACE_RE.sub(" ", str(node)))
        if isinstance(node, Tag):
            return self.inline(node, depth, in_link=in_link)
        return ""

    def inline(self, tag: Tag, depth: int, *, in_link: bool = False) -> str:
        """Return the inline Markdown of one element (links, emphasis, code, text)."""
        name = tag.name
        if name in _DROPPED:
            return ""
        if depth >= MAX_DEPTH:
            return _escape_inline(_SPACE_RE.sub(" ", tag.get_text(" ")))
        special = _LEAF_INLINE.get(name)
        if special is not None:
            return special(tag)
        inner = in_link or name == "a"
        text = "".join(self.node_inline(c, depth + 1, in_link=inner) for c in tag.children)
        if name == "a" and not in_link:
            return _link(text, tag.get("href"))
        if name in _STRONG or name in _EMPHASIS:
            return _wrap("**" if name in _STRONG else "*", text)
        if name in _BLOCKS or name in _HEADINGS or name in ("li", "blockquote", "ul", "ol"):
            text = f" {text} "  # a block inside a link or emphasis: keep its words apart
        return text


def _join_item_blocks(blocks: list[str]) -> str:
    """Join a list item's blocks; a sublist follows its line directly (a tight list)."""
    joined = ""
    for block in blocks:
        # Only a bullet or a list from 1 may interrupt a paragraph in CommonMark.
        tight = joined and block.startswith(("- ", "1. "))
        joined += ("\n" if tight else "\n\n") + block if joined else block
    return joined


def _image_alt(tag: Tag) -> str:
    alt = tag.get("alt")
    return _escape_inline(_SPACE_RE.sub(" ", alt)) if isinstance(alt, str) else ""


#: Elements whose inline Markdown does not depend on their children's markup.
_LEAF_INLINE: dict[str, Callable[[Tag], str]] = {
    "br": lambda _tag: _BREAK,
    "img": _image_alt,
    **{name: (lambda tag: _code_span(tag.get_text())) for name in _CODE},
}


def _link(text: str, href: object) -> str:
    destination = _link_destination(href) if isinstance(href, str) else None
    label = _SPACE_RE.sub(" ", text.replace(_BREAK, " "))
    if destination is None:
        return label
    if not label.strip():
        label = _escape_inline(destination)
    lead = label[: len(label) - len(label.lstrip(" "))]
    trail = label[len(label.rstrip(" ")) :]
    return f"{lead}[{label.strip()}]({destination}){trail}"


def _code_span(text: str) -> str:
    body = _SPACE_RE.sub(" ", text)
    if not body.strip():
        return ""
    fence = _fence(body)
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def _code_block(tag: Tag, _depth: int = 0) -> str:
    body = tag.get_text().strip("\n")
    fence = _fence(body)
    fence = fence if len(fence) >= 3 else "```"
    return f"{fence}\n{body}\n{fence}"


def _paragraphs(inline: str) -> list[str]:
    """Finish a run of inline Markdown: tidy spaces, turn breaks into lines or paragraphs."""
    paragraphs: list[str] = []
    lines: list[str] = []
    for piece in inline.split(_BREAK):
        line = _SPACE_RE.sub(" ", piece).strip()
        if line:
            lines.append(_escape_line_start(line))
        elif lines:  # two breaks in a row: the author meant a new paragraph
            paragraphs.append("\\\n".join(lines))
            lines = []
    if lines:
        paragraphs.append("\\\n".join(lines))
    return paragraphs
