"""A story file's text as whole lines, each item a span of them: what in-place edits work on.

Adding, moving, deleting and rewriting items never re-dump the document: each item is
a span of whole lines (its dash line to its last value, with the blank and comment
lines above it and the comments indented into it below), and an edit only cuts,
pastes or rewrites the lines of the items it changes. Everything else (comments, blank
lines, quoting, key order, line endings) stays byte for byte. Each result is loaded
again and compared with the story the edit meant to make (``StoryText.check``); an
edit that would come out any other way is refused, so a file laid out in a way this
module does not foresee is never damaged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from storyboard.errors import StoryError, UsageError
from storyboard.model.story import Item
from storyboard.storyfile.loader import LoadedStory, parse_story
from storyboard.storyfile.yaml_text import yaml_scalar

#: The keys an item may have, in the order a new or rewritten item lists them.
KEY_ORDER = ("heading", "text", "url", "note", "title", "embed")
#: What a refusal tells the curator to do instead, unless the edit names its own.
EDIT_BY_HAND = "edit the file by hand"


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


def is_comment(line: str) -> bool:
    """Tell whether a line holds only a comment."""
    return line.lstrip().startswith("#")


def is_blank(line: str) -> bool:
    """Tell whether a line holds only white space."""
    return not line.strip()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class StoryText:
    """A valid story's text, split in lines, with the span of each of its items.

    ``advice`` ends every refusal: what the curator can do instead of this edit.
    """

    def __init__(self, text: str, *, path: str, advice: str = EDIT_BY_HAND) -> None:
        self.text = text
        self.path = path
        self.advice = advice
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

    def refuse(self, problem: str, line: int | None = None) -> UsageError:
        """Return the error for an edit this file cannot take, with what to do instead."""
        where = f"{self.path}:{line + 1}" if line is not None else self.path
        return UsageError(f"{where}: {problem}; {self.advice}")

    # -- spans ------------------------------------------------------------------------

    def _spans(self) -> list[ItemSpan]:
        node = self.items_node
        if node is None or not node.value:
            return []
        if node.flow_style:
            raise self.refuse("'items' is written as one [...] list")
        spans: list[ItemSpan] = []
        floor = (self.items_key_line or 0) + 1  # comments above this belong to no item
        for item in node.value:
            dash, dash_col = self._dash(item)
            end = self._end(item, dash_col)
            start = dash
            # The blank lines and comments above an item go with it: a moved item keeps
            # its comment, and a move and its undo give back the file byte for byte.
            while start > floor and (
                is_comment(self.lines[start - 1]) or is_blank(self.lines[start - 1])
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
            if is_blank(text) or is_comment(text):
                continue
            content = text.split("#", 1)[0].rstrip()
            if content.strip() == "-":
                return earlier, len(content) - 1
            break
        raise self.refuse("cannot find where this item starts", line)

    def _end(self, item: Node, dash_col: int) -> int:
        """Return one past the item's last line: its last value, and comments indented into it.

        Blank lines after it are left out; a comment indented past the item's dash
        after its last value still belongs to the item (it says something about it).
        """
        mark = item.end_mark
        if isinstance(item, MappingNode) and not item.flow_style and item.value:
            mark = item.value[-1][1].end_mark
        end = int(mark.line if mark.column == 0 else mark.line + 1)
        while end > item.start_mark.line + 1 and is_blank(self.lines[end - 1]):
            end -= 1
        after = end
        while after < len(self.lines) and (
            is_blank(self.lines[after])
            or (is_comment(self.lines[after]) and _indent(self.lines[after]) > dash_col)
        ):
            after += 1
            if not is_blank(self.lines[after - 1]):
                end = after
        return end

    def span(self, index: int) -> ItemSpan:
        """Return the span of item ``index``; refuse an index the story does not have."""
        if not 0 <= index < len(self.spans):
            raise UsageError(f"there is no item {index + 1} (the story has {len(self.spans)})")
        return self.spans[index]

    def chunk(self, index: int, count: int = 1) -> str:
        """Return the text of ``count`` items from ``index``: their lines, comments included."""
        first, last = self.span(index), self.span(index + count - 1)
        return self.ended("".join(self.lines[first.start : last.end]))

    def ended(self, text: str) -> str:
        """Return ``text`` ending with a line break (the file's own), unless it is empty."""
        return text if text.endswith("\n") or not text else text + self.newline

    # -- building the new text --------------------------------------------------------

    def with_chunk_at(self, line: int, chunk: str, lines: list[str] | None = None) -> str:
        """Return the text with ``chunk`` (whole lines) inserted before ``line``."""
        lines = list(self.lines if lines is None else lines)
        if line > 0 and not lines[line - 1].endswith("\n"):
            lines[line - 1] += self.newline  # the file's last line had no line break
        return "".join(lines[:line]) + self.ended(chunk) + "".join(lines[line:])

    def key_line(self, key: str, value: str, *, prefix: str, column: int) -> str:
        """Return ``key: value`` as one line (or a block scalar), in the file's newlines."""
        scalar = yaml_scalar(value, indent=column + 2)
        return f"{prefix}{key}: {scalar}".replace("\n", self.newline) + self.newline

    def item_block(self, item: Item, *, dash_col: int, key_col: int) -> str:
        """Return ``item`` written in block style at the given columns."""
        fields: dict[str, Any] = item.model_dump(mode="json", exclude_none=True)
        keys = [key for key in KEY_ORDER if key in fields]
        dash = " " * dash_col + "-" + " " * (key_col - dash_col - 1)
        return "".join(
            self.key_line(
                key, str(fields[key]), prefix=dash if number == 0 else " " * key_col, column=key_col
            )
            for number, key in enumerate(keys)
        )

    def check(self, new_text: str, expected: Sequence[Item], doing: str) -> str:
        """Return ``new_text`` if it is this story with exactly ``expected`` items; else refuse.

        ``doing`` names the edit in the refusal ("adding the items", "moving this item").
        """
        try:
            after = parse_story(new_text, path=self.path).story
        except StoryError as exc:
            raise self.refuse(f"{doing} would break the file ({exc.problems[0]})") from exc
        rest_before = self.loaded.story.model_copy(update={"items": []})
        if after.model_copy(update={"items": []}) != rest_before or list(after.items) != list(
            expected
        ):
            raise self.refuse(
                f"the items are laid out in a way storyboard cannot change safely ({doing})"
            )
        return new_text


__all__ = [
    "EDIT_BY_HAND",
    "KEY_ORDER",
    "EditResult",
    "ItemSpan",
    "StoryText",
    "is_blank",
    "is_comment",
]
