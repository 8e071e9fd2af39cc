"""oembed.com's provider registry: the copy shipped with storyboard and a downloaded one.

storyboard ships a copy of oembed.com's ``providers.json`` (MIT, see ``data/NOTICE``;
``scripts/refresh_registry.py`` refreshes it). ``storyboard providers update``
downloads the current registry into the user's cache directory, and from then on that
copy is used instead of the shipped one. Either way the registry comes after the
curated built-in table, which knows more about the providers it lists (parameters,
player hosts); see ``ProviderRegistry.default``.

The registry is read only when a URL or name is not matched by the built-in table, at
most once per process for each copy, and each provider is built only when a URL or
name asks for it (see ``RegistryTable``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from storyboard import clock
from storyboard.errors import ProviderRegistryError
from storyboard.fsio import write_atomically
from storyboard.providers.host_index import HostIndex
from storyboard.providers.json_file import (
    parse_entry_list,
    parse_providers_json,
    provider_from_entry,
)
from storyboard.providers.model import (
    FORMAT_PLACEHOLDER,
    REGISTRY_SOURCE_PREFIX,
    Provider,
    provider_slug,
)
from storyboard.urls import host_of

#: Where oembed.com publishes the registry; ``providers update`` downloads it by default.
UPSTREAM_URL = "https://oembed.com/providers.json"
#: Overrides the user's cache directory (tests, or a shared cache on a server).
CACHE_DIR_ENV = "STORYBOARD_CACHE_DIR"
#: The registry is ~170 kB; anything near this cap is not the registry.
MAX_REGISTRY_BYTES = 8 * 1024 * 1024

PACKAGED_DIR = Path(__file__).parent / "data"
REGISTRY_NAME = "providers.json"
#: Beside each copy: where it came from and its date, as JSON.
META_NAME = "providers.meta.json"

#: Endpoint hosts that answer only requests carrying the caller's access token (Meta's
#: Graph API, for Facebook and Instagram). Left out, so those links keep going to their
#: pages' metadata, as without the registry, instead of failing at the endpoint.
TOKEN_ONLY_ENDPOINT_HOSTS = frozenset({"graph.facebook.com"})

CopyKind = Literal["packaged", "downloaded"]


@dataclass(frozen=True)
class RegistryCopy:
    """One copy of the registry on disk, with where it came from and its date."""

    kind: CopyKind
    path: Path
    origin: str  # a URL, or the npm package it was taken from
    date: str  # YYYY-MM-DD: the registry's release, or the day it was downloaded

    @property
    def label(self) -> str:
        """How ``providers list`` names this copy: ``registry (packaged, 2026-06-04)``."""
        return f"{REGISTRY_SOURCE_PREFIX}{self.kind}, {self.date})"


def cache_dir() -> Path:
    """Return storyboard's cache directory: ``$STORYBOARD_CACHE_DIR`` or the platform's."""
    configured = os.environ.get(CACHE_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    import platformdirs  # noqa: PLC0415  (only commands that reach the registry need it)

    return Path(platformdirs.user_cache_dir("storyboard", appauthor=False))


def packaged_copy() -> RegistryCopy:
    """Return the copy shipped inside the package."""
    return _copy("packaged", PACKAGED_DIR)


def downloaded_copy() -> RegistryCopy | None:
    """Return the copy ``providers update`` left in the cache directory, if there is one."""
    directory = cache_dir()
    if not (directory / REGISTRY_NAME).is_file():
        return None
    return _copy("downloaded", directory)


class RegistryTable:
    """The providers of one registry copy, each built the first time a URL or name needs it.

    Reading the JSON and filing its schemes by host takes a few milliseconds; building
    all ~400 providers (checking URLs, compiling patterns) would take ten times that.
    Entries that do not read are skipped: every copy was checked whole when it was
    written, so such an entry was damaged since, and the rest stays usable.
    """

    def __init__(self, copy: RegistryCopy, entries: list[object]) -> None:
        self.copy = copy
        self._entries = entries
        self._built: dict[int, Provider | None] = {}
        self._index = HostIndex()
        self._names: dict[str, int] = {}
        for number, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            name = entry.get("provider_name")
            if isinstance(name, str):
                self._names.setdefault(name.strip().casefold(), number)
                self._names.setdefault(provider_slug(name.strip()), number)
            for endpoint in entry.get("endpoints") or ():
                schemes = endpoint.get("schemes") if isinstance(endpoint, dict) else None
                for scheme in schemes if isinstance(schemes, list) else ():
                    if isinstance(scheme, str):
                        self._index.add(number, scheme.strip())

    def candidates(self, url: str) -> list[Provider]:
        """Return, in registry order, the providers whose schemes could match ``url``."""
        found = (self._provider(number) for number in self._index.candidates(url))
        return [provider for provider in found if provider is not None]

    def named(self, name: str) -> Provider | None:
        """Return the provider with this name or slug (case does not matter), if any."""
        number = self._names.get(name.strip().casefold())
        return None if number is None else self._provider(number)

    def all(self) -> list[Provider]:
        """Return every provider, in registry order."""
        found = (self._provider(number) for number in range(len(self._entries)))
        return [provider for provider in found if provider is not None]

    def _provider(self, number: int) -> Provider | None:
        if number not in self._built:
            self._built[number] = _usable(self._entries[number], self.copy, number)
        return self._built[number]


def current_table() -> RegistryTable:
    """Return the table of the copy in use: the downloaded one, else the packaged one.

    A downloaded copy that no longer reads as a JSON list (edited by hand, disk
    trouble) is passed over for the packaged one rather than stopping every command;
    ``providers list`` shows which copy is in use.
    """
    downloaded = downloaded_copy()
    if downloaded is not None:
        try:
            return _table(downloaded)
        except ProviderRegistryError:
            pass
    return _table(packaged_copy())


def load_registry() -> tuple[RegistryCopy, list[Provider]]:
    """Return the copy in use and all of its providers."""
    table = current_table()
    return table.copy, table.all()


def save_download(content: bytes, origin: str, *, today: dt.date | None = None) -> RegistryCopy:
    """Check downloaded registry content and make it the copy in use.

    Content that does not read as a registry with at least one provider raises
    ``ProviderRegistryError`` naming ``origin``, and the copy in use stays as it was:
    both files are replaced by rename, never written in place.
    """
    providers = parse_providers_json(content, origin)
    if not providers:
        raise ProviderRegistryError(f"{origin}: the registry lists no providers")
    directory = cache_dir()
    day = (today or clock.today()).isoformat()
    meta = {"origin": origin, "date": day, "providers": len(providers)}
    write_atomically(directory / REGISTRY_NAME, content)
    write_atomically(directory / META_NAME, (json.dumps(meta, indent=2) + "\n").encode())
    return _copy("downloaded", directory)


def _copy(kind: CopyKind, directory: Path) -> RegistryCopy:
    path = directory / REGISTRY_NAME
    origin, date = "", ""
    try:
        meta = json.loads((directory / META_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = None
    if isinstance(meta, dict):
        origin = str(meta.get("origin", ""))
        date = str(meta.get("date", ""))
    if not date:  # no record: the file's own date is the best left
        try:
            mtime = path.stat().st_mtime
        except OSError:
            date = "unknown date"
        else:
            date = dt.datetime.fromtimestamp(mtime, dt.UTC).date().isoformat()
    return RegistryCopy(kind=kind, path=path, origin=origin or str(path), date=date)


def _table(copy: RegistryCopy) -> RegistryTable:
    try:
        stat = copy.path.stat()
    except OSError as exc:
        raise ProviderRegistryError(
            f"cannot read providers file {copy.path}: {exc.strerror or exc}"
        ) from exc
    # Keyed by size and time too: a later ``providers update`` in the same process
    # (or a test) sees the new file, not the one read first.
    return _table_cached(copy, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _table_cached(copy: RegistryCopy, size: int, mtime_ns: int) -> RegistryTable:
    del size, mtime_ns  # only part of the cache key
    try:
        content = copy.path.read_bytes()
    except OSError as exc:
        raise ProviderRegistryError(
            f"cannot read providers file {copy.path}: {exc.strerror or exc}"
        ) from exc
    return RegistryTable(copy, parse_entry_list(content, str(copy.path)))


def _usable(entry: object, copy: RegistryCopy, number: int) -> Provider | None:
    try:
        provider = provider_from_entry(entry, str(copy.path), number, copy.label)
    except ProviderRegistryError:
        return None
    endpoints = tuple(e for e in provider.endpoints if not _needs_token(e.url))
    return replace(provider, endpoints=endpoints) if endpoints else None


def _needs_token(endpoint_url: str) -> bool:
    try:
        host = host_of(endpoint_url.replace(FORMAT_PLACEHOLDER, "json"))
    except ValueError:
        return False
    return host in TOKEN_ONLY_ENDPOINT_HOSTS
