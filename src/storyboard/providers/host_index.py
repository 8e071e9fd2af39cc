"""An index from a URL's host to the entries whose schemes could match it.

A match then tests a handful of patterns instead of every one of ~400 providers.
Schemes are filed by exact host (without ``www.``, as either form matches), by the
domain a ``*.`` wildcard covers, or, when the host says nothing, under "any".
"""

from __future__ import annotations

from storyboard.providers.model import index_host, scheme_host_key
from storyboard.urls import host_of


class HostIndex:
    """Entry numbers filed by the hosts of their schemes."""

    def __init__(self) -> None:
        self._exact: dict[str, set[int]] = {}
        self._suffix: dict[str, set[int]] = {}
        self._any: set[int] = set()
        # The candidates of a host, found once: a story has many posts on each host.
        self._by_host: dict[str, tuple[int, ...]] = {}

    def add(self, number: int, scheme: str) -> None:
        """File entry ``number`` under the host of ``scheme``."""
        kind, key = scheme_host_key(scheme)
        self._by_host.clear()
        if kind == "exact":
            self._exact.setdefault(key, set()).add(number)
        elif kind == "suffix":
            self._suffix.setdefault(key, set()).add(number)
        else:
            self._any.add(number)

    def candidates(self, url: str) -> tuple[int, ...]:
        """Return, in order, the entries whose schemes could match ``url``."""
        try:
            host = host_of(url).rstrip(".")
        except ValueError:
            host = ""
        found = self._by_host.get(host)
        if found is None:
            found = self._by_host[host] = self._host_candidates(host)
        return found

    def _host_candidates(self, host: str) -> tuple[int, ...]:
        found = set(self._any)
        found |= self._exact.get(index_host(host), set())
        labels = host.split(".")
        for start in range(len(labels)):
            found |= self._suffix.get(".".join(labels[start:]), set())
        return tuple(sorted(found))
