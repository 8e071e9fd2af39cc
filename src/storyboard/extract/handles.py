"""Account handles: ``@name`` from a profile URL or an attribution line.

On the fediverse a handle names its server too (``@name@host``); on the big
platforms the path's first segment is the account.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from storyboard.urls import site_host

_NAME_AND_HANDLE = re.compile(r"^(?P<name>.*?)\s*\(\s*(?P<handle>@[^\s()]+)\s*\)")
_HANDLE_ONLY = re.compile(r"^(?P<handle>@[^\s()]+)")

#: Hosts where ``/@name`` is a local account, not a fediverse ``@name@host`` one.
_CENTRAL_AT_HOSTS = frozenset(
    {"youtube.com", "tiktok.com", "threads.net", "threads.com", "medium.com", "vimeo.com"}
)
_SIMPLE_PROFILE_HOSTS = frozenset({"twitter.com", "x.com", "instagram.com"})
_RESERVED_PROFILE_PATHS = frozenset(
    {
        "i",
        "intent",
        "home",
        "share",
        "search",
        "hashtag",
        "p",
        "reel",
        "reels",
        "explore",
        "tv",
        "stories",
    }
)
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9_.]{1,50}$")


def clean_handle(value: str) -> str | None:
    """Return ``value`` as ``@handle`` (trailing punctuation dropped), or None if it is none."""
    handle = value.strip().rstrip(".,:;)")
    if not handle.startswith("@"):
        handle = "@" + handle
    return handle if len(handle) > 1 and " " not in handle else None


def handle_from_author_url(url: str | None) -> str | None:
    """Derive ``@name`` (or ``@name@host`` on the fediverse) from a profile URL."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return None
    hostname = (parts.hostname or "").lower()
    host = site_host(hostname)
    segments = [s for s in parts.path.split("/") if s]
    if not host or not segments:
        return None
    if host in _SIMPLE_PROFILE_HOSTS:
        return _simple_profile_handle(segments[0])
    if host == "bsky.app":
        return _bluesky_profile_handle(segments)
    return _at_path_handle(segments[0], host=host, hostname=hostname)


def _simple_profile_handle(name: str) -> str | None:
    """Return ``@name`` for ``twitter.com/name``, unless the path is not a profile."""
    if name.lower() in _RESERVED_PROFILE_PATHS or not _PROFILE_NAME.match(name):
        return None
    return "@" + name


def _at_path_handle(first: str, *, host: str, hostname: str) -> str | None:
    """Return the handle of a ``/@name`` profile path: ``@name@host`` on the fediverse."""
    if not first.startswith("@") or len(first) == 1:
        return None
    user = first[1:]
    if "@" in user or host in _CENTRAL_AT_HOSTS:
        return clean_handle(user)
    return clean_handle(f"{user}@{hostname}")


def _bluesky_profile_handle(segments: list[str]) -> str | None:
    """Return the handle of ``bsky.app/profile/HANDLE`` (a DID is no handle)."""
    if len(segments) > 1 and segments[0] == "profile" and not segments[1].startswith("did:"):
        return clean_handle(segments[1])
    return None


def split_name_and_handle(value: str, *, prefix: bool = False) -> tuple[str | None, str | None]:
    """Split "Name (@handle)" or "@handle" into its parts; any other text is a name.

    With ``prefix``, the parts may be followed by more text (the attribution line's date).
    """
    text = " ".join(value.split())
    match = _NAME_AND_HANDLE.match(text)
    if match:
        return (match.group("name").strip() or None, clean_handle(match.group("handle")))
    match = _HANDLE_ONLY.match(text)
    if match and (prefix or match.group("handle") == text):
        return None, clean_handle(match.group("handle"))
    return (text or None), None
