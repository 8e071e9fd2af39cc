"""The provider registry: an ordered set of providers and the match of a URL to one."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from storyboard.providers.builtin import BUILTIN_PROVIDERS
from storyboard.providers.json_file import read_providers_file
from storyboard.providers.model import Endpoint, Provider, index_host, scheme_host_key
from storyboard.providers.oembed_registry import load_registry
from storyboard.urls import host_of, normalize_url

#: Supplies providers consulted only after every provider of the registry itself.
FallbackLoader = Callable[[], Sequence[Provider]]


class ProviderRegistry:
    """An ordered set of providers; the first whose endpoint fits a URL wins.

    A registry may have a fallback: providers (oembed.com's registry) read only when
    a URL, a name or the whole list is asked of them, and then matched after all of
    the registry's own. A fallback provider that one of the registry's own providers
    shadows (same name, slug or endpoint) is left out: the curated entry knows more.
    """

    def __init__(
        self, providers: Iterable[Provider], *, fallback: FallbackLoader | None = None
    ) -> None:
        self._providers = tuple(providers)
        self._fallback_loader = fallback
        self._fallback: ProviderRegistry | None = None
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
                kind, key = scheme_host_key(scheme)
                if kind == "exact":
                    self._exact.setdefault(key, set()).add(index)
                elif kind == "suffix":
                    self._suffix.setdefault(key, set()).add(index)
                else:
                    self._any.add(index)

    @classmethod
    def builtin(cls) -> ProviderRegistry:
        """Return the registry of the built-in provider table alone."""
        return _builtin_registry()

    @classmethod
    def default(cls) -> ProviderRegistry:
        """Return the built-in table backed by oembed.com's registry (downloaded or shipped)."""
        return cls(BUILTIN_PROVIDERS, fallback=_oembed_registry_providers)

    @staticmethod
    def load_file(path: Path) -> list[Provider]:
        """Read providers from a file in oembed.com's ``providers.json`` format."""
        return read_providers_file(path)

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
        return ProviderRegistry([*extra, *kept], fallback=self._fallback_loader)

    def match(self, url: str) -> tuple[Provider, Endpoint] | None:
        """Return the first provider endpoint whose schemes fit ``url`` or its normal form.

        The fallback is read, and asked, only when none of the registry's own fits.
        """
        found = self._match_own(url)
        if found is None and self._fallback_loader is not None:
            found = self._fallback_registry().match(url)
        return found

    def by_name(self, name: str) -> Provider | None:
        """Return the provider with this name or slug (case does not matter)."""
        wanted = name.casefold()
        for provider in self._providers:
            if wanted in (provider.name.casefold(), provider.slug):
                return provider
        if self._fallback_loader is not None:
            return self._fallback_registry().by_name(name)
        return None

    def __iter__(self) -> Iterator[Provider]:
        yield from self._providers
        if self._fallback_loader is not None:
            yield from self._fallback_registry()

    def __len__(self) -> int:
        fallback = len(self._fallback_registry()) if self._fallback_loader is not None else 0
        return len(self._providers) + fallback

    def _fallback_registry(self) -> ProviderRegistry:
        if self._fallback is None:
            loader = self._fallback_loader
            loaded = loader() if loader is not None else ()
            own_urls = {e.url for p in self._providers for e in p.endpoints}
            self._fallback = ProviderRegistry(
                p
                for p in loaded
                if not any(_same_provider(p, mine) for mine in self._providers)
                and not any(e.url in own_urls for e in p.endpoints)
            )
        return self._fallback

    def _match_own(self, url: str) -> tuple[Provider, Endpoint] | None:
        found = self._match(url)
        if found is None:
            try:
                normal = normalize_url(url)
            except ValueError:
                return None
            if normal != url:
                found = self._match(normal)
        return found

    def _match(self, url: str) -> tuple[Provider, Endpoint] | None:
        try:
            host = host_of(url).rstrip(".")
        except ValueError:
            host = ""
        candidates = set(self._any)
        candidates |= self._exact.get(index_host(host), set())
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
    return ProviderRegistry(BUILTIN_PROVIDERS)


def _oembed_registry_providers() -> list[Provider]:
    return load_registry()[1]
