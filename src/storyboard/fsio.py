"""Files written whole or not at all, files read within a size cap, and leftovers swept.

Every file storyboard writes (the story on ``add``, the snapshot file, archived media,
rendered pages) goes through a temporary file in the target's own folder, is flushed to
disk, and is renamed over the target: a crash or a concurrent reader sees the old file
or the new one, whole, never half of it. A process killed mid-write leaves its
temporary file behind; ``remove_stale_temporaries`` deletes those once they are old
enough not to belong to a writer still at work.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from storyboard.errors import StoryboardError, UsageError

#: A temporary file older than this was left by a process killed while writing.
STALE_TEMPORARY_SECONDS = 600


class FileTooLargeError(StoryboardError):
    """A file is larger than its reader accepts."""

    def __init__(self, path: Path, limit: int) -> None:
        self.path = path
        self.limit = limit
        super().__init__(f"{path}: larger than {limit:,} bytes")


def temporary_pattern(path: Path) -> str:
    """Return the glob of the temporary files a write to ``path`` leaves if killed."""
    return f".{path.name}.*.tmp"


def _temporary_for(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")


def _default_mode(path: Path) -> int:
    """Keep the mode of the file being replaced; a new file gets what a plain write would."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _write_temporary(path: Path, content: bytes | Path, mode: int | None) -> Path:
    """Write ``content`` (bytes, or a file to copy) to a new temporary file beside ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_for(path)
    try:
        with temporary.open("xb") as handle:
            os.fchmod(handle.fileno(), _default_mode(path) if mode is None else mode)
            _copy_into(handle, content)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _copy_into(handle: BinaryIO, content: bytes | Path) -> None:
    if isinstance(content, Path):
        with content.open("rb") as source:
            shutil.copyfileobj(source, handle)
    else:
        handle.write(content)


def _sync_folder(folder: Path) -> None:
    """Make a rename durable; not every filesystem lets a directory be opened."""
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_atomically(path: Path, content: bytes | Path, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``content`` (bytes, or a file to copy): temp file, fsync, rename.

    ``mode`` defaults to the replaced file's mode, or for a new file the mode a plain
    write gives (a web server must be able to read rendered pages).
    """
    temporary = _write_temporary(path, content, mode)
    try:
        temporary.replace(path)  # atomic on POSIX and Windows (os.replace)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def write_new_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file ``path`` atomically; ``UsageError`` if it exists."""
    if path.exists():
        raise UsageError(f"{path}: already exists; not overwriting it")
    temporary = _write_temporary(path, data, None)
    try:
        # A hard link never replaces an existing file: the check and the write are one step.
        os.link(temporary, path)
    except FileExistsError:
        raise UsageError(f"{path}: already exists; not overwriting it") from None
    except OSError:  # a filesystem without hard links
        with path.open("xb") as target:
            target.write(data)
    finally:
        temporary.unlink(missing_ok=True)
    _sync_folder(path.parent)


def read_bounded(path: Path, limit: int) -> bytes:
    """Return the bytes of ``path``; ``FileTooLargeError`` past ``limit`` bytes.

    Reads at most ``limit + 1`` bytes, so a huge file (or ``/dev/zero``) costs no more.
    ``OSError`` (a missing or unreadable file) is the caller's to word.
    """
    with path.open("rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise FileTooLargeError(path, limit)
    return data


def remove_stale_temporaries(
    folder: Path, patterns: Iterable[str], *, now: float | None = None
) -> list[Path]:
    """Delete files in ``folder`` matching ``patterns`` left by a process killed mid-write.

    Only old ones (``STALE_TEMPORARY_SECONDS``): a younger file may belong to another
    storyboard writing right now. Returns the files removed.
    """
    cutoff = (time.time() if now is None else now) - STALE_TEMPORARY_SECONDS
    removed = []
    for pattern in patterns:
        for leftover in folder.glob(pattern):
            with contextlib.suppress(OSError):
                if leftover.is_file() and leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    removed.append(leftover)
    return removed
