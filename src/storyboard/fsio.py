"""Files written whole or not at all, files read within a size cap, and leftovers swept.

Every file storyboard writes (the story on ``add``, the snapshot file, archived media,
rendered pages) goes through a temporary file in the target's own folder, is flushed to
disk, and is renamed over the target: a crash or a concurrent reader sees the old file
or the new one, whole, never half of it. A process killed mid-write leaves its
temporary file behind; ``remove_stale_temporaries`` deletes those once they are old
enough not to belong to a writer still at work.

Two storyboard commands may work on one story at once (a long ``fetch`` while ``add``
or ``collect`` runs). Each read-merge-write of a file happens inside ``locked(path)``:
the other command waits its turn, then re-reads what is on disk before it merges, so
neither drops the other's entries.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from storyboard.errors import LockTimeoutError, StoryboardError, UsageError, WriteError

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
    # os.urandom, as secrets.token_hex uses; secrets itself costs the quick paths an import.
    return path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")


def _default_mode(path: Path) -> int:
    """Keep the mode of the file being replaced; a new file gets what a plain write would."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


#: What a file is written from: its bytes, a file to copy, or pieces of bytes in order
#: (a long output written as it is made, never held whole in memory).
Content = bytes | Path | Iterable[bytes]


def _write_temporary(path: Path, content: Content, mode: int | None) -> Path:
    """Write ``content`` to a new temporary file beside ``path``."""
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


def _copy_into(handle: BinaryIO, content: Content) -> None:
    if isinstance(content, bytes):
        handle.write(content)
    elif isinstance(content, Path):
        import shutil  # only for a file to copy

        with content.open("rb") as source:
            shutil.copyfileobj(source, handle)
    else:
        for piece in content:
            handle.write(piece)


def _sync_folder(folder: Path) -> None:
    """Make a rename durable; not every filesystem lets a directory be opened."""
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_atomically(path: Path, content: Content, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``content``: temp file, fsync, rename.

    ``content`` is bytes, a file to copy, or an iterable of byte pieces (a generator:
    an exception it raises, like a full disk, leaves the old file as it was). ``mode``
    defaults to the replaced file's mode, or for a new file the mode a plain write gives
    (a web server must be able to read rendered pages).
    """
    with replacing(path, content, mode=mode):
        pass


@contextlib.contextmanager
def replacing(path: Path, content: Content, *, mode: int | None = None) -> Iterator[None]:
    """Write ``content`` to a temporary file, run the block, then rename it over ``path``.

    What must exist before ``path`` does (the pictures a page names) is written inside
    the block; when the block raises, the temporary file goes and ``path`` stays as it was.
    """
    temporary = _write_temporary(path, content, mode)
    try:
        yield
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


#: Seconds a command waits for another to finish its write before giving up. A write
#: holds the lock for the time of one save, so a long wait means a stuck command.
DEFAULT_LOCK_TIMEOUT = 60.0
#: Overrides ``DEFAULT_LOCK_TIMEOUT`` (seconds), for scripts that would rather fail fast.
LOCK_TIMEOUT_VARIABLE = "STORYBOARD_LOCK_TIMEOUT"


def lock_path_for(path: Path) -> Path:
    """Return the lock taken around read-merge-write of ``path``: hidden, beside it."""
    return path.with_name(f".{path.name}.lock")


def _holder_path(lock: Path) -> Path:
    """Return the file naming who holds ``lock``: the lock file itself is truncated on open."""
    return lock.with_name(lock.name + ".holder")


def _lock_timeout() -> float:
    raw = os.environ.get(LOCK_TIMEOUT_VARIABLE, "")
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_LOCK_TIMEOUT
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


def _this_command() -> str:
    argv = [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv and sys.argv[0] else []
    if argv and argv[0] in ("__main__.py", "-m", "-c"):
        argv[0] = "storyboard"
    return " ".join(argv) or "storyboard"


def _say_waiting(text: str) -> None:
    # A wait happens deep inside a save, where no workflow feedback reaches; the person
    # must still learn at once why the command stands still.
    print(text, file=sys.stderr, flush=True)


def _holder(lock: Path) -> str:
    try:
        text = _holder_path(lock).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
    return " ".join(text.split())[:200]


@contextlib.contextmanager
def locked(
    path: Path,
    *,
    timeout: float | None = None,
    waiting: Callable[[str], None] = _say_waiting,
) -> Iterator[None]:
    """Hold the lock of ``path`` (see ``lock_path_for``) while the block reads and writes it.

    Waits for another storyboard command that holds it, saying so once through
    ``waiting``; after ``timeout`` seconds (default ``STORYBOARD_LOCK_TIMEOUT`` or 60)
    raises ``LockTimeoutError``. The lock is the operating system's (``flock``): a
    command that dies releases it, so it is never left behind.
    """
    # filelock is loaded by the first lock: ``fetch``'s first requests, which need none
    # of it, go out before.
    import filelock

    lock_file = lock_path_for(path)
    limit = _lock_timeout() if timeout is None else timeout
    try:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(lock_file)
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            who = _holder(lock_file)
            holder = f" ({who})" if who else ""
            waiting(f"waiting: another storyboard command{holder} is writing {path.name}")
            try:
                lock.acquire(timeout=limit, poll_interval=0.05)
            except filelock.Timeout:
                raise LockTimeoutError(path, limit, _holder(lock_file) or who) from None
    except OSError as exc:
        raise WriteError.from_os_error(exc, lock_file) from exc
    try:
        with contextlib.suppress(OSError):  # who holds it is a courtesy to a waiter
            _holder_path(lock_file).write_text(
                f"pid {os.getpid()}: {_this_command()}\n", encoding="utf-8"
            )
        yield
    finally:
        with contextlib.suppress(OSError):
            _holder_path(lock_file).unlink()
        lock.release()
