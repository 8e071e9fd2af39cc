"""``story.md``: front matter and Markdown for static-site generators (Hugo, Jekyll, Eleventy).

Headings stay Markdown; a text item is the curator's Markdown rendered as the page renders
it (raw HTML escaped), and each URL item is its static card, each as one compact HTML block
(no blank line inside, so Markdown leaves it alone). Cards sit inside the ``.storyboard``
scope that ``storyboard.css`` (written beside ``story.md``, named in the front matter as
``stylesheet``) styles: the site's layout links it (README shows how). Nothing from a
provider, a collected post or an import can become the site generator's template code
(``render.inert``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from markupsafe import escape

from storyboard.model.story import Story, TextItem
from storyboard.render.inert import inert_markdown_text
from storyboard.render.views import CardView, HeadingView, StoryView, TextView

#: The cards' stylesheet, written beside ``story.md``.
STYLESHEET = "storyboard.css"
_PRE_RE = re.compile(r"<pre\b.*?</pre>", re.DOTALL | re.IGNORECASE)
_MARKDOWN_SPECIAL_RE = re.compile(r"([\\`*_\[\]<>#!|~&])")


def _yaml_string(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: no quoting rules to get wrong.
    return json.dumps(value, ensure_ascii=False)


def front_matter(story: Story) -> str:
    """Return the YAML front matter block of ``story``."""
    lines = ["---", f"title: {_yaml_string(story.title)}"]
    if story.date:
        lines.append(f"date: {story.date.isoformat()}")
    if story.description:
        lines.append(f"description: {_yaml_string(story.description)}")
    if story.author:
        lines.append(f"author: {_yaml_string(story.author)}")
    lines.append(f"tags: [{', '.join(_yaml_string(tag) for tag in story.tags)}]")
    lines.append(f"lang: {_yaml_string(story.lang)}")
    lines.append(f"stylesheet: {_yaml_string(STYLESHEET)}")
    lines.append("---")
    return "\n".join(lines)


def markdown_heading(text: str) -> str:
    """Return a level-2 Markdown heading whose text is taken literally."""
    flat = " ".join(text.split())
    return "## " + inert_markdown_text(_MARKDOWN_SPECIAL_RE.sub(r"\\\1", flat))


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
    for source, item in zip(story.items, view.items, strict=True):
        if isinstance(item, HeadingView):
            yield "\n\n" + markdown_heading(item.text)
        elif isinstance(item, TextView) and isinstance(source, TextItem):
            # The same HTML as on the page: in Markdown, raw HTML would pass through.
            yield "\n\n" + compact_html(item.html)
        elif isinstance(item, CardView):
            scoped = (
                f'<div class="storyboard" lang="{escape(view.lang)}">\n{render_entry(item)}\n</div>'
            )
            yield "\n\n" + compact_html(scoped)
    yield "\n"
