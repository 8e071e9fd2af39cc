"""The snapshot file: merging never loses a good snapshot; writes are atomic and readable."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import pytest

from storyboard.clock import fixed_clock
from storyboard.errors import SnapshotError
from storyboard.model.card import Card, CardKind
from storyboard.model.snapshot import FetchFailure, Snapshot, SnapshotStatus, Source, SourceKind
from storyboard.snapshots import SnapshotStore

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
URL = "https://social.example/@anna/1"


def good(
    url: str = URL, text: str = "<p>Hej</p>", kind: SourceKind = SourceKind.PROVIDER
) -> Snapshot:
    return Snapshot(
        url=url,
        status=SnapshotStatus.OK,
        source=Source(kind=kind, provider_name="Example"),
        fetched_at=NOW,
        raw={"type": "rich", "height": None},
        card=Card(kind=CardKind.POST, url=url, text_html=text),
    )


def failure(message: str = "500 Internal Server Error from x", status: int = 500) -> FetchFailure:
    return FetchFailure(message=message, at=NOW, status=status)


def test_a_missing_file_is_an_empty_store(tmp_path: Path) -> None:
    store = SnapshotStore.load(tmp_path / "none.snapshots.json")
    assert len(store) == 0
    assert store.needs_fetch(URL)


def test_round_trip_is_sorted_indented_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "s.snapshots.json"
    store = SnapshotStore(path)
    store.record_success(good("https://b.example/2"))
    store.record_success(good("https://a.example/1", text="<p>Åbo – Turku</p>"))
    store.save()
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert "Åbo" in text
    again = SnapshotStore.load(path)
    again.save()
    assert path.read_text(encoding="utf-8") == text
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_lookup_uses_the_normalized_url() -> None:
    store = SnapshotStore(Path("x.json"))
    store.record_success(good("https://twitter.com/anna/status/1"))
    assert store.get("https://x.com/anna/status/1?s=20") is not None
    assert "HTTPS://X.COM/anna/status/1" in store


def test_a_failure_never_replaces_a_good_snapshot() -> None:
    store = SnapshotStore(Path("x.json"))
    store.record_success(good())
    kept = store.record_failure(URL, failure(), gone=False)
    assert kept.status is SnapshotStatus.OK
    assert kept.card is not None
    assert kept.card.text_html == "<p>Hej</p>"
    assert kept.last_error == failure()


def test_gone_marks_the_archive_with_the_date_once() -> None:
    store = SnapshotStore(Path("x.json"))
    store.record_success(good())
    first = store.record_failure(URL, failure("404 Not Found from x", 404), gone=True)
    assert first.status is SnapshotStatus.GONE
    assert first.gone_since == NOW.date()
    later = FetchFailure(message="410 Gone from x", at=NOW + dt.timedelta(days=30), status=410)
    second = store.record_failure(URL, later, gone=True)
    assert second.gone_since == NOW.date()
    assert second.card == first.card


def test_a_url_that_never_resolved_records_the_error() -> None:
    store = SnapshotStore(Path("x.json"))
    snap = store.record_failure(URL, failure(), gone=True)
    assert snap.status is SnapshotStatus.ERROR
    assert snap.card is None
    assert store.needs_fetch(URL)


def test_page_metadata_does_not_replace_an_oembed_snapshot() -> None:
    store = SnapshotStore(Path("x.json"))
    store.record_success(good(text="<p>oEmbed</p>"))
    kept = store.record_success(good(text="<p>meta</p>", kind=SourceKind.PAGE_METADATA))
    assert kept.card is not None
    assert kept.card.text_html == "<p>oEmbed</p>"
    assert kept.last_error is not None


def test_a_new_oembed_answer_replaces_the_old_one_and_clears_the_error() -> None:
    store = SnapshotStore(Path("x.json"))
    store.record_success(good())
    store.record_failure(URL, failure(), gone=False)
    kept = store.record_success(good(text="<p>edited</p>"))
    assert kept.last_error is None
    assert kept.card is not None
    assert kept.card.text_html == "<p>edited</p>"


def test_a_detached_store_never_writes(tmp_path: Path) -> None:
    path = tmp_path / "s.snapshots.json"
    store = SnapshotStore(path)
    store.record_success(good())
    store.save()
    before = path.read_bytes()
    dry = SnapshotStore.load(path).detached()
    dry.record_failure(URL, failure("404", 404), gone=True)
    dry.save()
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"format": 1, "snapshots": {', ":1:"),
        ('{"format": 1, "snapshots": {"u": {"url": "u"}}}', "snapshots.u.status"),
        ('{"format": 99, "snapshots": {}}', "newer storyboard"),
    ],
)
def test_a_broken_file_is_a_clear_error(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "s.snapshots.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SnapshotError, match=expected) as info:
        SnapshotStore.load(path)
    assert str(path) in str(info.value)


def test_an_imported_snapshot_is_asked_of_its_provider_once() -> None:
    store = SnapshotStore(Path("x.json"))
    store.record_success(good(kind=SourceKind.IMPORT))
    assert store.needs_fetch(URL)
    store.record_failure(URL, failure("404 Not Found from x", 404), gone=True)
    assert not store.needs_fetch(URL)


def test_a_provider_answer_keeps_what_only_the_import_knew() -> None:
    store = SnapshotStore(Path("x.json"))
    imported = good(kind=SourceKind.IMPORT)
    assert imported.card is not None
    store.record_success(
        imported.model_copy(
            update={"card": imported.card.model_copy(update={"published": NOW.date()})}
        )
    )
    kept = store.record_success(good(text="<p>from the provider</p>"))
    assert kept.card is not None
    assert kept.card.text_html == "<p>from the provider</p>"
    assert kept.card.published == NOW.date()
    assert not store.needs_fetch(URL)


def test_a_save_sweeps_old_temporaries_left_by_a_killed_process(tmp_path: Path) -> None:
    path = tmp_path / "s.snapshots.json"
    old = tmp_path / ".s.snapshots.json.abc123.tmp"
    young = tmp_path / ".s.snapshots.json.def456.tmp"
    for leftover in (old, young):
        leftover.write_text("{", encoding="utf-8")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    store = SnapshotStore(path)
    store.record_success(good())
    store.save()
    assert not old.exists()
    assert young.exists()  # it may be another process's save in progress


def test_a_kept_snapshot_is_stamped_by_the_store_clock(tmp_path: Path) -> None:
    later = dt.datetime(2026, 11, 27, 6, 15, tzinfo=dt.UTC)
    store = SnapshotStore.load(tmp_path / "s.snapshots.json", clock=fixed_clock(later))
    store.record_success(good())
    unstamped = good(text="<p>meta</p>", kind=SourceKind.PAGE_METADATA)
    kept = store.record_success(unstamped.model_copy(update={"fetched_at": None}))
    assert kept.last_error is not None
    assert kept.last_error.at == later
    assert store.detached().clock() == later
