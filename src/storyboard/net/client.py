"""The one network seam: GET a URL within storyboard's limits of time, size and address.

Every failure is a ``FetchError`` whose message is one line naming the URL and the
cause ("404 Not Found from https://...", "timed out after 15 s: https://...").
Decompressed bytes are counted while streaming and reading stops past the cap.
Redirects are followed here, not by requests, whose ``Session.send`` reads a whole
redirect body into memory before it looks at the cap.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, nullcontext, suppress
from datetime import UTC, datetime
from http import HTTPStatus
from http.client import IncompleteRead, RemoteDisconnected
from types import TracebackType
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import requests
from requests import PreparedRequest
from requests.auth import AuthBase
from requests.cookies import extract_cookies_to_jar
from requests.structures import CaseInsensitiveDict
from requests.utils import requote_uri, select_proxy
from urllib3.exceptions import HTTPError, ReadTimeoutError
from urllib3.exceptions import IncompleteRead as Urllib3IncompleteRead

from storyboard import loose
from storyboard.errors import (
    BlockedAddressError,
    FetchError,
    FetchTimeoutError,
    ResponseTooLargeError,
)
from storyboard.net.guard import AddressCache, literal_address, refuse_non_public
from storyboard.net.host_map import wire_url
from storyboard.net.limits import RETRY_STATUSES, FetchSettings
from storyboard.net.response import HttpResponse
from storyboard.net.transport import CheckedAdapter, TryScope
from storyboard.urls import check_http_url

_CHUNK_SIZE = 64 * 1024
#: The largest unneeded body read to keep its connection (a redirect's, an error page's).
_DRAIN_LIMIT = 64 * 1024


class _RetryableError(Exception):
    """Carry a failure another try may not repeat (429, 503, a dropped connection); internal."""

    def __init__(self, error: FetchError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


class _NoCredentials(AuthBase):
    """Authentication that adds nothing: set on a session, requests skips ``~/.netrc``."""

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        """Send ``request`` as it is."""
        return request


class HttpClient:
    """GET URLs within storyboard's limits; share one between threads."""

    def __init__(
        self, settings: FetchSettings | None = None, *, requests_at_once: int | None = None
    ) -> None:
        self.settings = settings or FetchSettings()
        #: Held by each try in flight (None: no limit). A limit on requests rather than on
        #: threads lets a thread read one answer while another thread's request goes out.
        self._request_slots: AbstractContextManager[object] = (
            threading.BoundedSemaphore(requests_at_once) if requests_at_once else nullcontext()
        )
        #: Waits between tries; tests replace it to run without waiting.
        self.sleep: Callable[[float], None] = time.sleep
        self._jitter = random.Random()  # noqa: S311  (spreads retries; not a secret)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._adapter: CheckedAdapter | None = None
        self._addresses = AddressCache()

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
            adapter, self._adapter = self._adapter, None
            self._local = threading.local()
        for session in sessions:
            session.close()
        if adapter is not None:
            adapter.close()

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
                with self._request_slots:  # not held while waiting to try again
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
        """Return this thread's session: its own cookies, the client's shared connections.

        A session per thread, as requests does not promise more; one adapter for all of
        them, so a host's kept-alive connections serve whichever thread asks it next.
        """
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()  # trust_env stays on: proxies and CA bundles from env
            session.headers["User-Agent"] = self.settings.user_agent
            # ...but never ~/.netrc: requests would send its passwords to whatever host an
            # untrusted URL or redirect names. storyboard is given no credentials to send.
            session.auth = _NoCredentials()
            with self._lock:
                if self._adapter is None:
                    self._adapter = CheckedAdapter()
                session.mount("http://", self._adapter)
                session.mount("https://", self._adapter)
                self._sessions.append(session)
                self._local.session = session
        return session

    def _try(self, url: str, *, max_bytes: int, accept: str | None) -> HttpResponse:
        session = self._session()
        chain = [url]
        allow_private = self.settings.allow_private_network
        with TryScope(
            self.settings.timeout, allow_private=allow_private, addresses=self._addresses
        ) as scope:
            while True:
                current = chain[-1]
                with closing(self._send(session, current, accept, scope)) as response:
                    location = _redirect_location(response, current)
                    if location is None:
                        return self._read(response, current, max_bytes, scope)
                    _drain(response, scope)
                    chain.append(self._redirect_target(chain, location))

    def _send(
        self, session: requests.Session, url: str, accept: str | None, scope: TryScope
    ) -> requests.Response:
        headers = {"Accept": accept} if accept else {}
        wired, host = wire_url(url, self.settings.host_map)
        if host is not None:  # a mapped host: dial its stand-in, name the real one
            headers["Host"] = host
        try:
            prepared = _prepare(session, wired, headers)
            env = self._environment(session, wired)
        except requests.RequestException as exc:  # InvalidURL: a host no IDNA codec takes
            raise FetchError(f"cannot fetch {url}: {exc}", url=url) from exc
        except ValueError as exc:  # UnicodeError included
            raise FetchError(f"cannot fetch {url}: not a valid URL ({exc})", url=url) from exc
        verify: bool | str = True if env["verify"] is None else env["verify"]
        remaining = scope.remaining()
        if remaining <= 0:
            raise self._timed_out(url)
        try:
            proxied = bool(env["proxies"]) and select_proxy(wired, env["proxies"]) is not None
            if proxied and not scope.allow_private:
                literal = literal_address(urlsplit(wired).hostname or "")
                refuse_non_public([literal] if literal else [])
            response = session.get_adapter(wired).send(
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
        except UnicodeError as exc:  # the host name, IDNA-encoded on the way to DNS
            raise FetchError(f"cannot fetch {url}: invalid host name ({exc})", url=url) from exc
        if "set-cookie" in response.headers:  # as Session.send would, when there is any
            # requests leaves this helper untyped.
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
        self, response: requests.Response, url: str, max_bytes: int, scope: TryScope
    ) -> HttpResponse:
        if not 200 <= response.status_code < 300:
            _drain(response, scope)
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

    def _failure(self, exc: requests.RequestException, url: str, scope: TryScope) -> Exception:
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


def _redirect_location(response: requests.Response, url: str) -> str | None:
    """Return a redirect's Location, or None; ``FetchError`` when its bytes are not UTF-8.

    As ``Session.get_redirect_target``, which lets the UnicodeDecodeError out.
    """
    if not response.is_redirect:
        return None
    raw = response.headers["location"]
    try:
        return raw.encode("latin-1").decode("utf-8")
    except UnicodeError as exc:
        raise FetchError(f"bad redirect from {url}: its Location is not UTF-8", url=url) from exc


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


def _prepare(session: requests.Session, url: str, headers: dict[str, str]) -> PreparedRequest:
    """Prepare a GET as ``Session.prepare_request`` would for this client's sessions.

    The session's headers, then the request's; its cookie jar itself, not a copy of
    it; its authentication, which adds nothing and so keeps requests from reading
    ``~/.netrc`` or sending credentials written in the URL. Without the merging of
    settings no caller uses, a good part of a request's CPU time on a near server.
    """
    merged = CaseInsensitiveDict(session.headers)
    merged.update(headers)
    prepared = PreparedRequest()
    prepared.prepare(
        method="GET", url=url, headers=merged, cookies=session.cookies, auth=session.auth
    )
    return prepared


def _drain(response: requests.Response, scope: TryScope) -> None:
    """Read the small rest of a body nobody needs (a redirect's, an error page's).

    A connection closed with its body unread cannot serve the next request; one whose
    body was read goes back to its pool. Only a body that says it is small is read,
    within the try's deadline; a failure here only costs the connection.
    """
    declared = response.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > _DRAIN_LIMIT or scope.remaining() <= 0:
        return
    with suppress(HTTPError, OSError, ValueError):
        response.raw.read(int(declared) + 1, decode_content=False)


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
