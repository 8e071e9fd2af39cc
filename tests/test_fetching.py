"""The fetch scheduler: concurrency, the per-host limit, order and saving as results come."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

from storyboard.errors import FetchError
from storyboard.fetch.pool import PoolSettings, fetch_urls, urls_to_fetch
from storyboard.fetch.resolver import Resolution
from storyboard.fetch.workers import SPARE_WORKERS, FetchWorkers, HostQueue, Taken
from storyboard.model.card import Card, CardKind
from storyboard.model.snapshot import Snapshot, SnapshotStatus, Source, SourceKind
from storyboard.snapshots import SnapshotStore
from storyboard.urls import host_of


class RecordingResolver:
    """Stands in for ``UrlResolver``: sleeps like a slow server and records overlap per host."""

    def __init__(self, delay: float = 0.05, failing: frozenset[str] = frozenset()) -> None:
        self.delay = delay
        self.failing = failing
        self.lock = threading.Lock()
        self.active: dict[str, int] = {}
        self.peak_per_host: dict[str, int] = {}
        self.peak_total = 0

    def request_host(self, url: str) -> str:
        return host_of(url)

    def resolve(self, url: str) -> Resolution:
        host = host_of(url)
        with self.lock:
            self.active[host] = self.active.get(host, 0) + 1
            self.peak_per_host[host] = max(self.peak_per_host.get(host, 0), self.active[host])
            self.peak_total = max(self.peak_total, sum(self.active.values()))
        time.sleep(self.delay)
        with self.lock:
            self.active[host] -= 1
        if url in self.failing:
            raise FetchError(f"404 Not Found from {url}", url=url, status=404)
        return Resolution(
            Snapshot(
                url=url,
                status=SnapshotStatus.OK,
                source=Source(kind=SourceKind.PROVIDER),
                card=Card(kind=CardKind.LINK, url=url),
            )
        )


def urls(hosts: int, per_host: int) -> list[str]:
    return [f"https://h{h}.example/p/{i}" for i in range(per_host) for h in range(hosts)]


def test_limits_hold_and_results_keep_the_story_order(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "s.snapshots.json")
    resolver = RecordingResolver()
    wanted = urls(hosts=8, per_host=6)  # room for more than 8 + SPARE_WORKERS at once
    outcomes = fetch_urls(
        wanted,
        store,
        resolver,
        pool=PoolSettings(concurrency=8, per_host=2),  # type: ignore[arg-type]
    )
    assert [o.url for o in outcomes] == wanted
    assert max(resolver.peak_per_host.values()) == 2
    # A few URLs more than requests at once: the client holds the requests to 8.
    assert resolver.peak_total == 8 + SPARE_WORKERS
    saved = json.loads(store.path.read_text(encoding="utf-8"))["snapshots"]
    assert set(saved) == set(wanted)


class LosingPicturesResolver(RecordingResolver):
    """Resolves every URL, but says two of its pictures could not be archived."""

    def resolve(self, url: str) -> Resolution:
        found = super().resolve(url)
        return Resolution(found.snapshot, unarchived=("404 Not Found from a", "not an image: b"))


def test_pictures_not_archived_reach_the_caller(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "s.snapshots.json")
    url = "https://h.example/p/1"
    [outcome] = fetch_urls([url], store, LosingPicturesResolver(delay=0))  # type: ignore[arg-type]
    assert outcome.ok
    assert outcome.unarchived == ("404 Not Found from a", "not an image: b")
    assert outcome.note == (
        f"{url}: picture not archived (404 Not Found from a); "
        "picture not archived (not an image: b)"
    )


def test_wall_time_is_near_the_ideal_not_the_sum(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "s.snapshots.json")
    resolver = RecordingResolver(delay=0.1)
    wanted = urls(hosts=4, per_host=4)  # 16 URLs, 8 at a time: ideal 2 rounds
    start = time.monotonic()
    fetch_urls(wanted, store, resolver, pool=PoolSettings(concurrency=8, per_host=2))  # type: ignore[arg-type]
    elapsed = time.monotonic() - start
    # One after another would take at least 16 x 0.1 s; 8 at a time takes 0.2 s on a quiet
    # machine. The margin is wide so that a loaded machine cannot fail it, while a pool that
    # ran the URLs one by one still would.
    assert elapsed < 0.1 * 16 * 0.75


def test_a_failure_is_an_outcome_not_an_exception(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "s.snapshots.json")
    bad = "https://h0.example/p/1"
    resolver = RecordingResolver(delay=0, failing=frozenset({bad}))
    outcomes = fetch_urls(urls(1, 3), store, resolver)  # type: ignore[arg-type]
    failed = [o for o in outcomes if not o.ok]
    assert [o.url for o in failed] == [bad]
    assert failed[0].error == f"404 Not Found from {bad}"
    assert failed[0].snapshot.status is SnapshotStatus.ERROR


def test_only_urls_without_a_usable_snapshot_are_fetched(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "s.snapshots.json")
    fetch_urls(["https://a.example/1"], store, RecordingResolver(delay=0))  # type: ignore[arg-type]
    story = ["https://a.example/1", "https://b.example/2", "https://B.example/2#top"]
    assert urls_to_fetch(story, store, refresh=False) == ["https://b.example/2"]
    assert urls_to_fetch(story, store, refresh=True) == [
        "https://a.example/1",
        "https://b.example/2",
    ]


class SlowDiskStore(SnapshotStore):
    """A store on a disk that takes a second to save; records when each save ran."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.saves: list[tuple[float, float]] = []

    def save(self) -> None:
        started = time.monotonic()
        time.sleep(1.0)
        super().save()
        self.saves.append((started, time.monotonic()))


class StartRecordingResolver(RecordingResolver):
    def __init__(self, delay: float) -> None:
        super().__init__(delay)
        self.started: list[float] = []

    def resolve(self, url: str) -> Resolution:
        with self.lock:
            self.started.append(time.monotonic())
        return super().resolve(url)


def test_the_workers_go_on_while_the_file_is_saved(tmp_path: Path) -> None:
    store = SlowDiskStore(tmp_path / "s.snapshots.json")
    resolver = StartRecordingResolver(delay=0.05)
    wanted = urls(hosts=4, per_host=8)  # 32 URLs, 8 at a time: 0.2 s of work
    fetch_urls(wanted, store, resolver, pool=PoolSettings(concurrency=8, per_host=2))  # type: ignore[arg-type]
    first_save_ended = store.saves[0][1]
    # Every URL was asked for while the first save (begun after the first result) ran.
    assert max(resolver.started) < first_save_ended
    saved = json.loads(store.path.read_text(encoding="utf-8"))["snapshots"]
    assert set(saved) == set(wanted)  # what came in during a save was saved after it


class AnsweringAtBegin(FetchWorkers):
    """Workers whose early request in flight is answered once resolving has begun."""

    def __init__(self) -> None:
        self.asking = threading.Event()
        self.answer = threading.Event()
        self.asked: list[str] = []
        super().__init__(concurrency=1, per_host=1, request_host=host_of, ask_early=self.ask)

    def ask(self, url: str) -> None:
        self.asked.append(url)
        self.asking.set()
        self.answer.wait(5)

    def begin(self, resolve: Callable[[str], Resolution], wanted: list[str]) -> None:
        super().begin(resolve, wanted)
        self.answer.set()


def test_urls_asked_early_but_not_wanted_are_never_resolved(tmp_path: Path) -> None:
    a, b = "https://a.example/1", "https://b.example/2"
    workers = AnsweringAtBegin()
    workers.add([b, a])  # B is asked early, then the story turns out to want A alone
    assert workers.asking.wait(5)
    store = SnapshotStore(tmp_path / "s.snapshots.json")
    resolver = StartRecordingResolver(delay=0)
    outcomes = fetch_urls([a], store, resolver, workers=workers)  # type: ignore[arg-type]
    assert [o.url for o in outcomes] == [a]
    assert workers.asked[0] == b  # (A may be asked early too, by a spare worker)
    assert len(resolver.started) == 1  # A alone: B, asked early, was dropped
    assert set(json.loads(store.path.read_text(encoding="utf-8"))["snapshots"]) == {a}


# -- the queue's choices: early answers, the backlog they leave, the requests that go on -----


def next_of(queue: HostQueue) -> tuple[str, bool, bool]:
    """Take the queue's next URL: (its path, to resolve?, asked early?)."""
    taken = queue.take()
    assert taken is not None
    return taken.url.removeprefix("https://a.example"), taken.resolve, taken.answered


def test_an_answer_keeps_its_hosts_slot_and_is_resolved_even_when_the_host_hangs() -> None:
    queue = HostQueue(per_host=2, backlog_workers=1)
    for i in range(4):
        queue.add(f"https://a.example/{i}", "a.example")
    assert [next_of(queue), next_of(queue)] == [("/0", False, False), ("/1", False, False)]
    queue.answered("https://a.example/0", "a.example")  # /1's early request still hangs
    taken: list[Taken | None] = []
    waiter = threading.Thread(target=lambda: taken.append(queue.take()), daemon=True)
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive()  # both of a.example's slots are held: nothing more is asked
    queue.begin_resolving()
    waiter.join(5)
    # The answer is resolved at once, in the slot it kept, whatever /1 is doing.
    assert [(t.url, t.resolve, t.answered) for t in taken if t] == [
        ("https://a.example/0", True, True)
    ]


def test_a_few_workers_work_off_the_early_answers_while_the_others_go_on_asking() -> None:
    queue = HostQueue(per_host=8, backlog_workers=1)
    for i in range(6):
        queue.add(f"https://a.example/{i}", "a.example")
    for i in range(3):
        assert next_of(queue) == (f"/{i}", False, False)
        queue.answered(f"https://a.example/{i}", "a.example")
    queue.begin_resolving()
    queue.close()
    backlog = queue.take()
    assert backlog is not None
    assert (backlog.url, backlog.answered) == ("https://a.example/0", True)
    # One worker is on the backlog: the next two ask URLs not asked yet.
    assert [next_of(queue), next_of(queue)] == [("/3", True, False), ("/4", True, False)]
    queue.release(backlog)
    assert next_of(queue) == ("/1", True, True)
    # With nothing else left to ask, any worker takes an answer.
    assert [next_of(queue), next_of(queue)] == [("/5", True, False), ("/2", True, True)]
