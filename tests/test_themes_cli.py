"""Themes end to end: ``theme:`` in the story, ``--theme``, blocks and the per-item cascade."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from storyboard.model.card import Card, CardKind
from storyboard.model.snapshot import Snapshot, SnapshotStatus, Source, SourceKind
from storyboard.snapshots import SnapshotStore

from .cli_runner import Result, invoke

YOUTUBE_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
VIMEO_URL = "https://vimeo.com/76979871"
POST_URL = "https://social.example/@anna/1"

STORY = """\
title: Themed story
lang: en
{options}
items:
  - heading: Talks
  - url: {youtube}
  - url: {vimeo}
  - url: {post}
"""


def run(*args: str | Path) -> Result:
    """Run the CLI in-process."""
    return invoke(args)


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``, making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(card: Card, provider: str | None = None) -> Snapshot:
    """Return a good snapshot of ``card``."""
    source = Source(kind=SourceKind.PROVIDER, provider_name=provider) if provider else None
    return Snapshot(
        url=card.url,
        status=SnapshotStatus.OK,
        source=source,
        fetched_at=dt.datetime(2017, 1, 13, tzinfo=dt.UTC),
        card=card,
    )


def story_file(folder: Path, options: str = "") -> Path:
    """Write a story with a YouTube video, a Vimeo video and a post, and its snapshots."""
    path = write(
        folder / "story.yaml",
        STORY.format(options=options, youtube=YOUTUBE_URL, vimeo=VIMEO_URL, post=POST_URL),
    )
    store = SnapshotStore.load(folder / "story.snapshots.json")
    for card, provider in [
        (Card(kind=CardKind.VIDEO, url=YOUTUBE_URL, title="On YouTube"), "YouTube"),
        (Card(kind=CardKind.VIDEO, url=VIMEO_URL, title="On Vimeo"), "Vimeo"),
        (Card(kind=CardKind.POST, url=POST_URL, text_html="<p>Hi</p>", author_name="Anna"), None),
    ]:
        store.record_success(snapshot(card, provider))
    store.save()
    return path


def theme_folder(folder: Path) -> Path:
    """Write a theme that changes one block of the page and two item templates."""
    write(
        folder / "page.html",
        '{% extends "default:page.html" %}\n'
        '{% block header %}<h1 class="my-title">{{ story.title | upper }}</h1>{% endblock %}\n',
    )
    # Per provider: only YouTube items.
    write(
        folder / "items" / "youtube.html",
        '<div class="my-youtube"><a href="{{ item.url }}">{{ item.title }}</a></div>\n',
    )
    # Per card type: every other video, extending the built-in card and changing one block.
    write(
        folder / "items" / "video.html",
        '{% extends "default:items/default.html" %}\n'
        '{% block card_foot %}<p class="my-video-foot">{{ item.provider_name }}</p>'
        "{% endblock %}\n",
    )
    return folder


def render(story: Path, out: Path, *extra: str | Path) -> BeautifulSoup:
    """Render ``story`` offline and parse the page."""
    result = run("render", story, "-o", out, "--offline", *extra)
    assert result.exit_code == 0, result.output
    return BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")


def check_themed(page: BeautifulSoup) -> None:
    """Assert the theme's block, provider and type overrides all took effect."""
    assert page.select_one("header h1.my-title").get_text() == "THEMED STORY"  # type: ignore[union-attr]
    assert page.select_one("footer").get_text(strip=True) == "Made with storyboard"  # type: ignore[union-attr]
    figures = page.select("figure.sb-entry")
    assert len(figures) == 3
    youtube, vimeo, post = figures
    # provider → type → default, per item:
    assert youtube.select_one(".my-youtube a")["href"] == YOUTUBE_URL  # type: ignore[index]
    assert youtube.select_one("article") is None
    assert vimeo.select_one(".my-youtube") is None
    assert vimeo.select_one("article.sb-video .sb-title").get_text() == "On Vimeo"  # type: ignore[union-attr]
    assert vimeo.select_one(".my-video-foot").get_text() == "Vimeo"  # type: ignore[union-attr]
    assert vimeo.select_one(".sb-foot") is None  # the block was replaced
    assert post.select_one("article.sb-post .sb-foot") is not None  # built-in default
    assert post.select_one(".my-video-foot") is None


def test_theme_named_in_the_story_is_relative_to_the_story_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theme_folder(tmp_path / "event" / "look")
    story = story_file(tmp_path / "event", options="options:\n  theme: look")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the theme is found from the story, not the working folder

    check_themed(render(story, tmp_path / "out"))


def test_theme_option_wins_over_the_story(tmp_path: Path) -> None:
    write(tmp_path / "event" / "look" / "page.html", "<p>the story's theme</p>\n")
    story = story_file(tmp_path / "event", options="options:\n  theme: look")

    check_themed(render(story, tmp_path / "out", "--theme", theme_folder(tmp_path / "cli")))


def test_without_a_theme_the_builtin_templates_render(tmp_path: Path) -> None:
    page = render(story_file(tmp_path), tmp_path / "out")

    assert page.select_one(".my-title") is None
    assert len(page.select("article.sb-video")) == 2


def test_theme_applies_to_the_fragment_and_markdown_too(tmp_path: Path) -> None:
    story = story_file(tmp_path / "event", options="options:\n  theme: look")
    theme_folder(tmp_path / "event" / "look")
    for fmt, name in [("fragment", "embed.html"), ("markdown", "story.md")]:
        result = run("render", story, "-o", tmp_path / fmt, "--offline", "--format", fmt)
        assert result.exit_code == 0, result.output
        text = (tmp_path / fmt / name).read_text(encoding="utf-8")
        assert 'class="my-youtube"' in text, fmt
        assert 'class="my-video-foot"' in text, fmt


def test_missing_theme_folder_named_by_the_story_exits_2(tmp_path: Path) -> None:
    story = story_file(tmp_path, options="options:\n  theme: nowhere")
    result = run("render", story, "-o", tmp_path / "out", "--offline")

    assert result.exit_code == 2
    assert "theme folder not found" in result.stderr
    assert "nowhere" in result.stderr
    assert not (tmp_path / "out" / "index.html").exists()
