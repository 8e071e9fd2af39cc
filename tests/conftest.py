"""Shared fixtures: a local server that plays oEmbed providers, and story files on disk."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

# WordPress's filters and an Eleventy build, for tests of what blogs and static sites make
# of storyboard's output (skip or fail loudly without php/WordPress or node/npm).
from .blog_hosts.eleventy import eleventy_build, eleventy_cmd
from .blog_hosts.wordpress import wordpress_embed_js, wordpress_filters

# The headless Chromium fixture, for every browser test (skips or fails loudly without it).
from .browser_support import browser
from .faultserver import FaultServer

__all__ = [  # fixtures, found by name
    "browser",
    "eleventy_build",
    "eleventy_cmd",
    "wordpress_embed_js",
    "wordpress_filters",
]


@dataclass
class ProviderPlayground:
    """A loopback server playing providers: an oEmbed endpoint and pages with discovery.

    ``oembed[url]`` is the JSON answer for a post URL (or a ``(status, body)`` pair);
    ``pages[path]`` is the HTML served at that path. Every request is logged, so tests
    can assert what was (not) asked.
    """

    server: HTTPServer
    oembed: dict[str, Any] = field(default_factory=dict)
    pages: dict[str, str | tuple[int, str]] = field(default_factory=dict)
    images: dict[str, bytes] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        """Return the server's absolute URL for ``path``."""
        return self.server.url_for(path)

    @property
    def endpoint(self) -> str:
        """The oEmbed endpoint's URL."""
        return self.url("/oembed")

    def providers_file(self, directory: Path, scheme: str = "https://social.example/*") -> Path:
        """Write a providers.json that sends ``scheme`` URLs to this server's endpoint."""
        path = directory / "providers.json"
        path.write_text(
            json.dumps(
                [
                    {
                        "provider_name": "Example Social",
                        "provider_url": "https://social.example/",
                        "endpoints": [{"schemes": [scheme], "url": self.endpoint}],
                    }
                ]
            ),
            encoding="utf-8",
        )
        return path

    def handle(self, request: Request) -> Response:
        """Answer one request from the tables."""
        self.requests.append(request.full_path)
        if request.path == "/oembed":
            answer = self.oembed.get(request.args.get("url", ""))
            if answer is None:
                return Response('{"error": "not found"}', 404, content_type="application/json")
            if isinstance(answer, tuple):
                status, body = answer
                return Response(body, status, content_type="application/json")
            return Response(json.dumps(answer), 200, content_type="application/json")
        if request.path in self.images:
            return Response(self.images[request.path], 200, content_type="image/png")
        page = self.pages.get(request.path)
        if page is None:
            return Response("not found", 404, content_type="text/plain")
        if isinstance(page, tuple):
            return Response(page[1], page[0], content_type="text/html; charset=utf-8")
        return Response(page, 200, content_type="text/html; charset=utf-8")


@pytest.fixture(autouse=True, scope="session")
def no_wayback_lookups() -> Iterator[None]:
    """Never ask the Internet Archive from a test (a gone post would); tests that want it
    set ``STORYBOARD_WAYBACK_API`` to a loopback server. Session-wide, so module
    fixtures that fetch are covered too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORYBOARD_WAYBACK_API", "off")
        yield


@pytest.fixture(autouse=True)
def private_cache_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Give every test an empty cache directory: no test reads or writes the user's."""
    directory = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("STORYBOARD_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def playground(httpserver: HTTPServer) -> ProviderPlayground:
    """Return a provider playground on a loopback server."""
    play = ProviderPlayground(httpserver)
    # One catch-all handler: the tables above decide what each path answers.
    httpserver.expect_request(re.compile(".*")).respond_with_handler(play.handle)
    return play


@pytest.fixture
def write_story(tmp_path: Path) -> Callable[..., Path]:
    """Return a function that writes a story file into a temporary folder."""

    def write(text: str, name: str = "story.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def server() -> Iterator[FaultServer]:
    """A loopback server that misbehaves on request; a test fails if it saw a bad exchange."""
    with FaultServer() as fault:
        yield fault
    assert fault.errors == []
