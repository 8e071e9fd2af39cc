"""Decode a JSON export, bare or in the JSONP wrapper (``cb({...})``) the API served.

Storify's API answered ``?callback=cb`` with the JSON inside a function call, and
many saved copies are exactly that answer. JSON also lets a string hold half of a
UTF-16 pair (``"\\ud800"``): such a character cannot be written as UTF-8, so it is
replaced here, with a warning, before it can reach (and break) a file we save.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from storyboard.errors import Problem, UsageError

_JSONP_START_RE = re.compile(r"\s*([A-Za-z_$][\w$.]*)\s*\(")
_JSONP_END_RE = re.compile(r"\s*\)\s*;?\s*")
_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_REPLACEMENT = "\ufffd"


@dataclass
class DecodedJson:
    """A decoded JSON document and what had to be repaired in it."""

    document: object
    wrapped_in: str | None = None  # the JSONP callback's name
    warnings: list[Problem] = field(default_factory=list)


def decode_json(text: str, source: str) -> DecodedJson:
    """Decode JSON or JSONP text; raise ``UsageError`` located at the first fault."""
    start = 0
    callback = None
    wrapper = _JSONP_START_RE.match(text)
    if wrapper is not None and not text.lstrip().startswith(("{", "[")):
        callback = wrapper.group(1)
        start = wrapper.end()
    decoder = json.JSONDecoder()
    try:
        start = _skip_space(text, start)
        document, end = decoder.raw_decode(text, start)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from exc
    except RecursionError as exc:
        raise UsageError(f"{source}: the JSON is nested too deeply") from exc
    rest = text[end:]
    if callback is not None:
        closing = _JSONP_END_RE.fullmatch(rest)
        if closing is None:
            line, column = _position(text, end)
            raise UsageError(
                f"{source}:{line}:{column}: not valid JSONP: expected ')' after the JSON "
                f"passed to {callback}("
            )
    elif rest.strip():
        line, column = _position(text, end + len(rest) - len(rest.lstrip()))
        raise UsageError(f"{source}:{line}:{column}: not valid JSON (extra data)")
    decoded = DecodedJson(document, callback)
    decoded.document = _repair(document, "", source, decoded.warnings)
    return decoded


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _repair(value: object, where: str, source: str, warnings: list[Problem]) -> object:
    """Replace lone surrogates in every string and key, warning once per string."""
    if isinstance(value, str):
        if _LONE_SURROGATE_RE.search(value) is None:
            return value
        warnings.append(
            Problem(
                source,
                None,
                None,
                where,
                "half of a UTF-16 character pair (a lone surrogate); replaced with U+FFFD",
                "warning",
            )
        )
        return _LONE_SURROGATE_RE.sub(_REPLACEMENT, value)
    if isinstance(value, list):
        return [_repair(item, f"{where}[{i}]", source, warnings) for i, item in enumerate(value)]
    if isinstance(value, dict):
        repaired: dict[str, object] = {}
        for key, item in value.items():
            clean_key = _LONE_SURROGATE_RE.sub(_REPLACEMENT, key)
            path = f"{where}.{clean_key}" if where else clean_key
            repaired[clean_key] = _repair(item, path, source, warnings)
        return repaired
    return value
