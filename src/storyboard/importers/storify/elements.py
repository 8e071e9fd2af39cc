"""Map Storify elements to story items and snapshots, whichever API version wrote them.

An element's kind is in ``elementClass`` (2010-2012) or ``type`` (later): ``text``,
``tweet``, ``quote``, ``website``, ``link``, ``image``, ``video``. The later API kept
the kind's fields in ``data.<kind>`` and the author in ``attribution``; the earlier
one kept them on the element itself (``title``, ``description``, ``image{src, href,
width, height}``, ``oembed``) and the author in ``author{username, name, avatar,
href}``. Both are read; where both say something, ``data`` wins.

A text element becomes a text item (its HTML turned into Markdown) or, when it is a
lone heading, a heading item. Every other element becomes a URL item and a snapshot
built from the export's own data, so a story whose posts are long deleted renders
complete without the network. Nothing is dropped silently: an element of an unknown
kind is kept as a link, one without a URL as text, each with a warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from storyboard.errors import OEmbedError, Problem, UsageError
from storyboard.extract.html_markdown import escape_markdown, html_to_markdown, sole_heading
from storyboard.extract.oembed import parse_oembed
from storyboard.extract.oembed_card import card_from_oembed
from storyboard.importers.storify.values import (
    as_object,
    as_str,
    describe,
    dimension,
    first,
    first_url,
    http_url,
    plain_text,
    post_html,
    timestamp,
)
from storyboard.model.card import Card, CardKind, MediaAsset
from storyboard.model.card_gaps import fill_card_gaps
from storyboard.model.snapshot import Snapshot, SnapshotStatus, Source, SourceKind
from storyboard.model.story import HeadingItem, Item, TextItem, UrlItem
from storyboard.providers import ProviderRegistry
from storyboard.urls import normalize_url

#: Each kind of Storify element and the card it becomes; others are kept as links.
CARD_KINDS = {
    "tweet": CardKind.POST,
    "quote": CardKind.POST,
    "image": CardKind.PHOTO,
    "video": CardKind.VIDEO,
    "link": CardKind.LINK,
    "website": CardKind.LINK,
}
#: Where the later API kept a kind's fields (``data.<name>``), in the order to look.
_DATA_KEYS = {
    "tweet": ("tweet", "quote"),
    "quote": ("quote", "tweet"),
    "website": ("website", "link"),
    "link": ("link", "website"),
}
#: Where an element keeps the post's date, by API version.
_DATE_FIELDS = ("posted_at", "created_at", "published_at")
#: The provider name recorded in an imported snapshot's source.
IMPORT_PROVIDER = "Storify"

#: Storify's lowercase source names, as the platforms spell themselves.
_SOURCE_NAMES = {
    "twitter": "Twitter",
    "youtube": "YouTube",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "flickr": "Flickr",
    "vimeo": "Vimeo",
    "soundcloud": "SoundCloud",
    "tumblr": "Tumblr",
    "googleplus": "Google+",
    "slideshare": "SlideShare",
    "storify": "Storify",
}


@cache
def _registry() -> ProviderRegistry:
    return ProviderRegistry.builtin()


@dataclass
class ElementMapper:
    """Turn a story's elements into items and snapshots, collecting warnings."""

    source: str
    now: dt.datetime
    permalink: str | None = None
    #: Pictures saved beside an HTML export: the reference as written -> found.
    local_pictures: Mapping[str, Path] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    first_seen: dict[str, str] = field(default_factory=dict)  # normalized URL -> element path

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(Problem(self.source, None, None, where, message, "warning"))

    def element(self, where: str, element: object) -> None:
        """Map one element.

        An element that is not an object means the file is not the export it seems and
        stops the import; one holding a value the card model refuses is skipped with a
        warning, so one odd element never costs the rest of the story.
        """
        if not isinstance(element, dict):
            problem = Problem(
                self.source,
                None,
                None,
                where,
                f"expected an element object, got {describe(element)}",
            )
            raise UsageError(str(problem))
        # Older exports name the kind elementClass (and may use "type" for something else).
        kind_value = element.get("elementClass")
        if not isinstance(kind_value, str) or not kind_value.strip():
            kind_value = element.get("type")
        kind = kind_value.strip().lower() if isinstance(kind_value, str) else ""
        try:
            if kind == "text":
                self.text_element(where, element)
                return
            if kind not in CARD_KINDS:
                label = "no type" if not kind else f"unknown type {kind_value!r}"
                self.warn(where, f"{label}; kept as a link")
            self.embed_element(where, element, kind)
        except ValueError as exc:  # a value the card model refuses, however odd the export
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.warn(where, f"could not be read ({first_line}); skipped")

    def text_element(self, where: str, element: dict[str, Any]) -> None:
        data = as_object(element.get("data"))
        value = data.get("text")
        text = as_str(value) if isinstance(value, str) else as_str(as_object(value).get("text"))
        text = text or as_str(
            first(element.get("text"), element.get("description"), element.get("title"))
        )
        heading = sole_heading(text or "")
        if heading is not None:
            self.items.append(HeadingItem(heading=heading[1]))
            return
        markdown = html_to_markdown(text or "")
        if not markdown:
            self.warn(where, "a text element with no text; skipped")
            return
        self.items.append(TextItem(text=markdown))

    def embed_element(self, where: str, element: dict[str, Any], kind: str) -> None:
        fields = _ElementFields.of(element, kind)
        url = first_url(
            element.get("permalink"),
            fields.own.get("url"),
            fields.own.get("src") if kind != "video" else None,
            fields.image.get("href"),
            fields.image.get("src") if kind == "image" else None,
            element.get("url"),
        )
        if url is None:
            self.as_text(where, element, fields)
            return
        key = normalize_url(url)
        if key in self.first_seen:
            self.items.append(UrlItem(url=url))
            self.warn(where, f"the same post as {self.first_seen[key]}; one snapshot for both")
            return
        card = self.card(where, key, kind, fields)
        oembed, card = self.with_oembed(where, fields, key, card)
        snapshot = Snapshot(
            url=key,
            status=SnapshotStatus.OK,
            source=Source(
                kind=SourceKind.IMPORT, provider_name=IMPORT_PROVIDER, endpoint=self.permalink
            ),
            fetched_at=self.now,
            raw=element,
            oembed=oembed,
            card=card,
        )
        self.items.append(UrlItem(url=url))
        self.first_seen[key] = where
        self.snapshots[key] = snapshot

    def asset(
        self, *candidates: object, width: object = None, height: object = None
    ) -> MediaAsset | None:
        """The first candidate that is a picture's http(s) URL or one saved beside a page."""
        for value in candidates:
            reference = as_str(value)
            if reference is None:
                continue
            url = http_url(reference)
            if url is not None or reference in self.local_pictures:
                return MediaAsset(
                    url=url or reference, width=dimension(width), height=dimension(height)
                )
        return None

    def card(self, where: str, url: str, kind: str, fields: _ElementFields) -> Card:
        """Build the card of one element from its own fields and its author's."""
        own, element, image = fields.own, fields.element, fields.image
        card_kind = CARD_KINDS.get(kind, CardKind.LINK)
        picture = self.asset(
            own.get("src") if kind == "image" else None,
            image.get("src"),
            width=image.get("width"),
            height=image.get("height"),
        )
        thumbnail = self.asset(own.get("thumbnail"), element.get("thumbnail")) or picture
        title = plain_text(first(own.get("title"), element.get("title")))
        description = plain_text(
            first(own.get("caption"), own.get("description"), element.get("description"))
        )
        card = Card(kind=card_kind, url=url)
        if card_kind is CardKind.POST:
            text = as_str(
                first(
                    own.get("text"),
                    element.get("text"),
                    element.get("description"),
                    element.get("title"),
                )
            )
            card = card.model_copy(
                update={"text_html": post_html(text) if text else None, "image": picture}
            )
        elif card_kind is CardKind.PHOTO:
            card = card.model_copy(
                update={"title": title, "description": description, "image": picture}
            )
        elif card_kind is CardKind.VIDEO:
            card = card.model_copy(
                update={
                    "title": title,
                    "description": description,
                    "image": thumbnail,
                    # The render layer shows a player only from the provider's own hosts.
                    "player_url": http_url(own.get("src")),
                }
            )
        else:
            if kind not in CARD_KINDS:
                title, description, found = _unknown_fields(fields, title, description)
                thumbnail = thumbnail or found
            card = card.model_copy(
                update={"title": title, "description": description, "image": thumbnail}
            )
        return self.with_element_fields(where, kind, fields, card)

    def with_element_fields(
        self, where: str, kind: str, fields: _ElementFields, card: Card
    ) -> Card:
        """Fill in the author, the date and the platform every element carries."""
        element, own = fields.element, fields.own
        author = fields.author
        name = plain_text(author.get("name"))
        username = plain_text(
            first(author.get("username"), author.get("screen_name"), fields.origin.get("username"))
        )
        handle = f"@{username.lstrip('@')}" if username and " " not in username else None
        date_field = next(
            (name for name in _DATE_FIELDS if first(element.get(name)) is not None), None
        )
        posted = element.get(date_field) if date_field else first(own.get("created_at"))
        published = timestamp(posted)
        if posted is not None and published is None:
            self.warn(
                f"{where}.{date_field or 'created_at'}",
                f"not a date: {str(posted)[:40]!r}; left out",
            )
        platform = plain_text(
            first(
                fields.origin.get("name"),
                own.get("provider_name"),
                as_object(element.get("meta")).get("provider_name"),
                "twitter" if kind == "tweet" else None,
            )
        )
        return card.model_copy(
            update={
                "author_name": name or (None if handle else username),
                "author_handle": handle,
                "author_url": first_url(
                    author.get("href"), author.get("permalink"), author.get("url")
                ),
                "avatar": self.asset(
                    author.get("thumbnail"), author.get("avatar"), author.get("profile_image_url")
                ),
                "published": published,
                "provider_name": _SOURCE_NAMES.get(platform.lower(), platform)
                if platform
                else None,
                "provider_url": http_url(fields.origin.get("href")),
            }
        )

    def with_oembed(
        self, where: str, fields: _ElementFields, url: str, card: Card
    ) -> tuple[dict[str, Any] | None, Card]:
        """Keep the element's oEmbed answer, if any, and fill the card's gaps from it."""
        if fields.oembed is None:
            return None, card
        path, value = fields.oembed
        try:
            oembed = parse_oembed(value, source=f"{self.source}: {where}.{path}")
        except OEmbedError as exc:
            self.warn(f"{where}.{path}", f"{exc}; kept only in the snapshot's raw data")
            return None, card
        match = _registry().match(url)
        provider = match[0] if match else None
        hosts = provider.iframe_hosts if provider else frozenset()
        from_oembed = card_from_oembed(oembed, url=url, provider=provider, iframe_hosts=hosts)
        return oembed.model_dump(mode="json", exclude_none=True), fill_card_gaps(card, from_oembed)

    def as_text(self, where: str, element: dict[str, Any], fields: _ElementFields) -> None:
        """Keep an element that has no URL as a text item (a quote with its author)."""
        own = fields.own
        found = (
            plain_text(first(own.get(key), element.get(key) if key != "text" else None))
            for key in ("text", "title", "caption", "description")
        )
        parts = list(dict.fromkeys(part for part in found if part))
        author = plain_text(first(fields.author.get("name"), fields.author.get("username")))
        if not parts:
            self.warn(where, "no URL and no text; nothing could be kept")
            return
        lines = [f"> {escape_markdown(part)}" for part in parts]
        body = "\n>\n".join(lines)
        if author:
            body += f"\n>\n> — {escape_markdown(author)}"
        self.warn(where, "no http(s) URL; kept as text")
        self.items.append(TextItem(text=body))


@dataclass(frozen=True)
class _ElementFields:
    """The parts of one element, wherever its API version kept them."""

    element: dict[str, Any]
    data: dict[str, Any]
    #: The kind's own fields: ``data.<kind>`` (later API), else empty.
    own: dict[str, Any]
    #: ``image{src, href, width, height}`` on the element (earlier API) or in ``own``.
    image: dict[str, Any]
    #: The post's author: ``attribution`` (later API) or ``author`` (earlier API).
    author: dict[str, Any]
    #: The platform: ``source{name, href, username}`` or just its name.
    origin: dict[str, Any]
    #: (path, value) of the element's oEmbed answer, in ``data`` or on the element.
    oembed: tuple[str, object] | None

    @classmethod
    def of(cls, element: dict[str, Any], kind: str) -> _ElementFields:
        data = as_object(element.get("data"))
        own: dict[str, Any] = {}
        for key in _DATA_KEYS.get(kind, (kind,) if kind else ()):
            own = as_object(data.get(key))
            if own:
                break
        image = as_object(element.get("image")) or as_object(own.get("image"))
        if not image and isinstance(own.get("image"), str):
            image = {"src": own["image"]}
        if not image and isinstance(element.get("image"), str):
            image = {"src": element["image"]}
        author = as_object(element.get("attribution")) or as_object(element.get("author"))
        author = author or as_object(own.get("user"))
        source = element.get("source")
        origin = as_object(source) or ({"name": source} if isinstance(source, str) else {})
        oembed: tuple[str, object] | None = None
        if data.get("oembed") is not None:
            oembed = ("data.oembed", data["oembed"])
        elif element.get("oembed") is not None:
            oembed = ("oembed", element["oembed"])
        return cls(element, data, own, image, author, origin, oembed)


def _unknown_fields(
    fields: _ElementFields, title: str | None, description: str | None
) -> tuple[str | None, str | None, MediaAsset | None]:
    """A title, description and thumbnail from whatever an unknown element says."""
    image = None
    for value in fields.data.values():
        part = as_object(value)
        title = title or plain_text(part.get("title")) or plain_text(part.get("text"))
        description = description or plain_text(part.get("description"))
        thumbnail = http_url(part.get("thumbnail"))
        image = image or (MediaAsset(url=thumbnail) if thumbnail else None)
    return title, description, image
