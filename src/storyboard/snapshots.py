"""The snapshot file beside a story: load, merge without losing anything, save atomically.

Another command may save the same file while this one runs (``add --fetch`` or
``collect`` during a long ``fetch``). So a store remembers what it recorded since its
last save, and each save, holding the file's lock, re-reads the file if it changed on
disk and records those results again on top of what is there: both commands' entries
are kept.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from storyboard.clock import Clock, utc_now
from storyboard.errors import SnapshotError, WriteError
from storyboard.fsio import locked, remove_stale_temporaries, temporary_pattern, write_atomically
from storyboard.model.card import Card, MediaAsset
from storyboard.model.shared_values import SharedValues
from storyboard.model.snapshot import (
    SNAPSHOT_FORMAT_VERSION,
    FetchFailure,
    Snapshot,
    SnapshotFile,
    SnapshotStatus,
    SourceKind,
)
from storyboard.snapshot_entries import NotStreamableError, entries, pack, unpack
from storyboard.untrusted_text import without_surrogates
from storyboard.urls import normalize_url

#: A refresh that could only read page metadata does not replace richer data.
_SOURCE_RANK = {
    SourceKind.PAGE_METADATA: 0,
    SourceKind.IMPORT: 1,
    SourceKind.DISCOVERY: 2,
    SourceKind.PROVIDER: 2,
}


#: A file's identity on disk: an atomic save makes a new inode, so any write changes it.
_FileSignature = tuple[int, int, int, int]

#: One recorded result, to apply again to the file's current content: previous -> kept.
_Change = Callable[[Snapshot | None], Snapshot]


def _signature(stat: os.stat_result) -> _FileSignature:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _disk_signature(path: Path) -> _FileSignature | None:
    try:
        return _signature(path.stat())
    except FileNotFoundError:
        return None


class PackedSnapshots(MutableMapping[str, Snapshot]):
    """Snapshots kept as their packed JSON (``snapshot_entries.pack``) until looked up.

    Each look-up makes the snapshot anew from its checked JSON and keeps nothing: for a
    reader that goes through the story once (an offline render), so thousands of models
    are never in memory at once. A snapshot stored into it is kept as it is.
    """

    def __init__(self, values: Mapping[str, bytes | Snapshot] | None = None) -> None:
        """Hold ``values``: packed entries, or snapshots."""
        self._values: dict[str, bytes | Snapshot] = dict(values or {})

    def keep_packed(self, key: str, entry: bytes) -> None:
        """Keep the packed JSON of a checked entry as the snapshot of ``key``."""
        self._values[key] = entry

    def __getitem__(self, key: str) -> Snapshot:
        value = self._values[key]
        return value if isinstance(value, Snapshot) else Snapshot.model_validate(unpack(value))

    def __setitem__(self, key: str, snapshot: Snapshot) -> None:
        self._values[key] = snapshot

    def __delitem__(self, key: str) -> None:
        del self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def copy(self) -> PackedSnapshots:
        """Return another mapping of the same entries (still packed)."""
        return PackedSnapshots(self._values)


def _read_snapshot_file(
    path: Path, *, packed: bool = False
) -> tuple[MutableMapping[str, Snapshot], _FileSignature | None]:
    """Read and check ``path``; a missing file holds nothing, a broken one is an error.

    The file is read one entry at a time (``snapshot_entries``), each entry checked as
    it is read; ``packed`` keeps the entries as their JSON (``PackedSnapshots``) instead
    of as models. A file in another layout, or with any problem, is read whole, as
    ``_read_whole`` says, and its problem worded from there.
    """
    try:
        with path.open("rb") as handle:
            signature = _signature(os.fstat(handle.fileno()))
            streamed = _read_streamed(handle, packed)
            if streamed is not None:
                return streamed, signature
            handle.seek(0)
            raw = handle.read()
    except FileNotFoundError:
        return (PackedSnapshots() if packed else {}), None
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot read the snapshot file ({exc})") from exc
    snapshots = _read_whole(path, raw)
    return (PackedSnapshots(snapshots) if packed else snapshots), signature


def _read_streamed(handle: Any, packed: bool) -> MutableMapping[str, Snapshot] | None:
    """Return the file's snapshots read entry by entry, or None to read it whole."""
    shared = SharedValues()
    kept: MutableMapping[str, Snapshot] = PackedSnapshots() if packed else {}
    try:
        for key, entry in entries(handle, SNAPSHOT_FORMAT_VERSION):
            snapshot = Snapshot.model_validate(entry)
            if isinstance(kept, PackedSnapshots):
                kept.keep_packed(key, pack(entry))
            else:
                kept[key] = shared.snapshot(snapshot)
    # ValueError: besides ValidationError, an entry too deeply nested to pack.
    except (NotStreamableError, ValueError, RecursionError):
        return None
    return kept


def _read_whole(path: Path, raw: bytes) -> dict[str, Snapshot]:
    """Check the whole file's bytes; a problem is a ``SnapshotError`` saying what it is.

    The file's bytes, its text and its parsed JSON are each dropped as soon as the next
    form is made, and each entry's JSON as soon as its snapshot is.
    """
    try:
        # A BOM is accepted, as in the story file: some editors add one.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SnapshotError(
            f"{path}: not UTF-8 text (byte {exc.start}); restore it from version control"
        ) from exc
    del raw
    data = _parse_json(path, text)
    del text
    return _snapshots_of(path, data)


def _parse_json(path: Path, text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(
            f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); "
            "restore it from version control"
        ) from exc
    except RecursionError:
        raise SnapshotError(
            f"{path}: nested too deeply to be a snapshot file; restore it from version control"
        ) from None
    if not isinstance(data, dict):
        raise SnapshotError(
            f'{path}: not a snapshot file (a JSON object with "format" and "snapshots"); '
            "restore it from version control"
        )
    version = data.get("format", SNAPSHOT_FORMAT_VERSION)
    if isinstance(version, bool) or not isinstance(version, int):
        raise SnapshotError(
            f"{path}: format: {json.dumps(version)[:40]} is not a format number "
            f"(this storyboard writes {SNAPSHOT_FORMAT_VERSION}); restore it from version control"
        )
    if version > SNAPSHOT_FORMAT_VERSION:
        raise SnapshotError(
            f"{path}: written by a newer storyboard (format {version}); upgrade storyboard"
        )
    return data


def _snapshots_of(path: Path, data: dict[str, Any]) -> dict[str, Snapshot]:
    """Validate the parsed file into snapshots, one entry at a time.

    Each entry's JSON is replaced in ``data`` by its snapshot, so it can be freed; on a
    problem the whole (partly validated) file is checked again as one ``SnapshotFile``,
    which words it as it always has (the entries already validated pass unchanged).
    """
    entries = data.get("snapshots")
    if set(data) <= {"format", "snapshots"} and isinstance(entries, dict):
        shared = SharedValues()
        try:
            for key, entry in entries.items():
                entries[key] = shared.snapshot(Snapshot.model_validate(entry))
        except (ValidationError, RecursionError):
            pass
        else:
            return entries
    try:
        parsed = SnapshotFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise SnapshotError(f"{path}: {where}: {first['msg']}") from exc
    except RecursionError:
        raise SnapshotError(
            f"{path}: nested too deeply to be a snapshot file; restore it from version control"
        ) from None
    return dict(parsed.snapshots)


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
    One thread may save while another records results: the records wait only for a
    copy of the entries, never for serializing or the disk.
    """

    def __init__(
        self,
        path: Path,
        snapshots: Mapping[str, Snapshot] | None = None,
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
        self._snapshots: MutableMapping[str, Snapshot] = dict(snapshots or {})
        #: Each entry's text in the file, with the snapshot it is of (entries are not
        #: changed in place: a recorded result is a new snapshot, and a new text).
        self._dumped: dict[str, tuple[Snapshot, str]] = {}
        #: Held to change or copy the entries; a save holds it only for the copy.
        self._memory = threading.RLock()
        #: What was recorded since the last save, in order, to apply again on a re-read
        #: (snapshots given here count as recorded: a caller wants them in the file).
        self._changes: list[tuple[str, _Change]] = [
            (key, _replacement(snapshot)) for key, snapshot in self._snapshots.items()
        ]
        #: The file as this store last read or wrote it; None: no file (or not read).
        self._synced: _FileSignature | None = None

    @classmethod
    def load(cls, path: Path, *, clock: Clock = utc_now, packed: bool = False) -> SnapshotStore:
        """Read ``path``; a missing file is an empty store, a broken one an error.

        ``packed``: keep the entries as their JSON, each made a snapshot again whenever
        it is looked up (``PackedSnapshots``): for a command that reads each once.
        """
        snapshots, signature = _read_snapshot_file(path, packed=packed)
        store = cls(path, clock=clock)
        store._snapshots = snapshots  # what the file holds is no change to it
        store._synced = signature
        return store

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

    def for_reading(self) -> Mapping[str, Snapshot]:
        """Return a copy of the snapshots to look up, packed ones still packed."""
        if isinstance(self._snapshots, PackedSnapshots):
            return self._snapshots.copy()
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
        with self._memory:
            self._snapshots[snapshot.url] = snapshot

    def record_success(self, snapshot: Snapshot) -> Snapshot:
        """Merge a successful fetch; return what is kept.

        A new answer replaces the old one, except that page metadata never replaces
        a richer oEmbed or imported snapshot (the provider may be down for a day).
        """
        key = normalize_url(snapshot.url)
        snapshot = snapshot.model_copy(update={"url": key})
        fallback_at = snapshot.fetched_at or self.clock()
        return self._record(key, lambda previous: _merge_success(previous, snapshot, fallback_at))

    def record_archived_copy(self, url: str, archive_url: str) -> Snapshot | None:
        """Note where an archived copy of a gone post is; return the snapshot (None: no such)."""
        with self._memory:
            previous = self._snapshots.get(normalize_url(url))
            if previous is None:
                return None
            kept = previous.model_copy(update={"archive_url": archive_url})
            self._put(kept)
            return kept

    def record_failure(self, url: str, failure: FetchFailure, *, gone: bool) -> Snapshot:
        """Record a failed fetch beside what is known; never drop a good snapshot.

        ``gone`` means the source said the post no longer exists or is private
        (404, 410, 401, 403): a good snapshot is then marked ``gone`` since today.
        """
        key = normalize_url(url)
        return self._record(key, lambda previous: _merge_failure(previous, key, failure, gone))

    def _record(self, key: str, change: _Change) -> Snapshot:
        with self._memory:
            kept = change(self._snapshots.get(key))
            self._put(kept)
            self._changes.append((key, change))
            return kept

    def _rebase(self, on_disk: Mapping[str, Snapshot]) -> None:
        """Take the file's current content, and apply this store's unsaved results to it."""
        merged = dict(on_disk)
        for key, change in self._changes:
            merged[key] = change(merged.get(key))
        self._snapshots = merged

    def dumps(self) -> str:
        """Return the file's text: sorted keys, indented, so a git diff stays readable."""
        with self._memory:
            entries = sorted(self._snapshots.items())
        return self._text_of(entries)

    def _text_of(self, entries: list[tuple[str, Snapshot]]) -> str:
        parts = []
        for key, snapshot in entries:
            cached = self._dumped.get(key)
            if cached is not None and cached[0] is snapshot:
                part = cached[1]
            else:
                entry = _dump_entry(snapshot).replace("\n", "\n    ")
                # Lone surrogates are cleaned where text comes in; should one slip
                # through, the file is still written (as U+FFFD) instead of failing
                # every save. Once per entry, not over the whole file at every save.
                part = without_surrogates(f"    {json.dumps(key, ensure_ascii=False)}: {entry}")
                self._dumped[key] = (snapshot, part)
            parts.append(part)
        body = ",\n".join(parts)
        snapshots = "{\n" + body + "\n  }" if parts else "{}"
        return f'{{\n  "format": {SNAPSHOT_FORMAT_VERSION},\n  "snapshots": {snapshots}\n}}\n'

    def detached(self) -> SnapshotStore:
        """Return a copy whose saves do nothing, to try a fetch without writing."""
        return SnapshotStore(self.path, self._snapshots, persist=False, clock=self.clock)

    def save(self) -> None:
        """Write the file atomically: a crash leaves the old file or the new one, whole.

        Under the file's lock; if another command saved it since this store read it,
        its entries are read back first and this store's results applied on top.
        """
        if not self.persist:
            return
        with locked(self.path):
            with self._memory:
                if _disk_signature(self.path) != self._synced:
                    on_disk, _ = _read_snapshot_file(self.path)
                    self._rebase(on_disk)
                entries = sorted(self._snapshots.items())
                #: What is recorded from here on is saved next time (and replayed then).
                saved_changes = len(self._changes)
            try:
                write_atomically(self.path, self._text_of(entries).encode("utf-8"))
            except OSError as exc:  # a full disk, a read-only folder: the old file stays
                raise WriteError.from_os_error(exc, self.path) from exc
            with self._memory:
                self._synced = _disk_signature(self.path)
                del self._changes[:saved_changes]
        if not self._swept:
            self._swept = True
            remove_stale_temporaries(self.path.parent, [temporary_pattern(self.path)])


def _replacement(snapshot: Snapshot) -> _Change:
    return lambda _previous: snapshot


def _merge_success(previous: Snapshot | None, snapshot: Snapshot, at: dt.datetime) -> Snapshot:
    """Return what to keep of ``previous`` when ``snapshot`` was fetched for its URL."""
    if (
        previous is not None
        and previous.usable
        and previous.source
        and snapshot.source
        and _SOURCE_RANK[snapshot.source.kind] < _SOURCE_RANK[previous.source.kind]
    ):
        return previous.model_copy(
            update={
                "last_error": FetchFailure(
                    message="the provider gave no oEmbed answer this time; "
                    "kept the earlier snapshot",
                    at=at,
                )
            }
        )
    if previous is not None and previous.usable and snapshot.not_the_content is not None:
        # A 200 that is a login wall, a parked domain or "no longer available".
        return previous.model_copy(
            update={
                "last_error": FetchFailure(
                    message=f"{snapshot.not_the_content}; kept the earlier snapshot", at=at
                )
            }
        )
    link_only = (snapshot.raw or {}).get("storage") == "link-only"  # keeps nothing else
    if previous is not None and previous.usable and previous.card and snapshot.card:
        return snapshot if link_only else keep_richer_fields(previous, snapshot)
    return snapshot


def _merge_failure(
    previous: Snapshot | None, key: str, failure: FetchFailure, gone: bool
) -> Snapshot:
    """Return what to keep of ``previous`` when fetching its URL failed."""
    if previous is not None and previous.usable:
        update: dict[str, object] = {"last_error": failure}
        if gone:
            update["status"] = SnapshotStatus.GONE
            update["gone_since"] = previous.gone_since or failure.at.date()
        return previous.model_copy(update=update)
    if previous is not None:
        return previous.model_copy(update={"status": SnapshotStatus.ERROR, "last_error": failure})
    return Snapshot(url=key, status=SnapshotStatus.ERROR, last_error=failure)
