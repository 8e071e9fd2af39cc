"""Read a provider list in oembed.com's ``providers.json`` format, every error located."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from storyboard.errors import ProviderRegistryError
from storyboard.providers.model import (
    FORMAT_PLACEHOLDER,
    Endpoint,
    Provider,
    derive_iframe_hosts,
    provider_slug,
)
from storyboard.urls import check_http_url


def read_providers_file(path: Path, *, source: str | None = None) -> list[Provider]:
    """Read providers from a file in oembed.com's ``providers.json`` format.

    Each provider records ``source`` as where it came from (the path if not given).
    """
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ProviderRegistryError(
            f"cannot read providers file {path}: {exc.strerror or exc}"
        ) from exc
    return parse_providers_json(content, str(path), source=source)


def parse_providers_json(
    content: bytes, where: str, *, source: str | None = None
) -> list[Provider]:
    """Parse providers.json content; errors name ``where`` (a path or URL) and the entry."""
    label = where if source is None else source
    entries = parse_entry_list(content, where)
    return [provider_from_entry(entry, where, index, label) for index, entry in enumerate(entries)]


def parse_entry_list(content: bytes, where: str) -> list[object]:
    """Return the raw entries of providers.json content: checked to be a JSON list only."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProviderRegistryError(f"{where}: not UTF-8 text ({exc.reason})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProviderRegistryError(
            f"{where}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"
        ) from exc
    except RecursionError as exc:
        raise ProviderRegistryError(f"{where}: not valid JSON: nested too deeply") from exc
    if not isinstance(data, list):
        raise ProviderRegistryError(
            f"{where}: expected a JSON list of providers, got {_json_kind(data)}"
        )
    return data


def _json_kind(value: object) -> str:
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return kinds.get(type(value), "a number")


def provider_from_entry(entry: object, path: str, index: int, source: str) -> Provider:
    """Return the provider of entry ``index``; errors name ``path``, the entry and field."""
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
        source=source,
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
