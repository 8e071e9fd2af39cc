"""Bounded work: a picture shared by many posts is downloaded once, even at the same time;
a page's megabytes after its head are never parsed; a story's Markdown is bounded.

(How long and how much memory each takes is measured by benchmarks/hostile_inputs.py.)
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from storyboard.extract.page_head import HEAD_LIMIT, page_head_markup
from storyboard.render.markdown_text import MARKDOWN_TEXT_LIMIT, MARKUP_BUDGET

from .cli_runner import Result, invoke
from .conftest import ProviderPlayground

POSTS = [f"https://social.example/@p{n}/1" for n in range(8)]


def run(*args: str | Path) -> Result:
    return invoke(args)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "blue").save(out, "PNG")
    return out.getvalue()


def test_a_picture_in_many_posts_is_downloaded_once_while_they_fetch_together(
    playground: ProviderPlayground,
    httpserver: HTTPServer,
    write_story: Callable[..., Path],
    tmp_path: Path,
) -> None:
    picture = png()
    downloads: list[float] = []
    lock = threading.Lock()

    def slow_picture(_request: Request) -> Response:
        with lock:
            downloads.append(time.monotonic())
        time.sleep(0.5)  # every post's worker asks while the first download runs
        return Response(picture, 200, content_type="image/png")

    httpserver.expect_request("/shared.png").respond_with_handler(slow_picture)
    # Moved before the playground's catch-all handler, so it answers this path.
    httpserver.handlers.insert(0, httpserver.handlers.pop())
    for post in POSTS:
        playground.oembed[post] = {
            "type": "rich",
            "version": "1.0",
            "author_name": "Anna",
            "html": "<p>Hi</p>",
            "thumbnail_url": playground.url("/shared.png"),
        }
    story = write_story("title: T\nitems:\n" + "".join(f"  - url: {p}\n" for p in POSTS))
    network = ["--providers", playground.providers_file(tmp_path), "--allow-private-network"]
    result = run("fetch", story, *network, "--concurrency", "8", "--per-host", "8")
    assert result.exit_code == 0, result.stderr
    assert len(downloads) == 1
    assert len(list((tmp_path / "story.assets").iterdir())) == 1


def test_only_the_head_of_a_huge_page_is_parsed(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> None:
    head = '<!doctype html><html><head><meta property="og:title" content="The real title">'
    # Past the head: megabytes of unclosed tags, and a later title that must not count.
    body = "</head><body>" + "<div><span>" * 150_000 + "<title>Not this</title>"
    playground.pages["/huge"] = head + body
    url = playground.url("/huge")
    story = write_story(f"title: T\nitems:\n  - url: {url}\n")
    result = run("fetch", story, "--allow-private-network")
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "out"
    assert run("render", story, "-o", out, "--offline").exit_code == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "The real title" in page
    assert "Not this" not in page
    kept = page_head_markup(head + body)
    assert len(kept) <= HEAD_LIMIT
    assert kept == head


def test_a_page_without_a_head_end_is_cut_at_the_limit() -> None:
    html = "<html><head>" + "<div>" * HEAD_LIMIT
    assert len(page_head_markup(html)) == HEAD_LIMIT


def test_markdown_past_its_bounds_is_shown_as_plain_text(
    write_story: Callable[..., Path], tmp_path: Path
) -> None:
    long_text = "[" * (MARKDOWN_TEXT_LIMIT + 1)
    # Four texts under the length limit whose markup characters overrun the run's budget.
    many = "".join(f"  - text: '{'[*_' * 5000}'\n" for _ in range(4))
    story = write_story(
        f"title: T\nitems:\n  - text: '*short* one'\n  - text: '{long_text}'\n{many}"
    )
    out = tmp_path / "out"
    result = run("render", story, "-o", out, "--offline")
    assert result.exit_code == 0, result.stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<em>short</em>" in page
    # Nothing lost: every bracket of the long text is there, as text.
    assert page.count("&#91;") >= MARKDOWN_TEXT_LIMIT + 1 + 4 * 5000
    assert MARKUP_BUDGET < 4 * 15_000
