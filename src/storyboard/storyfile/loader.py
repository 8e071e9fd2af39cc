"""Load a story file: safe YAML in, a validated ``Story`` out, every problem located.

Each problem names the file, the 1-based line and column of the offending value (of
the key, for an unknown key), and the field path, as ``items[3].url`` (item indexes
count from 0). All problems are collected and raised together in one ``StoryError``.
How the YAML itself is read is ``fast_yaml``'s and ``safe_yaml``'s business.

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
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from storyboard.errors import Problem, StoryError
from storyboard.fsio import FileTooLargeError, read_bounded
from storyboard.i18n import available_languages
from storyboard.model.shared_values import SharedValues
from storyboard.model.story import ITEM_KINDS, Item, Story, StoryOptions, UrlItem
from storyboard.storyfile.fast_yaml import STREAMED_ITEMS, load_plain_yaml
from storyboard.storyfile.limits import MAX_STORY_BYTES
from storyboard.storyfile.messages import (
    describe,
    dotted_field,
    error_message,
    hashtag_comment,
    plain,
    stray_ending_message,
    stray_url_ending,
    unknown_key,
    url_advice,
)
from storyboard.storyfile.positions import (
    Pos,
    by_position,
    item_pos,
    item_positions,
    key_pos,
    locate,
    own_pos,
    value_pos,
)
from storyboard.storyfile.safe_yaml import EventScan, load_yaml
from storyboard.urls import check_http_url, same_post_key

_STORY_KEYS = list(Story.model_fields)
_OPTION_KEYS = list(StoryOptions.model_fields)
_ITEM_KEYS = list(dict.fromkeys(key for model in ITEM_KINDS.values() for key in model.model_fields))
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LANG_RE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")

_Model = TypeVar("_Model", bound=BaseModel)


@dataclass(frozen=True)
class LoadedStory:
    """A valid story with its warnings and the line of each item."""

    story: Story
    warnings: list[Problem]
    item_lines: list[int]  # 1-based line of each item in story.items
    #: Where ``options.theme`` is written, for problems found with the theme folder.
    theme_pos: Pos | None = None


def load_story(path: Path) -> LoadedStory:
    """Read and validate a story file; raise ``StoryError`` with every problem."""
    where = str(path)
    try:
        data = read_bounded(path, MAX_STORY_BYTES)
    except FileTooLargeError as exc:
        raise StoryError([_too_large(where)]) from exc
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise StoryError([Problem(where, None, None, "", f"cannot read: {reason}")]) from exc
    return parse_story(_decode(data, where), path=where)


def parse_story(text: str, *, path: str) -> LoadedStory:
    """Validate story text; ``path`` names the file in problems."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_STORY_BYTES:
        raise StoryError([_too_large(path)])
    lines = text.splitlines()
    plain_checker = _StoryChecker(path, [], lines)
    plain_document = load_plain_yaml(text, path, plain_checker.take_plain_item)
    if plain_document is not None:
        # The C parser's document, when it checks clean; any problem is worded from the
        # round-trip loader's document below, so every message reads as it always has.
        loaded = plain_checker.check(plain_document)
        if loaded is not None and not plain_checker.problems:
            return loaded
    scan = EventScan(path)
    document = load_yaml(text, scan)
    checker = _StoryChecker(path, scan.problems, lines)
    loaded = checker.check(document)
    errors = [problem for problem in checker.problems if problem.severity == "error"]
    if loaded is None or errors:
        raise StoryError(by_position(errors))  # warnings wait until the errors are fixed
    return loaded


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


class _StoryChecker:
    """Walk a loaded document, validate each part, and collect every problem."""

    def __init__(self, path: str, problems: list[Problem], lines: list[str]) -> None:
        self.path = path
        self.problems = problems
        self.lines = lines
        #: (mapping, key) whose empty value was already explained (a hashtag comment).
        self._explained: set[tuple[int, str]] = set()
        #: Thousands of items repeat their notes' texts and the set of keys they fill.
        self.shared = SharedValues()
        #: The items ``take_plain_item`` checked as the C parser read them, with their lines.
        self.plain_items: list[Item] = []
        self.plain_lines: list[int] = []
        self._plain_posts: set[str] = set()  # their ``same_post_key``s

    def item_pos(self, sequence: CommentedSeq, index: int, default: Pos) -> Pos:
        """Return where an item is written; for an empty one, where its dash is."""
        line, column = item_pos(sequence, index, default)
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
            message = f"the story must be a mapping with a title and items, not {describe(root)}"
            self.error(own_pos(root, (1, 1)), "", message)
            return None
        self.check_keys(root, _STORY_KEYS, "")
        self.explain_hashtag_comments(root)
        story = self.check_top(root)
        options = self.check_options(root)
        items, item_lines = self.check_items(root)
        if story is None or options is None or items is None:
            return None
        if root.get("items") is not STREAMED_ITEMS:  # streamed items have neither
            self.warn_duplicates(root, items)
            self.warn_stray_endings(root, items)
        full = story.model_copy(update={"options": options, "items": items})
        warnings = [p for p in self.problems if p.severity == "warning"]
        node = root.get("options")
        theme_pos = value_pos(node, "theme") if isinstance(node, CommentedMap) else None
        if options.theme is None:
            theme_pos = None
        return LoadedStory(full, by_position(warnings), item_lines, theme_pos)

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
                message = unknown_key(name, allowed)
            self.error(key_pos(mapping, key), dotted_field(prefix, [name]), message)

    def validate(
        self, model: type[_Model], data: dict[str, Any], node: Any, prefix: str
    ) -> _Model | None:
        """Validate ``data`` with ``model``, turning each error into a located problem."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            start = own_pos(node, (1, 1))
            for error in exc.errors():
                loc = error["loc"]
                if len(loc) == 1 and (id(node), str(loc[0])) in self._explained:
                    continue  # already said why it is empty, and what to write
                message = error_message(error)
                if loc and loc[-1] == "url":
                    message = url_advice(error["input"], message)
                self.error(locate(node, loc, start), dotted_field(prefix, loc), message)
            return None

    def known(
        self, mapping: CommentedMap, allowed: Iterable[str], keep_null: Sequence[str] = ()
    ) -> dict[str, Any]:
        """Return the allowed keys' plain values; an empty value counts as not given."""
        return {
            key: plain(mapping[key])
            for key in allowed
            if key in mapping and (mapping[key] is not None or key in keep_null)
        }

    def check_top(self, root: CommentedMap) -> Story | None:
        scalars = [key for key in _STORY_KEYS if key not in ("options", "items")]
        data = self.known(root, scalars, keep_null=["title"])
        ok = True
        if "date" in data:
            checked = self.check_date(data.pop("date"), value_pos(root, "date"))
            ok = checked is not None
            data["date"] = checked
        if isinstance(data.get("lang"), str):
            lang = _normalize_lang(data["lang"])
            if lang is None:
                data.pop("lang")
                ok = False
                available = ", ".join(available_languages())
                message = f"unknown language '{root['lang']}'; available: {available}"
                self.error(value_pos(root, "lang"), "lang", message)
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
            message = f"expected a mapping like 'embed: click', got {describe(plain(node))}"
            self.error(value_pos(root, "options"), "options", message)
            return None
        self.check_keys(node, _OPTION_KEYS, "options")
        return self.validate(StoryOptions, self.known(node, _OPTION_KEYS), node, "options")

    def check_items(self, root: CommentedMap) -> tuple[list[Item] | None, list[int]]:
        node = root.get("items")
        if node is STREAMED_ITEMS:  # checked one by one as they were read
            return self.plain_items, self.plain_lines
        if node is None:
            return [], []
        if not isinstance(node, CommentedSeq):
            got = describe(plain(node))
            message = f"expected a list of items, each starting with '- ', got {got}"
            self.error(value_pos(root, "items"), "items", message)
            return None, []
        items: list[Item] = []
        lines: list[int] = []
        start = value_pos(root, "items")
        written = item_positions(node, start)
        for index, raw in enumerate(node):
            pos = written[index] if raw is not None else self.item_pos(node, index, start)
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
                self.error(key_pos(raw, kinds[1]), prefix, message)
            else:
                self.error(pos, prefix, f"an item needs one of {', '.join(ITEM_KINDS)}")
            return None
        model = ITEM_KINDS[kinds[0]]
        self.check_keys(raw, list(model.model_fields), prefix, kind=kinds[0])
        data = self.known(raw, model.model_fields, keep_null=kinds)
        item = self.validate(model, data, raw, prefix)
        return None if item is None else self.shared.model(item)

    def take_plain_item(self, raw: dict[str, Any], line: int) -> bool:
        """Check one item as the C parser read it; False: leave the story to the full path.

        Only an item this check gives exactly what ``check_item`` would, with no problem
        and no warning, is taken: one kind key, known keys, text values, none empty (an
        empty value may be a hashtag comment to explain), a valid model, and a URL that
        is no duplicate and has no stray ending. Everything else (and every message) is
        the full path's.
        """
        kinds = [key for key in ITEM_KINDS if key in raw]
        if len(kinds) != 1:
            return False
        model = ITEM_KINDS[kinds[0]]
        fields = model.model_fields
        if any(key not in fields or type(value) is not str for key, value in raw.items()):
            return False
        try:
            item = model.model_validate(raw)
        except ValidationError:
            return False
        if isinstance(item, UrlItem):
            post = same_post_key(item.url)
            if post in self._plain_posts or stray_url_ending(item.url) is not None:
                return False
            self._plain_posts.add(post)
        self.plain_items.append(self.shared.model(item))
        self.plain_lines.append(line)
        return True

    def warn_duplicates(self, root: CommentedMap, items: list[Item]) -> None:
        """Warn about a URL that names the same post as an earlier item."""
        seen: dict[str, tuple[int, str]] = {}
        node = root.get("items")
        for index, item in enumerate(items):
            if not isinstance(item, UrlItem):
                continue
            key = same_post_key(item.url)
            if key not in seen:
                seen[key] = (index, item.url)
                continue
            first, url = seen[key]
            pos = value_pos(node[index], "url")
            message = f"same post as items[{first}] ({url})"
            self.error(pos, f"items[{index}].url", message, severity="warning")

    def explain_hashtag_comments(self, root: CommentedMap) -> None:
        """Point out values made empty by a ``#`` read as a comment: ``note: #kokous2024 on``.

        An empty required value (a title, a text) is an error, an empty optional one
        (a note) a warning: either way the message says to quote the text.
        """
        mappings: list[tuple[CommentedMap, str]] = [(root, "")]
        if isinstance(root.get("options"), CommentedMap):
            mappings.append((root["options"], "options"))
        if isinstance(root.get("items"), CommentedSeq):
            mappings += [
                (item, f"items[{index}]")
                for index, item in enumerate(root["items"])
                if isinstance(item, CommentedMap)
            ]
        for mapping, prefix in mappings:
            for key, value in mapping.items():
                if value is not None or not isinstance(key, str):
                    continue
                line, column = key_pos(mapping, key)
                if not 0 < line <= len(self.lines):
                    continue
                comment = hashtag_comment(self.lines[line - 1], column, key)
                if comment is None:
                    continue
                required = key in ("title", *ITEM_KINDS)
                self._explained.add((id(mapping), key))
                message = (
                    f"{key} is empty: {comment!r} after it is a YAML comment (a '#' after "
                    f'a space starts one); put the text in quotes: {key}: "{comment}"'
                )
                severity = "error" if required else "warning"
                self.error((line, column), dotted_field(prefix, [key]), message, severity)

    def warn_stray_endings(self, root: CommentedMap, items: list[Item]) -> None:
        """Warn about punctuation pasted onto the end of a URL (``https://.../1,``)."""
        node = root.get("items")
        for index, item in enumerate(items):
            if not isinstance(item, UrlItem):
                continue
            stray = stray_url_ending(item.url)
            if stray is not None:
                pos = value_pos(node[index], "url")
                message = stray_ending_message(item.url, stray)
                self.error(pos, f"items[{index}].url", message, severity="warning")


def _not_an_item(value: Any) -> str:
    """Say how to write an item that is not a mapping."""
    if isinstance(value, str):
        try:
            url = check_http_url(value)
        except ValueError:
            return "an item is a mapping such as 'text: ...' or 'url: ...'; add the kind"
        return f"an item is a mapping; write '- url: {url}'"
    return f"an item is a mapping with one of {', '.join(ITEM_KINDS)}, not {describe(value)}"
