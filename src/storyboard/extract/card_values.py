"""The plain values a card takes from untrusted data: one-line text, sizes, pictures, players.

Each helper returns None for anything it cannot use, so a card builder reads a
provider's fields without checking their types itself.
"""

from __future__ import annotations

from bs4 import BeautifulSoup
from bs4.element import Tag

from storyboard.extract.sanitize import allowed_player_url
from storyboard.model.card import MediaAsset
from storyboard.urls import absolute_http_url


def one_line(value: object) -> str | None:
    """Return a string with its whitespace collapsed, or None if it is empty or no string."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def positive_int(value: object) -> int | None:
    """Return a positive whole number from an int or a digit string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
        return number if number > 0 else None
    return None


def http_url(value: object) -> str | None:
    """Return an absolute http(s) URL, else None."""
    return absolute_http_url(value) if isinstance(value, str) else None


def media_asset(url: object, width: object = None, height: object = None) -> MediaAsset | None:
    """Return the picture at ``url`` with its size, if ``url`` is an http(s) URL."""
    absolute = http_url(url)
    if absolute is None:
        return None
    return MediaAsset(url=absolute, width=positive_int(width), height=positive_int(height))


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
