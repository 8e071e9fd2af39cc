"""The HTTP layer against a real server on 127.0.0.1 that misbehaves on purpose."""

from __future__ import annotations

import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from storyboard.errors import (
    BlockedAddressError,
    FetchError,
    FetchTimeoutError,
    ResponseTooLargeError,
)
from storyboard.net import (
    JSON_LIMIT,
    PAGE_LIMIT,
    FetchSettings,
    HttpClient,
    HttpResponse,
    check_address_allowed,
    parse_retry_after,
)
from tests.faultserver import Exchange, FaultServer, http_date

MakeClient = Callable[..., HttpClient]
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def _no_proxy_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def delays() -> list[float]:
    """The waits between tries, recorded instead of slept."""
    return []


@pytest.fixture
def make_client(delays: list[float]) -> Iterator[MakeClient]:
    clients: list[HttpClient] = []

    def make(**changes: Any) -> HttpClient:
        settings: dict[str, Any] = {"allow_private_network": True, "timeout": 5.0, **changes}
        client = HttpClient(FetchSettings(**settings))
        client.sleep = delays.append
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> HttpClient:
    return make_client()


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """100 MB of zeros, gzipped to about 100 KB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1_000_000)
    parts = [compressor.compress(block) for _ in range(100)]
    return b"".join([*parts, compressor.flush()])


def redirect(location: str, status: int = 302) -> Callable[[Exchange], None]:
    return lambda ex: ex.respond(status, content_type=None, headers=[("Location", location)])


def ok(body: bytes = b"{}") -> Callable[[Exchange], None]:
    return lambda ex: ex.respond(200, body)


# --- Statuses and retries ------------------------------------------------------------------


def test_returns_body_headers_and_sends_identity(server: FaultServer, client: HttpClient) -> None:
    url = server.route(
        "/oembed",
        lambda ex: ex.respond(
            200,
            b'{"type": "rich"}',
            content_type="application/json; charset=utf-8",
            headers=[("X-Thing", "1")],
        ),
    )
    response = client.get(url, max_bytes=JSON_LIMIT, accept="application/json")
    assert (response.status, response.url) == (200, url)
    assert response.json() == {"type": "rich"}
    assert response.content_type == "application/json"
    assert response.headers["x-thing"] == "1"
    _, headers = server.requests[0]
    assert headers["User-Agent"].startswith("storyboard/")
    assert headers["Accept"] == "application/json"


@pytest.mark.parametrize(
    ("status", "phrase"),
    [(404, "Not Found"), (410, "Gone"), (401, "Unauthorized"), (500, "Internal Server Error")],
)
def test_http_error_names_status_and_url_and_is_not_retried(
    server: FaultServer, client: HttpClient, delays: list[float], status: int, phrase: str
) -> None:
    url = server.route("/post", lambda ex: ex.respond(status, b"{}"))
    with pytest.raises(FetchError) as caught:
        client.get(url, max_bytes=JSON_LIMIT)
    assert str(caught.value) == f"{status} {phrase} from {url}"
    assert (caught.value.status, caught.value.url) == (status, url)
    assert server.hits["/post"] == 1
    assert delays == []


def retry_then_ok(status: int, headers: list[tuple[str, str]]) -> Callable[[Exchange], None]:
    def route(ex: Exchange) -> None:
        if ex.hit == 1:
            ex.respond(status, b"", headers=headers)
        else:
            ex.respond(200, b'{"ok": true}')

    return route


def test_429_retry_after_seconds_then_200(
    server: FaultServer, client: HttpClient, delays: list[float]
) -> None:
    url = server.route("/busy", retry_then_ok(429, [("Retry-After", "7")]))
    assert client.get(url, max_bytes=JSON_LIMIT).json() == {"ok": True}
    assert delays == [7.0]
    assert server.hits["/busy"] == 2


def test_429_retry_after_http_date_then_200(
    server: FaultServer, client: HttpClient, delays: list[float]
) -> None:
    now = int(time.time())
    headers = [("Date", http_date(now)), ("Retry-After", http_date(now + 3))]
    url = server.route("/busy", retry_then_ok(429, headers))
    assert client.get(url, max_bytes=JSON_LIMIT).json() == {"ok": True}
    assert delays == [3.0]  # measured against the server's Date, so no clock skew


@pytest.mark.parametrize("form", ["seconds", "date"])
def test_retry_after_is_capped(
    server: FaultServer, make_client: MakeClient, delays: list[float], form: str
) -> None:
    now = int(time.time())
    value = "3600" if form == "seconds" else http_date(now + 3600)
    url = server.route(
        "/busy", retry_then_ok(429, [("Date", http_date(now)), ("Retry-After", value)])
    )
    make_client(retry_after_cap=60).get(url, max_bytes=JSON_LIMIT)
    assert delays == [60.0]


def test_503_then_200_backs_off_with_jitter(
    server: FaultServer, client: HttpClient, delays: list[float]
) -> None:
    url = server.route("/down", retry_then_ok(503, []))
    assert client.get(url, max_bytes=JSON_LIMIT).status == 200
    [delay] = delays
    assert 0.25 <= delay <= 0.5  # backoff_base 0.5, jittered down to half


def test_gives_up_after_max_tries(
    server: FaultServer, client: HttpClient, delays: list[float]
) -> None:
    url = server.route("/down", lambda ex: ex.respond(503, b""))
    with pytest.raises(FetchError, match=r"^503 Service Unavailable from ") as caught:
        client.get(url, max_bytes=JSON_LIMIT)
    assert caught.value.status == 503
    assert server.hits["/down"] == 3
    assert len(delays) == 2
    assert 0.5 <= delays[1] <= 1.0  # exponential: the second wait doubles the first ceiling


# --- Connection faults and the deadline ------------------------------------------------------


def test_connection_refused_is_retried_then_reported(
    client: HttpClient, delays: list[float]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/post"
    with pytest.raises(FetchError) as caught:
        client.get(url, max_bytes=JSON_LIMIT)
    assert str(caught.value) == f"connection refused: {url}"
    assert len(delays) == 2


def test_connect_timeout_is_reported_and_not_retried(
    make_client: MakeClient, delays: list[float]
) -> None:
    # A listener that never accepts: once its backlog is full, the kernel drops new SYNs.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = [socket.socket() for _ in range(3)]
        try:
            for filler in fillers:
                filler.setblocking(False)
                filler.connect_ex(("127.0.0.1", port))
            url = f"http://127.0.0.1:{port}/post"
            started = time.monotonic()
            with pytest.raises(FetchTimeoutError) as caught:
                make_client(connect_timeout=0.3).get(url, max_bytes=JSON_LIMIT)
            assert time.monotonic() - started < 1.0
        finally:
            for filler in fillers:
                filler.close()
    assert str(caught.value) == f"timed out after 0.3 s connecting: {url}"
    assert delays == []


def test_reset_mid_body_is_retried_then_reported(
    server: FaultServer, client: HttpClient, delays: list[float]
) -> None:
    def route(ex: Exchange) -> None:
        ex.send_head(200, length=1000)
        ex.wfile.write(b'{"type": "' + b"x" * 100)
        ex.reset()

    url = server.route("/post", route)
    with pytest.raises(FetchError, match=r"^connection (reset|closed .*): ") as caught:
        client.get(url, max_bytes=JSON_LIMIT)
    assert str(caught.value).endswith(f": {url}")
    assert server.hits["/post"] == 3
    assert len(delays) == 2


def test_slow_drip_body_is_cut_at_the_deadline(
    server: FaultServer, make_client: MakeClient
) -> None:
    def route(ex: Exchange) -> None:
        ex.send_head(200, length=100)
        ex.drip(b"x" * 100, 0.1)  # each read succeeds: only a total deadline stops this

    url = server.route("/drip", route)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError) as caught:
        make_client(timeout=1).get(url, max_bytes=JSON_LIMIT)
    assert 0.9 < time.monotonic() - started < 1.5
    assert str(caught.value) == f"timed out after 1 s: {url}"


def test_slow_drip_headers_are_cut_at_the_deadline(
    server: FaultServer, make_client: MakeClient
) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
    url = server.route("/drip", lambda ex: ex.drip(head, 0.1))
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError, match=r"^timed out after 1 s: "):
        make_client(timeout=1).get(url, max_bytes=JSON_LIMIT)
    assert time.monotonic() - started < 1.5


def test_deadline_covers_all_redirects(server: FaultServer, make_client: MakeClient) -> None:
    def slowly(then: Callable[[Exchange], None]) -> Callable[[Exchange], None]:
        def route(ex: Exchange) -> None:
            ex.fault.stopping.wait(0.6)
            then(ex)

        return route

    url = server.route("/first", slowly(redirect("/second")))
    server.route("/second", slowly(ok()))
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError):
        make_client(timeout=1).get(url, max_bytes=JSON_LIMIT)
    assert time.monotonic() - started < 1.5


def test_body_shorter_than_its_length_is_an_error(server: FaultServer, client: HttpClient) -> None:
    def route(ex: Exchange) -> None:
        ex.respond(200, b'{"type": "ri', length=100)
        ex.close_connection = True

    url = server.route("/post", route)
    with pytest.raises(FetchError) as caught:
        client.get(url, max_bytes=JSON_LIMIT)
    assert str(caught.value) == f"connection closed before the whole response arrived: {url}"


# --- TLS through pinned connections -------------------------------------------------------


@pytest.fixture
def tls_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultServer]:
    with FaultServer(tls=True) as fault:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fault.ca_file))
        yield fault
    assert fault.errors == []


def test_https_checks_the_host_name_not_the_dialled_address(
    tls_server: FaultServer, client: HttpClient
) -> None:
    # The certificate names only "localhost": SNI and verification must use the name
    # although the socket was opened to the checked address. The CA comes from the env.
    url = tls_server.route("/oembed", ok(b'{"secure": true}'))
    assert client.get(url, max_bytes=JSON_LIMIT).json() == {"secure": True}


def test_https_certificate_for_another_name_is_refused(
    tls_server: FaultServer, client: HttpClient, delays: list[float]
) -> None:
    tls_server.route("/oembed", ok())
    url = tls_server.url("/oembed", host="127.0.0.1")
    with pytest.raises(
        FetchError, match=rf"^TLS error: {re.escape(url)} \(.*certificate"
    ) as caught:
        client.get(url, max_bytes=JSON_LIMIT)
    assert "\n" not in str(caught.value)
    assert delays == []


def test_https_slow_drip_is_cut_at_the_deadline(
    tls_server: FaultServer, make_client: MakeClient
) -> None:
    def route(ex: Exchange) -> None:
        ex.send_head(200, length=100)
        ex.drip(b"x" * 100, 0.1)

    url = tls_server.route("/drip", route)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError, match=r"^timed out after 1 s: https://localhost"):
        make_client(timeout=1).get(url, max_bytes=JSON_LIMIT)
    assert time.monotonic() - started < 1.5


# --- Content ---------------------------------------------------------------------------------


def test_truncated_json_is_invalid_json(server: FaultServer, client: HttpClient) -> None:
    url = server.route("/oembed", ok(b'{"type": "ri'))
    response = client.get(url, max_bytes=JSON_LIMIT)
    with pytest.raises(
        FetchError, match=rf"^invalid JSON from {re.escape(url)}: Unterminated string"
    ):
        response.json()


def test_invalid_json_names_the_url(server: FaultServer, client: HttpClient) -> None:
    url = server.route("/oembed", ok(b"{'type': 'rich'}"))
    with pytest.raises(
        FetchError, match=rf"^invalid JSON from {re.escape(url)}: Expecting property name"
    ):
        client.get(url, max_bytes=JSON_LIMIT).json()


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "application/json"])
def test_html_instead_of_json(server: FaultServer, client: HttpClient, content_type: str) -> None:
    page = b"<!DOCTYPE html>\n<html><head><title>Log in</title></head><body></body></html>"
    url = server.route("/oembed", lambda ex: ex.respond(200, page, content_type=content_type))
    with pytest.raises(FetchError) as caught:
        client.get(url, max_bytes=JSON_LIMIT).json()
    assert str(caught.value) == f"expected JSON but got HTML from {url}"


@pytest.mark.parametrize("content_type", ["text/html", "text/plain", None])
def test_json_with_a_wrong_content_type_is_accepted_if_it_parses(
    server: FaultServer, client: HttpClient, content_type: str | None
) -> None:
    url = server.route(
        "/oembed", lambda ex: ex.respond(200, b'{"type": "video"}', content_type=content_type)
    )
    assert client.get(url, max_bytes=JSON_LIMIT).json() == {"type": "video"}


def test_json_that_is_not_an_object_is_the_callers_business(
    server: FaultServer, client: HttpClient
) -> None:
    url = server.route("/oembed", ok(b'[1, "two"]'))
    assert client.get(url, max_bytes=JSON_LIMIT).json() == [1, "two"]


def test_gzip_body_is_decompressed(server: FaultServer, client: HttpClient) -> None:
    body = zlib.compress(b'{"type": "photo"}', wbits=16 + zlib.MAX_WBITS)
    url = server.route(
        "/oembed", lambda ex: ex.respond(200, body, headers=[("Content-Encoding", "gzip")])
    )
    assert client.get(url, max_bytes=JSON_LIMIT).json() == {"type": "photo"}


# --- Size ------------------------------------------------------------------------------------


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_50_mb_body_stops_at_the_cap(
    server: FaultServer, client: HttpClient, chunked: bool
) -> None:
    total = 50_000_000

    def route(ex: Exchange) -> None:
        if chunked:
            ex.send_head(200, headers=[("Transfer-Encoding", "chunked")])
        else:
            ex.send_head(200, length=total)
        ex.stream(total, chunked=chunked)

    url = server.route("/huge", route)
    started = time.monotonic()
    with pytest.raises(ResponseTooLargeError) as caught:
        client.get(url, max_bytes=JSON_LIMIT)
    assert str(caught.value) == f"response larger than 1 MB: {url}"
    assert time.monotonic() - started < 2
    assert server.sent < total // 2


def test_gzip_bomb_stops_at_the_cap(
    server: FaultServer, client: HttpClient, gzip_bomb: bytes
) -> None:
    assert len(gzip_bomb) < 200_000
    url = server.route(
        "/bomb", lambda ex: ex.respond(200, gzip_bomb, headers=[("Content-Encoding", "gzip")])
    )
    with pytest.raises(ResponseTooLargeError) as caught:
        client.get(url, max_bytes=PAGE_LIMIT)
    assert str(caught.value) == f"response larger than 2 MB: {url}"


# --- Redirects -------------------------------------------------------------------------------


def redirect_chain(server: FaultServer, hops: int) -> str:
    for hop in range(1, hops + 1):
        server.route(f"/hop{hop}", redirect(f"/hop{hop - 1}", status=301 + hop % 2))
    server.route("/hop0", ok(b'{"end": true}'))
    return server.url(f"/hop{hops}")


def test_five_redirects_are_followed(server: FaultServer, client: HttpClient) -> None:
    response = client.get(redirect_chain(server, 5), max_bytes=JSON_LIMIT)
    assert response.url == server.url("/hop0")
    assert response.json() == {"end": True}


def test_six_redirects_are_refused(server: FaultServer, client: HttpClient) -> None:
    url = redirect_chain(server, 6)
    with pytest.raises(FetchError) as caught:
        client.get(url, max_bytes=JSON_LIMIT)
    assert str(caught.value) == f"too many redirects (more than 5): {url}"
    assert server.hits["/hop0"] == 0


def test_redirect_loop_is_detected(server: FaultServer, client: HttpClient) -> None:
    first = server.route("/a", redirect("/b"))
    second = server.route("/b", redirect(first))
    with pytest.raises(FetchError) as caught:
        client.get(first, max_bytes=JSON_LIMIT)
    assert str(caught.value) == f"redirect loop: {first} -> {second} -> {first}"


def test_redirect_to_another_scheme_is_refused(server: FaultServer, client: HttpClient) -> None:
    url = server.route("/a", redirect("file:///etc/passwd"))
    with pytest.raises(FetchError, match=r"^bad redirect from .*/a to 'file:///etc/passwd'"):
        client.get(url, max_bytes=JSON_LIMIT)


def test_redirect_body_is_never_read(server: FaultServer, client: HttpClient) -> None:
    def route(ex: Exchange) -> None:
        ex.send_head(302, headers=[("Location", "/end")], length=50_000_000)
        ex.stream(50_000_000)

    url = server.route("/start", route)
    server.route("/end", ok())
    started = time.monotonic()
    assert client.get(url, max_bytes=JSON_LIMIT).status == 200
    assert time.monotonic() - started < 2
    assert server.sent < 25_000_000


# --- Address guard ---------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "2130706433", "0177.0.0.1", "127.1", "localhost"])
def test_guard_refuses_loopback_before_connecting(
    server: FaultServer, make_client: MakeClient, host: str
) -> None:
    server.route("/secret", ok())
    url = f"http://{host}:{server.port}/secret"
    with pytest.raises(BlockedAddressError) as caught:
        make_client(allow_private_network=False).get(url, max_bytes=JSON_LIMIT)
    assert str(caught.value).startswith("refused: ")
    assert str(caught.value).endswith(f" is a loopback address ({url})")
    assert caught.value.url == url
    assert server.hits["/secret"] == 0


def use_as_proxy(server: FaultServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", server.url(""))


def test_with_a_proxy_names_are_left_to_the_proxy(
    server: FaultServer, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_as_proxy(server, monkeypatch)
    server.route("/post", ok(b'{"via": "proxy"}'))
    response = make_client(allow_private_network=False).get(
        "http://social.example/post", max_bytes=JSON_LIMIT
    )
    assert response.json() == {"via": "proxy"}
    assert server.requests[0][0] == "http://social.example/post"  # never resolved here


def test_redirect_to_loopback_is_refused_with_the_guard_on(
    server: FaultServer, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first hop must pass the guard yet reach this server: a proxy makes that possible.
    use_as_proxy(server, monkeypatch)
    secret = server.url("/secret")
    server.route("/start", redirect(secret))
    server.route("/secret", ok())
    with pytest.raises(BlockedAddressError) as caught:
        make_client(allow_private_network=False).get(
            "http://social.example/start", max_bytes=JSON_LIMIT
        )
    assert str(caught.value) == f"refused: 127.0.0.1 is a loopback address ({secret})"
    assert server.hits == {"/start": 1}


BLOCKED = [
    ("127.0.0.1", "is a loopback address"),
    ("127.1", "is a loopback address"),
    ("2130706433", "is a loopback address"),
    ("0177.0.0.1", "is a loopback address"),
    ("0x7f.0.0.1", "is a loopback address"),
    ("10.0.0.5", "is a private address"),
    ("172.16.0.1", "is a private address"),
    ("192.168.1.1", "is a private address"),
    ("169.254.169.254", "is a link-local address"),
    ("100.64.0.1", "is a carrier-grade NAT address"),
    ("100.127.255.254", "is a carrier-grade NAT address"),
    ("0.0.0.0", "is an unspecified address"),
    ("0.1.2.3", "is a reserved address"),
    ("224.0.0.1", "is a multicast address"),
    ("239.255.255.250", "is a multicast address"),
    ("240.0.0.1", "is a reserved address"),
    ("255.255.255.255", "is a reserved address"),
    ("192.0.2.1", "is a reserved address"),
    ("198.18.0.1", "is a reserved address"),
    ("::1", "is a loopback address"),
    ("[::1]", "is a loopback address"),
    ("::", "is an unspecified address"),
    ("fe80::1", "is a link-local address"),
    ("fc00::1", "is a private address"),
    ("fd12:3456::1", "is a private address"),
    ("fec0::1", "is a private address"),
    ("ff02::1", "is a multicast address"),
    ("2001:db8::1", "is a reserved address"),
    ("::127.0.0.1", "is a reserved address"),
    ("::ffff:127.0.0.1", "embeds 127.0.0.1, a loopback address"),
    ("::ffff:10.0.0.5", "embeds 10.0.0.5, a private address"),
    ("::ffff:169.254.169.254", "embeds 169.254.169.254, a link-local address"),
    ("64:ff9b::7f00:1", "embeds 127.0.0.1, a loopback address"),
    ("64:ff9b::10.0.0.5", "embeds 10.0.0.5, a private address"),
    ("2002:7f00:1::1", "embeds 127.0.0.1, a loopback address"),
    ("2002:a00:5::", "embeds 10.0.0.5, a private address"),
    ("2002:6440:1::", "embeds 100.64.0.1, a carrier-grade NAT address"),
]
ALLOWED = [
    "93.184.215.14",
    "8.8.8.8",
    "2606:4700::1",
    "::ffff:93.184.215.14",
    "64:ff9b::808:808",
    "2002:5db8:d70e::1",
]


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any name lookup: literal addresses must be read without one."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"getaddrinfo called with {args}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.usefixtures("no_dns")
@pytest.mark.parametrize(("host", "reason"), BLOCKED)
def test_guard_refuses_non_public_addresses(host: str, reason: str) -> None:
    with pytest.raises(BlockedAddressError, match=r"^refused: \S+ ") as caught:
        check_address_allowed(host, 443, allow_private=False)
    assert str(caught.value).endswith(f" {reason}")
    check_address_allowed(host, 443, allow_private=True)


@pytest.mark.usefixtures("no_dns")
@pytest.mark.parametrize("host", ALLOWED)
def test_guard_allows_public_addresses(host: str) -> None:
    check_address_allowed(host, 443, allow_private=False)


def test_guard_resolves_names() -> None:
    with pytest.raises(BlockedAddressError, match="is a loopback address"):
        check_address_allowed("localhost", 80, allow_private=False)


# --- Text ------------------------------------------------------------------------------------


def page(body: bytes, content_type: str = "text/html") -> HttpResponse:
    return HttpResponse(
        url="https://news.example/",
        status=200,
        headers={"Content-Type": content_type},
        content=body,
    )


def test_windows_1251_page_by_header_charset(server: FaultServer, client: HttpClient) -> None:
    text = "<p>Привет, мир</p>"
    url = server.route(
        "/ru",
        lambda ex: ex.respond(
            200, text.encode("cp1251"), content_type="text/html; charset=windows-1251"
        ),
    )
    assert client.get(url, max_bytes=PAGE_LIMIT).text() == text


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="Shift_JIS">',
        '<meta http-equiv="Content-Type" content="text/html; charset=shift_jis">',
    ],
)
def test_shift_jis_page_by_meta_charset(meta: str) -> None:
    html = f"<html><head>{meta}<title>日本語のページ</title></head></html>"
    assert page(html.encode("shift_jis")).text() == html


def test_xml_declaration_names_the_encoding() -> None:
    xml = '<?xml version="1.0" encoding="ISO-8859-1"?><oembed><title>café</title></oembed>'
    assert page(xml.encode("latin-1"), "text/xml").text() == xml


def test_undecodable_bytes_never_raise() -> None:
    assert page(b"caf\xe9 \x81").text() == "café \ufffd"  # no charset: windows-1252
    # A declared charset the bytes contradict is wrong: read as windows-1252 instead.
    assert page(b"caf\xe9", "text/html; charset=utf-8").text() == "café"
    assert page(b"caf\xc3\xa9", "text/html; charset=base64").text() == "café"  # not a text codec
    assert page(b"caf\xc3\xa9", "text/html; charset=no-such-thing").text() == "café"


def test_json_ignores_a_meta_charset_inside_its_strings() -> None:
    body = '{"html": "<meta charset=\\"windows-1251\\">Привет"}'.encode()
    assert page(body, "application/json").json() == {"html": '<meta charset="windows-1251">Привет'}


def test_json_with_a_byte_order_mark() -> None:
    assert page(b'\xef\xbb\xbf{"a": 1}', "application/json").json() == {"a": 1}


# --- Client lifecycle and helpers ------------------------------------------------------------


def test_threads_share_one_client(server: FaultServer, client: HttpClient) -> None:
    url = server.route("/post", ok(b'{"n": 1}'))
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: client.get(url, max_bytes=JSON_LIMIT).json(), range(40)))
    assert results == [{"n": 1}] * 40
    client.close()
    assert client.get(url, max_bytes=JSON_LIMIT).status == 200  # a closed client reopens


class InFlight:
    """Counts the requests a route is answering at once; each takes a moment."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def __call__(self, exchange: Exchange) -> None:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(self.seconds)
        with self.lock:
            self.now -= 1
        exchange.respond(200, b"{}")


def test_requests_at_once_are_capped_whatever_the_threads(server: FaultServer) -> None:
    in_flight = InFlight(0.05)
    url = server.route("/slow", in_flight)
    client = HttpClient(FetchSettings(allow_private_network=True), requests_at_once=3)
    with client, ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda _: client.get(url, max_bytes=JSON_LIMIT), range(30)))
    assert in_flight.peak == 3


def test_a_try_waiting_to_come_back_frees_its_request_slot(server: FaultServer) -> None:
    busy = iter([True])
    slow = InFlight(0.05)

    def once_busy(exchange: Exchange) -> None:
        if next(busy, False):
            exchange.respond(503, b"", headers=[("Retry-After", "1")])
        else:
            exchange.respond(200, b"{}")

    first, second = server.route("/busy", once_busy), server.route("/slow", slow)
    client = HttpClient(FetchSettings(allow_private_network=True), requests_at_once=1)
    waited = threading.Event()

    def sleep(seconds: float) -> None:
        # While the 503's try waits, the one slot serves another request.
        assert client.get(second, max_bytes=JSON_LIMIT).status == 200
        waited.set()

    client.sleep = sleep
    with client:
        assert client.get(first, max_bytes=JSON_LIMIT).status == 200
    assert waited.is_set()


def test_parse_retry_after() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    later = (now + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after("120", now=now) == 120.0
    assert parse_retry_after(later, now=now) == 90.0
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after("-5", now=now) is None
    assert parse_retry_after(None) is None


def test_settings_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="timeouts"):
        FetchSettings(timeout=0)
    with pytest.raises(ValueError, match="max_tries"):
        FetchSettings(max_tries=0)


# -- charsets as browsers read them, repaired when missing or wrong ---------------------------

RUSSIAN = "Москва готовится к зиме: что изменится в городе этой осенью"
JAPANESE = "東京で新しい美術館が開館、初日から長い行列ができました"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        # No declaration anywhere: detected from the bytes.
        (RUSSIAN.encode("cp1251"), "text/html", RUSSIAN),
        # http-equiv in the first 1024 bytes.
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
            + JAPANESE.encode("shift_jis"),
            "text/html",
            '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">' + JAPANESE,
        ),
        # The header's label, a superset as browsers read it (EUC-KR as windows-949).
        (
            "서울 지하철 새 노선 개통".encode("cp949"),
            "text/html; charset=euc-kr",
            "서울 지하철 새 노선 개통",
        ),
        ("北京今年冬天第一场雪".encode("gbk"), "text/html; charset=gb2312", "北京今年冬天第一场雪"),
        ("15 € de moins".encode("iso-8859-15"), "text/html; charset=iso-8859-15", "15 € de moins"),
        # Labels that are no charsets fall back instead of crashing.
        ("Çay hasadı başladı".encode(), "text/html; charset=idna", "Çay hasadı başladı"),
        ("Çay hasadı başladı".encode(), "text/html; charset=undefined", "Çay hasadı başladı"),
        # A Latin-1 header over UTF-8 bytes: the bytes win.
        ("Größte Solaranlage".encode(), "text/html; charset=iso-8859-1", "Größte Solaranlage"),
        # A UTF-8 header over windows-1251 bytes: detected instead.
        (RUSSIAN.encode("cp1251"), "text/html; charset=utf-8", RUSSIAN),
    ],
)
def test_pages_decode_as_browsers_read_them(body: bytes, content_type: str, expected: str) -> None:
    assert page(body, content_type).text() == expected


def test_meta_charset_past_the_first_1024_bytes_is_not_read() -> None:
    body = b"<!-- " + b"x" * 1100 + b' --><meta charset="koi8-r">' + "Привет".encode("koi8-r")
    assert "Привет" not in page(body, "text/html").text()
