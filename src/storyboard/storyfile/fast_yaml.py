"""Read a plain story's YAML through libyaml (PyYAML's C parser), with positions.

ruamel's pure-Python round-trip parser costs about half a millisecond an item; libyaml
parses the same text in a small fraction of that. This loader builds what the
round-trip loader builds for a story (``CommentedMap`` and ``CommentedSeq`` with the
0-based line and column of every key, value and item in ``lc``, scalars converted as
ruamel converts them) from libyaml's events, under the same ``EventScan``'s verdict
(see ``_Builder``).

It only takes the plain case. Anything it is not sure to build exactly as ruamel would
(anchors, aliases, tags, merge keys, keys that are not scalars, a syntax error, any
problem the scan reports) makes it answer ``None``: the caller then loads the text with
the round-trip loader, whose messages (``file:line:col``) are the ones users see.

Given an ``items`` sink, the story's items (the top-level ``items:`` list) are not built
into the document at all: each item, a mapping of scalars, is handed to the sink as a
plain ``dict`` with its 1-based line as soon as it is read, and dropped. A story of
thousands of items is then never in memory as a tree of positioned mappings, only as
the models the sink makes. The sink refuses (``False``) whatever it is not sure to
check as the round-trip path would; anything else in an item (a nested value, an
anchor) is refused here. The document then holds ``STREAMED_ITEMS`` for ``items``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.nodes import ScalarNode as _ScalarNode

from storyboard.storyfile.safe_yaml import MAX_DEPTH, EventScan, ScanStoppedError, story_yaml

try:  # PyYAML built without libyaml (or missing): every story takes the round-trip path
    from yaml import YAMLError as _CYAMLError
    from yaml.cyaml import CParser as _CParser
    from yaml.events import MappingEndEvent as _MappingEnd
    from yaml.events import MappingStartEvent as _MappingStart
    from yaml.events import ScalarEvent as _Scalar
    from yaml.events import SequenceEndEvent as _SequenceEnd
    from yaml.events import SequenceStartEvent as _SequenceStart
except ImportError:  # pragma: no cover - depends on how PyYAML was installed
    _CParser = None

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


#: Takes one item (its keys and scalar values) and its 1-based line; False: not plain.
ItemSink = Callable[[dict[str, Any], int], bool]

#: What the document holds for ``items`` when they went to a sink.
STREAMED_ITEMS = CommentedSeq()


class _NotPlainError(Exception):
    """The document uses something this loader leaves to the round-trip loader."""


def available() -> bool:
    """Tell whether libyaml is there to read stories with."""
    return _CParser is not None


def load_plain_yaml(text: str, path: str, items: ItemSink | None = None) -> Any | None:
    """Return the document as the round-trip loader would, or None to leave it to that.

    ``items``: where the top-level ``items`` go, one by one (see the module's docstring).
    """
    if _CParser is None:
        return None
    scan = EventScan(path)
    parser = _CParser(text)
    try:
        builder = _Builder(parser, scan, items)
        document = builder.document()
    except (_CYAMLError, _NotPlainError, ScanStoppedError, ValueError):
        return None
    finally:
        parser.dispose()
    return None if scan.problems else document


class _Builder:
    """Build the document from libyaml's events, each checked as the scan would first.

    The scan sees the stream's and document's events itself. Inside the document this
    builder refuses, before building it, every event on which the scan could report
    a problem (an anchor, an alias, a tag, a key seen before in its mapping, nesting
    deeper than ``MAX_DEPTH``): the text then goes to the round-trip loader, whose scan
    words the problem. What the scan would count (values behind aliases) needs an
    alias. So the scan's verdict is the same without showing it each of the some
    five events an item has, a fifth of the load.
    """

    def __init__(self, parser: Any, scan: EventScan, items: ItemSink | None = None) -> None:
        self.parser = parser
        self.scan = scan
        self.items = items
        loader = story_yaml()
        self.constructor = loader.constructor
        # ruamel's implicit types by first character, for the YAML version a story is read
        # as. Its resolver looks the table up again for every scalar (a tenth of the load).
        implicit = loader.resolver.versioned_resolver
        self.implicit: dict[str, list[tuple[str, Any]]] = implicit
        self.implicit_any: list[tuple[str, Any]] = implicit.get(None, [])
        self.depth = 0  # collections open
        self.pending: Any = None

    def scanned_event(self) -> Any:
        event = self.next_event()
        self.scan.watch(event)
        return event

    def document(self) -> Any:
        kinds = [type(self.scanned_event()).__name__ for _ in range(2)]
        if kinds != ["StreamStartEvent", "DocumentStartEvent"]:
            return None if kinds == ["StreamStartEvent", "StreamEndEvent"] else _refuse()
        root = self.node(self.next_event())
        if type(self.scanned_event()).__name__ != "DocumentEndEvent":
            _refuse()
        if type(self.scanned_event()).__name__ != "StreamEndEvent":
            _refuse()  # a second document: the scan words the problem
        return root

    def node(self, event: Any) -> Any:
        kind = type(event)
        if kind is _Scalar:
            return self.scalar(event)
        if getattr(event, "anchor", None) is not None or getattr(event, "tag", None) is not None:
            _refuse()  # an alias (its anchor is set), an anchor or a tag
        if kind is _MappingStart:
            return self.mapping(event)
        if kind is _SequenceStart:
            return self.sequence(event)
        return _refuse()

    def scalar(self, event: Any) -> Any:
        value: str = event.value
        if event.tag is not None or event.anchor is not None:
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

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            _refuse()  # the scan says how deep is too deep

    def next_event(self) -> Any:
        if self.pending is not None:
            event, self.pending = self.pending, None
            return event
        return self.parser.get_event()

    def peek_event(self) -> Any:
        if self.pending is None:
            self.pending = self.parser.get_event()
        return self.pending

    def mapping(self, start: Any) -> CommentedMap:
        self.enter()
        mapping = CommentedMap()
        mapping._yaml_set_line_col(start.start_mark.line, start.start_mark.column)
        texts: set[str] = set()  # the keys as written: the scan finds duplicates by these
        while True:
            key_event = self.next_event()
            if type(key_event) is _MappingEnd:
                self.depth -= 1
                return mapping
            if type(key_event) is not _Scalar:
                _refuse()  # a mapping or sequence as a key
            key = self.scalar(key_event)
            if key == "<<" or key in mapping or key_event.value in texts:
                _refuse()  # a merge, or a duplicate the scan reports
            texts.add(key_event.value)
            value_event = self.next_event()
            if self.items is not None and self.depth == 1 and key == "items":
                mapping[key] = self.streamed_items(value_event)
            else:
                mapping[key] = self.node(value_event)
            key_mark, value_mark = key_event.start_mark, value_event.start_mark
            if _is_empty(value_event):
                value_mark = self.peek_event().start_mark  # ruamel: where the next token starts
            mapping._yaml_set_kv_line_col(
                key, [key_mark.line, key_mark.column, value_mark.line, value_mark.column]
            )

    def sequence(self, start: Any) -> CommentedSeq:
        self.enter()
        sequence = CommentedSeq()
        sequence._yaml_set_line_col(start.start_mark.line, start.start_mark.column)
        while True:
            event = self.next_event()
            if type(event) is _SequenceEnd:
                self.depth -= 1
                return sequence
            sequence._yaml_set_idx_line_col(
                len(sequence), [event.start_mark.line, event.start_mark.column]
            )
            sequence.append(self.node(event))

    def streamed_items(self, start: Any) -> Any:
        """Hand each item of the story's ``items`` list to the sink; return the marker."""
        assert self.items is not None
        if type(start) is not _SequenceStart:
            return self.node(start)  # not a list: the checker says what it should be
        if start.anchor is not None or start.tag is not None:
            _refuse()
        self.enter()
        while True:
            event = self.next_event()
            if type(event) is _SequenceEnd:
                self.depth -= 1
                return STREAMED_ITEMS
            if type(event) is not _MappingStart or event.anchor or event.tag:
                _refuse()  # an empty item, a bare text, an alias: the checker words it
            if not self.items(self.plain_item(), event.start_mark.line + 1):
                _refuse()

    def plain_item(self) -> dict[str, Any]:
        """Read one item's mapping of scalars (its start already read) as a plain dict."""
        self.enter()
        item: dict[str, Any] = {}
        while True:
            key_event = self.next_event()
            if type(key_event) is _MappingEnd:
                self.depth -= 1
                return item
            value_event = self.next_event()
            if type(key_event) is not _Scalar or type(value_event) is not _Scalar:
                _refuse()  # a nested value: the round-trip path checks it with positions
            key = self.scalar(key_event)
            if not isinstance(key, str) or key == "<<" or key in item:
                _refuse()
            item[key] = self.scalar(value_event)


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
