"""A renamed story finds its snapshots again: check tells, render and fetch stop, mv moves them.

The story is fetched from a loopback provider (with pictures), then renamed by hand
or with ``storyboard mv``, to another folder and to another filesystem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ProviderPlayground
from tests.test_missing_assets import archived_files, fetched_story, run

from .tmpfs import mounted_tmpfs


def folder_names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_a_story_renamed_by_hand_stops_render_and_fetch_with_the_mv_hint(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> None:
    story, network = fetched_story(playground, write_story, tmp_path)
    renamed = story.rename(tmp_path / "kokous-2024.yaml")
    hint = (
        f"{renamed}: its snapshots are not beside it, but story.snapshots.json and "
        "story.assets/ hold 3 of its 3 URLs and belong to no story file (was story.yaml "
        f"renamed?); to bring them along, run: storyboard mv {story} {renamed}"
    )

    checked = run("check", renamed)
    assert checked.exit_code == 0
    assert checked.stderr.splitlines()[0] == f"warning: {hint}"

    playground.requests.clear()
    for command in (["render", renamed, *network], ["fetch", renamed, *network]):
        result = run(*command, "-o", tmp_path / "site") if command[0] == "render" else run(*command)
        assert result.exit_code == 2, result.stderr
        assert result.stderr.strip() == (
            f"error: {hint}; stopped before fetching every URL again "
            "(posts deleted since would be lost)"
        )
    offline = run("render", renamed, "--offline", "-o", tmp_path / "site")
    assert offline.exit_code == 2
    assert offline.stderr.strip().endswith("stopped before rendering every item as unresolved")
    assert playground.requests == []  # nothing was asked again
    assert not (tmp_path / "site").exists()
    assert not renamed.with_name("kokous-2024.snapshots.json").exists()

    moved = run("mv", story, renamed)  # the story went first, by hand: bring the rest
    assert moved.exit_code == 0, moved.stderr
    assert moved.stdout.splitlines() == [
        f"{tmp_path / 'story.snapshots.json'} -> {tmp_path / 'kokous-2024.snapshots.json'}",
        f"{tmp_path / 'story.assets'} -> {tmp_path / 'kokous-2024.assets'}",
    ]
    rendered = run("render", renamed, "--offline", "-o", tmp_path / "site")
    assert rendered.exit_code == 0, rendered.stderr
    assert "warning" not in rendered.stderr
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    for name in archived_files(renamed).values():
        assert f"assets/{name}" in page


def test_mv_moves_story_snapshots_and_assets_to_another_folder(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> None:
    story, _ = fetched_story(playground, write_story, tmp_path)
    archive = tmp_path / "archive"
    archive.mkdir()
    snapshot_text = story.with_name("story.snapshots.json").read_bytes()

    result = run("mv", story, archive)
    assert result.exit_code == 0, result.stderr
    assert folder_names(archive) == ["story.assets", "story.snapshots.json", "story.yaml"]
    assert not story.exists()
    assert not story.with_name("story.snapshots.json").exists()
    assert not story.with_name("story.assets").exists()
    assert not (tmp_path / ".story.yaml.lock").exists()
    # The snapshot file is the same bytes: pictures are named inside the assets folder.
    assert (archive / "story.snapshots.json").read_bytes() == snapshot_text
    rendered = run("render", archive / "story.yaml", "--offline", "-o", tmp_path / "site")
    assert rendered.exit_code == 0, rendered.stderr
    assert "warning" not in rendered.stderr
    for name in archived_files(archive / "story.yaml").values():
        assert (tmp_path / "site" / "assets" / name).is_file()


def test_mv_never_overwrites(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> None:
    story, _ = fetched_story(playground, write_story, tmp_path)
    before = {p.name: p.stat().st_ino for p in tmp_path.iterdir()}
    other = tmp_path / "other.yaml"
    other.write_text("title: Other\nitems: []\n", encoding="utf-8")
    refused = run("mv", story, other)
    assert refused.exit_code == 2
    assert (
        refused.stderr.strip()
        == f"error: {other}: already exists; not overwriting it (nothing moved)"
    )

    other.unlink()
    (tmp_path / "other.snapshots.json").write_text('{"format": 1, "snapshots": {}}', "utf-8")
    refused = run("mv", story, other)
    assert refused.exit_code == 2
    assert f"{tmp_path / 'other.snapshots.json'}: already exists" in refused.stderr
    (tmp_path / "other.snapshots.json").unlink()
    assert {p.name: p.stat().st_ino for p in tmp_path.iterdir() if not p.name.startswith(".")} == {
        name: inode for name, inode in before.items() if not name.startswith(".")
    }
    assert run("mv", tmp_path / "none.yaml", other).exit_code == 2
    assert run("mv", story, tmp_path / "story.txt").exit_code == 2


@pytest.fixture
def other_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs mounted for the test: another filesystem than tmp_path's (root only)."""
    with mounted_tmpfs(tmp_path / "elsewhere", "8m") as folder:
        yield folder


def test_mv_to_another_filesystem(
    playground: ProviderPlayground,
    write_story: Callable[..., Path],
    tmp_path: Path,
    other_filesystem: Path,
) -> None:
    story, _ = fetched_story(playground, write_story, tmp_path)
    assert story.stat().st_dev != other_filesystem.stat().st_dev
    files = archived_files(story)
    result = run("mv", story, other_filesystem / "moved.yaml")
    assert result.exit_code == 0, result.stderr
    assert folder_names(other_filesystem) == [
        "moved.assets",
        "moved.snapshots.json",
        "moved.yaml",
    ]
    assert folder_names(tmp_path) == ["elsewhere", "providers.json"]
    assert sorted(p.name for p in (other_filesystem / "moved.assets").iterdir()) == sorted(
        files.values()
    )
    rendered = run("render", other_filesystem / "moved.yaml", "--offline", "-o", tmp_path / "s")
    assert rendered.exit_code == 0, rendered.stderr
    assert "warning" not in rendered.stderr


def test_mv_warns_when_a_relative_theme_stays_behind(tmp_path: Path) -> None:
    (tmp_path / "looks").mkdir()
    story = tmp_path / "story.yaml"
    story.write_text("title: T\noptions:\n  theme: looks\nitems: []\n", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    result = run("mv", story, tmp_path / "elsewhere")
    assert result.exit_code == 0
    moved = tmp_path / "elsewhere" / "story.yaml"
    assert result.stderr.strip() == (
        f"warning: {moved}: options.theme: looks is relative to the story's folder and is not "
        "found from its new place; move the theme too, or change options.theme"
    )
