"""Download the pictures of imported snapshots, keeping everything else they hold.

An import (a Storify export) works without the network, so its snapshots name their
photos, thumbnails and avatars by URL only, and a page shows only archived pictures.
A later ``storyboard fetch`` calls this to archive them; the imported card stays the
card (a post deleted since keeps its text). A picture that cannot be downloaded keeps
its URL and is tried again next time.

The same step archives again the pictures of any snapshot whose file is gone from, or
damaged in, the assets folder (see ``local_copies``), where their source still has them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from storyboard.fetch.assets import AssetArchive, archive_card_media
from storyboard.fetch.local_copies import missing_pictures, to_archive_again
from storyboard.fetch.pool import worker_pool
from storyboard.model.card import MEDIA_FIELDS, Card, MediaAsset
from storyboard.model.snapshot import Snapshot
from storyboard.snapshots import SnapshotStore
from storyboard.urls import normalize_url


@dataclass
class MediaReport:
    """What archiving the pictures of imported snapshots did."""

    archived: int = 0
    #: Pictures gone from (or damaged in) the assets folder, archived again.
    restored: int = 0
    #: (picture URL, why it could not be archived)
    failures: list[tuple[str, str]] = field(default_factory=list)


def archive_imported_media(
    urls: Iterable[str], store: SnapshotStore, archive: AssetArchive, *, concurrency: int = 4
) -> MediaReport:
    """Archive the missing pictures of the snapshots of ``urls``; save the store.

    Missing: never archived (an import), or gone from or damaged in the assets folder.
    """
    pending: dict[str, Snapshot] = {}
    for url in urls:
        snapshot = store.get(url)
        if snapshot is not None and needs_pictures(snapshot, archive.directory):
            pending.setdefault(normalize_url(url), snapshot)
    report = MediaReport()
    if not pending:
        return report
    snapshots = list(pending.values())
    again = [to_archive_again(snapshot, archive.directory) for snapshot in snapshots]
    with worker_pool(concurrency, "media") as pool:
        results = list(pool.map(lambda s: archive_card_media(_card(s), archive), again))
    for snapshot, result in zip(snapshots, results, strict=True):
        card, restored = _keep_lost_names(_card(snapshot), result.card)
        report.restored += restored
        report.archived += result.archived - restored
        report.failures.extend(result.failures)
        if result.archived:
            # Same source, same rank: the store takes it, with every other field as it was.
            store.record_success(snapshot.model_copy(update={"card": card}))
    store.save()
    return report


def _keep_lost_names(before: Card, after: Card) -> tuple[Card, int]:
    """Return ``after`` with the file names of pictures that could not be had again, and
    how many lost pictures were archived again: a picture still missing stays listed."""
    update = {}
    restored = 0
    for name in MEDIA_FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if not isinstance(old, MediaAsset) or not old.path or not isinstance(new, MediaAsset):
            continue
        if new.path is None:
            update[name] = old
        elif new is not old:  # an intact picture is passed through as the same object
            restored += 1
    return (after.model_copy(update=update) if update else after), restored


def needs_pictures(snapshot: Snapshot, assets_dir: Path) -> bool:
    """Tell whether ``snapshot`` has pictures to archive: imported, or lost from the folder."""
    return bool(snapshot.unarchived_imported_media or missing_pictures(snapshot, assets_dir))


def _card(snapshot: Snapshot) -> Card:
    assert snapshot.card is not None  # it has pictures to archive
    return snapshot.card
