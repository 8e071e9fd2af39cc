"""Progress on stderr: a fetch's bar on a terminal, each failure, the workflow's messages."""

from __future__ import annotations

import shutil
import sys
from typing import TYPE_CHECKING, TextIO

from storyboard.cli.output import clean, echo

if TYPE_CHECKING:
    from storyboard.fetch.pool import FetchOutcome, FetchReport


class FetchProgress:
    """Print each failure as one line, and a live bar when stderr is a terminal.

    The CLI's ``commands.feedback.Feedback``: workflows report through it, never print.
    """

    def __init__(self, stream: TextIO | None = None, *, saving: bool = True) -> None:
        self.stream = stream or sys.stderr
        #: False for ``check --links`` without ``--update``: nothing is kept or marked.
        self.saving = saving
        self.interactive = self.stream.isatty()
        self.failures = 0
        self._bar_shown = False

    def __call__(self, outcome: FetchOutcome, done: int, total: int, hosts: list[str]) -> None:
        """Report one finished URL."""
        self._clear_bar()
        if outcome.error is not None:
            from storyboard.model.snapshot import SnapshotStatus  # loaded by the fetch already

            self.failures += 1
            kept = ""
            if not self.saving:
                pass  # a dry run: the snapshot file is left exactly as it was
            elif outcome.snapshot.status is SnapshotStatus.GONE:
                kept = " (kept the earlier snapshot, marked gone)"
            elif outcome.snapshot.usable:
                kept = " (kept the earlier snapshot)"
            echo(outcome.error + kept, err=True, label="failed: ", colour="yellow")
        elif outcome.note is not None:
            echo(outcome.note, err=True, label="note: ", colour="cyan")
        if self.interactive:
            self._draw_bar(done, total, hosts)

    def message(self, text: str) -> None:
        """Print a line from the workflow (a story file warning, a rate limit wait)."""
        self._clear_bar()
        echo(text, err=True)

    def _draw_bar(self, done: int, total: int, hosts: list[str]) -> None:
        width = shutil.get_terminal_size((80, 20)).columns
        filled = int(20 * done / max(total, 1))
        bar = "#" * filled + "-" * (20 - filled)
        text = f"[{bar}] {done}/{total}"
        if self.failures:
            text += f", {self.failures} failed"
        if hosts:
            text += f"  {', '.join(hosts[:3])}"
        self.stream.write("\r" + clean(text)[: width - 1])
        self.stream.flush()
        self._bar_shown = True

    def _clear_bar(self) -> None:
        if self._bar_shown:
            width = shutil.get_terminal_size((80, 20)).columns
            self.stream.write("\r" + " " * (width - 1) + "\r")
            self._bar_shown = False

    def finish(self, report: FetchReport) -> None:
        """Remove the bar and print the one-line summary."""
        self._clear_bar()
        fetched = len(report.outcomes)
        failed = len(report.failures)
        parts = [f"fetched {fetched - failed} of {fetched}"]
        if failed:
            parts.append(f"{failed} failed")
        if report.notes:
            parts.append(f"{len(report.notes)} with a note")
        if report.skipped:
            parts.append(f"{report.skipped} already in snapshots")
        summary = ", ".join(parts) + (f" in {report.seconds:.1f} s" if fetched else "")
        echo(summary, err=True)
