"""Reading values out of an API's JSON, where any field may be missing or of a wrong type."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from storyboard import loose
from storyboard.model.card import MediaAsset


def text_field(value: object) -> str | None:
    """Return a string value with its runs of white space collapsed, None if blank or not text."""
    return loose.one_line(value)


def positive_int(value: object) -> int | None:
    """Return a positive number as an int (a size in pixels), None for anything else."""
    return loose.count(value, positive=True)


def mapping_field(value: object) -> Mapping[str, Any]:
    """Return an object value, or an empty one if it is missing or not an object."""
    return value if isinstance(value, Mapping) else {}


def media_asset(url: object, width: object = None, height: object = None) -> MediaAsset | None:
    """Return the picture at an absolute http(s) URL with its size, None if the URL is unusable."""
    absolute = loose.http_url(url)
    if absolute is None:
        return None
    return MediaAsset(url=absolute, width=positive_int(width), height=positive_int(height))


def utc_datetime(value: object) -> dt.datetime | None:
    """Read an API timestamp (ISO 8601) as a UTC datetime; a time without zone is UTC."""
    return loose.utc_moment(value)
