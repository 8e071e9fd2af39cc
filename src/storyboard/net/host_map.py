"""Send the requests for some hosts to other servers, as ``curl --connect-to`` does.

Tests and the benchmark play real providers (``publish.twitter.com``,
``public.api.bsky.app``, ``vm.tiktok.com``...) on one loopback server: the request
for ``https://vm.tiktok.com/ZM123/`` goes to ``http://127.0.0.1:PORT/ZM123/`` with
``Host: vm.tiktok.com``, while every URL storyboard sees and stores stays the real
one. The map comes from ``STORYBOARD_HOST_MAP`` (``host=origin`` pairs separated by
commas); nothing else sets it, and requests to mapped hosts still pass the address
guard (loopback needs ``--allow-private-network``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

HOST_MAP_VARIABLE = "STORYBOARD_HOST_MAP"


def parse_host_map(text: str) -> dict[str, str]:
    """Parse ``host=http://127.0.0.1:8080,other.host=...`` into {host: origin}.

    Raises ValueError naming the first pair that is not a host and an http(s) origin.
    """
    mapping: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        host, sep, origin = pair.partition("=")
        parts = urlsplit(origin.strip())
        if (
            not sep
            or not host.strip()
            or parts.scheme not in ("http", "https")
            or not parts.netloc
            or parts.path not in ("", "/")
        ):
            raise ValueError(
                f"{HOST_MAP_VARIABLE}: expected host=http://address:port, got {pair!r}"
            )
        mapping[host.strip().lower()] = f"{parts.scheme}://{parts.netloc}"
    return mapping


def host_map_from_environment() -> dict[str, str]:
    """Return the host map ``STORYBOARD_HOST_MAP`` sets (empty when unset)."""
    return parse_host_map(os.environ.get(HOST_MAP_VARIABLE, ""))


def wire_url(url: str, host_map: Mapping[str, str]) -> tuple[str, str | None]:
    """Return the URL to dial for ``url`` and the Host header to send with it (None: as is)."""
    if not host_map:
        return url, None
    parts = urlsplit(url)
    origin = host_map.get((parts.hostname or "").lower())
    if origin is None:
        return url, None
    target = urlsplit(origin)
    wired = urlunsplit((target.scheme, target.netloc, parts.path, parts.query, ""))
    return wired, parts.netloc
