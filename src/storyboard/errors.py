"""The one exception hierarchy of storyboard, and the exit status each error means.

The CLI turns every ``StoryboardError`` into one line on stderr and the class's
``exit_code``; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Everything was done: every item rendered from a snapshot.
EXIT_OK = 0
#: The output was written, but some items could not be resolved (each one listed).
EXIT_PARTIAL = 1
#: The story file, another input file or the command line is invalid; nothing written.
EXIT_INVALID = 2
#: The input was fine, but writing a result failed (disk full, read-only folder).
EXIT_WRITE_FAILED = 3
#: Stopped by Ctrl-C (128 + SIGINT, as shells report it); what was finished is saved.
EXIT_INTERRUPTED = 130


class StoryboardError(Exception):
    """Base of every error storyboard reports to a user."""

    exit_code = EXIT_INVALID
    #: The word the CLI puts before the message.
    label = "error"


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file: ``path:line:col: field: message``."""

    path: str
    line: int | None
    column: int | None
    field: str
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        prefix = f"{where}: "
        if self.field:
            prefix += f"{self.field}: "
        if self.severity == "warning":
            prefix += "warning: "
        return prefix + self.message


class StoryError(StoryboardError):
    """The story file is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UsageError(StoryboardError):
    """A command-line option or an input file other than the story is invalid."""


class ProviderRegistryError(UsageError):
    """A ``--providers`` file cannot be read or does not follow providers.json."""


class SnapshotError(StoryboardError):
    """The snapshot file cannot be read or does not hold snapshots."""


class WriteError(StoryboardError):
    """A file could not be written although the input was valid (disk full, read-only)."""

    exit_code = EXIT_WRITE_FAILED

    @classmethod
    def from_os_error(cls, exc: OSError, target: object = None) -> WriteError:
        """Describe ``exc`` in one line naming the file: ``cannot write PATH: reason``."""
        where = target if target is not None else exc.filename
        reason = exc.strerror or str(exc)
        return cls(f"cannot write {where}: {reason}" if where else f"cannot write: {reason}")


class LockTimeoutError(WriteError):
    """Another storyboard command held a file's lock for longer than this one would wait."""

    def __init__(self, path: object, seconds: float, holder: str = "") -> None:
        who = f" ({holder})" if holder else ""
        super().__init__(
            f"{path}: another storyboard command{who} held it for {seconds:g} s; "
            "gave up waiting (STORYBOARD_LOCK_TIMEOUT sets how long); "
            "run this command again when that one has finished"
        )


class InterruptError(StoryboardError):
    """The person pressed Ctrl-C; ``saved`` says what was kept."""

    exit_code = EXIT_INTERRUPTED
    label = "interrupted"

    def __init__(self, saved: str = "") -> None:
        super().__init__(saved or "stopped")


class FetchInterruptError(InterruptError):
    """Ctrl-C during a fetch: the URLs finished by then are saved, the rest is not asked."""

    def __init__(self, saved: int, total: int) -> None:
        self.saved = saved
        self.total = total
        super().__init__(
            f"saved {saved} of {total}; run the command again to fetch the rest"
            if saved < total
            else f"saved {saved} of {total}"
        )


#: Statuses that mean a post was removed or made private: no fallback brings it back.
GONE_STATUSES = frozenset({401, 403, 404, 410})


class FetchError(StoryboardError):
    """Fetching one URL failed; the message names the URL and the cause."""

    exit_code = EXIT_PARTIAL

    def __init__(self, message: str, *, url: str = "", status: int | None = None) -> None:
        self.url = url
        self.status = status
        super().__init__(message)

    @property
    def gone(self) -> bool:
        """Tell whether the source said the post is removed or private (404, 410, 401, 403)."""
        return self.status in GONE_STATUSES


class BlockedAddressError(FetchError):
    """A URL resolved to a loopback, private or reserved address."""


class ResponseTooLargeError(FetchError):
    """A response body went past its size cap while streaming."""


class FetchTimeoutError(FetchError):
    """A request went past its connect timeout or total deadline."""


class OEmbedError(FetchError):
    """An oEmbed answer was received but cannot be used (not an object, bad type)."""


class RenderError(StoryboardError):
    """A template is missing or broken, or the output cannot be written."""


class OutputWriteError(WriteError, RenderError):
    """An output file cannot be written: a write failure (its exit code), met while rendering."""
