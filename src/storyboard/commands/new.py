"""``storyboard new``: write a commented skeleton story file (never over an existing one)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from storyboard.clock import Clock, utc_now
from storyboard.commands.feedback import Note, Outcome
from storyboard.fsio import write_new_file
from storyboard.storyfile.skeleton import new_story_text, title_from_file_name


def new(
    story_path: Path,
    *,
    title: str | None = None,
    lang: str = "en",
    date: dt.date | None = None,
    clock: Clock = utc_now,
) -> Outcome:
    """Write the skeleton; the title defaults to one made from the file name."""
    text = new_story_text(
        title=title if title is not None else title_from_file_name(story_path),
        lang=lang,
        date=date,
        file_name=story_path.name,
        clock=clock,
    )
    write_new_file(story_path, text.encode("utf-8"))
    return Outcome(
        lines=[str(story_path)],
        notes=[Note(f"next: storyboard add {story_path} URL --note TEXT")],
    )
