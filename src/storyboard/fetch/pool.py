"""Fetch many URLs at once: workers under a per-host limit, results saved as they come."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storyboard.errors import FetchError, FetchInterruptError, StoryboardError
from storyboard.fetch.workers import FetchWorkers
from storyboard.urls import normalize_url

if TYPE_CHECKING:
    # The resolver pulls in HTTP, HTML and image code, the models pydantic: loaded to
    # fetch, not to read the pool's settings (``fetch`` starts its requests before).
    from storyboard.fetch.resolver import Resolution, UrlResolver
    from storyboard.model.snapshot import Snapshot
    from storyboard.snapshots import SnapshotStore


@dataclass(frozen=True)
class FetchOutcome:
    """What became of one URL in a fetch run."""

    url: str
    snapshot: Snapshot
    #: If it failed: one line naming the item and the cause (see ``failure_line``).
    error: str | None = None
    #: If it was fetched with a fallback worth telling: one line naming the item.
    note: str | None = None
    #: Why each picture that could not be archived was lost (the card renders without it).
    unarchived: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Tell whether the URL was fetched without error this time."""
        return self.error is None


@dataclass
class FetchReport:
    """The results of a fetch run, in the story's order."""

    outcomes: list[FetchOutcome] = field(default_factory=list)
    skipped: int = 0  # URLs that already had a usable snapshot
    seconds: float = 0.0

    @property
    def failures(self) -> list[FetchOutcome]:
        """Return the outcomes that failed."""
        return [o for o in self.outcomes if not o.ok]

    @property
    def notes(self) -> list[FetchOutcome]:
        """Return the outcomes fetched with a fallback worth telling."""
        return [o for o in self.outcomes if o.note is not None]


#: Seconds between two saves of the snapshot file while results come in.
SAVE_INTERVAL = 0.5

#: Called after each URL: (outcome, done, total, hosts still in flight).
ProgressCallback = Callable[[FetchOutcome, int, int, list[str]], None]


@dataclass(frozen=True)
class PoolSettings:
    """How many requests run at once, overall and per host."""

    concurrency: int = 8
    per_host: int = 2


def urls_to_fetch(urls: Iterable[str], store: SnapshotStore, *, refresh: bool) -> list[str]:
    """Return the normalized URLs that need a fetch, once each, in story order."""
    wanted: list[str] = []
    seen: set[str] = set()
    for url in urls:
        key = normalize_url(url)
        if key in seen:
            continue
        seen.add(key)
        if refresh or store.needs_fetch(key):
            wanted.append(key)
    return wanted


def fetch_urls(
    urls: list[str],
    store: SnapshotStore,
    resolver: UrlResolver,
    *,
    pool: PoolSettings | None = None,
    progress: ProgressCallback | None = None,
    workers: FetchWorkers | None = None,
) -> list[FetchOutcome]:
    """Resolve ``urls`` concurrently and merge each result into ``store`` as it arrives.

    The store is saved atomically as results come in, by a thread of its own so that
    no worker waits for the disk: at once after the first, then at most every
    ``SAVE_INTERVAL`` seconds (longer for a file so large that saving would take more
    than a tenth of the time), and at the end, also when interrupted. A process
    killed at any moment leaves a whole file holding every URL finished before the
    last save. No host has more than ``per_host`` requests in flight, and no worker
    waits idle on a busy host while another host has work (``fetch.workers``).
    ``workers`` already started (``fetch``'s head start) are given the URLs instead of
    new ones: those they asked early and ``urls`` does not hold are dropped.
    """
    pool = pool or PoolSettings()
    if workers is None:
        workers = FetchWorkers(
            concurrency=pool.concurrency,
            per_host=pool.per_host,
            request_host=resolver.request_host,
        )
    wanted = set(urls)
    results: dict[str, FetchOutcome] = {}
    with _Saver(store) as saver:
        try:
            workers.begin(resolver.resolve, urls)
            while len(results) < len(wanted):
                # A timeout, so that a save that failed stops the run soon.
                done = workers.finished(timeout=SAVE_INTERVAL)
                saver.raise_failure()
                batch = [_merge(store, url, result) for url, result in done if url in wanted]
                if batch:
                    saver.changed()
                hosts = workers.hosts_in_flight()
                for outcome in batch:
                    results[outcome.url] = outcome
                    if progress is not None:
                        progress(outcome, len(results), len(urls), hosts)
        except KeyboardInterrupt:
            # Ctrl-C: what finished meanwhile counts too (saved below); nothing else is asked.
            workers.stop()
            finished = [(u, r) for u, r in workers.finished(timeout=0) if u in wanted]
            for url, result in finished:
                results[url] = _merge(store, url, result)
            if finished:
                saver.changed()
            raise FetchInterruptError(len(results), len(urls)) from None
        except BaseException:
            workers.stop()
            raise
    workers.join()
    return [results[url] for url in urls]


class _Saver:
    """Save a store in a thread of its own while results come in, a few at a time.

    Saving rewrites the whole file: after every result it would cost O(n²) for n URLs,
    and done by the thread that hands out the work it would hold up the workers
    (2,000 URLs: seconds of saving while no request is sent). This thread coalesces
    what arrives meanwhile into the next save. Leaving the block stops it after the
    save in progress and saves what is left, also after an error or Ctrl-C.
    """

    def __init__(self, store: SnapshotStore) -> None:
        self._store = store
        self._wake = threading.Condition()
        self._pending = False  # results recorded since the last save began
        self._stopping = False
        self._failure: StoryboardError | OSError | None = None
        self._thread = threading.Thread(target=self._run, name="fetch-save", daemon=True)

    def __enter__(self) -> _Saver:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join()
        if self._pending or self._failure is not None:
            self._store.save()  # what the thread did not save, or could not

    def changed(self) -> None:
        """Note that results were recorded: they are saved soon, together with others."""
        with self._wake:
            self._pending = True
            self._wake.notify()

    def raise_failure(self) -> None:
        """Raise what stopped the saving thread (a full disk, a read-only folder)."""
        if self._failure is not None:
            raise self._failure

    def _run(self) -> None:
        next_save = 0.0
        while True:
            with self._wake:
                while not self._stopping and (not self._pending or time.monotonic() < next_save):
                    self._wake.wait(
                        max(0.0, next_save - time.monotonic()) if self._pending else None
                    )
                if self._stopping:
                    return
                self._pending = False
            started = time.monotonic()
            try:
                self._store.save()
            except (StoryboardError, OSError) as exc:
                self._failure = exc
                return
            cost = time.monotonic() - started
            next_save = time.monotonic() + max(SAVE_INTERVAL, 10 * cost)


@contextlib.contextmanager
def worker_pool(workers: int, name: str) -> Iterator[ThreadPoolExecutor]:
    """A thread pool that, when the block is left by an error or Ctrl-C, cancels the
    work not started yet and does not wait for the work in flight (a slow server may
    hold it for a whole timeout); a normal end waits for every task as usual.
    """
    executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix=name)
    try:
        yield executor
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


def failure_line(url: str, error: FetchError) -> str:
    """Return the one-line report of a failed story item: its URL, then the cause.

    The cause names the request that failed. When that was the item's own URL the
    line is the cause alone ("404 Not Found from https://social.example/@a/1");
    when it was an endpoint, a discovered link or a redirect target, the item's URL
    comes first ("https://social.example/@a/1: 404 Not Found from https://...").
    """
    message = " ".join(str(error).split())  # one line, whatever a server put in a reason
    return message if url in message else f"{url}: {message}"


def _unexpected(url: str, exc: Exception) -> FetchError:
    # What an answer's bytes made some parser raise that no earlier step turned into a
    # FetchError: this item fails, with the cause, and the rest of the run goes on.
    message = f"could not read what was sent for {url} ({type(exc).__name__}: {exc})"
    return FetchError(message[:500], url=url)


def _merge(store: SnapshotStore, url: str, future: Future[Resolution]) -> FetchOutcome:
    from storyboard.model.snapshot import FetchFailure

    try:
        try:
            resolution = future.result()
        except StoryboardError:
            raise  # FetchError below; a folder that cannot be written stops the run
        except (ValueError, LookupError, TypeError, AttributeError, RecursionError) as exc:
            raise _unexpected(url, exc) from exc
    except FetchError as exc:
        failure = FetchFailure(message=str(exc), at=store.clock(), status=exc.status)
        kept = store.record_failure(url, failure, gone=exc.gone)
        return FetchOutcome(url=url, snapshot=kept, error=failure_line(url, exc))
    snapshot = resolution.snapshot
    kept = store.record_success(snapshot)
    notes = []
    reason = snapshot.discovery_failure
    if reason is not None:
        # The page answered but its oEmbed link did not (refused, broken, down).
        richer_kept = kept.source != snapshot.source  # the store keeps richer data it had
        fallback = "kept the earlier snapshot" if richer_kept else "used page metadata"
        notes.append(f"oEmbed discovery failed ({reason}); {fallback}")
    notes.extend(resolution.notes)
    if kept.not_the_content is not None:
        notes.append(f"{kept.not_the_content}; a plain link card")
    elif snapshot.not_the_content is not None:
        notes.append(f"{snapshot.not_the_content}; kept the earlier snapshot")
    notes.extend(f"picture not archived ({reason})" for reason in resolution.unarchived)
    note = f"{url}: " + "; ".join(notes) if notes else None
    return FetchOutcome(url=url, snapshot=kept, note=note, unarchived=resolution.unarchived)


def timed_fetch(
    urls: list[str],
    store: SnapshotStore,
    resolver: UrlResolver,
    *,
    pool: PoolSettings | None = None,
    progress: ProgressCallback | None = None,
    skipped: int = 0,
    workers: FetchWorkers | None = None,
) -> FetchReport:
    """Run ``fetch_urls`` and report the outcomes with the wall time taken."""
    start = time.monotonic()
    outcomes = fetch_urls(urls, store, resolver, pool=pool, progress=progress, workers=workers)
    return FetchReport(outcomes=outcomes, skipped=skipped, seconds=time.monotonic() - start)
