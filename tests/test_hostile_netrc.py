"""~/.netrc passwords are never sent, not to the story's hosts nor after a redirect."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from .cli_runner import invoke

PAGE = (
    "<!doctype html><html><head><title>A page</title>"
    '<meta property="og:title" content="Moved here"></head><body></body></html>'
)


def test_netrc_credentials_are_never_sent(
    httpserver: HTTPServer,
    write_story: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    netrc = home / ".netrc"
    netrc.write_text(
        "machine 127.0.0.1 login anna password hunter2\n"
        "machine localhost login anna password hunter2\n"
        "default login anyone password hunter3\n",
        encoding="utf-8",
    )
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("NETRC", raising=False)
    seen: list[tuple[str, str | None]] = []
    port = httpserver.port

    def handle(request: Request) -> Response:
        seen.append((request.host + request.path, request.headers.get("Authorization")))
        if request.path == "/start":
            # Another host name for the same server: the redirect target chosen by the page.
            return Response("", 302, headers={"Location": f"http://localhost:{port}/moved"})
        return Response(PAGE, 200, content_type="text/html; charset=utf-8")

    httpserver.expect_request("/start").respond_with_handler(handle)
    httpserver.expect_request("/moved").respond_with_handler(handle)
    story = write_story(f"title: T\nitems:\n  - url: http://127.0.0.1:{port}/start\n")
    result = invoke(["fetch", str(story), "--allow-private-network"])
    assert result.exit_code == 0, result.stderr
    assert [where for where, _ in seen] == [f"127.0.0.1:{port}/start", f"localhost:{port}/moved"]
    assert [auth for _, auth in seen] == [None, None]
