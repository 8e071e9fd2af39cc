"""A social post's text, author and date, read from the blockquote of its oEmbed HTML.

Social posts (X/Twitter, Bluesky, Mastodon, TikTok, Threads, Instagram) answer with a
``<blockquote>`` that a provider script later turns into an iframe; the post's text,
author and date are inside it, and that is what a static card shows. Everything here
is defensive: odd or hostile HTML yields fewer fields, never an exception.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

from storyboard.extract.dates import parse_post_date, snowflake_date
from storyboard.extract.handles import clean_handle, handle_from_author_url, split_name_and_handle
from storyboard.extract.sanitize import POST_BLOCKQUOTE_CLASSES, sanitize_post_text

_BLUESKY_CLASS = "bluesky-embed"
_MASTODON_POST_BY = re.compile(r"(@[\w.-]+@[\w.-]+\.[A-Za-z]{2,})")
_DASHES = "\u2014\u2013-"
_PERMALINK_ATTRIBUTES = ("data-text-post-permalink", "cite")
_INSTAGRAM_CREDIT = re.compile(r"^\s*A post shared by\b", re.IGNORECASE)


@dataclass(frozen=True)
class PostParts:
    """What a post blockquote tells: its text and the attribution line."""

    text_html: str | None = None
    author_name: str | None = None
    author_handle: str | None = None
    published: dt.date | dt.datetime | None = None


def parse_html(html: str | None) -> BeautifulSoup | None:
    """Parse third-party markup, or return None when there is none or it cannot be read."""
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
        if _classes(quote) & POST_BLOCKQUOTE_CLASSES or quote.has_attr("data-bluesky-uri"):
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
    if not html or not has_text(html):
        return None
    return html


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = False

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.found = True


def has_text(html: str) -> bool:
    """Tell whether sanitized markup holds any text besides white space.

    What ``BeautifulSoup(html).get_text(strip=True)`` tells, from the tokenizer alone,
    without building a tree: once per card, it cost as much as reading the post.
    """
    finder = _TextFinder()
    finder.feed(html)
    finder.close()
    return finder.found


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
            published = snowflake_date(href)
    name, handle = split_name_and_handle(text, prefix=True)
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
            name, handle = split_name_and_handle(_INSTAGRAM_CREDIT.sub("", text))
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
                handle = clean_handle(title)
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
