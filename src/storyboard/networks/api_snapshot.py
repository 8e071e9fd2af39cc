"""The snapshot of a post read from a platform's API, before any oEmbed fetch.

The card is built from the API's own fields (author, text, date, first picture), so a
story renders at once; ``storyboard fetch --refresh`` may later replace it with the
provider's data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from storyboard.clock import utc_now
from storyboard.model.card import Card
from storyboard.model.snapshot import Snapshot, SnapshotStatus, Source, SourceKind
from storyboard.urls import normalize_url


def api_snapshot(
    url: str, card: Card, *, raw: Mapping[str, Any], provider: str, endpoint: str
) -> Snapshot:
    """Return the snapshot of the post at ``url`` that ``endpoint`` answered with ``raw``."""
    return Snapshot(
        url=normalize_url(url),
        status=SnapshotStatus.OK,
        source=Source(kind=SourceKind.IMPORT, provider_name=provider, endpoint=endpoint),
        fetched_at=utc_now(),
        raw=dict(raw),
        card=card,
    )
