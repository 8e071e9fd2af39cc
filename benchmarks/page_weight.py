"""What a reader's browser pays for a story: storyboard's page against plain oEmbed HTML.

Builds one story of 20 posts (12 from X, 8 from Bluesky) and 5 YouTube videos two ways:

- storyboard, ``static`` and ``click``: fetched through the real pipeline from a local
  server that answers as X, Bluesky and YouTube do (thumbnails archived on the way),
  then rendered from the snapshots;
- the providers' own oEmbed HTML pasted one after another, as WordPress or micawber
  output it: each post's ``<blockquote>`` with its ``<script>``, each video's ``<iframe>``.

Each page is served on 127.0.0.1 and loaded in headless Chromium (Debian's, through
Playwright) with every request to another origin recorded and aborted, so nothing leaves
the machine. Printed side by side: the requests attempted to third-party origins before
the reader does anything, the bytes of HTML, CSS and JS the page itself ships, and the
DOMContentLoaded time. Offline, the providers' scripts never run, so the oEmbed page's
real cost (the iframes and requests those scripts add) is larger than what it shows here.

Targets (exit status 1 when one is missed): no third-party request before interaction,
and the page's own CSS+JS under 10 KB gzipped.

Run: ``python benchmarks/page_weight.py`` (under a minute; nothing leaves 127.0.0.1).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import html
import io
import json
import shutil
import statistics
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup
from PIL import Image

from storyboard.commands.feedback import SILENT
from storyboard.commands.fetch import fetch_story
from storyboard.commands.network import NetworkOptions
from storyboard.commands.opened import open_story
from storyboard.commands.render import render_story_file
from storyboard.model.story import EmbedMode
from storyboard.net import FetchSettings
from storyboard.render import OutputFormat, RenderOptions

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
POSTS_X, POSTS_BLUESKY, VIDEOS = 12, 8, 5
CSS_JS_BUDGET = 10 * 1024  # gzipped bytes
RUNS = 7


# -- the story and what the providers answer -------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One URL of the story with the oEmbed answer its provider gives."""

    url: str
    answer: dict[str, Any]


def x_post(number: int) -> Item:
    """Return a post and an answer shaped like publish.twitter.com/oembed's."""
    handle = f"speaker{number}"
    url = f"https://twitter.com/{handle}/status/{820000000000000000 + number}"
    text = (
        f"Talk {number} at #anksome: slow content beats fast content, and a podcast is a "
        f"conversation, not a broadcast. Slides soon! https://t.co/abc{number}"
    )
    return Item(
        url,
        {
            "url": url,
            "author_name": f"Speaker {number}",
            "author_url": f"https://twitter.com/{handle}",
            "html": f'<blockquote class="twitter-tweet"><p lang="en" dir="ltr">{html.escape(text)}'
            f'</p>&mdash; Speaker {number} (@{handle}) <a href="{url}?ref_src=twsrc%5Etfw">'
            "January 13, 2017</a></blockquote>\n"
            '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8">'
            "</script>\n",
            "width": 550,
            "height": None,
            "type": "rich",
            "cache_age": "3153600000",
            "provider_name": "Twitter",
            "provider_url": "https://twitter.com",
            "version": "1.0",
        },
    )


def bluesky_post(number: int) -> Item:
    """Return a post and an answer shaped like embed.bsky.app/oembed's."""
    did = f"did:plc:example{number:04d}"
    rkey = f"3k44deefqd{number:03d}"
    url = f"https://bsky.app/profile/guest{number}.bsky.social/post/{rkey}"
    return Item(
        url,
        {
            "type": "rich",
            "version": "1.0",
            "author_name": f"Guest {number} (@guest{number}.bsky.social)",
            "author_url": f"https://bsky.app/profile/guest{number}.bsky.social",
            "provider_name": "Bluesky Social",
            "provider_url": "https://bsky.app",
            "cache_age": 86400,
            "width": 600,
            "height": None,
            "html": f'<blockquote class="bluesky-embed" data-bluesky-uri="at://{did}/app.bsky.'
            f'feed.post/{rkey}" data-bluesky-cid="bafyrei{number:04d}"><p lang="en">Great '
            f"panel on the future of work, number {number}.\n\nSee you next year!</p>&mdash; "
            f'Guest {number} (<a href="https://bsky.app/profile/{did}?ref_src=embed">'
            f'@guest{number}.bsky.social</a>) <a href="https://bsky.app/profile/{did}/post/'
            f'{rkey}?ref_src=embed">January 13, 2017 at 2:35 PM</a></blockquote>'
            '<script async src="https://embed.bsky.app/static/embed.js" charset="utf-8">'
            "</script>",
        },
    )


def youtube_video(number: int, thumbnail_base: str) -> Item:
    """Return a video and an answer shaped like www.youtube.com/oembed's."""
    video_id = f"anksome{number:04d}"
    title = f"AnkSoMe 2017, talk {number}"
    return Item(
        f"https://www.youtube.com/watch?v={video_id}",
        {
            "title": title,
            "author_name": "AnkSoMe",
            "author_url": "https://www.youtube.com/@anksome",
            "type": "video",
            "height": 309,
            "width": 550,
            "version": "1.0",
            "provider_name": "YouTube",
            "provider_url": "https://www.youtube.com/",
            "thumbnail_height": 360,
            "thumbnail_width": 480,
            "thumbnail_url": f"{thumbnail_base}/vi/{video_id}/hqdefault.jpg",
            "html": f'<iframe width="550" height="309" src="https://www.youtube.com/embed/'
            f'{video_id}?feature=oembed" frameborder="0" allow="accelerometer; autoplay; '
            'clipboard-write; encrypted-media; gyroscope; picture-in-picture; web-share" '
            'referrerpolicy="strict-origin-when-cross-origin" allowfullscreen '
            f'title="{title}"></iframe>',
        },
    )


def story_items(thumbnail_base: str) -> list[Item]:
    """Return the story's 25 items: posts and videos interleaved, as a live report has them."""
    posts = [x_post(n) for n in range(1, POSTS_X + 1)]
    posts += [bluesky_post(n) for n in range(1, POSTS_BLUESKY + 1)]
    videos = [youtube_video(n, thumbnail_base) for n in range(1, VIDEOS + 1)]
    items: list[Item] = []
    for index, post in enumerate(posts):
        items.append(post)
        if index % 4 == 3 and videos:
            items.append(videos.pop(0))
    return items + videos


def thumbnail(seed: int) -> bytes:
    """Return a 480x360 JPEG with some detail, about the size of a real thumbnail."""
    image = Image.radial_gradient("L").resize((480, 360)).convert("RGB")
    image = Image.merge(
        "RGB", [band.point(lambda v, s=seed: (v * (s + 3)) % 256) for band in image.split()]
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


# -- servers on loopback ---------------------------------------------------------------------


class ProviderHandler(BaseHTTPRequestHandler):
    """Answer ``/oembed?url=`` from the table, and thumbnails under ``/vi/``."""

    answers: dict[str, dict[str, Any]] = {}  # noqa: RUF012 (set once before serving)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/oembed":
            answer = self.answers.get(parse_qs(parts.query).get("url", [""])[0])
            if answer is None:
                self.reply(404, b'{"error":"not found"}', "application/json")
            else:
                self.reply(200, json.dumps(answer).encode(), "application/json")
        elif parts.path.startswith("/vi/"):
            self.reply(200, thumbnail(len(parts.path)), "image/jpeg")
        else:
            self.reply(404, b"not found", "text/plain")

    def reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


class SiteHandler(SimpleHTTPRequestHandler):
    """Serve the built pages, uncached, quietly."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


@contextmanager
def serving(handler: Any) -> Iterator[str]:
    """Serve with ``handler`` on 127.0.0.1 at a free port; yield the origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# -- building both pages ---------------------------------------------------------------------


def providers_file(folder: Path, endpoint: str) -> Path:
    """Write a registry sending X, Bluesky and YouTube URLs to the local endpoint.

    The names are the built-in providers', so each keeps its real player hosts.
    """
    entries = {
        "Twitter": "https://twitter.com/*/status/*",
        "Bluesky": "https://bsky.app/profile/*/post/*",
        "YouTube": "https://*.youtube.com/watch*",
    }
    path = folder / "providers.json"
    path.write_text(
        json.dumps(
            [
                {"provider_name": name, "endpoints": [{"schemes": [scheme], "url": endpoint}]}
                for name, scheme in entries.items()
            ]
        ),
        encoding="utf-8",
    )
    return path


def build_storyboard(folder: Path, items: list[Item], endpoint: str, site: Path) -> list[str]:
    """Fetch the story through the pipeline, render static and click; return the pages."""
    story_path = folder / "report.yaml"
    lines = ["title: AnkSoMe 2017", "lang: en", "items:"]
    lines += [f"  - url: {item.url}" for item in items]
    story_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    providers = providers_file(folder, endpoint)
    opened = open_story(story_path, SILENT)
    store = opened.load_snapshots()
    network = NetworkOptions(
        providers_files=(providers,), http=FetchSettings(allow_private_network=True)
    )
    report = fetch_story(opened, store, network, SILENT)
    if report.failures:
        raise SystemExit(f"fetch failed: {report.failures[0].error}")
    pages = []
    for mode in (EmbedMode.STATIC, EmbedMode.CLICK):
        options = RenderOptions(output_dir=site / mode.value, format=OutputFormat.PAGE, embed=mode)
        render_story_file(opened, store, options, providers_files=(providers,))
        pages.append(f"{mode.value}/index.html")
    return pages


def build_oembed_page(items: list[Item], site: Path) -> str:
    """Write the providers' HTML one after another, as a blog's oEmbed support does."""
    blocks = [
        '<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">\n'
        f"{item.answer['html']}\n</div></figure>"
        for item in items
    ]
    page = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>AnkSoMe 2017</title>\n</head>\n<body>\n<h1>AnkSoMe 2017</h1>\n"
        + "\n".join(blocks)
        + "\n</body>\n</html>\n"
    )
    (site / "oembed").mkdir(parents=True, exist_ok=True)
    (site / "oembed" / "index.html").write_text(page, encoding="utf-8")
    return "oembed/index.html"


# -- measuring in the browser ----------------------------------------------------------------


@dataclass
class Figures:
    """What one page costs."""

    name: str
    third_party: int = 0
    third_party_origins: set[str] = field(default_factory=set)
    after_click: int | None = None
    #: Third-party scripts and iframes written in the HTML (each a request, or more).
    embeds: int = 0
    html_bytes: int = 0
    html_gzip: int = 0
    css_js_bytes: int = 0
    css_js_gzip: int = 0
    image_bytes: int = 0
    dcl_ms: list[float] = field(default_factory=list)


def own_css_js(html_text: str) -> str:
    """Return the page's own (inline) CSS and JS; external scripts belong to others."""
    soup = BeautifulSoup(html_text, "html.parser")
    parts = [tag.get_text() for tag in soup.find_all("style")]
    parts += [tag.get_text() for tag in soup.find_all("script") if not tag.get("src")]
    return "".join(parts)


def measure(browser: Any, origin: str, path: str, name: str, site: Path) -> Figures:
    """Load ``path`` RUNS times; count requests, bytes and DOMContentLoaded."""
    text = (site / path).read_text(encoding="utf-8")
    css_js = own_css_js(text).encode()
    soup = BeautifulSoup(text, "html.parser")
    figures = Figures(
        name=name,
        embeds=len(soup.select("script[src], iframe[src]")),
        html_bytes=len(text.encode()),
        html_gzip=len(gzip.compress(text.encode(), 9)),
        css_js_bytes=len(css_js),
        css_js_gzip=len(gzip.compress(css_js, 9)) if css_js else 0,
    )
    for run in range(RUNS):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        attempted: list[str] = []
        own_images: dict[str, int] = {}

        def outside(url: str) -> bool:
            return not url.startswith(origin + "/")

        def abort(route: Any) -> None:
            route.abort("blockedbyclient")

        def on_response(response: Any, sizes: dict[str, int] = own_images) -> None:
            if response.request.resource_type == "image" and response.url.startswith(origin):
                sizes[response.url] = len(response.body())

        # Only other origins are intercepted: the page's own requests go straight through,
        # so interception costs the timings nothing.
        context.route(outside, abort)
        context.on("request", lambda request, seen=attempted: seen.append(request.url))
        context.on("response", on_response)
        page = context.new_page()
        page.goto(f"{origin}/{path}", wait_until="load")
        page.wait_for_timeout(300)  # late scripts and frames get their chance
        timing = page.evaluate(
            "(() => { const n = performance.getEntriesByType('navigation')[0];"
            " return n.domContentLoadedEventEnd - n.startTime; })()"
        )
        figures.dcl_ms.append(float(timing))
        # Chromium merges some identical requests in flight, so counts vary a little from
        # one load to the next: the worst load is reported (and judged).
        others = [url for url in attempted if outside(url)]
        figures.third_party = max(figures.third_party, len(others))
        figures.third_party_origins |= {
            f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in others
        }
        if run == 0:
            figures.image_bytes = sum(own_images.values())
            buttons = page.locator("button[data-sb-player]")
            if buttons.count():
                before = len(attempted)
                buttons.first.click()
                page.wait_for_timeout(400)
                figures.after_click = sum(outside(url) for url in attempted[before:])
        context.close()
    return figures


# -- report ----------------------------------------------------------------------------------


def kb(value: int) -> str:
    """Return a byte count in KB with one decimal."""
    return f"{value / 1024:.1f} KB"


def table(rows: list[tuple[str, list[str]]], names: list[str]) -> str:
    """Return the figures as an aligned text table."""
    first = max(len(label) for label, _ in rows)
    widths = [max(len(names[i]), *(len(cells[i]) for _, cells in rows)) for i in range(len(names))]
    lines = [" " * first + "  " + "  ".join(n.rjust(w) for n, w in zip(names, widths, strict=True))]
    for label, cells in rows:
        lines.append(
            label.ljust(first)
            + "  "
            + "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))
        )
    return "\n".join(lines)


def report(results: list[Figures]) -> bool:
    """Print the side-by-side table and the verdicts; return True if every target is met."""
    rows = [
        ("provider scripts + iframes in the HTML", [str(f.embeds) for f in results]),
        (
            "third-party requests before interaction (worst load)",
            [str(f.third_party) for f in results],
        ),
        ("third-party origins asked", [str(len(f.third_party_origins)) for f in results]),
        (
            "third-party requests after one click",
            [("-" if f.after_click is None else str(f.after_click)) for f in results],
        ),
        ("HTML the page ships (raw)", [kb(f.html_bytes) for f in results]),
        ("HTML the page ships (gzipped)", [kb(f.html_gzip) for f in results]),
        ("own CSS+JS (raw)", [kb(f.css_js_bytes) for f in results]),
        ("own CSS+JS (gzipped)", [kb(f.css_js_gzip) for f in results]),
        ("own images (archived thumbnails)", [kb(f.image_bytes) for f in results]),
        (
            f"DOMContentLoaded, median of {RUNS}",
            [f"{statistics.median(f.dcl_ms):.1f} ms" for f in results],
        ),
    ]
    print(table(rows, [f.name for f in results]))
    for figures in results:
        if figures.third_party_origins:
            print(f"\n{figures.name} asked: {', '.join(sorted(figures.third_party_origins))}")
    print(
        "\nOffline, every third-party request above was aborted: the providers' scripts never"
        "\nran, so the plain oEmbed page's real cost (the frames and requests they add) is higher."
    )
    ok = True
    print()
    for figures in results:
        if not figures.name.startswith("storyboard"):
            continue
        checks = [
            (figures.third_party == 0, f"{figures.third_party} third-party requests (target 0)"),
            (
                figures.css_js_gzip < CSS_JS_BUDGET,
                f"own CSS+JS {kb(figures.css_js_gzip)} gzipped (target < {kb(CSS_JS_BUDGET)})",
            ),
        ]
        for passed, text in checks:
            ok &= passed
            print(f"{'PASS' if passed else 'FAIL'}  {figures.name}: {text}")
    return ok


def main() -> int:
    """Build both pages, measure them, print the comparison; 0 if the targets are met."""
    argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0]).parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print(
            "page_weight: the playwright package is missing: pip install -e '.[test]'",
            file=sys.stderr,
        )
        return 2
    if not CHROMIUM.is_file():
        print(
            f"page_weight: Chromium not found at {CHROMIUM}; apt-get install -y chromium",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="page-weight-") as temp:
        folder = Path(temp)
        site = folder / "site"
        with serving(ProviderHandler) as provider_origin:
            items = story_items(provider_origin)
            ProviderHandler.answers = {item.url: item.answer for item in items}
            pages = build_storyboard(folder, items, f"{provider_origin}/oembed", site)
        pages.append(build_oembed_page(items, site))
        names = ["storyboard static", "storyboard click", "plain oEmbed"]
        print(
            f"A story of {POSTS_X + POSTS_BLUESKY} posts and {VIDEOS} videos, {RUNS} loads each.\n"
        )
        handler = functools.partial(SiteHandler, directory=str(site))
        with serving(handler) as origin, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
            )
            try:
                results = [
                    measure(browser, origin, path, name, site)
                    for path, name in zip(pages, names, strict=True)
                ]
            finally:
                browser.close()
    return 0 if report(results) else 1


if __name__ == "__main__":
    sys.exit(main())
