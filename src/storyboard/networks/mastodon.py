"""Mastodon's public API: a status's addresses, the request URLs, a status into a card.

Every function reads one status, so a tag timeline page is read status by status and a
single post (``GET /api/v1/statuses/:id``) the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from html import escape
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from bs4 import BeautifulSoup

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
from storyboard.urls import absolute_http_url, check_http_url, host_of

MASTODON = "Mastodon"
#: Statuses asked for per tag timeline page: the API's maximum.
TIMELINE_PAGE_SIZE = 40
_ONE_DAY_MS = 86_400_000

# A post's page: /@user/ID (also /@user@other.host/ID for a remote post seen here),
# /users/user/statuses/ID (its ActivityPub id) or /web/statuses/ID. Mastodon ids are
# digits; other servers speaking the API (GoToSocial) use letters too.
_STATUS_PATHS = (
    re.compile(r"/@[^/@]+(?:@[^/]+)?/(?P<id>[0-9A-Za-z]+)/?"),
    re.compile(r"/users/[^/]+/statuses/(?P<id>[0-9A-Za-z]+)/?"),
    re.compile(r"/web/statuses/(?P<id>[0-9A-Za-z]+)/?"),
)


def parse_status_url(url: str) -> tuple[str, str] | None:
    """Return (``https://host[:port]``, status id) of a status's page URL, or None.

    The id is the server's own: ask that server's API for it (``status_api_url``).
    """
    try:
        parts = urlsplit(check_http_url(url))
    except ValueError:
        return None
    for pattern in _STATUS_PATHS:
        match = pattern.fullmatch(parts.path)
        if match is not None:
            return f"{parts.scheme.lower()}://{parts.netloc.lower()}", match["id"]
    return None


def status_api_url(base: str, status_id: str) -> str:
    """Return the URL of ``GET /api/v1/statuses/:id`` on the instance at ``base``."""
    return f"{base}/api/v1/statuses/{quote(status_id, safe='')}"


def tag_timeline_url(base: str, tag: str, *, max_id: str | None = None) -> str:
    """Return the tag timeline URL of ``tag`` on the instance at ``base``."""
    query: dict[str, str | int] = {"limit": TIMELINE_PAGE_SIZE}
    if max_id is not None:
        query["max_id"] = max_id
    return f"{base}/api/v1/timelines/tag/{quote(tag, safe='')}?{urlencode(query)}"


def status_web_url(status: Mapping[str, Any]) -> str | None:
    """Return the address of a status's page (``url``, else its ``uri``), or None."""
    for field in ("url", "uri"):
        value = status.get(field)
        url = absolute_http_url(value) if isinstance(value, str) else None
        if url is not None:
            try:
                return check_http_url(url)
            except ValueError:
                continue
    return None


def snowflake_ms(status: Mapping[str, Any]) -> int | None:
    """Return the milliseconds a Mastodon id encodes, if it does (``id >> 16``)."""
    status_id = status.get("id")
    created = utc_datetime(status.get("created_at"))
    if not isinstance(status_id, str) or not status_id.isdigit() or created is None:
        return None
    millis = int(status_id) >> 16
    # Other servers' ids (GoToSocial's ULIDs, Pleroma's flakes) do not read as times.
    if abs(millis - created.timestamp() * 1000) > _ONE_DAY_MS:
        return None
    return millis


def first_id_after(day: dt.date) -> str:
    """Return the smallest snowflake id of the day after ``day``: a ``max_id`` to jump to."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return str(int(end.timestamp() * 1000) << 16)


def original_status(status: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return the status a boost stands for, or the status itself if it is no boost."""
    reblog = status.get("reblog")
    return reblog if isinstance(reblog, Mapping) else status


def mastodon_handle(account: Mapping[str, Any], *, instance_host: str) -> str | None:
    """Return ``@user@host``: ``acct`` names remote users in full, local ones without host."""
    acct = text_field(account.get("acct")) or text_field(account.get("username"))
    if acct is None:
        return None
    acct = acct.removeprefix("@")
    return f"@{acct}" if "@" in acct else f"@{acct}@{instance_host}"


def mastodon_text_html(status: Mapping[str, Any]) -> str | None:
    """Return the status's text as card HTML, its content warning first."""
    content = status.get("content")
    parts = []
    spoiler = text_field(status.get("spoiler_text"))
    if spoiler:
        parts.append(f"<p><strong>{escape(spoiler)}</strong></p>")
    if isinstance(content, str) and content.strip():
        parts.append(content)
    html = sanitize_post_text("".join(parts)) if parts else ""
    return html or None


def status_plain_text(status: Mapping[str, Any]) -> str:
    """Return the visible text of a status, one line per paragraph or line break."""
    content = status.get("content")
    if not isinstance(content, str):
        return ""
    soup = BeautifulSoup(content, "html.parser")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for paragraph in soup.find_all("p"):
        paragraph.append("\n")
    return soup.get_text()


def _first_picture(status: Mapping[str, Any]) -> MediaAsset | None:
    if status.get("sensitive") is True:
        return None  # a card shows pictures without the platform's click-to-reveal
    attachments = status.get("media_attachments")
    for attachment in attachments if isinstance(attachments, list) else []:
        media = mapping_field(attachment)
        meta = mapping_field(media.get("meta"))
        if media.get("type") == "image":
            original = mapping_field(meta.get("original"))
            asset = media_asset(media.get("url"), original.get("width"), original.get("height"))
        elif media.get("type") in ("gifv", "video"):
            small = mapping_field(meta.get("small"))
            asset = media_asset(media.get("preview_url"), small.get("width"), small.get("height"))
        else:
            continue
        if asset is not None:
            return asset
    return None


def mastodon_card(status: Mapping[str, Any], *, url: str, handle: str | None) -> Card:
    """Return the card of a public Mastodon status (the original, never a boost)."""
    account = mapping_field(status.get("account"))
    host = host_of(url)
    return Card(
        kind=CardKind.POST,
        url=url,
        text_html=mastodon_text_html(status),
        author_name=text_field(account.get("display_name")) or text_field(account.get("username")),
        author_handle=handle,
        author_url=absolute_http_url(account["url"])
        if isinstance(account.get("url"), str)
        else None,
        avatar=media_asset(account.get("avatar_static") or account.get("avatar")),
        published=utc_datetime(status.get("created_at")),
        provider_name=MASTODON,
        provider_url=f"https://{host}/" if host else None,
        image=_first_picture(status),
    )


def mastodon_snapshot(
    status: Mapping[str, Any], *, url: str, handle: str | None, endpoint: str
) -> Snapshot:
    """Build the snapshot of a public Mastodon status (the original, never a boost)."""
    card = mastodon_card(status, url=url, handle=handle)
    return api_snapshot(url, card, raw=status, provider=MASTODON, endpoint=endpoint)


def status_snapshot(status: Mapping[str, Any], *, endpoint: str) -> Snapshot | None:
    """Build the snapshot of one status as ``endpoint`` answered it; a boost gives its original.

    Returns None for a status with no page to link to. The handle of a local author
    gets the host of the instance that answered.
    """
    original = original_status(status)
    url = status_web_url(original)
    if url is None:
        return None
    handle = mastodon_handle(
        mapping_field(original.get("account")), instance_host=host_of(endpoint)
    )
    return mastodon_snapshot(original, url=url, handle=handle, endpoint=endpoint)
