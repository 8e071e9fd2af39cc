"""``story.json``: the story and what is known of each item, for other tools.

The document is described by pydantic models; its JSON Schema is generated from
them (``document_schema``) and shipped as ``storyboard/schemas/story-<N>.schema.json``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from storyboard import __version__
from storyboard.model.card import Card, MediaAsset
from storyboard.model.snapshot import Snapshot, SnapshotStatus
from storyboard.model.story import EmbedMode, HeadingItem, Story, TextItem, UrlItem
from storyboard.render.context import effective_embed_mode, table_of_contents
from storyboard.render.media import AssetLinker, is_plain_file_name
from storyboard.render.safe import markdown_html, post_text_html
from storyboard.urls import absolute_http_url, normalize_url

#: Bumped on any change to the document's shape (docs/json.md, "Versioning").
SCHEMA_VERSION: Literal[2] = 2
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

ItemStatus = Literal["ok", "gone", "error", "missing"]


class _Model(BaseModel):
    # Attribute docstrings become the schema's field descriptions; every field is
    # always written, so the schema marks fields with defaults as required too.
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_serialization_defaults_required=True,
    )


class StoryInfo(_Model):
    """The story's own fields."""

    title: str
    description: str
    """The story's summary; empty when it has none."""
    date: dt.date | None
    """The day the story is about (ISO 8601 date)."""
    lang: str
    """The page language as a BCP 47 tag (sv, fi, en-GB)."""
    author: str | None
    """The curator."""
    tags: list[str]
    embed: EmbedMode
    """The story's embed mode (options.embed)."""


class HeadingEntry(_Model):
    """A heading item."""

    kind: Literal["heading"] = "heading"
    heading: str
    """The heading text (plain text)."""


class TextEntry(_Model):
    """A text item, as written and as HTML."""

    kind: Literal["text"] = "text"
    text: str
    """The curator's Markdown, as written."""
    html: str
    """The Markdown as HTML (raw HTML and images are never let through)."""


class UrlEntry(_Model):
    """A URL item with its snapshot's state and card."""

    kind: Literal["url"] = "url"
    url: str
    """The URL as the story gives it."""
    note: str | None
    """The curator's note (Markdown)."""
    note_html: str | None
    """The note as HTML."""
    title: str | None
    """The story's title for this item, overriding the card's."""
    embed: EmbedMode
    """How this item is shown (command, item, then story setting)."""
    status: ItemStatus
    """ok, gone (removed at the source, shown from the archive), error, or missing (no snapshot)."""
    resolved: bool
    """Whether the item has a card; false means it renders as a plain link."""
    fetched_at: dt.datetime | None
    """When the snapshot was last fetched successfully."""
    gone_since: dt.date | None
    """The day the source first answered that the item is gone."""
    error: str | None
    """The last fetch failure's message."""
    card: Card | None
    """The static card: text (sanitized HTML), author, date, media."""
    media: dict[str, str] = Field(
        json_schema_extra={"propertyNames": {"enum": ["image", "avatar"]}}
    )
    """Where this output's copies of the card's images are, by role (image, avatar)."""


class TocEntry(_Model):
    """One line of the table of contents: a heading and the URL items of its section."""

    heading: str
    """The heading text (plain text)."""
    anchor: str
    """The heading's fragment id on the page (index.html#anchor) and in story.md."""
    items: int
    """How many URL items the section holds."""


class StoryDocument(_Model):
    """A story rendered by storyboard as story.json."""

    schema_version: Literal[2] = SCHEMA_VERSION
    """The version of this document's shape; tools should refuse versions they do not know."""
    # A factory, not a default: the version must not end up in the shipped schema.
    generator: str = Field(default_factory=lambda: f"storyboard {__version__}")
    """The storyboard version that wrote the document."""
    story: StoryInfo
    items: list[Annotated[HeadingEntry | TextEntry | UrlEntry, Field(discriminator="kind")]]
    """The story's items in order; kind tells them apart."""
    toc: list[TocEntry]
    """The page's table of contents (options.toc, else more than 3 headings); empty: none."""


def document_schema() -> dict[str, Any]:
    """Return the JSON Schema of ``story.json``, generated from the models above."""
    schema = StoryDocument.model_json_schema(mode="serialization")
    schema["title"] = f"storyboard story.json, schema version {SCHEMA_VERSION}"
    return {"$schema": JSON_SCHEMA_DIALECT, **schema}


def document_schema_text() -> str:
    """Return the schema as the text of the shipped file (sorted keys, indented)."""
    return json.dumps(document_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def shipped_schema(version: int = SCHEMA_VERSION) -> Traversable:
    """Return the schema file shipped in the package for ``version``."""
    return files("storyboard") / "schemas" / f"story-{version}.schema.json"


#: A new snapshot status must be added here and to ``ItemStatus`` (a new schema version).
_STATUS: dict[SnapshotStatus, ItemStatus] = {
    SnapshotStatus.OK: "ok",
    SnapshotStatus.GONE: "gone",
    SnapshotStatus.ERROR: "error",
}


def _checked_asset(asset: MediaAsset | None) -> MediaAsset | None:
    if asset is None:
        return None
    url = absolute_http_url(asset.url)
    if url is None:
        return None
    path = asset.path if asset.path and is_plain_file_name(asset.path) else None
    return asset.model_copy(update={"url": url, "path": path})


def checked_card(card: Card) -> Card:
    """Return ``card`` with every URL checked again, as the HTML outputs check them.

    A snapshot file is data from elsewhere (a provider's answer, someone's commit): a
    ``player_url: javascript:...`` or a ``data:`` image must not reach the tools that
    read story.json. URLs that are not absolute http(s) become null; the text is
    sanitized again.
    """
    update: dict[str, object] = {
        name: absolute_http_url(value) if value else None
        for name in ("author_url", "provider_url", "player_url")
        if (value := getattr(card, name)) is not None
    }
    update["url"] = absolute_http_url(card.url) or ""
    update["image"] = _checked_asset(card.image)
    update["avatar"] = _checked_asset(card.avatar)
    if card.text_html:
        update["text_html"] = str(post_text_html(card.text_html))
    return card.model_copy(update=update)


def _url_entry(
    item: UrlItem, snapshot: Snapshot | None, embed: EmbedMode, linker: AssetLinker
) -> UrlEntry:
    card = snapshot.card if snapshot else None
    media: dict[str, str] = {}
    if card is not None:
        card = checked_card(card)
        for name, asset in (("image", card.image), ("avatar", card.avatar)):
            if (src := linker.src(asset)) is not None:
                media[name] = src
    return UrlEntry(
        url=item.url,
        note=item.note,
        note_html=str(markdown_html(item.note)) if item.note else None,
        title=item.title,
        embed=embed,
        status=_STATUS[snapshot.status] if snapshot else "missing",
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
    toc = [
        TocEntry(heading=s.heading, anchor=s.anchor, items=s.items)
        for s in table_of_contents(story)
    ]
    return StoryDocument(story=info, items=items, toc=toc)


def unresolved_urls(document: StoryDocument) -> list[str]:
    """Return the URLs of the document's items that have no card, each once."""
    urls = [e.url for e in document.items if isinstance(e, UrlEntry) and not e.resolved]
    return list(dict.fromkeys(urls))


def render_json_document(document: StoryDocument) -> str:
    """Return ``document`` as indented JSON text."""
    return document.model_dump_json(indent=2) + "\n"
