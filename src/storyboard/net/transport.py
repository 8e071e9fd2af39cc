"""Connections pinned to checked addresses and cut when a try's deadline passes.

Every connection dials only addresses that were resolved and checked in the same step
(the socket is pinned to them), so a DNS answer that changes between check and connect
(rebinding) cannot slip through. TLS still uses the host name for SNI and certificate
checks. Through a proxy the proxy resolves names; the client checks literal addresses
in the URL then.

Socket timeouts bound each read, not the whole response, and a server dripping one
byte a second never trips them. A watchdog thread shuts the try's sockets down when
the deadline passes, which ends any blocked read (TLS handshake, headers, body).
"""

from __future__ import annotations

import heapq
import ipaddress
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from requests import PreparedRequest
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.poolmanager import ProxyManager
from urllib3.util.connection import create_connection

from storyboard.errors import BlockedAddressError

if TYPE_CHECKING:
    from requests.adapters import _HostParams, _PoolKwargs
from storyboard.net.guard import AddressCache, refuse_non_public, resolve_allowed

_ACTIVE = threading.local()


class _Watchdog:
    """One thread that expires the deadline of every try in the process.

    A timer thread per try costs a thread start-up on every request, which waits until
    the new thread is scheduled: milliseconds on a busy machine, more than a request to
    a nearby server takes otherwise.
    """

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._queue: list[tuple[float, int, TryScope]] = []
        self._order = itertools.count()  # breaks ties: scopes do not compare
        self._thread: threading.Thread | None = None

    def reset(self) -> None:
        """Forget the thread and its queue: a forked child has neither."""
        self._wake = threading.Condition()
        self._queue = []
        self._thread = None

    def add(self, scope: TryScope) -> None:
        """Expire ``scope`` at its deadline unless it has closed by then."""
        with self._wake:
            heapq.heappush(self._queue, (scope.expires_at, next(self._order), scope))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="storyboard-deadlines", daemon=True
                )
                self._thread.start()
            elif self._queue[0][2] is scope:
                self._wake.notify()  # the new deadline is the nearest: wait less

    def _run(self) -> None:
        with self._wake:
            while True:
                now = time.monotonic()
                while self._queue and (self._queue[0][0] <= now or self._queue[0][2].closed):
                    scope = heapq.heappop(self._queue)[2]
                    if not scope.closed:
                        scope.expire()
                timeout = self._queue[0][0] - now if self._queue else None
                self._wake.wait(timeout)


_WATCHDOG = _Watchdog()
os.register_at_fork(after_in_child=_WATCHDOG.reset)


class TryScope:
    """The try in flight on this thread: its address policy and its wall-clock deadline."""

    def __init__(
        self, seconds: float, *, allow_private: bool, addresses: AddressCache | None = None
    ) -> None:
        self.allow_private = allow_private
        #: The client's recent DNS answers (None: ask the resolver every time).
        self.addresses = addresses
        self.expired = False
        self.expires_at = time.monotonic() + seconds
        self.closed = False
        self._lock = threading.Lock()
        self._handles: list[_CutHandle] = []
        self._previous: TryScope | None = None

    def __enter__(self) -> TryScope:
        self._previous = _active_scope()
        _ACTIVE.scope = self
        _WATCHDOG.add(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _ACTIVE.scope = self._previous
        with self._lock:
            self.closed = True
            handles, self._handles = self._handles, []
        for handle in handles:
            handle.release(self)

    def remaining(self) -> float:
        """Return the seconds left before the deadline (negative once past)."""
        return self.expires_at - time.monotonic()

    def watch(self, handle: _CutHandle) -> None:
        """Let the timer thread cut ``handle``'s connection while this try uses it."""
        with self._lock:
            if self.closed or handle.owner is self:
                return
            handle.owner = self
            self._handles.append(handle)
            if self.expired:
                handle.cut(self)

    def expire(self) -> None:
        """Mark the try as past its deadline and cut its connections (watchdog thread)."""
        with self._lock:
            if self.closed:
                return
            self.expired = True
            for handle in self._handles:
                handle.cut(self)


class _CutHandle:
    """A second descriptor of one connection's socket, for the watchdog to shut it down.

    Made once per connection, not per request: it outlives the wrapping of the socket
    in TLS (which detaches the original), and while it is open its number cannot be
    reused for another connection. A kept-alive connection serves one try at a time,
    its ``owner``: only that try's deadline may cut it. The descriptor is closed with
    the connection, or, when the connection closes during a try (a response that
    ends the connection still has its body to read), when that try ends.
    """

    def __init__(self, sock: socket.socket) -> None:
        self._handle = socket.fromfd(sock.fileno(), sock.family, sock.type)
        self.owner: TryScope | None = None
        self._connection_closed = False

    def cut(self, scope: TryScope) -> None:
        """Shut the connection down if ``scope`` is the try using it."""
        if self.owner is scope:
            # shutdown, not close: it wakes a read blocked in another thread, which
            # close may not.
            with suppress(OSError):
                self._handle.shutdown(socket.SHUT_RDWR)

    def release(self, scope: TryScope) -> None:
        """End ``scope``'s use of the connection (the pool may lend it to another try)."""
        if self.owner is scope:
            self.owner = None
            if self._connection_closed:
                self._handle.close()

    def connection_closed(self) -> None:
        """Close the descriptor with its connection, or when the try using it ends."""
        self._connection_closed = True
        if self.owner is None:
            self._handle.close()


def _active_scope() -> TryScope | None:
    scope: TryScope | None = getattr(_ACTIVE, "scope", None)
    return scope


def _open_socket(
    conn: _CheckedConnection, connect_directly: Callable[[], socket.socket]
) -> socket.socket:
    scope = _active_scope()
    # A proxy is the user's own setting and resolves names itself: dial it as urllib3 would.
    sock = connect_directly() if conn.proxy is not None else _connect_checked(conn, scope)
    if conn.cut_handle is not None:  # a reconnection without close: the old one is done
        conn.cut_handle.connection_closed()
    conn.cut_handle = _CutHandle(sock)
    if scope is not None:
        scope.watch(conn.cut_handle)
    return sock


def _connect_checked(conn: HTTPConnection, scope: TryScope | None) -> socket.socket:
    allow_private = scope is not None and scope.allow_private
    try:
        addresses = resolve_allowed(
            conn.host,
            conn.port,
            allow_private=allow_private,
            cache=scope.addresses if scope is not None else None,
        )
    except socket.gaierror as exc:
        raise NameResolutionError(conn.host, conn, exc) from exc
    last_error: OSError | None = None
    for address in addresses:
        timeout = conn.timeout
        if scope is not None and isinstance(timeout, float | int):
            # Each address gets the connect timeout, but all of them together only what
            # is left of the deadline (the socket is not watched until it is connected).
            timeout = min(timeout, scope.remaining())
            if timeout <= 0:
                last_error = TimeoutError("deadline passed")
                break
        try:
            sock = create_connection(
                (str(address), conn.port),
                timeout,
                source_address=conn.source_address,
                socket_options=conn.socket_options,
            )
        except OSError as exc:
            last_error = exc
            continue
        if not allow_private:
            _refuse_non_public_peer(sock)
        return sock
    if isinstance(last_error, TimeoutError):
        raise ConnectTimeoutError(
            conn, f"Connection to {conn.host} timed out. (connect timeout={conn.timeout})"
        ) from last_error
    raise NewConnectionError(
        conn, f"Failed to establish a new connection: {last_error}"
    ) from last_error


def _refuse_non_public_peer(sock: socket.socket) -> None:
    """Check the address the socket is connected to, once per connection.

    The socket dials only an address checked before, so this holds unless something
    between the two (a transparent proxy, a NAT rule) took the call elsewhere.
    """
    try:
        peer = ipaddress.ip_address(sock.getpeername()[0])
        refuse_non_public([peer])
    except (OSError, ValueError, BlockedAddressError):
        sock.close()
        raise


class _CheckedConnection(HTTPConnection):
    """What both checked connections share: the handle their tries' deadlines cut."""

    cut_handle: _CutHandle | None = None

    def request(self, *args: Any, **kwargs: Any) -> None:
        """Send a request, letting the deadline cut a kept-alive connection too."""
        scope = _active_scope()
        if scope is not None and self.cut_handle is not None and self.sock is not None:
            scope.watch(self.cut_handle)
        super().request(*args, **kwargs)

    def close(self) -> None:
        """Close the connection and, with it (or when its try ends), the deadline's handle."""
        try:
            super().close()
        finally:
            handle, self.cut_handle = self.cut_handle, None
            if handle is not None:
                handle.connection_closed()


class _CheckedHTTPConnection(_CheckedConnection):
    """An HTTP connection that dials only checked addresses and obeys the try's deadline."""

    def _new_conn(self) -> socket.socket:
        return _open_socket(self, super()._new_conn)


class _CheckedHTTPSConnection(_CheckedConnection, HTTPSConnection):
    """An HTTPS connection that dials only checked addresses and obeys the try's deadline."""

    def _new_conn(self) -> socket.socket:
        return _open_socket(self, super()._new_conn)


class _CheckedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


_POOL_CLASSES: dict[str, type[HTTPConnectionPool]] = {
    "http": _CheckedHTTPConnectionPool,
    "https": _CheckedHTTPSConnectionPool,
}


class CheckedAdapter(HTTPAdapter):
    """A requests adapter whose every connection, direct or to a proxy, is a checked one.

    One adapter serves every thread of a client: its pools keep each host's connections
    alive for whichever thread asks that host next.
    """

    def __init__(self, *, hosts: int = 32, per_host: int = 8) -> None:
        #: What ``cert_verify`` found for each (https?, verify, cert): it looks the CA
        #: bundle up on disk, two file system calls a request otherwise.
        self._verified: dict[tuple[bool, object, object], dict[str, Any]] = {}
        self._pool_kwargs: dict[tuple[object, object], _PoolKwargs] = {}
        super().__init__(pool_connections=hosts, pool_maxsize=per_host)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        """Create the pool manager with checked connection pools."""
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOL_CLASSES

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """Return the proxy's pool manager, with checked connection pools."""
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, ProxyManager):  # a SOCKS manager keeps its own connections
            manager.pool_classes_by_scheme = _POOL_CLASSES
        return manager

    def build_connection_pool_key_attributes(
        self, request: PreparedRequest, verify: bool | str, cert: Any = None
    ) -> tuple[_HostParams, _PoolKwargs]:
        """Return the pool of ``request``'s origin as requests would, without its disk look-up.

        requests asks the file system whether a CA bundle path (``REQUESTS_CA_BUNDLE``)
        is a folder on every request; the answer is kept per setting here.
        """
        key = (verify, cert)
        pool_kwargs = self._pool_kwargs.get(key)
        if pool_kwargs is None:
            _, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
            self._pool_kwargs[key] = pool_kwargs
        parts = urlsplit(request.url or "")
        host_params: _HostParams = {
            "scheme": parts.scheme.lower(),
            "host": parts.hostname or "",
            # None, as requests passes it, means the scheme's default port.
            "port": parts.port,  # type: ignore[typeddict-item]
        }
        return host_params, pool_kwargs.copy()

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        """Set the pool's certificate checks as requests would, looking files up once."""
        key = (url[:6].lower() == "https:", verify, cert)
        found = self._verified.get(key)
        if found is None:
            super().cert_verify(conn, url, verify, cert)  # type: ignore[no-untyped-call]
            found = {name: getattr(conn, name, None) for name in _CERT_ATTRIBUTES}
            self._verified[key] = found
        for name, value in found.items():
            setattr(conn, name, value)


_CERT_ATTRIBUTES = ("cert_reqs", "ca_certs", "ca_cert_dir", "cert_file", "key_file")
