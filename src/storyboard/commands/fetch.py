"""``storyboard fetch``: resolve the story's URLs into its snapshot file.

Also the steps other commands fetch with: ``render`` (what has no snapshot yet),
``add --fetch`` (the new items), ``check --links`` (everything, maybe without saving).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storyboard.clock import Clock, utc_now
from storyboard.commands.feedback import Feedback, Note, Outcome
from storyboard.commands.network import NetworkOptions, build_registry
from storyboard.errors import EXIT_OK, EXIT_PARTIAL
from storyboard.fetch.pool import FetchReport, timed_fetch, urls_to_fetch
from storyboard.urls import normalize_url

if TYPE_CHECKING:
    from pathlib import Path

    from storyboard.commands.head_start import HeadStart
    from storyboard.commands.opened import OpenedStory
    from storyboard.fetch.imported_media import MediaReport
    from storyboard.model.story import UrlItem
    from storyboard.snapshots import SnapshotStore
    from storyboard.workspace import Workspace

# The story's models and loader, the resolver and the media archive (HTML and image
# code) are imported where they are used: ``fetch`` sends its first requests before
# they are loaded (``commands.head_start``), and a fetch with nothing to do starts fast.


def fetch_story(
    opened: OpenedStory,
    store: SnapshotStore,
    network: NetworkOptions,
    feedback: Feedback,
    *,
    refresh: bool = False,
    items: list[UrlItem] | None = None,
    head_start: HeadStart | None = None,
) -> FetchReport:
    """Resolve every URL (of ``items``, else of the story) that has no usable snapshot.

    With ``refresh``, every URL is resolved again. ``head_start``: workers already
    asking some of them, with the client and registry they use.
    """
    options = opened.story.options
    urls = [item.url for item in (opened.story.url_items() if items is None else items)]
    wanted = urls_to_fetch(urls, store, refresh=refresh)
    skipped = len({normalize_url(url) for url in urls}) - len(wanted)
    if not wanted:
        if head_start is not None:
            head_start.abandon()
        report = FetchReport(skipped=skipped)
        feedback.finish(report)
        return report
    from storyboard.fetch.assets import AssetArchive
    from storyboard.fetch.first_request import ResolveSettings
    from storyboard.fetch.preload import load_readers_in_background
    from storyboard.fetch.resolver import UrlResolver
    from storyboard.fetch.wayback import record_archived_copies

    client = network.client() if head_start is None else head_start.client
    try:
        resolver = UrlResolver(
            registry=build_registry(network.providers_files)
            if head_start is None
            else head_start.registry,
            client=client,
            # A dry run (``check --links`` without ``--update``) writes no media either.
            archive=AssetArchive(opened.workspace.checked_assets_dir(), client)
            if store.persist
            else None,
            settings=ResolveSettings(
                maxwidth=options.maxwidth,
                maxheight=options.maxheight,
                archive_restricted=options.archive_restricted,
            ),
            clock=store.clock,
            early=head_start.early if head_start is not None else None,
        )
        load_readers_in_background()  # unless the head start did: while the first requests run
        report = timed_fetch(
            wanted,
            store,
            resolver,
            pool=network.pool,
            progress=feedback,
            skipped=skipped,
            workers=head_start.workers if head_start is not None else None,
        )
        if store.persist and record_archived_copies(wanted, store, client):
            store.save()
    finally:
        if head_start is not None:
            head_start.workers.stop()  # none left but after an error or Ctrl-C
        client.close()
    feedback.finish(report)
    return report


def archive_imported_media(
    items: list[UrlItem], store: SnapshotStore, workspace: Workspace, network: NetworkOptions
) -> MediaReport:
    """Download the pictures of imported snapshots (their cards stay as they are), and
    again those gone from or damaged in the assets folder."""
    urls = [item.url for item in items]
    from storyboard.fetch.imported_media import MediaReport, needs_pictures
    from storyboard.fetch.imported_media import archive_imported_media as archive_missing

    snapshots = (store.get(url) for url in urls)
    if not store.persist or not any(
        s and needs_pictures(s, workspace.assets_dir) for s in snapshots
    ):
        return MediaReport()
    from storyboard.fetch.assets import AssetArchive

    client = network.client()
    try:
        archive = AssetArchive(workspace.checked_assets_dir(), client)
        return archive_missing(urls, store, archive, concurrency=network.pool.concurrency)
    finally:
        client.close()


def media_notes(media: MediaReport) -> list[Note]:
    """Describe archived pictures of imported posts; a failed one is a note, not a failure."""
    notes = []
    if media.archived:
        notes.append(Note(f"archived {media.archived} pictures of imported posts"))
    if media.restored:
        notes.append(
            Note(f"archived again {media.restored} pictures missing from the assets folder")
        )
    for url, reason in media.failures:
        message = reason if url in reason else f"{url}: {reason}"
        notes.append(Note(f"picture not archived: {message}", "note"))
    return notes


def _no_media() -> MediaReport:
    from storyboard.fetch.imported_media import MediaReport

    return MediaReport()


@dataclass(kw_only=True)
class FetchResult(Outcome):
    """What ``fetch`` did: its fetch report and the imported pictures it archived."""

    report: FetchReport
    media: MediaReport = field(default_factory=_no_media)


def fetch(
    story_path: Path,
    network: NetworkOptions,
    feedback: Feedback,
    *,
    refresh: bool = False,
    clock: Clock = utc_now,
) -> FetchResult:
    """Fetch what has no snapshot (everything with ``refresh``), then imported pictures."""
    from storyboard.commands.head_start import start_early

    head_start = start_early(story_path, network, refresh=refresh)
    try:
        from storyboard.commands.opened import open_story
        from storyboard.commands.orphans import refuse_if_orphaned

        opened = open_story(story_path, feedback, clock=clock)
        refuse_if_orphaned(
            opened.workspace,
            opened.story,
            doing="fetching every URL again (posts deleted since would be lost)",
        )
        story, store = opened.story, opened.load_snapshots()
    except BaseException:
        if head_start is not None:
            head_start.abandon()
        raise
    report = fetch_story(opened, store, network, feedback, refresh=refresh, head_start=head_start)
    media = archive_imported_media(story.url_items(), store, opened.workspace, network)
    return FetchResult(
        report=report,
        media=media,
        notes=media_notes(media),
        exit_code=EXIT_PARTIAL if report.failures else EXIT_OK,
    )
