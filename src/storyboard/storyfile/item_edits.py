"""Edit the items a story file already has, in place: move, delete, restore, replace, update.

Each edit works on the file's text as item spans (``story_text``): it cuts, pastes or
rewrites only the lines of the item it changes, checks the result, and returns with
it the edit that takes it back (a delete's undo restores the item's exact lines).
New items go in through ``insert``, as ``add`` puts them in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ruamel.yaml.nodes import MappingNode

from storyboard.errors import StoryError, UsageError
from storyboard.model.story import ITEM_KINDS, Item, UrlItem
from storyboard.storyfile.insert import insert_lines
from storyboard.storyfile.loader import parse_story
from storyboard.storyfile.story_text import KEY_ORDER, EditResult, ItemSpan, StoryText, is_blank

# -- the operations -----------------------------------------------------------------------


def move_item(text: str, *, path: str, index: int, to: int) -> EditResult:
    """Move item ``index`` so that it becomes item ``to`` (both 0-based)."""
    story = StoryText(text, path=path)
    items = story.items
    span = story.span(index)
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
        story.check(new_text, expected, "moving this item"),
        {"op": "move", "index": to, "to": index},
    )


def delete_item(text: str, *, path: str, index: int, count: int = 1) -> EditResult:
    """Delete ``count`` items from ``index``; the undo puts their exact lines back."""
    story = StoryText(text, path=path)
    if count < 1:
        raise UsageError("count: at least 1")
    first, last = story.span(index), story.span(index + count - 1)
    chunk = story.chunk(index, count)
    lines = story.lines[: first.start] + story.lines[last.end :]
    new_text = "".join(lines)
    expected = story.items[:index] + story.items[index + count :]
    if not expected:
        # The last item: leave a valid empty list behind rather than "items:" with nothing.
        new_text = _emptied(story, lines)
    undo: dict[str, Any] = {"op": "restore", "index": index, "chunk": chunk}
    if count > 1:
        undo["count"] = count
    doing = "deleting this item" if count == 1 else "deleting these items"
    return EditResult(story.check(new_text, expected, doing), undo)


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


def restore_item(text: str, *, path: str, index: int, chunk: str, count: int = 1) -> EditResult:
    """Put ``count`` items' lines (as ``delete_item`` or ``replace_item`` gave them) back."""
    story = StoryText(text, path=path)
    parsed = _parse_chunk(chunk, story, count)
    expected = story.items
    if not 0 <= index <= len(expected):
        raise UsageError(f"position {index + 1} is outside the story")
    expected[index:index] = parsed
    chunk = chunk.replace("\r\n", "\n").replace("\n", story.newline)
    new_text = insert_lines(story, index, chunk)
    undo: dict[str, Any] = {"op": "delete", "index": index}
    if count > 1:
        undo["count"] = count
    return EditResult(story.check(new_text, expected, "restoring this item"), undo)


def _parse_chunk(chunk: str, story: StoryText, count: int = 1) -> list[Item]:
    """Return the ``count`` items ``chunk`` writes (checked, so a restore adds nothing else)."""
    probe = "title: probe\nitems:\n" + chunk.replace("\r\n", "\n")
    if not probe.endswith("\n"):
        probe += "\n"
    try:
        items = parse_story(probe, path=story.path).story.items
    except StoryError as exc:
        raise UsageError(
            f"{story.path}: the item to restore is not valid: {exc.problems[0]}"
        ) from exc
    if len(items) != count:
        wanted = "exactly one item" if count == 1 else f"exactly {count} items"
        raise UsageError(f"{story.path}: restoring takes {wanted}")
    return list(items)


def replace_item(text: str, *, path: str, index: int, chunk: str) -> EditResult:
    """Replace item ``index``'s lines by ``chunk`` (one item's lines): undoes an update."""
    story = StoryText(text, path=path)
    span = story.span(index)
    (parsed,) = _parse_chunk(chunk, story)
    chunk = chunk.replace("\r\n", "\n").replace("\n", story.newline)
    lines = story.lines[: span.start] + story.lines[span.end :]
    new_text = story.with_chunk_at(span.start, chunk, lines)
    expected = story.items
    expected[index] = parsed
    return EditResult(
        story.check(new_text, expected, "changing this item"),
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
    span = story.span(index)
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
        if key not in KEY_ORDER or (key != kind and key in ITEM_KINDS):
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
        story.check(new_text, expected, "changing this item"),
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
            while end > first + 1 and is_blank(lines[end - 1]):
                end -= 1
            if value is None:
                edits.append((first, end, []))
            else:
                column = key_node.start_mark.column
                prefix = lines[first][:column]
                edits.append(
                    (first, end, [story.key_line(key, str(value), prefix=prefix, column=column)])
                )
        elif value is not None:
            pad = " " * span.key_col
            appended.append(story.key_line(key, str(value), prefix=pad, column=span.key_col))
    if appended:
        at = span.end
        if not lines[at - 1].endswith("\n"):
            lines[at - 1] += story.newline
        edits.append((at, at, appended))
    for first, end, replacement in sorted(edits, key=lambda edit: edit[0], reverse=True):
        lines[first:end] = replacement
    return "".join(lines)


__all__ = [
    "delete_item",
    "move_item",
    "replace_item",
    "restore_item",
    "update_item",
]
