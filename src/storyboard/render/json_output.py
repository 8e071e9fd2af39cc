"""``story.json``: the story and what is known of each item, for other tools.

The document is described by pydantic models; its JSON Schema is generated from
them (``document_schema``) and shipped as ``storyboard/schemas/story-<N>.schema.json``.

Each picture the document ships is in its table of ``pictures`` once, named by its
content, however many items show it: a story of a thousand posts with one photo carries
one copy, even inlined. The table comes after the items, so the document is written as
it is made (``story_json_pieces``), one item at a time, never held whole in memory.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from storyboard import __version__
from storyboard.model.card import Card, MediaAsset
from storyboard.model.snapshot import Snapshot, SnapshotStatus
from storyboard.model.story import EmbedMode, HeadingItem, Story, TextItem, UrlItem
from storyboard.render.context import effective_embed_mode, table_of_contents
from storyboard.render.media import PICTURE_KEY_LENGTH, AssetLinker, is_plain_file_name
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


#: A key of the table of pictures: the start of the SHA-256 of the picture's bytes, in hex.
_PICTURE_KEY_PATTERN = f"^[0-9a-f]{{{PICTURE_KEY_LENGTH}}}$"


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
        json_schema_extra={
            "propertyNames": {"enum": ["image", "avatar"]},
            "additionalProperties": {"type": "string", "pattern": _PICTURE_KEY_PATTERN},
        }
    )
    """The card's images this output ships, by role (image, avatar): keys of pictures."""


class PictureEntry(_Model):
    """A picture the output ships, listed once however many items show it."""

    src: str
    """Where this output's copy is: a path beside story.json, an --asset-url URL or data: URI."""
    mime: str
    """The picture's media type, from its bytes (image/jpeg, image/png, image/webp, ...)."""
    width: int | None
    """The width of this copy in pixels."""
    height: int | None
    """The height of this copy in pixels."""


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
    pictures: dict[str, PictureEntry] = Field(
        json_schema_extra={"propertyNames": {"pattern": _PICTURE_KEY_PATTERN}}
    )
    """The pictures the items' media name, once each; a key starts its bytes' SHA-256 (hex)."""


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
            if (picture := linker.output_picture(asset)) is not None:
                media[name] = picture.key
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


Entry = HeadingEntry | TextEntry | UrlEntry


def _entries(
    story: Story,
    snapshots: Mapping[str, Snapshot],
    linker: AssetLinker,
    embed_override: EmbedMode | None,
) -> Iterator[Entry]:
    for item in story.items:
        if isinstance(item, HeadingItem):
            yield HeadingEntry(heading=item.heading)
        elif isinstance(item, TextItem):
            yield TextEntry(text=item.text, html=str(markdown_html(item.text)))
        else:
            snapshot = snapshots.get(normalize_url(item.url))
            embed = effective_embed_mode(story, item, embed_override)
            yield _url_entry(item, snapshot, embed, linker)


def _story_info(story: Story) -> StoryInfo:
    return StoryInfo(
        title=story.title,
        description=story.description,
        date=story.date,
        lang=story.lang,
        author=story.author,
        tags=list(story.tags),
        embed=story.options.embed,
    )


def _toc(story: Story) -> list[TocEntry]:
    return [
        TocEntry(heading=s.heading, anchor=s.anchor, items=s.items)
        for s in table_of_contents(story)
    ]


def _pictures(linker: AssetLinker) -> dict[str, PictureEntry]:
    return {
        picture.key: PictureEntry(
            src=picture.src, mime=picture.mime, width=picture.width, height=picture.height
        )
        for picture in linker.output_pictures
    }


def story_document(
    story: Story,
    snapshots: Mapping[str, Snapshot],
    linker: AssetLinker,
    embed_override: EmbedMode | None = None,
) -> StoryDocument:
    """Return the JSON document model of ``story``."""
    items = list(_entries(story, snapshots, linker, embed_override))
    return StoryDocument(
        story=_story_info(story), items=items, toc=_toc(story), pictures=_pictures(linker)
    )


def unresolved_urls(document: StoryDocument) -> list[str]:
    """Return the URLs of the document's items that have no card, each once."""
    urls = [e.url for e in document.items if isinstance(e, UrlEntry) and not e.resolved]
    return list(dict.fromkeys(urls))


def render_json_document(document: StoryDocument) -> str:
    """Return ``document`` as indented JSON text."""
    return document.model_dump_json(indent=2) + "\n"


class StoryJsonWriter:
    """The text of ``story.json``, made one item at a time (``pieces``).

    The same text as ``render_json_document(story_document(...))``, byte for byte: each
    part is the model's own JSON, indented to its depth (a JSON string holds no raw
    newline, so indenting every line is exact). ``unresolved`` is complete once every
    piece has been taken.
    """

    def __init__(
        self,
        story: Story,
        snapshots: Mapping[str, Snapshot],
        linker: AssetLinker,
        embed_override: EmbedMode | None = None,
    ) -> None:
        self.story = story
        self.snapshots = snapshots
        self.linker = linker
        self.embed_override = embed_override
        self._unresolved: dict[str, None] = {}

    @property
    def unresolved(self) -> list[str]:
        """Return the URLs of the items written so far that have no card, each once."""
        return list(self._unresolved)

    def pieces(self) -> Iterator[str]:
        """Yield the document's text in order, ending with a newline."""
        # The other fields, around the items and the table of pictures, as the whole
        # document's dump writes them.
        empty = StoryDocument(
            story=_story_info(self.story), items=[], toc=_toc(self.story), pictures={}
        )
        head, found_items, rest = empty.model_dump_json(indent=2).partition('\n  "items": []')
        between, found_pictures, tail = rest.partition('\n  "pictures": {}')
        assert found_items, "the document's fields moved: see pieces()"
        assert found_pictures, "the document's fields moved: see pieces()"
        yield head + "\n"
        entries = _entries(self.story, self.snapshots, self.linker, self.embed_override)
        yield '  "items": '
        yield from _json_array(
            (self._seen(entry).model_dump_json(indent=2) for entry in entries), 1
        )
        yield between + '\n  "pictures": '
        pictures = _pictures(self.linker)
        yield from _json_object(
            ((key, entry.model_dump_json(indent=2)) for key, entry in pictures.items()), 1
        )
        yield tail + "\n"

    def _seen(self, entry: Entry) -> Entry:
        if isinstance(entry, UrlEntry) and not entry.resolved:
            self._unresolved[entry.url] = None
        return entry


def _indented(text: str, depth: int) -> str:
    """Return the indented JSON ``text`` as it reads nested ``depth`` levels deep."""
    return text.replace("\n", "\n" + "  " * depth)


def _json_array(values: Iterable[str], depth: int) -> Iterator[str]:
    """Yield a JSON array of the JSON texts ``values`` as ``indent=2`` writes it."""
    inner = "  " * (depth + 1)
    empty = True
    for value in values:
        yield ("[\n" if empty else ",\n") + inner + _indented(value, depth + 1)
        empty = False
    yield "[]" if empty else "\n" + "  " * depth + "]"


def _json_object(members: Iterable[tuple[str, str]], depth: int) -> Iterator[str]:
    """Yield a JSON object of ``(key, JSON text)`` members as ``indent=2`` writes it."""
    inner = "  " * (depth + 1)
    empty = True
    for key, value in members:
        start = "{\n" if empty else ",\n"
        yield f"{start}{inner}{json.dumps(key)}: {_indented(value, depth + 1)}"
        empty = False
    yield "{}" if empty else "\n" + "  " * depth + "}"
