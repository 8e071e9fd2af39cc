"""Fetch many URLs at once: a worker pool, a per-host limit, results saved as they come."""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from storyboard.errors import FetchError
from storyboard.resolver import UrlResolver, is_gone
from storyboard.snapshot import FetchFailure, Snapshot
from storyboard.snapshot_store import SnapshotStore
from storyboard.urls import normalize_url


@dataclass(frozen=True)
class FetchOutcome:
    """What became of one URL in a fetch run."""

    url: str
    snapshot: Snapshot
    error: str | None = None  # the failure's one-line message, if it failed

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
) -> list[FetchOutcome]:
    """Resolve ``urls`` concurrently and merge each result into ``store`` as it arrives.

    The store is saved after every batch of finished URLs, so a process killed at any
    moment leaves a file holding every URL finished before the last save. Requests are
    dispatched so that no host has more than ``per_host`` in flight and no worker
    waits idle on a busy host while another host has work.
    """
    pool = pool or PoolSettings()
    by_host: dict[str, deque[str]] = {}
    for url in urls:
        by_host.setdefault(resolver.request_host(url), deque()).append(url)
    in_flight: dict[Future[Snapshot], tuple[str, str]] = {}
    busy: dict[str, int] = {}
    results: dict[str, FetchOutcome] = {}

    def dispatch(executor: ThreadPoolExecutor) -> None:
        while len(in_flight) < pool.concurrency:
            ready = [h for h, q in by_host.items() if q and busy.get(h, 0) < pool.per_host]
            if not ready:
                return
            # The least busy host first keeps every host moving.
            host = min(ready, key=lambda h: busy.get(h, 0))
            url = by_host[host].popleft()
            busy[host] = busy.get(host, 0) + 1
            in_flight[executor.submit(resolver.resolve, url)] = (url, host)

    with ThreadPoolExecutor(max_workers=pool.concurrency, thread_name_prefix="fetch") as ex:
        dispatch(ex)
        while in_flight:
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                url, host = in_flight.pop(future)
                busy[host] -= 1
                outcome = _merge(store, url, future)
                results[url] = outcome
                if progress is not None:
                    hosts = sorted({h for _, h in in_flight.values()})
                    progress(outcome, len(results), len(urls), hosts)
            dispatch(ex)
            store.save()
    return [results[url] for url in urls]


def _merge(store: SnapshotStore, url: str, future: Future[Snapshot]) -> FetchOutcome:
    try:
        snapshot = future.result()
    except FetchError as exc:
        failure = FetchFailure(
            message=str(exc), at=dt.datetime.now(dt.UTC).replace(microsecond=0), status=exc.status
        )
        kept = store.record_failure(url, failure, gone=is_gone(exc))
        return FetchOutcome(url=url, snapshot=kept, error=str(exc))
    return FetchOutcome(url=url, snapshot=store.record_success(snapshot))


def timed_fetch(
    urls: list[str],
    store: SnapshotStore,
    resolver: UrlResolver,
    *,
    pool: PoolSettings | None = None,
    progress: ProgressCallback | None = None,
    skipped: int = 0,
) -> FetchReport:
    """Run ``fetch_urls`` and report the outcomes with the wall time taken."""
    start = time.monotonic()
    outcomes = fetch_urls(urls, store, resolver, pool=pool, progress=progress)
    return FetchReport(outcomes=outcomes, skipped=skipped, seconds=time.monotonic() - start)
