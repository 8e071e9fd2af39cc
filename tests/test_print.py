"""Printing the story ("Save as PDF") gives a clean archive copy, checked in Chromium's print media.

No buttons, every link's address written out after it, and no card split across pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from pytest_httpserver import HTTPServer

from .browser_support import SiteServer, load, screenshot, watched_page
from .test_browser_modes import StorySite
from .tour_site import served_tour

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(
    make_httpserver: HTTPServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[StorySite, SiteServer]]:
    with served_tour(make_httpserver, tmp_path_factory) as served:
        yield served


@pytest.mark.parametrize("output", ["click", "fragment-copy"])
def test_print_shows_no_buttons_writes_link_addresses_and_keeps_cards_whole(
    browser: Browser,
    site: tuple[StorySite, SiteServer],
    request: pytest.FixtureRequest,
    output: str,
) -> None:
    built, server = site
    with watched_page(browser, server.origin) as watched:
        page = watched.page
        load(watched, server.url(built.path(output)))
        if output == "click":  # on screen, the click-to-load buttons are there
            assert page.locator("button.sb-load").first.is_visible()
        page.emulate_media(media="print")
        assert (
            page.locator("button").evaluate_all("bs => bs.filter(b => b.offsetParent).length") == 0
        )
        links = page.locator(".sb-foot a.sb-source").evaluate_all(
            "as => as.map(a => [a.href, getComputedStyle(a, '::after').content])"
        )
        assert links
        for href, after in links:
            assert href in after, (href, after)
        # A picture's link (its card's link, written out already) and a link whose text is its
        # address are not written out again.
        assert set(
            page.locator("a.sb-thumb").evaluate_all(
                "as => as.map(a => getComputedStyle(a, '::after').content)"
            )
        ) == {"none"}
        assert page.locator(".sb-url a").evaluate_all(
            "as => as.map(a => getComputedStyle(a, '::after').content)"
        ) == ["none"]
        breaks = page.locator(".sb-card").evaluate_all(
            "cs => cs.map(c => getComputedStyle(c).breakInside)"
        )
        assert breaks
        assert set(breaks) == {"avoid"}
        screenshot(page, request, "print")
