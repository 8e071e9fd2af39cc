"""The rendered story in a real browser, in every embed mode, built through the real CLI.

One story of posts (X and Bluesky), two YouTube videos, a photo, a slide deck, a post
that disappeared at the source and a URL that never resolved is fetched from a loopback
server playing the providers (media archived on the way), then rendered as a page in
``static``, ``click`` and ``live`` mode and as a fragment. Chromium loads each from
another loopback server, so that "the page's own origin" is a real origin.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from PIL import Image, ImageChops
from pytest_httpserver import HTTPServer

from storyboard.urls import normalize_url

from .browser_support import (
    DESKTOP_WIDTH,
    PHONE_WIDTH,
    SiteServer,
    assert_no_horizontal_overflow,
    load,
    screenshot,
    serve,
    watched_page,
)
from .cli_runner import invoke
from .conftest import ProviderPlayground

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

POST_URL = "https://twitter.com/anna/status/820000000000000001"
GONE_URL = "https://twitter.com/mikael/status/820000000000000002"
BLUESKY_URL = "https://bsky.app/profile/sara.bsky.social/post/3k44deefqdk2g"
VIDEO_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
VIDEO_ID = "dQw4w9WgXcQ"
SECOND_VIDEO_URL = "https://www.youtube.com/watch?v=9bZkp7q19f0"
PHOTO_URL = "https://photos.example/anna/1"
SLIDES_URL = "https://speakerdeck.com/anna/slow-content"
MISSING_URL = "https://social.example/@nobody/404"
LONG_WORD = "Supercalifragilisticexpialidocious" * 3
#: Where a user says they will upload the assets/ folder (``--asset-url``).
CDN = "https://cdn.example/tour/assets/"

STORY = f"""\
title: Browser tour
description: Posts, videos, a photo and slides, in every embed mode.
date: 2017-01-13
lang: en
author: Example Curator
items:
  - heading: Morning
  - text: |
      The day in posts, with a word too long for a phone: {LONG_WORD}.
  - url: {POST_URL}
    note: The first post of the day.
  - url: {BLUESKY_URL}
  - url: {VIDEO_URL}
    note: The opening talk.
  - url: {SECOND_VIDEO_URL}
  - heading: Afternoon
  - url: {PHOTO_URL}
  - url: {SLIDES_URL}
    note: The slides of the closing talk.
    embed: click
  - url: {GONE_URL}
  - url: {MISSING_URL}
"""

#: Hosts each provider's player or script may come from (the built-in registry's).
PLAYER_HOSTS = {"www.youtube-nocookie.com", "speakerdeck.com"}
LIVE_HOSTS = PLAYER_HOSTS | {"platform.twitter.com", "embed.bsky.app"}


def image_bytes(size: tuple[int, int], colour: tuple[int, int, int], fmt: str) -> bytes:
    """Return an image of one colour, encoded as ``fmt``."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()


def x_post(author: str, handle: str, status_url: str, text: str, date: str) -> dict[str, Any]:
    """Return an answer shaped like publish.twitter.com's (with ``omit_script`` unset)."""
    return {
        "url": status_url,
        "author_name": author,
        "author_url": f"https://twitter.com/{handle}",
        "html": f'<blockquote class="twitter-tweet" data-dnt="true"><p lang="en" dir="ltr">'
        f'{text} <a href="https://t.co/AbCdEf">#anksome</a></p>&mdash; {author} (@{handle}) '
        f'<a href="{status_url}?ref_src=twsrc%5Etfw">{date}</a></blockquote>\n'
        '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>\n',
        "width": 550,
        "height": None,
        "type": "rich",
        "cache_age": "3153600000",
        "provider_name": "Twitter",
        "provider_url": "https://twitter.com",
        "version": "1.0",
    }


def bluesky_post() -> dict[str, Any]:
    """Return an answer shaped like embed.bsky.app's."""
    did = "did:plc:z72i7hdynmk6r22z27h6tvur"
    return {
        "type": "rich",
        "version": "1.0",
        "author_name": "Sara Example",
        "author_url": "https://bsky.app/profile/sara.bsky.social",
        "provider_name": "Bluesky Social",
        "provider_url": "https://bsky.app",
        "cache_age": 86400,
        "width": 600,
        "height": None,
        "html": f'<blockquote class="bluesky-embed" data-bluesky-uri="at://{did}/app.bsky.feed.'
        'post/3k44deefqdk2g" data-bluesky-cid="bafyreiexample"><p lang="en">Slow content '
        'wins.\n\nSee you next year!</p>&mdash; Sara Example (<a href="https://bsky.app/'
        f'profile/{did}?ref_src=embed">@sara.bsky.social</a>) <a href="https://bsky.app/'
        f'profile/{did}/post/3k44deefqdk2g?ref_src=embed">January 13, 2017 at 4:35 PM</a>'
        '</blockquote><script async src="https://embed.bsky.app/static/embed.js" '
        'charset="utf-8"></script>',
    }


def youtube_video(video_id: str, title: str, thumbnail: str) -> dict[str, Any]:
    """Return an answer shaped like www.youtube.com/oembed's, its thumbnail on ``thumbnail``."""
    return {
        "title": title,
        "author_name": "Example Channel",
        "author_url": "https://www.youtube.com/@examplechannel",
        "type": "video",
        "height": 113,
        "width": 200,
        "version": "1.0",
        "provider_name": "YouTube",
        "provider_url": "https://www.youtube.com/",
        "thumbnail_height": 360,
        "thumbnail_width": 480,
        "thumbnail_url": thumbnail,
        "html": f'<iframe width="200" height="113" src="https://www.youtube.com/embed/{video_id}'
        '?feature=oembed" frameborder="0" allow="accelerometer; autoplay; clipboard-write; '
        'encrypted-media; gyroscope; picture-in-picture; web-share" referrerpolicy="strict-'
        f'origin-when-cross-origin" allowfullscreen title="{title}"></iframe>',
    }


def photo(url: str) -> dict[str, Any]:
    """Return a ``photo`` answer (Flickr-like) whose image is ``url``."""
    return {
        "type": "photo",
        "version": "1.0",
        "title": "The hall at Maria 01",
        "author_name": "Anna Example",
        "author_url": "https://photos.example/anna",
        "provider_name": "Example Photos",
        "provider_url": "https://photos.example/",
        "url": url,
        "width": 1200,
        "height": 800,
    }


def slides() -> dict[str, Any]:
    """Return an answer shaped like Speaker Deck's (a rich player, no thumbnail)."""
    return {
        "type": "rich",
        "version": "1.0",
        "provider_name": "Speaker Deck",
        "provider_url": "https://speakerdeck.com/",
        "title": "Slow content",
        "author_name": "Anna Example",
        "author_url": "https://speakerdeck.com/anna",
        "html": '<iframe id="talk_frame_1" class="speakerdeck-iframe" '
        'src="//speakerdeck.com/player/0123456789abcdef0123456789abcdef" width="710" '
        'height="399" style="aspect-ratio:710/399; border:0; padding:0; margin:0; '
        'background:transparent;" frameborder="0" allowtransparency="true" '
        'allowfullscreen="allowfullscreen"></iframe>\n',
        "width": 710,
        "height": 399,
    }


def providers_file(directory: Path, endpoint: str) -> Path:
    """Write a registry sending every provider of the story to the playground.

    Entries named like built-in providers (Twitter, YouTube...) take their place and
    keep what providers.json cannot say: their player hosts and live-mode scripts.
    """
    entries = {
        "Twitter": "https://twitter.com/*/status/*",
        "Bluesky": "https://bsky.app/profile/*/post/*",
        "YouTube": "https://*.youtube.com/watch*",
        "Speaker Deck": "https://speakerdeck.com/*/*",
        "Example Photos": "https://photos.example/*",
        "Example Social": "https://social.example/*",
    }
    path = directory / "providers.json"
    path.write_text(
        json.dumps(
            [
                {
                    "provider_name": name,
                    "provider_url": scheme.split("*", 1)[0],
                    "endpoints": [{"schemes": [scheme], "url": endpoint}],
                }
                for name, scheme in entries.items()
            ]
        ),
        encoding="utf-8",
    )
    return path


def cli(*args: str | Path) -> int:
    """Run the CLI in-process; return its exit status."""
    result = invoke(args)
    return result.exit_code


@dataclass(frozen=True)
class StorySite:
    """The rendered story: one folder per output, served together."""

    root: Path
    story: Path
    providers: Path

    def path(self, output: str) -> str:
        """Return the site path of an output folder's main file."""
        name = "embed.html" if output.startswith("fragment") else "index.html"
        return f"{output}/{name}"


def build_story(playground: ProviderPlayground, directory: Path) -> StorySite:
    """Fetch the story from the playground, let one post disappear, render every output."""
    thumbs = {
        VIDEO_ID: image_bytes((480, 360), (200, 30, 30), "JPEG"),
        "9bZkp7q19f0": image_bytes((480, 360), (30, 90, 200), "JPEG"),
    }
    for video_id, data in thumbs.items():
        playground.images[f"/vi/{video_id}/hqdefault.jpg"] = data
    playground.images["/photos/hall.png"] = image_bytes((1200, 800), (40, 160, 90), "PNG")
    answers = {
        POST_URL: x_post(
            "Anna Example",
            "anna",
            POST_URL,
            "Coffee and name tags at Maria 01. Here we go!",
            "January 13, 2017",
        ),
        GONE_URL: x_post(
            "Mikael Example",
            "mikael",
            GONE_URL,
            "Full house for the podcast panel.",
            "January 13, 2017",
        ),
        BLUESKY_URL: bluesky_post(),
        VIDEO_URL: youtube_video(
            VIDEO_ID, "Opening talk", playground.url(f"/vi/{VIDEO_ID}/hqdefault.jpg")
        ),
        SECOND_VIDEO_URL: youtube_video(
            "9bZkp7q19f0", "Closing words", playground.url("/vi/9bZkp7q19f0/hqdefault.jpg")
        ),
        PHOTO_URL: photo(playground.url("/photos/hall.png")),
        SLIDES_URL: slides(),
    }
    for url, answer in answers.items():
        playground.oembed[normalize_url(url)] = answer
    story = directory / "tour.yaml"
    story.write_text(STORY, encoding="utf-8")
    providers = providers_file(directory, playground.endpoint)
    network = ["--providers", providers, "--allow-private-network"]
    # The missing URL never resolves: exit 1, the rest is saved.
    assert cli("fetch", story, *network) == 1
    # The source removes a post: a refresh keeps its snapshot and marks it gone.
    playground.oembed[normalize_url(GONE_URL)] = (404, '{"error": "No status found"}')
    assert cli("fetch", story, "--refresh", *network) == 1
    root = directory / "site"
    outputs: dict[str, list[str]] = {
        "static": ["--embed", "static"],
        "click": ["--embed", "click"],
        "live": ["--embed", "live"],
        "default": [],
        "fragment": ["--format", "fragment", "--embed", "click"],
        "inline": ["--assets", "inline"],
        "cdn": ["--asset-url", CDN],
        "fragment-copy": ["--format", "fragment", "--assets", "copy"],
        "fragment-cdn": ["--format", "fragment", "--asset-url", CDN],
    }
    for name, options in outputs.items():
        # Exit 1: the URL that never resolved is a link card, listed on stderr.
        assert cli("render", story, "-o", root / name, "--offline", *options, *network) == 1
    return StorySite(root=root, story=story, providers=providers)


@pytest.fixture(scope="module")
def story_site(make_httpserver: HTTPServer, tmp_path_factory: pytest.TempPathFactory) -> StorySite:
    """Build the story once for this module, from a playground on loopback."""
    make_httpserver.clear()
    playground = ProviderPlayground(make_httpserver)
    make_httpserver.expect_request(re.compile(".*")).respond_with_handler(playground.handle)
    try:
        built = build_story(playground, tmp_path_factory.mktemp("tour"))
    finally:
        make_httpserver.clear()  # the next test's server starts empty
    return built


@pytest.fixture(scope="module")
def site(story_site: StorySite) -> Iterator[SiteServer]:
    """Serve the rendered outputs on loopback."""
    with serve(story_site.root) as server:
        yield server


# -- helpers -------------------------------------------------------------------------------


def hosts_of(urls: list[str]) -> set[str]:
    """Return the host names of ``urls``."""
    return {urlsplit(url).hostname or "" for url in urls}


def images_state(page: Page) -> list[dict[str, Any]]:
    """Return where every image of the page came from and whether it decoded."""
    return page.evaluate(
        "Array.from(document.images, img => ({src: img.currentSrc, ok: img.complete && "
        "img.naturalWidth > 0}))"
    )


def visible_buttons(page: Page) -> list[str]:
    """Return the labels (what a screen reader says) of the buttons a reader sees."""
    return page.evaluate(
        """Array.from(document.querySelectorAll('button'))
          .filter(b => b.checkVisibility())
          .map(b => Array.from(b.childNodes)
            .filter(n => !(n.nodeType === 1 && n.getAttribute('aria-hidden') === 'true'))
            .map(n => n.textContent).join('').replace(/\\s+/g, ' ').trim())"""
    )


# -- static and click: nothing from third parties ------------------------------------------


@pytest.mark.parametrize("width", [DESKTOP_WIDTH, PHONE_WIDTH])
@pytest.mark.parametrize("mode", ["static", "click"])
def test_page_loads_nothing_but_its_own_files(
    browser: Browser, site: SiteServer, mode: str, width: int, request: pytest.FixtureRequest
) -> None:
    with watched_page(browser, site.origin, width=width) as watched:
        load(watched, site.url(f"{mode}/index.html"))
        page, log = watched.page, watched.log
        page.wait_for_timeout(250)  # late starters (fonts, lazy frames) get their chance
        screenshot(page, request)

        assert log.third_party == [], log.third_party
        assert log.blocked == []
        assert log.errors == []
        # The two thumbnails and the photo, archived at fetch time, come from the page's
        # own assets/ folder.
        images = images_state(page)
        assert len(images) == 3
        assert all(image["ok"] for image in images), images
        assert all(image["src"].startswith(f"{site.origin}/{mode}/assets/") for image in images)
        if width == PHONE_WIDTH:
            assert_no_horizontal_overflow(page)
        expected = (
            ["Load video from YouTube", "Load video from YouTube", "Load player from Speaker Deck"]
            if mode == "click"
            else []
        )
        assert visible_buttons(page) == expected


def test_static_cards_show_what_the_snapshot_kept(browser: Browser, site: SiteServer) -> None:
    with watched_page(browser, site.origin) as watched:
        load(watched, site.url("static/index.html"))
        page = watched.page
        post = page.locator("#item-3 .sb-card")
        assert post.locator(".sb-mark").inner_text() == "A"  # the author's initial, no avatar
        assert post.locator(".sb-name").inner_text() == "Anna Example"
        assert post.locator(".sb-handle").inner_text() == "@anna"
        assert "Coffee and name tags at Maria 01." in post.locator(".sb-text").inner_text()
        assert post.locator("time").get_attribute("datetime") == "2017-01-13"
        assert post.locator("time").inner_text() == "Jan 13, 2017"
        source = post.get_by_role("link", name="View on X")
        assert source.get_attribute("href") == POST_URL

        video = page.locator("#item-5 .sb-card")
        thumb = video.locator("a.sb-thumb")
        assert thumb.get_attribute("href") == VIDEO_URL
        assert thumb.locator("img").is_visible()
        assert video.locator(".sb-playmark").is_visible()
        assert video.get_by_role("link", name="View on YouTube").is_visible()

        photo = page.locator("#item-8 .sb-card")
        assert photo.get_by_role("img", name="The hall at Maria 01").is_visible()

        gone = page.locator("#item-10")
        note = gone.locator(".sb-archived")
        assert note.is_visible()
        assert note.inner_text().startswith("No longer available at the source; archived on ")
        assert "Full house for the podcast panel." in gone.locator(".sb-text").inner_text()

        missing = page.locator("#item-11 .sb-unresolved")
        assert missing.get_by_role("link", name=MISSING_URL).get_attribute("href") == MISSING_URL
        # Why, in a sentence; "404 Not Found from ..." stays on stderr and in the snapshot.
        said = missing.locator(".sb-meta").inner_text()
        assert said.startswith("This item could not be fetched. The source says it does not")
        assert "404" not in said


def test_an_item_may_override_the_story_mode(browser: Browser, site: SiteServer) -> None:
    # The story says nothing (static); its slide deck says click.
    with watched_page(browser, site.origin) as watched:
        load(watched, site.url("default/index.html"))
        assert visible_buttons(watched.page) == ["Load player from Speaker Deck"]
        assert watched.page.locator("#item-9 button").is_visible()
        assert watched.log.third_party == []


# -- archived media: copied, inlined or uploaded -----------------------------------------


@pytest.mark.parametrize(
    ("output", "prefix", "folder"),
    [
        ("static", "assets/", True),  # a page copies its media by default
        ("inline", "data:image/", False),
        ("cdn", CDN, True),  # the folder to upload is written all the same
        ("fragment", "data:image/", False),  # a fragment carries its media by default
        ("fragment-copy", "assets/", True),
        ("fragment-cdn", CDN, True),
    ],
)
def test_media_come_from_where_the_assets_option_says(
    browser: Browser,
    story_site: StorySite,
    site: SiteServer,
    output: str,
    prefix: str,
    folder: bool,
) -> None:
    html = (story_site.root / story_site.path(output)).read_text(encoding="utf-8")
    sources = [str(img["src"]) for img in BeautifulSoup(html, "html.parser").find_all("img")]
    if prefix == "data:image/":
        # Inlined pictures are defined once each in the <style> and shown by class.
        assert sources == []
        sources = re.findall(r'background-image:url\("(data:image/[^"]{0,40})', html)
    assert len(sources) == 3
    assert all(src.startswith(prefix) for src in sources), sources
    assets = story_site.root / output / "assets"
    assert assets.is_dir() is folder
    if folder:  # exactly what the output shows, under the names it uses
        assert sorted(p.name for p in assets.iterdir()) == sorted(
            src.rsplit("/", 1)[1] for src in sources
        )

    with watched_page(browser, site.origin) as watched:
        load(watched, site.url(story_site.path(output)))
        if prefix == CDN:
            # The images are where the user uploads them, and nowhere else.
            assert len(watched.log.third_party) == 3
            assert all(url.startswith(CDN) for url in watched.log.third_party)
        else:
            assert watched.log.third_party == []
            assert all(image["ok"] for image in images_state(watched.page))
            # A picture shown by class has its picture and a real size on the page.
            for picture in watched.page.eval_on_selector_all(
                ".sb-pic",
                "els => els.map(e => ({bg: getComputedStyle(e).backgroundImage,"
                " w: e.getBoundingClientRect().width, h: e.getBoundingClientRect().height}))",
            ):
                assert picture["bg"].startswith('url("data:image/'), picture["bg"][:40]
                assert picture["w"] > 0, picture
                assert picture["h"] > 0, picture


# -- click: the reader asks for one player -------------------------------------------------


def test_click_puts_the_chosen_player_in_place_of_its_thumbnail_only(
    browser: Browser, site: SiteServer, request: pytest.FixtureRequest
) -> None:
    with watched_page(browser, site.origin) as watched:
        load(watched, site.url("click/index.html"))
        page, log = watched.page, watched.log
        assert log.third_party == []

        card = page.locator("#item-5 .sb-card")
        card.get_by_role("button", name="Load video from YouTube").click()
        frame = card.locator(".sb-frame iframe")
        frame.wait_for(state="attached")
        page.wait_for_function("() => performance.now() > 0")
        page.wait_for_timeout(250)

        # The iframe took the thumbnail's place, inside the card that still links out.
        assert card.locator(".sb-media").count() == 0
        assert card.locator(".sb-loader").count() == 0
        assert frame.get_attribute("src") == f"https://www.youtube-nocookie.com/embed/{VIDEO_ID}"
        assert frame.get_attribute("sandbox") == (
            "allow-scripts allow-same-origin allow-popups allow-presentation"
        )
        assert frame.get_attribute("referrerpolicy") == "strict-origin-when-cross-origin"
        assert card.get_by_role("link", name="View on YouTube").is_visible()
        # Only that one: the other video and the slides are still cards with buttons.
        assert page.locator("iframe").count() == 1
        assert page.locator("#item-6 .sb-media img").is_visible()
        assert visible_buttons(page) == [
            "Load video from YouTube",
            "Load player from Speaker Deck",
        ]
        # The player was asked for (offline the request fails; the attempt is what counts).
        assert log.third_party, "the player was never requested"
        assert hosts_of(log.third_party) == {"www.youtube-nocookie.com"}
        assert log.third_party[0] == f"https://www.youtube-nocookie.com/embed/{VIDEO_ID}"
        screenshot(page, request, "video")

        log.clear()
        slides = page.locator("#item-9 .sb-card")
        slides.get_by_role("button", name="Load player from Speaker Deck").click()
        slides.locator(".sb-frame iframe").wait_for(state="attached")
        page.wait_for_timeout(250)
        assert page.locator("iframe").count() == 2
        assert hosts_of(log.third_party) == {"speakerdeck.com"}
        assert slides.locator("iframe").get_attribute("sandbox")
        assert log.errors == []


def test_without_javascript_the_card_still_links_to_the_original(
    browser: Browser, site: SiteServer
) -> None:
    with watched_page(browser, site.origin, javascript=False) as watched:
        load(watched, site.url("click/index.html"))
        page = watched.page
        assert visible_buttons(page) == []  # hidden: without script they would do nothing
        thumb = page.locator("#item-5 a.sb-thumb")
        assert thumb.is_visible()
        assert thumb.get_attribute("href") == VIDEO_URL
        assert page.locator("#item-9").get_by_role("link", name="Slow content").is_visible()
        assert watched.log.third_party == []


# -- live: the providers' own embeds, scripts from the allowlist only ----------------------


@pytest.mark.parametrize("width", [DESKTOP_WIDTH, PHONE_WIDTH])
def test_live_mode_loads_allowlisted_scripts_once_and_sandboxed_frames(
    browser: Browser, site: SiteServer, width: int, request: pytest.FixtureRequest
) -> None:
    with watched_page(browser, site.origin, width=width) as watched:
        load(watched, site.url("live/index.html"))
        page, log = watched.page, watched.log
        for frame in page.locator("iframe").all():
            frame.scroll_into_view_if_needed()  # lazy frames ask only when seen
        page.wait_for_timeout(300)
        screenshot(page, request)

        assert hosts_of(log.third_party) <= LIVE_HOSTS, log.third_party
        scripts = [url for url in log.third_party if url.endswith(".js")]
        assert sorted(scripts) == [
            "https://embed.bsky.app/static/embed.js",
            "https://platform.twitter.com/widgets.js",
        ]
        assert page.locator("script[src]").count() == 2
        frames = page.locator("iframe").all()
        assert len(frames) == 3  # two videos and the slides
        for frame in frames:
            assert frame.get_attribute("sandbox")
            assert hosts_of([frame.get_attribute("src") or ""]) <= PLAYER_HOSTS
        # A post gone at the source is never embedded live: its card comes from the archive.
        assert page.locator("#item-10 .sb-archived").is_visible()
        assert page.locator("#item-10 blockquote").count() == 0
        assert log.errors == []
        if width == PHONE_WIDTH:
            assert_no_horizontal_overflow(page)


# -- the fragment inside someone else's blog -----------------------------------------------

#: What the blog and the test page share: the fragment takes its base font from here.
BASE_CSS = "body{margin:0;font:18px/1.7 Georgia,serif;color:#222}"
#: A blog theme that styles bare elements (and a few with a class in front) heavily.
HOST_CSS = """
img{border:5px solid red;width:50px;padding:4px;float:left}
p{font-size:30px;margin:3em;line-height:2.5;text-indent:2em}
p::first-letter{font-size:2em;color:purple}
a{color:red;text-transform:uppercase;border-bottom:3px dotted green;font-weight:bold}
button{background:lime;width:100%;padding:20px;border-radius:0;font-size:24px}
blockquote{border-left:20px solid;margin:2em;font-style:italic;background:#eee}
blockquote::before{content:"\\201C";font-size:4em}
h2,h3{font-family:Impact,sans-serif;text-transform:uppercase;border-bottom:4px double}
figure{margin:3em;padding:1em;border:2px solid blue}
figcaption{font-style:italic;text-align:center}
article{padding:40px;background:#ffe;box-shadow:0 0 10px red}
div{padding:4px}
span{letter-spacing:3px}
time{font-weight:900}
ul,li{margin:2em;list-style:square}
.entry p{color:brown}
.entry a{text-decoration:none}
"""
HOST_BODY = """<main class="entry">
<h1>My blog post</h1>
<p class="mine">Before the story, with <a class="mine" href="#x">a link</a>.</p>
<img class="mine" src="../host.png" alt="host picture" width="120" height="80">
<blockquote class="mine"><p>Someone said this.</p></blockquote>
<button class="mine" type="button">Subscribe</button>
<section class="slot">SLOT</section>
<p class="mine">After the story.</p>
</main>"""
SLOT_CSS = ".slot{display:block;max-width:640px}"

STYLE_PROPERTIES = [
    "display",
    "position",
    "float",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "line-height",
    "letter-spacing",
    "text-transform",
    "text-indent",
    "text-align",
    "text-decoration-line",
    "color",
    "background-color",
    "background-image",
    "margin-top",
    "margin-right",
    "margin-bottom",
    "margin-left",
    "padding-top",
    "padding-right",
    "padding-bottom",
    "padding-left",
    "border-top-width",
    "border-top-style",
    "border-right-width",
    "border-bottom-width",
    "border-left-width",
    "border-left-style",
    "border-left-color",
    "box-shadow",
    "width",
    "height",
    "list-style-type",
]

#: Computed styles (and box sizes) of a set of elements, with their pseudo-elements.
_STYLES = """([selector, properties]) => Array.from(document.querySelectorAll(selector), el => {
  const style = getComputedStyle(el), before = getComputedStyle(el, '::before'),
        letter = getComputedStyle(el, '::first-letter'), box = el.getBoundingClientRect();
  const props = Object.fromEntries(properties.map(p => [p, style.getPropertyValue(p)]));
  return {tag: el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''), props,
          before: before.content, letter: letter.fontSize + ' ' + letter.color,
          box: [Math.round(box.width * 10) / 10, Math.round(box.height * 10) / 10]};
})"""


def page_html(body: str, css: str) -> str:
    """Return a whole HTML page with ``css`` in its head."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Host</title><style>{css}</style></head><body>{body}</body></html>"
    )


def styles(page: Page, selector: str) -> list[dict[str, Any]]:
    """Return the computed styles of every element ``selector`` matches."""
    return page.evaluate(_STYLES, [selector, STYLE_PROPERTIES])


def differences(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> list[str]:
    """Return how two lists of element styles differ, one line per property."""
    found = [f"{len(left)} elements != {len(right)}"] if len(left) != len(right) else []
    for a, b in zip(left, right, strict=False):
        for key in ("before", "letter", "box"):
            if a[key] != b[key]:
                found.append(f"{a['tag']} {key}: {a[key]} != {b[key]}")
        found += [
            f"{a['tag']} {name}: {a['props'][name]!r} != {b['props'][name]!r}"
            for name in STYLE_PROPERTIES
            if a["props"][name] != b["props"][name]
        ]
    return found


def differing_pixels(first: bytes, second: bytes) -> float:
    """Return the share of pixels that differ between two PNG screenshots of one size."""
    with Image.open(io.BytesIO(first)) as a, Image.open(io.BytesIO(second)) as b:
        assert a.size == b.size, f"the fragment's size changed: {a.size} != {b.size}"
        diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L")
        changed = sum(count for level, count in enumerate(diff.histogram()) if level)
        return changed / (a.size[0] * a.size[1])


def fragment_pixels(page: Page) -> bytes:
    """Return a screenshot of the fragment, taken from a whole-pixel position.

    The blog's text above it ends at a fractional height; moving the fragment down by
    that fraction makes both pictures start on the same pixel grid, so that they compare
    byte for byte.
    """
    page.evaluate(
        """() => { const slot = document.querySelector('.slot');
                   const top = slot.getBoundingClientRect().top + window.scrollY;
                   slot.style.position = 'relative';
                   slot.style.top = (Math.ceil(top) - top) + 'px'; }"""
    )
    return page.locator(".storyboard").screenshot(animations="disabled", caret="hide")


@pytest.mark.parametrize("width", [DESKTOP_WIDTH, PHONE_WIDTH])
def test_fragment_looks_the_same_inside_a_blog_theme_and_leaves_it_alone(
    browser: Browser,
    story_site: StorySite,
    site: SiteServer,
    width: int,
    request: pytest.FixtureRequest,
) -> None:
    fragment = (story_site.root / "fragment/embed.html").read_text(encoding="utf-8")
    (story_site.root / "host.png").write_bytes(image_bytes((120, 80), (90, 90, 200), "PNG"))
    pages = {
        "alone": page_html(f'<section class="slot">{fragment}</section>', BASE_CSS + SLOT_CSS),
        "host": page_html(HOST_BODY.replace("SLOT", fragment), BASE_CSS + HOST_CSS + SLOT_CSS),
        "empty-host": page_html(HOST_BODY.replace("SLOT", ""), BASE_CSS + HOST_CSS + SLOT_CSS),
    }
    for name, html in pages.items():
        (story_site.root / "fragment" / f"{name}.html").write_text(html, encoding="utf-8")

    seen: dict[str, dict[str, Any]] = {}
    for name in pages:
        with watched_page(browser, site.origin, width=width) as watched:
            load(watched, site.url(f"fragment/{name}.html"))
            page = watched.page
            seen[name] = {
                "story": styles(page, ".storyboard, .storyboard *"),
                "host": styles(page, "h1, .mine"),  # (their container grows, of course)
                "shot": fragment_pixels(page) if name != "empty-host" else b"",
            }
            if name == "host":
                screenshot(page, request)
                if width == PHONE_WIDTH:
                    assert_no_horizontal_overflow(page)
            # Inline media: the fragment needs nothing uploaded, and asks no one for anything.
            assert watched.log.third_party == []
            assert watched.log.errors == []

    changed = differences(seen["alone"]["story"], seen["host"]["story"])
    assert not changed, "the blog's theme reaches into the fragment:\n" + "\n".join(changed)
    changed = differences(seen["empty-host"]["host"], seen["host"]["host"])
    assert not changed, "the fragment changes the blog's own elements:\n" + "\n".join(changed)
    # Same size, and the same pixels but for a little antialiasing at another position.
    assert differing_pixels(seen["alone"]["shot"], seen["host"]["shot"]) < 0.001


def test_two_fragments_in_one_post_each_load_their_own_players(
    browser: Browser, story_site: StorySite, site: SiteServer
) -> None:
    fragment = (story_site.root / "fragment/embed.html").read_text(encoding="utf-8")
    body = HOST_BODY.replace("SLOT", fragment + "\n<p>Between.</p>\n" + fragment)
    page_path = story_site.root / "fragment" / "twice.html"
    page_path.write_text(page_html(body, BASE_CSS + HOST_CSS + SLOT_CSS), encoding="utf-8")
    with watched_page(browser, site.origin) as watched:
        load(watched, site.url("fragment/twice.html"))
        page, log = watched.page, watched.log
        second = page.locator(".storyboard").nth(1)
        second.get_by_role("button", name="Load player from Speaker Deck").click()
        second.locator(".sb-frame iframe").wait_for(state="attached")
        page.wait_for_timeout(250)
        # One click, one player: each fragment's script serves its own buttons only.
        assert page.locator("iframe").count() == 1
        assert second.locator("iframe").count() == 1
        assert hosts_of(log.third_party) == {"speakerdeck.com"}
        video, slides = "Load video from YouTube", "Load player from Speaker Deck"
        # The blog's own button, the first fragment's three, the second's two left.
        assert visible_buttons(page) == ["Subscribe", video, video, slides, video, video]
        assert log.errors == []
