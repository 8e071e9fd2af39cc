"""Small readers of the loosely typed values Storify's exports hold.

Eight years of API versions spelled the same thing many ways: a date as epoch seconds,
epoch milliseconds, a number in a string, ISO 8601 or Twitter's ``created_at`` text;
a size as a number or a string; a name with or without markup. Each reader here takes
whatever it is given and returns a clean value or None, never raising.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from bs4 import BeautifulSoup

from storyboard import loose
from storyboard.extract.sanitize import sanitize_post_text
from storyboard.urls import check_http_url

_HTML_HINT_RE = re.compile(r"<(?:p|br|a|div|span|strong|em|b|i)\b", re.IGNORECASE)
_URL_IN_TEXT_RE = re.compile(r"https?://[^\s<>\"']+")
_TRAILING_PUNCTUATION = ".,;:!?)]}'\""
#: Tags whose text stands apart from its neighbours' when a value is read as one line.
_SPACED_TAGS = [
    *("br", "p", "div", "li", "ul", "ol", "blockquote", "tr", "td", "th"),
    *("h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer"),
]
#: Twitter's own date text, as the 2010-2012 API copied it: "Wed Dec 29 22:18:37 +0000 2010".
_TWITTER_DATE = "%a %b %d %H:%M:%S %z %Y"


def as_object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_str(value: object) -> str | None:
    """Return a non-blank string (a number spelled out), else None."""
    return loose.text(value)


def plain_text(value: object) -> str | None:
    """Return the text of a string that may hold HTML, on one line."""
    text = as_str(value)
    if text is None:
        return None
    if "<" in text or "&" in text:
        soup = BeautifulSoup(text, "html.parser")
        # Space between blocks ("<p>a</p><p>b</p>"), none inside a line ("<b>a</b>,").
        for tag in soup.find_all(_SPACED_TAGS):
            tag.insert_before(" ")
            tag.insert_after(" ")
        text = soup.get_text()
    return " ".join(text.split()) or None


def first(*values: object) -> object:
    """Return the first text or number among ``values``, skipping blanks and objects."""
    for value in values:
        if as_str(value) is not None:
            return value
    return None


def first_url(*values: object) -> str | None:
    """Return the first of ``values`` that is an http(s) URL."""
    for value in values:
        url = http_url(value)
        if url is not None:
            return url
    return None


def http_url(value: object) -> str | None:
    absolute = loose.http_url(value)
    if absolute is None:
        return None
    try:
        return check_http_url(absolute)
    except ValueError:
        return None


def dimension(value: object) -> int | None:
    """Read a width or height given as a number or as digits in a string."""
    size = loose.count(value, positive=True)
    return size if size is not None and size < 100_000 else None


def timestamp(value: object) -> dt.datetime | dt.date | None:
    """Read epoch seconds or milliseconds (a number or digits), ISO 8601 or RFC 2822 text.

    Twitter's own ``created_at`` text, which the 2010-2012 API copied, is read here;
    everything else goes to the one date parser.
    """
    if isinstance(value, str) and re.fullmatch(r"\s*\d{9,14}(?:\.\d+)?\s*", value):
        value = float(value)
    text = as_str(value)
    if isinstance(value, str) and text is not None:
        try:
            return dt.datetime.strptime(text, _TWITTER_DATE)
        except ValueError:
            pass
    return loose.moment(value, naive="utc")


def describe(value: object) -> str:
    """Name the JSON type of ``value`` for a message ("a list", "a string"...)."""
    names = {list: "a list", dict: "an object", str: "a string", bool: "true/false"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def post_html(text: str) -> str | None:
    """Return a post's text as sanitized HTML: HTML as it is, plain text in paragraphs."""
    if _HTML_HINT_RE.search(text):
        cleaned = sanitize_post_text(text)
    else:
        plain = html.unescape(text).strip()
        paragraphs = [p for p in re.split(r"\n\s*\n", plain) if p.strip()]
        body = "".join(
            "<p>" + "<br>".join(_linkify(line) for line in p.strip().split("\n")) + "</p>"
            for p in paragraphs
        )
        cleaned = sanitize_post_text(body)
    return cleaned or None


def _linkify(line: str) -> str:
    """Escape a line of plain text, turning the http(s) addresses in it into links."""
    out = []
    last = 0
    for match in _URL_IN_TEXT_RE.finditer(line):
        url = match.group(0).rstrip(_TRAILING_PUNCTUATION)
        end = match.start() + len(url)
        out.append(html.escape(line[last : match.start()]))
        out.append(f'<a href="{html.escape(url)}">{html.escape(url)}</a>')
        last = end
    out.append(html.escape(line[last:]))
    return "".join(out)
