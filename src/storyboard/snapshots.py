"""The snapshot file beside a story: load, merge without losing anything, save atomically."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from storyboard.clock import Clock, utc_now
from storyboard.errors import SnapshotError
from storyboard.fsio import remove_stale_temporaries, temporary_pattern, write_atomically
from storyboard.model.card import Card, MediaAsset
from storyboard.model.snapshot import (
    SNAPSHOT_FORMAT_VERSION,
    FetchFailure,
    Snapshot,
    SnapshotFile,
    SnapshotStatus,
    SourceKind,
)
from storyboard.urls import normalize_url

#: A refresh that could only read page metadata does not replace richer data.
_SOURCE_RANK = {
    SourceKind.PAGE_METADATA: 0,
    SourceKind.IMPORT: 1,
    SourceKind.DISCOVERY: 2,
    SourceKind.PROVIDER: 2,
}


#: How much a card field's origin knows, for a refresh that finds the field again:
#: what only the platform's API gave (a content warning, links in the text) outlives
#: an oEmbed answer, which outlives a page's metadata.
_FIELD_SOURCE_RANK = {"api": 3.0, "oembed": 2.0, "page": 1.0, "url": 0.0}
#: The rank of a field of a snapshot written before origins were recorded.
_UNRECORDED_RANK = {
    SourceKind.IMPORT: 1.5,  # below the provider's answer, above a page's guess
    SourceKind.PROVIDER: 2.0,
    SourceKind.DISCOVERY: 2.0,
    SourceKind.PAGE_METADATA: 1.0,
}


def keep_richer_fields(previous: Snapshot, snapshot: Snapshot) -> Snapshot:
    """Return ``snapshot`` keeping what ``previous`` knew better of the same item.

    A field the new answer lacks keeps its earlier value; a field an earlier, richer
    source gave (the platform's API) keeps that value; a picture that could not be
    downloaded this time keeps its archived copy. The kept fields keep their recorded
    origin, so a later refresh ranks them the same way.
    """
    old, new = previous.card, snapshot.card
    if old is None or new is None:
        return snapshot
    old_sources = previous.field_sources or {}
    new_sources = dict(snapshot.field_sources or {})
    unrecorded = _UNRECORDED_RANK[previous.source.kind] if previous.source else 1.0
    update: dict[str, object] = {}
    for name in Card.model_fields:
        if name in ("kind", "url"):
            continue
        before, after = getattr(old, name), getattr(new, name)
        if before is None or before == after:
            continue
        old_rank = _FIELD_SOURCE_RANK.get(old_sources.get(name, ""), unrecorded)
        new_rank = _FIELD_SOURCE_RANK.get(new_sources.get(name, ""), 2.0)
        lost_copy = (
            isinstance(before, MediaAsset)
            and isinstance(after, MediaAsset)
            and before.path is not None
            and after.path is None
        )
        if after is None or old_rank > new_rank or lost_copy:
            update[name] = before
            if name in old_sources:
                new_sources[name] = old_sources[name]
            else:
                new_sources.pop(name, None)
    if not update:
        return snapshot
    return snapshot.model_copy(
        update={"card": new.model_copy(update=update), "field_sources": new_sources or None}
    )


def _dump_entry(snapshot: Snapshot) -> str:
    return json.dumps(
        snapshot.model_dump(mode="json", exclude_none=True),
        sort_keys=True,
        indent=2,
        ensure_ascii=False,
    )


class SnapshotStore:
    """All snapshots of one story, keyed by normalized URL.

    Serialized entries are cached, so saving after every fetched item stays cheap even
    for thousands of items: a save joins the cached text and writes it atomically.
    """

    def __init__(
        self,
        path: Path,
        snapshots: dict[str, Snapshot] | None = None,
        *,
        persist: bool = True,
        clock: Clock = utc_now,
    ) -> None:
        self.path = path
        #: Stamps what this store records without a time of its own (``last_error.at``).
        self.clock = clock
        #: False for a dry run (``check --links`` without ``--update``): saves do nothing.
        self.persist = persist
        self._swept = False
        self._snapshots: dict[str, Snapshot] = dict(snapshots or {})
        self._dumped: dict[str, str] = {}

    @classmethod
    def load(cls, path: Path, *, clock: Clock = utc_now) -> SnapshotStore:
        """Read ``path``; a missing file is an empty store, a broken one an error."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path, clock=clock)
        except (OSError, UnicodeDecodeError) as exc:
            raise SnapshotError(f"{path}: cannot read the snapshot file ({exc})") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SnapshotError(
                f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); "
                "restore it from version control"
            ) from exc
        if isinstance(data, dict) and data.get("format", 1) > SNAPSHOT_FORMAT_VERSION:
            raise SnapshotError(
                f"{path}: written by a newer storyboard (format {data['format']}); "
                "upgrade storyboard"
            )
        try:
            parsed = SnapshotFile.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise SnapshotError(f"{path}: {where}: {first['msg']}") from exc
        return cls(path, parsed.snapshots, clock=clock)

    def get(self, url: str) -> Snapshot | None:
        """Return the snapshot of ``url`` (any form of it), or None."""
        return self._snapshots.get(normalize_url(url))

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and normalize_url(url) in self._snapshots

    def __len__(self) -> int:
        return len(self._snapshots)

    def __iter__(self) -> Iterator[Snapshot]:
        return iter(self._snapshots.values())

    def as_mapping(self) -> dict[str, Snapshot]:
        """Return a copy of the snapshots keyed by normalized URL."""
        return dict(self._snapshots)

    def needs_fetch(self, url: str) -> bool:
        """Tell whether ``url`` should be fetched without ``--refresh``.

        True when it has no snapshot a page can be rendered from, and also once for
        a snapshot seeded from an import (Storify, ``collect``) that has never been
        asked of its provider: ``fetch`` then adds the oEmbed data. After one try,
        successful or not, only ``--refresh`` asks again.
        """
        snapshot = self.get(url)
        if snapshot is None or not snapshot.usable:
            return True
        return (
            snapshot.source is not None
            and snapshot.source.kind is SourceKind.IMPORT
            and snapshot.status is SnapshotStatus.OK
            and snapshot.last_error is None
        )

    def _put(self, snapshot: Snapshot) -> None:
        self._snapshots[snapshot.url] = snapshot
        self._dumped.pop(snapshot.url, None)

    def record_success(self, snapshot: Snapshot) -> Snapshot:
        """Merge a successful fetch; return what is kept.

        A new answer replaces the old one, except that page metadata never replaces
        a richer oEmbed or imported snapshot (the provider may be down for a day).
        """
        key = normalize_url(snapshot.url)
        snapshot = snapshot.model_copy(update={"url": key})
        previous = self._snapshots.get(key)
        if (
            previous is not None
            and previous.usable
            and previous.source
            and snapshot.source
            and _SOURCE_RANK[snapshot.source.kind] < _SOURCE_RANK[previous.source.kind]
        ):
            kept = previous.model_copy(
                update={
                    "last_error": FetchFailure(
                        message="the provider gave no oEmbed answer this time; "
                        "kept the earlier snapshot",
                        at=snapshot.fetched_at or self.clock(),
                    )
                }
            )
            self._put(kept)
            return kept
        if previous is not None and previous.usable and snapshot.not_the_content is not None:
            # A 200 that is a login wall, a parked domain or "no longer available".
            kept = previous.model_copy(
                update={
                    "last_error": FetchFailure(
                        message=f"{snapshot.not_the_content}; kept the earlier snapshot",
                        at=snapshot.fetched_at or self.clock(),
                    )
                }
            )
            self._put(kept)
            return kept
        link_only = (snapshot.raw or {}).get("storage") == "link-only"  # keeps nothing else
        if previous is not None and previous.usable and previous.card and snapshot.card:
            snapshot = snapshot if link_only else keep_richer_fields(previous, snapshot)
        self._put(snapshot)
        return snapshot

    def record_failure(self, url: str, failure: FetchFailure, *, gone: bool) -> Snapshot:
        """Record a failed fetch beside what is known; never drop a good snapshot.

        ``gone`` means the source said the post no longer exists or is private
        (404, 410, 401, 403): a good snapshot is then marked ``gone`` since today.
        """
        key = normalize_url(url)
        previous = self._snapshots.get(key)
        if previous is not None and previous.usable:
            update: dict[str, object] = {"last_error": failure}
            if gone:
                update["status"] = SnapshotStatus.GONE
                update["gone_since"] = previous.gone_since or failure.at.date()
            kept = previous.model_copy(update=update)
        elif previous is not None:
            kept = previous.model_copy(
                update={"status": SnapshotStatus.ERROR, "last_error": failure}
            )
        else:
            kept = Snapshot(url=key, status=SnapshotStatus.ERROR, last_error=failure)
        self._put(kept)
        return kept

    def dumps(self) -> str:
        """Return the file's text: sorted keys, indented, so a git diff stays readable."""
        parts = []
        for key in sorted(self._snapshots):
            text = self._dumped.get(key)
            if text is None:
                text = _dump_entry(self._snapshots[key])
                self._dumped[key] = text
            entry = text.replace("\n", "\n    ")
            parts.append(f"    {json.dumps(key, ensure_ascii=False)}: {entry}")
        body = ",\n".join(parts)
        snapshots = "{\n" + body + "\n  }" if parts else "{}"
        return f'{{\n  "format": {SNAPSHOT_FORMAT_VERSION},\n  "snapshots": {snapshots}\n}}\n'

    def detached(self) -> SnapshotStore:
        """Return a copy whose saves do nothing, to try a fetch without writing."""
        return SnapshotStore(self.path, self._snapshots, persist=False, clock=self.clock)

    def save(self) -> None:
        """Write the file atomically: a crash leaves the old file or the new one, whole."""
        if not self.persist:
            return
        write_atomically(self.path, self.dumps().encode("utf-8"))
        if not self._swept:
            self._swept = True
            remove_stale_temporaries(self.path.parent, [temporary_pattern(self.path)])
