"""The static card of a URL from its oEmbed answer, built at fetch time."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bs4 import BeautifulSoup
from bs4.element import Tag

from storyboard import loose
from storyboard.extract.card_values import first_image, media_asset, player_url
from storyboard.extract.dates import parse_timestamp
from storyboard.extract.handles import handle_from_author_url, split_name_and_handle
from storyboard.extract.post_text import PostParts, find_post_blockquote, parse_html, parse_post
from storyboard.model.card import Card, CardKind, MediaAsset

if TYPE_CHECKING:
    from storyboard.extract.oembed import OEmbed
    from storyboard.providers import Provider


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


def _published(oembed: OEmbed) -> dt.date | dt.datetime | None:
    """Return the first date among the fields providers add beyond the spec."""
    for value in oembed.dates():
        published = parse_timestamp(value)
        if published is not None:
            return published
    return None


def _image(oembed: OEmbed, kind: CardKind, soup: BeautifulSoup | None) -> MediaAsset | None:
    image: MediaAsset | None = None
    if kind is CardKind.PHOTO:
        image = media_asset(oembed.url, oembed.width, oembed.height) or first_image(soup)
    return image or media_asset(
        oembed.thumbnail_url, oembed.thumbnail_width, oembed.thumbnail_height
    )


def card_from_oembed(
    oembed: OEmbed, *, url: str, provider: Provider | None, iframe_hosts: frozenset[str]
) -> Card:
    """Build the static card of ``url`` from its oEmbed answer."""
    soup = parse_html(oembed.html)
    quote = find_post_blockquote(soup) if soup is not None else None
    kind = _kind(str(oembed.type), quote, soup)
    post = parse_post(quote, soup) if quote is not None and soup is not None else PostParts()

    author_name, author_handle = None, None
    raw_author = loose.one_line(oembed.author_name)
    if raw_author:
        author_name, author_handle = split_name_and_handle(raw_author)
        if author_handle is None:
            author_name = raw_author
    author_url = loose.http_url(oembed.author_url)

    player = None
    if kind in (CardKind.VIDEO, CardKind.RICH, CardKind.POST):
        player = player_url(soup, iframe_hosts)

    return Card(
        kind=kind,
        url=url,
        title=loose.one_line(oembed.title),
        text_html=post.text_html,
        description=loose.one_line(oembed.description),
        author_name=post.author_name or author_name,
        author_handle=(post.author_handle or author_handle or handle_from_author_url(author_url)),
        author_url=author_url,
        published=post.published or _published(oembed),
        provider_name=loose.one_line(oembed.provider_name) or (provider.name if provider else None),
        provider_url=loose.http_url(oembed.provider_url) or (provider.url if provider else None),
        image=_image(oembed, kind, soup),
        player_url=player,
        width=loose.count(oembed.width, positive=True),
        height=loose.count(oembed.height, positive=True),
    )
