"""Reading a big snapshot file: the same snapshots, equal parts kept once, same messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyboard.errors import SnapshotError
from storyboard.model.snapshot import Snapshot, SnapshotFile
from storyboard.snapshots import SnapshotStore


def _entry(n: int) -> dict[str, object]:
    url = f"https://social.example/@anna/{n}"
    image = {"url": "https://cdn.social.example/hall.jpg", "path": "0a1b.jpg", "width": 1200}
    return {
        "url": url,
        "status": "ok",
        "fetched_at": "2026-11-25T18:07:54Z",
        "source": {"kind": "provider", "provider_name": "Social"},
        "raw": {"type": "rich", "version": "1.0", "html": f"<p>{n}</p>"},
        "field_sources": {"text_html": "oembed", "image": "page"},
        "card": {
            "kind": "post",
            "url": url,
            "text_html": f"<p>Post {n}</p>",
            "author_name": "Anna Example",
            "published": "2017-01-13T00:00:00" if n % 2 else "2017-01-13T10:00:00Z",
            "image": image,
            "avatar": {"url": "https://cdn.social.example/anna.png"},
        },
    }


def _write(path: Path, entries: dict[str, object]) -> None:
    path.write_text(json.dumps({"format": 1, "snapshots": entries}), encoding="utf-8")


def test_read_snapshots_equal_the_whole_file_validated_at_once(tmp_path: Path) -> None:
    path = tmp_path / "s.snapshots.json"
    entries = {f"https://social.example/@anna/{n}": _entry(n) for n in range(6)}
    _write(path, entries)
    store = SnapshotStore.load(path)
    whole = SnapshotFile.model_validate({"format": 1, "snapshots": entries}).snapshots
    assert store.as_mapping() == whole
    assert [s.model_dump_json() for s in store] == [s.model_dump_json() for s in whole.values()]
    assert store.dumps() == SnapshotStore(path, whole).dumps()


def test_repeated_parts_are_one_object(tmp_path: Path) -> None:
    path = tmp_path / "s.snapshots.json"
    _write(path, {f"https://social.example/@anna/{n}": _entry(n) for n in range(3)})
    first, second, _ = SnapshotStore.load(path)
    assert first.card is not None
    assert second.card is not None
    assert first.card.image is second.card.image
    assert first.card.author_name is second.card.author_name
    assert first.card.url is first.url
    assert first.card.model_fields_set is second.card.model_fields_set
    assert first.raw is not None
    assert second.raw is not None
    assert first.raw["type"] is second.raw["type"]
    # Shared parts are safe because snapshots are values: a change is a copy.
    with pytest.raises(ValueError, match="frozen"):
        first.card.image.path = "other.jpg"  # type: ignore[misc,union-attr]
    changed = first.card.model_copy(update={"title": "A title"})
    assert changed.model_fields_set != second.card.model_fields_set
    assert "title" not in second.card.model_fields_set


def test_a_bad_later_entry_is_named_as_before(tmp_path: Path) -> None:
    path = tmp_path / "s.snapshots.json"
    entries: dict[str, object] = {f"https://social.example/@anna/{n}": _entry(n) for n in range(3)}
    bad = _entry(2)
    bad["status"] = "fine"
    entries["https://social.example/@anna/2"] = bad
    _write(path, entries)
    with pytest.raises(SnapshotError) as caught:
        SnapshotStore.load(path)
    assert str(caught.value) == (
        f"{path}: snapshots.https://social.example/@anna/2.status: "
        "Input should be 'ok', 'gone' or 'error'"
    )


def test_an_unknown_top_level_key_is_named_as_before(tmp_path: Path) -> None:
    path = tmp_path / "s.snapshots.json"
    path.write_text(json.dumps({"format": 1, "snapshots": {}, "extra": 1}), encoding="utf-8")
    with pytest.raises(SnapshotError, match=r": extra: Extra inputs are not permitted"):
        SnapshotStore.load(path)


# -- read one entry at a time: the same snapshots as the whole file parsed at once ------


def _whole(path: Path) -> dict[str, Snapshot]:
    """The snapshots of ``path`` as the file parsed at once makes them."""
    data = json.loads(path.read_bytes().decode("utf-8-sig"))
    return dict(SnapshotFile.model_validate(data).snapshots)


def _odd_entry(n: int, padding: int) -> dict[str, object]:
    entry = _entry(n)
    entry["raw"] = {
        "html": "<p>ünïcödé ✓ 𝄞 " + "x" * padding + "</p>",
        "width": 10**n,  # numbers of every length, some at a buffer's end
        "ratio": 0.1 * n,
        "nan": float("nan") if n == 3 else None,
        "lone": "\ud800" if n == 4 else "",
        "nested": [[{"a": [n]}]],
    }
    return entry


def _loaded_every_way(path: Path) -> list[list[str]]:
    """Each snapshot's JSON, loaded plainly, packed, and from the file parsed at once."""
    ways = [SnapshotStore.load(path), SnapshotStore.load(path, packed=True)]
    # repr: NaN is not equal to itself, and JSON cannot hold a lone surrogate
    dumps = [[repr(s.model_dump()) for s in way] for way in ways]
    dumps.append([repr(s.model_dump()) for s in _whole(path).values()])
    keys = [list(way.for_reading()) for way in ways]
    assert keys[0] == keys[1] == list(_whole(path))
    return dumps


@pytest.mark.parametrize("padding", [0, 1, 2, 3, 5, 8, 13, 21])
def test_entries_read_one_at_a_time_are_the_files_entries(tmp_path: Path, padding: int) -> None:
    """Files of some hundred KB, so values straddle the reader's buffers at every offset."""
    path = tmp_path / "s.snapshots.json"
    entries = {f"https://social.example/@anna/{n}": _odd_entry(n, padding * n) for n in range(60)}
    store = SnapshotStore(path, {})
    for snapshot in SnapshotFile.model_validate(
        {"format": 1, "snapshots": entries}
    ).snapshots.values():
        store.record_success(snapshot)
    store.save()  # indented, as storyboard writes it
    plain, packed, whole = _loaded_every_way(path)
    assert plain == packed == whole
    compact = tmp_path / "compact.snapshots.json"
    compact.write_bytes(b"\xef\xbb\xbf" + json.dumps({"format": 1, "snapshots": entries}).encode())
    plain, packed, whole = _loaded_every_way(compact)
    assert plain == packed == whole


def test_a_huge_entry_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "s.snapshots.json"
    entry = _entry(1)
    entry["raw"] = {"html": "é" * 3_000_000}
    _write(
        path, {"https://social.example/@anna/1": entry, "https://social.example/@anna/2": _entry(2)}
    )
    plain, packed, whole = _loaded_every_way(path)
    assert plain == packed == whole


@pytest.mark.parametrize(
    "text",
    [
        '{"snapshots": {"https://social.example/@anna/1": ENTRY}, "format": 1}',  # other order
        '{"format": 1, "snapshots": {"https://social.example/@anna/1": ENTRY,'
        ' "https://social.example/@anna/1": ENTRY2}}',  # a key twice: the last counts
        '{"format": 1, "snapshots": {"https://social.example/@anna/1": BAD,'
        ' "https://social.example/@anna/1": ENTRY}}',  # a bad entry replaced
        '{"format": 1, "snapshots": {}}',
        '{"snapshots": {}}',
        '  {\n\t"format" :1 ,"snapshots"\r\n:{ }  }\n\n',
    ],
)
def test_files_in_other_layouts_read_as_before(tmp_path: Path, text: str) -> None:
    path = tmp_path / "s.snapshots.json"
    bad = {**_entry(1), "status": "fine"}
    for name, value in (("ENTRY2", _entry(2)), ("ENTRY", _entry(1)), ("BAD", bad)):
        text = text.replace(name, json.dumps(value))
    path.write_text(text, encoding="utf-8")
    plain, packed, whole = _loaded_every_way(path)
    assert plain == packed == whole


@pytest.mark.parametrize(
    "text",
    [
        '{"format": 1, "snapshots": {}} trailing',
        '{"format": 1, "snapshots": {}, "extra": 1}',
        '{"format": 1, "snapshots": {"a": {"url": "a", "status": "ok"},}}',
        '{"format": 1, "snapshots": {"a": ' + "[" * 100_000 + "]" * 100_000 + "}}",
        '{"format": 1, "snapshots": {"a": {"url": "a", "status": "ok"}',
        '{"format": 2, "snapshots": {}}',
        '{"format": true, "snapshots": {}}',
        '{"format": 1, "snapshots": []}',
        "[]",
        "",
    ],
)
def test_broken_files_are_named_as_when_read_whole(tmp_path: Path, text: str) -> None:
    path = tmp_path / "s.snapshots.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SnapshotError) as plain:
        SnapshotStore.load(path)
    with pytest.raises(SnapshotError) as packed:
        SnapshotStore.load(path, packed=True)
    assert str(plain.value) == str(packed.value)
    assert str(plain.value).startswith(f"{path}: ") or str(plain.value).startswith(f"{path}:1:")


def test_a_packed_store_makes_each_snapshot_anew_and_keeps_what_is_recorded(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.snapshots.json"
    _write(path, {f"https://social.example/@anna/{n}": _entry(n) for n in range(3)})
    store = SnapshotStore.load(path, packed=True)
    first = store.get("https://social.example/@anna/1")
    assert first is not None
    assert first == store.get("https://social.example/@anna/1")
    assert first is not store.get("https://social.example/@anna/1")
    kept = store.record_archived_copy(first.url, "https://web.archive.example/1")
    assert store.get(first.url) is kept
    plain = SnapshotStore.load(path)
    plain.record_archived_copy(first.url, "https://web.archive.example/1")
    assert store.dumps() == plain.dumps()
