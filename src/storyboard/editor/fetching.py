"""Fetch new items in the background while the curator goes on editing.

One fetch runs at a time through the same pool as ``storyboard fetch`` (its snapshot
store loaded fresh, so a run never saves over another's results); URLs pasted
meanwhile wait their turn. Each URL's state (waiting, fetching, failed with a
reason) is kept until the editor asks, and a counter that grows with every result
tells the page when to load the story again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from storyboard.commands.network import NetworkOptions
from storyboard.editor import later
from storyboard.errors import StoryboardError
from storyboard.model.story import UrlItem
from storyboard.urls import normalize_url

if TYPE_CHECKING:
    from storyboard.fetch.pool import FetchOutcome, FetchReport

#: Where the snapshots of new items come from: a fetch, or a function that writes them.
Seeder = Callable[[], object]


class BackgroundFetches:
    """Fetch URLs of one story in a background thread, one run after the other."""

    def __init__(
        self, story_path: Path, network: NetworkOptions, *, report: Callable[[str], None]
    ) -> None:
        """Fetch for the story at ``story_path`` with ``network``'s settings."""
        self.story_path = story_path
        self.network = network
        self._report = report
        self._lock = threading.Lock()
        self._pending: dict[str, str] = {}  # normalized URL -> "waiting" | "fetching"
        self._failed: dict[str, str] = {}  # normalized URL -> reason
        self._generation = 0
        self._total = 0  # URLs queued since the queue was last empty: the progress's "of N"
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="editor-fetch")

    @property
    def generation(self) -> int:
        """Return a number that grows each time a URL's state changes."""
        with self._lock:
            return self._generation

    def state(self, url: str) -> tuple[str, str]:
        """Return ``(state, reason)`` of ``url``: waiting, fetching, failed or idle."""
        key = normalize_url(url)
        with self._lock:
            if key in self._pending:
                return self._pending[key], ""
            if key in self._failed:
                return "failed", self._failed[key]
        return "idle", ""

    def progress(self) -> tuple[int, int]:
        """Return how many URLs wait or are being fetched, of how many queued since idle."""
        with self._lock:
            return len(self._pending), self._total if self._pending else 0

    def _queue(self, keys: Sequence[str]) -> None:
        """Mark ``keys`` waiting (the lock held)."""
        if not self._pending:
            self._total = 0
        for key in keys:
            if key not in self._pending:
                self._total += 1
            self._pending[key] = "waiting"

    def fetch(self, urls: Sequence[str], *, refresh: bool = False) -> None:
        """Queue ``urls`` for a fetch (again, with ``refresh``)."""
        keys = [normalize_url(url) for url in urls]
        with self._lock:
            keys = [key for key in keys if key not in self._pending]
            self._queue(keys)
            for key in keys:
                self._failed.pop(key, None)
            self._generation += 1
        if keys:
            self._executor.submit(self._run, keys, refresh)

    def seed(self, urls: Sequence[str], seeder: Seeder) -> None:
        """Run ``seeder`` (which writes the URLs' snapshots) in turn, then fetch what it missed."""
        keys = [normalize_url(url) for url in urls]
        with self._lock:
            self._queue(keys)
            self._generation += 1

        def run() -> None:
            try:
                seeder()
            except StoryboardError as exc:
                self._report(f"error: {exc}")
            self._run(keys, False)

        self._executor.submit(run)

    def _run(self, keys: list[str], refresh: bool) -> None:
        with self._lock:
            for key in keys:
                self._pending[key] = "fetching"
            self._generation += 1
        with later.IMPORTS:  # the editor opens without the fetch machinery
            from storyboard.commands.fetch import fetch_story  # noqa: PLC0415
            from storyboard.commands.opened import open_story  # noqa: PLC0415

        try:
            opened = open_story(self.story_path, self)
            items = [UrlItem(url=key) for key in keys]
            store = opened.load_snapshots()
            fetch_story(opened, store, self.network, self, refresh=refresh, items=items)
        except StoryboardError as exc:
            with self._lock:
                for key in keys:
                    if key in self._pending:
                        self._failed[key] = str(exc)
            self._report(f"error: {exc}")
        except Exception as exc:  # a bug must not stop the editor; say it on the cards
            with self._lock:
                for key in keys:
                    if key in self._pending:
                        self._failed[key] = f"internal error: {type(exc).__name__}: {exc}"
            raise
        finally:
            with self._lock:
                for key in keys:
                    self._pending.pop(key, None)
                self._generation += 1

    # -- the fetch's feedback ------------------------------------------------------------

    def __call__(self, outcome: FetchOutcome, done: int, total: int, hosts: list[str]) -> None:
        """Record one URL's result: the page loads the story again and shows its card."""
        key = normalize_url(outcome.url)
        with self._lock:
            self._pending.pop(key, None)
            if outcome.error is not None:
                self._failed[key] = outcome.error
            self._generation += 1
        self._report(
            f"fetched {done}/{total}: {outcome.url}"
            + (f" ({outcome.error})" if outcome.error else "")
        )

    def finish(self, report: FetchReport) -> None:
        """Say how the fetch went."""
        self._report(f"fetched {len(report.outcomes)} URLs, {len(report.failures)} failed")

    def message(self, text: str) -> None:
        """Pass a line (a warning of the story file) to the console."""
        self._report(text)

    def close(self) -> None:
        """Wait for the fetch in progress, drop the ones waiting."""
        self._executor.shutdown(wait=True, cancel_futures=True)


__all__ = ["BackgroundFetches"]
