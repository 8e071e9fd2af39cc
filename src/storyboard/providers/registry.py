"""The provider registry: an ordered set of providers and the match of a URL to one."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from storyboard.providers.builtin import BUILTIN_PROVIDERS, SHORT_LINK_SCHEMES
from storyboard.providers.host_index import HostIndex
from storyboard.providers.json_file import read_providers_file
from storyboard.providers.model import Endpoint, Provider
from storyboard.providers.oembed_registry import RegistryTable, current_table
from storyboard.urls import normalize_url

#: Short and share links, matched as endpoint schemes are (``http``/``https``, ``www.``).
_SHORT_LINKS = Endpoint(url="", schemes=SHORT_LINK_SCHEMES)


class ProviderRegistry:
    """An ordered set of providers; the first whose endpoint fits a URL wins.

    A registry may have a fallback: a table of providers (oembed.com's registry) read
    only when a URL or name is not matched by the registry's own providers, or when
    the whole list is asked for, and matched after all of them. A fallback provider
    that one of the registry's own shadows (same name, slug or endpoint) is left out:
    the curated entry knows more.
    """

    def __init__(
        self,
        providers: Iterable[Provider],
        *,
        fallback: Callable[[], RegistryTable] | None = None,
    ) -> None:
        self._providers = tuple(providers)
        self._fallback = fallback
        self._entries: list[tuple[Provider, Endpoint]] = [
            (provider, endpoint) for provider in self._providers for endpoint in provider.endpoints
        ]
        self._index = HostIndex()
        for number, (_, endpoint) in enumerate(self._entries):
            for scheme in endpoint.schemes:
                self._index.add(number, scheme)
        self._own_names = {p.name.casefold() for p in self._providers} | {
            p.slug for p in self._providers
        }
        self._own_endpoints = {endpoint.url for _, endpoint in self._entries}
        self._fallback_table: RegistryTable | None = None

    @classmethod
    def builtin(cls) -> ProviderRegistry:
        """Return the registry of the built-in provider table alone."""
        return _builtin_registry()

    @classmethod
    def default(cls) -> ProviderRegistry:
        """Return the built-in table backed by oembed.com's registry (downloaded or shipped)."""
        return cls(BUILTIN_PROVIDERS, fallback=current_table)

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
        return ProviderRegistry([*extra, *kept], fallback=self._fallback)

    def _table(self) -> RegistryTable:
        """Return the fallback table, found once: finding it reads files (asked once a card)."""
        if self._fallback_table is None:
            assert self._fallback is not None
            self._fallback_table = self._fallback()
        return self._fallback_table

    def match(self, url: str) -> tuple[Provider, Endpoint] | None:
        """Return the first provider endpoint whose schemes fit ``url`` or its normal form.

        The fallback is read, and asked, only when none of the registry's own fits.
        """
        for candidate in _with_normal_form(url):
            found = self._match_own(candidate)
            if found is not None:
                return found
        if self._fallback is None:
            return None
        table = self._table()
        for candidate in _with_normal_form(url):
            for provider in table.candidates(candidate):
                if self._shadows(provider):
                    continue
                for endpoint in provider.endpoints:
                    if endpoint.matches(candidate):
                        return provider, endpoint
        return None

    @staticmethod
    def is_short_link(url: str) -> bool:
        """Tell whether ``url`` is a short or share link, to follow before matching."""
        return _SHORT_LINKS.matches(url)

    def player_provider(self, url: str) -> tuple[Provider, str] | None:
        """Return the own provider that derives a player from ``url``, and that player.

        For providers known by their pages rather than an oEmbed endpoint (LinkedIn,
        Google Slides, Canva): their card comes from the page, the player from here.
        """
        for candidate in _with_normal_form(url):
            for provider in self._providers:
                player = provider.player_url(candidate)
                if player is not None:
                    return provider, player
        return None

    def by_name(self, name: str) -> Provider | None:
        """Return the provider with this name or slug (case does not matter)."""
        wanted = name.casefold()
        for provider in self._providers:
            if wanted in (provider.name.casefold(), provider.slug):
                return provider
        if self._fallback is None:
            return None
        found = self._table().named(name)
        return None if found is None or self._shadows(found) else found

    def __iter__(self) -> Iterator[Provider]:
        yield from self._providers
        if self._fallback is not None:
            yield from (p for p in self._table().all() if not self._shadows(p))

    def __len__(self) -> int:
        if self._fallback is None:
            return len(self._providers)
        return sum(1 for _ in self)

    def _shadows(self, provider: Provider) -> bool:
        """Tell whether one of the registry's own providers stands for ``provider``."""
        return (
            provider.slug in self._own_names
            or provider.name.casefold() in self._own_names
            or any(e.url in self._own_endpoints for e in provider.endpoints)
        )

    def _match_own(self, url: str) -> tuple[Provider, Endpoint] | None:
        for number in self._index.candidates(url):
            provider, endpoint = self._entries[number]
            if endpoint.matches(url):
                return provider, endpoint
        return None


def _with_normal_form(url: str) -> Iterator[str]:
    yield url
    try:
        normal = normalize_url(url)
    except ValueError:
        return
    if normal != url:
        yield normal


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
