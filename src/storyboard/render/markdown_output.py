"""``story.md``: front matter and Markdown for static-site generators (Hugo, Jekyll, Eleventy).

Headings stay Markdown (with the page's anchors when there is a table of contents, a list
of links before them, by the page's rule); a text item is the curator's Markdown rendered
as the page renders it (raw HTML escaped), and each URL item is its static card, each as
one compact HTML block (no blank line inside, so Markdown leaves it alone). Cards sit
inside the ``.storyboard`` scope that ``storyboard.css`` (written beside ``story.md``,
named in the front matter as ``stylesheet``) styles: the site's layout links it (README
shows how). Nothing from a provider, a collected post or an import can become the site
generator's template code (``render.inert``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from markupsafe import escape

from storyboard.i18n import translate
from storyboard.model.story import Story, TextItem
from storyboard.render.inert import inert_markdown_text
from storyboard.render.views import CardView, HeadingView, StoryView, TextView
from storyboard.untrusted_text import without_surrogates

#: The cards' stylesheet, written beside ``story.md``.
STYLESHEET = "storyboard.css"
_PRE_RE = re.compile(r"<pre\b.*?</pre>", re.DOTALL | re.IGNORECASE)
_MARKDOWN_SPECIAL_RE = re.compile(r"([\\`*_\[\]<>#!|~&])")


#: What a YAML double-quoted scalar must not hold as it is: the quote and the escape
#: character; C0 and C1 controls and DEL, which YAML 1.1 parsers (Jekyll's Psych, PyYAML)
#: and Go's refuse outright; NEL and the Unicode line and paragraph separators, which YAML
#: 1.1 folds into a space; a byte order mark; the two non-characters at the end of U+FFFF.
_YAML_ESCAPED = re.compile(r'["\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]')
_YAML_NAMED_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _yaml_escape(match: re.Match[str]) -> str:
    char = match.group(0)
    return _YAML_NAMED_ESCAPES.get(char) or f"\\u{ord(char):04X}"


def yaml_string(value: str) -> str:
    """Return ``value`` as a YAML double-quoted scalar that every YAML parser reads back as it is.

    Inside double quotes nothing is syntax but the escapes written here: no ``: ``, ``#``,
    ``---``, ``&anchor``, ``!tag`` or newline can end the value or start another key, and a
    lone surrogate (which no UTF-8 file can hold) becomes U+FFFD.
    """
    return '"' + _YAML_ESCAPED.sub(_yaml_escape, without_surrogates(value)) + '"'


def front_matter(story: Story) -> str:
    """Return the YAML front matter block of ``story``.

    The keys are fixed, and each value is data, never template code: Eleventy runs
    templates only in ``permalink`` and ``eleventyComputed`` values, Jekyll and Hugo in
    none, and none of those keys is ever written. A layout shows the values as any text:
    escaped (Nunjucks and Hugo do it by default; in Liquid, ``{{ title | escape }}``).
    """
    lines = ["---", f"title: {yaml_string(story.title)}"]
    if story.date:
        lines.append(f"date: {story.date.isoformat()}")
    if story.description:
        lines.append(f"description: {yaml_string(story.description)}")
    if story.author:
        lines.append(f"author: {yaml_string(story.author)}")
    lines.append(f"tags: [{', '.join(yaml_string(tag) for tag in story.tags)}]")
    lines.append(f"lang: {yaml_string(story.lang)}")
    lines.append(f"stylesheet: {yaml_string(STYLESHEET)}")
    lines.append("---")
    return "\n".join(lines)


def literal_markdown(text: str) -> str:
    """Return ``text`` as Markdown inline text that shows as written, on one line."""
    flat = " ".join(text.split())
    return inert_markdown_text(_MARKDOWN_SPECIAL_RE.sub(r"\\\1", flat))


def markdown_heading(text: str, anchor: str | None = None) -> str:
    """Return a level-2 Markdown heading whose text is taken literally.

    With ``anchor``, the heading starts with an empty ``<a id>``, the target of the table
    of contents' links: markdown-it (Eleventy) gives headings no id, and Hugo and kramdown
    (Jekyll) give ids of their own, so the links cannot count on those.
    """
    target = f'<a id="{escape(anchor)}"></a>' if anchor else ""
    return "## " + target + literal_markdown(text)


def markdown_toc(view: StoryView) -> str | None:
    """Return the table of contents as the page has it: a numbered list of links, or None."""
    if not view.toc:
        return None
    lines = [f"**{literal_markdown(translate(view.lang, 'toc_title'))}**", ""]
    for number, entry in enumerate(view.toc, start=1):
        count = f" ({literal_markdown(entry.count_text)})" if entry.count_text else ""
        # Anchors are word characters and hyphens: nothing to escape in a link destination.
        lines.append(f"{number}. [{literal_markdown(entry.text)}](#{entry.anchor}){count}")
    return "\n".join(lines)


def compact_html(html: str) -> str:
    """Return ``html`` without blank or indented lines, keeping preformatted text intact."""
    # Newlines inside <pre> matter; as character references they survive on one line.
    joined = _PRE_RE.sub(lambda m: m.group(0).replace("\n", "&#10;"), html)
    return "\n".join(line.strip() for line in joined.splitlines() if line.strip())


def render_markdown_document(
    story: Story,
    view: StoryView,
    render_entry: Callable[[CardView], str],
    pictures_style: str = "",
) -> str:
    """Return the whole ``story.md``."""
    return "".join(markdown_pieces(story, view, render_entry, pictures_style))


def markdown_pieces(
    story: Story,
    view: StoryView,
    render_entry: Callable[[CardView], str],
    pictures_style: str = "",
) -> Iterator[str]:
    """Yield ``story.md`` block by block, for writing as it is made.

    ``pictures_style`` is the ``<style>`` that defines each inlined picture once
    (``--assets inline``); it comes right after the front matter, before any card.
    """
    yield front_matter(story)
    if pictures_style:
        yield "\n\n" + compact_html(pictures_style)
    toc = markdown_toc(view)
    if toc is not None:
        yield "\n\n" + toc
    for source, item in zip(story.items, view.items, strict=True):
        if isinstance(item, HeadingView):
            yield "\n\n" + markdown_heading(item.text, item.anchor if toc else None)
        elif isinstance(item, TextView) and isinstance(source, TextItem):
            # The same HTML as on the page: in Markdown, raw HTML would pass through.
            yield "\n\n" + compact_html(item.html)
        elif isinstance(item, CardView):
            scoped = (
                f'<div class="storyboard" lang="{escape(view.lang)}">\n{render_entry(item)}\n</div>'
            )
            yield "\n\n" + compact_html(scoped)
    yield "\n"
