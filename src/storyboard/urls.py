"""URL checks and normalization: one canonical form per post, used as the snapshot key."""

from __future__ import annotations

import contextlib
import functools
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Query parameters that only track where a click came from; they never change the post.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "igsh",
        "si",
        "feature",
        "ref_src",
        "ref_url",
        "_ga",
        "yclid",
        "twclid",
        "mkt_tok",
        "share_id",
    }
)
TRACKING_PREFIXES = ("utm_",)
#: Parameters that track only on some hosts (``t`` is a start time on YouTube).
HOST_TRACKING_PARAMETERS = {"twitter.com": frozenset({"s", "t"})}

#: Hosts that are other names of one service, mapped to the canonical host.
HOST_ALIASES = {
    "x.com": "twitter.com",
    "www.x.com": "twitter.com",
    "mobile.x.com": "twitter.com",
    "mobile.twitter.com": "twitter.com",
    "www.twitter.com": "twitter.com",
    "m.twitter.com": "twitter.com",
    "youtube.com": "www.youtube.com",
    "m.youtube.com": "www.youtube.com",
    "music.youtube.com": "www.youtube.com",
    "vimeo.com": "vimeo.com",
    "www.vimeo.com": "vimeo.com",
    "m.facebook.com": "www.facebook.com",
    "mobile.facebook.com": "www.facebook.com",
    "old.reddit.com": "www.reddit.com",
    "reddit.com": "www.reddit.com",
}

_YOUTU_BE = "youtu.be"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_RE = re.compile(r"^[a-z0-9.\-\[\]:]+$")
#: Whitespace: ``\s`` matches exactly what ``str.isspace`` calls a space.
_SPACE = re.compile(r"\s")
#: Whitespace or a control character below U+0020.
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")


def check_http_url(value: str) -> str:
    """Return ``value`` stripped if it is an absolute http(s) URL with a host, else raise."""
    text = value.strip()
    if _SPACE.search(text):
        raise ValueError("a URL cannot contain spaces")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a valid URL ({exc})") from exc
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        raise ValueError("not an http(s) URL")
    host = parts.hostname or ""
    if not host or not _HOST_RE.match(host.encode("idna").decode("ascii").lower()):
        raise ValueError("the URL has no valid host")
    if port is not None and not 0 < port < 65536:
        raise ValueError("the URL's port is out of range")
    return text


def absolute_http_url(value: str) -> str | None:
    """Return ``value`` as an absolute http(s) URL (``//host`` becomes https), else None.

    For URLs found in untrusted data (oEmbed fields, HTML): anything else, such as
    ``javascript:``, ``data:`` or a relative path, is dropped rather than guessed at.
    """
    text = value.strip()
    if text.startswith("//"):
        text = "https:" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return None
    if _SPACE_OR_CONTROL.search(text):
        return None
    return text


def is_tracking_parameter(name: str) -> bool:
    """Tell whether a query parameter only tracks a click (``utm_*``, ``fbclid``...)."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


@functools.lru_cache(maxsize=8192)  # pure, and asked several times per URL in a run
def normalize_url(url: str) -> str:
    """Return the canonical form of ``url``, the key of its snapshot.

    Lowercases scheme and host, drops default ports and fragments, maps a service's
    other host names to one (``x.com`` to ``twitter.com``, ``youtu.be/ID`` to a
    ``watch?v=ID`` URL), and removes tracking parameters. The path keeps its case:
    on most platforms it names the post.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    with contextlib.suppress(UnicodeError):  # keep a host idna cannot encode as it is
        host = host.encode("idna").decode("ascii")
    port = parts.port
    path = parts.path or "/"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_parameter(k)
    ]

    if host == _YOUTU_BE:
        video_id = path.strip("/").split("/")[0]
        host, path = "www.youtube.com", "/watch"
        query = [("v", video_id), *[(k, v) for k, v in query if k != "v"]]
    host = HOST_ALIASES.get(host, host)
    host_tracking = HOST_TRACKING_PARAMETERS.get(host, frozenset())
    query = [(k, v) for k, v in query if k not in host_tracking]

    netloc = host  # credentials never belong in a story URL's key
    if ":" in host:  # an IPv6 literal
        netloc = f"[{host}]"
    if port is not None and _DEFAULT_PORTS.get(scheme) != port:
        netloc += f":{port}"
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


@functools.lru_cache(maxsize=8192)  # pure, and asked several times per URL in a render
def host_of(url: str) -> str:
    """Return the lowercase host of ``url`` ('' if it has none)."""
    return (urlsplit(url).hostname or "").lower()


def canonical_host(url: str) -> str:
    """Return the host of ``url``'s normal form (``x.com`` gives ``twitter.com``), or ''."""
    try:
        return host_of(normalize_url(url))
    except ValueError:
        return ""


#: Host prefixes that name a site's web or mobile front, not another site.
_FRONT_PREFIXES = ("www.", "m.", "mobile.")


def site_host(host: str) -> str:
    """Return ``host`` without its ``www.``, ``m.`` or ``mobile.`` front (in that order).

    ``www.instagram.com`` and ``m.youtube.com`` name the site a person means; the
    snapshot key keeps the host as ``normalize_url`` gives it.
    """
    site = host.lower()
    for prefix in _FRONT_PREFIXES:
        site = site.removeprefix(prefix)
    return site


#: Path segments that are user names, which these platforms match without case:
#: X's ``/USER/status/ID``, Bluesky's ``/profile/HANDLE/post/ID``, the fediverse's ``/@USER``.
_HANDLE_PATHS = (
    re.compile(r"^(/)([^/]+)(/status(?:es)?/.*)$"),
    re.compile(r"^(/profile/)([^/]+)(/post/.*)$"),
    re.compile(r"^(/)(@[^/]+)(/.*)?$"),
)
_HANDLE_HOSTS = {"twitter.com": _HANDLE_PATHS[0], "bsky.app": _HANDLE_PATHS[1]}


def same_post_key(url: str) -> str:
    """Return the form under which two links to one post compare equal.

    Beyond ``normalize_url``: ``http`` and ``https``, with and without ``www.``, with
    and without a trailing slash, and user names and handles in any case (X, Bluesky,
    Mastodon) are the same post. Only for telling duplicates apart: snapshots stay
    keyed by ``normalize_url``, which keeps what a server may tell apart.
    """
    parts = urlsplit(normalize_url(url))
    host = site_host(parts.netloc)
    path = parts.path.rstrip("/") or "/"
    pattern = _HANDLE_HOSTS.get(host, _HANDLE_PATHS[2])
    match = pattern.match(path)
    if match is not None:
        path = match.group(1) + match.group(2).lower() + (match.group(3) or "")
    return urlunsplit(("https", host, path, parts.query, ""))
