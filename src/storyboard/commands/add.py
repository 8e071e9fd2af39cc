"""``storyboard add``: add URLs to a story file, and with ``--fetch`` resolve them at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storyboard.clock import Clock, utc_now
from storyboard.commands.feedback import Feedback, Outcome
from storyboard.commands.fetch import fetch_story
from storyboard.commands.network import NetworkOptions
from storyboard.commands.opened import open_story
from storyboard.errors import EXIT_OK, EXIT_PARTIAL, UsageError
from storyboard.fetch.pool import FetchReport
from storyboard.storyfile.insert import add_items
from storyboard.storyfile.messages import stray_ending_message, stray_url_ending


@dataclass(kw_only=True)
class AddResult(Outcome):
    """What was added, and the fetch of the new items if one ran."""

    first: int
    count: int
    report: FetchReport | None = None


def add(
    story_path: Path,
    urls: list[str],
    network: NetworkOptions,
    feedback: Feedback,
    *,
    note: str | None = None,
    after: int | None = None,
    heading: str | None = None,
    fetch_now: bool = False,
    clock: Clock = utc_now,
) -> AddResult:
    """Add ``urls``, leaving every other line of the file as it is; then fetch if asked.

    They go after item ``after`` (0 = before every item), else at the end of the
    section under ``heading``, else at the end.
    """
    if after is not None and heading is not None:
        raise UsageError("use --after or --heading, not both")
    added = add_items(story_path, urls, note=note, after=after, heading=heading)
    if added.new_heading is not None:
        feedback.message(f"added the heading {added.new_heading!r} at the end")
    first, count = added.index + 1, len(added.added)
    where = f"item {first}" if count == 1 else f"items {first}-{first + count - 1}"
    feedback.message(f"{story_path}: added {where}")
    for item in added.added:
        stray = stray_url_ending(item.url)
        if stray is not None:
            feedback.message(f"warning: {item.url}: {stray_ending_message(item.url, stray)}")
    if not fetch_now:
        return AddResult(first=first, count=count)
    opened = open_story(story_path, feedback, clock=clock)
    report = fetch_story(opened, opened.load_snapshots(), network, feedback, items=added.added)
    exit_code = EXIT_PARTIAL if report.failures else EXIT_OK
    return AddResult(first=first, count=count, report=report, exit_code=exit_code)
