"""``storyboard import storify``: write the story file, its snapshots and saved pictures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storyboard.clock import Clock, utc_now
from storyboard.errors import Problem, UsageError
from storyboard.fsio import write_new_file
from storyboard.importers.storify.convert import read_storify_export
from storyboard.importers.storify.local_pictures import archive_local_pictures
from storyboard.snapshots import SnapshotStore
from storyboard.storyfile.dump import dump_story_text
from storyboard.storyfile.skeleton import check_lang
from storyboard.workspace import Workspace


@dataclass(frozen=True)
class ImportResult:
    """What ``import_storify`` wrote."""

    story_path: Path
    snapshots_path: Path
    items: int
    snapshots: int
    warnings: list[Problem]
    #: "JSON", "JSONP", "XML" or "HTML".
    format: str = "JSON"
    #: Pictures saved beside an HTML export, now in the story's assets folder.
    pictures: int = 0


def import_storify(
    export_path: Path, story_path: Path, *, lang: str | None = None, clock: Clock = utc_now
) -> ImportResult:
    """Write ``story_path`` and its snapshot file from a Storify export; never overwrite."""
    if story_path.exists():
        raise UsageError(f"{story_path}: already exists; not overwriting it (choose another -o)")
    if lang is not None:
        check_lang(lang)
    workspace = Workspace(story_path)
    now = clock()
    imported = read_storify_export(export_path, lang=lang, now=now)
    warnings = list(imported.warnings)
    snapshots = imported.snapshots
    pictures = 0
    if imported.local_pictures:
        snapshots, problems = archive_local_pictures(
            snapshots,
            imported.local_pictures,
            workspace.checked_assets_dir(),
            source=str(export_path),
        )
        warnings += problems
        pictures = len(
            {
                asset.path
                for snapshot in snapshots
                if snapshot.card is not None
                for asset in (snapshot.card.image, snapshot.card.avatar)
                if asset is not None and asset.path
            }
        )
    permalink = imported.permalink
    header = (
        f"Imported from the Storify export {export_path.name} "
        f"on {now.date().isoformat()} by storyboard."
    )
    if permalink:
        header += f"\nThe story was at {permalink}"
    header += (
        f"\nEach post is kept in {workspace.snapshot_path.name} as Storify saved it:"
        "\nthe page renders from it even where the post is long gone. `storyboard fetch`"
        "\ndownloads the pictures; `storyboard fetch --refresh` asks the platforms again"
        "\n(a post that is gone keeps its imported snapshot)."
    )
    text = dump_story_text(imported.story, header=header, path=str(story_path))
    store = SnapshotStore.load(workspace.snapshot_path, clock=clock)
    for snapshot in snapshots:
        if store.needs_fetch(snapshot.url):  # never replace what an earlier fetch learned
            store.record_success(snapshot)
    store.save()
    write_new_file(story_path, text.encode("utf-8"))
    return ImportResult(
        story_path=story_path,
        snapshots_path=store.path,
        items=len(imported.story.items),
        snapshots=len(snapshots),
        warnings=warnings,
        format=imported.format,
        pictures=pictures,
    )
