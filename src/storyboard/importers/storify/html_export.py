"""Read a Storify story kept as HTML: the export menu's page or a browser's save of it.

Both are one page with a header and a list of elements, each element an ``<li>`` (or
``<div>``, ``<article>``) with the class ``storify-element`` and its kind as a class
or attribute: ``type-tweet``, ``element-type-text``, ``storify-element-link``, a bare
``tweet``, or ``data-type="tweet"``. Inside an element this reader looks for:

- the post's address: ``data-permalink``, ``a.permalink``, ``a[rel=bookmark]``,
  ``blockquote[cite]``, the title's link;
- its words: ``.text``, ``.tweet-text``, ``.content`` or the ``blockquote``;
- its author: ``.author`` with ``.name``, ``.username`` and a link, ``img.avatar``;
- its date: ``time[datetime]``, ``[data-timestamp]`` (epoch seconds);
- its ``.title``, ``.description``/``.caption``, picture (``img``) and platform
  (``data-source``, ``.source``, ``.provider``).

The story's title, description, author and date come from the header (``.story-title``,
``.story-description``, ``.story-author``, ``.story-date``) or the page's ``<meta>``
tags. A page saved "complete" keeps its pictures in a ``NAME_files`` folder beside it,
referenced relatively: each one found inside the page's own folder is recorded, to be
archived at import without the network. What the page does not show (an element's
oEmbed answer, the source's own data) is not in it, so it cannot be imported.
"""

from __future__ import annotations

import codecs
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning
from bs4.element import Comment, Tag

from storyboard.errors import Problem, UsageError

_ELEMENT_CLASSES = frozenset({"storify-element", "sf-element"})
_KIND_CLASS_RE = re.compile(r"^(?:storify-element-|element-type-|element-|type-)([a-z]+)$")
_KNOWN_KINDS = frozenset({"text", "tweet", "quote", "website", "link", "image", "video"})
_SAVED_FROM_RE = re.compile(r"saved from url=\(\d+\)(\S+)")
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_CHARSET_SCAN = 4096
_TITLE_SUFFIX_RE = re.compile(r"\s+[·|–—-]\s+Storify\s*$")


@dataclass
class HtmlStory:
    """A story read from a page, in the API's JSON shape, and the pictures beside it."""

    document: dict[str, object]
    #: ``src`` as written in the page -> the saved file it names.
    local_pictures: dict[str, Path] = field(default_factory=dict)
    #: Pictures the page names that could not be kept.
    warnings: list[Problem] = field(default_factory=list)


def read_html(data: bytes, source: str, page_path: Path | None = None) -> HtmlStory:
    """Read a story page; raise ``UsageError`` when the page is not a Storify story."""
    text, decoding_problem = _decode(data)
    with warnings.catch_warnings():
        # An XHTML save starts with an XML declaration; it is still read as HTML.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(text, "html.parser")
    nodes = _element_nodes(soup)
    if not nodes:
        title = soup.title.get_text(" ", strip=True) if soup.title else ""
        named = f" ({title[:60]!r})" if title else ""
        raise UsageError(
            f"{source}: an HTML page{named}, but not a Storify story "
            "(no element marked storify-element)"
        )
    reader = _PageReader(source, page_path.parent if page_path else None)
    elements = [reader.element(node) for node in nodes]
    story: dict[str, object] = {
        "title": _story_title(soup),
        "description": _first_text(soup, ".story-description")
        or _meta(soup, "og:description")
        or _meta(soup, "description"),
        "author": _story_author(soup),
        "date": {"published": _story_date(soup)},
        "permalink": _story_permalink(soup),
        "elements": elements,
    }
    if decoding_problem:
        reader.warn("", decoding_problem)
    return HtmlStory({"content": story}, reader.local_pictures, reader.warnings)


def _decode(data: bytes) -> tuple[str, str | None]:
    """Decode by BOM, then declared charset, then UTF-8, then Windows-1252 (saying so)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace"), None
    declared = _CHARSET_RE.search(data[:_CHARSET_SCAN])
    candidates = [declared.group(1).decode("ascii").lower()] if declared else []
    for encoding in [*candidates, "utf-8"]:
        try:
            codecs.lookup(encoding)
            return data.decode(encoding), None
        except (LookupError, UnicodeDecodeError):
            continue
    # Old saves are often Windows-1252 whatever they declare: every byte but five is text.
    named = candidates[0] if candidates else "UTF-8"
    return data.decode("cp1252", "replace"), f"not valid {named}; read as Windows-1252"


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class")
    return [str(v).lower() for v in value] if isinstance(value, list) else []


def _element_nodes(soup: BeautifulSoup) -> list[Tag]:
    """Every outermost element of the story, in page order."""
    found = [
        tag
        for tag in soup.find_all(True)
        if isinstance(tag, Tag) and _ELEMENT_CLASSES.intersection(_classes(tag))
    ]
    inside = {id(tag) for node in found for tag in node.find_all(True)}
    return [tag for tag in found if id(tag) not in inside]


def _kind(node: Tag) -> str | None:
    for name in ("data-type", "data-element-type", "data-elementclass"):
        value = node.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip().lower()
    for token in _classes(node):
        if token in _KNOWN_KINDS:
            return token
        match = _KIND_CLASS_RE.match(token)
        if match and token not in _ELEMENT_CLASSES:
            return match.group(1)
    return None


def _select(node: Tag, *selectors: str) -> Tag | None:
    for selector in selectors:
        found = node.select_one(selector)
        if found is not None:
            return found
    return None


def _first_text(node: Tag, *selectors: str) -> str | None:
    found = _select(node, *selectors)
    text = found.get_text(" ", strip=True) if found is not None else ""
    return " ".join(text.split()) or None


def _attr(node: Tag | None, name: str) -> str | None:
    if node is None:
        return None
    value = node.get(name)
    return value.strip() or None if isinstance(value, str) else None


def _meta(soup: BeautifulSoup, name: str) -> str | None:
    tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
    return _attr(tag, "content") if isinstance(tag, Tag) else None


def _outside_elements(soup: BeautifulSoup, selector: str) -> Tag | None:
    for tag in soup.select(selector):
        if not any(_ELEMENT_CLASSES.intersection(_classes(p)) for p in tag.parents):
            return tag
    return None


def _story_title(soup: BeautifulSoup) -> str | None:
    found = _outside_elements(soup, ".story-title, [itemprop=headline]")
    if found is not None:
        return found.get_text(" ", strip=True) or None
    title = _meta(soup, "og:title")
    if title:
        return title
    heading = _outside_elements(soup, "h1")
    if heading is not None and heading.get_text(strip=True):
        return heading.get_text(" ", strip=True)
    if soup.title and soup.title.get_text(strip=True):
        return _TITLE_SUFFIX_RE.sub("", soup.title.get_text(" ", strip=True))
    return None


def _story_author(soup: BeautifulSoup) -> dict[str, object]:
    block = _outside_elements(soup, ".story-author")
    if block is not None:
        name = _first_text(block, ".name", "[itemprop=name]") or block.get_text(" ", strip=True)
        username = _first_text(block, ".username")
        return {"name": name, "username": (username or "").lstrip("@") or None}
    return {"name": _meta(soup, "author")}


def _story_date(soup: BeautifulSoup) -> str | None:
    block = _outside_elements(soup, ".story-date")
    if block is not None:
        time = block if block.name == "time" else block.find("time")
        return _attr(time, "datetime") if isinstance(time, Tag) else block.get_text(strip=True)
    published = _meta(soup, "article:published_time")
    if published:
        return published
    time = _outside_elements(soup, "time[datetime]")
    return _attr(time, "datetime")


def _story_permalink(soup: BeautifulSoup) -> str | None:
    canonical = soup.find("link", rel="canonical")
    if isinstance(canonical, Tag) and _attr(canonical, "href"):
        return _attr(canonical, "href")
    if _meta(soup, "og:url"):
        return _meta(soup, "og:url")
    # Browsers mark a saved page with where it came from, in a comment at the top.
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        match = _SAVED_FROM_RE.search(str(comment))
        if match:
            return match.group(1)
    return None


@dataclass
class _PageReader:
    """Read elements of one page, noting the pictures saved beside it."""

    source: str
    folder: Path | None
    local_pictures: dict[str, Path] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(Problem(self.source, None, None, where, message, "warning"))

    def element(self, node: Tag) -> dict[str, object]:
        kind = _kind(node)
        element: dict[str, object] = {"elementClass": kind} if kind else {}
        text = _select(node, ".text", ".tweet-text", ".content", "blockquote")
        body = text if text is not None else node
        if kind == "text":
            element["description"] = body.decode_contents().strip()
            return element
        picture = self.picture(node)
        element["permalink"] = self.permalink(node) or picture.get("href")
        title = _first_text(node, ".title", "h3", "h4")
        if title:
            element["title"] = title
        description = _first_text(node, ".description", ".caption", "figcaption")
        if description:
            element["description"] = description
        if kind in ("tweet", "quote") and text is not None:
            element["text"] = text.decode_contents().strip()
        author = self.author(node)
        if author:
            element["author"] = author
        date = self.date(node)
        if date:
            element["posted_at"] = date
        if picture:
            element["image"] = picture
        platform = _attr(node, "data-source") or _first_text(node, ".source", ".provider")
        if platform:
            element["source"] = platform
        return element

    def permalink(self, node: Tag) -> str | None:
        for selector, attribute in (
            ("[data-permalink]", "data-permalink"),
            ("a.permalink[href]", "href"),
            ("a[rel~=bookmark][href]", "href"),
            ("blockquote[cite]", "cite"),
            (".title a[href]", "href"),
            ("h3 a[href]", "href"),
            ("h4 a[href]", "href"),
        ):
            value = node.get(attribute) if node.has_attr(attribute) else None
            found = node if isinstance(value, str) else node.select_one(selector)
            link = _attr(found, attribute)
            if link:
                return link
        return None

    def author(self, node: Tag) -> dict[str, object]:
        block = _select(node, ".author", "[itemprop=author]")
        if block is None:
            return {}
        link = block if block.name == "a" else block.find("a", href=True)
        avatar = node.select_one("img.avatar[src]")
        name = _first_text(block, ".name", ".fullname", "[itemprop=name]")
        username = _first_text(block, ".username", ".screen-name")
        if name is None and username is None:
            name = block.get_text(" ", strip=True) or None
        return {
            key: value
            for key, value in (
                ("name", name),
                ("username", username.lstrip("@") if username else None),
                ("href", _attr(link, "href") if isinstance(link, Tag) else None),
                ("avatar", self.picture_source(_attr(avatar, "src"))),
            )
            if value
        }

    def date(self, node: Tag) -> str | None:
        time = node.find("time")
        if isinstance(time, Tag) and _attr(time, "datetime"):
            return _attr(time, "datetime")
        stamped = node if node.has_attr("data-timestamp") else node.select_one("[data-timestamp]")
        return _attr(stamped, "data-timestamp")

    def picture(self, node: Tag) -> dict[str, object]:
        for img in node.find_all("img", src=True):
            if "avatar" in _classes(img):
                continue
            picture: dict[str, object] = {}
            parent = img.find_parent("a", href=True)
            if isinstance(parent, Tag) and _attr(parent, "href"):
                picture["href"] = _attr(parent, "href")
            src = self.picture_source(_attr(img, "src"))
            if src:
                picture["src"] = src
                for name in ("width", "height", "alt"):
                    if _attr(img, name):
                        picture[name] = _attr(img, name)
            return picture
        return {}

    def picture_source(self, src: str | None) -> str | None:
        """Return ``src`` if it is a web address or a picture saved beside the page."""
        if not src:
            return None
        try:
            parts = urlsplit(src)
        except ValueError:  # "http://[" and other addresses that cannot be split
            return None
        if parts.scheme in ("http", "https") or src.startswith("//"):
            return src
        if parts.scheme or parts.netloc or self.folder is None:
            return None  # data:, file:, javascript:...: nothing to keep
        path = self.saved_file(src, unquote(parts.path), self.folder.resolve())
        if path is None:
            return None
        self.local_pictures[src] = path
        return src

    def saved_file(self, src: str, relative: str, folder: Path) -> Path | None:
        try:
            path = (folder / relative).resolve()
        except (OSError, ValueError):
            return None
        # Only files inside the page's own folder: a page cannot point the import elsewhere.
        if not path.is_relative_to(folder):
            self.warn(src, "the picture is outside the page's folder; not imported")
            return None
        if not path.is_file():
            self.warn(src, "the picture was not saved beside the page; not imported")
            return None
        return path
