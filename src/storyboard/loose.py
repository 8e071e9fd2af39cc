"""Read loose values from untrusted data (oEmbed answers, page metadata, APIs, exports).

Such data says ``"500"`` or ``500.0`` or ``"500px"`` for a width, a number for a title,
``//cdn.example/a.jpg`` for a URL, and dates in whatever form its server likes. Each
reader here takes any value and returns the one shape storyboard uses, or None: a value
it cannot read is dropped, never guessed at and never an error.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import re
from typing import Literal

from storyboard.urls import absolute_http_url

_NUMBER = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Epoch numbers above this are milliseconds (it is the year 5138 in seconds).
_EPOCH_MILLIS = 100_000_000_000


def text(value: object) -> str | None:
    """Keep a string (stripped, or None if blank); spell out a finite number; drop the rest."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and math.isfinite(value):
        return str(value)
    return None


def one_line(value: object) -> str | None:
    """Keep a string on one line (runs of whitespace become one space), None if blank."""
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def count(value: object, *, positive: bool = False) -> int | None:
    """Read a whole number from an int, a float or text like ``"500"`` or ``"500px"``.

    Negative numbers are None, and so is 0 when ``positive`` (a width of 0 is no width).
    ``"100%"`` is None too: it is relative to a container storyboard does not know.
    """
    number: int | None = None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and math.isfinite(value):
        number = round(value)
    elif isinstance(value, str):
        match = _NUMBER.fullmatch(value)
        number = round(float(match.group(1))) if match else None
    if number is None or number < 0 or (positive and number == 0):
        return None
    return number


def http_url(value: object) -> str | None:
    """Keep an absolute http(s) URL; a protocol-relative one (``//host/...``) gets https."""
    return absolute_http_url(value) if isinstance(value, str) else None


def moment(value: object, *, naive: Literal["utc", "date"] = "utc") -> dt.datetime | dt.date | None:
    """Read a date or a moment: ISO 8601, RFC 2822 (mail and HTTP dates), epoch numbers.

    A date alone gives a ``date``. A moment with a zone keeps the offset it was written
    with (``10:00+03:00`` stays so: the snapshot says what the source said, and a page
    shows it in the story's time zone); epoch seconds (milliseconds past
    ``_EPOCH_MILLIS``) give a UTC ``datetime``. A moment without a zone is taken as UTC
    (``naive="utc"``, for APIs that write UTC without saying so) or cut to its date
    (``naive="date"``, where it was the local time of an unknown reader).
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(value)
    if not isinstance(value, str) or not value.strip():
        return None
    written = value.strip()
    parsed = None if _ISO_DATE.fullmatch(written) else _iso_or_rfc2822(written)
    if parsed is None:
        # A date alone, or "2017-01-13 at noon": the date is still worth having.
        return _iso_date(written[:10])
    if parsed.tzinfo is not None:
        return parsed
    return parsed.replace(tzinfo=dt.UTC) if naive == "utc" else parsed.date()


def utc_moment(value: object) -> dt.datetime | None:
    """Like ``moment``, but always a UTC ``datetime``: a date alone is its midnight, UTC."""
    found = moment(value)
    if isinstance(found, dt.datetime):
        return found.astimezone(dt.UTC)
    if found is None:
        return None
    return dt.datetime.combine(found, dt.time(), tzinfo=dt.UTC)


def _iso_or_rfc2822(written: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(written.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(written)
    except (TypeError, ValueError, IndexError):
        return None


def _from_epoch(value: float) -> dt.datetime | None:
    if not math.isfinite(value) or value <= 0:
        return None
    seconds = value / 1000 if value > _EPOCH_MILLIS else value
    try:
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _iso_date(written: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(written)
    except ValueError:
        return None
