"""Turn a post as an API returns it into the snapshot a page can render at once.

The card is built from the API's own fields (author, text, date, first picture), so a
collected story renders before any oEmbed fetch; ``storyboard fetch --refresh`` may
later replace it with the provider's data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from html import escape
from typing import Any
from urllib.parse import quote

from bs4 import BeautifulSoup

from storyboard import loose
from storyboard.clock import utc_now
from storyboard.collect.model import utc_datetime
from storyboard.extract.sanitize import sanitize_post_text
from storyboard.model.card import Card, CardKind, MediaAsset
from storyboard.model.snapshot import Snapshot, SnapshotStatus, Source, SourceKind
from storyboard.urls import absolute_http_url, host_of, normalize_url

MASTODON = "Mastodon"
BLUESKY = "Bluesky"
BLUESKY_WEB = "https://bsky.app"

#: Labels on a Bluesky post whose pictures are not shown on a card without a warning.
_BLUESKY_ADULT_LABELS = frozenset({"porn", "sexual", "nudity", "graphic-media", "gore"})
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def _now() -> dt.datetime:
    return utc_now()


def _text(value: object) -> str | None:
    return loose.one_line(value)


def _int(value: object) -> int | None:
    return loose.count(value, positive=True)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _asset(url: object, width: object = None, height: object = None) -> MediaAsset | None:
    absolute = absolute_http_url(url) if isinstance(url, str) else None
    if absolute is None:
        return None
    return MediaAsset(url=absolute, width=_int(width), height=_int(height))


def _snapshot(
    url: str, card: Card, *, raw: Mapping[str, Any], provider: str, endpoint: str
) -> Snapshot:
    return Snapshot(
        url=normalize_url(url),
        status=SnapshotStatus.OK,
        source=Source(kind=SourceKind.IMPORT, provider_name=provider, endpoint=endpoint),
        fetched_at=_now(),
        raw=dict(raw),
        card=card,
    )


def html_text(html: str) -> str:
    """Return the visible text of post HTML, one line per paragraph or line break."""
    soup = BeautifulSoup(html, "html.parser")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for paragraph in soup.find_all("p"):
        paragraph.append("\n")
    return soup.get_text()


# -- Mastodon -----------------------------------------------------------------------


def mastodon_handle(account: Mapping[str, Any], *, instance_host: str) -> str | None:
    """Return ``@user@host``: ``acct`` names remote users in full, local ones without host."""
    acct = _text(account.get("acct")) or _text(account.get("username"))
    if acct is None:
        return None
    acct = acct.removeprefix("@")
    return f"@{acct}" if "@" in acct else f"@{acct}@{instance_host}"


def _mastodon_media(status: Mapping[str, Any]) -> MediaAsset | None:
    if status.get("sensitive") is True:
        return None  # a card shows pictures without the platform's click-to-reveal
    attachments = status.get("media_attachments")
    for attachment in attachments if isinstance(attachments, list) else []:
        media = _mapping(attachment)
        meta = _mapping(media.get("meta"))
        if media.get("type") == "image":
            original = _mapping(meta.get("original"))
            asset = _asset(media.get("url"), original.get("width"), original.get("height"))
        elif media.get("type") in ("gifv", "video"):
            small = _mapping(meta.get("small"))
            asset = _asset(media.get("preview_url"), small.get("width"), small.get("height"))
        else:
            continue
        if asset is not None:
            return asset
    return None


def mastodon_text_html(status: Mapping[str, Any]) -> str | None:
    """Return the status's text as card HTML, its content warning first."""
    content = status.get("content")
    parts = []
    spoiler = _text(status.get("spoiler_text"))
    if spoiler:
        parts.append(f"<p><strong>{escape(spoiler)}</strong></p>")
    if isinstance(content, str) and content.strip():
        parts.append(content)
    html = sanitize_post_text("".join(parts)) if parts else ""
    return html or None


def mastodon_snapshot(
    status: Mapping[str, Any], *, url: str, handle: str | None, endpoint: str
) -> Snapshot:
    """Build the snapshot of a public Mastodon status (the original, never a boost)."""
    account = _mapping(status.get("account"))
    host = host_of(url)
    card = Card(
        kind=CardKind.POST,
        url=url,
        text_html=mastodon_text_html(status),
        author_name=_text(account.get("display_name")) or _text(account.get("username")),
        author_handle=handle,
        author_url=absolute_http_url(account["url"])
        if isinstance(account.get("url"), str)
        else None,
        avatar=_asset(account.get("avatar_static") or account.get("avatar")),
        published=utc_datetime(status.get("created_at")),
        provider_name=MASTODON,
        provider_url=f"https://{host}/" if host else None,
        image=_mastodon_media(status),
    )
    return _snapshot(url, card, raw=status, provider=MASTODON, endpoint=endpoint)


# -- Bluesky ------------------------------------------------------------------------


def bluesky_post_url(at_uri: str, handle: str) -> str | None:
    """Map ``at://DID/app.bsky.feed.post/RKEY`` to ``https://bsky.app/profile/HANDLE/post/RKEY``."""
    parts = at_uri.removeprefix("at://").split("/")
    if not at_uri.startswith("at://") or len(parts) != 3 or parts[1] != "app.bsky.feed.post":
        return None
    rkey = parts[2]
    if not re.fullmatch(r"[A-Za-z0-9._:~-]{1,512}", rkey) or not _valid_handle(handle):
        return None
    return f"{BLUESKY_WEB}/profile/{handle}/post/{rkey}"


def _valid_handle(handle: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", handle))


def _facet_href(feature: Mapping[str, Any]) -> str | None:
    kind = feature.get("$type")
    if kind == "app.bsky.richtext.facet#link" and isinstance(feature.get("uri"), str):
        return absolute_http_url(feature["uri"])
    if kind == "app.bsky.richtext.facet#mention" and isinstance(feature.get("did"), str):
        did = feature["did"]
        return f"{BLUESKY_WEB}/profile/{quote(did, safe=':')}" if did.startswith("did:") else None
    if kind == "app.bsky.richtext.facet#tag" and isinstance(feature.get("tag"), str):
        return f"{BLUESKY_WEB}/hashtag/{quote(feature['tag'], safe='')}"
    return None


def _facet_spans(record: Mapping[str, Any], size: int) -> list[tuple[int, int, str]]:
    """Return the (start, end, href) byte ranges of the text's links, in order, no overlaps."""
    spans: list[tuple[int, int, str]] = []
    facets = record.get("facets")
    for facet in facets if isinstance(facets, list) else []:
        index = _mapping(_mapping(facet).get("index"))
        start, end = index.get("byteStart"), index.get("byteEnd")
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= size:
            continue
        features = _mapping(facet).get("features")
        for feature in features if isinstance(features, list) else []:
            href = _facet_href(_mapping(feature))
            if href is not None:
                spans.append((start, end, href))
                break
    spans.sort()
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def bluesky_text_html(record: Mapping[str, Any]) -> str | None:
    """Return a post's plain text as card HTML: escaped, its facets as links, paragraphs."""
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return None
    data = text.encode("utf-8")
    pieces: list[str] = []
    position = 0
    # Facet ranges count UTF-8 bytes, not characters.
    for start, end, href in _facet_spans(record, len(data)):
        pieces.append(escape(data[position:start].decode("utf-8", errors="replace")))
        label = escape(data[start:end].decode("utf-8", errors="replace"))
        pieces.append(f'<a href="{escape(href)}">{label}</a>')
        position = end
    pieces.append(escape(data[position:].decode("utf-8", errors="replace")))
    inline = "".join(pieces).strip()
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(inline) if p.strip()]
    html = "".join("<p>" + p.replace("\n", "<br>") + "</p>" for p in paragraphs)
    return sanitize_post_text(html) or None


def _bluesky_media(embed: Mapping[str, Any]) -> MediaAsset | None:
    kind = embed.get("$type")
    if kind == "app.bsky.embed.images#view":
        images = embed.get("images")
        for image in images if isinstance(images, list) else []:
            view = _mapping(image)
            ratio = _mapping(view.get("aspectRatio"))
            asset = _asset(
                view.get("fullsize") or view.get("thumb"), ratio.get("width"), ratio.get("height")
            )
            if asset is not None:
                return asset
        return None
    if kind == "app.bsky.embed.video#view":
        ratio = _mapping(embed.get("aspectRatio"))
        return _asset(embed.get("thumbnail"), ratio.get("width"), ratio.get("height"))
    if kind == "app.bsky.embed.external#view":
        return _asset(_mapping(embed.get("external")).get("thumb"))
    if kind == "app.bsky.embed.recordWithMedia#view":
        return _bluesky_media(_mapping(embed.get("media")))
    return None


def _labels(post: Mapping[str, Any]) -> set[str]:
    labels = post.get("labels")
    return {
        str(_mapping(label).get("val"))
        for label in (labels if isinstance(labels, list) else [])
        if _mapping(label).get("val")
    }


def bluesky_snapshot(post: Mapping[str, Any], *, url: str, endpoint: str) -> Snapshot:
    """Build the snapshot of a Bluesky post view (``app.bsky.feed.defs#postView``)."""
    author = _mapping(post.get("author"))
    record = _mapping(post.get("record"))
    handle = str(author.get("handle", ""))
    image = None
    if not _labels(post) & _BLUESKY_ADULT_LABELS:
        image = _bluesky_media(_mapping(post.get("embed")))
    card = Card(
        kind=CardKind.POST,
        url=url,
        text_html=bluesky_text_html(record),
        author_name=_text(author.get("displayName")) or handle,
        author_handle=f"@{handle}",
        author_url=f"{BLUESKY_WEB}/profile/{handle}",
        avatar=_asset(author.get("avatar")),
        published=utc_datetime(record.get("createdAt")) or utc_datetime(post.get("indexedAt")),
        provider_name=BLUESKY,
        provider_url=f"{BLUESKY_WEB}/",
        image=image,
    )
    return _snapshot(url, card, raw=post, provider=BLUESKY, endpoint=endpoint)


def bluesky_labels(post: Mapping[str, Any]) -> set[str]:
    """Return the label values on a post and its author (``!no-unauthenticated`` and so on)."""
    return _labels(post) | _labels(_mapping(post.get("author")))
