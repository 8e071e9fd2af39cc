"""Notice that the preview's inputs changed: file events where the system has them, else a poll.

What changed is always decided by comparing fingerprints (name, mtime, size, inode of
every watched file): events only say *when* to look. With events (``watchfiles``, the
kernel's inotify and the like) a save is seen within milliseconds; a slow look every
second stays as a safety net for filesystems whose events never come (a network share
changed from another machine). Without ``watchfiles``, or where it cannot watch, the
preview looks every ``poll_interval``.

A file is watched through its folder (not recursively): editors that save by writing a
new file and renaming it over the old one (vim, atomic writers) replace the inode a
watch on the file itself would follow. Folders (pictures, theme) are watched whole.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

#: What identifies the version of every watched file: (path, mtime_ns, size, inode).
Fingerprint = tuple[tuple[str, int, int, int], ...]

#: How long a burst of events may go on before the watcher reports it (an editor's save is
#: a truncate and a write, or a write and a rename): one look for the whole save.
SETTLE_MS = 15
#: The safety-net look while events work, in seconds.
BACKSTOP_INTERVAL = 1.0
#: How often a watcher thread checks that it should stop, in milliseconds.
_STOP_CHECK_MS = 200


def fingerprint(paths: Iterable[Path], *, ignore: Path | None = None) -> Fingerprint:
    """Return what identifies the current version of every file in ``paths`` (folders walked).

    Files inside ``ignore`` (the output folder) do not count, so a theme folder that
    holds the output cannot make each render start the next one.
    """
    skip = ignore.resolve() if ignore is not None else None
    seen: list[tuple[str, int, int, int]] = []
    for path in paths:
        # A linked folder (a refused STORY.assets link) counts as itself: never walked.
        walk = path.is_dir() and not path.is_symlink()
        files = sorted(p for p in path.rglob("*") if p.is_file()) if walk else [path]
        for file in files:
            if skip is not None and file.resolve().is_relative_to(skip):
                continue
            try:
                stat = file.stat()
            except OSError:
                continue  # absent, or removed while we looked: its absence is the state
            # The inode too: editors and atomic writers replace a file by renaming onto it.
            seen.append((str(file), stat.st_mtime_ns, stat.st_size, stat.st_ino))
    return tuple(seen)


def watch_roots(paths: Iterable[Path]) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """Return the folders to watch for ``paths``: (each file's folder, whole folders).

    A path that does not exist yet (the snapshot file before the first fetch, the
    pictures folder) is watched through the nearest folder that does.
    """
    flat: dict[Path, None] = {}
    deep: dict[Path, None] = {}
    for path in paths:
        if path.is_dir() and not path.is_symlink():  # a linked folder is refused, not walked
            deep[path.resolve()] = None
            continue
        parent = path.parent
        while not parent.is_dir() and parent != parent.parent:
            parent = parent.parent
        flat[parent.resolve()] = None
    return tuple(flat), tuple(deep)


class ChangeWatcher:
    """Wake the preview when a watched path may have changed."""

    def __init__(
        self,
        paths: Callable[[], list[Path]],
        *,
        poll_interval: float,
        use_events: bool = True,
        report: Callable[[str], None] | None = None,
    ) -> None:
        """Watch what ``paths()`` returns (asked again after each change)."""
        self._paths = paths
        self._poll_interval = poll_interval
        self._report = report or (lambda _message: None)
        self._changed = threading.Event()
        self._stop_threads = threading.Event()
        self._threads: list[threading.Thread] = []
        self._roots: tuple[tuple[Path, ...], tuple[Path, ...]] | None = None
        self._events_work = False
        self._use_events = use_events
        if use_events:
            try:
                import watchfiles  # noqa: F401, PLC0415  (optional at run time: a poll does)
            except ImportError:
                self._use_events = False

    @property
    def uses_events(self) -> bool:
        """Tell whether file events wake the preview (else it polls)."""
        return self._events_work

    def start(self) -> None:
        """Start watching the current paths."""
        self.refresh()

    def refresh(self) -> None:
        """Watch the folders of the current paths, when they are other ones than before."""
        if not self._use_events:
            return
        roots = watch_roots(self._paths())
        if roots == self._roots and all(t.is_alive() for t in self._threads):
            return
        self._stop_event_threads()
        self._roots = roots
        self._stop_threads = threading.Event()
        flat, deep = roots
        self._threads = [
            threading.Thread(
                target=self._watch,
                args=(folders, recursive, self._stop_threads),
                name="preview-events",
                daemon=True,
            )
            for folders, recursive in ((flat, False), (deep, True))
            if folders
        ]
        self._events_work = True
        for thread in self._threads:
            thread.start()

    def _watch(self, folders: tuple[Path, ...], recursive: bool, stop: threading.Event) -> None:
        from watchfiles import watch  # noqa: PLC0415  (only where events are used)

        try:
            for _changes in watch(
                *folders,
                watch_filter=None,  # the fingerprint decides what counts
                debounce=1000,
                step=SETTLE_MS,
                stop_event=stop,
                rust_timeout=_STOP_CHECK_MS,
                recursive=recursive,
                raise_interrupt=False,
                ignore_permission_denied=True,
            ):
                self._changed.set()
        except Exception as exc:  # any failure of the watcher: fall back to a poll
            if not stop.is_set():
                self._events_work = False
                self._report(
                    f"note: file events unavailable ({exc}); looking every "
                    f"{self._poll_interval:g} s instead"
                )

    def wait(self, stopping: threading.Event) -> bool:
        """Wait for a possible change, or the next look; return False once ``stopping`` is set."""
        timeout = BACKSTOP_INTERVAL if self._events_work else self._poll_interval
        if self._changed.wait(timeout):
            self._changed.clear()
        return not stopping.is_set()

    def wake(self) -> None:
        """Make the next ``wait`` return at once (stopping, or a change seen elsewhere)."""
        self._changed.set()

    def _stop_event_threads(self) -> None:
        self._stop_threads.set()
        for thread in self._threads:
            thread.join()
        self._threads = []

    def stop(self) -> None:
        """Stop watching; wait for the watcher threads to end."""
        self._stop_event_threads()
        self.wake()
