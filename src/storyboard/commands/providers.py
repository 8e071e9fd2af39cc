"""The ``providers`` commands: list the registry in use, download oembed.com's current one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from storyboard.commands.feedback import Outcome
from storyboard.commands.network import build_registry
from storyboard.net import FetchSettings
from storyboard.providers import Provider
from storyboard.providers.oembed_registry import (
    MAX_REGISTRY_BYTES,
    UPSTREAM_URL,
    RegistryCopy,
    load_registry,
    save_download,
)


@dataclass(kw_only=True)
class ProviderListing(Outcome):
    """Every provider in the order URLs are matched, and the registry copy behind them."""

    providers: tuple[Provider, ...]
    registry: RegistryCopy


@dataclass(kw_only=True)
class RegistryUpdate(Outcome):
    """The copy ``update_registry`` saved and how many providers it lists."""

    registry: RegistryCopy
    provider_count: int


def list_providers(providers_files: Sequence[Path] = ()) -> ProviderListing:
    """Return the providers of the registry in use: files, built-in table, oembed.com's.

    Its lines: each provider (name, slug, endpoints, source), its schemes indented, and
    last which copy of oembed.com's registry is in use.
    """
    providers = tuple(build_registry(providers_files))
    registry = load_registry()[0]
    lines = []
    for provider in providers:
        endpoints = ", ".join(e.url for e in provider.endpoints)
        lines.append(f"{provider.name}  ({provider.slug})  {endpoints}  [{provider.source}]")
        lines.extend(f"    {scheme}" for e in provider.endpoints for scheme in e.schemes)
    where = f"{registry.kind}, {registry.date}, from {registry.origin} ({registry.path})"
    lines.append(f"oembed.com registry: {where}")
    return ProviderListing(providers=providers, registry=registry, lines=lines)


def update_registry(
    url: str = UPSTREAM_URL, settings: FetchSettings | None = None
) -> RegistryUpdate:
    """Download the registry at ``url`` into the cache directory; later commands use it.

    Raises ``FetchError`` if the download fails and ``ProviderRegistryError`` if it is
    not a registry; in both cases the copy in use stays as it was.
    """
    from storyboard.net import HttpClient

    with HttpClient(settings) as client:
        response = client.get(url, max_bytes=MAX_REGISTRY_BYTES, accept="application/json")
    saved = save_download(response.content, response.url)
    count = len(load_registry()[1])
    line = f"{count} providers from {saved.origin}, saved to {saved.path}"
    return RegistryUpdate(registry=saved, provider_count=count, lines=[line])
