"""A story's URLs and embed options from one quick pass over its YAML, checking nothing.

``fetch`` sends its first requests while the story is still being loaded and checked
(``storyfile.loader``): this pass reads what those requests depend on from libyaml's
events alone, without positions, models or the loader's safety scan. Aliases are not
followed and nesting costs no recursion, so a hostile file costs one pass over its
events. What it finds is a guess the checked story confirms or overrides; a file it
cannot read gives nothing (the loader says why).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from storyboard.model.embed_sizes import DEFAULT_MAXWIDTH
from storyboard.storyfile.limits import MAX_STORY_BYTES

_DIGITS = re.compile(r"[0-9]{1,4}")
_BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class QuickStory:
    """The items' URLs in story order, and the options that change what is asked for them."""

    urls: list[str] = field(default_factory=list)
    maxwidth: int | None = DEFAULT_MAXWIDTH
    maxheight: int | None = None
    archive_restricted: bool = False


def quick_read(path: Path) -> QuickStory | None:
    """Return the URLs and embed options ``path`` seems to hold; None if it cannot tell."""
    try:
        if path.stat().st_size > MAX_STORY_BYTES:
            return None  # refused by the loader: not worth a guess
        text = path.read_bytes().decode("utf-8-sig")
        return _from_events(yaml.parse(text, Loader=yaml.CSafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


class _Frame:
    """A mapping or sequence being read: where it is, and the key whose value comes next."""

    __slots__ = ("key", "path")

    def __init__(self, path: tuple[str, ...], *, mapping: bool) -> None:
        self.path = path
        #: In a mapping: the key whose value comes next ("" while a key is awaited);
        #: None in a sequence.
        self.key: str | None = "" if mapping else None


def _from_events(events: Iterable[yaml.Event]) -> QuickStory:
    urls: list[str] = []
    options: dict[str, str] = {}
    stack: list[_Frame] = []
    for event in events:
        if isinstance(event, yaml.DocumentEndEvent):
            break  # a second document is the loader's to refuse
        frame = stack[-1] if stack else None
        if isinstance(event, yaml.CollectionStartEvent):
            path = _child_path(frame)
            stack.append(_Frame(path, mapping=isinstance(event, yaml.MappingStartEvent)))
        elif isinstance(event, yaml.CollectionEndEvent):
            stack.pop()
        elif isinstance(event, yaml.ScalarEvent | yaml.AliasEvent) and frame is not None:
            if frame.key == "":
                frame.key = event.value if isinstance(event, yaml.ScalarEvent) else "*"
                continue
            value = event.value if isinstance(event, yaml.ScalarEvent) else None
            path = _child_path(frame)
            if value is not None and len(path) == 3 and path[0] == "items" and path[2] == "url":
                urls.append(value)
            elif value is not None and len(path) == 2 and path[0] == "options":
                options[path[1]] = value
        if isinstance(event, yaml.NodeEvent) and frame is not None and frame.key:
            frame.key = ""  # the value is read (or begun): a key comes next
    return QuickStory(
        urls=urls,
        maxwidth=_size(options.get("maxwidth"), DEFAULT_MAXWIDTH),
        maxheight=_size(options.get("maxheight"), None),
        archive_restricted=_BOOLEANS.get(options.get("archive_restricted", ""), False),
    )


def _child_path(frame: _Frame | None) -> tuple[str, ...]:
    if frame is None:
        return ()
    return (*frame.path, "[]" if frame.key is None else frame.key)


def _size(value: str | None, default: int | None) -> int | None:
    return int(value) if value is not None and _DIGITS.fullmatch(value) else default
