"""How a workflow tells the person running it what happens, while it happens.

Workflows never print: they call a ``Feedback`` (the CLI's prints to stderr; a library
caller may pass ``SILENT``). What a workflow found in the end is in its result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from storyboard.errors import EXIT_OK

if TYPE_CHECKING:
    from storyboard.fetch.pool import FetchOutcome, FetchReport


class Feedback(Protocol):
    """Receives a workflow's progress."""

    def __call__(self, outcome: FetchOutcome, done: int, total: int, hosts: list[str]) -> None:
        """One URL of a fetch finished."""

    def finish(self, report: FetchReport) -> None:
        """A fetch finished."""

    def message(self, text: str) -> None:
        """A line worth showing now (a story file warning, a rate limit wait)."""


class _Silent:
    def __call__(self, outcome: FetchOutcome, done: int, total: int, hosts: list[str]) -> None:
        pass

    def finish(self, report: FetchReport) -> None:
        pass

    def message(self, text: str) -> None:
        pass


#: Feedback that shows nothing.
SILENT: Feedback = _Silent()


@dataclass(frozen=True)
class Note:
    """A line for stderr: ``kind`` (warning, note, unresolved; empty for none) is its prefix."""

    text: str
    kind: str = ""


@dataclass(kw_only=True)
class Outcome:
    """What a command found, ready to show: the CLI prints it and exits with ``exit_code``."""

    #: The command's output proper, for stdout (paths written, a report).
    lines: list[str] = field(default_factory=list)
    #: What the person should know about it, for stderr.
    notes: list[Note] = field(default_factory=list)
    exit_code: int = EXIT_OK
