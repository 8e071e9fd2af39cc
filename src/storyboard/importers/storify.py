"""Import a Storify export: its story becomes a story file, its elements snapshots.

Storify's JSON export (API v1, downloaded by its users before the 2018 shutdown) is
``{"content": {...}}`` with the story's ``title``, ``description``, ``date``,
``author`` and ``elements``: a list, or in older exports an object keyed ``"0"``,
``"1"``... Each element has a ``type`` (older exports: ``elementClass``) among
``text``, ``quote``, ``image``, ``video`` and ``link``, its ``permalink``,
``posted_at``, ``source``, ``attribution`` and ``data``.

A text element becomes a text item (its HTML turned into Markdown) or, when it is a
lone heading, a heading item. Every other element becomes a URL item and a snapshot
built from the export's own data, so a story whose posts are long deleted renders
complete without the network. Nothing is dropped silently: an element of an unknown
type is kept as a link, one without a URL as text, each with a warning.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from storyboard.errors import OEmbedError, Problem, UsageError
from storyboard.extract.html_markdown import escape_markdown, html_to_markdown, sole_heading
from storyboard.extract.oembed import parse_oembed
from storyboard.extract.oembed_card import card_from_oembed
from storyboard.extract.sanitize import sanitize_post_text
from storyboard.model.card import Card, CardKind, MediaAsset
from storyboard.model.card_gaps import fill_card_gaps
from storyboard.model.snapshot import Snapshot, SnapshotStatus, Source, SourceKind
from storyboard.model.story import HeadingItem, Item, Story, TextItem, UrlItem
from storyboard.providers import ProviderRegistry
from storyboard.snapshots import SnapshotStore, snapshot_path_for
from storyboard.storyfile.edit import check_lang, dump_story_text, write_new_file
from storyboard.urls import absolute_http_url, check_http_url, normalize_url

MAX_EXPORT_BYTES = 100_000_000
#: The element types of Storify's API; anything else is kept as a link.
ELEMENT_TYPES = ("text", "quote", "image", "video", "link")
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
_HTML_HINT_RE = re.compile(r"<(?:p|br|a|div|span|strong|em|b|i)\b", re.IGNORECASE)
_URL_IN_TEXT_RE = re.compile(r"https?://[^\s<>\"']+")
_TRAILING_PUNCTUATION = ".,;:!?)]}'\""


@dataclass(frozen=True)
class StorifyImport:
    """A parsed export: the story, one snapshot per distinct URL, and what was odd."""

    story: Story
    snapshots: list[Snapshot]
    warnings: list[Problem]
    #: Where the story was on Storify, if the export says.
    permalink: str | None = None


@dataclass(frozen=True)
class ImportResult:
    """What ``import_storify`` wrote."""

    story_path: Path
    snapshots_path: Path
    items: int
    snapshots: int
    warnings: list[Problem]


def import_storify(export_path: Path, story_path: Path, *, lang: str = "en") -> ImportResult:
    """Write ``story_path`` and its snapshot file from a Storify export; never overwrite."""
    if story_path.exists():
        raise UsageError(f"{story_path}: already exists; not overwriting it (choose another -o)")
    check_lang(lang)
    imported = read_storify_export(export_path, lang=lang)
    permalink = imported.permalink
    header = (
        f"Imported from the Storify export {export_path.name} "
        f"on {dt.date.today().isoformat()} by storyboard."
    )
    if permalink:
        header += f"\nThe story was at {permalink}"
    header += (
        f"\nEach post is kept in {snapshot_path_for(story_path).name} as Storify saved it:"
        "\nthe page renders from it even where the post is long gone. `storyboard fetch`"
        "\ndownloads the pictures; `storyboard fetch --refresh` asks the platforms again"
        "\n(a post that is gone keeps its imported snapshot)."
    )
    text = dump_story_text(imported.story, header=header, path=str(story_path))
    store = SnapshotStore.load(snapshot_path_for(story_path))
    for snapshot in imported.snapshots:
        if store.needs_fetch(snapshot.url):  # never replace what an earlier fetch learned
            store.record_success(snapshot)
    store.save()
    write_new_file(story_path, text.encode("utf-8"))
    return ImportResult(
        story_path=story_path,
        snapshots_path=store.path,
        items=len(imported.story.items),
        snapshots=len(imported.snapshots),
        warnings=imported.warnings,
    )


def read_storify_export(
    path: Path, *, lang: str = "en", now: dt.datetime | None = None
) -> StorifyImport:
    """Read and convert the export at ``path``; raise ``UsageError`` naming what is wrong."""
    where = str(path)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_EXPORT_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{where}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_EXPORT_BYTES:
        raise UsageError(f"{where}: larger than {MAX_EXPORT_BYTES:,} bytes")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UsageError(f"{where}: not UTF-8 text (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"{where}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from exc
    except RecursionError as exc:
        raise UsageError(f"{where}: the JSON is nested too deeply") from exc
    return parse_storify_export(
        document, source=where, lang=lang, now=now, fallback_title=_title_of(path)
    )


def parse_storify_export(
    document: object,
    *,
    source: str,
    lang: str = "en",
    now: dt.datetime | None = None,
    fallback_title: str = "Imported story",
) -> StorifyImport:
    """Convert a decoded export; ``source`` names the file in problems."""
    converter = _Converter(source, now or dt.datetime.now(dt.UTC).replace(microsecond=0))
    return converter.convert(document, lang=lang, fallback_title=fallback_title)


def _title_of(path: Path) -> str:
    words = re.sub(r"[-_.\s]+", " ", path.stem).strip()
    return (words[:1].upper() + words[1:]) if words else "Imported story"


# -- small readers of loosely typed JSON ------------------------------------------------


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: object) -> str | None:
    """Return a non-blank string (a number spelled out), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _plain_text(value: object) -> str | None:
    """Return the text of a string that may hold HTML, on one line."""
    text = _str(value)
    if text is None:
        return None
    if "<" in text or "&" in text:
        text = BeautifulSoup(text, "html.parser").get_text(" ")
    return " ".join(text.split()) or None


def _url(value: object) -> str | None:
    text = _str(value)
    if text is None:
        return None
    absolute = absolute_http_url(text)
    if absolute is None:
        return None
    try:
        return check_http_url(absolute)
    except ValueError:
        return None


def _asset(value: object) -> MediaAsset | None:
    url = _url(value)
    return MediaAsset(url=url) if url else None


def _timestamp(value: object) -> dt.datetime | dt.date | None:
    """Read ISO 8601 text or epoch seconds/milliseconds; None if it is neither."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        seconds = value / 1000 if value > 100_000_000_000 else value
        try:
            return dt.datetime.fromtimestamp(seconds, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = _str(value)
    if text is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _describe(value: object) -> str:
    names = {list: "a list", dict: "an object", str: "a string", bool: "true/false"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _quote_html(text: str) -> str | None:
    """Return a post's text as sanitized HTML: HTML as it is, plain text in paragraphs."""
    if _HTML_HINT_RE.search(text):
        cleaned = sanitize_post_text(text)
    else:
        plain = html.unescape(text).strip()
        paragraphs = [p for p in re.split(r"\n\s*\n", plain) if p.strip()]
        body = "".join(
            "<p>" + "<br>".join(_linkify(line) for line in p.strip().split("\n")) + "</p>"
            for p in paragraphs
        )
        cleaned = sanitize_post_text(body)
    return cleaned or None


def _linkify(line: str) -> str:
    """Escape a line of plain text, turning the http(s) addresses in it into links."""
    out = []
    last = 0
    for match in _URL_IN_TEXT_RE.finditer(line):
        url = match.group(0).rstrip(_TRAILING_PUNCTUATION)
        end = match.start() + len(url)
        out.append(html.escape(line[last : match.start()]))
        out.append(f'<a href="{html.escape(url)}">{html.escape(url)}</a>')
        last = end
    out.append(html.escape(line[last:]))
    return "".join(out)


@cache
def _registry() -> ProviderRegistry:
    return ProviderRegistry.builtin()


# -- the conversion ---------------------------------------------------------------------


@dataclass
class _Converter:
    """Turn one export into a story and snapshots, collecting warnings."""

    source: str
    now: dt.datetime
    warnings: list[Problem] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    first_seen: dict[str, str] = field(default_factory=dict)  # normalized URL -> element path
    permalink: str | None = None

    def error(self, where: str, message: str) -> UsageError:
        return UsageError(str(Problem(self.source, None, None, where, message)))

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(Problem(self.source, None, None, where, message, "warning"))

    def convert(self, document: object, *, lang: str, fallback_title: str) -> StorifyImport:
        content, prefix = self.content(document)
        self.permalink = _url(content.get("permalink"))
        for where, element in self.elements(content, prefix):
            self.element(where, element)
        title = _plain_text(content.get("title"))
        if title is None:
            title = fallback_title
            self.warn(f"{prefix}title", f"no title; using {title!r}")
        published = _object(content.get("date"))
        date = _timestamp(published.get("published")) or _timestamp(published.get("created"))
        author = _object(content.get("author"))
        story = Story(
            title=title,
            description=_plain_text(content.get("description")) or "",
            date=date.date() if isinstance(date, dt.datetime) else date,
            lang=lang,
            author=_plain_text(author.get("name")) or _plain_text(author.get("username")),
            items=self.items,
        )
        return StorifyImport(story, list(self.snapshots.values()), self.warnings, self.permalink)

    def content(self, document: object) -> tuple[dict[str, Any], str]:
        """Return the story object of the export and the path prefix of its fields."""
        if not isinstance(document, dict):
            raise self.error(
                "", f"expected a Storify export (a JSON object), got {_describe(document)}"
            )
        content = document.get("content")
        if isinstance(content, dict):
            return content, "content."
        if content is not None:
            raise self.error("content", f"expected an object, got {_describe(content)}")
        if "elements" in document:  # the story object itself, without the API's envelope
            return document, ""
        raise self.error("", "not a Storify export: no 'content' with the story's elements")

    def elements(self, content: dict[str, Any], prefix: str) -> Iterator[tuple[str, Any]]:
        """Yield (path, element) in story order, from a list or an object keyed "0", "1"..."""
        where = f"{prefix}elements"
        elements = content.get("elements")
        if elements is None:
            raise self.error(where, "missing: the export has no elements")
        if isinstance(elements, list):
            for index, element in enumerate(elements):
                yield f"{where}[{index}]", element
            return
        if not isinstance(elements, dict):
            raise self.error(where, f"expected a list or an object, got {_describe(elements)}")
        for key in elements:
            if not (isinstance(key, str) and key.isdigit()):
                raise self.error(where, f"key {key!r} is not an element number")
        for key in sorted(elements, key=int):
            yield f"{where}[{key}]", elements[key]

    def element(self, where: str, element: object) -> None:
        if not isinstance(element, dict):
            raise self.error(where, f"expected an element object, got {_describe(element)}")
        # Older exports name the type elementClass (and may use "type" for something else).
        kind_value = element.get("elementClass")
        if not isinstance(kind_value, str):
            kind_value = element.get("type")
        kind = kind_value.strip().lower() if isinstance(kind_value, str) else ""
        if kind == "text":
            self.text_element(where, element)
            return
        if kind not in ELEMENT_TYPES:
            label = "no type" if kind_value is None else f"unknown type {kind_value!r}"
            self.warn(where, f"{label}; kept as a link")
            kind = ""
        self.embed_element(where, element, kind)

    def text_element(self, where: str, element: dict[str, Any]) -> None:
        data = _object(element.get("data"))
        value = data.get("text")
        text = value if isinstance(value, str) else _str(_object(value).get("text")) or ""
        heading = sole_heading(text)
        if heading is not None:
            self.items.append(HeadingItem(heading=heading[1]))
            return
        markdown = html_to_markdown(text)
        if not markdown:
            self.warn(where, "a text element with no text; skipped")
            return
        self.items.append(TextItem(text=markdown))

    def embed_element(self, where: str, element: dict[str, Any], kind: str) -> None:
        data = _object(element.get("data"))
        own = _object(data.get(kind)) if kind else {}
        url = _url(element.get("permalink")) or _url(own.get("src")) or _url(own.get("url"))
        build = _CARD_BUILDERS.get(kind, _unknown_card)
        if url is None:
            self.as_text(where, element, kind, data)
            return
        key = normalize_url(url)
        self.items.append(UrlItem(url=url))
        if key in self.first_seen:
            self.warn(where, f"the same post as {self.first_seen[key]}; one snapshot for both")
            return
        self.first_seen[key] = where
        card = build(key, own, data)
        card = self.with_element_fields(where, element, card)
        oembed, card = self.with_oembed(where, data, key, card)
        self.snapshots[key] = Snapshot(
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

    def with_element_fields(self, where: str, element: dict[str, Any], card: Card) -> Card:
        """Fill in the author, the date and the platform every element carries."""
        attribution = _object(element.get("attribution"))
        origin = _object(element.get("source"))
        name = _plain_text(attribution.get("name"))
        username = _plain_text(attribution.get("username")) or _plain_text(origin.get("username"))
        handle = f"@{username.lstrip('@')}" if username and " " not in username else None
        posted = element.get("posted_at")
        published = _timestamp(posted)
        if posted not in (None, "") and published is None:
            self.warn(f"{where}.posted_at", f"not a date: {str(posted)[:40]!r}; left out")
        platform = _plain_text(origin.get("name"))
        return card.model_copy(
            update={
                "author_name": name or (None if handle else username),
                "author_handle": handle,
                "author_url": _url(attribution.get("href")),
                "avatar": _asset(attribution.get("thumbnail")),
                "published": published,
                "provider_name": _SOURCE_NAMES.get(platform.lower(), platform)
                if platform
                else None,
                "provider_url": _url(origin.get("href")),
            }
        )

    def with_oembed(
        self, where: str, data: dict[str, Any], url: str, card: Card
    ) -> tuple[dict[str, Any] | None, Card]:
        """Keep the element's oEmbed answer, if any, and fill the card's gaps from it."""
        if data.get("oembed") is None:
            return None, card
        try:
            oembed = parse_oembed(data["oembed"], source=f"{self.source}: {where}.data.oembed")
        except OEmbedError as exc:
            self.warn(f"{where}.data.oembed", f"{exc}; kept only in the snapshot's raw data")
            return None, card
        match = _registry().match(url)
        provider = match[0] if match else None
        hosts = provider.iframe_hosts if provider else frozenset()
        from_oembed = card_from_oembed(oembed, url=url, provider=provider, iframe_hosts=hosts)
        return oembed.model_dump(mode="json", exclude_none=True), fill_card_gaps(card, from_oembed)

    def as_text(self, where: str, element: dict[str, Any], kind: str, data: dict[str, Any]) -> None:
        """Keep an element that has no URL as a text item (a quote with its author)."""
        own = _object(data.get(kind)) if kind else {}
        attribution = _object(element.get("attribution"))
        found = (_plain_text(own.get(key)) for key in ("text", "title", "caption", "description"))
        parts = [part for part in found if part]
        author = _plain_text(attribution.get("name")) or _plain_text(attribution.get("username"))
        if not parts:
            self.warn(where, "no URL and no text; nothing could be kept")
            return
        lines = [f"> {escape_markdown(part)}" for part in parts]
        body = "\n>\n".join(lines)
        if author:
            body += f"\n>\n> — {escape_markdown(author)}"
        self.warn(where, "no http(s) URL; kept as text")
        self.items.append(TextItem(text=body))


def _post_card(url: str, own: dict[str, Any], data: dict[str, Any]) -> Card:
    text = _str(own.get("text")) or ""
    return Card(kind=CardKind.POST, url=url, text_html=_quote_html(text) if text else None)


def _photo_card(url: str, own: dict[str, Any], data: dict[str, Any]) -> Card:
    return Card(
        kind=CardKind.PHOTO,
        url=url,
        title=_plain_text(own.get("title")),
        description=_plain_text(own.get("caption")),
        image=_asset(own.get("src")),
    )


def _video_card(url: str, own: dict[str, Any], data: dict[str, Any]) -> Card:
    return Card(
        kind=CardKind.VIDEO,
        url=url,
        title=_plain_text(own.get("title")),
        description=_plain_text(own.get("description")),
        image=_asset(own.get("thumbnail")),
        # The render layer shows a player only from the provider's own hosts.
        player_url=_url(own.get("src")),
    )


def _link_card(url: str, own: dict[str, Any], data: dict[str, Any]) -> Card:
    return Card(
        kind=CardKind.LINK,
        url=url,
        title=_plain_text(own.get("title")),
        description=_plain_text(own.get("description")),
        image=_asset(own.get("thumbnail")),
    )


def _unknown_card(url: str, own: dict[str, Any], data: dict[str, Any]) -> Card:
    """A link card from whatever an element of an unknown type says about itself."""
    title = description = None
    image = None
    for value in data.values():
        part = _object(value)
        title = title or _plain_text(part.get("title")) or _plain_text(part.get("text"))
        description = description or _plain_text(part.get("description"))
        image = image or _asset(part.get("thumbnail"))
    return Card(kind=CardKind.LINK, url=url, title=title, description=description, image=image)


_CARD_BUILDERS: dict[str, Callable[[str, dict[str, Any], dict[str, Any]], Card]] = {
    "quote": _post_card,
    "image": _photo_card,
    "video": _video_card,
    "link": _link_card,
}
