"""Where things are in a loaded story: 1-based (line, column) of keys, values and items."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from storyboard.errors import Problem

Pos = tuple[int, int]


def text_position(text: str, index: int) -> Pos:
    """Return the line and column of the character at ``index`` of ``text``."""
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def own_pos(node: Any, default: Pos) -> Pos:
    """Return where a mapping or sequence starts."""
    if isinstance(node, CommentedMap | CommentedSeq) and node.lc.line is not None:
        return node.lc.line + 1, node.lc.col + 1
    return default


def _recorded(node: CommentedMap | CommentedSeq, key: Any, offset: int) -> Pos | None:
    """Read ruamel's 0-based position table; keys that came from a merge have no entry."""
    table = node.lc.data
    entry = table.get(key) if isinstance(table, dict) else None
    if entry is None or len(entry) < offset + 2:
        return None
    return entry[offset] + 1, entry[offset + 1] + 1


def key_pos(mapping: CommentedMap, key: Any) -> Pos:
    """Return where a key is written (a merged key: where its mapping starts)."""
    return _recorded(mapping, key, 0) or own_pos(mapping, (1, 1))


def value_pos(mapping: CommentedMap, key: Any) -> Pos:
    """Return where a key's value is written; for an empty value, where the key is."""
    found = _recorded(mapping, key, 2)
    where_key = key_pos(mapping, key)
    # ruamel puts a missing value at the next token, often on a later line
    if found is None or (mapping.get(key) is None and found[0] != where_key[0]):
        return where_key
    return found


def item_pos(sequence: CommentedSeq, index: int, default: Pos) -> Pos:
    return _recorded(sequence, index, 0) or default


def item_positions(sequence: CommentedSeq, default: Pos) -> list[Pos]:
    """Return ``item_pos`` of every item, reading the position table once."""
    table = sequence.lc.data
    entries = table if isinstance(table, dict) else {}
    return [
        (entry[0] + 1, entry[1] + 1) if entry is not None and len(entry) >= 2 else default
        for entry in (entries.get(index) for index in range(len(sequence)))
    ]


def locate(node: Any, loc: Sequence[int | str], start: Pos) -> Pos:
    """Follow a pydantic error location through the loaded YAML to a position."""
    pos = start
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            pos = value_pos(node, part)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            pos = item_pos(node, part, pos)
            node = node[part]
        else:
            break
    return pos


def by_position(problems: Iterable[Problem]) -> list[Problem]:
    """Return ``problems`` in the order they appear in the file."""
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))
