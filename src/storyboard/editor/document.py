"""The story file the editor writes: read with its version, changed only if nobody else did.

The version of the file is the hash of its bytes. Every change names the version it
was made on; when the file on disk has another one (a hand edit, a ``git pull``), the
change is refused and the editor shows the file as it now is: the other change is
never overwritten. A change is written whole or not at all, through the atomic writer,
with the file's byte order mark and line endings as they were, under the same lock as
``add`` and ``collect`` take (and, for the snapshot file, ``fetch``).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from storyboard.errors import StoryboardError, UsageError, WriteError
from storyboard.fsio import locked, read_bounded, write_atomically
from storyboard.storyfile.limits import MAX_STORY_BYTES
from storyboard.storyfile.story_text import EditResult

_BOM = b"\xef\xbb\xbf"

#: A change: the file's text in, the new text and its undo out.
Edit = Callable[[str], EditResult]


class ChangedOnDiskError(StoryboardError):
    """The story file is not the version the change was made on."""


def version_of(data: bytes) -> str:
    """Return the version of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Revision:
    """The story file as read once: its bytes and their version."""

    data: bytes

    @property
    def version(self) -> str:
        """Return the hash of the bytes."""
        return version_of(self.data)

    @property
    def bom(self) -> bytes:
        """Return the byte order mark the file starts with, if any."""
        return _BOM if self.data.startswith(_BOM) else b""

    @property
    def text(self) -> str:
        """Return the file's text, without its byte order mark."""
        return self.data[len(self.bom) :].decode("utf-8")


class StoryDocument:
    """One story file, changed by one edit at a time."""

    def __init__(self, path: Path) -> None:
        """Edit the story file at ``path``."""
        self.path = path
        self._lock = threading.Lock()

    def read(self) -> Revision:
        """Return the file as it is on disk now."""
        try:
            return Revision(read_bounded(self.path, MAX_STORY_BYTES))
        except OSError as exc:  # removed or unreadable meanwhile (a git checkout, say)
            raise UsageError(f"{self.path}: cannot read: {exc.strerror or exc}") from exc

    def change(self, version: str, edit: Edit) -> tuple[Revision, EditResult]:
        """Apply ``edit`` to the file if it is still at ``version``; return the new revision.

        Raises ``ChangedOnDiskError`` when the file is at another version.
        """
        with self._lock:
            self._apply(version, edit)  # a refused edit is refused before the lock file exists
            # Read, edit and write under the file's lock, as ``add`` does: a command that
            # writes the story meanwhile waits its turn, and its change is seen here.
            with locked(self.path):
                return self._apply(version, edit, write=True)

    def _apply(
        self, version: str, edit: Edit, *, write: bool = False
    ) -> tuple[Revision, EditResult]:
        current = self.read()
        if current.version != version:
            raise ChangedOnDiskError(f"{self.path}: changed on disk; reloaded it")
        result = edit(current.text)
        data = current.bom + result.text.encode("utf-8")
        if write and data != current.data:
            try:
                write_atomically(self.path, data)
            except OSError as exc:  # a full disk, a read-only folder: the old file stays
                raise WriteError.from_os_error(exc, self.path) from exc
        return Revision(data), result


__all__ = ["ChangedOnDiskError", "Edit", "Revision", "StoryDocument", "version_of"]
