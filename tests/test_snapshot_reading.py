"""Reading a big snapshot file: the same snapshots, equal parts kept once, same messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyboard.errors import SnapshotError
from storyboard.model.snapshot import SnapshotFile
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
