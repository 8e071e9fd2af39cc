"""Text from elsewhere made fit to keep and to print.

Two things a provider's bytes can carry that no later step should meet:

- a lone surrogate (``"\\ud800"`` in JSON is valid JSON text, but no UTF-8 file can hold
  it: the snapshot file would fail to save on every run after), replaced by U+FFFD
  where the text comes in;
- control characters (a display name carrying ``ESC [ 2 J`` clears the curator's
  terminal, or fakes a line of output), removed from everything printed.
"""

from __future__ import annotations

import re
from typing import Any

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
#: C0 and C1 controls and DEL, but tab (kept as it is); newlines are handled per use.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: An ANSI escape sequence (CSI or OSC), removed whole so no parameter bytes remain.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI, in its 7-bit and 8-bit forms
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC (window title)
)
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_surrogates(text: str) -> str:
    """Return ``text`` with every lone surrogate replaced by U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def clean_decoded(value: Any) -> Any:
    """Return decoded JSON with every string (keys too) free of lone surrogates."""
    if isinstance(value, str):
        return without_surrogates(value) if _LONE_SURROGATE.search(value) else value
    if isinstance(value, list):
        return [clean_decoded(item) for item in value]
    if isinstance(value, dict):
        return {clean_decoded(key): clean_decoded(item) for key, item in value.items()}
    return value


def printable(text: str) -> str:
    """Return ``text`` safe for a terminal: no escape sequences, no control characters.

    Newlines stay (a message may have several lines); a carriage return, which would let
    a line overwrite what was printed before it, does not.
    """
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _BIDI_CONTROLS.sub("", text)
    return "\n".join(_CONTROL.sub("", line) for line in text.split("\n"))
