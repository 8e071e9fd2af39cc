"""Insert items into a story file in place: new lines put in as text, every other byte kept.

The one place new items enter a story's text, for ``storyboard add``, ``collect`` and
the browser editor alike. The new lines go between two items' spans (after the item
they follow, before the blank lines and comments of the next one), in the columns the
neighbouring items use, quoted only where YAML needs it; a story without items gets
them under its ``items:`` (or a new one). The result is checked with the story loader
before anything is written, and written atomically.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from storyboard.errors import UsageError, WriteError
from storyboard.fsio import locked, write_atomically
from storyboard.model.story import HeadingItem, Item, UrlItem
from storyboard.storyfile.loader import load_story
from storyboard.storyfile.messages import url_advice
from storyboard.storyfile.story_text import EDIT_BY_HAND, EditResult, StoryText
from storyboard.urls import check_http_url, normalize_url

#: Indentation of the first items of a story that has none: "items:" then "  - key: ...".
DEFAULT_INDENT = 2
#: What a refusal to add tells the curator to do instead.
ADD_BY_HAND = "add the items by hand"

_EMPTY_VALUE_RE = re.compile(r"^\s*(?:~|null|Null|NULL|\[\s*\])")
_NULL_VALUE_RE = re.compile(r"^\s*(?:~|null|Null|NULL|\[\s*\])?\s*(?:#.*)?$")


# -- lines into the text ------------------------------------------------------------------


def layout_near(story: StoryText, index: int) -> tuple[int, int]:
    """Return the (dash, key) columns new items take: those of item ``index`` (the nearest)."""
    if not story.spans:
        column = story.items_key_col if story.items_key_line is not None else story.first_key_col
        return column + DEFAULT_INDENT, column + DEFAULT_INDENT + 2
    span = story.spans[min(max(index, 0), len(story.spans) - 1)]
    key_col = span.key_col if not span.flow else span.dash_col + 2
    return span.dash_col, max(key_col, span.dash_col + 2)


def insert_lines(story: StoryText, index: int, block: str) -> str:
    """Return the text with ``block`` (whole item lines) put in to become item ``index``."""
    if not story.spans:
        if index != 0:
            raise UsageError(f"position {index} is outside the story (it has no items)")
        return _into_empty(story, story.ended(block))
    if not 0 <= index <= len(story.spans):
        raise UsageError(f"position {index} is outside the story (0 to {len(story.spans)})")
    # Right after the item it follows: the blank lines and comments above the next
    # item stay with that item.
    line = story.spans[index].start if index < len(story.spans) else story.spans[-1].end
    return story.with_chunk_at(line, block)


def _into_empty(story: StoryText, block: str) -> str:
    """Return the text with ``block`` as the first items (under ``items:``, else a new one)."""
    if story.root_flow:
        raise story.refuse("the story is written as one {...} mapping")
    lines = list(story.lines)
    if story.items_key_line is None:
        head = " " * story.first_key_col + "items:" + story.newline
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += story.newline
        return "".join(lines) + head + block
    line = story.items_key_line
    text = lines[line]
    colon = text.find(":", story.items_key_col)
    if colon < 0 or not _NULL_VALUE_RE.match(text[colon + 1 :].rstrip("\r\n")):
        raise story.refuse("'items' is written in a way storyboard cannot add to", line)
    # Only the empty value goes ("items: []  # c" -> "items:  # c"); the rest stays.
    lines[line] = text[: colon + 1] + _EMPTY_VALUE_RE.sub("", text[colon + 1 :])
    if not lines[line].endswith("\n"):
        lines[line] += story.newline
    return "".join(lines[: line + 1]) + block + "".join(lines[line + 1 :])


def insert_items(
    text: str, *, path: str, index: int, items: Sequence[Item], advice: str = EDIT_BY_HAND
) -> EditResult:
    """Insert ``items`` (headings, texts, URLs) so that the first becomes item ``index``."""
    return _insert(StoryText(text, path=path, advice=advice), index, items)


def _insert(story: StoryText, index: int, items: Sequence[Item]) -> EditResult:
    if not items:
        raise UsageError("nothing to insert")
    dash_col, key_col = layout_near(story, index - 1 if index else 0)
    block = "".join(story.item_block(item, dash_col=dash_col, key_col=key_col) for item in items)
    new_text = insert_lines(story, index, block)
    expected = story.items
    expected[index:index] = list(items)
    return EditResult(
        story.check(new_text, expected, "adding the items here"),
        {"op": "delete", "index": index, "count": len(items)},
    )


# -- storyboard add: URLs, where they go, the file ------------------------------------------


@dataclass(frozen=True)
class AddResult:
    """What ``add_items`` did."""

    text: str  # the new file text
    added: list[UrlItem]
    index: int  # where the first new item is, in story.items (0-based)
    new_heading: str | None = None  # a heading added to hold the items, if any


def add_items(
    path: Path,
    urls: Sequence[str],
    *,
    note: str | None = None,
    after: int | None = None,
    heading: str | None = None,
) -> AddResult:
    """Add one URL item per URL to the story file at ``path``, in place, atomically.

    ``after`` is an item number (1 = the first item, 0 = before every item); ``heading``
    adds at the end of that heading's section, or in a new section at the end of the
    story when no heading is that close. Default: at the end.
    """

    def edit() -> tuple[bytes, AddResult]:
        load_story(path)  # every problem of the file, located, before anything else
        data = path.read_bytes()
        bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
        text = data[len(bom) :].decode("utf-8")
        edited = add_items_to_text(
            text, urls, path=str(path), note=note, after=after, heading=heading
        )
        return bom, edited

    edit()  # a refused edit is refused before anything, even the lock file, is written
    # Read, edit and write under the file's lock: two ``add``s at once each add to what
    # the other wrote, instead of one of them writing over the other's items.
    with locked(path):
        bom, result = edit()
        try:
            write_atomically(path, bom + result.text.encode("utf-8"))
        except OSError as exc:  # a full disk, a read-only folder: the old file stays
            raise WriteError.from_os_error(exc, path) from exc
    return result


def add_items_to_text(
    text: str,
    urls: Sequence[str],
    *,
    path: str,
    note: str | None = None,
    after: int | None = None,
    heading: str | None = None,
) -> AddResult:
    """Return the story ``text`` with the new URL items inserted (see ``add_items``)."""
    if after is not None and heading is not None:
        raise UsageError("use --after or --heading, not both")
    story = StoryText(text, path=path, advice=ADD_BY_HAND)
    loaded = story.loaded
    items = loaded.story.items
    new_items = _new_items(urls, note, items, lines=loaded.item_lines, path=path)
    position, new_heading = _position(items, after=after, heading=heading)
    inserted: list[Item] = [HeadingItem(heading=new_heading)] if new_heading is not None else []
    inserted += new_items
    result = _insert(story, position, inserted)
    return AddResult(result.text, new_items, position + (new_heading is not None), new_heading)


def _new_items(
    urls: Sequence[str], note: str | None, items: Sequence[Item], *, lines: list[int], path: str
) -> list[UrlItem]:
    if not urls:
        raise UsageError("give at least one URL to add")
    note_text = note.strip() if note else None
    seen: dict[str, str] = {}
    for item, line in reversed(list(zip(items, lines, strict=True))):
        if isinstance(item, UrlItem):
            seen[normalize_url(item.url)] = f"already in the story ({path}:{line}: {item.url})"
    new: list[UrlItem] = []
    for raw in urls:
        try:
            url = check_http_url(raw)
        except ValueError as exc:
            raise UsageError(f"{raw}: {url_advice(raw, str(exc))}") from None
        key = normalize_url(url)
        if key in seen:
            raise UsageError(f"{url}: {seen[key]}")
        seen[key] = f"given twice (also as {url})"
        new.append(UrlItem(url=url, note=note_text or None))
    return new


def _same_heading(text: str) -> str:
    return " ".join(text.casefold().split())


def _position(
    items: Sequence[Item], *, after: int | None, heading: str | None
) -> tuple[int, str | None]:
    """Return where new items go in ``items``, and a heading to add first, if any."""
    if after is not None:
        if not 0 <= after <= len(items):
            raise UsageError(
                f"--after {after}: the story has {len(items)} items (use 0 to {len(items)})"
            )
        return after, None
    if heading is None:
        return len(items), None
    wanted = _same_heading(heading)
    if not wanted:
        raise UsageError("--heading: the heading is empty")
    headings = [(i, item.heading) for i, item in enumerate(items) if isinstance(item, HeadingItem)]
    found = [i for i, text in headings if _same_heading(text) == wanted]
    if len(found) > 1:
        numbers = " and ".join(str(i + 1) for i in found)
        raise UsageError(f"--heading {heading!r}: items {numbers} both have it; use --after N")
    if found:
        following = [i for i, _ in headings if i > found[0]]
        return (following[0] if following else len(items)), None
    close = difflib.get_close_matches(heading, [text for _, text in headings], n=1, cutoff=0.75)
    if close:
        raise UsageError(f"--heading {heading!r}: no such heading; did you mean {close[0]!r}?")
    return len(items), heading.strip()


__all__ = [
    "ADD_BY_HAND",
    "DEFAULT_INDENT",
    "AddResult",
    "add_items",
    "add_items_to_text",
    "insert_items",
    "insert_lines",
    "layout_near",
]
