"""The pictures and players a card takes from untrusted data (plain values: ``loose``).

Each helper returns None for anything it cannot use, so a card builder reads a
provider's fields without checking their types itself.
"""

from __future__ import annotations

from bs4 import BeautifulSoup
from bs4.element import Tag

from storyboard import loose
from storyboard.extract.sanitize import allowed_player_url
from storyboard.model.card import MediaAsset


def media_asset(url: object, width: object = None, height: object = None) -> MediaAsset | None:
    """Return the picture at ``url`` with its size, if ``url`` is an http(s) URL."""
    absolute = loose.http_url(url)
    if absolute is None:
        return None
    width, height = loose.count(width, positive=True), loose.count(height, positive=True)
    return MediaAsset(url=absolute, width=width, height=height)


def first_image(soup: BeautifulSoup | None) -> MediaAsset | None:
    """Return the first ``<img>`` of the markup with a usable source."""
    if soup is None:
        return None
    for image in soup.find_all("img"):
        if isinstance(image, Tag):
            asset = media_asset(image.get("src"), image.get("width"), image.get("height"))
            if asset is not None:
                return asset
    return None


def player_url(soup: BeautifulSoup | None, iframe_hosts: frozenset[str]) -> str | None:
    """Return the markup's first iframe address if its host may serve a player."""
    if soup is None:
        return None
    frame = soup.find("iframe")
    if not isinstance(frame, Tag):
        return None
    src = frame.get("src")
    return allowed_player_url(src, iframe_hosts=iframe_hosts) if isinstance(src, str) else None
