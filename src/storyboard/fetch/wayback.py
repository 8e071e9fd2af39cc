"""Find an archived copy of a gone post: the Internet Archive's Wayback Machine.

When a source says a post is gone, its "View on ..." link leads nowhere. The Wayback
Machine's availability API names its copy closest to a date; ``fetch`` records that
address in the snapshot, so the page links to it (offline renders included). The API
is asked through the same guarded client as everything else; an answer that is not a
copy (none there, the API unreachable) leaves the post marked as gone.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from urllib.parse import urlencode

from storyboard.errors import FetchError
from storyboard.model.snapshot import SnapshotStatus
from storyboard.net import HttpClient
from storyboard.snapshots import SnapshotStore
from storyboard.urls import absolute_http_url

#: The availability API; ``STORYBOARD_WAYBACK_API`` replaces it (a mirror, a test server),
#: or turns the look-up off (``off``: a gone post is then only marked as gone).
WAYBACK_API = "https://archive.org/wayback/available"
OFF = "off"
_MAX_ANSWER = 64 * 1024


def wayback_api() -> str:
    """Return the availability API's address (the environment's, else the Archive's)."""
    return os.environ.get("STORYBOARD_WAYBACK_API") or WAYBACK_API


def find_archived_copy(client: HttpClient, url: str, near: dt.date | None) -> str | None:
    """Return the address of the Wayback Machine's copy of ``url`` closest to ``near``."""
    if wayback_api() == OFF:
        return None
    query = {"url": url} | ({"timestamp": near.strftime("%Y%m%d")} if near else {})
    try:
        answer = client.get(f"{wayback_api()}?{urlencode(query)}", max_bytes=_MAX_ANSWER).json()
        closest = answer["archived_snapshots"]["closest"]
    except (FetchError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(closest, dict) or closest.get("available") is not True:
        return None
    found = absolute_http_url(str(closest.get("url", "")))
    if found is None:
        return None
    # The API answers with http:// addresses; the Archive serves every copy over https.
    return "https://" + found.removeprefix("http://").removeprefix("https://")


def record_archived_copies(urls: Iterable[str], store: SnapshotStore, client: HttpClient) -> int:
    """Find a copy of every gone post among ``urls`` that has none recorded; return how many."""
    found = 0
    for url in urls:
        snapshot = store.get(url)
        if snapshot is None or snapshot.status is not SnapshotStatus.GONE or snapshot.archive_url:
            continue
        card = snapshot.card
        # The copy from when the post was last seen alive, else from when it was posted.
        seen = snapshot.fetched_at or (card.published if card else None)
        near = seen.date() if isinstance(seen, dt.datetime) else seen
        copy = find_archived_copy(client, snapshot.url, near)
        if copy is not None:
            store.record_archived_copy(url, copy)
            found += 1
    return found
