"""View models: what templates see of a story, already checked, localized and made safe."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

from markupsafe import Markup

from storyboard import __version__
from storyboard.model.card import CardKind
from storyboard.model.story import EmbedMode


@dataclass(frozen=True)
class MediaView:
    """An image the page shows, from the local archive."""

    src: str
    alt: str
    width: int | None = None
    height: int | None = None
    #: Set when the picture is defined once in the output's ``<style>`` (``src`` is empty):
    #: the template shows it as an element with this class instead of an ``<img>``.
    picture_class: str | None = None


@dataclass(frozen=True)
class PlayerView:
    """A player a reader can choose to load (click mode)."""

    url: str
    host: str
    label: str
    title: str
    notice: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class HeadingView:
    """A section heading."""

    text: str
    anchor: str
    kind: str = "heading"


@dataclass(frozen=True)
class TocEntry:
    """One line of the table of contents: a heading, and how many items it has."""

    text: str
    anchor: str
    count_text: str | None = None


@dataclass(frozen=True)
class TextView:
    """The curator's prose, as HTML."""

    html: Markup
    kind: str = "text"


@dataclass(frozen=True)
class CardView:
    """One URL item: a static card, a live embed, or a plain link when unresolved."""

    number: int
    url: str
    host: str
    mode: EmbedMode
    template_names: tuple[str, ...]
    status: str  # a SnapshotStatus value, or "missing" when never fetched
    resolved: bool
    title: str | None = None
    title_override: str | None = None
    title_level: int = 2
    note_html: Markup | None = None
    card_kind: str = CardKind.LINK.value
    provider_name: str | None = None
    provider_slug: str | None = None
    mark: str = "?"
    text_html: Markup | None = None
    description: str | None = None
    author_name: str | None = None
    author_handle: str | None = None
    author_url: str | None = None
    avatar: MediaView | None = None
    #: The day, or the moment in the story's time zone when the platform gave the time.
    published: dt.date | dt.datetime | None = None
    published_text: str | None = None
    image: MediaView | None = None
    player: PlayerView | None = None
    live_html: Markup | None = None
    view_label: str = ""
    #: Where the source link goes when not to ``url`` (a gone post's archived copy).
    view_url: str | None = None
    archived_note: str | None = None
    #: Says the card comes from an export or an API, not from the provider's oEmbed.
    imported_note: str | None = None
    reason: str | None = None
    kind: str = "card"


ItemView = HeadingView | TextView | CardView


@dataclass(frozen=True)
class SharingView:
    """The absolute addresses and structured data of a story published at ``page_url``."""

    page_url: str
    embed_url: str
    oembed_url: str
    image_url: str | None
    json_ld: Markup


@dataclass(frozen=True)
class StoryView:
    """The whole story as templates see it."""

    title: str
    description: str
    author: str | None
    lang: str
    og_locale: str
    date: dt.date | None
    date_text: str | None
    tags: tuple[str, ...]
    #: A tuple, or the views made one by one as they are read (``StoryViewBuilder.stream``).
    items: Sequence[ItemView]
    #: The table of contents (empty: none on this page).
    toc: tuple[TocEntry, ...] = ()
    #: Provider scripts for live items, each once, in first-use order.
    provider_scripts: Sequence[str] = ()
    #: Hosts the click-to-load script may put in an iframe; empty means no script.
    player_hosts: Sequence[str] = ()
    unresolved: Sequence[str] = ()
    #: Pictures inlined once each, as (class, data URI) CSS rules of the output's ``<style>``.
    shared_pictures: Sequence[tuple[str, str]] = ()
    #: Absolute addresses and structured data, when the run knows where the page goes.
    sharing: SharingView | None = None
    #: This view is of the embed page (inside another site's iframe).
    is_embed: bool = False
    generator: str = f"storyboard {__version__}"

    @property
    def cards(self) -> tuple[CardView, ...]:
        """Return the URL items only."""
        return tuple(item for item in self.items if isinstance(item, CardView))


#: The records templates read fields of, with their public fields (``themes`` reads
#: those quickly).
TEMPLATE_VIEW_FIELDS: Mapping[type, frozenset[str]] = {
    view: frozenset(field.name for field in fields(view) if not field.name.startswith("_"))
    for view in (
        MediaView,
        PlayerView,
        HeadingView,
        TocEntry,
        TextView,
        CardView,
        SharingView,
        StoryView,
    )
}
#: Field values that are plain data: no callable, nothing a template could change.
PLAIN_VALUE_TYPES: frozenset[type] = frozenset(
    {str, Markup, int, bool, type(None), tuple, dt.date, dt.datetime, EmbedMode}
    | TEMPLATE_VIEW_FIELDS.keys()
)
