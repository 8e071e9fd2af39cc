"""The CLI's one way to print and ask: provider text never reaches the terminal as control codes.

A display name, an error field or a server's status line can carry terminal escapes
(``ESC [ 2 J`` clears the screen, others retitle the window or fake a line of output).
Everything printed goes through ``echo``, which strips them (``untrusted_text.printable``);
only the label's own colour is added after that, and only on a terminal, unless
``NO_COLOR`` is set (https://no-color.org).
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from storyboard.untrusted_text import printable

#: ANSI's foreground colours, by the names the CLI uses.
_COLOURS = {"red": 31, "yellow": 33, "cyan": 36}


class Aborted(Exception):  # noqa: N818 (what the person did, as click said it)
    """The person ended a question without an answer (end of input, Ctrl-C): nothing is done."""


def echo(text: str, *, err: bool = False, label: str = "", colour: str | None = None) -> None:
    """Print ``text`` (control characters removed) after an optional coloured ``label``."""
    stream = sys.stderr if err else sys.stdout
    prefix = coloured(label, colour, stream) if label and colour else label
    stream.write(prefix + printable(text) + "\n")
    stream.flush()  # a line is out when it is printed, between stdout and stderr too


def coloured(text: str, colour: str, stream: TextIO) -> str:
    """Return ``text`` in ``colour`` when ``stream`` is a terminal that may show colour."""
    if os.environ.get("NO_COLOR") or not stream.isatty():
        return text
    return f"\x1b[{_COLOURS[colour]}m{text}\x1b[0m"


def confirm(question: str) -> bool:
    """Ask ``question`` on stderr; y or yes is True, n, no or nothing is False.

    Any other answer asks again. The answer is one line of stdin, a terminal's or a
    pipe's; its end, or Ctrl-C, raises ``Aborted``.
    """
    while True:
        sys.stderr.write(f"{printable(question)} [y/N]: ")
        sys.stderr.flush()
        try:
            line = sys.stdin.readline()
        except KeyboardInterrupt:
            raise Aborted from None
        if not line:
            raise Aborted
        answer = line.strip().lower()
        if answer in ("y", "yes"):
            return True
        if answer in ("", "n", "no"):
            return False
        echo("Error: invalid input", err=True)


def clean(text: str) -> str:
    """Return ``text`` as ``echo`` would print it (for a stream written directly)."""
    return printable(text)
