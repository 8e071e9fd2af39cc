"""Write values as YAML scalars that read back as exactly the same text."""

from __future__ import annotations

import unicodedata
from functools import cache

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

#: Characters a plain (unquoted) YAML scalar may not start with.
_PLAIN_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@`")
#: Unicode categories never written raw inside a scalar (controls, separators, surrogates...).
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_YAML11_BOOLEANS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false"})


@cache
def _checker() -> YAML:
    return YAML(typ="safe", pure=True)


def safe_char(char: str) -> bool:
    """Tell whether ``char`` may be written raw (not as an escape) in a scalar or comment."""
    return char == "\t" or unicodedata.category(char) not in _UNSAFE_CATEGORIES


def _reads_back(text: str, value: str) -> bool:
    """Tell whether ``key: <text>`` loads as exactly ``value`` (a string)."""
    try:
        loaded = _checker().load(f"k: {text}\n")
    except (YAMLError, ValueError):
        return False
    return isinstance(loaded, dict) and loaded.get("k") == value and type(loaded["k"]) is str


def _double_quoted(value: str) -> str:
    """Return ``value`` as a YAML double-quoted scalar; unsafe characters as escapes."""
    out = []
    for char in value:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif not safe_char(char):
            code = ord(char)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _literal_block(value: str, indent: int) -> str | None:
    """Return ``value`` as a ``|`` block indented by ``indent``, or None if it cannot be one."""
    lines = value.split("\n")
    if (
        not lines[0].strip()
        or lines[0][0] in " \t"
        or any(line != line.rstrip() for line in lines)
        or not all(ch == "\n" or safe_char(ch) for ch in value)
    ):
        return None
    pad = " " * indent
    return "|\n" + "\n".join(pad + line if line else "" for line in lines)


def yaml_scalar(value: str, *, indent: int) -> str:
    """Return ``value`` as a YAML scalar for ``key: ...``, whose block content goes at ``indent``.

    Plain where that reads back as the same text, a ``|`` block for several lines, else
    double-quoted. Values are stripped first: the story model strips them anyway.
    """
    text = value.strip()
    if "\n" in text:
        return _literal_block(text, indent) or _double_quoted(text)
    plain_ok = (
        text
        and text[0] not in _PLAIN_FIRST
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and all(safe_char(ch) and ch != "\t" for ch in text)
    )
    # YAML 1.1 readers (not storyboard's) take these for true/false: quote them for those.
    if plain_ok and text.lower() not in _YAML11_BOOLEANS and _reads_back(text, text):
        return text
    return _double_quoted(text)


def comment_line(text: str) -> str:
    """Return ``text`` on one line, fit for a ``#`` comment."""
    return " ".join("".join(ch if safe_char(ch) else " " for ch in text).split())
