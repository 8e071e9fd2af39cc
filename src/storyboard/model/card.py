"""The static card: what a page shows of a post without asking its platform anything.

Built at fetch time from the oEmbed answer (or page metadata, or an import) and kept
in the snapshot, so it renders forever.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

#: The card fields that hold pictures to archive.
MEDIA_FIELDS = ("image", "avatar")


class CardKind(StrEnum):
    """What a card shows; chooses the item template after the provider."""

    POST = "post"  # a social post with text (X/Twitter, Mastodon, Bluesky...)
    VIDEO = "video"
    PHOTO = "photo"
    RICH = "rich"  # slides, audio players and other embeddable widgets
    LINK = "link"  # any page, shown as title, description and image


class MediaAsset(BaseModel):
    """An image a card shows: where it came from and, once archived, its local copy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    #: File name inside ``STORY.assets/`` (content-addressed), once archived.
    path: str | None = None
    width: int | None = None
    height: int | None = None
    mime: str | None = None


class Card(BaseModel):
    """Everything a static rendering of one item needs, already extracted and cleaned."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: CardKind
    url: str
    title: str | None = None
    #: The post's own text as sanitized HTML (paragraphs, line breaks, links only).
    text_html: str | None = None
    description: str | None = None
    author_name: str | None = None
    author_handle: str | None = None
    author_url: str | None = None
    avatar: MediaAsset | None = None
    published: dt.date | dt.datetime | None = None
    provider_name: str | None = None
    provider_url: str | None = None
    #: A photo post's image, or the thumbnail of a video, slide deck or page.
    image: MediaAsset | None = None
    #: The player's iframe address (for ``click`` mode), from an allowlisted host.
    player_url: str | None = None
    width: int | None = None
    height: int | None = None
