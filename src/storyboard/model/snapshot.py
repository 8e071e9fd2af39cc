"""The snapshot of one URL: what was learned about it, kept forever beside the story."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from storyboard.model.card import MEDIA_FIELDS, Card, MediaAsset

SNAPSHOT_FORMAT_VERSION = 1


class SnapshotStatus(StrEnum):
    """The state of a URL at its source, as last seen."""

    OK = "ok"
    GONE = "gone"  # the source said 404/410 (or 401/403: made private) after a good fetch
    ERROR = "error"  # never resolved; only ``last_error`` is known


class SourceKind(StrEnum):
    """Where a snapshot's data came from."""

    PROVIDER = "provider"  # a registry endpoint (built-in or --providers)
    DISCOVERY = "discovery"  # an endpoint named by the page's <link> or Link header
    PAGE_METADATA = "page-metadata"  # OpenGraph / Twitter Card / <title> of the page
    IMPORT = "import"  # seeded from an export (Storify) or an API (collect)


class Source(BaseModel):
    """The origin of a snapshot's data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: SourceKind
    provider_name: str | None = None
    #: The oEmbed endpoint URL that answered (with its query), or the page URL.
    endpoint: str | None = None


class FetchFailure(BaseModel):
    """The last failed attempt at a URL; kept beside a good snapshot, never instead of it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    message: str
    at: dt.datetime
    status: int | None = None


class Snapshot(BaseModel):
    """Everything storyboard knows about one URL."""

    #: Frozen, like its parts: a change is a copy (``model_copy``), so snapshots read
    #: from a file can share their equal parts (``model.shared_values``).
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: The normalized URL (the key in the snapshot file).
    url: str
    status: SnapshotStatus
    source: Source | None = None
    fetched_at: dt.datetime | None = None
    #: The oEmbed answer exactly as received (or the page metadata found).
    raw: dict[str, Any] | None = None
    #: The normalized oEmbed fields (see ``oembed.OEmbed``), as a plain mapping.
    oembed: dict[str, Any] | None = None
    card: Card | None = None
    #: Where each filled card field came from (``oembed``, ``page``, ``api``, ``url``,
    #: ``archive``); absent in snapshots written before it was recorded.
    field_sources: dict[str, str] | None = None
    gone_since: dt.date | None = None
    #: An archived copy of a gone post (the Wayback Machine's), found when it went.
    archive_url: str | None = None
    last_error: FetchFailure | None = None

    @property
    def usable(self) -> bool:
        """Tell whether a card can be rendered from this snapshot."""
        return self.card is not None

    @property
    def unarchived_imported_media(self) -> list[MediaAsset]:
        """Return the pictures of an imported snapshot that have no local copy yet.

        An import (Storify, ``collect``) names pictures by URL only; ``fetch`` archives them.
        """
        if self.card is None or self.source is None or self.source.kind is not SourceKind.IMPORT:
            return []
        assets = (getattr(self.card, name) for name in MEDIA_FIELDS)
        return [asset for asset in assets if isinstance(asset, MediaAsset) and not asset.path]

    @property
    def not_the_content(self) -> str | None:
        """Return why the page that answered was not the item (a login wall, a soft 404)."""
        reason = (self.raw or {}).get("not_the_content")
        return reason if isinstance(reason, str) else None

    @property
    def discovery_failure(self) -> str | None:
        """Return why the page's oEmbed link failed, when this fell back to page metadata."""
        if self.source is None or self.source.kind is not SourceKind.PAGE_METADATA:
            return None
        reason = (self.raw or {}).get("discovery_error")
        return reason if isinstance(reason, str) else None


class SnapshotFile(BaseModel):
    """The whole ``STORY.snapshots.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: int = SNAPSHOT_FORMAT_VERSION
    snapshots: dict[str, Snapshot] = Field(default_factory=dict)
