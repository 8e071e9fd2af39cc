"""``story.json``: the story and what is known of each item, for other tools."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

from storyboard import __version__
from storyboard.card import Card
from storyboard.render.context import effective_embed_mode
from storyboard.render.media import AssetLinker
from storyboard.render.safe import markdown_html, post_text_html
from storyboard.snapshot import Snapshot
from storyboard.story import EmbedMode, HeadingItem, Story, TextItem, UrlItem
from storyboard.urls import normalize_url

SCHEMA_VERSION: Literal[1] = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoryInfo(_Model):
    """The story's own fields."""

    title: str
    description: str
    date: dt.date | None
    lang: str
    author: str | None
    tags: list[str]
    embed: EmbedMode


class HeadingEntry(_Model):
    """A heading item."""

    kind: Literal["heading"] = "heading"
    heading: str


class TextEntry(_Model):
    """A text item, as written and as HTML."""

    kind: Literal["text"] = "text"
    text: str
    html: str


class UrlEntry(_Model):
    """A URL item with its snapshot's state and card."""

    kind: Literal["url"] = "url"
    url: str
    note: str | None
    note_html: str | None
    title: str | None
    embed: EmbedMode
    #: ok, gone, error, or missing (never fetched).
    status: str
    resolved: bool
    fetched_at: dt.datetime | None
    gone_since: dt.date | None
    error: str | None
    card: Card | None
    #: Where this output's copies of the card's images are (``image``, ``avatar``).
    media: dict[str, str]


class StoryDocument(_Model):
    """The whole ``story.json``."""

    schema_version: Literal[1] = SCHEMA_VERSION
    generator: str = f"storyboard {__version__}"
    story: StoryInfo
    items: list[HeadingEntry | TextEntry | UrlEntry]


def _url_entry(
    item: UrlItem, snapshot: Snapshot | None, embed: EmbedMode, linker: AssetLinker
) -> UrlEntry:
    card = snapshot.card if snapshot else None
    media: dict[str, str] = {}
    if card is not None:
        if card.text_html:
            card = card.model_copy(update={"text_html": str(post_text_html(card.text_html))})
        for name, asset in (("image", card.image), ("avatar", card.avatar)):
            if (src := linker.src(asset)) is not None:
                media[name] = src
    return UrlEntry(
        url=item.url,
        note=item.note,
        note_html=str(markdown_html(item.note)) if item.note else None,
        title=item.title,
        embed=embed,
        status=snapshot.status.value if snapshot else "missing",
        resolved=card is not None,
        fetched_at=snapshot.fetched_at if snapshot else None,
        gone_since=snapshot.gone_since if snapshot else None,
        error=snapshot.last_error.message if snapshot and snapshot.last_error else None,
        card=card,
        media=media,
    )


def story_document(
    story: Story,
    snapshots: Mapping[str, Snapshot],
    linker: AssetLinker,
    embed_override: EmbedMode | None = None,
) -> StoryDocument:
    """Return the JSON document model of ``story``."""
    items: list[HeadingEntry | TextEntry | UrlEntry] = []
    for item in story.items:
        if isinstance(item, HeadingItem):
            items.append(HeadingEntry(heading=item.heading))
        elif isinstance(item, TextItem):
            items.append(TextEntry(text=item.text, html=str(markdown_html(item.text))))
        else:
            snapshot = snapshots.get(normalize_url(item.url))
            embed = effective_embed_mode(story, item, embed_override)
            items.append(_url_entry(item, snapshot, embed, linker))
    info = StoryInfo(
        title=story.title,
        description=story.description,
        date=story.date,
        lang=story.lang,
        author=story.author,
        tags=list(story.tags),
        embed=story.options.embed,
    )
    return StoryDocument(story=info, items=items)


def unresolved_urls(document: StoryDocument) -> list[str]:
    """Return the URLs of the document's items that have no card, each once."""
    urls = [e.url for e in document.items if isinstance(e, UrlEntry) and not e.resolved]
    return list(dict.fromkeys(urls))


def render_json_document(document: StoryDocument) -> str:
    """Return ``document`` as indented JSON text."""
    return document.model_dump_json(indent=2) + "\n"
