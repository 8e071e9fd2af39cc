"""Reading values out of an API's JSON, where any field may be missing or of a wrong type."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from storyboard.model.card import MediaAsset
from storyboard.urls import absolute_http_url


def text_field(value: object) -> str | None:
    """Return a string value with its runs of white space collapsed, None if blank or not text."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def positive_int(value: object) -> int | None:
    """Return a positive number as an int (a size in pixels), None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if value > 0 else None


def mapping_field(value: object) -> Mapping[str, Any]:
    """Return an object value, or an empty one if it is missing or not an object."""
    return value if isinstance(value, Mapping) else {}


def media_asset(url: object, width: object = None, height: object = None) -> MediaAsset | None:
    """Return the picture at an absolute http(s) URL with its size, None if the URL is unusable."""
    absolute = absolute_http_url(url) if isinstance(url, str) else None
    if absolute is None:
        return None
    return MediaAsset(url=absolute, width=positive_int(width), height=positive_int(height))


def utc_datetime(value: object) -> dt.datetime | None:
    """Read an API timestamp (ISO 8601) as a UTC datetime; a time without zone is UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
