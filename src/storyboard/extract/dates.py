"""Dates of posts, read from what providers write: ISO 8601, English prose, X status ids.

Lenient by design: text that is not a date gives None, never an exception.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from storyboard import loose
from storyboard.urls import canonical_host

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\.?\s+([A-Za-z]+)\.?,?\s+(\d{4})\b")
_ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}")
#: Seconds since 1970, as some providers send ``timestamp``: ten digits from 2001 to 2286.
_UNIX_SECONDS = re.compile(r"^\d{9,10}(?:\.\d+)?$")

_X_STATUS = re.compile(r"/status(?:es)?/(\d{6,20})")
#: X's host in the URL normal form (``x.com``, ``mobile.twitter.com``... map to it).
_X_HOST = "twitter.com"
#: Twitter's snowflake IDs carry their creation time: milliseconds since this epoch.
_SNOWFLAKE_EPOCH_MS = 1288834974657
_SNOWFLAKE_MIN_ID = 1 << 32  # smaller ids predate snowflakes (2010) and carry no time


def parse_post_date(text: str) -> dt.date | dt.datetime | None:
    """Read a post's date: ISO 8601, "January 13, 2017" or "13 Jan 2017" (with any time).

    A time with a zone gives a datetime with that offset; a time without one (the reader's local
    time when the snippet was made) is not trusted and gives only the date.
    """
    value = " ".join(text.split())
    if not value:
        return None
    if _ISO_START.match(value):
        return _parse_iso(value)
    match = _MONTH_DAY_YEAR.match(value)
    if match:
        return _date(match.group(3), match.group(1), match.group(2))
    match = _DAY_MONTH_YEAR.match(value)
    if match:
        return _date(match.group(3), match.group(2), match.group(1))
    return None


def parse_timestamp(text: str) -> dt.date | dt.datetime | None:
    """Read a date that may also be Unix seconds (``"1484325300"``) as a UTC datetime."""
    value = text.strip()
    if _UNIX_SECONDS.match(value):
        return loose.moment(float(value))
    return parse_post_date(value)


def _parse_iso(value: str) -> dt.date | dt.datetime | None:
    # A time without a zone was the local time of an unknown reader: keep only its date.
    return loose.moment(value, naive="date")


def _date(year: str, month_name: str, day: str) -> dt.date | None:
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return None
    try:
        return dt.date(int(year), month, int(day))
    except ValueError:
        return None


def snowflake_date(status_url: str) -> dt.date | None:
    """Return the UTC date an X/Twitter status was created, read from its id."""
    if canonical_host(status_url) != _X_HOST:
        return None
    match = _X_STATUS.search(urlsplit(status_url).path)
    if match is None or int(match.group(1)) < _SNOWFLAKE_MIN_ID:
        return None
    millis = (int(match.group(1)) >> 22) + _SNOWFLAKE_EPOCH_MS
    return dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC).date()
