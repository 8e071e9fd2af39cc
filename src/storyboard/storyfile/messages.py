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
    if type(value) is str:  # most values of a story: nothing to turn
        return value
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


#: Punctuation that ends a sentence or a list more often than a URL.
_TRAILING_PUNCTUATION = ",;.:!?'\">"
_BRACKETS = {")": "(", "]": "["}
_BARE_HOST_RE = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}(?:[:/?#]|$)", re.IGNORECASE)


def url_advice(value: object, message: str) -> str:
    """Add to a refused URL's ``message`` what to write instead, when that is clear.

    ``www.youtube.com/watch?v=1`` lacks its scheme: suggest ``https://`` in front.
    """
    if not isinstance(value, str):
        return message
    text = value.strip()
    if "://" not in text and _BARE_HOST_RE.match(text.lstrip("/")):
        fixed = "https://" + text.lstrip("/")
        return f"{message}: the address has no https:// in front; write {fixed}"
    return message


def stray_url_ending(url: str) -> str | None:
    """Return the punctuation stuck to the end of ``url`` (a comma after a pasted link), if any.

    A closing bracket counts only when the URL does not open it: Wikipedia's
    ``Foo_(bar)`` is whole.
    """
    end = len(url)
    while end > 0 and _strays(url, end):
        end -= 1
    stray = url[end:]
    return stray if stray and end > len("https://") else None


def _strays(url: str, end: int) -> bool:
    """Tell whether ``url[end - 1]`` is punctuation stuck to the URL, not part of it."""
    char = url[end - 1]
    if char in _TRAILING_PUNCTUATION:
        return True
    opening = _BRACKETS.get(char)
    return opening is not None and url[:end].count(opening) < url[:end].count(char)


def stray_ending_message(url: str, stray: str) -> str:
    """Say that ``stray`` at the end of ``url`` is probably not part of it."""
    return (
        f"the URL ends with {stray!r}, which is probably not part of it; write {url[: -len(stray)]}"
    )


#: A YAML comment straight after a key, written like a hashtag: ``note: #kokous2024``.
_HASHTAG_COMMENT_RE = re.compile(r"^:[ \t]+(#\S.*?)\s*$")


def hashtag_comment(line: str, key_column: int, key: str) -> str | None:
    """Return the comment that made ``key``'s value empty if it reads like text, else None.

    ``note: #kokous2024 on`` is a note with nothing in it (``#`` after a space starts a
    YAML comment); ``author:  # fill in later`` is a comment and is left alone.
    """
    start = key_column - 1 + len(key)
    found = _HASHTAG_COMMENT_RE.match(line[start:]) if start <= len(line) else None
    return found.group(1) if found else None
