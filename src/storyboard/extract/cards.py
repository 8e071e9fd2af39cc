"""Extract a static card from an oEmbed answer or a page's metadata, at fetch time.

Social posts (X/Twitter, Bluesky, Mastodon, TikTok, Threads, Instagram) answer with a
``<blockquote>`` that a provider script later turns into an iframe; the post's text,
author and date are inside it, and that is what a static card shows. Everything here
is defensive: odd or hostile HTML yields fewer fields, never an exception.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

from storyboard import loose
from storyboard.extract.sanitize import (
    POST_BLOCKQUOTE_CLASSES as POST_CLASSES,
)
from storyboard.extract.sanitize import (
    allowed_player_url,
    sanitize_post_text,
)
from storyboard.model.card import Card, CardKind, MediaAsset
from storyboard.urls import absolute_http_url

if TYPE_CHECKING:
    from storyboard.extract.oembed import OEmbed
    from storyboard.extract.page_metadata import PageMetadata
    from storyboard.providers import Provider

_BLUESKY_CLASS = "bluesky-embed"

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\.?\s+([A-Za-z]+)\.?,?\s+(\d{4})\b")
_ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}")

_NAME_AND_HANDLE = re.compile(r"^(?P<name>.*?)\s*\(\s*(?P<handle>@[^\s()]+)\s*\)")
_HANDLE_ONLY = re.compile(r"^(?P<handle>@[^\s()]+)")
_MASTODON_POST_BY = re.compile(r"(@[\w.-]+@[\w.-]+\.[A-Za-z]{2,})")
_DASHES = "\u2014\u2013-"
_X_STATUS = re.compile(r"/status(?:es)?/(\d{6,20})")
_X_HOSTS = frozenset({"twitter.com", "x.com", "mobile.twitter.com", "mobile.x.com"})
#: Twitter's snowflake IDs carry their creation time: milliseconds since this epoch.
_SNOWFLAKE_EPOCH_MS = 1288834974657
_SNOWFLAKE_MIN_ID = 1 << 32  # smaller ids predate snowflakes (2010) and carry no time

#: Hosts where ``/@name`` is a local account, not a fediverse ``@name@host`` one.
_CENTRAL_AT_HOSTS = frozenset(
    {"youtube.com", "tiktok.com", "threads.net", "threads.com", "medium.com", "vimeo.com"}
)
_SIMPLE_PROFILE_HOSTS = frozenset({"twitter.com", "x.com", "instagram.com"})
_RESERVED_PROFILE_PATHS = frozenset(
    {
        "i",
        "intent",
        "home",
        "share",
        "search",
        "hashtag",
        "p",
        "reel",
        "reels",
        "explore",
        "tv",
        "stories",
    }
)
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9_.]{1,50}$")
_PERMALINK_ATTRIBUTES = ("data-text-post-permalink", "cite")
_INSTAGRAM_CREDIT = re.compile(r"^\s*A post shared by\b", re.IGNORECASE)


@dataclass(frozen=True)
class PostParts:
    """What a post blockquote tells: its text and the attribution line."""

    text_html: str | None = None
    author_name: str | None = None
    author_handle: str | None = None
    published: dt.date | dt.datetime | None = None


# -- dates --------------------------------------------------------------------------


def parse_post_date(text: str) -> dt.date | dt.datetime | None:
    """Read a post's date: ISO 8601, "January 13, 2017" or "13 Jan 2017" (with any time).

    A time with a zone gives a UTC datetime; a time without one (the reader's local
    time when the snippet was made) is not trusted and gives only the date.
    """
    value = " ".join(text.split())
    if not value:
        return None
    if _ISO_START.match(value):
        return _parse_iso(value)
    match = _MONTH_DAY_YEAR.match(value)
    if match:
        return _date(match.group(3), match.group(1), match.group(2))
    match = _DAY_MONTH_YEAR.match(value)
    if match:
        return _date(match.group(3), match.group(2), match.group(1))
    return None


def _parse_iso(value: str) -> dt.date | dt.datetime | None:
    return loose.moment(value, naive="date")


def _date(year: str, month_name: str, day: str) -> dt.date | None:
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return None
    try:
        return dt.date(int(year), month, int(day))
    except ValueError:
        return None


def _snowflake_date(status_url: str) -> dt.date | None:
    """Return the UTC date an X/Twitter status was created, read from its id."""
    try:
        parts = urlsplit(status_url)
    except ValueError:
        return None
    if (parts.hostname or "").lower().removeprefix("www.") not in _X_HOSTS:
        return None
    match = _X_STATUS.search(parts.path)
    if match is None or int(match.group(1)) < _SNOWFLAKE_MIN_ID:
        return None
    millis = (int(match.group(1)) >> 22) + _SNOWFLAKE_EPOCH_MS
    return dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC).date()


# -- handles ------------------------------------------------------------------------


def _clean_handle(value: str) -> str | None:
    handle = value.strip().rstrip(".,:;)")
    if not handle.startswith("@"):
        handle = "@" + handle
    return handle if len(handle) > 1 and " " not in handle else None


def handle_from_author_url(url: str | None) -> str | None:
    """Derive ``@name`` (or ``@name@host`` on the fediverse) from a profile URL."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return None
    hostname = (parts.hostname or "").lower()
    host = hostname.removeprefix("www.").removeprefix("m.").removeprefix("mobile.")
    segments = [s for s in parts.path.split("/") if s]
    if not host or not segments:
        return None
    if host in _SIMPLE_PROFILE_HOSTS:
        return _simple_profile_handle(segments[0])
    if host == "bsky.app":
        return _bluesky_profile_handle(segments)
    return _at_path_handle(segments[0], host=host, hostname=hostname)


def _simple_profile_handle(name: str) -> str | None:
    """Return ``@name`` for ``twitter.com/name``, unless the path is not a profile."""
    if name.lower() in _RESERVED_PROFILE_PATHS or not _PROFILE_NAME.match(name):
        return None
    return "@" + name


def _at_path_handle(first: str, *, host: str, hostname: str) -> str | None:
    """Return the handle of a ``/@name`` profile path: ``@name@host`` on the fediverse."""
    if not first.startswith("@") or len(first) == 1:
        return None
    user = first[1:]
    if "@" in user or host in _CENTRAL_AT_HOSTS:
        return _clean_handle(user)
    return _clean_handle(f"{user}@{hostname}")


def _bluesky_profile_handle(segments: list[str]) -> str | None:
    """Return the handle of ``bsky.app/profile/HANDLE`` (a DID is no handle)."""
    if len(segments) > 1 and segments[0] == "profile" and not segments[1].startswith("did:"):
        return _clean_handle(segments[1])
    return None


def _split_name_and_handle(value: str, *, prefix: bool = False) -> tuple[str | None, str | None]:
    """Split "Name (@handle)" or "@handle" into its parts; any other text is a name.

    With ``prefix``, the parts may be followed by more text (the attribution line's date).
    """
    text = " ".join(value.split())
    match = _NAME_AND_HANDLE.match(text)
    if match:
        return (match.group("name").strip() or None, _clean_handle(match.group("handle")))
    match = _HANDLE_ONLY.match(text)
    if match and (prefix or match.group("handle") == text):
        return None, _clean_handle(match.group("handle"))
    return (text or None), None


# -- the post blockquote ------------------------------------------------------------


def _parse_html(html: str | None) -> BeautifulSoup | None:
    if not html or not html.strip():
        return None
    try:
        return BeautifulSoup(html, "html.parser")
    except Exception:  # markup from a third party must never stop a fetch
        return None


def _classes(tag: Tag) -> set[str]:
    value = tag.get("class")
    if isinstance(value, str):
        return set(value.split())
    return set(value or ())


def find_post_blockquote(soup: BeautifulSoup) -> Tag | None:
    """Return the outermost blockquote that holds a social post, if the HTML has one."""
    for quote in soup.find_all("blockquote"):
        if not isinstance(quote, Tag) or quote.find_parent("blockquote") is not None:
            continue
        if _classes(quote) & POST_CLASSES or quote.has_attr("data-bluesky-uri"):
            return quote
        if any(p.get_text(strip=True) for p in quote.find_all("p")):
            return quote
    return None


def _newlines_to_breaks(paragraph: Tag, soup: BeautifulSoup) -> None:
    # Bluesky puts the post's plain text, newlines and all, in one <p>.
    for node in list(paragraph.find_all(string=True)):
        if not isinstance(node, NavigableString) or "\n" not in node:
            continue
        pieces = str(node).split("\n")
        replacement: list[NavigableString | Tag] = []
        for index, piece in enumerate(pieces):
            if index:
                replacement.append(soup.new_tag("br"))
            if piece:
                replacement.append(NavigableString(piece))
        node.replace_with(*replacement)


def _text_html(paragraphs: list[Tag]) -> str | None:
    html = sanitize_post_text("".join(str(p) for p in paragraphs))
    if not html or not BeautifulSoup(html, "html.parser").get_text(strip=True):
        return None
    return html


def _tail_after_text(quote: Tag) -> list[Any]:
    """Return the blockquote's children after its last paragraph: the attribution line."""
    children = list(quote.children)
    last_paragraph = max(
        (i for i, child in enumerate(children) if isinstance(child, Tag) and child.name == "p"),
        default=-1,
    )
    return children[last_paragraph + 1 :] if last_paragraph >= 0 else []


def _attribution(tail: list[Any]) -> PostParts:
    """Read "— Name (@handle) <a href=status>date</a>" (X, Bluesky and the like)."""
    text = " ".join(
        (child.get_text(" ") if isinstance(child, Tag) else str(child)) for child in tail
    )
    text = " ".join(text.split()).lstrip(_DASHES + " ")
    if not text:
        return PostParts()
    links = [child for child in tail if isinstance(child, Tag) and child.name == "a"]
    published: dt.date | dt.datetime | None = None
    if links:
        last = links[-1]
        published = parse_post_date(last.get_text(" "))
        href = last.get("href")
        if published is None and isinstance(href, str):
            published = _snowflake_date(href)
    name, handle = _split_name_and_handle(text, prefix=True)
    if handle is None:
        name = None  # not an attribution line: do not take arbitrary text for a name
    return PostParts(author_name=name, author_handle=handle, published=published)


def _first_time(quote: Tag) -> dt.date | dt.datetime | None:
    stamp = quote.find("time")
    if isinstance(stamp, Tag):
        value = stamp.get("datetime")
        if isinstance(value, str):
            return parse_post_date(value)
    return None


def parse_post(quote: Tag, soup: BeautifulSoup) -> PostParts:
    """Extract text, author and date from a post blockquote."""
    classes = _classes(quote)
    paragraphs: list[Tag] = []
    name: str | None = None
    handle: str | None = None
    for paragraph in quote.find_all("p"):
        if not isinstance(paragraph, Tag):
            continue
        text = paragraph.get_text(" ")
        if _INSTAGRAM_CREDIT.match(text):
            # Instagram's credit line, not the caption: "A post shared by Name (@handle)".
            name, handle = _split_name_and_handle(_INSTAGRAM_CREDIT.sub("", text))
            continue
        paragraphs.append(paragraph)
    if _BLUESKY_CLASS in classes or quote.has_attr("data-bluesky-uri"):
        for paragraph in paragraphs:
            _newlines_to_breaks(paragraph, soup)
    attribution = _attribution(_tail_after_text(quote))
    name = attribution.author_name or name
    handle = attribution.author_handle or handle
    if handle is None and "mastodon-embed" in classes:
        match = _MASTODON_POST_BY.search(quote.get_text(" "))
        handle = match.group(1) if match else None
    if handle is None and "tiktok-embed" in classes:
        for link in quote.find_all("a"):
            title = link.get("title") if isinstance(link, Tag) else None
            if isinstance(title, str) and title.startswith("@"):
                handle = _clean_handle(title)
                break
    for attribute in _PERMALINK_ATTRIBUTES:
        permalink = quote.get(attribute)
        if handle is None and isinstance(permalink, str):
            # Threads and TikTok name the account in the post's own URL: /@name/post/ID.
            handle = handle_from_author_url(permalink)
    return PostParts(
        text_html=_text_html(paragraphs),
        author_name=name,
        author_handle=handle,
        published=attribution.published or _first_time(quote),
    )


# -- media and players --------------------------------------------------------------


def _int(value: object) -> int | None:
    return loose.count(value, positive=True)


def _asset(url: object, width: object = None, height: object = None) -> MediaAsset | None:
    if not isinstance(url, str):
        return None
    absolute = absolute_http_url(url)
    if absolute is None:
        return None
    return MediaAsset(url=absolute, width=_int(width), height=_int(height))


def _first_image(soup: BeautifulSoup | None) -> MediaAsset | None:
    if soup is None:
        return None
    for image in soup.find_all("img"):
        if isinstance(image, Tag):
            asset = _asset(image.get("src"), image.get("width"), image.get("height"))
            if asset is not None:
                return asset
    return None


def _player_url(soup: BeautifulSoup | None, iframe_hosts: frozenset[str]) -> str | None:
    if soup is None:
        return None
    frame = soup.find("iframe")
    if not isinstance(frame, Tag):
        return None
    src = frame.get("src")
    return allowed_player_url(src, iframe_hosts=iframe_hosts) if isinstance(src, str) else None


# -- cards --------------------------------------------------------------------------


def _field(oembed: OEmbed, name: str) -> Any:
    """Read a field of the model, or an extra one the provider sent (Vimeo's upload_date)."""
    value = getattr(oembed, name, None)
    if value is None:
        extra = getattr(oembed, "model_extra", None) or {}
        value = extra.get(name)
    return value


def _text(value: object) -> str | None:
    return loose.one_line(value)


def _kind(oembed_type: str, post: Tag | None, soup: BeautifulSoup | None) -> CardKind:
    if oembed_type == "photo":
        return CardKind.PHOTO
    if oembed_type == "video":
        return CardKind.VIDEO
    if oembed_type == "rich":
        if post is not None:
            return CardKind.POST
        # Flickr answers "rich" for a photo page: a linked <img> and a script, no player.
        if soup is not None and soup.find("iframe") is None and soup.find("img") is not None:
            return CardKind.PHOTO
        return CardKind.RICH
    return CardKind.LINK


def card_from_oembed(
    oembed: OEmbed, *, url: str, provider: Provider | None, iframe_hosts: frozenset[str]
) -> Card:
    """Build the static card of ``url`` from its oEmbed answer."""
    soup = _parse_html(_field(oembed, "html"))
    quote = find_post_blockquote(soup) if soup is not None else None
    kind = _kind(str(oembed.type), quote, soup)
    post = parse_post(quote, soup) if quote is not None and soup is not None else PostParts()

    author_name, author_handle = None, None
    raw_author = _text(_field(oembed, "author_name"))
    if raw_author:
        author_name, author_handle = _split_name_and_handle(raw_author)
        if author_handle is None:
            author_name = raw_author
    author_url = _http(_field(oembed, "author_url"))

    image: MediaAsset | None = None
    if kind is CardKind.PHOTO:
        image = _asset(
            _field(oembed, "url"), _field(oembed, "width"), _field(oembed, "height")
        ) or _first_image(soup)
    image = image or _asset(
        _field(oembed, "thumbnail_url"),
        _field(oembed, "thumbnail_width"),
        _field(oembed, "thumbnail_height"),
    )

    player = None
    if kind in (CardKind.VIDEO, CardKind.RICH, CardKind.POST):
        player = _player_url(soup, iframe_hosts)

    published = post.published
    if published is None:
        for name in ("upload_date", "published", "date"):
            value = _field(oembed, name)
            if isinstance(value, str) and (published := parse_post_date(value)):
                break

    return Card(
        kind=kind,
        url=url,
        title=_text(_field(oembed, "title")),
        text_html=post.text_html,
        description=_text(_field(oembed, "description")),
        author_name=post.author_name or author_name,
        author_handle=(post.author_handle or author_handle or handle_from_author_url(author_url)),
        author_url=author_url,
        published=published,
        provider_name=_text(_field(oembed, "provider_name"))
        or (provider.name if provider else None),
        provider_url=_http(_field(oembed, "provider_url")) or (provider.url if provider else None),
        image=image,
        player_url=player,
        width=_int(_field(oembed, "width")),
        height=_int(_field(oembed, "height")),
    )


def _http(value: object) -> str | None:
    return loose.http_url(value)


def card_from_page_metadata(meta: PageMetadata, *, url: str) -> Card:
    """Build a link card of ``url`` from its page's OpenGraph/Twitter/HTML metadata."""
    published = meta.published
    return Card(
        kind=CardKind.LINK,
        url=url,
        title=_text(meta.title),
        description=_text(meta.description),
        author_name=_text(meta.author),
        published=published,
        provider_name=_text(meta.site_name),
        image=_asset(meta.image, meta.image_width, meta.image_height),
    )
