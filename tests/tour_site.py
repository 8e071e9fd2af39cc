"""The tour story of ``test_browser_modes``, built from a loopback playground, and served.

Browser tests of many modules start from the same rendered story: ``build_tour`` fetches
it from a provider playground on the module's HTTP server (and leaves that server empty
for the next test), ``served_tour`` also serves its outputs on loopback.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from .browser_support import SiteServer, serve
from .conftest import ProviderPlayground
from .test_browser_modes import StorySite, build_story


def build_tour(
    make_httpserver: HTTPServer, tmp_path_factory: pytest.TempPathFactory, name: str = "tour"
) -> StorySite:
    """Fetch the tour story from a playground on ``make_httpserver``, render every output."""
    make_httpserver.clear()
    playground = ProviderPlayground(make_httpserver)
    make_httpserver.expect_request(re.compile(".*")).respond_with_handler(playground.handle)
    try:
        return build_story(playground, tmp_path_factory.mktemp(name))
    finally:
        make_httpserver.clear()  # the next test's server starts empty


@contextlib.contextmanager
def served_tour(
    make_httpserver: HTTPServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[StorySite, SiteServer]]:
    """Build the tour story and serve its outputs on loopback while the block runs."""
    built = build_tour(make_httpserver, tmp_path_factory)
    with serve(built.root) as server:
        yield built, server
