"""How the published story presents itself to other sites: link previews and oEmbed.

With ``--base-url`` (where the page will be published) the page gets a canonical link,
OpenGraph ``og:url``/``og:image``, JSON-LD (an ``Article`` whose parts are the items, as
``SocialMediaPosting`` or ``VideoObject``), and an oEmbed discovery link to ``oembed.json``,
whose ``rich`` answer is an iframe of the ``embed/`` page. That is what WordPress (any role)
and storyboard itself need to embed the story from its URL alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

from markupsafe import Markup, escape

from storyboard import __version__
from storyboard.model.card import CardKind
from storyboard.model.story import Story
from storyboard.render.safe import json_for_script
from storyboard.render.views import CardView, ItemView, SharingView, StoryView

#: Folder (beside the page) of the page made to live in another site's iframe.
EMBED_FOLDER = "embed"
OEMBED_FILE = "oembed.json"
#: The iframe's size before the embed page reports its real height (wp-embed.js messages).
EMBED_WIDTH = 600
EMBED_HEIGHT = 800
#: Cards the embed page shows before its link to the whole story: about what fits in the
#: 1000 px that wp-embed.js allows a frame.
EMBED_CARDS = 2


def embed_items(items: Sequence[ItemView]) -> tuple[ItemView, ...]:
    """Return the story's items up to its ``EMBED_CARDS``-th card (headings and text too)."""
    cards = 0
    for index, item in enumerate(items):
        if isinstance(item, CardView):
            cards += 1
            if cards == EMBED_CARDS:
                return tuple(items[: index + 1])
    return tuple(items)


def absolute_image_url(page_url: str, src: str | None) -> str | None:
    """Return ``src`` (relative to the page) as an absolute http(s) URL, or None."""
    if not src or src.startswith("data:"):
        return None
    url = urljoin(page_url, src)
    return url if urlsplit(url).scheme in ("http", "https") else None


def first_picture(view: StoryView) -> str | None:
    """Return the ``src`` of the story's first card picture that has an address."""
    for card in view.cards:
        if card.image is not None and card.image.src:
            return card.image.src
    return None


def sharing_view(story: Story, view: StoryView, page_url: str) -> SharingView:
    """Return the sharing data of ``view`` published at ``page_url`` (ending in ``/``)."""
    image = absolute_image_url(page_url, story.image or first_picture(view))
    return SharingView(
        page_url=page_url,
        embed_url=urljoin(page_url, f"{EMBED_FOLDER}/"),
        oembed_url=urljoin(page_url, OEMBED_FILE),
        image_url=image,
        json_ld=json_for_script(article_data(view, page_url, image)),
    )


def _plain(html: Markup | None) -> str | None:
    if html is None:
        return None
    from bs4 import BeautifulSoup  # noqa: PLC0415 (only with --base-url: an offline render skips it)

    return BeautifulSoup(str(html), "html.parser").get_text(" ", strip=True) or None


def _person(name: str | None, url: str | None) -> dict[str, Any] | None:
    if not name:
        return None
    person: dict[str, Any] = {"@type": "Person", "name": name}
    if url:
        person["url"] = url
    return person


def item_data(card: CardView, page_url: str) -> dict[str, Any]:
    """Return one item as schema.org data: a video, or a post (anything else people shared)."""
    video = card.card_kind == CardKind.VIDEO.value
    data: dict[str, Any] = {"@type": "VideoObject" if video else "SocialMediaPosting"}
    data["url"] = card.url
    if video:
        data["name"] = card.title or card.url
        if card.description:
            data["description"] = card.description
        thumbnail = absolute_image_url(page_url, card.image.src if card.image else None)
        if thumbnail:
            data["thumbnailUrl"] = thumbnail
        if card.published:
            data["uploadDate"] = card.published.isoformat()
    else:
        if card.title:
            data["headline"] = card.title
        body = _plain(card.text_html) or card.description
        if body:
            data["articleBody"] = body
        if card.published:
            data["datePublished"] = card.published.isoformat()
    author = _person(card.author_name or card.author_handle, card.author_url)
    if author:
        data["author"] = author
    if card.provider_name:
        data["publisher"] = {"@type": "Organization", "name": card.provider_name}
    return data


def article_data(view: StoryView, page_url: str, image: str | None) -> dict[str, Any]:
    """Return the story as a schema.org ``Article`` whose parts are its items."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": view.title,
        "url": page_url,
        "mainEntityOfPage": page_url,
        "inLanguage": view.lang,
    }
    if view.description:
        data["description"] = view.description
    if view.author:
        data["author"] = {"@type": "Person", "name": view.author}
    if view.date:
        data["datePublished"] = view.date.isoformat()
    if image:
        data["image"] = image
    if view.tags:
        data["keywords"] = list(view.tags)
    data["hasPart"] = [item_data(card, page_url) for card in view.cards if card.resolved]
    return data


def oembed_document(view: StoryView, sharing: SharingView) -> dict[str, Any]:
    """Return the ``rich`` oEmbed answer for the story: an iframe of its embed page.

    WordPress keeps only the iframe of an answer from a site it does not know (it adds
    ``sandbox="allow-scripts"`` and a secret), and sizes it from the embed page's
    height messages; the blockquote is what it shows until then, and what readers
    without frames get.
    """
    title = escape(view.title)
    html = (
        f'<blockquote class="wp-embedded-content"><a href="{escape(sharing.page_url)}">'
        f"{title}</a></blockquote>"
        f'<iframe class="wp-embedded-content" sandbox="allow-scripts" security="restricted"'
        f' src="{escape(sharing.embed_url)}" width="{EMBED_WIDTH}" height="{EMBED_HEIGHT}"'
        f' title="{title}" frameborder="0" marginwidth="0" marginheight="0"'
        ' scrolling="no"></iframe>'
    )
    document: dict[str, Any] = {
        "version": "1.0",
        "type": "rich",
        "title": view.title,
        "provider_name": urlsplit(sharing.page_url).hostname or "",
        "provider_url": urljoin(sharing.page_url, "/"),
        "html": html,
        "width": EMBED_WIDTH,
        "height": EMBED_HEIGHT,
        "generator": f"storyboard {__version__}",
    }
    if view.author:
        document["author_name"] = view.author
    if sharing.image_url:
        document["thumbnail_url"] = sharing.image_url
    return document
