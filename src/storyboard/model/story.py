"""The story model: what a curator writes in ``STORY.yaml``.

Pure data: it knows nothing of YAML positions (see ``storyfile.loader``), of HTTP, nor of
where its file lives (see ``workspace``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from storyboard.model.embed_mode import EmbedMode as EmbedMode  # noqa: PLC0414 (re-exported for mypy)
from storyboard.model.embed_sizes import DEFAULT_MAXWIDTH
from storyboard.urls import check_http_url


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class StoryOptions(_Strict):
    """Rendering options that belong to the story rather than to one command run."""

    embed: EmbedMode = EmbedMode.STATIC
    # strict: YAML's `true` must not pass as the number 1
    maxwidth: Annotated[int, Field(gt=0, le=4000, strict=True)] = DEFAULT_MAXWIDTH
    maxheight: Annotated[int, Field(gt=0, le=4000, strict=True)] | None = None
    theme: str | None = None
    #: A table of contents from the headings; unset: shown when there are enough headings.
    toc: Annotated[bool, Field(strict=True)] | None = None
    #: Archive the content of providers whose terms forbid keeping it (Instagram,
    #: Facebook, Threads); without it their cards are links that load the official embed.
    archive_restricted: Annotated[bool, Field(strict=True)] = False


class HeadingItem(_Strict):
    """A section heading between items."""

    heading: Annotated[str, Field(min_length=1)]


class TextItem(_Strict):
    """Curator's prose in Markdown (raw HTML disabled)."""

    text: Annotated[str, Field(min_length=1)]


class UrlItem(_Strict):
    """A post, video, slide deck or any page, with the curator's note."""

    url: str
    note: str | None = None
    title: str | None = None
    embed: EmbedMode | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return check_http_url(value)


Item = HeadingItem | TextItem | UrlItem

#: The key that tells an item's kind, in the order they are tried.
ITEM_KINDS: dict[str, type[HeadingItem | TextItem | UrlItem]] = {
    "heading": HeadingItem,
    "text": TextItem,
    "url": UrlItem,
}


class Story(_Strict):
    """A validated story file."""

    title: Annotated[str, Field(min_length=1)]
    description: str = ""
    date: dt.date | None = None
    lang: str = "en"
    author: str | None = None
    #: The IANA time zone the story's readers live in: cards show posts' dates and times in it.
    timezone: str = "UTC"
    tags: list[str] = Field(default_factory=list)
    #: The picture link previews show (og:image): a URL, or a path on the published site.
    image: str | None = None
    options: StoryOptions = Field(default_factory=StoryOptions)
    items: list[Item] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _iana_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}: use an IANA name such as Europe/Helsinki or UTC"
            ) from None
        return value

    def url_items(self) -> list[UrlItem]:
        """Return the embed items in story order."""
        return [item for item in self.items if isinstance(item, UrlItem)]

    def embed_mode(self, item: UrlItem) -> EmbedMode:
        """Return the embed mode for one item: its own, else the story's."""
        return item.embed or self.options.embed
