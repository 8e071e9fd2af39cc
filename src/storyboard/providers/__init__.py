"""oEmbed providers as data: the model, the built-in table, providers.json files, the registry."""

from storyboard.providers.model import (
    FORMAT_PLACEHOLDER,
    Endpoint,
    Provider,
    compile_scheme,
    derive_iframe_hosts,
    iframe_host_allowed,
    provider_slug,
    registrable_domain,
)
from storyboard.providers.registry import ProviderRegistry

__all__ = [
    "FORMAT_PLACEHOLDER",
    "Endpoint",
    "Provider",
    "ProviderRegistry",
    "compile_scheme",
    "derive_iframe_hosts",
    "iframe_host_allowed",
    "provider_slug",
    "registrable_domain",
]
