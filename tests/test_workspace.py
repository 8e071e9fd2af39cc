"""Where a story's files live, all derived from the story file's path."""

from __future__ import annotations

from pathlib import Path

from storyboard.workspace import Workspace


def test_files_sit_beside_the_story_and_are_named_after_it() -> None:
    workspace = Workspace(Path("stories/anksome-2017.yaml"))
    assert workspace.snapshot_path == Path("stories/anksome-2017.snapshots.json")
    assert workspace.assets_dir == Path("stories/anksome-2017.assets")
    assert workspace.lock_path == Path("stories/.anksome-2017.yaml.lock")


def test_two_stories_in_one_folder_share_no_file() -> None:
    one, other = Workspace(Path("s/a.yaml")), Workspace(Path("s/a.lock.yaml"))
    mine = {one.snapshot_path, one.assets_dir, one.lock_path, one.default_output_dir}
    theirs = {other.snapshot_path, other.assets_dir, other.lock_path, other.default_output_dir}
    assert not mine & theirs


def test_output_goes_under_site_in_the_working_directory_unless_given() -> None:
    workspace = Workspace(Path("/home/me/stories/meetup.yaml"))
    assert workspace.default_output_dir == Path("site/meetup")
    assert workspace.output_dir() == Path("site/meetup")
    assert workspace.output_dir(Path("/tmp/out")) == Path("/tmp/out")


def test_the_story_theme_is_relative_to_the_story_file(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "stories" / "meetup.yaml")
    assert workspace.theme_dir(None) is None
    assert workspace.theme_dir("themes/dark") == tmp_path / "stories" / "themes" / "dark"
    assert workspace.theme_dir("themes/dark", Path("mine")) == Path("mine")
