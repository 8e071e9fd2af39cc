"""The fragment made to survive a blog's post sanitizer: ``--for wordpress``.

WordPress filters the posts of every user without ``unfiltered_html`` (Authors,
Contributors, Multisite editors, WordPress.com) with kses: ``<style>`` tags go (their CSS
stays, as visible text), scripts and ``<svg>``/``<time>``/``<iframe>`` tags go, ``data:``
sources go, and in ``style`` attributes only the properties of ``safecss_filter_attr``
stay (WordPress 6.1 knows no ``display``, ``position`` or ``aspect-ratio``). On display,
``wpautop`` turns blank lines into paragraphs and lone newlines into ``<br />``.

So the normal fragment is rewritten here into what passes unchanged: every rule of the
look that kses keeps becomes an inline ``style`` (``STYLES``), what needs a stylesheet to
stay hidden (screen-reader text, the click-to-load controls) is left out, ``<time>``
becomes a ``<span>`` with the same text, and the markup is one line, with no newline
for ``wpautop`` to act on.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup, Tag

from storyboard.render.blog_target import BlogTarget, check_blog_target

__all__ = ["BlogTarget", "blog_post_fragment", "check_blog_target"]


#: The look, as inline styles: (class the element has, or class of an ancestor + tag name).
#: Only properties WordPress's ``safecss_filter_attr`` keeps, with no quotes, no ``\\``,
#: ``&``, ``=``, ``}`` or comments in values (kses drops a whole declaration for those).
#: Floats stand in for flex layout; ``overflow:hidden`` makes a box hold its floats.
STYLES: tuple[tuple[str, str | None, str], ...] = (
    ("storyboard", None, "margin:1.5em 0;color:#1f2328;text-align:left"),
    ("sb-entry", None, "margin:1.5em 0"),
    (
        "sb-card",
        None,
        "max-width:100%;margin:0;padding:1em;border:1px solid #d1d9e0;border-radius:12px;"
        "background-color:#fff;color:#1f2328;line-height:1.5;overflow:hidden",
    ),
    ("sb-unresolved", None, "border-style:dashed"),
    ("sb-head", None, "overflow:hidden;margin:0 0 .75em"),
    (
        "sb-avatar",
        None,
        "float:left;width:48px;height:48px;max-width:48px;margin:0 .75em 0 0;"
        "border-radius:50%;object-fit:cover",
    ),
    (
        "sb-mark",
        None,
        "float:left;width:48px;height:48px;margin:0 .75em 0 0;border-radius:50%;"
        "background-color:#4c5866;color:#fff;font-weight:700;font-size:1.25em;"
        "line-height:48px;text-align:center",
    ),
    ("sb-who", None, "overflow:hidden;line-height:1.3;padding:.2em 0 0"),
    ("sb-name", None, "font-weight:600"),
    ("sb-handle", None, "color:#59636e;font-size:.875em;text-decoration:none"),
    ("sb-title", None, "margin:0 0 .5em;font-size:1.125em;font-weight:650;line-height:1.3"),
    ("sb-text", None, "margin:0 0 .75em"),
    ("sb-text", "p", "margin:0 0 .75em"),
    ("sb-media", None, "margin:.75em 0 0;border-radius:8px;overflow:hidden"),
    ("sb-media", "img", "width:100%;max-width:100%;height:auto;margin:0;vertical-align:bottom"),
    ("sb-link", "img", "width:100%;max-width:100%;height:auto;margin:0;vertical-align:bottom"),
    ("sb-site", None, "margin:0 0 .3em;color:#59636e;font-size:.8125em;text-transform:uppercase"),
    (
        "sb-archived",
        None,
        "margin:.85em 0 0;padding:.55em .85em;border-left:3px solid #b7791f;"
        "background-color:#fff5d6;font-size:.875em",
    ),
    ("sb-imported", None, "margin:.85em 0 0;color:#59636e;font-size:.8125em"),
    ("sb-foot", None, "margin:.85em 0 0;color:#59636e;font-size:.875em"),
    ("sb-url", None, "margin:0 0 .5em"),
    ("sb-meta", None, "margin:0;color:#59636e;font-size:.875em"),
    (
        "sb-note",
        None,
        "margin:.75em 0 0 .25em;padding:0 0 0 .75em;border-left:3px solid #d1d9e0;line-height:1.55",
    ),
    ("sb-note", "p", "margin:0"),
    ("sb-entry", "blockquote", "margin:0 0 .75em;padding:0 0 0 1em;border-left:3px solid #d1d9e0"),
)

#: What only a stylesheet or a script makes sense of; without them it would show, or do nothing.
LEFT_OUT = (".sb-loader", ".sb-vh", ".sb-playmark", "style", "script", "noscript", "template")
#: Tags kses removes while keeping their text: replaced by a ``<span>`` with the same text.
TEXT_ONLY_TAGS = ("time",)
#: Spans that must be boxes (a float with a size, a line of its own).
BLOCK_SPANS = ("sb-mark", "sb-name")
#: The tags wpautop treats as blocks (its ``$allblocks``): inline content beside one of
#: them inside a container gets an unclosed ``<p>`` from wpautop.
WPAUTOP_BLOCKS = frozenset(
    {
        "table",
        "thead",
        "tfoot",
        "caption",
        "col",
        "colgroup",
        "tbody",
        "tr",
        "td",
        "th",
        "div",
        "dl",
        "dd",
        "dt",
        "ul",
        "ol",
        "li",
        "pre",
        "form",
        "map",
        "area",
        "blockquote",
        "address",
        "math",
        "style",
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "fieldset",
        "legend",
        "section",
        "article",
        "aside",
        "hgroup",
        "header",
        "footer",
        "nav",
        "figure",
        "figcaption",
        "details",
        "menu",
        "summary",
    }
)
SOFT_HYPHEN = "\u00ad"
_WORD_PIECE = 16
_LONG_WORD = re.compile(r"\S{28,}")
_NEWLINES = re.compile(r"[ \t]*(?:\r\n|\r|\n)[\s]*")


def _styles_for(element: Tag) -> list[str]:
    classes = set(element.get_attribute_list("class"))
    ancestors: set[str] = set()
    for parent in element.parents:
        if isinstance(parent, Tag):
            ancestors.update(parent.get_attribute_list("class"))
    return [
        style
        for css_class, tag, style in STYLES
        if (
            (css_class in classes)
            if tag is None
            else (tag == element.name and css_class in ancestors)
        )
    ]


def blog_post_fragment(html: str) -> str:
    """Return the fragment ``html`` rewritten to pass WordPress's filters unchanged."""
    soup = BeautifulSoup(html, "html.parser")
    _drop_and_rename(soup)
    for element in soup.find_all(True):
        # decoding= is not among the img attributes kses keeps; the browser's default is fine.
        if element.name == "img" and element.has_attr("decoding"):
            del element["decoding"]
        styles = _styles_for(element)
        if styles:
            element["style"] = ";".join(styles)
    # The foot's date and link sat apart by flex; a separator keeps them apart as text.
    for foot in soup.select(".sb-foot"):
        parts = [child for child in foot.children if isinstance(child, Tag)]
        for part in parts[1:]:
            part.insert_before(" · ")
    _wrap_inline_runs(soup)
    _keep_double_breaks(soup)
    _let_long_words_break(soup)
    return _one_line(str(soup))


def _wrap_inline_runs(soup: BeautifulSoup) -> None:
    """Put inline content that sits beside blocks in a ``<div>`` of its own.

    wpautop opens a ``<p>`` before such a run and never closes it; in a ``<div>`` the run
    renders the same (it was its own line box already) and wpautop leaves it alone.
    """
    for container in soup.find_all(WPAUTOP_BLOCKS):
        children = list(container.children)
        if not any(isinstance(c, Tag) and c.name in WPAUTOP_BLOCKS for c in children):
            continue
        run: list[Any] = []
        for child in [*children, None]:
            if child is not None and not (isinstance(child, Tag) and child.name in WPAUTOP_BLOCKS):
                run.append(child)
                continue
            if any(isinstance(c, Tag) or str(c).strip() for c in run):
                wrapper = soup.new_tag("div")
                run[0].insert_before(wrapper)
                for piece in run:
                    wrapper.append(piece.extract())
            run = []


def _keep_double_breaks(soup: BeautifulSoup) -> None:
    """Keep two ``<br>`` in a row as breaks: wpautop would make a new paragraph of them.

    An empty ``<span>`` between them renders as nothing and breaks wpautop's pattern.
    """
    for br in soup.find_all("br"):
        following = br.next_sibling
        while (
            following is not None and not isinstance(following, Tag) and not str(following).strip()
        ):
            following = following.next_sibling
        if isinstance(following, Tag) and following.name == "br":
            br.insert_after(soup.new_tag("span"))


def _let_long_words_break(soup: BeautifulSoup) -> None:
    """Give words too long for a phone's line soft hyphens (kses drops ``overflow-wrap``)."""
    for text in soup.find_all(string=_LONG_WORD):
        if text.parent is not None and text.parent.name not in ("pre", "code"):
            text.replace_with(_LONG_WORD.sub(_soft_hyphens, str(text)))


def _soft_hyphens(match: re.Match[str]) -> str:
    word = match.group(0)
    return SOFT_HYPHEN.join(word[i : i + _WORD_PIECE] for i in range(0, len(word), _WORD_PIECE))


def _drop_and_rename(soup: BeautifulSoup) -> None:
    """Leave out what needs a stylesheet or a script; rename what kses would unwrap."""
    for selector in LEFT_OUT:
        for element in soup.select(selector):
            element.decompose()
    for name in TEXT_ONLY_TAGS:
        for element in soup.find_all(name):
            element.name = "span"
            for attribute in list(element.attrs):
                if attribute != "class":
                    del element[attribute]
    for css_class in BLOCK_SPANS:
        for element in soup.select(f"span.{css_class}"):
            element.name = "div"


def _one_line(html: str) -> str:
    """Join ``html`` into one line (a newline renders as a space), keeping ``<pre>`` as is."""
    pieces = re.split(r"(<pre\b.*?</pre>)", html, flags=re.DOTALL | re.IGNORECASE)
    return (
        "".join(
            piece if piece.lower().startswith("<pre") else _NEWLINES.sub(" ", piece)
            for piece in pieces
        ).strip()
        + "\n"
    )
