"""The published story embedded by its URL alone: by WordPress, and by another story.

The tour story is rendered with ``--base-url`` pointing at a loopback server that serves it.
WordPress's own ``wp_filter_oembed_result`` keeps the iframe of its ``oembed.json``; a host
page with WordPress's ``wp-embed.js`` then shows the embed page at the height that page
reports. And storyboard itself, given the story's URL as an item of another story, finds
``oembed.json`` through the page's discovery link.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from bs4 import BeautifulSoup
from pytest_httpserver import HTTPServer

from storyboard.urls import normalize_url

from .blog_hosts.wordpress import WordPressFilters
from .browser_support import SiteServer, load, screenshot, serve, watched_page
from .test_browser_modes import StorySite, cli
from .tour_site import served_tour

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def published(
    make_httpserver: HTTPServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[StorySite, SiteServer]]:
    """The tour story, served on loopback and rendered for the address it is served at."""
    with served_tour(make_httpserver, tmp_path_factory) as (built, server):
        network = ["--providers", built.providers, "--allow-private-network", "--offline"]
        base = ["--base-url", server.url("shared/")]
        assert cli("render", built.story, "-o", built.root / "shared", *base, *network) == 1
        yield built, server


def test_wordpress_keeps_the_iframe_and_wp_embed_sizes_it(
    browser: Browser,
    published: tuple[StorySite, SiteServer],
    wordpress_filters: WordPressFilters,
    wordpress_embed_js: Path,
    request: pytest.FixtureRequest,
) -> None:
    built, server = published
    oembed = json.loads((built.root / "shared" / "oembed.json").read_text("utf-8"))
    kept = wordpress_filters(oembed["html"], "oembed")
    frame = BeautifulSoup(kept, "html.parser").find("iframe")
    assert frame is not None, kept
    secret = frame["data-secret"]
    assert frame["src"] == f"{server.url('shared/embed/')}#?secret={secret}"
    assert frame["sandbox"] == ["allow-scripts"]

    shutil.copy(wordpress_embed_js, built.root / "wp-embed.js")
    (built.root / "wp-post.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A post</title>'
        "</head><body><main><h1>A post</h1><p>The story, embedded by its URL:</p>"
        f'{kept}<p>After the story.</p></main><script src="wp-embed.js"></script></body></html>',
        encoding="utf-8",
    )
    with watched_page(browser, server.origin) as watched:
        load(watched, server.url("wp-post.html"))
        iframe = watched.page.locator("iframe.wp-embedded-content")
        # wp-embed.js shows the iframe (drops WordPress's hiding style) on the first message.
        watched.page.wait_for_function(
            "() => !document.querySelector('iframe.wp-embedded-content').hasAttribute('style')"
        )
        inner = next(f for f in watched.page.frames if "/shared/embed/" in f.url)
        content = inner.evaluate(
            "Math.ceil(document.documentElement.getBoundingClientRect().height)"
        )
        expected = min(1000, max(200, content))  # wp-embed.js keeps heights within 200-1000
        assert content < 1000, "the embed page should fit in the frame WordPress allows"
        watched.page.wait_for_function(
            f"() => document.querySelector('iframe.wp-embedded-content').height == '{expected}'"
        )
        assert iframe.bounding_box()["height"] == pytest.approx(expected, abs=1)
        assert watched.page.locator("blockquote.wp-embedded-content").is_hidden()
        # The story itself is in the frame: its title and its first cards (what fits in
        # wp-embed.js's 1000 px), then a link to the whole story.
        assert inner.locator("h1").inner_text() == "Browser tour"
        assert inner.locator(".sb-card").count() == 2
        assert inner.locator("footer a").get_attribute("href") == "./"
        screenshot(watched.page, request)
        assert watched.log.third_party == []


def test_a_story_embeds_a_story_by_its_url(
    browser: Browser, published: tuple[StorySite, SiteServer], tmp_path: Path
) -> None:
    _, server = published
    page_url = server.url("shared/")
    story = tmp_path / "digest.yaml"
    story.write_text(f"title: Digest\nlang: en\nitems:\n  - url: {page_url}\n", encoding="utf-8")
    assert cli("fetch", story, "--allow-private-network") == 0
    snapshots = json.loads((tmp_path / "digest.snapshots.json").read_text("utf-8"))
    card = snapshots["snapshots"][normalize_url(page_url)]["card"]
    # Found through the page's discovery link: the rich answer of oembed.json.
    assert card["kind"] == "rich"
    assert card["title"] == "Browser tour"
    assert card["author_name"] == "Example Curator"
    # The player is the embed page (made https: players never load over plain http).
    assert card["player_url"].endswith("/shared/embed/")
    assert card["image"]["path"]  # the story's preview picture, archived
    out = tmp_path / "site"
    assert cli("render", story, "-o", out, "--offline", "--embed", "static") == 0
    with serve(out) as site, watched_page(browser, site.origin) as watched:
        load(watched, site.url("index.html"))
        title = watched.page.locator(".sb-card .sb-title a")
        assert title.inner_text() == "Browser tour"
        assert title.get_attribute("href") == page_url
        assert watched.page.evaluate(
            "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"
        )
        assert watched.page.locator(".sb-card img").count() == 1
