"""The one network seam: GET a URL within storyboard's limits of time, size and address.

Every failure is a ``FetchError`` whose message is one line naming the URL and the
cause ("404 Not Found from https://...", "timed out after 15 s: https://...").

How the limits are kept:

- Address guard: every connection dials only addresses that were resolved and checked
  in the same step (the socket is pinned to them), so a DNS answer that changes
  between check and connect (rebinding) cannot slip through. TLS still uses the host
  name for SNI and certificate checks. Through a proxy the proxy resolves names; only
  literal addresses in the URL are checked then.
- Deadline: socket timeouts bound each read, not the whole response, and a server
  dripping one byte a second never trips them. A watchdog thread shuts the try's
  sockets down when the deadline passes, which ends any blocked read (TLS handshake,
  headers, body).
- Size: decompressed bytes are counted while streaming; reading stops past the cap.
- Redirects are followed here, not by requests, whose ``Session.send`` reads a whole
  redirect body into memory before it looks at the cap.
"""

from __future__ import annotations

import codecs
import heapq
import ipaddress
import itertools
import json
import os
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.client import IncompleteRead, RemoteDisconnected
from types import TracebackType
from typing import Any, Final
from urllib.parse import urldefrag, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.cookies import extract_cookies_to_jar
from requests.structures import CaseInsensitiveDict
from requests.utils import requote_uri, select_proxy
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.exceptions import IncompleteRead as Urllib3IncompleteRead
from urllib3.poolmanager import ProxyManager
from urllib3.util.connection import create_connection

from storyboard import __version__, loose
from storyboard.errors import (
    BlockedAddressError,
    FetchError,
    FetchTimeoutError,
    ResponseTooLargeError,
)
from storyboard.urls import check_http_url

#: Caps on decompressed response bytes, by what is fetched.
JSON_LIMIT: Final = 1_000_000
PAGE_LIMIT: Final = 2_000_000
IMAGE_LIMIT: Final = 10_000_000

#: Statuses worth another try: the server asks to come back later.
RETRY_STATUSES: Final = frozenset({429, 503})

_CHUNK_SIZE = 64 * 1024
_USER_AGENT = f"storyboard/{__version__} (+https://pypi.org/project/storyboard/)"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class FetchSettings:
    """Limits and identity of every request storyboard makes."""

    timeout: float = 15.0  # total deadline per try (connect + all bytes + redirects), seconds
    connect_timeout: float = 5.0
    allow_private_network: bool = False
    max_redirects: int = 5
    max_tries: int = 3  # retries only on 429, 503 and connection errors
    retry_after_cap: float = 60.0
    backoff_base: float = 0.5
    user_agent: str = _USER_AGENT

    def __post_init__(self) -> None:
        if self.timeout <= 0 or self.connect_timeout <= 0:
            raise ValueError("timeouts must be positive")
        if self.max_tries < 1 or self.max_redirects < 0:
            raise ValueError("max_tries must be at least 1 and max_redirects at least 0")


# --- Responses and their text ------------------------------------------------------------

_JSON_MIME = re.compile(r"^application/(.+\+)?json$|^text/json$")
_HTML_MIMES = frozenset({"text/html", "application/xhtml+xml"})
_HTML_START = re.compile(r"\s*(<!doctype\s+html|<html[\s>])", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([a-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SNIFF_BYTES = 4096


@dataclass(frozen=True)
class HttpResponse:
    """A complete response: final URL after redirects, status, headers and body."""

    url: str
    status: int
    headers: Mapping[str, str]  # case-insensitive
    content: bytes

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", CaseInsensitiveDict(self.headers))

    @property
    def content_type(self) -> str:
        """Return the lowercase media type without parameters ('' if none was sent)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def text(self) -> str:
        """Decode the body by BOM, header charset, then <meta>/XML declaration; never raise."""
        return decode_text(self.content, self.headers.get("content-type", ""))

    def json(self) -> Any:
        """Parse the body as JSON whatever its content type, or raise FetchError naming the URL."""
        text = self.text()
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as exc:
            if self.content_type in _HTML_MIMES or _HTML_START.match(text):
                raise FetchError(
                    f"expected JSON but got HTML from {self.url}", url=self.url
                ) from exc
            if not text.strip():
                reason = "empty body"
            elif isinstance(exc, RecursionError):
                reason = "nested too deeply"
            else:
                reason = str(exc)
            raise FetchError(f"invalid JSON from {self.url}: {reason}", url=self.url) from exc


def decode_text(content: bytes, content_type: str = "") -> str:
    """Decode a body as its BOM, Content-Type or markup declares; fall back without raising."""
    declared = _declared_encoding(content, content_type)
    if declared is not None:
        return content.decode(declared, errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        # What browsers assume for legacy pages; replace keeps its 5 unmapped bytes from raising.
        return content.decode("cp1252", errors="replace")


def _declared_encoding(content: bytes, content_type: str) -> str | None:
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return encoding
    mime, *params = content_type.split(";")
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and (declared := _text_codec(value.strip(" \"'"))):
            return declared
    mime = mime.strip().lower()
    if _JSON_MIME.match(mime):
        return None  # JSON is UTF-8; an oEmbed "html" field may quote a <meta charset> of its own
    head = content[:_SNIFF_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if match and (sniffed := _text_codec(match.group(1).decode("ascii"))):
        # A document that can declare itself in ASCII is not UTF-16, whatever it says.
        return "utf-8" if sniffed.startswith("utf-16") else sniffed
    return None


def _text_codec(label: str) -> str | None:
    try:
        name = codecs.lookup(label).name
        # Rejects codecs that are not text encodings ("base64", "zlib"); empty input would not.
        b"\x00".decode(name, errors="replace")
    except LookupError:
        return None
    # Browsers read these labels as windows-1252, a superset; servers mean it too.
    return "cp1252" if name in {"ascii", "iso8859-1"} else name


# --- Address guard -----------------------------------------------------------------------

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
        _resolve_allowed(host, port, allow_private=False)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve host {host}") from exc


def _literal_address(host: str) -> IPAddress | None:
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
    literal = _literal_address(host)
    if literal is not None:
        return [literal]
    addresses: list[IPAddress] = []
    for family, _, _, _, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        if family in (socket.AF_INET, socket.AF_INET6):
            address = ipaddress.ip_address(sockaddr[0])
            if address not in addresses:
                addresses.append(address)
    return addresses


def _resolve_allowed(host: str, port: int, *, allow_private: bool) -> list[IPAddress]:
    """Resolve ``host``; refuse all of it if any address is not public (a host is one target)."""
    addresses = _resolve(host, port)
    if not allow_private:
        _refuse_non_public(addresses)
    return addresses


def _refuse_non_public(addresses: list[IPAddress]) -> None:
    for address in addresses:
        reason = _blocked_reason(address)
        if reason is not None:
            raise BlockedAddressError(f"refused: {address} {reason}")


# --- Connections: pinned to checked addresses, cut at the deadline -----------------------

_ACTIVE = threading.local()


class _Watchdog:
    """One thread that expires the deadline of every try in the process.

    A timer thread per try costs a thread start-up on every request, which waits until
    the new thread is scheduled: milliseconds on a busy machine, more than a request to
    a nearby server takes otherwise.
    """

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._queue: list[tuple[float, int, _TryScope]] = []
        self._order = itertools.count()  # breaks ties: scopes do not compare
        self._thread: threading.Thread | None = None

    def reset(self) -> None:
        """Forget the thread and its queue: a forked child has neither."""
        self._wake = threading.Condition()
        self._queue = []
        self._thread = None

    def add(self, scope: _TryScope) -> None:
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


class _TryScope:
    """The try in flight on this thread: its address policy and its wall-clock deadline."""

    def __init__(self, seconds: float, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self.expired = False
        self.expires_at = time.monotonic() + seconds
        self.closed = False
        self._lock = threading.Lock()
        self._handles: list[socket.socket] = []
        self._previous: _TryScope | None = None

    def __enter__(self) -> _TryScope:
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
            handle.close()

    def remaining(self) -> float:
        """Return the seconds left before the deadline (negative once past)."""
        return self.expires_at - time.monotonic()

    def watch(self, sock: socket.socket) -> None:
        """Keep a handle on ``sock``'s connection so the timer thread can cut it."""
        # A duplicate descriptor: it outlives the wrapping of ``sock`` in TLS (which
        # detaches it) and is never reused for another connection while we hold it.
        handle = socket.fromfd(sock.fileno(), sock.family, sock.type)
        with self._lock:
            if self.closed:
                handle.close()
                return
            self._handles.append(handle)
            if self.expired:
                _cut(handle)

    def expire(self) -> None:
        """Mark the try as past its deadline and cut its connections (watchdog thread)."""
        with self._lock:
            if self.closed:
                return
            self.expired = True
            for handle in self._handles:
                _cut(handle)


def _active_scope() -> _TryScope | None:
    scope: _TryScope | None = getattr(_ACTIVE, "scope", None)
    return scope


def _cut(handle: socket.socket) -> None:
    # shutdown, not close: it wakes a read blocked in another thread, which close may not.
    with suppress(OSError):
        handle.shutdown(socket.SHUT_RDWR)


def _open_socket(
    conn: HTTPConnection, connect_directly: Callable[[], socket.socket]
) -> socket.socket:
    scope = _active_scope()
    # A proxy is the user's own setting and resolves names itself: dial it as urllib3 would.
    sock = connect_directly() if conn.proxy is not None else _connect_checked(conn, scope)
    if scope is not None:
        scope.watch(sock)
    return sock


def _connect_checked(conn: HTTPConnection, scope: _TryScope | None) -> socket.socket:
    allow_private = scope is not None and scope.allow_private
    try:
        addresses = _resolve_allowed(conn.host, conn.port, allow_private=allow_private)
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
            return create_connection(
                (str(address), conn.port),
                timeout,
                source_address=conn.source_address,
                socket_options=conn.socket_options,
            )
        except OSError as exc:
            last_error = exc
    if isinstance(last_error, TimeoutError):
        raise ConnectTimeoutError(
            conn, f"Connection to {conn.host} timed out. (connect timeout={conn.timeout})"
        ) from last_error
    raise NewConnectionError(
        conn, f"Failed to establish a new connection: {last_error}"
    ) from last_error


def _watch_reused(conn: HTTPConnection) -> None:
    scope = _active_scope()
    if scope is not None and conn.sock is not None:
        scope.watch(conn.sock)


class _CheckedHTTPConnection(HTTPConnection):
    """An HTTP connection that dials only checked addresses and obeys the try's deadline."""

    def _new_conn(self) -> socket.socket:
        return _open_socket(self, super()._new_conn)

    def request(self, *args: Any, **kwargs: Any) -> None:
        """Send a request, letting the deadline cut a kept-alive connection too."""
        _watch_reused(self)
        super().request(*args, **kwargs)


class _CheckedHTTPSConnection(HTTPSConnection):
    """An HTTPS connection that dials only checked addresses and obeys the try's deadline."""

    def _new_conn(self) -> socket.socket:
        return _open_socket(self, super()._new_conn)

    def request(self, *args: Any, **kwargs: Any) -> None:
        """Send a request, letting the deadline cut a kept-alive connection too."""
        _watch_reused(self)
        super().request(*args, **kwargs)


class _CheckedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


_POOL_CLASSES: dict[str, type[HTTPConnectionPool]] = {
    "http": _CheckedHTTPConnectionPool,
    "https": _CheckedHTTPSConnectionPool,
}


class _CheckedAdapter(HTTPAdapter):
    """A requests adapter whose every connection, direct or to a proxy, is a checked one."""

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


# --- The client --------------------------------------------------------------------------


class _RetryableError(Exception):
    """Carry a failure another try may not repeat (429, 503, a dropped connection); internal."""

    def __init__(self, error: FetchError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


class HttpClient:
    """GET URLs within storyboard's limits; share one between threads."""

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
        #: Waits between tries; tests replace it to run without waiting.
        self.sleep: Callable[[float], None] = time.sleep
        self._jitter = random.Random()  # noqa: S311  (spreads retries; not a secret)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close every thread's session; a later ``get`` opens new ones."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
            self._local = threading.local()
        for session in sessions:
            session.close()

    def get(self, url: str, *, max_bytes: int, accept: str | None = None) -> HttpResponse:
        """Fetch ``url`` and return its whole body, or raise FetchError naming URL and cause.

        Follows up to ``max_redirects`` redirects, tries up to ``max_tries`` times on
        429, 503 and connection errors, and keeps the total deadline of each try.
        """
        try:
            start = urldefrag(check_http_url(url)).url
        except ValueError as exc:
            raise FetchError(f"cannot fetch {url}: {exc}", url=url) from exc
        attempt = 1
        while True:
            try:
                return self._try(start, max_bytes=max_bytes, accept=accept)
            except _RetryableError as retry:
                if attempt >= self.settings.max_tries:
                    raise retry.error from retry.__cause__
                self.sleep(self._delay(attempt, retry.retry_after))
                attempt += 1

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.settings.retry_after_cap)
        ceiling = self.settings.backoff_base * 2.0 ** (attempt - 1)
        # Jitter spreads out clients that failed together, so they do not return together.
        return min(ceiling * self._jitter.uniform(0.5, 1.0), self.settings.retry_after_cap)

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()  # trust_env stays on: proxies and CA bundles from env
            session.headers["User-Agent"] = self.settings.user_agent
            adapter = _CheckedAdapter()
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            with self._lock:
                self._sessions.append(session)
                self._local.session = session
        return session

    def _try(self, url: str, *, max_bytes: int, accept: str | None) -> HttpResponse:
        session = self._session()
        chain = [url]
        allow_private = self.settings.allow_private_network
        with _TryScope(self.settings.timeout, allow_private=allow_private) as scope:
            while True:
                current = chain[-1]
                with closing(self._send(session, current, accept, scope)) as response:
                    location = session.get_redirect_target(response)
                    if location is None:
                        return self._read(response, current, max_bytes, scope)
                    chain.append(self._redirect_target(chain, location))

    def _send(
        self, session: requests.Session, url: str, accept: str | None, scope: _TryScope
    ) -> requests.Response:
        headers = {"Accept": accept} if accept else {}
        prepared = session.prepare_request(requests.Request("GET", url, headers=headers))
        env = self._environment(session, url)
        verify: bool | str = True if env["verify"] is None else env["verify"]
        remaining = scope.remaining()
        if remaining <= 0:
            raise self._timed_out(url)
        try:
            if select_proxy(url, env["proxies"]) is not None and not scope.allow_private:
                literal = _literal_address(urlsplit(url).hostname or "")
                _refuse_non_public([literal] if literal else [])
            response = session.get_adapter(url).send(
                prepared,
                stream=True,
                timeout=(min(self.settings.connect_timeout, remaining), remaining),
                verify=verify,
                cert=env["cert"],
                proxies=env["proxies"],
            )
        except BlockedAddressError as exc:
            raise BlockedAddressError(f"{exc} ({url})", url=url) from exc
        except requests.RequestException as exc:
            raise self._failure(exc, url, scope) from exc
        # As Session.send would; requests leaves this helper untyped.
        extract_cookies_to_jar(session.cookies, prepared, response.raw)  # type: ignore[no-untyped-call]
        return response

    def _environment(self, session: requests.Session, url: str) -> dict[str, Any]:
        """Return the proxies and CA bundle the environment sets for ``url``'s origin.

        Read once per origin and thread: asking requests for every request scans the
        whole environment twice, a good part of a request's CPU time.
        """
        parts = urlsplit(url)
        cache: dict[tuple[str, str], dict[str, Any]] | None = getattr(
            self._local, "environment", None
        )
        if cache is None:
            cache = self._local.environment = {}
        key = (parts.scheme, parts.netloc)
        env = cache.get(key)
        if env is None:
            env = dict(session.merge_environment_settings(url, {}, None, None, None))
            cache[key] = env
        return env

    def _redirect_target(self, chain: list[str], location: str) -> str:
        current = chain[-1]
        try:
            target = urldefrag(check_http_url(requote_uri(urljoin(current, location)))).url
        except ValueError as exc:
            raise FetchError(
                f"bad redirect from {current} to {location!r}: {exc}", url=current
            ) from exc
        if target in chain:
            raise FetchError("redirect loop: " + " -> ".join([*chain, target]), url=chain[0])
        if len(chain) > self.settings.max_redirects:
            raise FetchError(
                f"too many redirects (more than {self.settings.max_redirects}): {chain[0]}",
                url=chain[0],
            )
        return target

    def _read(
        self, response: requests.Response, url: str, max_bytes: int, scope: _TryScope
    ) -> HttpResponse:
        if not 200 <= response.status_code < 300:
            raise self._status_error(response, url)
        if _declared_length(response) > max_bytes:
            raise self._too_large(url, max_bytes)
        body = bytearray()
        try:
            for chunk in response.iter_content(_CHUNK_SIZE):  # decompressed as it arrives
                body += chunk
                if len(body) > max_bytes:
                    raise self._too_large(url, max_bytes)
                if scope.remaining() <= 0:
                    raise self._timed_out(url)
        except requests.RequestException as exc:
            raise self._failure(exc, url, scope) from exc
        if scope.expired:  # a cut connection without a length looks like a complete body
            raise self._timed_out(url)
        return HttpResponse(
            url=url, status=response.status_code, headers=response.headers, content=bytes(body)
        )

    def _status_error(self, response: requests.Response, url: str) -> Exception:
        status = response.status_code
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "".join(ch for ch in (response.reason or "") if ch.isprintable())[:60]
        detail = " without a Location header" if 300 <= status < 400 else ""
        error = FetchError(
            f"{status} {phrase}".strip() + f"{detail} from {url}", url=url, status=status
        )
        if status in RETRY_STATUSES:
            retry_after = parse_retry_after(
                response.headers.get("retry-after"), now=_http_date(response.headers.get("date"))
            )
            return _RetryableError(error, retry_after)
        return error

    def _failure(self, exc: requests.RequestException, url: str, scope: _TryScope) -> Exception:
        causes = list(_causes(exc))
        if scope.expired or isinstance(exc, requests.ReadTimeout) or _has(causes, ReadTimeoutError):
            return self._timed_out(url)
        if isinstance(exc, requests.ConnectTimeout):
            return FetchTimeoutError(
                f"timed out after {self.settings.connect_timeout:g} s connecting: {url}", url=url
            )
        retry = False
        if isinstance(exc, requests.exceptions.SSLError):
            message = f"TLS error: {url} ({causes[-1]})"
        elif isinstance(exc, requests.exceptions.ContentDecodingError):
            message = f"cannot decompress the response: {url}"
        elif _has(causes, socket.gaierror):
            message = f"cannot resolve host {urlsplit(url).hostname}: {url}"
        elif isinstance(exc, requests.exceptions.ProxyError):
            message, retry = f"proxy error: {url} ({causes[-1]})", True
        elif isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
            message, retry = f"{_connection_problem(causes)}: {url}", True
        else:
            message = f"cannot fetch {url}: {exc}"
        error = FetchError(message, url=url)
        return _RetryableError(error) if retry else error

    def _timed_out(self, url: str) -> FetchTimeoutError:
        return FetchTimeoutError(f"timed out after {self.settings.timeout:g} s: {url}", url=url)

    @staticmethod
    def _too_large(url: str, max_bytes: int) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            f"response larger than {_format_size(max_bytes)}: {url}", url=url
        )


def _declared_length(response: requests.Response) -> int:
    """Return the body length the headers promise, if it is the decompressed length (else 0)."""
    length = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity") or not (length.isascii() and length.isdigit()):
        return 0
    return int(length)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """Yield ``exc`` and what it wraps: requests and urllib3 keep causes in args and ``reason``."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        wrapped = getattr(current, "reason", None)
        if not isinstance(wrapped, BaseException) and current.args:
            wrapped = current.args[0]
        if not isinstance(wrapped, BaseException):
            wrapped = current.__cause__ or current.__context__
        current = wrapped


def _has(causes: list[BaseException], kind: type[BaseException]) -> bool:
    return any(isinstance(cause, kind) for cause in causes)


def _connection_problem(causes: list[BaseException]) -> str:
    for kind, problem in (
        (ConnectionRefusedError, "connection refused"),
        (ConnectionResetError, "connection reset"),
        (ConnectionAbortedError, "connection aborted"),
        (RemoteDisconnected, "connection closed before a response"),
        (IncompleteRead, "connection closed before the whole response arrived"),
        (Urllib3IncompleteRead, "connection closed before the whole response arrived"),
        (BrokenPipeError, "connection closed by the server"),
    ):
        if _has(causes, kind):
            return problem
    return f"connection failed ({causes[-1]})"


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Return the seconds a Retry-After value (seconds or HTTP date) asks to wait, or None."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(text)
    when = _http_date(text)
    if when is None:
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _http_date(value: str | None) -> datetime | None:
    return loose.utc_moment(value)


def _format_size(size: int) -> str:
    """Format a byte count for a message: 1000000 -> "1 MB", 1500 -> "1.5 kB"."""
    for unit, scale in (("MB", 1_000_000), ("kB", 1_000)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} bytes"
