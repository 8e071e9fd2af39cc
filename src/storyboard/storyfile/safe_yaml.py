"""Read a story's YAML safely: every parser event is checked before anything is built.

ruamel's round-trip loader keeps the position of every key and item and never builds
Python objects from tags. Each parser event is checked before anything is built from
it, to reject what a story never needs and an attacker might send: tags other than
``!!str``, more than ``MAX_ALIASES`` aliases or aliases that expand past
``MAX_ALIAS_EXPANSION`` values (billion laughs), recursive or undefined aliases,
nesting deeper than ``MAX_DEPTH``, and more than one document. Duplicate keys are
reported too, without stopping the other checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.parser import RoundTripParser
from ruamel.yaml.reader import ReaderError

from storyboard.errors import Problem, StoryError
from storyboard.storyfile.positions import by_position, text_position

MAX_ALIASES = 100
#: How many values aliases may add to the document once expanded.
MAX_ALIAS_EXPANSION = 10_000
MAX_DEPTH = 50

#: The only explicit tag a story may use: ``!!str 2017`` forces text.
_STR_TAG = "tag:yaml.org,2002:str"
_SYNTAX_HINTS = {
    "found character '\\t' that cannot start any token": "indent with spaces, not tabs",
    "mapping values are not allowed here": "put text that contains ': ' in quotes",
}


def story_yaml() -> YAML:
    """Return ruamel's round-trip loader as a story is read with it."""
    yaml = YAML(typ="rt", pure=True)
    yaml.Parser = _CheckingParser
    yaml.Constructor = _StoryConstructor
    yaml.allow_duplicate_keys = True  # the scan reports each one, with its line
    return yaml


def load_yaml(text: str, scan: EventScan) -> Any:
    """Load one YAML document with positions, checking each event as it is parsed."""
    yaml = story_yaml()
    yaml.parser.scan = scan
    try:
        return yaml.load(text)
    except ScanStoppedError as exc:
        raise StoryError(by_position(scan.problems)) from exc
    except MarkedYAMLError as exc:
        raise StoryError([_syntax_problem(exc, scan.path, text.splitlines())]) from exc
    except ReaderError as exc:
        line, column = text_position(text, exc.position)
        message = f"character U+{exc.character:04X} is not allowed in YAML"
        raise StoryError([Problem(scan.path, line, column, "", message)]) from exc
    except (YAMLError, ValueError) as exc:  # e.g. an integer too long to convert
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid YAML"
        message = f"cannot read a value: {detail}"
        raise StoryError([Problem(scan.path, None, None, "", message)]) from exc


class ScanStoppedError(Exception):
    """Stop loading: the scan found something that must not be built (see its problems)."""


class _CheckingParser(RoundTripParser):
    """The round-trip parser, showing each event to an ``EventScan`` as it is made.

    The scan sees an event before the composer does, so a tag or an alias bomb stops the
    load before anything is built from it, and the text is parsed only once.
    """

    scan: EventScan | None = None

    def _produce(self) -> None:
        if self.current_event is None and self.state:
            self.current_event = self.state()
            if self.current_event is not None and self.scan is not None:
                self.scan.watch(self.current_event)

    def check_event(self, *choices: Any) -> bool:
        """Tell whether the next event is one of ``choices``."""
        self._produce()
        return bool(super().check_event(*choices))

    def peek_event(self) -> Any:
        """Return the next event without consuming it."""
        self._produce()
        return super().peek_event()

    def get_event(self) -> Any:
        """Return the next event and move on."""
        self._produce()
        return super().get_event()


class _StoryConstructor(RoundTripConstructor):
    """The round-trip constructor, but dates stay text: the checker parses them itself."""

    def construct_timestamp_text(self, node: Any) -> Any:
        """Return a date-like scalar as written (ruamel raises on 2017-02-30)."""
        return self.construct_scalar(node)


_StoryConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", _StoryConstructor.construct_timestamp_text
)


_EVENT_KINDS = {
    "DocumentStartEvent": "document",
    "AliasEvent": "alias",
    "ScalarEvent": "node",
    "MappingStartEvent": "node",
    "SequenceStartEvent": "node",
    "MappingEndEvent": "end",
    "SequenceEndEvent": "end",
}


def _is_scalar(event: Any) -> bool:
    return type(event).__name__ == "ScalarEvent"


@dataclass
class _Frame:
    """An open sequence or mapping while scanning events."""

    anchor: str | None
    is_mapping: bool
    size: int = 1  # values in this node, aliases expanded
    expect_key: bool = True
    keys: dict[str, int] = field(default_factory=dict)  # key text -> its 1-based line


def _syntax_problem(exc: MarkedYAMLError, path: str, lines: list[str]) -> Problem:
    """Turn a ruamel syntax error into one short located problem, in plain words."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    indentation = _indentation_problem(exc, lines)
    if indentation is not None:
        return Problem(path, line, column, "", f"indentation: {indentation}")
    message = str(exc.problem or exc.context or "invalid YAML").strip()
    if message in _SYNTAX_HINTS:
        message += f" ({_SYNTAX_HINTS[message]})"
    context = exc.context_mark
    if exc.problem and exc.context and context is not None and context.line != mark.line:
        message += f", {exc.context} that starts on line {context.line + 1}"
    return Problem(path, line, column, "", f"YAML syntax: {message}")


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _indentation_problem(exc: MarkedYAMLError, lines: list[str]) -> str | None:
    """Say what is wrong when the parser's complaint is a line out of alignment, else None.

    The parser says "expected <block end>, but found '?'" for a key or a '- ' in the
    wrong column, and "mapping values are not allowed here" for a key indented under
    the value of the line above.
    """
    problem = str(exc.problem or "")
    mark, context = exc.problem_mark, exc.context_mark
    if mark is None:
        return None
    if problem.startswith("expected <block end>, but found") and context is not None:
        found = problem.rpartition("found ")[2].strip("'")
        start = f"line {context.line + 1}"
        in_list = "collection" in str(exc.context or "")
        if found in ("<block sequence start>", "-"):
            which = f"the list that starts on {start}" if in_list else "a list"
            return (
                f"this '- ' is not lined up with the items above it; every '- ' of "
                f"{which} goes in the same column"
            )
        if in_list:
            return (
                "this line is not lined up with the item above it; an item's keys go "
                "in one column, under its first key (the one after '- '), and the next "
                "item starts with '- ' under the other dashes"
            )
        return (
            f"this key is not lined up with the keys above it; the keys of the mapping "
            f"that starts on {start} go in column {context.column + 1}, indented with "
            "spaces (an item's keys go under its first key, the one after '- ')"
        )
    if problem == "mapping values are not allowed here" and mark.line < len(lines):
        text = lines[mark.line]
        before = text[: mark.column]
        above = next((t for t in reversed(lines[: mark.line]) if t.strip()), None)
        key_alone = before.strip() and all(c.isalnum() or c in "_-" for c in before.strip())
        if key_alone and above is not None and _indent(text) > _indent(above):
            return (
                "this key is indented more than the line above it, so YAML reads it as "
                "part of that value; line it up with the keys above (if it is text "
                "containing ': ', put it in quotes)"
            )
    return None


class EventScan:
    """Check a document's parser events before anything is built from them."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.fatal = False
        self.stack: list[_Frame] = []
        self.sizes: dict[str, int] = {}  # anchor -> values in its node, aliases expanded
        self.anchor_lines: dict[str, int] = {}
        self.aliases = 0
        self.expansion = 0
        self.documents = 0

    def watch(self, event: Any) -> None:
        """Check one event; raise ``ScanStoppedError`` if the document must not be loaded."""
        self._event(event)
        if self.fatal:
            raise ScanStoppedError

    def _fail(self, event: Any, message: str, *, fatal: bool = True) -> None:
        mark = event.start_mark
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, "", message))
        self.fatal = self.fatal or fatal

    def _event(self, event: Any) -> None:
        # By class name: ruamel's events and PyYAML's (``fast_yaml``) have the same names
        # and fields, so one scan checks both parsers.
        kind = _EVENT_KINDS.get(type(event).__name__)
        if kind == "document":
            self._document(event)
        elif kind == "alias":
            self._child(event)
            self._alias(event)
        elif kind == "node":
            self._child(event)
            self._node(event)
        elif kind == "end":
            self._end()

    def _document(self, event: Any) -> None:
        self.documents += 1
        if self.documents > 1:
            self._fail(event, "a story file holds one YAML document; remove the second one")
        if event.version is not None and tuple(event.version) != (1, 2):
            version = ".".join(str(part) for part in event.version)
            self._fail(event, f"YAML {version} is not supported; remove the %YAML line")

    def _child(self, event: Any) -> None:
        """Account for a node inside the open collection; catch duplicate keys."""
        if not self.stack:
            return
        parent = self.stack[-1]
        if not parent.is_mapping:
            return
        is_key, parent.expect_key = parent.expect_key, not parent.expect_key
        if is_key and _is_scalar(event) and event.value != "<<":
            first = parent.keys.get(event.value)
            if first is None:
                parent.keys[event.value] = event.start_mark.line + 1
            else:
                message = f"duplicate key '{event.value}' (first on line {first})"
                self._fail(event, message, fatal=False)

    def _node(self, event: Any) -> None:
        tag = event.tag
        if tag is not None and not (tag == _STR_TAG and _is_scalar(event)):
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            self._fail(event, f"YAML tag {shown} is not allowed in a story file")
        anchor = event.anchor
        if anchor is not None:
            first = self.anchor_lines.get(anchor)
            if first is None:
                self.anchor_lines[anchor] = event.start_mark.line + 1
            else:
                self._fail(event, f"anchor &{anchor} is defined twice (first on line {first})")
        if _is_scalar(event):
            if anchor is not None:
                self.sizes[anchor] = 1
            self._add(1)
            return
        if len(self.stack) >= MAX_DEPTH:
            self._fail(event, f"the YAML is nested more than {MAX_DEPTH} levels deep")
            return
        self.stack.append(_Frame(anchor, type(event).__name__ == "MappingStartEvent"))

    def _end(self) -> None:
        if not self.stack:
            return
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.sizes[frame.anchor] = frame.size
        self._add(frame.size)

    def _alias(self, event: Any) -> None:
        self.aliases += 1
        name = event.anchor
        if self.aliases > MAX_ALIASES:
            self._fail(event, f"more than {MAX_ALIASES} YAML aliases; a story needs few or none")
        elif any(frame.anchor == name for frame in self.stack):
            self._fail(event, f"alias *{name} is inside its own anchor (a loop)")
        elif name not in self.sizes:
            self._fail(event, f"alias *{name} has no anchor &{name} before it")
        else:
            size = self.sizes[name]
            self.expansion += size
            if self.expansion > MAX_ALIAS_EXPANSION:
                limit = f"{MAX_ALIAS_EXPANSION:,}"
                self._fail(event, f"aliases expand to more than {limit} values; use fewer")
            self._add(size)

    def _add(self, size: int) -> None:
        if self.stack:
            self.stack[-1].size += size
