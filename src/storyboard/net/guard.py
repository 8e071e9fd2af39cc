"""The address guard: storyboard fetches only public addresses unless told otherwise.

IP literals are read as the operating system would read them (decimal, octal and short
IPv4; IPv6 that embeds IPv4), so no spelling of a private address slips through.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time

from storyboard.errors import BlockedAddressError, FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_PRIVATE_NETWORKS = (
    ipaddress.IPv4Network("10.0.0.0/8"),
    ipaddress.IPv4Network("172.16.0.0/12"),
    ipaddress.IPv4Network("192.168.0.0/16"),
    ipaddress.IPv6Network("fc00::/7"),
)
# Forms inet_aton reads as IPv4: "2130706433", "0177.0.0.1", "0x7f.1", "127.1".
_LEGACY_IPV4 = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$", re.IGNORECASE)


def check_address_allowed(host: str, port: int, *, allow_private: bool) -> None:
    """Resolve ``host`` and raise BlockedAddressError if any address is not public.

    IP literals in any form (decimal, octal, short IPv4; IPv6 with embedded IPv4) are
    read without DNS. Raises FetchError if the host does not resolve.
    """
    if allow_private:
        return
    try:
        resolve_allowed(host, port, allow_private=False)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve host {host}") from exc


def literal_address(host: str) -> IPAddress | None:
    """Return the address ``host`` spells, as the OS would read it, or None for a name."""
    text = host.removeprefix("[").removesuffix("]").removesuffix(".")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if _LEGACY_IPV4.match(text):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None


def _blocked_reason(address: IPAddress) -> str | None:
    """Say why ``address`` must not be fetched ("is a loopback address"), or None if public."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            kind = _non_public_kind(inner)
            return None if kind is None else f"embeds {inner}, {kind}"
    kind = _non_public_kind(address)
    return None if kind is None else f"is {kind}"


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address an IPv4-mapped, NAT64 or 6to4 address reaches."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return address.sixtofour


def _non_public_kind(address: IPAddress) -> str | None:
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address in _CGNAT, "a carrier-grade NAT address"),
        (
            any(address in network for network in _PRIVATE_NETWORKS)
            or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local),
            "a private address",
        ),
        # The rest of what is not globally routable: this-network, documentation,
        # benchmarking, 240/4, broadcast, IPv4-compatible IPv6, Teredo...
        (address.is_reserved or address.is_private or not address.is_global, "a reserved address"),
    )
    return next((kind for flagged, kind in checks if flagged), None)


def _resolve(host: str, port: int) -> list[IPAddress]:
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    addresses: list[IPAddress] = []
    for family, _, _, _, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        if family in (socket.AF_INET, socket.AF_INET6):
            address = ipaddress.ip_address(sockaddr[0])
            if address not in addresses:
                addresses.append(address)
    return addresses


def resolve_allowed(
    host: str, port: int, *, allow_private: bool, cache: AddressCache | None = None
) -> list[IPAddress]:
    """Resolve ``host``; refuse all of it if any address is not public (a host is one target).

    With ``cache``, a recent answer for the same host and port is used again; it is
    checked again all the same.
    """
    addresses = cache.resolve(host, port) if cache is not None else _resolve(host, port)
    if not allow_private:
        refuse_non_public(addresses)
    return addresses


class AddressCache:
    """The resolver's answers for one client, each kept for ``ttl`` seconds.

    Without it every new connection asks DNS again, and every request to a host that
    does not resolve (the page of a post on a dead domain) waits for the resolver to
    say so, seconds when it retries. Caching changes nothing for the guard: answers
    are checked on every use, and connections dial only the checked addresses.
    """

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, int], tuple[float, list[IPAddress] | tuple[int, str]]] = {}

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Return the addresses of ``host``, or raise ``socket.gaierror`` as DNS said."""
        key = (host.lower(), port)
        now = time.monotonic()
        with self._lock:
            found = self._answers.get(key)
        if found is not None and found[0] > now:
            answer = found[1]
            if isinstance(answer, tuple):
                raise socket.gaierror(*answer)  # a new error each time: no growing traceback
            return list(answer)
        try:
            addresses = _resolve(host, port)
        except socket.gaierror as exc:
            with self._lock:
                self._answers[key] = (now + self.ttl, (exc.errno or 0, exc.strerror or str(exc)))
            raise
        with self._lock:
            self._answers[key] = (now + self.ttl, addresses)
        return list(addresses)


def refuse_non_public(addresses: list[IPAddress]) -> None:
    """Raise BlockedAddressError naming the first address that is not public."""
    for address in addresses:
        reason = _blocked_reason(address)
        if reason is not None:
            raise BlockedAddressError(f"refused: {address} {reason}")
