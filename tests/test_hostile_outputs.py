"""Provider text full of template code and script, through fetch and render into real hosts.

A loopback provider answers with a post whose text, author and title carry Liquid,
Nunjucks, Hugo and WordPress shortcode syntax, script and event handlers; the story's own
heading and text carry more. ``story.md`` is built by Eleventy (Liquid over Markdown) and
the fragment displayed by WordPress's shortcode-aware filters; Chromium then loads each:
no dialog, no script, and every payload shows as the literal text it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from playwright.sync_api import Browser

from storyboard.cli.main import main

from .blog_hosts.eleventy import EleventyBuild
from .blog_hosts.wordpress import WordPressFilters
from .browser_support import load, screenshot, serve, watched_page
from .conftest import ProviderPlayground

POST = "https://social.example/@anna/1"
#: Template code each generator would run; the rendered page must show it as it is.
LIQUID = "A{{ 7 | plus: 1 }}Z"
TEMPLATE_PAYLOADS = (
    LIQUID,
    "{% raw %}",
    "{{% hugo %}}",
    "{{< hugo >}}",
    "{# nunjucks #}",
    "[sbtest]",
)
SCRIPT_PAYLOADS = (
    "<script>window.pwned = 1; alert(1)</script>"
    '<img src="x" onerror="window.pwned = 2; alert(2)">'
    '<a href="javascript:window.pwned=3">go</a>'
)
TEXT = " ".join(TEMPLATE_PAYLOADS)

STORY = f"""\
title: Payloads
items:
  - heading: "H {LIQUID} {{% raw %}}"
  - text: |
      T {TEXT}
      {SCRIPT_PAYLOADS}
      [link](javascript:alert(3))
  - url: {POST}
    note: "N {LIQUID} [sbtest]"
"""


def hostile_answer() -> dict[str, object]:
    return {
        "type": "rich",
        "version": "1.0",
        "title": f"Title {LIQUID}",
        "author_name": f"Anna {LIQUID} [sbtest]",
        "author_url": "https://social.example/@anna",
        "provider_name": "Example Social",
        "html": f"<blockquote><p>P {TEXT}</p>{SCRIPT_PAYLOADS}</blockquote>",
        "width": 400,
    }


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def fetched_story(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> Path:
    playground.oembed[POST] = hostile_answer()
    story = write_story(STORY)
    providers = playground.providers_file(tmp_path)
    result = run("fetch", story, "--providers", providers, "--allow-private-network")
    assert result.exit_code == 0, result.stderr
    return story


def render(story: Path, output: Path, fmt: str) -> Path:
    result = run("render", story, "-o", output, "--offline", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    return output


@pytest.fixture
def open_page(
    browser: Browser, request: pytest.FixtureRequest
) -> Callable[[Path, str], tuple[str, list[str], object]]:
    """Return ``open(folder, path) -> (visible text, dialogs, window.pwned)``.

    Each page is also saved as a screenshot under ``test-artifacts/``, to look at.
    """

    def open_(folder: Path, path: str) -> tuple[str, list[str], object]:
        dialogs: list[str] = []
        with serve(folder) as site, watched_page(browser, site.origin) as watched:
            watched.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            load(watched, site.url(path))
            # A javascript: link would run when a reader clicks it.
            for link in watched.page.locator("a").all():
                href = link.get_attribute("href") or ""
                if href.startswith("javascript:"):
                    dialogs.append(f"javascript link: {href}")
            text = watched.page.inner_text("body")
            screenshot(watched.page, request)
            pwned = watched.page.evaluate("window.pwned")
        return text, dialogs, pwned

    return open_


def assert_inert(text: str, dialogs: list[str], pwned: object) -> None:
    assert dialogs == []
    assert pwned is None
    assert "A8Z" not in text
    assert "SHORTCODE-RAN" not in text
    for payload in TEMPLATE_PAYLOADS:
        assert payload in text, payload
    # Each place provider or story text shows: heading, text, post, author, note.
    for where in ("H ", "T ", "P ", "Anna ", "N "):
        assert f"{where}{LIQUID}" in text, where


def test_story_md_built_by_eleventy_shows_every_payload_as_text(
    fetched_story: Path,
    tmp_path: Path,
    eleventy_build: EleventyBuild,
    open_page: Callable[[Path, str], tuple[str, list[str], object]],
) -> None:
    out = render(fetched_story, tmp_path / "md", "markdown")
    markdown = (out / "story.md").read_text(encoding="utf-8")
    body = markdown.split("\n---\n", 1)[1]
    for token in ("{{", "}}", "{%", "%}", "{#", "[sbtest]", "<script", "<img", 'href="javascript'):
        assert token not in body, token
    site = eleventy_build(out)  # an unclosed {% raw %} would fail the build
    text, dialogs, pwned = open_page(site, "story/")
    assert_inert(text, dialogs, pwned)
    # The script payloads are visible as text too, not dropped silently from the text item.
    assert "<script>window.pwned = 1; alert(1)</script>" in text


def test_fragment_through_wordpress_shortcodes_shows_every_payload_as_text(
    fetched_story: Path,
    tmp_path: Path,
    wordpress_filters: WordPressFilters,
    open_page: Callable[[Path, str], tuple[str, list[str], object]],
) -> None:
    out = render(fetched_story, tmp_path / "fragment", "fragment")
    fragment = (out / "embed.html").read_text(encoding="utf-8")
    displayed = wordpress_filters(fragment, "content")
    assert "SHORTCODE-RAN" not in displayed
    post = tmp_path / "post"
    post.mkdir()
    (post / "index.html").write_text(
        f'<!doctype html><meta charset="utf-8"><title>Post</title><body>{displayed}</body>',
        encoding="utf-8",
    )
    text, dialogs, pwned = open_page(post, "index.html")
    assert_inert(text, dialogs, pwned)
