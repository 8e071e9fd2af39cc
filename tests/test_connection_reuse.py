"""Kept-alive connections: one pool per client for all its threads, deadlines still per try."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from storyboard.errors import FetchError, FetchTimeoutError
from storyboard.net import JSON_LIMIT, FetchSettings, HttpClient
from tests.faultserver import Exchange, FaultServer

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def _no_proxy_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def client_with(timeout: float = 5.0) -> HttpClient:
    return HttpClient(FetchSettings(allow_private_network=True, timeout=timeout, max_tries=1))


def in_thread(work: object) -> object:
    """Run ``work()`` in a new thread and return what it returned (or raise what it raised)."""
    result: list[object] = []

    def run() -> None:
        try:
            result.append(work())  # type: ignore[operator]
        except Exception as exc:  # handed to the caller
            result.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if isinstance(result[0], Exception):
        raise result[0]
    return result[0]


def ok(ex: Exchange) -> None:
    ex.respond(200, b'{"ok": true}')


def test_threads_take_turns_on_one_kept_alive_connection(server: FaultServer) -> None:
    url = server.route("/post", ok)
    with client_with() as client:
        for _ in range(6):  # each from a thread of its own, one after another
            in_thread(lambda: client.get(url, max_bytes=JSON_LIMIT))
    assert server.hits["/post"] == 6
    assert server.connections == 1


def test_an_error_page_and_a_redirect_keep_their_connection(server: FaultServer) -> None:
    server.route("/gone", lambda ex: ex.respond(404, b"<p>no such post</p>"))
    server.route("/moved", lambda ex: ex.respond(301, b"moved", headers=[("Location", "/post")]))
    server.route("/post", ok)
    with client_with() as client:
        with pytest.raises(FetchError, match=r"^404 Not Found"):
            client.get(server.url("/gone"), max_bytes=JSON_LIMIT)
        assert client.get(server.url("/moved"), max_bytes=JSON_LIMIT).json() == {"ok": True}
    assert server.connections == 1


def test_a_reused_connection_is_cut_at_the_new_tries_deadline(server: FaultServer) -> None:
    fast = server.route("/fast", ok)
    slow = server.route("/slow", lambda ex: ex.drip(b"x" * 100, interval=0.1))
    with client_with(timeout=1.0) as client:
        client.get(fast, max_bytes=JSON_LIMIT)
        started = time.monotonic()
        with pytest.raises(FetchTimeoutError):
            in_thread(lambda: client.get(slow, max_bytes=JSON_LIMIT))
        assert time.monotonic() - started < 3
    assert server.connections == 1  # the slow answer came on the kept-alive connection


def test_a_finished_tries_deadline_leaves_the_connection_alone(server: FaultServer) -> None:
    url = server.route("/post", ok)
    with client_with(timeout=0.5) as client:
        client.get(url, max_bytes=JSON_LIMIT)
        time.sleep(0.8)  # past the first try's deadline, which the watchdog still holds
        assert client.get(url, max_bytes=JSON_LIMIT).json() == {"ok": True}
    assert server.connections == 1


def open_descriptors() -> int:
    return len(list(Path("/proc/self/fd").iterdir()))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts /proc/self/fd")
def test_closing_the_client_closes_every_descriptor(server: FaultServer) -> None:
    url = server.route("/post", ok)
    server.route("/drop", lambda ex: ex.respond(200, b"{}", headers=[("Connection", "close")]))
    before = open_descriptors()
    client = client_with()
    threads = [
        threading.Thread(target=lambda: [client.get(url, max_bytes=JSON_LIMIT) for _ in range(5)])
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for _ in range(3):
        client.get(server.url("/drop"), max_bytes=JSON_LIMIT)  # the server ends each one
    assert open_descriptors() > before
    client.close()
    deadline = time.monotonic() + 5  # the server's ends close when they see the client's go
    while open_descriptors() != before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert open_descriptors() == before


def test_a_client_asks_dns_once_per_host_for_a_while(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The resolver stands in for DNS: posts.example is the test server, gone.example is not."""
    asked: list[str] = []
    real = socket.getaddrinfo

    def resolver(host: str, *args: Any, **kwargs: Any) -> Any:
        if not host.endswith(".example"):
            return real(host, *args, **kwargs)  # the address dialled, as urllib3 passes it
        asked.append(host)
        if host == "posts.example":
            return real("127.0.0.1", *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    server.route("/post", lambda ex: ex.respond(200, b"{}", headers=[("Connection", "close")]))
    url = server.url("/post", host="posts.example")
    with client_with() as client:
        for _ in range(3):  # a new connection each time: the server closes each one
            assert client.get(url, max_bytes=JSON_LIMIT).status == 200
        for _ in range(3):
            with pytest.raises(FetchError, match=r"^cannot resolve host gone\.example: "):
                client.get("http://gone.example/post", max_bytes=JSON_LIMIT)
    assert server.connections == 3
    assert asked == ["posts.example", "gone.example"]


def test_a_cookie_a_server_sets_is_sent_back_to_it(server: FaultServer) -> None:
    server.route("/consent", lambda ex: ex.respond(200, b"{}", headers=[("Set-Cookie", "ok=1")]))
    server.route("/post", ok)
    with client_with() as client:
        client.get(server.url("/post"), max_bytes=JSON_LIMIT)
        client.get(server.url("/consent"), max_bytes=JSON_LIMIT)
        client.get(server.url("/post"), max_bytes=JSON_LIMIT)
    cookies = [headers.get("Cookie") for path, headers in server.requests if path == "/post"]
    assert cookies == [None, "ok=1"]
