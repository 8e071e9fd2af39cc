"""oEmbed providers as data: the model, the built-in table, providers.json files, the registry.

The registry in use (``ProviderRegistry.default``) is, in order of precedence: the
user's ``--providers`` files, the curated built-in table, then oembed.com's registry
(the copy ``providers update`` downloaded, else the one shipped in ``data/``).
"""

from storyboard.providers.model import (
    BUILTIN_SOURCE,
    FORMAT_PLACEHOLDER,
    Endpoint,
    PlayerRule,
    Provider,
    StoragePolicy,
    compile_scheme,
    derive_iframe_hosts,
    iframe_host_allowed,
    provider_slug,
    registrable_domain,
)
from storyboard.providers.registry import ProviderRegistry

__all__ = [
    "BUILTIN_SOURCE",
    "FORMAT_PLACEHOLDER",
    "Endpoint",
    "PlayerRule",
    "Provider",
    "ProviderRegistry",
    "StoragePolicy",
    "compile_scheme",
    "derive_iframe_hosts",
    "iframe_host_allowed",
    "provider_slug",
    "registrable_domain",
]
