"""Bluesky's public AppView: a post's addresses, the request URLs, a post view into a card.

A post is ``at://DID/app.bsky.feed.post/RKEY``; its page is
``https://bsky.app/profile/HANDLE/post/RKEY``. Every function reads one post view
(``app.bsky.feed.defs#postView``), as a search page and ``getPosts`` both answer with.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from storyboard.extract.sanitize import sanitize_post_text
from storyboard.model.card import Card, CardKind, MediaAsset
from storyboard.model.snapshot import Snapshot
from storyboard.networks.api_fields import (
    mapping_field,
    media_asset,
    text_field,
    utc_datetime,
)
from storyboard.networks.api_snapshot import api_snapshot
from storyboard.urls import absolute_http_url

BLUESKY = "Bluesky"
BLUESKY_WEB = "https://bsky.app"
DEFAULT_APPVIEW = "https://public.api.bsky.app/xrpc/"
SEARCH_METHOD = "app.bsky.feed.searchPosts"
GET_POSTS_METHOD = "app.bsky.feed.getPosts"
#: Posts asked for per search page: the API's maximum.
SEARCH_PAGE_SIZE = 100
#: Labels that mean a post is not for everyone to see: never collected.
HIDDEN_LABELS = frozenset({"!no-unauthenticated", "!hide", "!takedown"})
#: The handle of an account whose handle no longer resolves (deleted or broken).
INVALID_HANDLE = "handle.invalid"
POST_COLLECTION = "app.bsky.feed.post"

#: Labels on a post whose pictures are not shown on a card without a warning.
_ADULT_LABELS = frozenset({"porn", "sexual", "nudity", "graphic-media", "gore"})
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_RKEY = re.compile(r"[A-Za-z0-9._:~-]{1,512}")
_HANDLE = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_DID = re.compile(r"did:[a-z]+:[A-Za-z0-9._:%-]+")
_WEB_POST_PATH = re.compile(r"/profile/(?P<actor>[^/]+)/post/(?P<rkey>[^/]+)/?")


def bluesky_post_url(at_uri: str, handle: str) -> str | None:
    """Map ``at://DID/app.bsky.feed.post/RKEY`` to ``https://bsky.app/profile/HANDLE/post/RKEY``."""
    parts = at_uri.removeprefix("at://").split("/")
    if not at_uri.startswith("at://") or len(parts) != 3 or parts[1] != POST_COLLECTION:
        return None
    rkey = parts[2]
    if not _RKEY.fullmatch(rkey) or not _HANDLE.fullmatch(handle):
        return None
    return f"{BLUESKY_WEB}/profile/{handle}/post/{rkey}"


def parse_post_url(url: str) -> str | None:
    """Return the ``at://`` URI of a ``bsky.app/profile/HANDLE-OR-DID/post/RKEY`` page, or None.

    The AppView reads a handle in an ``at://`` URI as well as a DID.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() != "bsky.app":
        return None
    match = _WEB_POST_PATH.fullmatch(parts.path)
    if match is None:
        return None
    actor, rkey = match["actor"], match["rkey"]
    if not _RKEY.fullmatch(rkey) or not (_HANDLE.fullmatch(actor) or _DID.fullmatch(actor)):
        return None
    return f"at://{actor}/{POST_COLLECTION}/{rkey}"


def search_url(
    base: str,
    *,
    query: str,
    tag: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    cursor: str | None = None,
) -> str:
    """Return one searchPosts request URL: posts from ``since`` through ``until``, newest first."""
    params: list[tuple[str, str]] = [
        ("q", query),
        ("sort", "latest"),
        ("limit", str(SEARCH_PAGE_SIZE)),
    ]
    if tag:
        params.append(("tag", tag))
    if since is not None:
        params.append(("since", _day_start(since)))
    if until is not None:
        params.append(("until", _day_start(until + dt.timedelta(days=1))))  # exclusive
    if cursor is not None:
        params.append(("cursor", cursor))
    return f"{base}{SEARCH_METHOD}?{urlencode(params)}"


def get_posts_url(base: str, at_uris: Iterable[str]) -> str:
    """Return the getPosts request URL for the post views of ``at_uris`` (up to 25)."""
    return f"{base}{GET_POSTS_METHOD}?{urlencode([('uris', uri) for uri in at_uris])}"


def _day_start(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


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
        index = mapping_field(mapping_field(facet).get("index"))
        start, end = index.get("byteStart"), index.get("byteEnd")
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= size:
            continue
        features = mapping_field(facet).get("features")
        for feature in features if isinstance(features, list) else []:
            href = _facet_href(mapping_field(feature))
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


def _first_picture(embed: Mapping[str, Any]) -> MediaAsset | None:
    kind = embed.get("$type")
    if kind == "app.bsky.embed.images#view":
        images = embed.get("images")
        for image in images if isinstance(images, list) else []:
            view = mapping_field(image)
            ratio = mapping_field(view.get("aspectRatio"))
            asset = media_asset(
                view.get("fullsize") or view.get("thumb"), ratio.get("width"), ratio.get("height")
            )
            if asset is not None:
                return asset
        return None
    if kind == "app.bsky.embed.video#view":
        ratio = mapping_field(embed.get("aspectRatio"))
        return media_asset(embed.get("thumbnail"), ratio.get("width"), ratio.get("height"))
    if kind == "app.bsky.embed.external#view":
        return media_asset(mapping_field(embed.get("external")).get("thumb"))
    if kind == "app.bsky.embed.recordWithMedia#view":
        return _first_picture(mapping_field(embed.get("media")))
    return None


def _labels(post: Mapping[str, Any]) -> set[str]:
    labels = post.get("labels")
    return {
        str(mapping_field(label).get("val"))
        for label in (labels if isinstance(labels, list) else [])
        if mapping_field(label).get("val")
    }


def bluesky_card(post: Mapping[str, Any], *, url: str) -> Card:
    """Return the card of a Bluesky post view (``app.bsky.feed.defs#postView``)."""
    author = mapping_field(post.get("author"))
    record = mapping_field(post.get("record"))
    handle = str(author.get("handle", ""))
    image = None
    if not _labels(post) & _ADULT_LABELS:
        image = _first_picture(mapping_field(post.get("embed")))
    return Card(
        kind=CardKind.POST,
        url=url,
        text_html=bluesky_text_html(record),
        author_name=text_field(author.get("displayName")) or handle,
        author_handle=f"@{handle}",
        author_url=f"{BLUESKY_WEB}/profile/{handle}",
        avatar=media_asset(author.get("avatar")),
        published=utc_datetime(record.get("createdAt")) or utc_datetime(post.get("indexedAt")),
        provider_name=BLUESKY,
        provider_url=f"{BLUESKY_WEB}/",
        image=image,
    )


def bluesky_snapshot(post: Mapping[str, Any], *, url: str, endpoint: str) -> Snapshot:
    """Build the snapshot of a Bluesky post view (``app.bsky.feed.defs#postView``)."""
    card = bluesky_card(post, url=url)
    return api_snapshot(url, card, raw=post, provider=BLUESKY, endpoint=endpoint)


def bluesky_labels(post: Mapping[str, Any]) -> set[str]:
    """Return the label values on a post and its author (``!no-unauthenticated`` and so on)."""
    return _labels(post) | _labels(mapping_field(post.get("author")))


def linkable_post_url(post: Mapping[str, Any]) -> str | None:
    """Return the bsky.app page of a post view, None if its author's handle cannot name it."""
    uri = post.get("uri")
    handle = mapping_field(post.get("author")).get("handle")
    if not isinstance(uri, str) or not isinstance(handle, str) or handle == INVALID_HANDLE:
        return None
    return bluesky_post_url(uri, handle)


def post_snapshot(post: Mapping[str, Any], *, endpoint: str) -> Snapshot | None:
    """Build the snapshot of one post view, None if it has no page to link to."""
    url = linkable_post_url(post)
    return None if url is None else bluesky_snapshot(post, url=url, endpoint=endpoint)
