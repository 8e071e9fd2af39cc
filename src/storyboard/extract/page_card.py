"""The link card of a URL from its page's OpenGraph, Twitter and HTML metadata."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storyboard import loose
from storyboard.extract.card_values import media_asset
from storyboard.model.card import Card, CardKind

if TYPE_CHECKING:
    from storyboard.extract.page_metadata import PageMetadata


def card_from_page_metadata(meta: PageMetadata, *, url: str) -> Card:
    """Build a link card of ``url`` from its page's OpenGraph/Twitter/HTML metadata."""
    return Card(
        kind=CardKind.LINK,
        url=url,
        title=loose.one_line(meta.title),
        description=loose.one_line(meta.description),
        author_name=loose.one_line(meta.author),
        author_url=meta.author_url,
        published=meta.published,
        provider_name=loose.one_line(meta.site_name),
        image=media_asset(meta.image, meta.image_width, meta.image_height),
    )
