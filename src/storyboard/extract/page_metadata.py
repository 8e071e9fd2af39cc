"""Page metadata: what any web page says about itself, for a link card when oEmbed has nothing.

Sources, in order of precedence for every field: OpenGraph (``og:*``, ``article:*``),
Twitter Card (``twitter:*``), JSON-LD (schema.org), then the generic markup
(``<title>``, ``<meta name="description">``, ``<link rel="icon">``). Pages are
untrusted and often broken: an invalid or empty value is skipped in favour of the
next source, never fatal. Relative URLs are resolved; only http(s) URLs are kept.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag
from pydantic import BaseModel, ConfigDict

from storyboard import loose
from storyboard.extract.discovery import document_base, parse_html

#: schema.org types that describe the site or its furniture, not the page's content.
_AUXILIARY_TYPES = frozenset(
    {
        "BreadcrumbList",
        "Corporation",
        "EntryPoint",
        "ImageObject",
        "ListItem",
        "NewsMediaOrganization",
        "Organization",
        "Person",
        "ReadAction",
        "SearchAction",
        "SiteNavigationElement",
        "WPFooter",
        "WPHeader",
        "WPSideBar",
    }
)
_ARTICLE_TYPES = frozenset(
    {
        "Article",
        "BlogPosting",
        "DiscussionForumPosting",
        "LiveBlogPosting",
        "NewsArticle",
        "Report",
        "ScholarlyArticle",
        "SocialMediaPosting",
        "TechArticle",
    }
)
#: JSON-LD types mapped to the OpenGraph type vocabulary.
_OG_TYPE_OF = {"VideoObject": "video.other", "WebPage": "website", "WebSite": "website"}
_MAX_JSON_LD_DEPTH = 4
T = TypeVar("T")
#: Resolves a URL found in the page against its base; None unless http(s).
Resolve = Callable[[str | None], str | None]
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")


class PageMetadata(BaseModel):
    """What a page says about itself: enough for a link card."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    title: str | None = None
    description: str | None = None
    image: str | None = None
    image_width: int | None = None
    image_height: int | None = None
    site_name: str | None = None
    #: The OpenGraph type (``article``, ``website``, ``video.other``...).
    type: str | None = None
    author: str | None = None
    #: The author's page: ``article:author`` when it is a URL, else JSON-LD's ``author.url``.
    author_url: str | None = None
    published: dt.datetime | dt.date | None = None
    favicon: str | None = None


@dataclass
class _Image:
    url: str | None = None
    width: int | None = None
    height: int | None = None


def extract_page_metadata(html: str, *, base_url: str) -> PageMetadata:
    """Read the metadata of a page fetched from ``base_url``."""
    soup = parse_html(html)
    base = document_base(soup, base_url)
    meta = _MetaTags(soup)
    ld = _JsonLd(soup)

    def url(value: str | None) -> str | None:
        return _absolute(base, value)

    image = _first_image(
        _og_images(meta.pairs, url),
        (_Image(url(meta.first("twitter:image", "twitter:image:src"))),),
        _ld_images(ld.main, url),
    )
    return PageMetadata(
        url=_first(
            url(meta.first("og:url")),
            url(meta.first("twitter:url")),
            url(_link_href(soup, "canonical")),
        )
        or base_url,
        title=_first(
            meta.first("og:title"),
            meta.first("twitter:title"),
            ld.text("headline", "name"),
            _tag_text(soup.find("title")),
        ),
        description=_first(
            meta.first("og:description"),
            meta.first("twitter:description"),
            ld.text("description"),
            meta.first("description"),
        ),
        image=image.url,
        image_width=image.width,
        image_height=image.height,
        site_name=_first(
            meta.first("og:site_name"), ld.site_name(), meta.first("application-name")
        ),
        type=_first(meta.first("og:type"), ld.og_type()),
        author=_first(
            _person_name(meta.first("article:author")),
            _person_name(ld.author()),
            _person_name(meta.first("author")),
            _person_name(meta.first("twitter:creator")),
        ),
        author_url=_first(url(_url_only(meta.first("article:author"))), url(ld.author_url())),
        published=_first(
            loose.moment(meta.first("article:published_time", "og:published_time"), naive="date"),
            loose.moment(ld.text("datePublished", "uploadDate"), naive="date"),
            loose.moment(meta.first("date", "dc.date", "dcterms.created"), naive="date"),
        ),
        favicon=_first(url(_link_href(soup, "icon")), url(_link_href(soup, "apple-touch-icon"))),
    )


# -- helpers for values -------------------------------------------------------------


def _first(*values: T | None) -> T | None:
    for value in values:
        if value is not None:
            return value
    return None


def _clean(value: object) -> str | None:
    """Collapse whitespace in a text value; None if empty or not text."""
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _absolute(base: str, value: str | None) -> str | None:
    if not value:
        return None
    try:
        resolved = urljoin(base, value.strip())
        parts = urlsplit(resolved)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return resolved


def _not_url(value: str | None) -> str | None:
    # article:author is often the author's profile URL, which is no name to show.
    if value is None or urlsplit(value).scheme in ("http", "https"):
        return None
    return value


#: What pages put where a name belongs: numeric profile ids, app ids, handles of bots.
_NOT_A_NAME = re.compile(
    r"^(?:[\d\s._:-]+|fb:\S*|\S+@\S+\.\S+|null|none|undefined|admin|n/a)$", re.I
)


def _person_name(value: str | None) -> str | None:
    """Return ``value`` if it reads as a name: never a URL, an id or an address."""
    value = _not_url(_clean(value))
    if value is None or _NOT_A_NAME.match(value) or "://" in value or value.startswith("www."):
        return None
    return value


def _url_only(value: str | None) -> str | None:
    if value is None or urlsplit(value.strip()).scheme not in ("http", "https"):
        return None
    return value.strip()


def _attr(tag: Tag, name: str) -> str:
    value = tag.get(name)
    if isinstance(value, list):
        return " ".join(value)
    return value or ""


def _tag_text(tag: object) -> str | None:
    return _clean(tag.get_text()) if isinstance(tag, Tag) else None


def _link_href(soup: BeautifulSoup, rel: str) -> str | None:
    """Return the first non-empty href of a ``<link>`` whose rel names ``rel``."""
    for link in soup.find_all("link"):
        if not isinstance(link, Tag):
            continue
        if rel in _attr(link, "rel").lower().split():
            href = _attr(link, "href").strip()
            if href:
                return href
    return None


# -- <meta> tags: OpenGraph, Twitter Card, generic -----------------------------------


class _MetaTags:
    """The ``<meta>`` tags of a page as (lowercase key, cleaned content), in order."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.pairs: list[tuple[str, str]] = []
        for tag in soup.find_all("meta"):
            if not isinstance(tag, Tag):
                continue
            content = _clean(_attr(tag, "content"))
            if content is None:
                continue
            # OpenGraph says property=, Twitter says name=; pages mix them up.
            keys = {_attr(tag, "property").strip().lower(), _attr(tag, "name").strip().lower()}
            self.pairs.extend((key, content) for key in sorted(keys) if key)

    def first(self, *keys: str) -> str | None:
        """Return the first value of the first key present, in the order of ``keys``."""
        for key in keys:
            for name, value in self.pairs:
                if name == key:
                    return value
        return None


def _og_images(pairs: Iterable[tuple[str, str]], url: Resolve) -> list[_Image]:
    """Group ``og:image`` with the ``og:image:*`` properties that follow it."""
    images: list[_Image] = []
    secure: dict[int, str] = {}
    for key, value in pairs:
        if key == "og:image":
            images.append(_Image(url(value)))
            continue
        if not key.startswith("og:image:"):
            continue
        if not images:
            images.append(_Image())
        current = images[-1]
        field = key.removeprefix("og:image:")
        if field == "url" and current.url is None:
            current.url = url(value)
        elif field == "secure_url":
            secure.setdefault(len(images) - 1, value)
        elif field == "width" and current.width is None:
            current.width = loose.count(value, positive=True)
        elif field == "height" and current.height is None:
            current.height = loose.count(value, positive=True)
    for index, value in secure.items():
        secure_url = url(value)
        if secure_url is not None and secure_url.startswith("https:"):
            images[index].url = secure_url
    return images


def _first_image(*sources: Iterable[_Image]) -> _Image:
    for source in sources:
        for image in source:
            if image.url is not None:
                return image
    return _Image()


# -- JSON-LD --------------------------------------------------------------------------


def _types(item: dict[str, Any]) -> set[str]:
    raw = item.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    return {n.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for n in names if isinstance(n, str)}


def _flatten(data: object, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Yield the typed objects of a JSON-LD document, looking into lists and ``@graph``."""
    if depth > _MAX_JSON_LD_DEPTH:
        return
    if isinstance(data, list):
        for value in data:
            yield from _flatten(value, depth + 1)
    elif isinstance(data, dict):
        if _types(data):
            yield data
        yield from _flatten(data.get("@graph"), depth + 1)


class _JsonLd:
    """The schema.org objects of a page, with the one that describes its content."""

    def __init__(self, soup: BeautifulSoup) -> None:
        items: list[dict[str, Any]] = []
        for script in soup.find_all("script"):
            if not isinstance(script, Tag):
                continue
            if _attr(script, "type").split(";")[0].strip().lower() != "application/ld+json":
                continue
            text = _CDATA.sub("", script.get_text())
            try:
                items.extend(_flatten(json.loads(text, strict=False)))
            except (ValueError, RecursionError):
                continue  # broken JSON-LD is common; the other sources still count
        self.site = next((i for i in items if "WebSite" in _types(i)), None)
        self.main = (
            next((i for i in items if _types(i) - _AUXILIARY_TYPES - {"WebSite", "WebPage"}), None)
            or next((i for i in items if "WebPage" in _types(i)), None)
            or self.site
        )

    def text(self, *keys: str) -> str | None:
        """Return the first text value of ``keys`` on the main object."""
        if self.main is None:
            return None
        return _first(*(_clean(self.main.get(key)) for key in keys))

    def site_name(self) -> str | None:
        """Return the site's name: the WebSite object's, else the main object's publisher's."""
        publisher = self.main.get("publisher") if self.main else None
        return _first(
            _clean(self.site.get("name")) if self.site else None,
            _name_of(publisher),
        )

    def author(self) -> str | None:
        """Return the name of the main object's first author."""
        return _name_of(self.main.get("author")) if self.main else None

    def author_url(self) -> str | None:
        """Return the page of the main object's first author, when it names one."""
        author = self.main.get("author") if self.main else None
        if isinstance(author, list):
            author = author[0] if author else None
        if isinstance(author, dict):
            return _url_only(_clean(author.get("url")))
        return None

    def og_type(self) -> str | None:
        """Return the main object's type in OpenGraph's vocabulary, if it has one."""
        if self.main is None:
            return None
        types = _types(self.main)
        if types & _ARTICLE_TYPES:
            return "article"
        return next((_OG_TYPE_OF[t] for t in sorted(types) if t in _OG_TYPE_OF), None)


def _name_of(value: object) -> str | None:
    """Return a person's or organization's name from a string, an object or a list."""
    if isinstance(value, list):
        return _first(*(_name_of(v) for v in value[:10]))
    if isinstance(value, dict):
        return _clean(value.get("name"))
    return _not_url(_clean(value))


def _ld_images(main: dict[str, Any] | None, url: Resolve) -> list[_Image]:
    if main is None:
        return []
    images: list[_Image] = []
    for key in ("image", "thumbnailUrl"):
        value = main.get(key)
        for item in (value if isinstance(value, list) else [value])[:10]:
            if isinstance(item, str):
                images.append(_Image(url(item)))
            elif isinstance(item, dict):
                link = _first(_clean(item.get("url")), _clean(item.get("contentUrl")))
                width = loose.count(item.get("width"), positive=True)
                height = loose.count(item.get("height"), positive=True)
                images.append(_Image(url(link), width, height))
    return images
