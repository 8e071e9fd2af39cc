"""``storyboard check``: validate a story file; with ``--links``, ask every URL's source now."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from storyboard.clock import Clock, utc_now
from storyboard.commands.feedback import Feedback, Note, Outcome
from storyboard.commands.network import NetworkOptions
from storyboard.commands.opened import OpenedStory, open_story
from storyboard.commands.orphans import find_orphans, refuse_if_orphaned
from storyboard.errors import EXIT_OK, EXIT_PARTIAL, Problem, StoryError
from storyboard.fetch.pool import FetchReport
from storyboard.model.snapshot import Snapshot, SnapshotStatus
from storyboard.model.story import Story
from storyboard.snapshots import SnapshotStore
from storyboard.urls import normalize_url


@dataclass(frozen=True)
class LinkState:
    """The known state of one URL item, for ``check --links``."""

    url: str
    state: str  # ok, gone, error, never fetched
    detail: str = ""


@dataclass(kw_only=True)
class CheckResult(Outcome):
    """The story is valid; with ``--links``, the state of each URL."""

    links: list[LinkState] = field(default_factory=list)


def check(
    story_path: Path,
    network: NetworkOptions,
    feedback: Feedback,
    *,
    links: bool = False,
    update: bool = False,
    clock: Clock = utc_now,
) -> CheckResult:
    """Validate ``story_path`` (no network); with ``links``, fetch every URL again.

    Without ``update`` nothing is saved: the snapshot file and media stay as they were.
    """
    opened = open_story(story_path, feedback, clock=clock)
    story = opened.story
    check_theme_folder(opened)
    theme = opened.theme_dir()  # inside the story's folder
    if theme is not None:
        # Only a story with a theme loads the template engine.
        from storyboard.render.themes import check_theme

        check_theme(theme)  # every template compiles
    orphans = find_orphans(opened.workspace, story)
    warnings = []
    if orphans is not None:
        total = len({normalize_url(item.url) for item in story.url_items()})
        warnings.append(Note(orphans.hint(story_path, total), "warning"))
    if not links:
        counts = f"{len(story.items)} items, {len(story.url_items())} URLs"
        return CheckResult(notes=[*warnings, Note(f"{story_path}: ok ({counts})")])
    if update:
        refuse_if_orphaned(opened.workspace, story, doing="saving every URL afresh")
    store = opened.load_snapshots()
    # Without --update nothing is saved, so URLs without a snapshot stay "never fetched".
    unfetched = [] if update else [i.url for i in story.url_items() if i.url not in store]
    if not update:
        store = store.detached()
    from storyboard.commands.fetch import fetch_story  # the HTTP stack loads only with --links

    report = fetch_story(opened, store, network, feedback, refresh=True)
    states = link_states(story, store, report, unfetched=unfetched)
    return CheckResult(
        notes=warnings,
        links=states,
        lines=[f"{s.state:13} {s.url}" + (f"  {s.detail}" if s.detail else "") for s in states],
        exit_code=EXIT_PARTIAL if any(s.state != "ok" for s in states) else EXIT_OK,
    )


def check_theme_folder(opened: OpenedStory) -> None:
    """Raise ``StoryError`` when ``options.theme`` names a folder that is not there."""
    theme = opened.story.options.theme
    folder = opened.workspace.theme_dir(theme)
    if theme is None or folder is None or folder.is_dir():
        return
    line, column = opened.loaded.theme_pos or (None, None)
    what = "not a folder" if folder.exists() else "no such folder"
    message = (
        f"{what}: {folder} (a theme is a folder of templates, named relative to the "
        "story's folder); create it, fix the name, or remove options.theme"
    )
    path = str(opened.workspace.story_path)
    raise StoryError([Problem(path, line, column, "options.theme", message)])


def link_states(
    story: Story,
    store: SnapshotStore,
    report: FetchReport | None = None,
    *,
    unfetched: Collection[str] = (),
) -> list[LinkState]:
    """List the state of every URL item: as this check found it, else from the snapshots.

    ``report`` is the check's own fetch run: a URL that failed in it is ``error`` even
    where an earlier snapshot is kept (and still renders). ``unfetched`` are the URLs
    that had no snapshot before the check: they stay ``never fetched`` (with what the
    check found) unless the check saved its findings.
    """
    outcomes = {normalize_url(o.url): o for o in report.outcomes} if report else {}
    never = {normalize_url(url) for url in unfetched}
    states = []
    for item in story.url_items():
        key = normalize_url(item.url)
        snapshot: Snapshot | None = store.get(key)
        outcome = outcomes.get(key)
        error = snapshot.last_error.message if snapshot and snapshot.last_error else ""
        if snapshot is None or key in never:
            found = "answers now; storyboard fetch keeps it" if outcome and outcome.ok else error
            states.append(LinkState(item.url, "never fetched", found))
            continue
        state, detail = snapshot.status.value, error
        if snapshot.status is SnapshotStatus.GONE and snapshot.gone_since:
            detail = f"since {snapshot.gone_since.isoformat()}" + (f" ({detail})" if detail else "")
        elif outcome is not None and not outcome.ok and snapshot.status is SnapshotStatus.OK:
            state = "error"  # failing at the source now; the kept snapshot still renders
            if snapshot.fetched_at:
                detail += f"; the snapshot of {snapshot.fetched_at.date().isoformat()} is kept"
        elif outcome is not None and outcome.ok:
            detail = ""
        states.append(LinkState(item.url, state, detail))
    return states
