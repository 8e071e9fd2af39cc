"""Rearrange a story file's items in place: move, delete, insert, restore and update.

Like ``add``, every edit works on the file's text, never on a re-dumped document: each
item is a span of whole lines (its dash line to its last value, with the blank and
comment lines above it), and an edit only cuts, pastes or rewrites the lines of the item it
changes. Everything else (comments, blank lines, quoting, key order, line endings)
stays byte for byte. Each result is loaded again and compared with the story the edit
meant to make; an edit that would come out any other way is refused, so a file laid out
in a way this module does not foresee is never damaged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from storyboard.errors import StoryError, UsageError
from storyboard.model.story import ITEM_KINDS, Item, UrlItem
from storyboard.storyfile.loader import LoadedStory, parse_story
from storyboard.storyfile.yaml_text import yaml_scalar

#: Indentation of the first items of a story that has none: "items:" then "  - key: ...".
_DEFAULT_INDENT = 2
#: The keys an item may have, in the order a new or rewritten item lists them.
_KEY_ORDER = ("heading", "text", "url", "note", "title", "embed")
_EMPTY_VALUE_RE = re.compile(r"^\s*(?:~|null|Null|NULL|\[\s*\])")
_NULL_VALUE_RE = re.compile(r"^\s*(?:~|null|Null|NULL|\[\s*\])?\s*(?:#.*)?$")


@dataclass(frozen=True)
class ItemSpan:
    """Where one item is written: 0-based line numbers, ``end`` exclusive."""

    start: int  # the first of the blank and comment lines above the item, else its dash line
    dash: int  # the line of the item's dash
    end: int  # one past the item's last line
    dash_col: int
    key_col: int  # where the item's keys start ("- url:" -> dash_col + 2)
    flow: bool  # written as one {...} mapping


@dataclass(frozen=True)
class EditResult:
    """The new text of a story file, and what to do to take the edit back."""

    text: str
    #: The operation that restores the file as it was before this edit.
    undo: dict[str, Any]


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _is_blank(line: str) -> bool:
    return not line.strip()


class StoryText:
    """A valid story's text, split in lines, with the span of each of its items."""

    def __init__(self, text: str, *, path: str) -> None:
        self.text = text
        self.path = path
        self.loaded: LoadedStory = parse_story(text, path=path)
        self.lines = text.splitlines(keepends=True)
        self.newline = "\r\n" if "\r\n" in text else "\n"
        root = YAML(typ="rt", pure=True).compose(text)
        self.items_key_line: int | None = None
        self.items_key_col = 0
        self.items_node: SequenceNode | None = None
        self.root_flow = isinstance(root, MappingNode) and bool(root.flow_style)
        self.first_key_col = 0
        if isinstance(root, MappingNode):
            if root.value:
                self.first_key_col = root.value[0][0].start_mark.column
            for key, value in root.value:
                if key.value == "items":
                    self.items_key_line = key.start_mark.line
                    self.items_key_col = key.start_mark.column
                    if isinstance(value, SequenceNode):
                        self.items_node = value
        self.spans = self._spans()

    @property
    def items(self) -> list[Item]:
        """Return the story's items."""
        return list(self.loaded.story.items)

    # -- spans ------------------------------------------------------------------------

    def _spans(self) -> list[ItemSpan]:
        node = self.items_node
        if node is None or not node.value:
            return []
        if node.flow_style:
            raise UsageError(
                f"{self.path}: 'items' is written as one [...] list; edit the file by hand"
            )
        spans: list[ItemSpan] = []
        floor = (self.items_key_line or 0) + 1  # comments above this belong to no item
        for item in node.value:
            dash, dash_col = self._dash(item)
            end = self._end(item)
            start = dash
            # The blank lines and comments above an item go with it: a moved item keeps
            # its comment, and a move and its undo give back the file byte for byte.
            while start > floor and (
                _is_comment(self.lines[start - 1]) or _is_blank(self.lines[start - 1])
            ):
                start -= 1
            flow = isinstance(item, MappingNode) and bool(item.flow_style)
            key_col = item.start_mark.column if not flow else dash_col + 2
            if item.start_mark.line != dash:  # keys below a lone dash
                key_col = item.start_mark.column
            spans.append(ItemSpan(start, dash, end, dash_col, key_col, flow))
            floor = end
        return spans

    def _dash(self, item: Node) -> tuple[int, int]:
        """Return the line and column of an item's dash (the item may start below it)."""
        line, column = item.start_mark.line, item.start_mark.column
        before = self.lines[line][:column].rstrip()
        if before.endswith("-") and not before[:-1].strip():
            return line, len(before) - 1
        for earlier in range(line - 1, -1, -1):
            text = self.lines[earlier]
            if _is_blank(text) or _is_comment(text):
                continue
            content = text.split("#", 1)[0].rstrip()
            if content.strip() == "-":
                return earlier, len(content) - 1
            break
        raise UsageError(f"{self.path}:{line + 1}: cannot find where this item starts")

    def _end(self, item: Node) -> int:
        """Return one past the item's last line: its last value's end, blank lines left out."""
        mark = item.end_mark
        if isinstance(item, MappingNode) and not item.flow_style and item.value:
            mark = item.value[-1][1].end_mark
        end = int(mark.line if mark.column == 0 else mark.line + 1)
        while end > item.start_mark.line + 1 and _is_blank(self.lines[end - 1]):
            end -= 1
        return end

    def chunk(self, index: int) -> str:
        """Return the text of item ``index``: its comment lines above it, then its lines."""
        span = self._span(index)
        return self._ended("".join(self.lines[span.start : span.end]))

    def _span(self, index: int) -> ItemSpan:
        if not 0 <= index < len(self.spans):
            raise UsageError(f"there is no item {index + 1} (the story has {len(self.spans)})")
        return self.spans[index]

    def _ended(self, text: str) -> str:
        return text if text.endswith("\n") or not text else text + self.newline

    # -- building the new text --------------------------------------------------------

    def insertion_line(self, index: int) -> int:
        """Return the line a chunk goes at to become item ``index`` (0 to len(items))."""
        if not 0 <= index <= len(self.spans):
            raise UsageError(f"position {index} is outside the story (0 to {len(self.spans)})")
        if index < len(self.spans):
            return self.spans[index].start
        return self.spans[-1].end

    def with_chunk_at(self, line: int, chunk: str, lines: list[str] | None = None) -> str:
        """Return the text with ``chunk`` (whole lines) inserted before ``line``."""
        lines = list(self.lines if lines is None else lines)
        if line > 0 and not lines[line - 1].endswith("\n"):
            lines[line - 1] += self.newline  # the file's last line had no line break
        return "".join(lines[:line]) + self._ended(chunk) + "".join(lines[line:])

    def item_block(self, item: Item, *, dash_col: int, key_col: int) -> str:
        """Return ``item`` written in block style at the given columns, in the file's newlines."""
        fields: dict[str, Any] = item.model_dump(mode="json", exclude_none=True)
        keys = [key for key in _KEY_ORDER if key in fields]
        out = []
        for number, key in enumerate(keys):
            if number == 0:
                prefix = " " * dash_col + "-" + " " * (key_col - dash_col - 1)
            else:
                prefix = " " * key_col
            scalar = yaml_scalar(str(fields[key]), indent=key_col + 2)
            out.append(f"{prefix}{key}: {scalar}".replace("\n", self.newline) + self.newline)
        return "".join(out)

    def layout_near(self, index: int) -> tuple[int, int]:
        """Return the (dash, key) columns new items take: those of the nearest item."""
        if not self.spans:
            column = self.items_key_col if self.items_key_line is not None else self.first_key_col
            return column + _DEFAULT_INDENT, column + _DEFAULT_INDENT + 2
        span = self.spans[min(max(index, 0), len(self.spans) - 1)]
        key_col = span.key_col if not span.flow else span.dash_col + 2
        if key_col <= span.dash_col:
            key_col = span.dash_col + 2
        return span.dash_col, key_col

    def into_empty(self, block: str) -> str:
        """Return the text with ``block`` as the first items (under ``items:``, else a new one)."""
        if self.root_flow:
            raise UsageError(
                f"{self.path}: the story is written as one {{...}} mapping; edit it by hand"
            )
        if self.items_key_line is None:
            lines = list(self.lines)
            head = " " * self.first_key_col + "items:" + self.newline
            if lines and not lines[-1].endswith("\n"):
                lines[-1] += self.newline
            return "".join(lines) + head + block
        line = self.items_key_line
        text = self.lines[line]
        colon = text.find(":", self.items_key_col)
        rest = text[colon + 1 :].rstrip("\r\n")
        if colon < 0 or not _NULL_VALUE_RE.match(rest):
            raise UsageError(
                f"{self.path}:{line + 1}: 'items' is written in a way storyboard "
                "cannot add to; edit the file by hand"
            )
        lines = list(self.lines)
        # Only the empty value goes ("items: []  # c" -> "items:  # c"); the rest stays.
        lines[line] = text[: colon + 1] + _EMPTY_VALUE_RE.sub("", text[colon + 1 :])
        if not lines[line].endswith("\n"):
            lines[line] += self.newline
        return "".join(lines[: line + 1]) + block + "".join(lines[line + 1 :])

    def check(self, new_text: str, expected: Sequence[Item], what: str) -> str:
        """Return ``new_text`` if it is this story with exactly ``expected`` items; else refuse."""
        try:
            after = parse_story(new_text, path=self.path).story
        except StoryError as exc:
            raise UsageError(
                f"{self.path}: {what} would break the file ({exc.problems[0]}); "
                "edit the file by hand"
            ) from exc
        rest_before = self.loaded.story.model_copy(update={"items": []})
        if after.model_copy(update={"items": []}) != rest_before or list(after.items) != list(
            expected
        ):
            raise UsageError(
                f"{self.path}: the file is laid out in a way storyboard cannot {what} "
                "safely; edit the file by hand"
            )
        return new_text


# -- the operations -----------------------------------------------------------------------


def move_item(text: str, *, path: str, index: int, to: int) -> EditResult:
    """Move item ``index`` so that it becomes item ``to`` (both 0-based)."""
    story = StoryText(text, path=path)
    items = story.items
    span = story._span(index)
    if not 0 <= to < len(items):
        raise UsageError(f"position {to + 1} is outside the story (1 to {len(items)})")
    if to == index:
        return EditResult(text, {"op": "move", "index": to, "to": index})
    chunk = story.chunk(index)
    rest = story.lines[: span.start] + story.lines[span.end :]
    removed = span.end - span.start
    others = [s for number, s in enumerate(story.spans) if number != index]
    if to < len(others):
        line = others[to].start
        line -= removed if line >= span.end else 0
    else:
        line = others[-1].end - (removed if others[-1].end > span.start else 0)
    new_text = story.with_chunk_at(line, chunk, rest)
    moved = items[index]
    expected = [item for number, item in enumerate(items) if number != index]
    expected.insert(to, moved)
    return EditResult(
        story.check(new_text, expected, "move this item"), {"op": "move", "index": to, "to": index}
    )


def delete_item(text: str, *, path: str, index: int) -> EditResult:
    """Delete item ``index``; the undo puts its exact lines back."""
    story = StoryText(text, path=path)
    span = story._span(index)
    chunk = story.chunk(index)
    lines = story.lines[: span.start] + story.lines[span.end :]
    new_text = "".join(lines)
    expected = [item for number, item in enumerate(story.items) if number != index]
    if not expected:
        # The last item: leave a valid empty list behind rather than "items:" with nothing.
        new_text = _emptied(story, lines)
    return EditResult(
        story.check(new_text, expected, "delete this item"),
        {"op": "restore", "index": index, "chunk": chunk},
    )


def _emptied(story: StoryText, lines: list[str]) -> str:
    """Return ``lines`` with ``items:`` (now without any item) written as ``items: []``."""
    line = story.items_key_line
    assert line is not None
    text = lines[line]
    colon = text.find(":", story.items_key_col)
    body = text[colon + 1 :].rstrip("\r\n")
    ending = text[len(text[: colon + 1] + body) :]
    lines = list(lines)
    lines[line] = text[: colon + 1] + " []" + body + ending
    return "".join(lines)


def restore_item(text: str, *, path: str, index: int, chunk: str) -> EditResult:
    """Put an item's lines (as ``delete_item`` or ``replace_item`` gave them) back at ``index``."""
    story = StoryText(text, path=path)
    parsed = _parse_chunk(chunk, story)
    expected = story.items
    if not 0 <= index <= len(expected):
        raise UsageError(f"position {index + 1} is outside the story")
    expected.insert(index, parsed)
    chunk = chunk.replace("\r\n", "\n").replace("\n", story.newline)
    if story.spans:
        new_text = story.with_chunk_at(story.insertion_line(index), chunk)
    else:
        new_text = story.into_empty(story._ended(chunk))
    return EditResult(
        story.check(new_text, expected, "restore this item"), {"op": "delete", "index": index}
    )


def _parse_chunk(chunk: str, story: StoryText) -> Item:
    """Return the one item ``chunk`` writes (checked, so a restore adds nothing else)."""
    probe = "title: probe\nitems:\n" + chunk.replace("\r\n", "\n")
    if not probe.endswith("\n"):
        probe += "\n"
    try:
        items = parse_story(probe, path=story.path).story.items
    except StoryError as exc:
        raise UsageError(
            f"{story.path}: the item to restore is not valid: {exc.problems[0]}"
        ) from exc
    if len(items) != 1:
        raise UsageError(f"{story.path}: restoring takes exactly one item")
    return items[0]


def insert_items(text: str, *, path: str, index: int, items: Sequence[Item]) -> EditResult:
    """Insert ``items`` (headings, texts, URLs) so that the first becomes item ``index``."""
    if not items:
        raise UsageError("nothing to insert")
    story = StoryText(text, path=path)
    dash_col, key_col = story.layout_near(index - 1 if index else 0)
    block = "".join(story.item_block(item, dash_col=dash_col, key_col=key_col) for item in items)
    if story.spans:
        new_text = story.with_chunk_at(story.insertion_line(index), block)
    elif index == 0:
        new_text = story.into_empty(block)
    else:
        raise UsageError(f"position {index} is outside the story (it has no items)")
    expected = story.items
    expected[index:index] = list(items)
    return EditResult(
        story.check(new_text, expected, "insert items here"),
        {"op": "delete", "index": index, "count": len(items)},
    )


def replace_item(text: str, *, path: str, index: int, chunk: str) -> EditResult:
    """Replace item ``index``'s lines by ``chunk`` (one item's lines): undoes an update."""
    story = StoryText(text, path=path)
    span = story._span(index)
    parsed = _parse_chunk(chunk, story)
    chunk = chunk.replace("\r\n", "\n").replace("\n", story.newline)
    lines = story.lines[: span.start] + story.lines[span.end :]
    new_text = story.with_chunk_at(span.start, chunk, lines)
    expected = story.items
    expected[index] = parsed
    return EditResult(
        story.check(new_text, expected, "change this item"),
        {"op": "replace", "index": index, "chunk": story.chunk(index)},
    )


def update_item(
    text: str, *, path: str, index: int, changes: Mapping[str, str | None]
) -> EditResult:
    """Set (a string) or remove (None) some keys of item ``index``, keeping its other lines.

    Keys that are there are rewritten on their own lines; new keys go after the item's
    last line; an item written as one ``{...}`` mapping is rewritten in block style.
    """
    story = StoryText(text, path=path)
    span = story._span(index)
    before = story.items[index]
    fields: dict[str, Any] = before.model_dump(mode="json", exclude_none=True)
    kind = next(key for key in ITEM_KINDS if key in fields)
    # A key set to the value it has stays as it is written (quoting, comments and all).
    changes = {
        key: value
        for key, value in changes.items()
        if (value.strip() if value and value.strip() else None) != fields.get(key)
    }
    for key, value in changes.items():
        if key not in _KEY_ORDER or (key != kind and key in ITEM_KINDS):
            raise UsageError(f"item {index + 1}: cannot set {key!r} on a {kind} item")
        if key == kind and not (value or "").strip():
            raise UsageError(f"item {index + 1}: the {kind} is empty")
        if value is None or not value.strip():
            fields.pop(key, None)
        else:
            fields[key] = value.strip()
    try:
        after: Item = ITEM_KINDS[kind].model_validate(fields)
    except ValueError as exc:
        raise UsageError(f"item {index + 1}: {exc}") from exc
    if isinstance(after, UrlItem) != isinstance(before, UrlItem):
        raise UsageError(f"item {index + 1}: cannot change its kind")
    old_chunk = story.chunk(index)
    new_text = _rewrite_keys(story, index, span, after, changes)
    expected = story.items
    expected[index] = after
    return EditResult(
        story.check(new_text, expected, "change this item"),
        {"op": "replace", "index": index, "chunk": old_chunk},
    )


def _rewrite_keys(
    story: StoryText, index: int, span: ItemSpan, after: Item, changes: Mapping[str, str | None]
) -> str:
    node = story.items_node.value[index] if story.items_node is not None else None
    whole = "".join(story.lines[span.start : span.dash]) + story.item_block(
        after, dash_col=span.dash_col, key_col=max(span.key_col, span.dash_col + 2)
    )
    if span.flow or not isinstance(node, MappingNode):
        return story.with_chunk_at(
            span.start, whole, story.lines[: span.start] + story.lines[span.end :]
        )
    lines = list(story.lines)
    written: dict[str, Any] = after.model_dump(mode="json", exclude_none=True)
    entries = {key.value: (key, value) for key, value in node.value}
    first_key = node.value[0][0].value
    appended: list[str] = []
    # Bottom to top, so the line numbers of the keys not yet rewritten stay right.
    edits: list[tuple[int, int, list[str]]] = []
    for key in changes:
        value = written.get(key)
        if key in entries:
            key_node, value_node = entries[key]
            if value is None and key == first_key:
                # The key on the dash line goes: rewrite the item rather than re-dash it.
                return story.with_chunk_at(
                    span.start, whole, story.lines[: span.start] + story.lines[span.end :]
                )
            first = key_node.start_mark.line
            last = value_node.end_mark.line
            end = last if value_node.end_mark.column == 0 else last + 1
            while end > first + 1 and _is_blank(lines[end - 1]):
                end -= 1
            if value is None:
                edits.append((first, end, []))
            else:
                column = key_node.start_mark.column
                prefix = lines[first][:column]
                scalar = yaml_scalar(str(value), indent=column + 2)
                line = f"{prefix}{key}: {scalar}".replace("\n", story.newline) + story.newline
                edits.append((first, end, [line]))
        elif value is not None:
            scalar = yaml_scalar(str(value), indent=span.key_col + 2)
            pad = " " * span.key_col
            appended.append(f"{pad}{key}: {scalar}".replace("\n", story.newline) + story.newline)
    if appended:
        at = span.end
        if not lines[at - 1].endswith("\n"):
            lines[at - 1] += story.newline
        edits.append((at, at, appended))
    for first, end, replacement in sorted(edits, key=lambda edit: edit[0], reverse=True):
        lines[first:end] = replacement
    return "".join(lines)


__all__ = [
    "EditResult",
    "ItemSpan",
    "StoryText",
    "delete_item",
    "insert_items",
    "move_item",
    "replace_item",
    "restore_item",
    "update_item",
]
