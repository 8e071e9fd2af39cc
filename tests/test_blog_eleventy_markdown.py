"""``story.md`` built by a real Eleventy 3 site, compared in Chromium with the standalone page.

The output folder (``story.md``, ``storyboard.css``, ``assets/``) is dropped into a site as
the README says: a directory data file gives the page its folder's address, and the layout
links the ``stylesheet`` the front matter names (the line the README shows for Eleventy).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pytest_httpserver import HTTPServer

from .blog_hosts.eleventy import EleventyBuild
from .browser_support import PHONE_WIDTH, load, screenshot, serve, watched_page
from .test_browser_modes import StorySite, cli
from .tour_site import build_tour

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

#: The site's layout: the minimal page plus the README's stylesheet line for Eleventy.
LAYOUT = """<!doctype html>
<html lang="{{ lang }}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
{% if stylesheet %}<link rel="stylesheet" href="{{ stylesheet }}">{% endif %}
<style>body{margin:0 auto;max-width:40rem;padding:1rem;font:18px/1.6 Georgia,serif}</style>
</head>
<body><main><h1>{{ title }}</h1>
{{ content }}
</main></body>
</html>
"""


@pytest.fixture(scope="module")
def story_site(make_httpserver: HTTPServer, tmp_path_factory: pytest.TempPathFactory) -> StorySite:
    built = build_tour(make_httpserver, tmp_path_factory)
    network = ["--providers", built.providers, "--allow-private-network", "--offline"]
    assert (
        cli("render", built.story, "-o", built.root / "md", "--format", "markdown", *network) == 1
    )
    return built


def visible(page: Page) -> dict[str, Any]:
    """Return what a reader sees of the cards, and anything that should not show."""
    return page.evaluate(
        """() => {
  const shown = e => { const b = e.getBoundingClientRect(); return b.width > 2 && b.height > 2; };
  const texts = sel => Array.from(document.querySelectorAll(sel), e => e.innerText.trim());
  const box = e => {
    const b = e.getBoundingClientRect();
    return [Math.round(b.width), Math.round(b.height)];
  };
  return {
    titles: texts('.sb-title'), names: texts('.sb-name'), notes: texts('.sb-note'),
    texts: texts('.sb-text'),
    links: Array.from(document.querySelectorAll('.sb-foot a'), a => a.href),
    hiddenShown: Array.from(document.querySelectorAll('.sb-vh')).filter(shown).length,
    marks: Array.from(document.querySelectorAll('.sb-mark'), box),
    pictures: Array.from(document.querySelectorAll('.sb-media img'), img => ({
      ok: img.complete && img.naturalWidth > 0,
      size: box(img),
      card: box(img.closest('.sb-card'))})),
    radius: getComputedStyle(document.querySelector('.sb-card')).borderTopLeftRadius,
  };
}"""
    )


def test_eleventy_page_shows_the_cards_as_the_standalone_page_does(
    browser: Browser,
    story_site: StorySite,
    eleventy_build: EleventyBuild,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    output = story_site.root / "md"
    assert (output / "storyboard.css").is_file()
    src = tmp_path / "src"
    shutil.copytree(output, src / "tour")
    (src / "tour" / "tour.11tydata.json").write_text(
        json.dumps({"permalink": "/tour/index.html", "layout": "story.liquid"}), encoding="utf-8"
    )
    (src / "_includes").mkdir()
    (src / "_includes" / "story.liquid").write_text(LAYOUT, encoding="utf-8")
    (src / "_includes" / "base.liquid").write_text("{{ content }}", encoding="utf-8")
    site = eleventy_build(src)
    shutil.copytree(story_site.root / "static", site / "standalone")

    with serve(site) as server:
        with watched_page(browser, server.origin, width=PHONE_WIDTH) as watched:
            load(watched, server.url("standalone/index.html"))
            standalone = visible(watched.page)
        with watched_page(browser, server.origin, width=PHONE_WIDTH) as watched:
            load(watched, server.url("tour/"))
            built = visible(watched.page)
            screenshot(watched.page, request)
            assert watched.log.third_party == []
            assert watched.log.errors == []
    for key in ("titles", "names", "notes", "texts", "links", "marks", "radius"):
        assert built[key] == standalone[key], key
    assert built["hiddenShown"] == 0
    assert all(mark == [48, 48] for mark in built["marks"])  # initials in their circle
    assert len(built["pictures"]) == len(standalone["pictures"]) == 3
    for picture in built["pictures"]:
        assert picture["ok"], picture
        # As wide as the card's content, not the picture's own 1200 px.
        assert picture["size"][0] <= picture["card"][0], picture
        assert picture["size"][1] > 100, picture
