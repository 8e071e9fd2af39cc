"""Collect posts for a story from one source, then seed their snapshots and add them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from storyboard.clock import Clock, utc_now
from storyboard.collect.bluesky import collect_bluesky
from storyboard.collect.from_file import collect_from_file
from storyboard.collect.mastodon import collect_mastodon
from storyboard.collect.model import CollectedPost, CollectFilter, CollectResult, Notify
from storyboard.collect.placement import as_moment, chronological_position, section_range
from storyboard.collect.ratelimit import Pacer
from storyboard.errors import UsageError, WriteError
from storyboard.fetch.assets import ArchivedCard, AssetArchive, archive_card_media
from storyboard.fetch.pool import worker_pool
from storyboard.fsio import locked, write_atomically
from storyboard.model.card import MEDIA_FIELDS, MediaAsset
from storyboard.model.snapshot import Snapshot
from storyboard.model.story import Story
from storyboard.net import FetchSettings, HttpClient
from storyboard.networks.bluesky import DEFAULT_APPVIEW
from storyboard.snapshots import SnapshotStore
from storyboard.storyfile.insert import add_items, add_items_to_text
from storyboard.storyfile.loader import load_story, parse_story
from storyboard.urls import normalize_url
from storyboard.workspace import Workspace


def _quiet(_line: str) -> None:
    """Ignore a line of news."""


@dataclass(frozen=True)
class CollectSource:
    """Where to collect from: a Mastodon instance, Bluesky's search, or a file of URLs."""

    mastodon: str | None = None
    bluesky: bool = False
    from_file: Path | None = None
    tag: str | None = None
    query: str | None = None
    bluesky_api: str = DEFAULT_APPVIEW

    def check(self, filt: CollectFilter) -> None:
        """Raise UsageError unless exactly one source is named, with what it needs."""
        chosen = [self.mastodon is not None, self.bluesky, self.from_file is not None]
        if sum(chosen) != 1:
            raise UsageError("name one source: --mastodon URL, --bluesky or --from-file FILE")
        if self.mastodon is not None and not self.tag:
            raise UsageError("--mastodon needs --tag")
        if self.mastodon is not None and self.query:
            raise UsageError("--query works with --bluesky only (Mastodon reads a hashtag)")
        if self.bluesky and not (self.tag or self.query):
            raise UsageError("--bluesky needs --tag or --query")
        if self.from_file is not None and (self.tag or self.query or filt.dated):
            raise UsageError("--from-file takes no --tag, --query, --since or --until")


def story_urls(story: Story) -> frozenset[str]:
    """Return the normalized URLs of the story's items."""
    return frozenset(normalize_url(item.url) for item in story.url_items())


def collect_posts(
    source: CollectSource,
    filt: CollectFilter,
    http: FetchSettings,
    *,
    notify: Notify = _quiet,
) -> CollectResult:
    """Collect the posts ``source`` has that ``filt`` keeps, oldest first."""
    source.check(filt)
    if source.from_file is not None:
        return collect_from_file(source.from_file, filt)
    pacer = Pacer(notify=notify)
    with HttpClient(http) as client:
        if source.mastodon is not None:
            assert source.tag is not None
            return collect_mastodon(client, source.mastodon, source.tag, filt, pacer=pacer)
        return collect_bluesky(
            client,
            filt,
            tag=source.tag,
            query=source.query,
            api=source.bluesky_api,
            pacer=pacer,
        )


@dataclass
class SaveReport:
    """What saving collected posts did."""

    added: int = 0
    seeded: int = 0
    media_archived: int = 0
    media_failed: list[str] = field(default_factory=list)


def _archive_media(
    snapshots: list[Snapshot], archive: AssetArchive, concurrency: int
) -> tuple[list[Snapshot], int, list[str]]:
    """Archive the snapshots' pictures, each URL once; return them, the count and failures."""

    def one(snapshot: Snapshot) -> ArchivedCard | None:
        return archive_card_media(snapshot.card, archive) if snapshot.card else None

    with worker_pool(min(concurrency, len(snapshots)), "media") as pool:
        results = list(pool.map(one, snapshots))
    archived: set[str] = set()
    failed: dict[str, str] = {}  # one line per picture, however many posts show it
    updated = []
    for snapshot, result in zip(snapshots, results, strict=True):
        if result is None:
            updated.append(snapshot)
            continue
        for name in MEDIA_FIELDS:
            asset = getattr(result.card, name)
            if isinstance(asset, MediaAsset) and asset.path:
                archived.add(asset.url)
        failed.update(result.failures)
        updated.append(snapshot.model_copy(update={"card": result.card}))
    return updated, len(archived), list(failed.values())


def seed_snapshots(
    story_path: Path,
    posts: list[CollectedPost],
    http: FetchSettings,
    *,
    concurrency: int = 8,
    archive_media: bool = True,
    clock: Clock = utc_now,
) -> SaveReport:
    """Record the posts' API snapshots (with local copies of their pictures) and save.

    A URL that already has a usable snapshot keeps it: an oEmbed answer is richer.
    Each snapshot is stamped by ``clock``: it was read from the API during this run.
    """
    store = SnapshotStore.load(Workspace(story_path).snapshot_path, clock=clock)
    now = clock()
    fresh = [
        post.snapshot.model_copy(update={"fetched_at": now})
        for post in posts
        if post.snapshot is not None and store.needs_fetch(post.snapshot.url)
    ]
    report = SaveReport()
    if not fresh:
        return report
    if archive_media:
        with HttpClient(http) as client:
            archive = AssetArchive(Workspace(story_path).checked_assets_dir(), client)
            fresh, report.media_archived, report.media_failed = _archive_media(
                fresh, archive, concurrency
            )
    for snapshot in fresh:
        store.record_success(snapshot)
    store.save()
    report.seeded = len(fresh)
    return report


def save_collected(
    story_path: Path,
    posts: list[CollectedPost],
    http: FetchSettings,
    *,
    heading: str | None = None,
    concurrency: int = 8,
    clock: Clock = utc_now,
) -> SaveReport:
    """Add the posts to the story file (atomically) after seeding their snapshots.

    The edit is tried on the file's text first, so a story storyboard cannot add to
    safely fails before any picture is downloaded or snapshot written.
    """
    urls = [post.url for post in posts]
    data = story_path.read_bytes()
    add_items_to_text(data.decode("utf-8-sig"), urls, path=str(story_path), heading=heading)
    report = seed_snapshots(story_path, posts, http, concurrency=concurrency, clock=clock)
    report.added = _add_in_time_order(story_path, posts, heading)
    return report


def _add_in_time_order(story_path: Path, posts: list[CollectedPost], heading: str | None) -> int:
    """Add each post before the first item of its section posted after it; write once.

    Under a heading the story does not have yet, the posts open that new section at
    the end, oldest first, as before.
    """
    # Every problem of the file, located, before anything else.
    items = load_story(story_path).story.items
    if section_range(items, heading) is None:
        return len(add_items(story_path, [post.url for post in posts], heading=heading).added)
    store = SnapshotStore.load(Workspace(story_path).snapshot_path)
    known = {normalize_url(post.url): as_moment(post.published) for post in posts}

    def published_of(url: str) -> dt.datetime | None:
        key = normalize_url(url)
        if key in known:
            return known[key]
        snapshot = store.get(key)
        card = snapshot.card if snapshot is not None else None
        return as_moment(card.published) if card is not None else None

    # Read, edit and write under the file's lock, like ``add``: an edit made meanwhile
    # by another command is added to, never written over.
    with locked(story_path):
        data = story_path.read_bytes()
        bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
        text = data[len(bom) :].decode("utf-8")
        added = 0
        for post in sorted(posts, key=lambda p: as_moment(p.published) or _LAST):
            items = parse_story(text, path=str(story_path)).story.items
            span = section_range(items, heading)
            assert span is not None  # the heading was there, and adding posts keeps it
            at = chronological_position(items, as_moment(post.published), published_of, span)
            result = add_items_to_text(text, [post.url], path=str(story_path), after=at)
            text, added = result.text, added + len(result.added)
        try:
            write_atomically(story_path, bom + text.encode("utf-8"))
        except OSError as exc:  # a full disk, a read-only folder: the old file stays
            raise WriteError.from_os_error(exc, story_path) from exc
    return added


#: Where posts with no date sort: after every dated one.
_LAST = dt.datetime.max.replace(tzinfo=dt.UTC)
