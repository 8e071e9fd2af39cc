"""Worker threads that take the URLs themselves, no host asked more than its share at once.

A dispatcher handing out work from the thread that also merges and reports results
lets workers idle while it is busy; here each worker, when free, takes the next URL
itself from a ``HostQueue``: from the host with the most URLs left (so that a host
held to ``per_host`` at a time is not left for last), among those with a free slot.

Before the resolver is ready (``fetch`` still loading the story and its snapshots),
the workers can already ask each URL's first request (``EarlyAnswers``). A URL holds
its host's slot from its first request to the end of its resolving, as without the
early start: an answered URL keeps it while it waits for the resolver (a host whose
later requests hang must not starve the answers it gave), and is resolved before the
URLs not asked yet once ``begin`` is called: by a few workers, while the others go on
asking.

There are a few more workers than requests at once (``HttpClient``'s
``requests_at_once`` keeps to the limit): while one worker reads an answer and builds
its card, another's request is already on the way, instead of every request waiting
for the CPU work of the one before it.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from storyboard.fetch.resolver import Resolution


class Taken(NamedTuple):
    """A URL handed to a worker, and what to do with it."""

    url: str
    host: str  # its first request's server, whose slot it holds
    resolve: bool  # False: only ask its first request (the resolver is not ready yet)
    answered: bool  # its first request was asked early


class HostQueue:
    """URLs waiting, by host; each is taken only while its host has a free slot."""

    def __init__(self, per_host: int, *, backlog_workers: int) -> None:
        self._per_host = max(1, per_host)
        #: Workers that may resolve answered URLs while others still wait to be asked.
        self._backlog_workers = max(1, backlog_workers)
        self._resolving_answered = 0
        self._ready = threading.Condition()
        self._waiting: dict[str, deque[str]] = {}
        #: Asked early, each holding its host's slot: resolved first, in the order asked.
        self._answered: deque[tuple[str, str]] = deque()
        self._busy: dict[str, int] = {}
        self._resolving = False  # False: only early requests are handed out
        self._closed = False  # no more URLs will come
        self._wanted: set[str] | None = None  # once known: the URLs to resolve
        self._stopped = False

    def add(self, url: str, host: str) -> None:
        """Queue ``url`` behind the other URLs of ``host``."""
        with self._ready:
            self._waiting.setdefault(host, deque()).append(url)
            self._ready.notify()

    def begin_resolving(self) -> None:
        """From now on, URLs are handed out to be resolved, the answered ones first."""
        with self._ready:
            self._resolving = True
            self._ready.notify_all()

    def retain(self, wanted: set[str]) -> None:
        """Drop the URLs not in ``wanted``, queued or still asked early; free their slots."""
        with self._ready:
            self._wanted = wanted
            for host, line in list(self._waiting.items()):
                kept = deque(url for url in line if url in wanted)
                if kept:
                    self._waiting[host] = kept
                else:
                    del self._waiting[host]
            for url, host in [item for item in self._answered if item[0] not in wanted]:
                self._answered.remove((url, host))
                self._busy[host] -= 1
            self._ready.notify_all()

    def close(self) -> None:
        """Say that no more URLs will come: workers end once every URL is taken."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()

    def stop(self) -> None:
        """Hand out nothing more (Ctrl-C, a run given up): every waiting worker ends."""
        with self._ready:
            self._stopped = True
            self._ready.notify_all()

    def take(self) -> Taken | None:
        """Wait for a URL whose host has a free slot; None: nothing is left to take."""
        with self._ready:
            while not self._stopped:
                taken = self._take_next()
                if taken is not None:
                    return taken
                if self._resolving and self._closed and not self._waiting and not self._answered:
                    return None
                self._ready.wait()
            return None

    def _take_next(self) -> Taken | None:
        if not self._resolving:
            return self._take_waiting()
        # The answers that came in while the story loaded are worked off by a few
        # workers; the others go on asking, so that the requests at once stay busy.
        if self._resolving_answered < self._backlog_workers:
            taken = self._take_answered()
            if taken is not None:
                return taken
        return self._take_waiting() or self._take_answered()

    def _take_answered(self) -> Taken | None:
        if not self._answered:
            return None
        url, host = self._answered.popleft()  # its slot is held already
        self._resolving_answered += 1
        return Taken(url, host, resolve=True, answered=True)

    def _take_waiting(self) -> Taken | None:
        ready = [h for h in self._waiting if self._busy.get(h, 0) < self._per_host]
        if not ready:
            return None
        host = max(ready, key=lambda h: (len(self._waiting[h]), -self._busy.get(h, 0)))
        url = self._waiting[host].popleft()
        if not self._waiting[host]:
            del self._waiting[host]  # keeps each choice to the hosts that still have work
        self._busy[host] = self._busy.get(host, 0) + 1
        return Taken(url, host, resolve=self._resolving, answered=False)

    def answered(self, url: str, host: str) -> None:
        """Queue ``url``, asked early, to be resolved first; it keeps its host's slot."""
        with self._ready:
            if self._wanted is None or url in self._wanted:
                self._answered.append((url, host))
            else:
                self._busy[host] -= 1  # asked for a story the checked one is not
            self._ready.notify_all()

    def release(self, taken: Taken) -> None:
        """Free the slot of ``taken``'s host: its URL is resolved."""
        with self._ready:
            self._busy[taken.host] -= 1
            if taken.answered:
                self._resolving_answered -= 1
            self._ready.notify_all()

    def hosts_in_flight(self) -> list[str]:
        """Return the hosts being asked now, sorted."""
        with self._ready:
            return sorted(host for host, busy in self._busy.items() if busy)


#: Workers beyond the requests at once: reading answers while the others' requests run.
SPARE_WORKERS = 4


class FetchWorkers:
    """Up to ``concurrency + SPARE_WORKERS`` threads taking URLs from one ``HostQueue``.

    The threads are daemons: a run given up (Ctrl-C, a story that fails its checks)
    does not wait for a slow server, and nothing of theirs is saved but what the
    caller merged. A run that ends normally waits for them (``join``).
    """

    def __init__(
        self,
        *,
        concurrency: int,
        per_host: int,
        request_host: Callable[[str], str],
        ask_early: Callable[[str], None] | None = None,
    ) -> None:
        concurrency = max(1, concurrency)
        self._threads_at_most = concurrency + SPARE_WORKERS
        self._request_host = request_host
        self._ask_early = ask_early
        self._queue = HostQueue(per_host, backlog_workers=SPARE_WORKERS)
        self._known: set[str] = set()
        self._threads: list[threading.Thread] = []
        self._resolve: Callable[[str], Resolution] | None = None
        self._finished: queue.SimpleQueue[tuple[str, Future[Resolution]]] = queue.SimpleQueue()

    def add(self, urls: Iterable[str]) -> None:
        """Queue the URLs not queued before, in order; start workers for them."""
        for url in urls:
            if url not in self._known:
                self._known.add(url)
                self._queue.add(url, self._request_host(url))
        while len(self._threads) < min(self._threads_at_most, len(self._known)):
            thread = threading.Thread(
                target=self._work, name=f"fetch_{len(self._threads)}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def begin(self, resolve: Callable[[str], Resolution], wanted: list[str]) -> None:
        """Resolve exactly ``wanted``: the URLs queued before and not wanted are dropped."""
        self._resolve = resolve
        self._queue.retain(set(wanted))
        self._queue.begin_resolving()
        self.add(wanted)
        self._queue.close()

    def finished(self, timeout: float) -> list[tuple[str, Future[Resolution]]]:
        """Return the URLs resolved since last asked, waiting up to ``timeout`` for one."""
        try:
            batch = [
                self._finished.get(timeout=timeout) if timeout > 0 else self._finished.get_nowait()
            ]
        except queue.Empty:
            return []
        while True:
            try:
                batch.append(self._finished.get_nowait())
            except queue.Empty:
                return batch

    def hosts_in_flight(self) -> list[str]:
        """Return the hosts being asked now, sorted."""
        return self._queue.hosts_in_flight()

    def stop(self) -> None:
        """Start nothing more; the requests in flight end on their own."""
        self._queue.stop()

    def join(self) -> None:
        """Wait for every worker to end (after ``begin``, once every URL is resolved)."""
        for thread in self._threads:
            thread.join()

    def _work(self) -> None:
        while (taken := self._queue.take()) is not None:
            url = taken.url
            if not taken.resolve:
                if self._ask_early is not None:
                    # What went wrong is met again, and told, where the URL is resolved.
                    with contextlib.suppress(Exception):
                        self._ask_early(url)
                self._queue.answered(url, taken.host)
                continue
            assert self._resolve is not None  # set before the queue hands out URLs to resolve
            result: Future[Resolution] = Future()
            try:
                result.set_result(self._resolve(url))
            except BaseException as exc:  # the caller's merge says what it means for the run
                result.set_exception(exc)
            finally:
                self._queue.release(taken)
            self._finished.put((url, result))
