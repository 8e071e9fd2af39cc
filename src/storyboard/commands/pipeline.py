"""The library API behind the commands: load → fetch → render, one function each."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from storyboard.clock import Clock, utc_now
from storyboard.fetch.pool import (
    FetchReport,
    PoolSettings,
    ProgressCallback,
    timed_fetch,
    urls_to_fetch,
)
from storyboard.model.snapshot import Snapshot, SnapshotStatus
from storyboard.model.story import Story
from storyboard.net import FetchSettings
from storyboard.providers import ProviderRegistry
from storyboard.snapshots import SnapshotStore, assets_dir_for, snapshot_path_for
from storyboard.storyfile.loader import LoadedStory, load_story
from storyboard.urls import normalize_url

if TYPE_CHECKING:
    from storyboard.fetch.imported_media import MediaReport
    from storyboard.render import OutputFormat, RenderOptions, RenderResult

# The resolver, the media archive and the render layer load HTML, image and template
# code; they are imported where they are used, so a fetch with nothing to do (or a
# check) starts fast.


@dataclass(frozen=True)
class NetworkOptions:
    """Options shared by every command that touches the network."""

    providers_files: Sequence[Path] = ()
    http: FetchSettings = field(default_factory=FetchSettings)
    pool: PoolSettings = field(default_factory=PoolSettings)


def build_registry(providers_files: Sequence[Path] = ()) -> ProviderRegistry:
    """Return the default registry (built-in table, oembed.com's) behind the user's files."""
    registry = ProviderRegistry.default()
    # Later files win over earlier ones, and all of them over the built-in table.
    for path in providers_files:
        registry = registry.with_extra(ProviderRegistry.load_file(path))
    return registry


def open_store(story: Story, *, clock: Clock = utc_now) -> SnapshotStore:
    """Load the snapshot file that belongs to ``story``; its stamps come from ``clock``."""
    if story.source_path is None:
        raise ValueError("the story was not loaded from a file")
    return SnapshotStore.load(snapshot_path_for(story.source_path), clock=clock)


def fetch_story(
    story: Story,
    store: SnapshotStore,
    network: NetworkOptions,
    *,
    refresh: bool = False,
    progress: ProgressCallback | None = None,
) -> FetchReport:
    """Resolve every URL of ``story`` that has no usable snapshot (all with ``refresh``)."""
    urls = [item.url for item in story.url_items()]
    wanted = urls_to_fetch(urls, store, refresh=refresh)
    skipped = len({normalize_url(url) for url in urls}) - len(wanted)
    if not wanted:
        return FetchReport(skipped=skipped)
    assert story.source_path is not None
    from storyboard.fetch.assets import AssetArchive
    from storyboard.fetch.resolver import ResolveSettings, UrlResolver
    from storyboard.net import HttpClient

    client = HttpClient(network.http)
    try:
        resolver = UrlResolver(
            registry=build_registry(network.providers_files),
            client=client,
            # A dry run (``check --links`` without ``--update``) writes no media either.
            archive=AssetArchive(assets_dir_for(story.source_path), client)
            if store.persist
            else None,
            settings=ResolveSettings(
                maxwidth=story.options.maxwidth, maxheight=story.options.maxheight
            ),
            clock=store.clock,
        )
        return timed_fetch(
            wanted, store, resolver, pool=network.pool, progress=progress, skipped=skipped
        )
    finally:
        client.close()


def archive_imported_media(
    story: Story, store: SnapshotStore, network: NetworkOptions
) -> MediaReport:
    """Download the pictures of the story's imported snapshots (their cards stay as they are)."""
    assert story.source_path is not None
    urls = [item.url for item in story.url_items()]
    from storyboard.fetch.imported_media import MediaReport
    from storyboard.fetch.imported_media import archive_imported_media as archive_missing

    snapshots = (store.get(url) for url in urls)
    if not store.persist or not any(s and s.unarchived_imported_media for s in snapshots):
        return MediaReport()
    from storyboard.fetch.assets import AssetArchive
    from storyboard.net import HttpClient

    client = HttpClient(network.http)
    try:
        archive = AssetArchive(assets_dir_for(story.source_path), client)
        return archive_missing(urls, store, archive, concurrency=network.pool.concurrency)
    finally:
        client.close()


def theme_dir_for(story: Story, override: Path | None = None) -> Path | None:
    """Return the theme folder: ``override`` (``--theme``), else the story's ``theme:``.

    The story's ``theme:`` is relative to the story file, wherever the command runs.
    """
    if override is not None:
        return override
    if story.options.theme and story.source_path is not None:
        return (story.source_path.parent / story.options.theme).resolve()
    return None


def default_output_dir(story_path: Path) -> Path:
    """Return ``site/<story stem>/``, relative to the working directory."""
    return Path("site") / story_path.stem


def render_story_file(
    loaded: LoadedStory,
    store: SnapshotStore,
    *,
    output_dir: Path | None = None,
    output_format: OutputFormat | None = None,
    options: RenderOptions | None = None,
    providers_files: Sequence[Path] = (),
) -> RenderResult:
    """Render a loaded story from its snapshots (no network).

    ``providers_files`` are the registries the snapshots were fetched with: they say
    which hosts a provider's player and scripts may come from.
    """
    from storyboard.render import OutputFormat, RenderOptions, render_story

    story = loaded.story
    assert story.source_path is not None
    if options is None:
        options = RenderOptions(
            output_dir=output_dir or default_output_dir(story.source_path),
            format=output_format or OutputFormat.PAGE,
        )
    return render_story(
        story,
        store.as_mapping(),
        options,
        assets_dir=assets_dir_for(story.source_path),
        registry=build_registry(providers_files),
    )


@dataclass(frozen=True)
class LinkState:
    """The known state of one URL item, for ``check --links``."""

    url: str
    state: str  # ok, gone, error, never fetched
    detail: str = ""


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


__all__ = [
    "LinkState",
    "NetworkOptions",
    "archive_imported_media",
    "build_registry",
    "default_output_dir",
    "fetch_story",
    "link_states",
    "load_story",
    "open_store",
    "render_story_file",
]
