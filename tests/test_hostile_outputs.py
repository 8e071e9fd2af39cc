"""Provider text full of template code and script, through fetch and render into real hosts.

A loopback provider answers with a post whose text, author and title carry Liquid,
Nunjucks, Hugo and WordPress shortcode syntax, script and event handlers; the story's own
heading and text carry more. ``story.md`` is built by Eleventy (Liquid over Markdown) and
the fragment displayed by WordPress's shortcode-aware filters; Chromium then loads each:
no dialog, no script, and every payload shows as the literal text it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser
from ruamel.yaml import YAML

from .blog_hosts.eleventy import EleventyBuild
from .blog_hosts.wordpress import WordPressFilters
from .browser_support import load, screenshot, serve, watched_page
from .cli_runner import Result, invoke
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
    return invoke(args)


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


#: A story's own fields in front matter: YAML syntax, template code of each generator, script,
#: and the characters strict YAML parsers refuse or fold (DEL, C1 controls, NEL, U+2028, BOM).
HOSTILE_TITLE = (
    'Q "quoted": colon #not-a-comment &anchor !tag\n--- '
    f"{LIQUID} {{% raw %}} {{# c #}} {{{{< hugo >}}}}"
    " </title><script>window.pwned = 4; alert(4)</script>"
)
HOSTILE_FIELDS = {
    "title": HOSTILE_TITLE,
    "description": f"D {LIQUID}\n---\nlayout: evil.liquid\n\x7f\x85\u2028\ufeff\x1b[2J end",
    "author": f"Curator {LIQUID} 'single' \"double\" \\ back",
}
FRONT_MATTER_STORY = """\
title: {title}
description: {description}
author: {author}
tags: ["{{{{ 7 | plus: 1 }}}}", "a: b", "---"]
items:
  - heading: Only
""".format(**{key: json.dumps(value) for key, value in HOSTILE_FIELDS.items()})
#: Layouts as sites write them: Liquid escapes with a filter, Nunjucks by default.
FRONT_MATTER_LAYOUTS = {
    "base.liquid": "<!doctype html><html><head><meta charset='utf-8'>"
    "<title>{{ title | escape }}</title></head><body>"
    "<h1>{{ title | escape }}</h1><p id='d'>{{ description | escape }}</p>"
    "<p id='a'>{{ author | escape }}</p><p id='t'>{{ tags | join: '|' | escape }}</p>"
    "{{ content }}</body></html>",
    "base.njk": "<!doctype html><html><head><meta charset='utf-8'>"
    "<title>{{ title }}</title></head><body>"
    "<h1>{{ title }}</h1><p id='d'>{{ description }}</p>"
    "<p id='a'>{{ author }}</p><p id='t'>{{ tags | join('|') }}</p>"
    "{{ content | safe }}</body></html>",
}


def test_story_md_front_matter_is_yaml_every_parser_reads_back_as_written(
    write_story: Callable[..., Path], tmp_path: Path
) -> None:
    out = render(write_story(FRONT_MATTER_STORY), tmp_path / "md", "markdown")
    markdown = (out / "story.md").read_text(encoding="utf-8")
    head = markdown.removeprefix("---\n").split("\n---\n", 1)[0]
    # PyYAML is YAML 1.1 like Jekyll's Psych: it refuses DEL and C1 controls written as they
    # are and folds NEL and U+2028; ruamel is YAML 1.2.
    for data in (yaml.safe_load(head), YAML(typ="safe").load(head)):
        assert {key: data[key] for key in HOSTILE_FIELDS} == {
            key: value.strip() for key, value in HOSTILE_FIELDS.items()
        }
        assert data["tags"] == ["{{ 7 | plus: 1 }}", "a: b", "---"]
        assert "layout" not in data
    assert markdown.count("\n---\n") == 1  # no line of a value can close the front matter


@pytest.mark.parametrize("layout", ["base.liquid", "base.njk"])
def test_story_md_front_matter_built_by_eleventy_shows_as_written_and_runs_nothing(
    write_story: Callable[..., Path],
    tmp_path: Path,
    eleventy_build: EleventyBuild,
    open_page: Callable[[Path, str], tuple[str, list[str], object]],
    browser: Browser,
    layout: str,
) -> None:
    out = render(write_story(FRONT_MATTER_STORY), tmp_path / "md", "markdown")
    (out / "_includes").mkdir()
    (out / "_includes" / layout).write_text(FRONT_MATTER_LAYOUTS[layout], encoding="utf-8")
    (out / "story.11tydata.json").write_text(json.dumps({"layout": layout}), encoding="utf-8")
    site = eleventy_build(out)
    text, dialogs, pwned = open_page(site, "story/")
    assert dialogs == []
    assert pwned is None
    assert "A8Z" not in text
    with serve(site) as server, watched_page(browser, server.origin) as watched:
        load(watched, server.url("story/"))
        page = watched.page
        shown = {
            "title": page.inner_text("h1"),
            "description": page.inner_text("#d"),
            "author": page.inner_text("#a"),
        }
        tags = page.inner_text("#t")
        title = page.title()

    def flat(value: str) -> str:
        # As a browser lays text out: controls dropped, runs of white space one space.
        visible = "".join(c for c in value if c.isprintable() or c.isspace())
        return " ".join(visible.replace("\ufeff", "").split())

    assert {key: flat(value) for key, value in shown.items()} == {
        key: flat(value) for key, value in HOSTILE_FIELDS.items()
    }
    assert flat(title) == flat(HOSTILE_TITLE)
    assert tags == "{{ 7 | plus: 1 }}|a: b|---"
