"""oembed.com's provider registry: the copy shipped with storyboard and a downloaded one.

storyboard ships a copy of oembed.com's ``providers.json`` (MIT, see ``data/NOTICE``;
``scripts/refresh_registry.py`` refreshes it). ``storyboard providers update``
downloads the current registry into the user's cache directory, and from then on that
copy is used instead of the shipped one. Either way the registry comes after the
curated built-in table, which knows more about the providers it lists (parameters,
player hosts); see ``ProviderRegistry.default``.

Reading ~400 providers costs a few milliseconds, so it happens only when a URL is not
matched by the built-in table, and at most once per process for each copy.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from storyboard.errors import ProviderRegistryError
from storyboard.providers.json_file import parse_providers_json, read_providers_file
from storyboard.providers.model import FORMAT_PLACEHOLDER, Provider
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
        return f"registry ({self.kind}, {self.date})"


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


def load_registry() -> tuple[RegistryCopy, list[Provider]]:
    """Return the copy in use and its providers: the downloaded one, else the packaged one.

    A downloaded copy that no longer reads (edited by hand, disk trouble) is passed over
    for the packaged one rather than stopping every command; ``providers list`` shows
    which copy is in use.
    """
    downloaded = downloaded_copy()
    if downloaded is not None:
        try:
            return downloaded, _read(downloaded)
        except ProviderRegistryError:
            pass
    packaged = packaged_copy()
    return packaged, _read(packaged)


def save_download(content: bytes, origin: str, *, today: dt.date | None = None) -> RegistryCopy:
    """Check downloaded registry content and make it the copy in use.

    Content that does not read as a registry with at least one provider raises
    ``ProviderRegistryError`` naming ``origin``, and the copy in use stays as it was:
    both files are replaced by rename, never written in place.
    """
    providers = parse_providers_json(content, origin)
    if not providers:
        raise ProviderRegistryError(f"{origin}: the registry lists no providers")
    # Imported here: only this command writes, and the store pulls in pydantic.
    from storyboard.snapshots import write_atomically  # noqa: PLC0415

    directory = cache_dir()
    day = (today or dt.datetime.now(dt.UTC).date()).isoformat()
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


def _read(copy: RegistryCopy) -> list[Provider]:
    try:
        stat = copy.path.stat()
    except OSError as exc:
        raise ProviderRegistryError(
            f"cannot read providers file {copy.path}: {exc.strerror or exc}"
        ) from exc
    # Keyed by size and time too: a later ``providers update`` in the same process
    # (or a test) sees the new file, not the one read first.
    return list(_read_cached(copy.path, copy.label, stat.st_size, stat.st_mtime_ns))


@functools.lru_cache(maxsize=4)
def _read_cached(path: Path, label: str, size: int, mtime_ns: int) -> tuple[Provider, ...]:
    del size, mtime_ns  # only part of the cache key
    usable: list[Provider] = []
    for provider in read_providers_file(path, source=label):
        endpoints = tuple(e for e in provider.endpoints if not _needs_token(e.url))
        if endpoints:
            usable.append(replace(provider, endpoints=endpoints))
    return tuple(usable)


def _needs_token(endpoint_url: str) -> bool:
    try:
        return (
            host_of(endpoint_url.replace(FORMAT_PLACEHOLDER, "json")) in TOKEN_ONLY_ENDPOINT_HOSTS
        )
    except ValueError:
        return False
