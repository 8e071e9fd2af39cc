"""oEmbed discovery: the endpoints a page names in its ``<link>`` tags or ``Link`` header.

A page names its own oEmbed answer with
``<link rel="alternate" type="application/json+oembed" href="...">`` (or
``text/xml+oembed``), or with the same link in an HTTP ``Link:`` header. This is how
every Mastodon server, and many sites missing from the registry, are resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from bs4.builder import ParserRejectedMarkup

from storyboard.extract.link_header import parse_link_header

OEMBED_TYPES: dict[str, Literal["json", "xml"]] = {
    "application/json+oembed": "json",
    "text/xml+oembed": "xml",
    # Seen on a few servers; the spec's names above are what nearly everyone sends.
    "application/xml+oembed": "xml",
}


@dataclass(frozen=True)
class DiscoveredEndpoint:
    """An oEmbed endpoint URL a page names, with the format it answers in."""

    url: str
    fmt: Literal["json", "xml"]


def parse_html(html: str) -> BeautifulSoup:
    """Parse a page with the standard library's parser; markup it rejects yields an empty page."""
    try:
        return BeautifulSoup(html, "html.parser")
    except ParserRejectedMarkup:
        return BeautifulSoup("", "html.parser")


def document_base(soup: BeautifulSoup, base_url: str) -> str:
    """Return the URL relative links resolve against: ``<base href>`` if any, else ``base_url``."""
    base = soup.find("base", href=True)
    if base is not None:
        href = base.get("href")
        if isinstance(href, str) and href.strip():
            resolved = urljoin(base_url, href.strip())
            if urlsplit(resolved).scheme in ("http", "https"):
                return resolved
    return base_url


def find_oembed_links(
    html: str, *, base_url: str, link_header: str | None = None
) -> list[DiscoveredEndpoint]:
    """Return the oEmbed endpoints a page names, JSON ones first, each URL once.

    Links from the ``Link`` header come before those in the markup; relative URLs are
    resolved (header links against ``base_url``, markup links against the document's
    base), and only http(s) URLs are kept.
    """
    found: list[DiscoveredEndpoint] = []
    if link_header:
        for target, params in parse_link_header(link_header):
            fmt = _oembed_format(params.get("rel", ""), params.get("type", ""))
            if fmt is not None:
                found.append(DiscoveredEndpoint(urljoin(base_url, target), fmt))
    soup = parse_html(html)
    base = document_base(soup, base_url)
    for link in soup.find_all("link", href=True):
        rel = link.get("rel")
        rel_text = " ".join(rel) if isinstance(rel, list) else str(rel or "")
        fmt = _oembed_format(rel_text, str(link.get("type") or ""))
        href = link.get("href")
        if fmt is not None and isinstance(href, str) and href.strip():
            found.append(DiscoveredEndpoint(urljoin(base, href.strip()), fmt))
    unique: dict[str, DiscoveredEndpoint] = {}
    for endpoint in found:
        if urlsplit(endpoint.url).scheme in ("http", "https") and endpoint.url not in unique:
            unique[endpoint.url] = endpoint
    # sorted() is stable: document order is kept within each format.
    return sorted(unique.values(), key=lambda e: e.fmt != "json")


def _oembed_format(rel: str, mime: str) -> Literal["json", "xml"] | None:
    if "alternate" not in rel.lower().split():
        return None
    return OEMBED_TYPES.get(mime.split(";", 1)[0].strip().lower())
