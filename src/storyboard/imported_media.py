"""Download the pictures of imported snapshots, keeping everything else they hold.

An import (a Storify export) works without the network, so its snapshots name their
photos, thumbnails and avatars by URL only, and a page shows only archived pictures.
A later ``storyboard fetch`` calls this to archive them; the imported card stays the
card (a post deleted since keeps its text). A picture that cannot be downloaded keeps
its URL and is tried again next time.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storyboard.card import Card, MediaAsset
from storyboard.errors import FetchError, SnapshotError
from storyboard.snapshot import Snapshot, SourceKind
from storyboard.snapshot_store import SnapshotStore
from storyboard.urls import normalize_url

if TYPE_CHECKING:  # Pillow loads slowly; only a fetch that archives needs it
    from storyboard.assets import AssetArchive

#: The card fields that hold pictures.
MEDIA_FIELDS = ("image", "avatar")


@dataclass
class MediaReport:
    """What archiving the pictures of imported snapshots did."""

    archived: int = 0
    #: (picture URL, why it could not be archived)
    failures: list[tuple[str, str]] = field(default_factory=list)


def missing_media(snapshot: Snapshot) -> list[MediaAsset]:
    """Return the pictures of an imported snapshot that have no local copy."""
    card = snapshot.card
    if card is None or snapshot.source is None or snapshot.source.kind is not SourceKind.IMPORT:
        return []
    assets = (getattr(card, name) for name in MEDIA_FIELDS)
    return [asset for asset in assets if isinstance(asset, MediaAsset) and not asset.path]


def archive_imported_media(
    urls: Iterable[str], store: SnapshotStore, archive: AssetArchive, *, concurrency: int = 4
) -> MediaReport:
    """Archive the missing pictures of the imported snapshots of ``urls``; save the store."""
    pending: dict[str, Snapshot] = {}
    for url in urls:
        snapshot = store.get(url)
        if snapshot is not None and missing_media(snapshot):
            pending.setdefault(normalize_url(url), snapshot)
    report = MediaReport()
    if not pending:
        return report
    snapshots = list(pending.values())
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="media") as pool:
        results = list(pool.map(lambda s: _archive_card(s, archive), snapshots))
    for snapshot, (card, archived, failures) in zip(snapshots, results, strict=True):
        report.archived += archived
        report.failures.extend(failures)
        if archived:
            # Same source, same rank: the store takes it, with every other field as it was.
            store.record_success(snapshot.model_copy(update={"card": card}))
    store.save()
    return report


def _archive_card(
    snapshot: Snapshot, archive: AssetArchive
) -> tuple[Card, int, list[tuple[str, str]]]:
    card = snapshot.card
    assert card is not None  # missing_media found pictures on it
    update: dict[str, MediaAsset] = {}
    failures: list[tuple[str, str]] = []
    for name in MEDIA_FIELDS:
        asset = getattr(card, name)
        if not isinstance(asset, MediaAsset) or asset.path:
            continue
        try:
            update[name] = archive.archive(asset)
        except FetchError as exc:
            failures.append((asset.url, " ".join(str(exc).split())))
        except OSError as exc:  # a full disk or a read-only folder: stop, say where
            raise SnapshotError(
                f"cannot write archived media into {archive.directory}: {exc}"
            ) from exc
    return card.model_copy(update=update), len(update), failures
