"""Read a plain story's YAML through libyaml (PyYAML's C parser), with positions.

ruamel's pure-Python round-trip parser costs about half a millisecond an item; libyaml
parses the same text in a small fraction of that. This loader builds what the
round-trip loader builds for a story (``CommentedMap`` and ``CommentedSeq`` with the
0-based line and column of every key, value and item in ``lc``, scalars converted as
ruamel converts them) from libyaml's events, after showing each event to the same
``EventScan``.

It only takes the plain case. Anything it is not sure to build exactly as ruamel would
(anchors, aliases, tags, merge keys, keys that are not scalars, a syntax error, any
problem the scan reports) makes it answer ``None``: the caller then loads the text with
the round-trip loader, whose messages (``file:line:col``) are the ones users see.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.nodes import ScalarNode as _ScalarNode

from storyboard.storyfile.safe_yaml import EventScan, ScanStoppedError, story_yaml

try:  # PyYAML built without libyaml (or missing): every story takes the round-trip path
    from yaml import YAMLError as _CYAMLError
    from yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - depends on how PyYAML was installed
    _CParser = None

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _NotPlainError(Exception):
    """The document uses something this loader leaves to the round-trip loader."""


def available() -> bool:
    """Tell whether libyaml is there to read stories with."""
    return _CParser is not None


def load_plain_yaml(text: str, path: str) -> Any | None:
    """Return the document as the round-trip loader would, or None to leave it to that."""
    if _CParser is None:
        return None
    scan = EventScan(path)
    parser = _CParser(text)
    try:
        builder = _Builder(parser, scan)
        document = builder.document()
    except (_CYAMLError, _NotPlainError, ScanStoppedError, ValueError):
        return None
    finally:
        parser.dispose()
    return None if scan.problems else document


class _Builder:
    """Build the document from libyaml's events, each checked by the scan first."""

    def __init__(self, parser: Any, scan: EventScan) -> None:
        self.parser = parser
        self.scan = scan
        loader = story_yaml()
        self.constructor = loader.constructor
        # ruamel's implicit types by first character, for the YAML version a story is read
        # as. Its resolver looks the table up again for every scalar (a tenth of the load).
        implicit = loader.resolver.versioned_resolver
        self.implicit: dict[str, list[tuple[str, Any]]] = implicit
        self.implicit_any: list[tuple[str, Any]] = implicit.get(None, [])
        self.pending: Any = None

    def next_event(self) -> Any:
        if self.pending is not None:
            event, self.pending = self.pending, None
            return event
        event = self.parser.get_event()
        self.scan.watch(event)
        return event

    def peek_event(self) -> Any:
        if self.pending is None:
            self.pending = self.next_event()
        return self.pending

    def document(self) -> Any:
        kinds = [type(self.next_event()).__name__ for _ in range(2)]
        if kinds != ["StreamStartEvent", "DocumentStartEvent"]:
            return None if kinds == ["StreamStartEvent", "StreamEndEvent"] else _refuse()
        root = self.node(self.next_event())
        if type(self.next_event()).__name__ != "DocumentEndEvent":
            _refuse()
        if type(self.next_event()).__name__ != "StreamEndEvent":
            _refuse()  # a second document: the scan words the problem
        return root

    def node(self, event: Any) -> Any:
        kind = type(event).__name__
        if kind == "AliasEvent" or getattr(event, "anchor", None) is not None:
            _refuse()
        if kind == "ScalarEvent":
            return self.scalar(event)
        if event.tag is not None:
            _refuse()
        if kind == "MappingStartEvent":
            return self.mapping(event)
        if kind == "SequenceStartEvent":
            return self.sequence(event)
        return _refuse()

    def scalar(self, event: Any) -> Any:
        value: str = event.value
        if event.tag is not None:
            _refuse()  # ``!!str`` too: ruamel keeps it as a tagged scalar
        if not event.implicit[0]:  # quoted or a block scalar: text
            return value
        tag = self.resolve(value)
        if tag in (_STR, _TIMESTAMP):  # dates stay text: the checker parses them itself
            return value
        if tag == _NULL:
            return None
        node = _ScalarNode(tag, value, event.start_mark, event.end_mark)
        return self.constructor.construct_object(node)  # numbers and booleans as ruamel reads them

    def resolve(self, value: str) -> str:
        """Return a plain scalar's tag as ruamel's ``resolve`` does (first pattern that fits)."""
        for tag, pattern in (*self.implicit.get(value[:1], ()), *self.implicit_any):
            if pattern.match(value):
                return str(tag)
        return _STR

    def mapping(self, start: Any) -> CommentedMap:
        mapping = CommentedMap()
        mapping._yaml_set_line_col(start.start_mark.line, start.start_mark.column)
        while True:
            key_event = self.next_event()
            if type(key_event).__name__ == "MappingEndEvent":
                return mapping
            if type(key_event).__name__ != "ScalarEvent":
                _refuse()  # a mapping or sequence as a key
            key = self.node(key_event)
            if key == "<<" or key in mapping:
                _refuse()  # a merge, or a duplicate the scan reports
            value_event = self.next_event()
            mapping[key] = self.node(value_event)
            key_mark, value_mark = key_event.start_mark, value_event.start_mark
            if _is_empty(value_event):
                value_mark = self.peek_event().start_mark  # ruamel: where the next token starts
            mapping._yaml_set_kv_line_col(
                key, [key_mark.line, key_mark.column, value_mark.line, value_mark.column]
            )

    def sequence(self, start: Any) -> CommentedSeq:
        sequence = CommentedSeq()
        sequence._yaml_set_line_col(start.start_mark.line, start.start_mark.column)
        while True:
            event = self.next_event()
            if type(event).__name__ == "SequenceEndEvent":
                return sequence
            sequence._yaml_set_idx_line_col(
                len(sequence), [event.start_mark.line, event.start_mark.column]
            )
            sequence.append(self.node(event))


def _is_empty(event: Any) -> bool:
    """Tell whether an event is a value left out (``note:``), not an empty ``''``."""
    return (
        type(event).__name__ == "ScalarEvent"
        and event.value == ""
        and event.implicit[0]
        and event.start_mark.index == event.end_mark.index
    )


def _refuse() -> Any:
    raise _NotPlainError
