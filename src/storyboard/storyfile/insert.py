"""Add items to a story file in place: new lines inserted as text, every other byte kept.

The new lines go after the item they follow, in the indentation the file's items already
use, so comments, key order, quoting and blank lines stay as the curator wrote them. The
result is checked with the story loader before anything is written, and written
atomically.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from storyboard.errors import StoryError, UsageError, WriteError
from storyboard.fsio import locked, write_atomically
from storyboard.model.story import HeadingItem, Item, UrlItem
from storyboard.storyfile.loader import LoadedStory, load_story, parse_story
from storyboard.storyfile.messages import url_advice
from storyboard.storyfile.yaml_text import yaml_scalar
from storyboard.urls import check_http_url, normalize_url

#: Indentation of new items in a story that has none yet: "items:" then "  - url: ...".
DEFAULT_INDENT = 2

_EMPTY_VALUE_RE = re.compile(r"^\s*(?:~|null|Null|NULL|\[\s*\])")
_NULL_VALUE_RE = re.compile(r"^\s*(?:~|null|Null|NULL|\[\s*\])?\s*(?:#.*)?$")


@dataclass(frozen=True)
class AddResult:
    """What ``add_items`` did."""

    text: str  # the new file text
    added: list[UrlItem]
    index: int  # where the first new item is, in story.items (0-based)
    new_heading: str | None = None  # a heading added to hold the items, if any


@dataclass(frozen=True)
class _Layout:
    """How the file writes its items: the column of the dash and of the item's keys."""

    dash: int
    key: int


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
    loaded = parse_story(text, path=path)
    items = loaded.story.items
    new_items = _new_items(urls, note, items, lines=loaded.item_lines, path=path)
    position, new_heading = _position(items, after=after, heading=heading)
    editor = _TextEditor(text, loaded)
    lines = []
    if new_heading is not None:
        lines.append(("heading", new_heading))
    for item in new_items:
        lines.append(("url", item.url))
        if item.note:
            lines.append(("note", item.note))
    new_text = editor.insert(position, lines)
    expected = list(items[:position])
    if new_heading is not None:
        expected.append(HeadingItem(heading=new_heading))
    expected += [*new_items, *items[position:]]
    _check_result(new_text, path, loaded, expected)
    return AddResult(new_text, new_items, position + (new_heading is not None), new_heading)


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


def _check_result(text: str, path: str, before: LoadedStory, expected: list[Item]) -> None:
    """Make sure the edited text is the same story with exactly the expected items."""
    try:
        after = parse_story(text, path=path).story
    except StoryError as exc:
        raise UsageError(
            f"{path}: adding the items here would break the file ({exc.problems[0]}); "
            "add them by hand"
        ) from exc
    same_rest = after.model_copy(update={"items": []}) == before.story.model_copy(
        update={"items": []}
    )
    if not same_rest or list(after.items) != expected:
        raise UsageError(
            f"{path}: the items are laid out in a way storyboard cannot add to safely; "
            "add them by hand"
        )


class _TextEditor:
    """Insert item lines into a story's text without touching any other line."""

    def __init__(self, text: str, loaded: LoadedStory) -> None:
        self.lines = text.splitlines(keepends=True)
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.item_lines = loaded.item_lines
        # The story loaded fine, so this second, plain round-trip load is safe.
        root = YAML(typ="rt", pure=True).load(text)
        self.root: CommentedMap = root

    def insert(self, position: int, entries: list[tuple[str, str]]) -> str:
        """Insert ``entries`` (key, value) as items before ``story.items[position]``."""
        if "items" not in self.root or not self.item_lines:
            return self._into_empty(entries)
        sequence: CommentedSeq = self.root["items"]
        line, column = self.root.lc.value("items")
        if self.lines[line][column : column + 1] == "[":
            raise UsageError("'items' is written as one [...] list; add the items by hand")
        # The new items take the layout of the item they follow (the first, at the top),
        # and go right after its last line: blank lines and comments before the next
        # item stay with the next item.
        neighbour = max(position - 1, 0)
        layout = self._layout(sequence, neighbour)
        block = self._block(entries, layout)
        if position == 0:
            at = self._dash_line(sequence, 0)
        else:
            at = self._end_of_item(sequence, position - 1, layout) + 1
        self._ensure_newline(at)
        return "".join(self.lines[:at]) + block + "".join(self.lines[at:])

    def _into_empty(self, entries: list[tuple[str, str]]) -> str:
        """Add the first items: under an empty ``items:``, or a new ``items:`` at the end."""
        if self.root.fa.flow_style():
            raise UsageError("the story is written as one {...} mapping; add the items by hand")
        if "items" not in self.root:
            column = self.root.lc.key(next(iter(self.root)))[1] if self.root else 0
            self._ensure_newline(len(self.lines))
            head = " " * column + "items:" + self.newline
            layout = _Layout(column + DEFAULT_INDENT, column + DEFAULT_INDENT + 2)
            return "".join(self.lines) + head + self._block(entries, layout)
        line, column = self.root.lc.key("items")
        key_text = self.lines[line]
        colon = key_text.find(":", column)
        rest = key_text[colon + 1 :].rstrip("\r\n")
        if colon < 0 or not _NULL_VALUE_RE.match(rest):
            raise UsageError(
                "'items' is written in a way storyboard cannot add to; add them by hand"
            )
        # Only the empty value goes ("items: []  # c" -> "items:  # c"); the rest stays.
        self.lines[line] = key_text[: colon + 1] + _EMPTY_VALUE_RE.sub("", key_text[colon + 1 :])
        layout = _Layout(column + DEFAULT_INDENT, column + DEFAULT_INDENT + 2)
        block = self._block(entries, layout)
        return "".join(self.lines[: line + 1]) + block + "".join(self.lines[line + 1 :])

    def _layout(self, sequence: CommentedSeq, index: int) -> _Layout:
        """Return the layout of item ``index``, or of the nearest item written ``- key:``."""
        order = sorted(range(len(sequence)), key=lambda other: abs(other - index))
        for other in order:
            line, column = sequence.lc.item(other)
            before = self.lines[line][:column].rstrip()
            if before.endswith("-") and not before[:-1].strip():
                return _Layout(len(before) - 1, column)
        # Every item puts its keys below a lone dash: write "- key:" under that dash.
        dash = self._dash_line(sequence, index)
        dash_column = len(self.lines[dash]) - len(self.lines[dash].lstrip(" "))
        return _Layout(dash_column, dash_column + 2)

    def _dash_line(self, sequence: CommentedSeq, index: int) -> int:
        """Return the 0-based line of an item's dash (the item may start below it)."""
        line, column = sequence.lc.item(index)
        if self.lines[line][:column].rstrip().endswith("-"):
            return int(line)
        for earlier in range(line - 1, -1, -1):
            stripped = self.lines[earlier].strip()
            if stripped and not stripped.startswith("#"):
                if stripped.split("#", 1)[0].rstrip().endswith("-"):
                    return earlier
                break
        raise UsageError("cannot find where an item starts; add the items by hand")

    def _end_of_item(self, sequence: CommentedSeq, index: int, layout: _Layout) -> int:
        """Return the 0-based last line of an item: the last line indented past its dash."""
        line = int(sequence.lc.item(index)[0])
        last = line
        for number in range(line + 1, len(self.lines)):
            content = self.lines[number].rstrip("\r\n")
            if not content.strip():
                continue
            if len(content) - len(content.lstrip(" ")) <= layout.dash:
                break
            last = number
        return last

    def _block(self, entries: list[tuple[str, str]], layout: _Layout) -> str:
        dash = " " * layout.dash + "-" + " " * (layout.key - layout.dash - 1)
        pad = " " * layout.key
        out = []
        for key, value in entries:
            first = key != "note"
            prefix = dash if first else pad
            scalar = yaml_scalar(value, indent=layout.key + 2)
            out.append(f"{prefix}{key}: {scalar}".replace("\n", self.newline) + self.newline)
        return "".join(out)

    def _ensure_newline(self, at: int) -> None:
        """End the line before ``at`` with a newline (a file may lack its last one)."""
        if at > 0 and at - 1 < len(self.lines) and not self.lines[at - 1].endswith("\n"):
            self.lines[at - 1] += self.newline
