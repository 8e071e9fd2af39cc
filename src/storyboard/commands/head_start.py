"""``fetch``'s first requests, sent while the story and its snapshots are still loading.

Loading and checking the story (its models, the loader's scan) and the snapshot file
takes longer than a few rounds of requests to a provider. So ``fetch`` first reads
the story's URLs and sizes in one quick pass (``storyfile.quick_read``) and the
snapshot file's keys as plain JSON, and starts the workers on the URLs the file has
no entry for: they ask each one's endpoint (``EarlyAnswers``), within the same
per-host limits as the rest of the run. The checked story then decides: the resolver
takes an early answer only for the very request it would send, the URLs it does not
want are dropped, and a story that fails its checks is given up with nothing merged
or written. Nothing is started early where ``fetch`` would stop before asking
anything: the snapshots of a renamed story left beside it (see ``commands.orphans``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from storyboard.commands.network import NetworkOptions, build_registry
from storyboard.errors import StoryboardError
from storyboard.fetch.first_request import EarlyAnswers, RequestHosts, ResolveSettings
from storyboard.fetch.preload import load_readers_in_background
from storyboard.fetch.workers import FetchWorkers
from storyboard.storyfile.quick_read import quick_read
from storyboard.urls import normalize_url
from storyboard.workspace import Workspace, snapshot_files_without_story

if TYPE_CHECKING:
    from storyboard.net import HttpClient
    from storyboard.providers import ProviderRegistry


@dataclass(frozen=True)
class HeadStart:
    """Workers already asking the endpoints of the URLs with no snapshot."""

    registry: ProviderRegistry
    client: HttpClient
    early: EarlyAnswers
    workers: FetchWorkers

    def abandon(self) -> None:
        """Ask nothing more and close the connections; no answer is kept."""
        self.workers.stop()
        self.client.close()


def start_early(story_path: Path, network: NetworkOptions, *, refresh: bool) -> HeadStart | None:
    """Start asking the endpoints of the story's URLs that need a fetch; None: nothing to."""
    story = quick_read(story_path)
    if story is None:
        return None
    snapshot_path = Workspace(story_path).snapshot_path
    known = _snapshot_keys(snapshot_path)
    if known is None or (
        not snapshot_path.exists() and snapshot_files_without_story(story_path.parent)
    ):
        return None
    pending: list[str] = []
    for url in story.urls:
        try:
            key = normalize_url(url)
        except ValueError:
            continue  # the loader words it
        if key not in pending and (refresh or key not in known):
            pending.append(key)
    if not pending:
        return None
    try:
        registry = build_registry(network.providers_files)
    except StoryboardError:
        return None  # said again, and worded, where the fetch itself builds it

    client = network.client()
    settings = ResolveSettings(
        maxwidth=story.maxwidth,
        maxheight=story.maxheight,
        archive_restricted=story.archive_restricted,
    )
    early = EarlyAnswers(registry, client, settings)
    workers = FetchWorkers(
        concurrency=network.pool.concurrency,
        per_host=network.pool.per_host,
        request_host=RequestHosts(registry),
        ask_early=early.ask,
    )
    workers.add(pending)
    load_readers_in_background()  # once the first requests are out: ready for their answers
    return HeadStart(registry, client, early, workers)


def _snapshot_keys(path: Path) -> set[str] | None:
    """Return the URLs the snapshot file has entries for; None if it cannot be read."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        return set()
    except (OSError, ValueError, RecursionError):
        return None  # the loading says why
    entries = data.get("snapshots") if isinstance(data, dict) else None
    return set(entries) if isinstance(entries, dict) else None
