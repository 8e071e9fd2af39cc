"""``storyboard import storify``: a Storify export becomes a story and snapshots."""

from __future__ import annotations

from pathlib import Path

from storyboard.clock import Clock, utc_now
from storyboard.commands.feedback import Note, Outcome
from storyboard.importers.storify import import_storify as run_import


def import_storify(
    export_path: Path, story_path: Path | None, *, lang: str | None = None, clock: Clock = utc_now
) -> Outcome:
    """Write the story (default ``<export name>.yaml`` here) and its snapshot file."""
    target = story_path or Path(f"{export_path.stem}.yaml")
    result = run_import(export_path, target, lang=lang, clock=clock)
    # A warning's text already says "warning".
    notes = [Note(str(warning)) for warning in result.warnings]
    notes.append(
        Note(
            f"imported {result.items} items and {result.snapshots} snapshots; "
            f"next: storyboard render {result.story_path} --offline"
        )
    )
    return Outcome(lines=[str(result.story_path), str(result.snapshots_path)], notes=notes)
