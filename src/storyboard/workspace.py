"""Where a story's files live: everything is named after the story file and kept beside it.

For ``stories/anksome.yaml``: snapshots in ``stories/anksome.snapshots.json``, archived
media in ``stories/anksome.assets/``, the locks taken while the story or its snapshots
are written in ``stories/.anksome.yaml.lock`` and ``stories/.anksome.snapshots.json.lock``
(see ``fsio.locked``), and the output by default in ``site/anksome/`` under the working directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storyboard.errors import UsageError
from storyboard.fsio import lock_path_for

#: Outputs go here, under the working directory, unless ``-o`` says otherwise.
SITE_FOLDER = Path("site")

SNAPSHOT_SUFFIX = ".snapshots.json"
STORY_SUFFIXES = (".yaml", ".yml")


def snapshot_files_without_story(folder: Path) -> list[Path]:
    """Return the snapshot files in ``folder`` whose story file is not beside them, sorted.

    What a rename by hand leaves behind (``commands.orphans``). An unreadable folder
    gives none.
    """
    try:
        names = {path.name for path in folder.iterdir()}
    except OSError:
        return []
    left = []
    for name in sorted(names):
        stem = name.removesuffix(SNAPSHOT_SUFFIX)
        if stem and stem != name and not {f"{stem}{s}" for s in STORY_SUFFIXES} & names:
            left.append(folder / name)
    return left


@dataclass(frozen=True)
class Workspace:
    """The files that belong to one story file."""

    story_path: Path

    @property
    def snapshot_path(self) -> Path:
        """Return ``STORY.snapshots.json``: what was fetched for each URL."""
        return self.story_path.with_name(f"{self.story_path.stem}{SNAPSHOT_SUFFIX}")

    @property
    def assets_dir(self) -> Path:
        """Return ``STORY.assets/``: where archived media live."""
        return self.story_path.with_name(f"{self.story_path.stem}.assets")

    def checked_assets_dir(self) -> Path:
        """Return ``STORY.assets/`` to read archived media from or write them to; never a link.

        The files inside are checked one by one (regular files holding pictures), but a
        folder that is itself a symbolic link, committed to a story's repository, would
        still publish pictures from wherever it points (``~/Pictures``) and let fetch write
        there. ``UsageError`` names it; a missing folder is fine (nothing archived yet).
        """
        path = self.assets_dir
        if path.is_symlink():
            raise UsageError(
                f"{path}: the assets folder is a symbolic link; refusing to follow it "
                f"(make {path.name} a folder of its own: move the pictures into one, "
                "or delete the link and run storyboard fetch)"
            )
        return path

    @property
    def lock_path(self) -> Path:
        """Return the lock two commands take before read-merge-write of the story file.

        Hidden, and named after the whole file name, so it never clashes with a story
        called ``STORY.lock.yaml`` or with another story's files.
        """
        return lock_path_for(self.story_path)

    @property
    def snapshot_lock_path(self) -> Path:
        """Return the lock taken around each save of the snapshot file."""
        return lock_path_for(self.snapshot_path)

    @property
    def default_output_dir(self) -> Path:
        """Return ``site/<story stem>/``, relative to the working directory."""
        return SITE_FOLDER / self.story_path.stem

    def output_dir(self, override: Path | None = None) -> Path:
        """Return ``override`` (``-o``), else the default output folder."""
        return override if override is not None else self.default_output_dir

    def theme_dir(self, story_theme: str | None, override: Path | None = None) -> Path | None:
        """Return the theme folder: ``override`` (``--theme``), else the story's ``theme:``.

        The story's ``theme:`` is relative to the story file, wherever the command runs.
        """
        if override is not None:
            return override
        if story_theme:
            return (self.story_path.parent / story_theme).resolve()
        return None
