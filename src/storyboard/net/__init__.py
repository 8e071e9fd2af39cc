"""The only package that talks HTTP: the address guard, the bounded transport, the client.

The names below load on first use (PEP 562): ``limits`` and ``guard`` are light, but the
client pulls in requests and urllib3, which a command that never goes online (an offline
render, a check) should not pay for at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storyboard.net.client import HttpClient, parse_retry_after
    from storyboard.net.guard import check_address_allowed
    from storyboard.net.limits import (
        IMAGE_LIMIT,
        JSON_LIMIT,
        PAGE_LIMIT,
        RETRY_STATUSES,
        FetchSettings,
    )
    from storyboard.net.response import HttpResponse, decode_text

_HOMES = {
    "IMAGE_LIMIT": "limits",
    "JSON_LIMIT": "limits",
    "PAGE_LIMIT": "limits",
    "RETRY_STATUSES": "limits",
    "FetchSettings": "limits",
    "HttpClient": "client",
    "HttpResponse": "response",
    "check_address_allowed": "guard",
    "decode_text": "response",
    "parse_retry_after": "client",
}

__all__ = [
    "IMAGE_LIMIT",
    "JSON_LIMIT",
    "PAGE_LIMIT",
    "RETRY_STATUSES",
    "FetchSettings",
    "HttpClient",
    "HttpResponse",
    "check_address_allowed",
    "decode_text",
    "parse_retry_after",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # once loaded, found without this hook
    return value
