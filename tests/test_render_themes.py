"""Themes: the built-in templates' location, the search path, the cascade and template errors."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import storyboard
from storyboard.errors import RenderError
from storyboard.model.card import Card, CardKind
from storyboard.model.snapshot import Snapshot, SnapshotStatus, Source, SourceKind
from storyboard.model.story import Story
from storyboard.render import OutputFormat, RenderOptions, render_story
from storyboard.render.themes import (
    builtin_templates_dir,
    item_template_names,
    make_environment,
    render_template,
    select_template,
    theme_search_path,
)
from storyboard.urls import normalize_url

REPO = Path(__file__).resolve().parents[1]
VIDEO_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
POST_URL = "https://social.example/@anna/1"


def story_and_snapshots() -> tuple[Story, dict[str, Snapshot]]:
    """Return a story with a YouTube video and a social post."""
    story = Story.model_validate(
        {"title": "Themed", "lang": "en", "items": [{"url": VIDEO_URL}, {"url": POST_URL}]}
    )
    video = Card(kind=CardKind.VIDEO, url=VIDEO_URL, title="A talk", provider_name="YouTube")
    post = Card(kind=CardKind.POST, url=POST_URL, text_html="<p>Hi</p>", author_name="Anna")
    snapshots = {
        normalize_url(VIDEO_URL): Snapshot(
            url=VIDEO_URL,
            status=SnapshotStatus.OK,
            source=Source(kind=SourceKind.PROVIDER, provider_name="YouTube"),
            card=video,
        ),
        normalize_url(POST_URL): Snapshot(url=POST_URL, status=SnapshotStatus.OK, card=post),
    }
    return story, snapshots


def render_with_theme(
    tmp_path: Path, theme: Path | None, fmt: OutputFormat = OutputFormat.PAGE
) -> BeautifulSoup:
    """Render the sample story with ``theme`` and parse the output."""
    story, snapshots = story_and_snapshots()
    options = RenderOptions(output_dir=tmp_path / "site", format=fmt, theme_dir=theme)
    render_story(story, snapshots, options, assets_dir=tmp_path / "none")
    return BeautifulSoup(options.output_file.read_text(encoding="utf-8"), "html.parser")


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``, making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_templates_are_found_in_an_editable_install() -> None:
    # The test run's own install is editable: the templates stay in the checkout.
    assert not (Path(storyboard.__file__).parent / "templates").exists()
    folder = builtin_templates_dir()

    assert folder == REPO / "templates" / "default"
    for name in ("base.html", "page.html", "fragment.html", "storyboard.css", "storyboard.js"):
        assert (folder / name).is_file(), name
    assert (folder / "items" / "default.html").is_file()


WHEEL_RENDER = """
import sys
from pathlib import Path
import storyboard
from storyboard.model.story import Story
from storyboard.render import RenderOptions, render_story
from storyboard.render.themes import builtin_templates_dir
out = Path(sys.argv[1])
story = Story.model_validate({"title": "From the wheel", "lang": "en", "items": []})
options = RenderOptions(output_dir=out)
render_story(story, {}, options, assets_dir=out / "none")
print(storyboard.__file__)
print(builtin_templates_dir())
print(options.output_file)
"""


@pytest.mark.slow
def test_builtin_templates_are_found_inside_a_built_wheel(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", tmp_path],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("storyboard-*.whl")
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    page = unpacked / "storyboard" / "templates" / "default" / "base.html"
    # A mark only the wheel's copy has: the output proves which templates were used.
    page.write_text(page.read_text(encoding="utf-8") + "<!-- from the wheel -->\n", "utf-8")

    env = {**os.environ, "PYTHONPATH": str(unpacked)}
    ran = subprocess.run(
        [sys.executable, "-c", WHEEL_RENDER, str(tmp_path / "site")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    module, templates, output = ran.stdout.splitlines()
    assert Path(module).is_relative_to(unpacked)
    assert Path(templates) == unpacked / "storyboard" / "templates" / "default"
    assert "<!-- from the wheel -->" in Path(output).read_text(encoding="utf-8")


def test_theme_folder_is_searched_before_the_builtin_one(tmp_path: Path) -> None:
    assert theme_search_path(None) == [builtin_templates_dir()]
    assert theme_search_path(tmp_path) == [tmp_path, builtin_templates_dir()]


@pytest.mark.parametrize(
    ("slug", "kind", "expected"),
    [
        ("youtube", "video", ["items/youtube.html", "items/video.html", "items/default.html"]),
        ("twitter", "post", ["items/twitter.html", "items/post.html", "items/default.html"]),
        (None, "link", ["items/link.html", "items/default.html"]),
        ("", "rich", ["items/rich.html", "items/default.html"]),
    ],
)
def test_item_template_cascade_goes_from_specific_to_generic(
    slug: str | None, kind: str, expected: list[str]
) -> None:
    assert item_template_names(slug, kind) == expected


def test_cascade_picks_the_first_template_that_exists(tmp_path: Path) -> None:
    env = make_environment(tmp_path)
    chosen = select_template(env, item_template_names("youtube", "video"))
    assert chosen.name == "items/default.html"
    assert select_template(env, item_template_names("news", "link")).name == "items/link.html"

    write(tmp_path / "items" / "video.html", "video")
    env = make_environment(tmp_path)
    assert select_template(env, item_template_names("youtube", "video")).name == "items/video.html"


def test_theme_page_can_extend_the_builtin_page(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    write(
        theme / "page.html",
        '{% extends "default:page.html" %}\n'
        '{% block footer %}<p class="mine">Published by {{ story.title }}</p>{% endblock %}\n',
    )
    soup = render_with_theme(tmp_path, theme)

    mine = soup.select_one("footer .mine")
    assert mine is not None
    assert mine.get_text() == "Published by Themed"
    assert soup.find("h1").get_text() == "Themed"  # type: ignore[union-attr]
    assert len(soup.select("article.sb-card")) == 2  # the rest is the built-in page


def test_theme_fragment_can_extend_the_builtin_fragment(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    write(
        theme / "fragment.html",
        '{% extends "default:fragment.html" %}\n'
        "{% block styles %}.mine{color:red}{% endblock %}\n"
        '{% block content %}<p class="intro">{{ story.title }}</p>{{ super() }}{% endblock %}\n',
    )
    soup = render_with_theme(tmp_path, theme, OutputFormat.FRAGMENT)

    root = soup.select_one("div.storyboard")
    assert root is not None
    assert root.style is not None
    assert root.style.get_text().strip() == ".mine{color:red}"
    assert root.select_one("p.intro").get_text() == "Themed"  # type: ignore[union-attr]
    assert len(root.select("article.sb-card")) == 2  # super(): the built-in items follow


def test_a_theme_can_use_the_entry_title_macro(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    write(
        theme / "items" / "video.html",
        '{% from "default:partials/headings.html" import entry_title %}\n'
        '<article class="sb-card mine">{{ entry_title(3, item.title, item.url) }}</article>\n',
    )
    soup = render_with_theme(tmp_path, theme)

    title = soup.select_one("article.mine h3.sb-title a")
    assert title is not None
    assert title.get_text() == "A talk"
    assert title["href"] == VIDEO_URL


def test_theme_item_template_applies_to_its_provider_only(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    write(
        theme / "items" / "youtube.html",
        '<div class="my-video"><a href="{{ item.url }}">{{ item.title }}</a></div>\n',
    )
    for fmt in (OutputFormat.PAGE, OutputFormat.FRAGMENT):
        soup = render_with_theme(tmp_path, theme, fmt)
        mine = soup.select(".my-video a")
        assert [a["href"] for a in mine] == [VIDEO_URL]
        assert soup.select_one("article.sb-post") is not None


def test_theme_stylesheet_replaces_the_builtin_one_everywhere(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    write(theme / "storyboard.css", ".storyboard .sb-card{border:3px solid hotpink}\n")
    for fmt in (OutputFormat.PAGE, OutputFormat.FRAGMENT):
        style = render_with_theme(tmp_path, theme, fmt).find("style")
        css = style.get_text()  # type: ignore[union-attr]
        assert "hotpink" in css
        assert ".storyboard img{" not in css  # the built-in resets are gone


def test_missing_theme_folder_is_a_render_error(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="theme folder not found"):
        make_environment(tmp_path / "nope")


def test_template_syntax_error_names_the_template_and_line(tmp_path: Path) -> None:
    write(tmp_path / "page.html", "<p>\n{% if %}\n")
    with pytest.raises(RenderError, match=r"page\.html:2: "):
        render_with_theme(tmp_path / "out", tmp_path)


def test_undefined_variable_names_the_template(tmp_path: Path) -> None:
    write(tmp_path / "items" / "default.html", "<p>\n{{ item.no_such_field }}</p>\n")
    with pytest.raises(RenderError, match=r"items/default\.html:2: .*no_such_field"):
        render_with_theme(tmp_path / "out", tmp_path)


def test_missing_template_is_a_render_error(tmp_path: Path) -> None:
    env = make_environment(tmp_path)
    with pytest.raises(RenderError, match=r"nothing\.html"):
        render_template(env, "nothing.html", {})
    with pytest.raises(RenderError, match=r"items/a\.html"):
        select_template(env, ["items/a.html"])


def test_html_templates_are_autoescaped(tmp_path: Path) -> None:
    write(tmp_path / "x.html", "{{ value }}")
    write(tmp_path / "x.css", "{{ value }}")
    env = make_environment(tmp_path)

    assert render_template(env, "x.html", {"value": "<b>"}) == "&lt;b&gt;"
    assert callable(env.autoescape)
    assert env.autoescape("default:page.html") is True
    assert render_template(env, "x.css", {"value": "a>b"}) == "a>b"
