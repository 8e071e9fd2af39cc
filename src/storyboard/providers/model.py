"""oEmbed providers: endpoints, URL schemes and the registry that matches a URL to them.

A scheme is an oembed.com glob: ``*`` matches any run of characters. In the host it
stops at the end of the host (``https://*.youtube.com/watch*`` matches
``www.youtube.com`` and ``m.youtube.com`` but never ``evil.example/x.youtube.com``);
in the path and query it matches anything. Hosts and the URL scheme compare without
case, paths with case.

Matching is as lenient as the links people paste: ``http`` and ``https`` are
interchangeable (the registry lists many providers by their ``http://`` URLs, and
every one of them now serves the same page over ``https``); a leading ``www.`` is
optional on both sides; and a scheme that ends in a literal path (``.../graph``,
``.../*/``) also takes the URL with or without a trailing slash, followed by a query
string (``?utm_source=...``) or a fragment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from storyboard.urls import host_of

FORMAT_PLACEHOLDER = "{format}"
#: The source of the curated table's entries.
BUILTIN_SOURCE = "built-in"
#: How the sources of oembed.com's registry entries start: ``registry (packaged, DATE)``.
REGISTRY_SOURCE_PREFIX = "registry ("

#: Characters a ``*`` in a scheme's host may stand for: anything up to the end of the
#: authority, never the userinfo separator (``https://*.video.example@evil.example``).
_HOST_WILDCARD = r"[^/?#@\\\s]*"

#: Second-level labels under which a country's domains are registered (``bbc.co.uk``).
_GENERIC_SECOND_LEVEL = frozenset({"ac", "co", "com", "edu", "gov", "go", "ne", "net", "or", "org"})
#: Shared-hosting suffixes whose subdomains belong to unrelated owners.
_SHARED_SUFFIXES = frozenset(
    {
        "amazonaws.com",
        "appspot.com",
        "azurewebsites.net",
        "blogspot.com",
        "cloudfront.net",
        "firebaseapp.com",
        "github.io",
        "gitlab.io",
        "glitch.me",
        "herokuapp.com",
        "netlify.app",
        "ngrok.io",
        "pages.dev",
        "vercel.app",
        "web.app",
    }
)


def _glob_to_regex(glob: str, wildcard: str) -> str:
    return wildcard.join(re.escape(part) for part in glob.split("*"))


def compile_scheme(scheme: str) -> str:
    """Return the regular expression (unanchored source) for one oembed.com scheme glob."""
    prefix, sep, rest = scheme.partition("://")
    if not sep:  # a non-URL scheme such as ``spotify:*``
        return f"(?i:{_glob_to_regex(scheme, '.*')})"
    authority, slash, path = rest.partition("/")
    scheme_re = "https?" if prefix.lower() in ("http", "https") else re.escape(prefix)
    return f"(?i:{scheme_re}://{_host_regex(authority)}){_path_regex(slash + path)}"


def _host_regex(authority: str) -> str:
    bare = _without_www(authority)
    host_re = _glob_to_regex(bare, _HOST_WILDCARD)
    if bare.startswith("*"):  # ``*.youtube.com`` already stands for ``www.youtube.com``
        return host_re
    return rf"(?:www\.)?{host_re}"


def _path_regex(path: str) -> str:
    if path.endswith("*"):  # the wildcard takes slashes, queries and fragments already
        return _glob_to_regex(path, ".*")
    if "?" in path:  # the scheme names a query: more parameters may follow it
        return _glob_to_regex(path, ".*") + "(?:&.*)?(?:#.*)?"
    return _glob_to_regex(path.rstrip("/"), ".*") + "/?(?:[?#].*)?"


def _without_www(host: str) -> str:
    return host[4:] if host[:4].lower() == "www." else host


def scheme_host_key(scheme: str) -> tuple[str, str]:
    """Return how the registry indexes a scheme: by exact host, by domain suffix, or not.

    Exact hosts are indexed without ``www.``, since either form matches; look them
    up with ``index_host``.
    """
    _, sep, rest = scheme.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].lower()
    if not sep or not host or ":" in host or "@" in host:
        return ("any", "")
    if "*" not in host:
        return ("exact", index_host(host))
    tail = host.rsplit("*", 1)[1]
    if tail.startswith(".") and len(tail) > 1:
        return ("suffix", tail[1:])
    return ("any", "")


def index_host(host: str) -> str:
    """Return the key under which the registry files an exact host: lowercase, no ``www.``."""
    return _without_www(host.lower().rstrip("."))


@dataclass(frozen=True)
class Endpoint:
    """One oEmbed endpoint and the URL schemes it answers for."""

    url: str  # may contain {format}
    schemes: tuple[str, ...]
    formats: tuple[str, ...] = ("json",)
    #: The provider's pages name this endpoint in a discovery ``<link>`` too.
    discovery: bool = False
    #: Extra query parameters sent with every request (X: ``omit_script=1``, ``dnt=true``).
    params: Mapping[str, str] = field(default_factory=dict)
    _pattern: re.Pattern[str] | None = field(
        default=None, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        # Accept lists from callers but keep the frozen value immutable and comparable.
        object.__setattr__(self, "schemes", tuple(self.schemes))
        object.__setattr__(self, "formats", tuple(self.formats))
        object.__setattr__(self, "params", dict(self.params))

    def matches(self, url: str) -> bool:
        """Tell whether ``url`` fits one of this endpoint's schemes."""
        if not self.schemes:
            return False
        pattern = self._pattern
        if pattern is None:
            # Compiled on first use: of the registry's ~400 providers a run tests only
            # the few whose hosts its URLs name.
            source = "|".join(f"(?:{compile_scheme(s)})" for s in self.schemes)
            pattern = re.compile(source)
            object.__setattr__(self, "_pattern", pattern)
        return pattern.fullmatch(url.strip()) is not None

    def request_url(
        self, url: str, *, maxwidth: int | None, maxheight: int | None, fmt: str = "json"
    ) -> str:
        """Return the endpoint URL that asks for the oEmbed answer about ``url``.

        ``format`` is sent only when the endpoint URL does not already say it, either
        as a ``{format}`` placeholder (Vimeo, TED) or as a ``.json``/``.xml`` path
        (Speaker Deck): a redundant parameter gains nothing, and the spec makes it
        optional. Otherwise it is sent, because a few providers answer XML by default.
        """
        parts = urlsplit(self.url.replace(FORMAT_PLACEHOLDER, fmt))
        ours: dict[str, str] = {"url": url}
        path = parts.path.lower()
        if FORMAT_PLACEHOLDER not in self.url and not path.endswith((".json", ".xml")):
            ours["format"] = fmt
        if maxwidth is not None and maxwidth > 0:
            ours["maxwidth"] = str(maxwidth)
        if maxheight is not None and maxheight > 0:
            ours["maxheight"] = str(maxheight)
        existing = parse_qsl(parts.query, keep_blank_values=True)
        present = {key for key, _ in existing}
        if "format" in present:  # e.g. ``/oembed/?format=json`` in the registry
            ours.pop("format", None)
        query = [(k, v) for k, v in existing if k not in ours]
        query += list(ours.items())
        query += [(k, v) for k, v in self.params.items() if k not in ours and k not in present]
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


class StoragePolicy(StrEnum):
    """What a provider's terms let a story archive of its answers."""

    FULL = "full"
    #: Only the link, the provider's name and its player's address (Meta's terms forbid
    #: persisting oEmbed content): the card links, and click mode loads the official embed.
    LINK_ONLY = "link-only"


@dataclass(frozen=True)
class PlayerRule:
    """How a provider's page URL becomes the address of its official embed player.

    ``pattern`` is a regular expression matched against the whole URL (host without
    case); its named groups, and ``quoted_url`` (the URL percent-encoded), fill
    ``template``.
    """

    pattern: str
    template: str

    def player_url(self, url: str) -> str | None:
        """Return the player address for ``url``, or None if the rule does not fit it."""
        match = re.fullmatch(self.pattern, url.strip())
        if match is None:
            return None
        values = {k: v for k, v in match.groupdict().items() if v is not None}
        return self.template.format(quoted_url=quote(url.strip(), safe=""), **values)


@dataclass(frozen=True)
class Provider:
    """A site that answers oEmbed requests, with what its embeds may load."""

    name: str
    url: str
    endpoints: tuple[Endpoint, ...]
    #: Template name and CSS class: ``twitter``, ``youtube``, ``speakerdeck``.
    slug: str
    #: Hosts whose iframes may appear in its HTML or player; ``*.example.com`` stands
    #: for every subdomain of ``example.com`` (see ``iframe_host_allowed``).
    iframe_hosts: frozenset[str] = frozenset()
    #: Scripts that ``live`` mode may load for it (X: its widgets.js).
    script_urls: tuple[str, ...] = ()
    #: Where the entry came from, as ``providers list`` shows it: ``built-in``,
    #: ``registry (packaged, 2026-06-04)`` or the path of a providers.json file.
    source: str = field(default=BUILTIN_SOURCE, compare=False)
    storage: StoragePolicy = StoragePolicy.FULL
    #: Player addresses derived from page URLs, for click mode: the only player of a
    #: provider without oEmbed (LinkedIn, Google Slides) or whose answers are not kept.
    players: tuple[PlayerRule, ...] = ()
    #: Rewrites of page URLs into the form the endpoint answers for (SlideShare's
    #: ``/slideshow/SLUG/ID`` pages into ``/slideshow/embed_code/ID``); same rule shape.
    endpoint_forms: tuple[PlayerRule, ...] = ()
    #: Statuses the provider answers pages with when it refuses a client (LinkedIn: 999).
    refusal_statuses: frozenset[int] = frozenset()
    #: The environment variable whose value, when set, is sent as ``access_token``
    #: (Meta answers without one, at a lower rate limit).
    token_variable: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "endpoints", tuple(self.endpoints))
        object.__setattr__(self, "players", tuple(self.players))
        object.__setattr__(self, "endpoint_forms", tuple(self.endpoint_forms))
        object.__setattr__(self, "iframe_hosts", frozenset(h.lower() for h in self.iframe_hosts))
        object.__setattr__(self, "script_urls", tuple(self.script_urls))

    def player_url(self, url: str) -> str | None:
        """Return the official player's address for ``url`` from the first rule that fits."""
        for rule in self.players:
            found = rule.player_url(url)
            if found is not None:
                return found
        return None

    def endpoint_form(self, url: str) -> str:
        """Return ``url`` in the form the provider's endpoint answers for."""
        for rule in self.endpoint_forms:
            found = rule.player_url(url)
            if found is not None:
                return found
        return url

    @property
    def from_oembed_registry(self) -> bool:
        """Tell whether the entry is oembed.com's registry's, known from nothing else."""
        return self.source.startswith(REGISTRY_SOURCE_PREFIX)


def iframe_host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """Tell whether ``host`` is in ``allowed``, where ``*.d`` stands for any subdomain of ``d``.

    The one rule for which hosts may serve a player or an iframe: the sanitizer, the
    card extractor and the renderer all ask here. ``host`` must be a bare host name
    (``urlsplit(url).hostname``); anything with a path, userinfo or port in it is
    refused rather than guessed at.
    """
    host = host.strip().lower().rstrip(".")
    if not host or any(ch in host for ch in "/\\@:?#*") or any(ch.isspace() for ch in host):
        return False
    for raw in allowed:
        entry = raw.strip().lower().rstrip(".")
        if entry.startswith("*."):
            suffix = entry[1:]
            if len(suffix) > 1 and host.endswith(suffix) and len(host) > len(suffix):
                return True
        elif entry and host == entry:
            return True
    return False


def provider_slug(name: str) -> str:
    """Return the slug of a provider name: its lowercase ASCII letters and digits."""
    return re.sub(r"[^a-z0-9]", "", name.lower()) or "provider"


def registrable_domain(host: str) -> str:
    """Return the part of ``host`` its owner registered (``a.example.co.uk``: ``example.co.uk``).

    A heuristic without the public suffix list: the last two labels, or three when the
    second-to-last is a generic second level under a country code (``co.uk``), or one
    more when the domain is a shared-hosting suffix (``github.io``).
    """
    host = host.lower().rstrip(".")
    labels = host.split(".")
    if len(labels) < 2 or host.replace(".", "").isdigit() or ":" in host:
        return host
    keep = 2
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _GENERIC_SECOND_LEVEL:
        keep = 3
    if ".".join(labels[-keep:]) in _SHARED_SUFFIXES:
        keep += 1
    return ".".join(labels[-keep:])


def derive_iframe_hosts(provider_url: str, endpoint_urls: Iterable[str]) -> frozenset[str]:
    """Return the iframe hosts assumed for a provider known only from providers.json.

    The file says nothing about players, so a provider is trusted for its own domain:
    the registrable domain of its site and of its endpoints, and every subdomain of
    it (Vimeo's ``player.vimeo.com``, SoundCloud's ``w.soundcloud.com``).
    """
    hosts: set[str] = set()
    for url in (provider_url, *endpoint_urls):
        host = host_of(url.replace(FORMAT_PLACEHOLDER, "json"))
        if not host:
            continue
        domain = registrable_domain(host)
        hosts.update({host, domain, f"*.{domain}"})
    return frozenset(hosts)
