"""Snapshots left behind by a rename: ``X.snapshots.json`` beside a story whose own are missing.

A story file renamed or moved by hand (``git mv``, a file manager) leaves its
snapshot file and assets folder under the old name, where no command looks for them:
every card would render unresolved, and a fetch would ask every URL again (losing the
posts deleted since). ``check`` tells, ``render`` and ``fetch`` stop, and both say how to
bring the files along: ``storyboard mv OLD NEW`` moves them to go with the story.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storyboard.errors import SnapshotError, UsageError
from storyboard.model.story import Story
from storyboard.snapshots import SnapshotStore
from storyboard.urls import normalize_url
from storyboard.workspace import SNAPSHOT_SUFFIX, Workspace, snapshot_files_without_story


@dataclass(frozen=True)
class Orphans:
    """The snapshot file (and assets folder) of a story file that is not there any more."""

    #: Where the story these were made for would be (it does not exist).
    old_story: Path
    snapshot_path: Path
    assets_dir: Path | None
    #: How many of the story's URLs the orphaned snapshot file holds.
    shared: int

    def names(self) -> str:
        """Return "old.snapshots.json and old.assets/" (or just the file)."""
        files = self.snapshot_path.name
        return files + (f" and {self.assets_dir.name}/" if self.assets_dir else "")

    def hint(self, story_path: Path, total: int) -> str:
        """Return one line: what was found, and the command that moves it."""
        names = self.names()
        verb = "hold" if self.assets_dir else "holds"
        return (
            f"{story_path}: its snapshots are not beside it, but {names} {verb} "
            f"{self.shared} of its {total} URLs and belong to no story file "
            f"(was {self.old_story.name} renamed?); to bring them along, run: "
            f"storyboard mv {self.old_story} {story_path}"
        )


def find_orphans(workspace: Workspace, story: Story) -> Orphans | None:
    """Return the snapshots of a story file that no longer exists, if they hold this one's URLs.

    Only when the story's own snapshot file is missing; the best match wins.
    """
    if workspace.snapshot_path.exists():
        return None
    urls = {normalize_url(item.url) for item in story.url_items()}
    folder = workspace.story_path.parent
    if not urls:
        return None
    best: Orphans | None = None
    for candidate in snapshot_files_without_story(folder):
        stem = candidate.name.removesuffix(SNAPSHOT_SUFFIX)
        try:
            held = {snapshot.url for snapshot in SnapshotStore.load(candidate)}
        except SnapshotError:
            continue
        shared = len(urls & held)
        if shared and (best is None or shared > best.shared):
            assets = folder / f"{stem}.assets"
            old_story = folder / f"{stem}{workspace.story_path.suffix or '.yaml'}"
            best = Orphans(old_story, candidate, assets if assets.is_dir() else None, shared)
    return best


def refuse_if_orphaned(workspace: Workspace, story: Story, *, doing: str) -> None:
    """Raise ``UsageError`` with the ``mv`` hint when the story's snapshots were left behind.

    ``doing`` says what would go wrong ("rendering every item as unresolved").
    """
    orphans = find_orphans(workspace, story)
    if orphans is not None:
        total = len({normalize_url(item.url) for item in story.url_items()})
        raise UsageError(f"{orphans.hint(workspace.story_path, total)}; stopped before {doing}")
