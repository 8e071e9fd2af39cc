"""``storyboard collect``: find the posts of a hashtag or a URL list, then add them.

Two steps, so the person can look at what was found before anything is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from storyboard.clock import Clock, utc_now
from storyboard.collect import (
    CollectFilter,
    CollectSource,
    collect_posts,
    describe_post,
    save_collected,
    story_urls,
)
from storyboard.collect.model import CollectedPost
from storyboard.commands.feedback import Feedback, Note, Outcome
from storyboard.commands.network import NetworkOptions
from storyboard.commands.opened import open_story
from storyboard.errors import EXIT_OK, EXIT_PARTIAL, UsageError


@dataclass(frozen=True)
class Window:
    """Which posts to keep: the days (UTC, inclusive) and how many at most."""

    since: dt.date | None = None
    until: dt.date | None = None
    limit: int = 200


@dataclass(kw_only=True)
class FoundPosts(Outcome):
    """The new posts found, oldest first; ``incomplete`` when the source failed midway."""

    posts: list[CollectedPost] = field(default_factory=list)
    incomplete: bool = False

    @property
    def count(self) -> str:
        """Return "N post(s)" for messages."""
        return f"{len(self.posts)} post{'s' if len(self.posts) != 1 else ''}"


def find_posts(
    story_path: Path,
    source: CollectSource,
    window: Window,
    network: NetworkOptions,
    feedback: Feedback,
    *,
    dry_run: bool = False,
) -> FoundPosts:
    """Collect the posts of ``source`` that the story does not have yet; write nothing."""
    opened = open_story(story_path, feedback)
    try:
        filt = CollectFilter(
            since=window.since,
            until=window.until,
            limit=window.limit,
            exclude=story_urls(opened.story),
        )
    except ValueError as exc:
        raise UsageError(f"--since/--until: {exc}") from exc
    result = collect_posts(source, filt, network.http, notify=feedback.message)
    notes = [Note(warning, "warning") for warning in result.warnings]
    if result.stopped_early:
        notes.append(Note(result.stopped_early, "note"))
    found = FoundPosts(
        posts=result.posts,
        incomplete=result.incomplete,
        lines=[line for post in result.posts for line in describe_post(post)],
        notes=notes,
        exit_code=EXIT_PARTIAL if result.incomplete else EXIT_OK,
    )
    if not found.posts:
        notes.append(Note("No new posts to add."))
    elif dry_run:
        notes.append(Note(f"Dry run: {found.count} found; nothing written."))
    return found


def add_posts(
    story_path: Path,
    found: FoundPosts,
    network: NetworkOptions,
    *,
    heading: str | None = None,
    clock: Clock = utc_now,
) -> Outcome:
    """Seed the posts' snapshots from what the API gave, then add them to the story file."""
    report = save_collected(
        story_path,
        found.posts,
        network.http,
        heading=heading,
        concurrency=network.pool.concurrency,
        clock=clock,
    )
    notes = [Note(f"picture not archived: {failure}", "warning") for failure in report.media_failed]
    if report.seeded:
        done = f"{report.seeded} snapshots from the API, {report.media_archived} pictures archived"
    else:
        done = f"run storyboard fetch {story_path} for their snapshots"
    notes.append(Note(f"Added {found.count} to {story_path} ({done})."))
    return Outcome(notes=notes, exit_code=found.exit_code)
