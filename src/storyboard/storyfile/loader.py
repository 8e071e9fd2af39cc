"""Load a story file: safe YAML in, a validated ``Story`` out, every problem located.

Each problem names the file, the 1-based line and column of the offending value (of
the key, for an unknown key), and the field path, as ``items[3].url`` (item indexes
count from 0). All problems are collected and raised together in one ``StoryError``.

The YAML is read with ruamel's round-trip loader, which keeps the position of every
key and item and never builds Python objects from tags. Each parser event is checked
before anything is built from it, to reject what a story never needs and an attacker
might send: tags other than ``!!str``, more than ``MAX_ALIASES`` aliases or aliases
that expand past ``MAX_ALIAS_EXPANSION`` values (billion laughs), recursive or
undefined aliases, nesting deeper than ``MAX_DEPTH``, and more than one document.
Duplicate keys are reported too, without stopping the other checks.

An empty value (``author:``) counts as not given, except for ``title`` and an item's
kind key. ``date`` is ISO text (``2017-01-13``, quoted or not). A URL that names the
same post as an earlier item (``urls.normalize_url``) is a warning, not an error.

``lang`` is a language tag whose primary subtag has UI strings
(``i18n.available_languages()``). It is matched case-insensitively and stored in
BCP 47 form: ``SV`` becomes ``sv``, ``sv_fi`` becomes ``sv-FI`` (the region is kept
for the page's ``lang`` attribute and for date formats).
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
)
from ruamel.yaml.parser import RoundTripParser
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarbool import ScalarBoolean

from storyboard.errors import Problem, StoryError
from storyboard.i18n import available_languages
from storyboard.model.story import ITEM_KINDS, Item, Story, StoryOptions, UrlItem
from storyboard.urls import check_http_url, normalize_url

MAX_STORY_BYTES = 5_000_000
MAX_ALIASES = 100
#: How many values aliases may add to the document once expanded.
MAX_ALIAS_EXPANSION = 10_000
MAX_DEPTH = 50

#: The only explicit tag a story may use: ``!!str 2017`` forces text.
_STR_TAG = "tag:yaml.org,2002:str"
_STORY_KEYS = list(Story.model_fields)
_OPTION_KEYS = list(StoryOptions.model_fields)
_ITEM_KEYS = list(dict.fromkeys(key for model in ITEM_KINDS.values() for key in model.model_fields))
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LANG_RE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_SYNTAX_HINTS = {
    "found character '\\t' that cannot start any token": "indent with spaces, not tabs",
    "mapping values are not allowed here": "put text that contains ': ' in quotes",
}

Pos = tuple[int, int]
_Model = TypeVar("_Model", bound=BaseModel)


@dataclass(frozen=True)
class LoadedStory:
    """A valid story with its warnings and the line of each item."""

    story: Story
    warnings: list[Problem]
    item_lines: list[int]  # 1-based line of each item in story.items


def load_story(path: Path) -> LoadedStory:
    """Read and validate a story file; raise ``StoryError`` with every problem."""
    where = str(path)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_STORY_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise StoryError([Problem(where, None, None, "", f"cannot read: {reason}")]) from exc
    if len(data) > MAX_STORY_BYTES:
        raise StoryError([_too_large(where)])
    return parse_story(_decode(data, where), path=where)


def parse_story(text: str, *, path: str) -> LoadedStory:
    """Validate story text; ``path`` names the file in problems."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_STORY_BYTES:
        raise StoryError([_too_large(path)])
    scan = _EventScan(path)
    document = _load_yaml(text, scan)
    checker = _StoryChecker(path, scan.problems, text.splitlines())
    loaded = checker.check(document)
    errors = [problem for problem in checker.problems if problem.severity == "error"]
    if loaded is None or errors:
        raise StoryError(_sorted(errors))  # warnings wait until the errors are fixed
    return loaded


def _load_yaml(text: str, scan: _EventScan) -> Any:
    """Load one YAML document with positions, checking each event as it is parsed."""
    yaml = YAML(typ="rt", pure=True)
    yaml.Parser = _CheckingParser
    yaml.Constructor = _StoryConstructor
    yaml.allow_duplicate_keys = True  # the scan reports each one, with its line
    yaml.parser.scan = scan
    try:
        return yaml.load(text)
    except _FatalScanError as exc:
        raise StoryError(_sorted(scan.problems)) from exc
    except MarkedYAMLError as exc:
        raise StoryError([_syntax_problem(exc, scan.path)]) from exc
    except ReaderError as exc:
        line, column = _text_position(text, exc.position)
        message = f"character U+{exc.character:04X} is not allowed in YAML"
        raise StoryError([Problem(scan.path, line, column, "", message)]) from exc
    except (YAMLError, ValueError) as exc:  # e.g. an integer too long to convert
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid YAML"
        message = f"cannot read a value: {detail}"
        raise StoryError([Problem(scan.path, None, None, "", message)]) from exc


class _FatalScanError(Exception):
    """Stop loading: the scan found something that must not be built (see its problems)."""


class _CheckingParser(RoundTripParser):
    """The round-trip parser, showing each event to an ``_EventScan`` as it is made.

    The scan sees an event before the composer does, so a tag or an alias bomb stops the
    load before anything is built from it, and the text is parsed only once.
    """

    scan: _EventScan | None = None

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


def _too_large(path: str) -> Problem:
    return Problem(path, None, None, "", f"the story file is larger than {MAX_STORY_BYTES:,} bytes")


def _decode(data: bytes, path: str) -> str:
    """Decode UTF-8 (a leading BOM is dropped) or raise a problem at the first bad byte."""
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", "replace")) + 1
        message = f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        problem = Problem(path, before.count(b"\n") + 1, column, "", message)
        raise StoryError([problem]) from exc


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


# --- the event scan: syntax, tags, anchors and aliases, duplicate keys ---------------


@dataclass
class _Frame:
    """An open sequence or mapping while scanning events."""

    anchor: str | None
    is_mapping: bool
    size: int = 1  # values in this node, aliases expanded
    expect_key: bool = True
    keys: dict[str, int] = field(default_factory=dict)  # key text -> its 1-based line


def _syntax_problem(exc: MarkedYAMLError, path: str) -> Problem:
    """Turn a ruamel syntax error into one short located problem."""
    mark = exc.problem_mark or exc.context_mark
    message = str(exc.problem or exc.context or "invalid YAML").strip()
    if message in _SYNTAX_HINTS:
        message += f" ({_SYNTAX_HINTS[message]})"
    context = exc.context_mark
    if exc.problem and exc.context and context is not None and context.line != mark.line:
        message += f", {exc.context} that starts on line {context.line + 1}"
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return Problem(path, line, column, "", f"YAML syntax: {message}")


class _EventScan:
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

    def watch(self, event: Event) -> None:
        """Check one event; raise ``_FatalScanError`` if the document must not be loaded."""
        self._event(event)
        if self.fatal:
            raise _FatalScanError

    def _fail(self, event: Event, message: str, *, fatal: bool = True) -> None:
        mark = event.start_mark
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, "", message))
        self.fatal = self.fatal or fatal

    def _event(self, event: Event) -> None:
        if isinstance(event, DocumentStartEvent):
            self._document(event)
        elif isinstance(event, AliasEvent):
            self._child(event)
            self._alias(event)
        elif isinstance(event, ScalarEvent | CollectionStartEvent):
            self._child(event)
            self._node(event)
        elif isinstance(event, CollectionEndEvent):
            self._end()

    def _document(self, event: DocumentStartEvent) -> None:
        self.documents += 1
        if self.documents > 1:
            self._fail(event, "a story file holds one YAML document; remove the second one")
        if event.version is not None and tuple(event.version) != (1, 2):
            version = ".".join(str(part) for part in event.version)
            self._fail(event, f"YAML {version} is not supported; remove the %YAML line")

    def _child(self, event: NodeEvent) -> None:
        """Account for a node inside the open collection; catch duplicate keys."""
        if not self.stack:
            return
        parent = self.stack[-1]
        if not parent.is_mapping:
            return
        is_key, parent.expect_key = parent.expect_key, not parent.expect_key
        if is_key and isinstance(event, ScalarEvent) and event.value != "<<":
            first = parent.keys.get(event.value)
            if first is None:
                parent.keys[event.value] = event.start_mark.line + 1
            else:
                message = f"duplicate key '{event.value}' (first on line {first})"
                self._fail(event, message, fatal=False)

    def _node(self, event: ScalarEvent | CollectionStartEvent) -> None:
        tag = event.tag
        if tag is not None and not (tag == _STR_TAG and isinstance(event, ScalarEvent)):
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            self._fail(event, f"YAML tag {shown} is not allowed in a story file")
        anchor = event.anchor
        if anchor is not None:
            first = self.anchor_lines.get(anchor)
            if first is None:
                self.anchor_lines[anchor] = event.start_mark.line + 1
            else:
                self._fail(event, f"anchor &{anchor} is defined twice (first on line {first})")
        if isinstance(event, ScalarEvent):
            if anchor is not None:
                self.sizes[anchor] = 1
            self._add(1)
            return
        if len(self.stack) >= MAX_DEPTH:
            self._fail(event, f"the YAML is nested more than {MAX_DEPTH} levels deep")
            return
        self.stack.append(_Frame(anchor, isinstance(event, MappingStartEvent)))

    def _end(self) -> None:
        if not self.stack:
            return
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.sizes[frame.anchor] = frame.size
        self._add(frame.size)

    def _alias(self, event: AliasEvent) -> None:
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


def _text_position(text: str, index: int) -> Pos:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


# --- positions in the loaded document -----------------------------------------------


def _own_pos(node: Any, default: Pos) -> Pos:
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


def _key_pos(mapping: CommentedMap, key: Any) -> Pos:
    """Return where a key is written (a merged key: where its mapping starts)."""
    return _recorded(mapping, key, 0) or _own_pos(mapping, (1, 1))


def _value_pos(mapping: CommentedMap, key: Any) -> Pos:
    """Return where a key's value is written; for an empty value, where the key is."""
    found = _recorded(mapping, key, 2)
    key_pos = _key_pos(mapping, key)
    # ruamel puts a missing value at the next token, often on a later line
    if found is None or (mapping.get(key) is None and found[0] != key_pos[0]):
        return key_pos
    return found


def _item_pos(sequence: CommentedSeq, index: int, default: Pos) -> Pos:
    return _recorded(sequence, index, 0) or default


def _locate(node: Any, loc: Sequence[int | str], start: Pos) -> Pos:
    """Follow a pydantic error location through the loaded YAML to a position."""
    pos = start
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            pos = _value_pos(node, part)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            pos = _item_pos(node, part, pos)
            node = node[part]
        else:
            break
    return pos


# --- plain values and messages ------------------------------------------------------


def _plain(value: Any) -> Any:
    """Turn ruamel's round-trip types into plain Python values for validation."""
    if isinstance(value, CommentedMap):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, CommentedSeq):
        return [_plain(v) for v in value]
    return _plain_scalar(value)


def _plain_scalar(value: Any) -> Any:
    if isinstance(value, TaggedScalar):  # only !!str gets past the event scan
        value = value.value
    if isinstance(value, ScalarBoolean):  # an anchored true/false: an int subclass
        return bool(value)
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return value


#: What a user wrote, named for "expected ..., got ..." messages (first match wins).
_DESCRIPTIONS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (type(None), "nothing"),
    (bool, "true/false"),
    ((int, float), "a number"),
    (dt.date, "a date"),
    (dict, "a mapping"),
    (list, "a list"),
)


def _describe(value: Any) -> str:
    return next((name for kinds, name in _DESCRIPTIONS if isinstance(value, kinds)), "text")


def _expected_text(value: Any, name: str) -> str:
    if value is None or value == "":
        return f"{name} is empty"
    if isinstance(value, bool | int | float | dt.date):
        return f"expected text, got {_describe(value)}; put it in quotes"
    return f"expected text, got {_describe(value)}"


def _error_message(error: ErrorDetails) -> str:
    """Say in a few words what is wrong, for one pydantic error."""
    kind = error["type"]
    value = error["input"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    names = [part for part in error["loc"] if isinstance(part, str)]
    name = names[-1] if names and isinstance(error["loc"][-1], str) else "value"
    messages = {
        "missing": f"{name} is required",
        "string_too_short": f"{name} is empty",
        "int_parsing": "expected a whole number",
        "int_type": "expected a whole number",
        "int_from_float": "expected a whole number",
        "greater_than": f"must be more than {ctx.get('gt')}",
        "less_than_equal": f"must be at most {ctx.get('le')}",
        "list_type": f"expected a list, got {_describe(value)}",
        "dict_type": f"expected a mapping of keys, got {_describe(value)}",
        "model_type": f"expected a mapping of keys, got {_describe(value)}",
    }
    if kind in messages:
        return messages[kind]
    if kind == "string_type":
        return _expected_text(value, name)
    if kind == "enum":
        return "expected one of " + ", ".join(re.findall(r"'([^']*)'", str(ctx["expected"])))
    if kind.startswith("date"):
        return "expected a date like 2017-01-13"
    if kind == "value_error" and "error" in ctx:
        return f"{name} is empty" if value == "" else str(ctx["error"])
    return error["msg"]


def _field(prefix: str, loc: Iterable[int | str]) -> str:
    """Build a field path like ``items[3].url`` from a prefix and a location."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def _unknown_key(key: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    if not close:
        close = difflib.get_close_matches(key.lower(), allowed, n=1)
    if close:
        return f"unknown key '{key}'; did you mean '{close[0]}'?"
    return f"unknown key '{key}'; allowed: {', '.join(allowed)}"


def _normalize_lang(value: str) -> str | None:
    """Return a language tag in BCP 47 form if its language has UI strings."""
    text = value.strip()
    if not _LANG_RE.fullmatch(text):
        return None
    primary, *rest = re.split(r"[-_]", text)
    if primary.lower() not in available_languages():
        return None
    parts = [primary.lower()]
    for part in rest:
        if len(part) == 4 and part.isalpha():
            parts.append(part.title())  # script: Latn
        elif len(part) == 2 or (len(part) == 3 and part.isdigit()):
            parts.append(part.upper())  # region: FI, 419
        else:
            parts.append(part.lower())
    return "-".join(parts)


# --- the story checker --------------------------------------------------------------


class _StoryChecker:
    """Walk a loaded document, validate each part, and collect every problem."""

    def __init__(self, path: str, problems: list[Problem], lines: list[str]) -> None:
        self.path = path
        self.problems = problems
        self.lines = lines

    def item_pos(self, sequence: CommentedSeq, index: int, default: Pos) -> Pos:
        """Return where an item is written; for an empty one, where its dash is."""
        line, column = _item_pos(sequence, index, default)
        if sequence[index] is None and 0 < line <= len(self.lines):
            text = self.lines[line - 1]
            rest = text[column - 1 :].strip()
            dash = text.rfind("-", 0, column - 1)
            if dash >= 0 and (not rest or rest.startswith("#")):
                return line, dash + 1
        return line, column

    def error(self, pos: Pos, field_path: str, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.path, pos[0], pos[1], field_path, message, severity))

    def check(self, root: Any) -> LoadedStory | None:
        """Return the loaded story, or None when a problem was recorded."""
        if root is None:
            self.error((1, 1), "", "the story file is empty; it needs at least a title")
            return None
        if not isinstance(root, CommentedMap):
            message = f"the story must be a mapping with a title and items, not {_describe(root)}"
            self.error(_own_pos(root, (1, 1)), "", message)
            return None
        self.check_keys(root, _STORY_KEYS, "")
        story = self.check_top(root)
        options = self.check_options(root)
        items, item_lines = self.check_items(root)
        if story is None or options is None or items is None:
            return None
        self.warn_duplicates(root, items)
        full = story.model_copy(update={"options": options, "items": items})
        warnings = [p for p in self.problems if p.severity == "warning"]
        return LoadedStory(full, _sorted(warnings), item_lines)

    def check_keys(
        self, mapping: CommentedMap, allowed: Sequence[str], prefix: str, kind: str = ""
    ) -> None:
        """Report each key of ``mapping`` not in ``allowed``."""
        for key in mapping:
            if key in allowed:
                continue
            name = str(key)
            owners = [k for k, model in ITEM_KINDS.items() if key in model.model_fields]
            if kind and owners:
                kinds = " or ".join(owners)
                message = f"unknown key '{name}' in a {kind} item; {name} goes with {kinds} items"
            else:
                message = _unknown_key(name, allowed)
            self.error(_key_pos(mapping, key), _field(prefix, [name]), message)

    def validate(
        self, model: type[_Model], data: dict[str, Any], node: Any, prefix: str
    ) -> _Model | None:
        """Validate ``data`` with ``model``, turning each error into a located problem."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            start = _own_pos(node, (1, 1))
            for error in exc.errors():
                pos = _locate(node, error["loc"], start)
                self.error(pos, _field(prefix, error["loc"]), _error_message(error))
            return None

    def known(
        self, mapping: CommentedMap, allowed: Iterable[str], keep_null: Sequence[str] = ()
    ) -> dict[str, Any]:
        """Return the allowed keys' plain values; an empty value counts as not given."""
        return {
            key: _plain(mapping[key])
            for key in allowed
            if key in mapping and (mapping[key] is not None or key in keep_null)
        }

    def check_top(self, root: CommentedMap) -> Story | None:
        scalars = [key for key in _STORY_KEYS if key not in ("options", "items")]
        data = self.known(root, scalars, keep_null=["title"])
        ok = True
        if "date" in data:
            checked = self.check_date(data.pop("date"), _value_pos(root, "date"))
            ok = checked is not None
            data["date"] = checked
        if isinstance(data.get("lang"), str):
            lang = _normalize_lang(data["lang"])
            if lang is None:
                data.pop("lang")
                ok = False
                available = ", ".join(available_languages())
                message = f"unknown language '{root['lang']}'; available: {available}"
                self.error(_value_pos(root, "lang"), "lang", message)
            else:
                data["lang"] = lang
        story = self.validate(Story, data, root, "")
        return story if ok else None

    def check_date(self, value: Any, pos: Pos) -> dt.date | None:
        """Accept ISO text (``2017-01-13``, quoted or not); anything else is a problem."""
        if isinstance(value, str) and _DATE_RE.fullmatch(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                self.error(pos, "date", f"no such date: {value.strip()}")
                return None
        self.error(pos, "date", "expected a date like 2017-01-13")
        return None

    def check_options(self, root: CommentedMap) -> StoryOptions | None:
        node = root.get("options")
        if node is None:
            return StoryOptions()
        if not isinstance(node, CommentedMap):
            message = f"expected a mapping like 'embed: click', got {_describe(_plain(node))}"
            self.error(_value_pos(root, "options"), "options", message)
            return None
        self.check_keys(node, _OPTION_KEYS, "options")
        return self.validate(StoryOptions, self.known(node, _OPTION_KEYS), node, "options")

    def check_items(self, root: CommentedMap) -> tuple[list[Item] | None, list[int]]:
        node = root.get("items")
        if node is None:
            return [], []
        if not isinstance(node, CommentedSeq):
            got = _describe(_plain(node))
            message = f"expected a list of items, each starting with '- ', got {got}"
            self.error(_value_pos(root, "items"), "items", message)
            return None, []
        items: list[Item] = []
        lines: list[int] = []
        start = _value_pos(root, "items")
        for index, raw in enumerate(node):
            pos = self.item_pos(node, index, start)
            item = self.check_item(raw, f"items[{index}]", pos)
            if item is not None:
                items.append(item)
                lines.append(pos[0])
        if len(items) != len(node):
            return None, []
        return items, lines

    def check_item(self, raw: Any, prefix: str, pos: Pos) -> Item | None:
        if raw is None or (isinstance(raw, CommentedMap) and not raw):
            self.error(pos, prefix, "empty item")
            return None
        if not isinstance(raw, CommentedMap):
            self.error(pos, prefix, _not_an_item(raw))
            return None
        kinds = [key for key in ITEM_KINDS if key in raw]
        if len(kinds) != 1:
            self.check_keys(raw, _ITEM_KEYS, prefix)
            if kinds:
                message = (
                    f"an item has only one of {', '.join(ITEM_KINDS)}; "
                    f"this one has {' and '.join(kinds)}"
                )
                self.error(_key_pos(raw, kinds[1]), prefix, message)
            else:
                self.error(pos, prefix, f"an item needs one of {', '.join(ITEM_KINDS)}")
            return None
        model = ITEM_KINDS[kinds[0]]
        self.check_keys(raw, list(model.model_fields), prefix, kind=kinds[0])
        data = self.known(raw, model.model_fields, keep_null=kinds)
        return self.validate(model, data, raw, prefix)

    def warn_duplicates(self, root: CommentedMap, items: list[Item]) -> None:
        """Warn about a URL that names the same post as an earlier item."""
        seen: dict[str, tuple[int, str]] = {}
        node = root.get("items")
        for index, item in enumerate(items):
            if not isinstance(item, UrlItem):
                continue
            key = normalize_url(item.url)
            if key not in seen:
                seen[key] = (index, item.url)
                continue
            first, url = seen[key]
            pos = _value_pos(node[index], "url")
            message = f"same post as items[{first}] ({url})"
            self.error(pos, f"items[{index}].url", message, severity="warning")


def _not_an_item(value: Any) -> str:
    """Say how to write an item that is not a mapping."""
    if isinstance(value, str):
        try:
            url = check_http_url(value)
        except ValueError:
            return "an item is a mapping such as 'text: ...' or 'url: ...'; add the kind"
        return f"an item is a mapping; write '- url: {url}'"
    return f"an item is a mapping with one of {', '.join(ITEM_KINDS)}, not {_describe(value)}"
