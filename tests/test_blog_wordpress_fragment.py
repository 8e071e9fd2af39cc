"""``--for wordpress`` through WordPress's own filters, then in Chromium inside a theme page.

The browser tour story (``test_browser_modes``) is rendered as the standalone static page and
as the WordPress fragment. The fragment goes through the real PHP of Debian's ``wordpress``
package: kses (saved by an Author, no ``unfiltered_html``), ``wpautop`` (displayed), or only
``wpautop`` (saved by an admin). What a reader sees in a WordPress-like theme is compared with
the standalone page: the same text, the same pictures at a real size, no CSS shown as text,
no buttons, and no paragraph or line break that WordPress added.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from bs4 import BeautifulSoup
from pytest_httpserver import HTTPServer

from .blog_hosts.wordpress import WordPressFilters
from .browser_support import (
    PHONE_WIDTH,
    assert_no_horizontal_overflow,
    load,
    screenshot,
    serve,
    watched_page,
)
from .cli_runner import invoke
from .test_browser_modes import StorySite, cli
from .tour_site import build_tour

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from big_story import write_story

pytestmark = pytest.mark.browser

#: Where the test "uploads" the assets folder: a path on the blog, served from loopback.
ASSET_PATH = "/wordpress/assets"

#: A plain WordPress theme's post styles (in the manner of the Twenty-* themes).
THEME_CSS = """
body{margin:0;background:#fff;color:#28303d;font:18px/1.7 Georgia,serif}
.entry-content{max-width:640px;margin:0 auto;padding:1rem}
.entry-content p{margin:0 0 1.5em}
.entry-content a{color:#28303d;text-decoration:underline}
.entry-content img{max-width:100%;height:auto}
.entry-content figure{margin:2em 0}
.entry-content h2,.entry-content h3{font-family:sans-serif;margin:2em 0 1em}
"""


@pytest.fixture(scope="module")
def story_site(make_httpserver: HTTPServer, tmp_path_factory: pytest.TempPathFactory) -> StorySite:
    """The tour story fetched once, rendered as every output plus the WordPress fragment."""
    built = build_tour(make_httpserver, tmp_path_factory)
    network = ["--providers", built.providers, "--allow-private-network", "--offline"]
    options = ["--format", "fragment", "--for", "wordpress", "--asset-url", ASSET_PATH]
    assert cli("render", built.story, "-o", built.root / "wordpress", *options, *network) == 1
    return built


def fragment(story_site: StorySite) -> str:
    return (story_site.root / "wordpress" / "embed.html").read_text(encoding="utf-8")


def shape(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return every element's name and attributes, in document order."""
    soup = BeautifulSoup(html, "html.parser")
    return [
        (
            el.name,
            sorted((k, " ".join(v) if isinstance(v, list) else v) for k, v in el.attrs.items()),
        )
        for el in soup.find_all(True)
    ]


def tags(html: str, name: str) -> int:
    return len(BeautifulSoup(html, "html.parser").find_all(name))


def test_without_an_asset_url_the_wordpress_fragment_says_to_give_one(
    story_site: StorySite, tmp_path: Path
) -> None:
    result = invoke(
        [
            *("render", str(story_site.story), "--offline", "-o", str(tmp_path / "wp")),
            *("--format", "fragment", "--for", "wordpress"),
        ],
    )
    assert result.exit_code == 2
    assert "--for wordpress needs --asset-url URL" in result.output
    assert not (tmp_path / "wp").exists()


def test_kses_keeps_every_tag_attribute_and_style_of_the_fragment(
    story_site: StorySite, wordpress_filters: WordPressFilters
) -> None:
    html = fragment(story_site)
    assert "<style" not in html
    assert "<script" not in html
    assert "<button" not in html
    assert "data:" not in html
    assert "\n" not in html.rstrip("\n")  # nothing for wpautop to make paragraphs of
    saved = wordpress_filters(html, "kses")

    # WordPress adds rel="noopener" only to links opening a new tab: there are none.
    assert shape(saved) == shape(html)


def test_kses_keeps_the_folded_contents_of_a_long_story(
    wordpress_filters: WordPressFilters, tmp_path: Path
) -> None:
    story = write_story(tmp_path, 90)  # 27 headings: the contents list comes folded
    options = ["--format", "fragment", "--for", "wordpress", "--asset-url", ASSET_PATH]
    assert cli("render", story, "-o", tmp_path / "wp", "--offline", *options) == 0
    html = (tmp_path / "wp" / "embed.html").read_text(encoding="utf-8")
    assert tags(html, "details") == tags(html, "summary") == 1

    assert shape(wordpress_filters(html, "kses")) == shape(html)


@pytest.mark.parametrize(("role", "pipeline"), [("author", "both"), ("admin", "autop")])
def test_wpautop_adds_no_paragraph_or_line_break(
    story_site: StorySite, wordpress_filters: WordPressFilters, role: str, pipeline: Any
) -> None:
    html = fragment(story_site)
    shown = wordpress_filters(html, pipeline)
    for name in ("p", "br"):
        assert tags(shown, name) == tags(html, name), (role, name)


def visible(page: Page) -> dict[str, Any]:
    """Return what a reader sees of the story's cards: texts, pictures, buttons."""
    return page.evaluate(
        """() => {
  const root = document.querySelector('.storyboard');
  // Soft hyphens let long words break in the post (kses drops overflow-wrap).
  const texts = sel => Array.from(root.querySelectorAll(sel),
                                  e => e.innerText.replaceAll('\\u00ad', '').trim());
  return {
    titles: texts('.sb-title'), names: texts('.sb-name'), notes: texts('.sb-note'),
    texts: texts('.sb-text'), sites: texts('.sb-site'), archived: texts('.sb-archived'),
    links: Array.from(root.querySelectorAll('.sb-foot a'), a => a.href),
    pictures: Array.from(root.querySelectorAll('.sb-media img'), img => ({
      ok: img.complete && img.naturalWidth > 0,
      width: Math.round(img.getBoundingClientRect().width),
      height: Math.round(img.getBoundingClientRect().height)})),
    avatars: Array.from(root.querySelectorAll('.sb-avatar'), img => {
      const box = img.getBoundingClientRect();
      return [Math.round(box.width), Math.round(box.height)];
    }),
    buttons: Array.from(root.querySelectorAll('button')).filter(b => b.offsetParent).length,
    body: document.body.innerText,
  };
}"""
    )


@pytest.mark.parametrize(("role", "pipeline"), [("author", "both"), ("admin", "autop")])
def test_the_post_shows_what_the_standalone_page_shows(
    browser: Browser,
    story_site: StorySite,
    wordpress_filters: WordPressFilters,
    request: pytest.FixtureRequest,
    role: str,
    pipeline: Any,
) -> None:
    shown = wordpress_filters(fragment(story_site), pipeline)
    # The blog serves the uploaded assets folder at ASSET_PATH.
    post = story_site.root / "wordpress" / f"{role}.html"
    post.write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Post</title>'
        f'<style>{THEME_CSS}</style></head><body><article class="post">'
        f'<div class="entry-content"><p>Before the story.</p>\n{shown}\n'
        "<p>After the story.</p></div></article></body></html>",
        encoding="utf-8",
    )
    with serve(story_site.root) as server:
        with watched_page(browser, server.origin) as watched:
            load(watched, server.url("static/index.html"))
            standalone = visible(watched.page)
        with watched_page(browser, server.origin, width=PHONE_WIDTH) as watched:
            load(watched, server.url(f"wordpress/{role}.html"))
            in_post = visible(watched.page)
            screenshot(watched.page, request)
            assert_no_horizontal_overflow(watched.page)
            assert watched.log.third_party == []
            assert watched.log.errors == []
    for key in ("titles", "names", "notes", "texts", "sites", "archived", "links"):
        assert in_post[key] == standalone[key], key
    assert len(in_post["pictures"]) == len(standalone["pictures"]) == 3
    for picture in in_post["pictures"]:
        assert picture["ok"], picture
        assert picture["width"] > 200, picture  # the width of the card, not a thumbnail
        assert picture["height"] > 100, picture
    assert in_post["avatars"] == standalone["avatars"]
    assert all(size == [48, 48] for size in in_post["avatars"])
    assert in_post["buttons"] == 0
    # No CSS shown as text, no controls' labels without their controls.
    assert "{" not in in_post["body"]
    assert "storyboard" not in in_post["body"].casefold()
