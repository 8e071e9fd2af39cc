"""Download the pictures of imported snapshots, keeping everything else they hold.

An import (a Storify export) works without the network, so its snapshots name their
photos, thumbnails and avatars by URL only, and a page shows only archived pictures.
A later ``storyboard fetch`` calls this to archive them; the imported card stays the
card (a post deleted since keeps its text). A picture that cannot be downloaded keeps
its URL and is tried again next time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from storyboard.fetch.assets import AssetArchive, archive_card_media
from storyboard.fetch.pool import worker_pool
from storyboard.model.card import Card
from storyboard.model.snapshot import Snapshot
from storyboard.snapshots import SnapshotStore
from storyboard.urls import normalize_url


@dataclass
class MediaReport:
    """What archiving the pictures of imported snapshots did."""

    archived: int = 0
    #: (picture URL, why it could not be archived)
    failures: list[tuple[str, str]] = field(default_factory=list)


def archive_imported_media(
    urls: Iterable[str], store: SnapshotStore, archive: AssetArchive, *, concurrency: int = 4
) -> MediaReport:
    """Archive the missing pictures of the imported snapshots of ``urls``; save the store."""
    pending: dict[str, Snapshot] = {}
    for url in urls:
        snapshot = store.get(url)
        if snapshot is not None and snapshot.unarchived_imported_media:
            pending.setdefault(normalize_url(url), snapshot)
    report = MediaReport()
    if not pending:
        return report
    snapshots = list(pending.values())
    with worker_pool(concurrency, "media") as pool:
        results = list(pool.map(lambda s: archive_card_media(_card(s), archive), snapshots))
    for snapshot, result in zip(snapshots, results, strict=True):
        report.archived += result.archived
        report.failures.extend(result.failures)
        if result.archived:
            # Same source, same rank: the store takes it, with every other field as it was.
            store.record_success(snapshot.model_copy(update={"card": result.card}))
    store.save()
    return report


def _card(snapshot: Snapshot) -> Card:
    assert snapshot.card is not None  # it has pictures to archive
    return snapshot.card
