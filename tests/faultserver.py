"""A threaded HTTP server on 127.0.0.1 that misbehaves on demand, for fault tests.

Each route is a function that writes exactly the bytes a test needs (drips, resets,
lies about lengths). The server counts requests per path and also answers as a
forwarding proxy (absolute-form request lines are routed by their path). With
``tls=True`` it speaks HTTPS as ``localhost`` with a certificate from a test CA.
"""

from __future__ import annotations

import email.utils
import socket
import ssl
import struct
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

Route = Callable[["Exchange"], None]

# A test CA and a certificate it signed for DNS:localhost only (no IP address), both
# valid until 2126: made once with openssl, kept here so tests need no tools.
TEST_CA_PEM = """\
-----BEGIN CERTIFICATE-----
MIIBoTCCAUegAwIBAgIUQDlmozfcYzVfLX9BNodtdi85vJAwCgYIKoZIzj0EAwIw
HTEbMBkGA1UEAwwSc3Rvcnlib2FyZCB0ZXN0IENBMCAXDTI2MTEyNTE4MDYwMFoY
DzIxMjYxMTAxMTgwNjAwWjAdMRswGQYDVQQDDBJzdG9yeWJvYXJkIHRlc3QgQ0Ew
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQUSJ/XC/kYqvx7DV2Hq2b5U4JUSatq
L/AUYAVN/y4RtCaLeuSsh59sKUayWQHSltRS52wlUq1ru7dxKWGkD/cGo2MwYTAd
BgNVHQ4EFgQUOthKQ6zpo82f5UBoBvh/jL1Mc/4wHwYDVR0jBBgwFoAUOthKQ6zp
o82f5UBoBvh/jL1Mc/4wDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYw
CgYIKoZIzj0EAwIDSAAwRQIgSkISFZxxab2reSbKbkP/HAKbwWQLto34G2xpbOO3
rywCIQDM2pu7gHVod26bcka+DIw7ICjOYsdab5AkIiotiVZKyQ==
-----END CERTIFICATE-----
"""
LOCALHOST_CERT_PEM = """\
-----BEGIN CERTIFICATE-----
MIIBwzCCAWigAwIBAgIUdyPkx1h6/7LPNw0jyTc92DVL5PowCgYIKoZIzj0EAwIw
HTEbMBkGA1UEAwwSc3Rvcnlib2FyZCB0ZXN0IENBMCAXDTI2MTEyNTE4MDYwMFoY
DzIxMjYxMTAxMTgwNjAwWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjO
PQIBBggqhkjOPQMBBwNCAAQQ2LVzWZDhRw99l20KLliKWR2kRoHdCju+EG4lRGBF
/MDgILKxxwOt+Jv6jCuk8B9BpAs5WWBOJ8y1C2A1+ysPo4GMMIGJMAwGA1UdEwEB
/wQCMAAwDgYDVR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMBMBQGA1Ud
EQQNMAuCCWxvY2FsaG9zdDAdBgNVHQ4EFgQUaCF8H5t+HHRq58Ax+s19G5sjAdUw
HwYDVR0jBBgwFoAUOthKQ6zpo82f5UBoBvh/jL1Mc/4wCgYIKoZIzj0EAwIDSQAw
RgIhAMPX1POQYLQgWZH6T8X3FCKDkg7JKo6pPuth23v9d0xGAiEA3ykcfyIGDsRm
2CSOBl0V2BehXSae8qhyg3CzHvt4OEQ=
-----END CERTIFICATE-----
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgeGauOGKHCXb65eih
jhCqrcCt7IVzZ/bqWYodfXBAd22hRANCAAQQ2LVzWZDhRw99l20KLliKWR2kRoHd
Cju+EG4lRGBF/MDgILKxxwOt+Jv6jCuk8B9BpAs5WWBOJ8y1C2A1+ysP
-----END PRIVATE KEY-----
"""


class Exchange(BaseHTTPRequestHandler):
    """One request to the fault server, with helpers that write responses byte by byte."""

    protocol_version = "HTTP/1.1"
    server: _Server
    #: 1 for the first request to this path, 2 for the second...
    hit = 0
    #: The path without query, also for absolute-form (proxy) request lines.
    route_path = ""

    timeout = 10  # seconds a kept-alive connection may idle before its thread ends

    def setup(self) -> None:
        """Finish the TLS handshake here, in the request's thread, not in the accept loop."""
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(self.timeout)
            self.request.do_handshake()
        super().setup()
        self.fault.count_connection()

    @property
    def fault(self) -> FaultServer:
        """Return the server this request came to."""
        return self.server.fault

    def do_GET(self) -> None:
        """Dispatch to the route registered for the path (404 if none)."""
        self.route_path = urlsplit(self.path).path
        self.hit = self.fault.record(self)
        route = self.fault.routes.get(self.route_path)
        if route is None:
            self.respond(404, b"no route")
        else:
            route(self)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def respond(
        self,
        status: int = 200,
        body: bytes = b"",
        *,
        content_type: str | None = "application/json",
        headers: Iterable[tuple[str, str]] = (),
        length: int | None = None,
    ) -> None:
        """Send a whole response; ``length`` overrides Content-Length (to lie about it)."""
        self.send_head(
            status, content_type=content_type, headers=headers, length=length or len(body)
        )
        self.wfile.write(body)

    def send_head(
        self,
        status: int,
        *,
        content_type: str | None = "application/json",
        headers: Iterable[tuple[str, str]] = (),
        length: int | None = None,
    ) -> None:
        """Send a status line and headers (no Date or Server: tests control every header)."""
        self.send_response_only(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def drip(self, data: bytes, interval: float) -> None:
        """Write ``data`` one byte per ``interval`` seconds until done, disconnected or stopped."""
        for byte in data:
            if self.fault.stopping.wait(interval):
                return
            self.wfile.write(bytes([byte]))

    def reset(self) -> None:
        """Abort the connection with a TCP reset instead of a clean close."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def stream(self, total: int, *, chunked: bool = False) -> None:
        """Write ``total`` bytes lazily in 64 KiB blocks, counting what left in ``fault.sent``."""
        block = b" " * 65536
        left = total
        while left > 0 and not self.fault.stopping.is_set():
            piece = block[: min(left, len(block))]
            data = b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece
            self.wfile.write(data)
            self.fault.add_sent(len(piece))
            left -= len(piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fault: FaultServer

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hangs up on a drip or an oversized body is the point of the test;
        # anything else is a broken route, which the test fixture reports.
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            self.fault.errors.append(error)


class FaultServer:
    """Start with ``with FaultServer() as server``; register routes with ``route``."""

    def __init__(self, *, tls: bool = False) -> None:
        self.tls = tls
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        #: Headers of every request, in order, as (path, headers).
        self.requests: list[tuple[str, dict[str, str]]] = []
        #: Body bytes written by ``Exchange.stream``.
        self.sent = 0
        #: Connections accepted (a kept-alive one serves many requests).
        self.connections = 0
        #: Unexpected exceptions raised by routes (hang-ups are expected and not kept).
        self.errors: list[BaseException | None] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), Exchange)
        self._httpd.fault = self
        self._files = tempfile.TemporaryDirectory()
        #: A CA bundle that trusts the server's certificate (for REQUESTS_CA_BUNDLE).
        self.ca_file = Path(self._files.name) / "ca.pem"
        self.ca_file.write_text(TEST_CA_PEM)
        if tls:
            chain = Path(self._files.name) / "localhost.pem"
            chain.write_text(LOCALHOST_CERT_PEM)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(chain)
            self._httpd.socket = context.wrap_socket(
                self._httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
        self._files.cleanup()

    @property
    def port(self) -> int:
        """Return the port the server listens on."""
        return int(self._httpd.server_address[1])

    def url(self, path: str, *, host: str | None = None) -> str:
        """Return the URL of ``path``: http://127.0.0.1, or https://localhost with TLS."""
        scheme, default_host = ("https", "localhost") if self.tls else ("http", "127.0.0.1")
        return f"{scheme}://{host or default_host}:{self.port}{path}"

    def route(self, path: str, handler: Route) -> str:
        """Answer GET ``path`` with ``handler``; return its URL."""
        self.routes[path] = handler
        return self.url(path)

    def record(self, exchange: Exchange) -> int:
        """Count a request and keep its headers; return its hit number for the path."""
        with self._lock:
            self.hits[exchange.route_path] += 1
            self.requests.append((exchange.path, dict(exchange.headers.items())))
            return self.hits[exchange.route_path]

    def count_connection(self) -> None:
        """Count an accepted connection."""
        with self._lock:
            self.connections += 1

    def add_sent(self, count: int) -> None:
        """Add to the count of streamed body bytes."""
        with self._lock:
            self.sent += count


def http_date(seconds: float) -> str:
    """Format a POSIX time as an HTTP date (IMF-fixdate)."""
    return email.utils.formatdate(seconds, usegmt=True)
