"""What a reader's browser does with a page rendered straight from snapshots (no CLI):
requests, click-to-load, small screens, a blog theme around the fragment.

Pages are served over HTTP on loopback by ``browser_support``; the fuller tour of every
embed mode, built through the CLI, is ``test_browser_modes``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image

from storyboard.model.card import Card, CardKind, MediaAsset
from storyboard.model.snapshot import Snapshot, SnapshotStatus, Source, SourceKind
from storyboard.model.story import Story
from storyboard.render import OutputFormat, RenderOptions, render_story
from storyboard.urls import normalize_url

from .browser_support import (
    PHONE_WIDTH,
    SiteServer,
    assert_no_horizontal_overflow,
    load,
    screenshot,
    serve,
    watched_page,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

VIDEO_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
POST_URL = "https://social.example/@anna/1"
LONG_WORD = "Supercalifragilisticexpialidocious" * 3


def render_page(tmp_path: Path, fmt: OutputFormat = OutputFormat.PAGE) -> Path:
    """Render a click-mode story with a video and a post; return the output file."""
    assets = tmp_path / "story.assets"
    assets.mkdir(exist_ok=True)
    Image.new("RGB", (480, 360), (200, 30, 30)).save(assets / "thumb.png")
    story = Story.model_validate(
        {
            "title": "Browser check",
            "date": "2017-01-13",
            "lang": "sv",
            "options": {"embed": "click"},
            "items": [
                {"heading": "Video"},
                {"url": VIDEO_URL, "note": f"A note with {LONG_WORD}."},
                {"url": POST_URL},
            ],
        }
    )
    video = Card(
        kind=CardKind.VIDEO,
        url=VIDEO_URL,
        title="A talk",
        provider_name="YouTube",
        image=MediaAsset(url="https://i.ytimg.com/x.jpg", path="thumb.png", width=480, height=360),
        player_url="https://www.youtube.com/embed/dQw4w9WgXcQ?feature=oembed",
        width=480,
        height=270,
    )
    post = Card(
        kind=CardKind.POST,
        url=POST_URL,
        text_html=f"<p>{LONG_WORD} https://social.example/a/very/long/path/{LONG_WORD}</p>",
        author_name="Anna",
        author_handle="@anna@social.example",
        author_url="https://social.example/@anna",
        published=dt.date(2017, 1, 13),
    )
    snapshots = {
        normalize_url(VIDEO_URL): Snapshot(
            url=VIDEO_URL,
            status=SnapshotStatus.OK,
            source=Source(kind=SourceKind.PROVIDER, provider_name="YouTube"),
            card=video,
        ),
        normalize_url(POST_URL): Snapshot(url=POST_URL, status=SnapshotStatus.OK, card=post),
    }
    options = RenderOptions(output_dir=tmp_path / "site", format=fmt)
    render_story(story, snapshots, options, assets_dir=assets)
    return options.output_file


@pytest.fixture
def site(tmp_path: Path) -> Iterator[SiteServer]:
    """Render the page and the fragment, and serve them on loopback."""
    render_page(tmp_path)
    render_page(tmp_path, OutputFormat.FRAGMENT)
    with serve(tmp_path / "site") as server:
        yield server


def test_no_request_leaves_the_page_until_the_reader_clicks(
    browser: Browser, site: SiteServer, request: pytest.FixtureRequest
) -> None:
    with watched_page(browser, site.origin, width=PHONE_WIDTH) as watched:
        page, log = watched.page, watched.log
        load(watched, site.url("index.html"))
        assert log.third_party == []
        assert page.locator("img").first.evaluate("img => img.naturalWidth") == 480
        screenshot(page, request)

        button = page.get_by_role("button", name="Ladda videon från YouTube")
        assert button.is_visible()
        button.click()
        frame = page.locator(".sb-frame iframe")
        frame.wait_for(state="attached")
        assert frame.get_attribute("src") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
        assert frame.get_attribute("sandbox") == (
            "allow-scripts allow-same-origin allow-popups allow-presentation"
        )
        assert page.locator(".sb-loader").count() == 0
        page.wait_for_timeout(200)
        assert log.third_party
        assert all(u.startswith("https://www.youtube-nocookie.com/") for u in log.third_party)
        assert log.errors == []


def test_page_fits_a_small_phone_screen(
    browser: Browser, site: SiteServer, request: pytest.FixtureRequest
) -> None:
    with watched_page(browser, site.origin, width=PHONE_WIDTH) as watched:
        load(watched, site.url("index.html"))
        screenshot(watched.page, request)
        assert_no_horizontal_overflow(watched.page)


def test_without_script_the_card_links_to_the_original(browser: Browser, site: SiteServer) -> None:
    with watched_page(browser, site.origin, javascript=False) as watched:
        page = watched.page
        load(watched, site.url("index.html"))
        assert page.get_by_role("button").count() == 0  # hidden: it would do nothing
        thumb = page.locator("a.sb-thumb")
        assert thumb.get_attribute("href") == VIDEO_URL
        assert thumb.is_visible()


HOST_PAGE = """<!doctype html><html><head><style>
body { font-family: Georgia, serif; }
img { border: 6px solid red; padding: 10px; max-width: none; }
p { margin: 4em 0; }
a { border-bottom: 3px dotted green; }
button { width: 100%; text-transform: uppercase; }
.post { max-width: 500px; }
</style></head><body><article class="post"><h1>My blog post</h1>
<p class="mine">Before.</p>
FRAGMENT
<p class="mine">After.</p></article></body></html>"""


def test_fragment_holds_its_own_inside_a_blog_theme(
    browser: Browser, site: SiteServer, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    fragment = (tmp_path / "site" / "embed.html").read_text(encoding="utf-8")
    host = tmp_path / "site" / "host.html"
    host.write_text(HOST_PAGE.replace("FRAGMENT", fragment), encoding="utf-8")
    with watched_page(browser, site.origin, width=800) as watched:
        page = watched.page
        load(watched, site.url("host.html"))
        screenshot(page, request)
        img = page.locator(".storyboard .sb-media img")
        assert img.evaluate("e => getComputedStyle(e).borderTopWidth") == "0px"
        assert img.evaluate("e => e.getBoundingClientRect().width") <= 500
        text = page.locator(".storyboard .sb-text p").first
        assert text.evaluate("e => getComputedStyle(e).marginTop") == "0px"
        button = page.locator(".storyboard button")
        assert button.evaluate("e => getComputedStyle(e).textTransform") == "none"
        # ...and leaves the host's own elements alone.
        mine = page.locator("p.mine").first
        assert mine.evaluate("e => getComputedStyle(e).marginTop") == "64px"
        heading_font = page.locator("h1").evaluate("e => getComputedStyle(e).fontFamily")
        assert heading_font == "Georgia, serif"
        assert watched.log.third_party == []
