"""Archive the pictures a saved page keeps beside it, without the network.

A browser's "complete web page" save rewrites every ``<img src>`` to a copy in the
``NAME_files`` folder and forgets the original address, so these pictures can never
be downloaded again: they are checked and stored into ``STORY.assets/`` at import,
exactly as ``fetch`` stores a downloaded one (content-addressed, scaled down once).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from storyboard.errors import FetchError, Problem
from storyboard.fetch.assets import DEFAULT_MAX_WIDTH, asset_file_name, prepare_image
from storyboard.fsio import write_atomically
from storyboard.model.card import MEDIA_FIELDS, MediaAsset
from storyboard.model.snapshot import Snapshot
from storyboard.net import IMAGE_LIMIT


def archive_local_pictures(
    snapshots: list[Snapshot],
    pictures: Mapping[str, Path],
    assets_dir: Path,
    *,
    source: str,
) -> tuple[list[Snapshot], list[Problem]]:
    """Return the snapshots with their saved pictures archived, and what could not be."""
    done: dict[str, MediaAsset | None] = {}
    warnings: list[Problem] = []
    result = []
    for snapshot in snapshots:
        card = snapshot.card
        update: dict[str, MediaAsset | None] = {}
        for name in MEDIA_FIELDS if card is not None else ():
            asset = getattr(card, name)
            if not isinstance(asset, MediaAsset) or asset.path or asset.url not in pictures:
                continue
            if asset.url not in done:
                done[asset.url] = _archive(asset, pictures[asset.url], assets_dir, warnings, source)
            archived = done[asset.url]
            update[name] = (
                None
                if archived is None
                else asset.model_copy(
                    update={
                        "path": archived.path,
                        "mime": archived.mime,
                        "width": archived.width,
                        "height": archived.height,
                    }
                )
            )
        if update and card is not None:
            result.append(snapshot.model_copy(update={"card": card.model_copy(update=update)}))
        else:
            result.append(snapshot)
    return result, warnings


def _archive(
    asset: MediaAsset, file: Path, assets_dir: Path, warnings: list[Problem], source: str
) -> MediaAsset | None:
    try:
        with file.open("rb") as stream:
            data = stream.read(IMAGE_LIMIT + 1)
    except OSError as exc:
        warnings.append(_warning(source, asset.url, f"cannot read: {exc.strerror or exc}"))
        return None
    if len(data) > IMAGE_LIMIT:
        warnings.append(_warning(source, asset.url, f"larger than {IMAGE_LIMIT:,} bytes"))
        return None
    try:
        prepared = prepare_image(data, url=asset.url, max_width=DEFAULT_MAX_WIDTH)
    except FetchError as exc:
        warnings.append(_warning(source, asset.url, str(exc)))
        return None
    name = asset_file_name(prepared.data, prepared.kind)
    _store(assets_dir / name, prepared.data)
    return asset.model_copy(
        update={
            "path": name,
            "width": prepared.width,
            "height": prepared.height,
            "mime": prepared.kind.mime,
        }
    )


def _warning(source: str, reference: str, why: str) -> Problem:
    return Problem(source, None, None, reference, f"saved picture not archived ({why})", "warning")


def _store(target: Path, data: bytes) -> None:
    if target.is_file() and target.stat().st_size == len(data):
        return  # the name is the bytes' hash: already there
    write_atomically(target, data)
