"""``story.md`` for Hugo, Jekyll and Eleventy: front matter, Markdown text, raw HTML cards."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from markdown_it import MarkdownIt
from ruamel.yaml import YAML

from storyboard.model.card import Card, CardKind
from storyboard.model.snapshot import Snapshot, SnapshotStatus
from storyboard.model.story import Story
from storyboard.render import OutputFormat, RenderOptions, render_story
from storyboard.urls import normalize_url

POST_URL = "https://social.example/@anna/1"


def render_markdown(tmp_path: Path, **fields: Any) -> str:
    """Render a small story as Markdown and return story.md."""
    data: dict[str, Any] = {
        "title": "Träffen",
        "items": [
            {"heading": "Morgon"},
            {"text": "Vi *börjar*.\n\n    indented, so code in Markdown"},
            {"url": POST_URL, "note": "Annas **första**."},
            {"url": "https://missing.example/x"},
        ],
    }
    data.update(fields)
    card = Card(
        kind=CardKind.POST,
        url=POST_URL,
        text_html="<p>Hej</p><p>från Maria 01</p>",
        author_name="Anna",
        published=dt.date(2017, 1, 13),
    )
    snapshots = {
        normalize_url(POST_URL): Snapshot(url=POST_URL, status=SnapshotStatus.OK, card=card)
    }
    options = RenderOptions(output_dir=tmp_path / "site", format=OutputFormat.MARKDOWN)
    render_story(Story.model_validate(data), snapshots, options, assets_dir=tmp_path / "none")
    return options.output_file.read_text(encoding="utf-8")


def split(text: str) -> tuple[dict[str, Any], str]:
    """Return the front matter as data and the Markdown body."""
    assert text.startswith("---\n")
    head, body = text[4:].split("\n---\n", 1)
    data: dict[str, Any] = YAML(typ="safe").load(head)
    return data, body


def test_front_matter_has_what_site_generators_read(tmp_path: Path) -> None:
    front, _ = split(
        render_markdown(
            tmp_path,
            date="2017-01-13",
            description="En dag: på Maria 01.",
            tags=["some", "träff"],
            lang="sv",
        )
    )
    assert front == {
        "title": "Träffen",
        "date": dt.date(2017, 1, 13),
        "description": "En dag: på Maria 01.",
        "tags": ["some", "träff"],
        "lang": "sv",
        "stylesheet": "storyboard.css",
    }


def test_front_matter_leaves_out_what_the_story_does_not_have(tmp_path: Path) -> None:
    front, _ = split(render_markdown(tmp_path))
    assert front == {"title": "Träffen", "tags": [], "lang": "en", "stylesheet": "storyboard.css"}


def test_cards_are_single_html_blocks_a_markdown_renderer_passes_through(tmp_path: Path) -> None:
    _, body = split(render_markdown(tmp_path))
    blocks = body.strip().split("\n\n")
    cards = [block for block in blocks if block.startswith('<div class="storyboard"')]

    assert len(cards) == 2
    for card in cards:
        # One CommonMark HTML block (type 6): starts at column 0 with a block tag, ends
        # at the first blank line, so no line may be blank or read as indented code.
        assert card.endswith("</figure>\n</div>")
        assert all(line and not line.startswith(" ") for line in card.splitlines())
    # The curator's text stays Markdown, untouched.
    assert "Vi *börjar*." in body
    assert "    indented, so code in Markdown" in body

    html = MarkdownIt("commonmark", {"html": True}).render(body)
    soup = BeautifulSoup(html, "html.parser")
    figures = [
        scope.find("figure", recursive=False)
        for scope in soup.find_all("div", class_="storyboard", recursive=False)
    ]
    assert len(figures) == 2
    assert figures[0].select_one(".sb-text").get_text("|", strip=True) == "Hej|från Maria 01"  # type: ignore[union-attr]
    assert figures[0].select_one(".sb-note strong").get_text() == "första"  # type: ignore[union-attr]
    assert soup.find("em").get_text() == "börjar"  # type: ignore[union-attr]
    assert soup.find("pre") is not None  # only the curator's own indented line
    assert len(soup.find_all("pre")) == 1
