"""The CLI's one way to print: provider text never reaches the terminal as control codes.

A display name, an error field or a server's status line can carry terminal escapes
(``ESC [ 2 J`` clears the screen, others retitle the window or fake a line of output).
Everything printed goes through ``echo``, which strips them (``untrusted_text.printable``);
only the label's own colour is added after that.
"""

from __future__ import annotations

import click

from storyboard.untrusted_text import printable


def echo(text: str, *, err: bool = False, label: str = "", colour: str | None = None) -> None:
    """Print ``text`` (control characters removed) after an optional coloured ``label``."""
    prefix = click.style(label, fg=colour) if label and colour else label
    click.echo(prefix + printable(text), err=err)


def clean(text: str) -> str:
    """Return ``text`` as ``echo`` would print it (for a stream written directly)."""
    return printable(text)
