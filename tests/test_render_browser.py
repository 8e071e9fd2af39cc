"""What a reader's browser does with a rendered page: requests, click-to-load, small screens."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from storyboard.card import Card, CardKind, MediaAsset
from storyboard.render import OutputFormat, RenderOptions, render_story
from storyboard.snapshot import Snapshot, SnapshotStatus, Source, SourceKind
from storyboard.story import Story
from storyboard.urls import normalize_url

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
VIDEO_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
POST_URL = "https://social.example/@anna/1"
LONG_WORD = "Supercalifragilisticexpialidocious" * 3

sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed", allow_module_level=True)


def render_page(tmp_path: Path, fmt: OutputFormat = OutputFormat.PAGE) -> Path:
    """Render a click-mode story with a video and a post; return the output file."""
    assets = tmp_path / "story.assets"
    assets.mkdir()
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
def browser() -> Iterator[object]:
    """Return a headless Chromium."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def test_no_request_leaves_the_page_until_the_reader_clicks(
    tmp_path: Path, browser: object
) -> None:
    page_file = render_page(tmp_path)
    context = browser.new_context(viewport={"width": 360, "height": 740})  # type: ignore[attr-defined]
    outside: list[str] = []

    def block(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith("file://"):
            route.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(url)
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", block)
    page = context.new_page()
    try:
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        assert outside == []
        assert page.locator("img").first.evaluate("img => img.naturalWidth") == 480

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
        assert outside
        assert all(u.startswith("https://www.youtube-nocookie.com/") for u in outside)
    finally:
        context.close()


def test_page_fits_a_small_phone_screen(tmp_path: Path, browser: object) -> None:
    page_file = render_page(tmp_path)
    page = browser.new_page(viewport={"width": 360, "height": 740})  # type: ignore[attr-defined]
    try:
        page.goto(page_file.as_uri())
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360
    finally:
        page.close()


def test_without_script_the_card_links_to_the_original(tmp_path: Path, browser: object) -> None:
    page_file = render_page(tmp_path)
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(page_file.as_uri())
        assert page.get_by_role("button").count() == 0  # hidden: it would do nothing
        thumb = page.locator("a.sb-thumb")
        assert thumb.get_attribute("href") == VIDEO_URL
        assert thumb.is_visible()
    finally:
        context.close()


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


def test_fragment_holds_its_own_inside_a_blog_theme(tmp_path: Path, browser: object) -> None:
    fragment = render_page(tmp_path, OutputFormat.FRAGMENT)
    host = fragment.with_name("host.html")
    host.write_text(
        HOST_PAGE.replace("FRAGMENT", fragment.read_text(encoding="utf-8")), encoding="utf-8"
    )
    page = browser.new_page(viewport={"width": 800, "height": 900})  # type: ignore[attr-defined]
    try:
        page.goto(host.as_uri())
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
    finally:
        page.close()
