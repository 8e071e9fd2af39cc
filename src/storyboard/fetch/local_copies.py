"""Which archived pictures of a snapshot are no longer in ``STORY.assets/`` as archived.

A snapshot names each archived picture by its file in the assets folder. The folder
can lose files (a partial copy, a ``git clean``, a story moved without it) or hold
damaged ones (a truncated download by hand, a file that is not an image any more).
``render`` lists them; ``fetch`` archives them again from the picture's source.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from storyboard.extract.image_types import sniff_image_type
from storyboard.model.card import MEDIA_FIELDS, MediaAsset
from storyboard.model.snapshot import Snapshot

#: Enough bytes to recognise every archived image type by its magic number.
_SNIFF_BYTES = 64


@dataclass(frozen=True)
class MissingPicture:
    """An archived picture whose file is gone or damaged."""

    item_url: str
    asset: MediaAsset
    why: str  # "missing", "not a regular file", "not an image"


def _problem(assets_dir: Path, name: str) -> str | None:
    """Return what is wrong with the archived file ``name``, or None if it is sound."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None  # not a name storyboard writes; the renderer refuses it on its own
    path = assets_dir / name
    try:
        info = path.lstat()
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "unreadable"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return "unreadable"
    return None if sniff_image_type(head) is not None else "not an image"


def missing_pictures(snapshot: Snapshot | None, assets_dir: Path) -> list[MissingPicture]:
    """Return the archived pictures of ``snapshot`` that ``assets_dir`` lacks or holds damaged."""
    found = []
    for asset in _archived(snapshot):
        why = _problem(assets_dir, asset.path or "")
        if why is not None:
            found.append(MissingPicture(snapshot.url if snapshot else "", asset, why))
    return found


def _archived(snapshot: Snapshot | None) -> Iterator[MediaAsset]:
    card = snapshot.card if snapshot is not None else None
    for name in MEDIA_FIELDS if card is not None else ():
        asset = getattr(card, name)
        if isinstance(asset, MediaAsset) and asset.path:
            yield asset


class PicturesSeen(Mapping[str, Snapshot]):
    """The snapshots a render reads, noting the archived pictures of each one it hands out.

    ``render`` checks the pictures of the snapshots the renderer read anyway, instead of
    reading (and, kept packed, checking and building) every snapshot a second time.
    """

    def __init__(self, snapshots: Mapping[str, Snapshot]) -> None:
        self._snapshots = snapshots
        #: Each archived file once, with the first item that showed it.
        self._pictures: dict[str, tuple[str, MediaAsset]] = {}

    def __getitem__(self, key: str) -> Snapshot:
        snapshot = self._snapshots[key]
        for asset in _archived(snapshot):
            self._pictures.setdefault(asset.path or "", (snapshot.url, asset))
        return snapshot

    def __contains__(self, key: object) -> bool:
        return key in self._snapshots

    def __iter__(self) -> Iterator[str]:
        return iter(self._snapshots)

    def __len__(self) -> int:
        return len(self._snapshots)

    def missing(self, assets_dir: Path) -> list[MissingPicture]:
        """Return the pictures seen so far that ``assets_dir`` lacks or holds damaged."""
        found = []
        for name, (item_url, asset) in self._pictures.items():
            why = _problem(assets_dir, name)
            if why is not None:
                found.append(MissingPicture(item_url, asset, why))
        return found


def to_archive_again(snapshot: Snapshot, assets_dir: Path) -> Snapshot:
    """Return ``snapshot`` with its missing pictures unarchived, so they are downloaded again."""
    missing = missing_pictures(snapshot, assets_dir)
    if not missing or snapshot.card is None:
        return snapshot
    lost = {picture.asset.path for picture in missing}
    update = {}
    for name in MEDIA_FIELDS:
        asset = getattr(snapshot.card, name)
        if isinstance(asset, MediaAsset) and asset.path in lost:
            update[name] = asset.model_copy(update={"path": None})
    return snapshot.model_copy(update={"card": snapshot.card.model_copy(update=update)})
