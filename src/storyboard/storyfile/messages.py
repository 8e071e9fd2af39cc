"""Plain values from the loaded YAML, and the short messages that say what is wrong."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic_core import ErrorDetails
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.scalarbool import ScalarBoolean


def plain(value: Any) -> Any:
    """Turn ruamel's round-trip types into plain Python values for validation."""
    if isinstance(value, CommentedMap):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, CommentedSeq):
        return [plain(v) for v in value]
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


def describe(value: Any) -> str:
    return next((name for kinds, name in _DESCRIPTIONS if isinstance(value, kinds)), "text")


def _expected_text(value: Any, name: str) -> str:
    if value is None or value == "":
        return f"{name} is empty"
    if isinstance(value, bool | int | float | dt.date):
        return f"expected text, got {describe(value)}; put it in quotes"
    return f"expected text, got {describe(value)}"


def error_message(error: ErrorDetails) -> str:
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
        "list_type": f"expected a list, got {describe(value)}",
        "dict_type": f"expected a mapping of keys, got {describe(value)}",
        "model_type": f"expected a mapping of keys, got {describe(value)}",
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


def dotted_field(prefix: str, loc: Iterable[int | str]) -> str:
    """Build a field path like ``items[3].url`` from a prefix and a location."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def unknown_key(key: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    if not close:
        close = difflib.get_close_matches(key.lower(), allowed, n=1)
    if close:
        return f"unknown key '{key}'; did you mean '{close[0]}'?"
    return f"unknown key '{key}'; allowed: {', '.join(allowed)}"
