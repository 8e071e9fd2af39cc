"""Build the view of a story from its snapshots: providers, embed modes, media, strings."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from markupsafe import Markup

from storyboard.extract.sanitize import allowed_player_url
from storyboard.i18n import (
    format_date,
    format_date_time,
    local_time,
    og_locale,
    translate,
    translate_plural,
)
from storyboard.model.card import Card, CardKind, MediaAsset
from storyboard.model.snapshot import Snapshot, SnapshotStatus, SourceKind
from storyboard.model.story import EmbedMode, HeadingItem, Story, TextItem, UrlItem
from storyboard.providers import Provider, ProviderRegistry, provider_slug
from storyboard.render.labels import failure_reason_key, platform_name
from storyboard.render.media import AssetLinker
from storyboard.render.safe import embed_html, markdown_html, post_text_html
from storyboard.render.themes import item_template_names
from storyboard.render.views import (
    CardView,
    HeadingView,
    ItemView,
    MediaView,
    PlayerView,
    StoryView,
    TextView,
    TocEntry,
)
from storyboard.urls import absolute_http_url, host_of, normalize_url

#: The template of an item that has no usable snapshot.
UNRESOLVED_TEMPLATE = "items/unresolved.html"
#: Card kinds that get a click-to-load player.
PLAYER_KINDS = frozenset({CardKind.VIDEO, CardKind.RICH})
_AVATAR_SIZE = 48
#: A story with more headings than this gets a table of contents unless it says otherwise.
TOC_MIN_HEADINGS = 3


def effective_embed_mode(story: Story, item: UrlItem, override: EmbedMode | None) -> EmbedMode:
    """Return the mode for one item: the command's, else the item's own, else the story's."""
    return override or story.embed_mode(item)


def heading_anchor(text: str, taken: set[str], tried: dict[str, int] | None = None) -> str:
    """Return a unique fragment id for a heading ("Morning talks" -> "morning-talks").

    The second "Morning talks" gets "morning-talks-2", the next free number. ``tried``
    remembers, per base, the number to try next: ids are only ever added to ``taken``,
    so every smaller number is still taken, and a story that repeats a heading a
    thousand times does not try a million ids.
    """
    base = re.sub(r"[^\w]+", "-", text.casefold()).strip("-_") or "section"
    anchor, number = base, (tried or {}).get(base, 2)
    if anchor in taken:
        anchor = f"{base}-{number}"
        while anchor in taken:
            number += 1
            anchor = f"{base}-{number}"
        if tried is not None:
            tried[base] = number + 1
    taken.add(anchor)
    return anchor


def embed_source_html(snapshot: Snapshot) -> str | None:
    """Return the provider's embed HTML kept in a snapshot (normalized, else raw)."""
    for data in (snapshot.oembed, snapshot.raw):
        value = (data or {}).get("html")
        if isinstance(value, str) and value.strip():
            return value
    return None


def _day(value: dt.date | dt.datetime | None) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def wants_toc(story: Story) -> bool:
    """Tell whether the page gets a table of contents: as the story says, else when long."""
    if story.options.toc is not None:
        return story.options.toc
    return sum(isinstance(item, HeadingItem) for item in story.items) > TOC_MIN_HEADINGS


@dataclass(frozen=True)
class Section:
    """A heading of the story: its text, its fragment id, and how many URL items follow it."""

    heading: str
    anchor: str
    items: int


def story_sections(story: Story) -> list[Section]:
    """Return the story's headings in order, with the anchors every output gives them.

    Headings never take an id that a card already has ("item-3").
    """
    taken = {f"item-{number}" for number in range(1, len(story.items) + 1)}
    tried: dict[str, int] = {}
    found: list[list[Any]] = []  # [heading, anchor, URL items under it]
    for item in story.items:
        if isinstance(item, HeadingItem):
            found.append([item.heading, heading_anchor(item.heading, taken, tried), 0])
        elif isinstance(item, UrlItem) and found:
            found[-1][2] += 1
    return [Section(heading, anchor, count) for heading, anchor, count in found]


def table_of_contents(story: Story) -> list[Section]:
    """Return the sections a table of contents lists: none when the story gets no table."""
    return story_sections(story) if wants_toc(story) else []


@dataclass
class StoryViewBuilder:
    """Build the ``StoryView`` of a story from its snapshots (one render run)."""

    story: Story
    snapshots: Mapping[str, Snapshot]
    registry: ProviderRegistry
    linker: AssetLinker
    embed_override: EmbedMode | None = None
    _scripts: dict[str, None] = field(default_factory=dict, init=False)
    _player_hosts: set[str] = field(default_factory=set, init=False)
    _unresolved: dict[str, None] = field(default_factory=dict, init=False)
    #: Every item's view was made once: what is gathered from them is complete.
    all_items_seen: bool = field(default=False, init=False)

    @property
    def lang(self) -> str:
        """Return the page language."""
        return self.story.lang

    def tr(self, key: str, **values: Any) -> str:
        """Return the UI string ``key`` in the page language, with ``values`` filled in."""
        return translate(self.lang, key, **values)

    def tr_plural(self, key: str, count: int, **values: Any) -> str:
        """Return the UI string ``key`` in the plural form ``count`` takes in the page language."""
        return translate_plural(self.lang, key, count, **values)

    def build(self) -> StoryView:
        """Return the view of the whole story, every item's view made at once."""
        items = tuple(self.item_views())
        return self._story_view(
            items,
            scripts=tuple(self._scripts),
            player_hosts=tuple(sorted(self._player_hosts)),
            unresolved=tuple(self._unresolved),
            shared_pictures=self._shared_pictures(),
        )

    def stream(self) -> StoryView:
        """Return the view of the story whose items are made as a template reads them.

        Each item's view is made when the loop over ``items`` reaches it and dropped
        after, so a long story's views are never all in memory. What is gathered from
        all items (scripts, player hosts, unresolved URLs, shared pictures) is known
        once every item was made: read before that (the page's ``<style>`` of shared
        pictures is above the cards), it makes every item first, and drops them. So
        any template reads what ``build`` would have given it.
        """
        return self._story_view(
            _StreamedItems(self),
            scripts=_Gathered(self, lambda: tuple(self._scripts)),
            player_hosts=_Gathered(self, lambda: tuple(sorted(self._player_hosts))),
            unresolved=_Gathered(self, lambda: tuple(self._unresolved)),
            # Only inlined pictures are shared: otherwise none, known without any item.
            shared_pictures=(
                _Gathered(self, self._shared_pictures) if self.linker.share_inline else ()
            ),
        )

    def item_views(self) -> Iterator[ItemView]:
        """Yield the view of each item of the story, in order."""
        story = self.story
        sections = iter(story_sections(story))
        seen_heading = False
        for number, item in enumerate(story.items, start=1):
            if isinstance(item, HeadingItem):
                yield HeadingView(text=item.heading, anchor=next(sections).anchor)
                seen_heading = True
            elif isinstance(item, TextItem):
                yield self.text_view(item)
            else:
                # Card titles sit one level below the story's headings, or at h2 before any.
                yield self.card_view(item, number, title_level=3 if seen_heading else 2)
        self.all_items_seen = True

    def _shared_pictures(self) -> tuple[tuple[str, str], ...]:
        return tuple(
            (picture.css_class, picture.data_uri) for picture in self.linker.shared_pictures
        )

    def _story_view(
        self,
        items: Sequence[ItemView],
        *,
        scripts: Sequence[str],
        player_hosts: Sequence[str],
        unresolved: Sequence[str],
        shared_pictures: Sequence[tuple[str, str]],
    ) -> StoryView:
        story = self.story
        toc = tuple(
            TocEntry(
                text=section.heading,
                anchor=section.anchor,
                count_text=self.tr_plural("toc_items", section.items) if section.items else None,
            )
            for section in table_of_contents(story)
        )
        return StoryView(
            title=story.title,
            description=story.description,
            author=story.author,
            lang=story.lang,
            og_locale=og_locale(story.lang),
            date=story.date,
            date_text=format_date(story.date, story.lang, "full") if story.date else None,
            tags=tuple(story.tags),
            items=items,
            toc=toc,
            provider_scripts=scripts,
            player_hosts=player_hosts,
            unresolved=unresolved,
            shared_pictures=shared_pictures,
        )

    def text_view(self, item: TextItem) -> TextView:
        """Return the view of one text item (the curator's Markdown)."""
        return TextView(html=markdown_html(item.text))

    def card_view(self, item: UrlItem, number: int, *, title_level: int = 2) -> CardView:
        """Return the view of one URL item."""
        mode = effective_embed_mode(self.story, item, self.embed_override)
        snapshot = self.snapshots.get(normalize_url(item.url))
        note_html = markdown_html(item.note) if item.note else None
        if snapshot is None or snapshot.card is None:
            return self._unresolved_view(
                item,
                number=number,
                mode=mode,
                snapshot=snapshot,
                note_html=note_html,
                title_level=title_level,
            )
        card = snapshot.card
        provider = self.find_provider(item.url)
        slug = provider.slug if provider else None
        if slug is None and card.provider_name:
            slug = provider_slug(card.provider_name)
        provider_name = self.provider_label(slug, card, provider)
        common: dict[str, Any] = {
            "number": number,
            "url": item.url,
            "host": host_of(item.url),
            "status": snapshot.status.value,
            "resolved": True,
            "title_override": item.title,
            "title_level": title_level,
            "note_html": note_html,
            "card_kind": card.kind.value,
            "provider_name": provider_name,
            "provider_slug": slug,
            "template_names": tuple(item_template_names(slug, card.kind.value)),
        }
        gone = snapshot.status is SnapshotStatus.GONE
        if mode is EmbedMode.LIVE and not gone:
            frame_title = card.title or self.tr("embedded_post", provider=provider_name or "")
            live = self._live_html(snapshot, card, provider, slug, frame_title)
            if live is not None:
                return CardView(mode=EmbedMode.LIVE, live_html=live, **common)
            mode = EmbedMode.CLICK  # nothing to embed: the card, with its player on click
        static = self._static_fields(item, snapshot, card, provider, mode)
        return CardView(mode=mode, **common, **static)

    def provider_label(self, slug: str | None, card: Card, provider: Provider | None) -> str | None:
        """Return the one name this page gives the card's platform."""
        return platform_name(slug, provider.name if provider else None, card.provider_name)

    def find_provider(self, url: str) -> Provider | None:
        """Return the registry's provider whose schemes match ``url``, or None.

        Only the registry says who a provider is: what decides which scripts and players
        a page loads must never come from a name an answer (or a snapshot file) claims;
        an unknown site answering ``provider_name: "Twitter"`` stays an unknown site.
        """
        found = self.registry.match(url)
        return found[0] if found else None

    def _unresolved_view(
        self,
        item: UrlItem,
        *,
        number: int,
        mode: EmbedMode,
        snapshot: Snapshot | None,
        note_html: Markup | None,
        title_level: int,
    ) -> CardView:
        self._unresolved[item.url] = None
        host = host_of(item.url)
        return CardView(
            number=number,
            url=item.url,
            host=host,
            mode=mode,
            template_names=(UNRESOLVED_TEMPLATE,),
            status=snapshot.status.value if snapshot else "missing",
            resolved=False,
            title=item.title,
            title_override=item.title,
            title_level=title_level,
            note_html=note_html,
            mark=_initial(host),
            view_label=self.tr("open_link", host=host),
            reason=self._unavailable_text(snapshot),
        )

    def _unavailable_text(self, snapshot: Snapshot | None) -> str:
        """Say why an item shows as a link: a fetch failed (and why, in a sentence) or none ran.

        A snapshot with ``last_error`` is the record that a fetch was tried; with none (not
        fetched yet, ``--offline``, a renamed story) nothing failed, so nothing says so.
        """
        if snapshot is None or snapshot.last_error is None:
            return self.tr("unavailable_not_fetched")
        return self.tr("unavailable", reason=self.tr(failure_reason_key(snapshot.last_error)))

    def _live_html(
        self,
        snapshot: Snapshot,
        card: Card,
        provider: Provider | None,
        slug: str | None,
        frame_title: str,
    ) -> Markup | None:
        source = embed_source_html(snapshot)
        if source is None:
            return None
        html = embed_html(
            source,
            iframe_hosts=provider.iframe_hosts if provider else (),
            frame_title=frame_title,
        )
        if not html.strip():
            return None
        if slug in _LINK_ONLY_EMBEDS and card.text_html and not _has_text(html):
            # Mastodon's and Threads' embeds are a bare link ("Post by @anna") until their
            # script runs: the static card says what the post says.
            return None
        for script in provider.script_urls if provider else ():
            # Only https scripts named by the registry entry; never one from the HTML itself.
            if (checked := absolute_http_url(script)) is not None and checked.startswith(
                "https://"
            ):
                self._scripts[checked] = None
        return html

    def _static_fields(
        self,
        item: UrlItem,
        snapshot: Snapshot,
        card: Card,
        provider: Provider | None,
        mode: EmbedMode,
    ) -> dict[str, Any]:
        provider_name = self.provider_label(
            provider.slug if provider else provider_slug(card.provider_name or ""), card, provider
        )
        label_name = provider_name or host_of(item.url)
        published, published_text = self._published(card)
        # A post's oEmbed "title" mostly repeats its text; show it only when asked to.
        title = item.title or (card.title if card.kind is not CardKind.POST else None)
        text_html = post_text_html(card.text_html) if card.text_html else None
        return {
            "title": title,
            # The author's initial stands in for a missing avatar; the platform's, if no author.
            "mark": _initial(
                card.author_name
                or (card.author_handle or "").lstrip("@")
                or provider_name
                or host_of(item.url)
            ),
            "text_html": text_html if text_html and text_html.strip() else None,
            "description": card.description,
            "author_name": card.author_name,
            "author_handle": card.author_handle,
            "author_url": absolute_http_url(card.author_url) if card.author_url else None,
            "avatar": self._media(card.avatar, "", _AVATAR_SIZE, _AVATAR_SIZE),
            "published": published,
            "published_text": published_text,
            "image": self._media(
                card.image,
                self._image_alt(card, label_name),
                card.image.width if card.image else None,
                card.image.height if card.image else None,
            ),
            "player": self._player(
                item,
                snapshot=snapshot,
                card=card,
                provider=provider,
                mode=mode,
                label_name=label_name,
            ),
            "view_label": self._view_label(snapshot, provider_name),
            "view_url": self._view_url(snapshot),
            "archived_note": self._archived_note(snapshot, card),
            "imported_note": self._imported_note(snapshot, card, provider_name),
        }

    def _media(
        self, asset: MediaAsset | None, alt: str, width: int | None, height: int | None
    ) -> MediaView | None:
        if self.linker.share_inline:
            picture = self.linker.shared_picture(asset)
            if picture is None:
                return None
            return MediaView(
                src="",
                alt=alt,
                width=width or picture.width,
                height=height or picture.height,
                picture_class=picture.css_class,
            )
        src = self.linker.src(asset)
        if src is None:
            return None
        return MediaView(src=src, alt=alt, width=width, height=height)

    def _image_alt(self, card: Card, label_name: str) -> str:
        if card.title:
            return card.title
        if card.kind is CardKind.VIDEO:
            return self.tr("video_alt", provider=label_name)
        return self.tr("image_alt", provider=label_name)

    def _player(
        self,
        item: UrlItem,
        *,
        snapshot: Snapshot,
        card: Card,
        provider: Provider | None,
        mode: EmbedMode,
        label_name: str,
    ) -> PlayerView | None:
        if mode is EmbedMode.STATIC or snapshot.status is SnapshotStatus.GONE:
            return None
        if card.kind not in PLAYER_KINDS or not card.player_url:
            return None
        # A provider's player hosts; a site the registry does not know may use its own host.
        hosts = provider.iframe_hosts if provider else frozenset({host_of(item.url)})
        url = allowed_player_url(card.player_url, iframe_hosts=hosts)
        if url is None:
            return None
        host = host_of(url)
        self._player_hosts.add(host)
        label_key = "load_video" if card.kind is CardKind.VIDEO else "load_player"
        label = self.tr(label_key, provider=label_name)
        return PlayerView(
            url=url,
            host=host,
            label=label,
            title=card.title or label,
            notice=self.tr("privacy_notice", host=host),
            width=card.width,
            height=card.height,
        )

    def _published(self, card: Card) -> tuple[dt.date | dt.datetime | None, str | None]:
        """Return when the post was published, in the story's time zone, and as readers write it.

        A platform that gives the time of day gets it shown (a 01:30 Helsinki post is not
        the day before); one that gives only the day gets the day.
        """
        value = card.published
        if isinstance(value, dt.datetime):
            local = local_time(value, self.story.timezone)
            return local, format_date_time(local, self.lang)
        if value is None:
            return None, None
        return value, format_date(value, self.lang, "medium")

    def _view_url(self, snapshot: Snapshot) -> str | None:
        """Return where the source link goes instead of the original: a gone post's copy."""
        if snapshot.status is SnapshotStatus.GONE and snapshot.archive_url:
            return absolute_http_url(snapshot.archive_url)
        return None

    def _view_label(self, snapshot: Snapshot, provider_name: str | None) -> str:
        if snapshot.status is SnapshotStatus.GONE and self._view_url(snapshot):
            return self.tr("view_archive")
        if snapshot.status is SnapshotStatus.GONE:
            return self.tr("view_gone", provider=provider_name or self.tr("view_original"))
        if provider_name:
            return self.tr("view_on", provider=provider_name)
        return self.tr("view_original")

    def _imported_note(
        self, snapshot: Snapshot, card: Card, provider_name: str | None
    ) -> str | None:
        source = snapshot.source
        if source is None or source.kind is not SourceKind.IMPORT:
            return None
        name = source.provider_name
        # ``collect`` reads live posts from the platform's own API: nothing was archived
        # from elsewhere, so nothing to say. Only an export (Storify) is a kept copy.
        if not name or platform_name(provider_slug(name), name) in (
            provider_name,
            card.provider_name,
        ):
            return None
        return self.tr("imported_note", source=name)

    def _archived_note(self, snapshot: Snapshot, card: Card) -> str | None:
        if snapshot.status is not SnapshotStatus.GONE:
            return None
        source = snapshot.source
        if source is not None and source.kind is SourceKind.IMPORT and card.published:
            # An import's "fetched" date is the day of the import, not of the post.
            posted = _day(card.published)
            assert posted is not None
            return self.tr("gone_posted", date=format_date(posted, self.lang, "long"))
        archived = _day(snapshot.fetched_at) or snapshot.gone_since
        if archived is None:
            return self.tr("archived_note_undated")
        return self.tr("archived_note", date=format_date(archived, self.lang, "long"))


class _StreamedItems(Sequence[ItemView]):
    """The views of a story's items, each made as the iteration reaches it (``stream``)."""

    def __init__(self, builder: StoryViewBuilder) -> None:
        self._builder = builder

    def __len__(self) -> int:
        return len(self._builder.story.items)

    def __iter__(self) -> Iterator[ItemView]:
        return self._builder.item_views()

    @overload
    def __getitem__(self, index: int) -> ItemView: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[ItemView]: ...
    def __getitem__(self, index: int | slice) -> ItemView | Sequence[ItemView]:
        return list(self)[index]  # a template's story.items[0]: rare, and still right


_Value = TypeVar("_Value")


class _Gathered(Sequence[_Value]):
    """What a builder gathers from all items; made complete (all items made) when read."""

    def __init__(
        self, builder: StoryViewBuilder, gathered: Callable[[], tuple[_Value, ...]]
    ) -> None:
        self._builder = builder
        self._gathered = gathered

    def _values(self) -> tuple[_Value, ...]:
        if not self._builder.all_items_seen:
            for _ in self._builder.item_views():
                pass
        return self._gathered()

    def __len__(self) -> int:
        return len(self._values())

    def __iter__(self) -> Iterator[_Value]:
        return iter(self._values())

    @overload
    def __getitem__(self, index: int) -> _Value: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[_Value]: ...
    def __getitem__(self, index: int | slice) -> _Value | Sequence[_Value]:
        return self._values()[index]


def _has_text(html: str) -> bool:
    """Tell whether HTML says more than a link's worth (a post's text, not "Post by @anna")."""
    text = re.sub(r"<[^>]*>", " ", html)
    words = re.sub(r"\s+", " ", text).strip()
    return len(words.split()) > _LINK_WORDS


#: Platforms whose embed HTML may carry no text of the post at all.
_LINK_ONLY_EMBEDS = frozenset({"mastodon", "threads"})
#: How many words a bare link-only embed has at most ("Post by @anna@social.example").
_LINK_WORDS = 4


def _initial(name: str) -> str:
    """Return the letter shown in place of an avatar."""
    return next((ch.upper() for ch in name if ch.isalnum()), "?")
