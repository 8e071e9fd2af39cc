"""oEmbed providers: endpoints, URL schemes and the registry that matches a URL to them.

A scheme is an oembed.com glob: ``*`` matches any run of characters. In the host it
stops at the end of the host (``https://*.youtube.com/watch*`` matches
``www.youtube.com`` and ``m.youtube.com`` but never ``evil.example/x.youtube.com``);
in the path and query it matches anything. Hosts and the URL scheme compare without
case, paths with case. ``http`` and ``https`` schemes are interchangeable: the
registry lists many providers by their ``http://`` URLs, and every one of them now
serves the same page over ``https``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from storyboard.errors import ProviderRegistryError
from storyboard.urls import check_http_url, host_of, normalize_url

FORMAT_PLACEHOLDER = "{format}"

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
    host_re = _glob_to_regex(authority, _HOST_WILDCARD)
    return f"(?i:{scheme_re}://{host_re}){_glob_to_regex(slash + path, '.*')}"


def _scheme_host_key(scheme: str) -> tuple[str, str]:
    """Return how the registry indexes a scheme: by exact host, by domain suffix, or not."""
    _, sep, rest = scheme.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].lower()
    if not sep or not host or ":" in host or "@" in host:
        return ("any", "")
    if "*" not in host:
        return ("exact", host)
    tail = host.rsplit("*", 1)[1]
    if tail.startswith(".") and len(tail) > 1:
        return ("suffix", tail[1:])
    return ("any", "")


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
        if self.schemes:
            source = "|".join(f"(?:{compile_scheme(s)})" for s in self.schemes)
            object.__setattr__(self, "_pattern", re.compile(source))

    def matches(self, url: str) -> bool:
        """Tell whether ``url`` fits one of this endpoint's schemes."""
        return self._pattern is not None and self._pattern.fullmatch(url.strip()) is not None

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

    def __post_init__(self) -> None:
        object.__setattr__(self, "endpoints", tuple(self.endpoints))
        object.__setattr__(self, "iframe_hosts", frozenset(h.lower() for h in self.iframe_hosts))
        object.__setattr__(self, "script_urls", tuple(self.script_urls))


def iframe_host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """Tell whether ``host`` is in ``allowed``, where ``*.d`` stands for any subdomain of ``d``."""
    host = host.lower().rstrip(".")
    if not host:
        return False
    for entry in allowed:
        if entry.startswith("*."):
            if host.endswith(entry[1:]):
                return True
        elif host == entry:
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


class ProviderRegistry:
    """An ordered set of providers; the first whose endpoint fits a URL wins."""

    def __init__(self, providers: Iterable[Provider]) -> None:
        self._providers = tuple(providers)
        self._entries: list[tuple[Provider, Endpoint]] = [
            (provider, endpoint) for provider in self._providers for endpoint in provider.endpoints
        ]
        # An index from host to candidate entries, so a match tests a handful of
        # precompiled patterns instead of every one of ~400 providers.
        self._exact: dict[str, set[int]] = {}
        self._suffix: dict[str, set[int]] = {}
        self._any: set[int] = set()
        for index, (_, endpoint) in enumerate(self._entries):
            for scheme in endpoint.schemes:
                kind, key = _scheme_host_key(scheme)
                if kind == "exact":
                    self._exact.setdefault(key, set()).add(index)
                elif kind == "suffix":
                    self._suffix.setdefault(key, set()).add(index)
                else:
                    self._any.add(index)

    @classmethod
    def builtin(cls) -> ProviderRegistry:
        """Return the registry of the built-in provider table."""
        return _builtin_registry()

    @staticmethod
    def load_file(path: Path) -> list[Provider]:
        """Read providers from a file in oembed.com's ``providers.json`` format."""
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise ProviderRegistryError(
                f"cannot read providers file {path}: {exc.strerror or exc}"
            ) from exc
        except UnicodeDecodeError as exc:
            raise ProviderRegistryError(f"{path}: not UTF-8 text ({exc.reason})") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ProviderRegistryError(
                f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"
            ) from exc
        if not isinstance(data, list):
            raise ProviderRegistryError(
                f"{path}: expected a JSON list of providers, got {_json_kind(data)}"
            )
        return [_provider_from_entry(entry, path, index) for index, entry in enumerate(data)]

    def with_extra(self, providers: Iterable[Provider]) -> ProviderRegistry:
        """Return a registry where ``providers`` are matched before the present ones.

        An extra provider with the name or slug of a present one replaces it. It keeps
        what providers.json cannot say: the replaced provider's iframe hosts and
        scripts, and the extra query parameters of an endpoint at the same URL.
        """
        extra = list(providers)
        kept: list[Provider] = []
        for present in self._providers:
            twin = next((p for p in extra if _same_provider(p, present)), None)
            if twin is None:
                kept.append(present)
                continue
            merged = replace(
                twin,
                endpoints=tuple(_inherit_params(e, present.endpoints) for e in twin.endpoints),
                iframe_hosts=twin.iframe_hosts | present.iframe_hosts,
                script_urls=twin.script_urls or present.script_urls,
            )
            extra[extra.index(twin)] = merged
        return ProviderRegistry([*extra, *kept])

    def match(self, url: str) -> tuple[Provider, Endpoint] | None:
        """Return the first provider endpoint whose schemes fit ``url`` or its normal form."""
        found = self._match(url)
        if found is None:
            try:
                normal = normalize_url(url)
            except ValueError:
                return None
            if normal != url:
                found = self._match(normal)
        return found

    def by_name(self, name: str) -> Provider | None:
        """Return the provider with this name or slug (case does not matter)."""
        wanted = name.casefold()
        for provider in self._providers:
            if wanted in (provider.name.casefold(), provider.slug):
                return provider
        return None

    def __iter__(self) -> Iterator[Provider]:
        return iter(self._providers)

    def __len__(self) -> int:
        return len(self._providers)

    def _match(self, url: str) -> tuple[Provider, Endpoint] | None:
        try:
            host = host_of(url).rstrip(".")
        except ValueError:
            host = ""
        candidates = set(self._any)
        candidates |= self._exact.get(host, set())
        labels = host.split(".")
        for start in range(len(labels)):
            candidates |= self._suffix.get(".".join(labels[start:]), set())
        for index in sorted(candidates):
            provider, endpoint = self._entries[index]
            if endpoint.matches(url):
                return provider, endpoint
        return None


def _same_provider(a: Provider, b: Provider) -> bool:
    return a.slug == b.slug or a.name.casefold() == b.name.casefold()


def _inherit_params(endpoint: Endpoint, known: Iterable[Endpoint]) -> Endpoint:
    if endpoint.params:
        return endpoint
    for other in known:
        if other.url == endpoint.url and other.params:
            return replace(endpoint, params=other.params)
    return endpoint


@functools.cache
def _builtin_registry() -> ProviderRegistry:
    from storyboard.builtin_providers import BUILTIN_PROVIDERS  # noqa: PLC0415 (cycle)

    return ProviderRegistry(BUILTIN_PROVIDERS)


# -- reading providers.json -------------------------------------------------------


def _json_kind(value: object) -> str:
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return kinds.get(type(value), "a number")


def _provider_from_entry(entry: object, path: Path, index: int) -> Provider:
    where = f"{path}: [{index}]"
    if not isinstance(entry, dict):
        raise ProviderRegistryError(f"{where}: expected an object, got {_json_kind(entry)}")
    name = entry.get("provider_name")
    if not isinstance(name, str) or not name.strip():
        raise ProviderRegistryError(f'{where}: "provider_name" must be a non-empty string')
    name = name.strip()
    where = f'{where} "{name}"'
    provider_url = entry.get("provider_url", "")
    if not isinstance(provider_url, str):
        raise ProviderRegistryError(f'{where}: "provider_url" must be a string')
    raw_endpoints = entry.get("endpoints")
    if not isinstance(raw_endpoints, list):
        raise ProviderRegistryError(f'{where}: "endpoints" must be a list')
    endpoints = tuple(
        _endpoint_from_entry(raw, f"{where}: endpoints[{number}]")
        for number, raw in enumerate(raw_endpoints)
    )
    return Provider(
        name=name,
        url=provider_url.strip(),
        endpoints=endpoints,
        slug=provider_slug(name),
        iframe_hosts=derive_iframe_hosts(provider_url, (e.url for e in endpoints)),
    )


def _endpoint_from_entry(raw: object, where: str) -> Endpoint:
    if not isinstance(raw, dict):
        raise ProviderRegistryError(f"{where}: expected an object, got {_json_kind(raw)}")
    url = raw.get("url")
    if url is None:
        raise ProviderRegistryError(f'{where}: no "url"')
    if not isinstance(url, str):
        raise ProviderRegistryError(f"{where}.url: must be a string")
    url = url.strip()
    try:
        check_http_url(url.replace(FORMAT_PLACEHOLDER, "json"))
    except ValueError as exc:
        raise ProviderRegistryError(f"{where}.url: {exc}: {url}") from exc
    schemes = _string_list(raw, "schemes", where)
    formats = tuple(f.lower() for f in _string_list(raw, "formats", where)) or ("json",)
    discovery = raw.get("discovery", False)
    if not isinstance(discovery, bool):
        raise ProviderRegistryError(f"{where}.discovery: must be true or false")
    return Endpoint(url=url, schemes=schemes, formats=formats, discovery=discovery)


def _string_list(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise ProviderRegistryError(f"{where}.{key}: must be a list of strings")
    for number, item in enumerate(value):
        if not isinstance(item, str):
            raise ProviderRegistryError(
                f"{where}.{key}[{number}]: must be a string, got {_json_kind(item)}"
            )
    return tuple(item.strip() for item in value if item.strip())
