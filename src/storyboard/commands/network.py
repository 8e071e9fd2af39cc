"""What every command that touches the network shares: HTTP and pool settings, the registry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from storyboard.fetch.pool import PoolSettings
from storyboard.net import FetchSettings
from storyboard.providers import ProviderRegistry

if TYPE_CHECKING:
    from storyboard.net import HttpClient


@dataclass(frozen=True)
class NetworkOptions:
    """Options shared by every command that touches the network."""

    providers_files: Sequence[Path] = ()
    http: FetchSettings = field(default_factory=FetchSettings)
    pool: PoolSettings = field(default_factory=PoolSettings)

    def client(self) -> HttpClient:
        """Return a client that keeps to these settings, the pool's requests at once too."""
        from storyboard.net import HttpClient  # requests: loaded to fetch, not to start

        return HttpClient(self.http, requests_at_once=self.pool.concurrency)


def build_registry(providers_files: Sequence[Path] = ()) -> ProviderRegistry:
    """Return the default registry (built-in table, oembed.com's) behind the user's files."""
    registry = ProviderRegistry.default()
    # Later files win over earlier ones, and all of them over the built-in table.
    for path in providers_files:
        registry = registry.with_extra(ProviderRegistry.load_file(path))
    return registry
