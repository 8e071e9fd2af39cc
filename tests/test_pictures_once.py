"""However many cards show one picture, every output carries it once.

A live blog or a long thread repeats one photo or one avatar on every card. The HTML
outputs define an inlined picture once as a CSS class; ``story.json`` lists each picture
once in its table of ``pictures``, keyed by its content, and items name it by key;
``story.md`` defines its inlined pictures once in a ``<style>`` after the front matter.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from jsonschema import Draft202012Validator
from markdown_it import MarkdownIt
from PIL import Image

from storyboard.render import OutputFormat
from storyboard.render.json_output import shipped_schema

from .test_render import (
    RenderFn,
    asset,
    assets_dir,
    keyed,
    make_story,
    post_card,
    render,
    snap,
    split_front_matter,
)

__all__ = ["assets_dir", "render"]  # fixtures, found by name

PHOTO = "photo.png"


def thread(count: int, **card: Any) -> tuple[Any, dict[str, Any]]:
    """Return a story of ``count`` posts by one author, each with the same photo."""
    urls = [f"https://twitter.com/anna/status/{8200 + n}" for n in range(count)]
    story = make_story([{"url": url} for url in urls])
    card.setdefault("image", asset(PHOTO, 800, 600))
    snapshots = keyed(*(snap(post_card(url, **card)) for url in urls))
    return story, snapshots


def validate(data: dict[str, Any]) -> None:
    schema = json.loads(shipped_schema().read_text(encoding="utf-8"))
    Draft202012Validator(schema).validate(data)


def test_inline_json_lists_each_picture_once_and_items_name_it(
    render: RenderFn, assets_dir: Path
) -> None:
    story, snapshots = thread(20)
    rendered = render(story, snapshots, format=OutputFormat.JSON, assets="inline")
    data = json.loads(rendered.text)

    assert rendered.text.count("data:image/png;base64,") == 2  # the avatar and the photo
    validate(data)
    images = {item["media"]["image"] for item in data["items"]}
    avatars = {item["media"]["avatar"] for item in data["items"]}
    assert len(images) == len(avatars) == 1
    photo = data["pictures"][images.pop()]
    assert photo["mime"] == "image/png"
    assert (photo["width"], photo["height"]) == (800, 600)
    # The key is the picture's content, and its src is the picture itself.
    raw = (assets_dir / PHOTO).read_bytes()
    assert data["items"][0]["media"]["image"] == hashlib.sha256(raw).hexdigest()[:16]
    assert photo["src"].startswith("data:image/png;base64,")
    assert not (rendered.options.output_dir / "assets").exists()


@pytest.mark.parametrize(
    ("options", "src"),
    [
        ({}, "assets/photo.png"),
        (
            {"assets": "url", "asset_url": "https://blog.example/media/story/"},
            "https://blog.example/media/story/photo.png",
        ),
    ],
)
def test_json_pictures_point_at_the_copies_the_output_ships(
    render: RenderFn, options: dict[str, str], src: str
) -> None:
    story, snapshots = thread(3)
    rendered = render(story, snapshots, format=OutputFormat.JSON, **options)
    data = json.loads(rendered.text)

    validate(data)
    assert data["pictures"][data["items"][2]["media"]["image"]]["src"] == src
    assert sorted(p.name for p in (rendered.options.output_dir / "assets").iterdir()) == [
        "avatar-anna.png",
        PHOTO,
    ]


def test_two_files_with_the_same_bytes_are_one_picture(render: RenderFn, assets_dir: Path) -> None:
    shutil.copy(assets_dir / PHOTO, assets_dir / "photo-again.png")
    story, snapshots = thread(2)
    second_url = "https://twitter.com/anna/status/8201"
    snapshots.update(keyed(snap(post_card(second_url, image=asset("photo-again.png", 8, 6)))))
    data = json.loads(render(story, snapshots, format=OutputFormat.JSON, assets="inline").text)

    first, second = (item["media"]["image"] for item in data["items"])
    assert first == second
    assert len(data["pictures"]) == 2  # the photo and the avatar


def test_json_without_pictures_has_an_empty_table(render: RenderFn) -> None:
    story, snapshots = thread(2, image=None, avatar=None)
    data = json.loads(render(story, snapshots, format=OutputFormat.JSON).text)
    assert data["pictures"] == {}
    assert [item["media"] for item in data["items"]] == [{}, {}]


def test_inline_markdown_defines_each_picture_once_before_the_cards(render: RenderFn) -> None:
    story, snapshots = thread(20)
    rendered = render(story, snapshots, format=OutputFormat.MARKDOWN, assets="inline")
    _, body = split_front_matter(rendered.text)

    assert rendered.text.count("data:image/png;base64,") == 2
    first_block = body.strip().split("\n\n")[0]
    assert first_block.startswith("<style>\n.storyboard .sb-pic-")
    assert first_block.endswith("\n</style>")
    assert "\n\n" not in first_block  # one HTML block: Markdown leaves it alone
    # Through a Markdown renderer the rules stay a stylesheet and every card shows them.
    html = BeautifulSoup(MarkdownIt("commonmark", {"html": True}).render(body), "html.parser")
    style = html.find("style")
    assert style is not None
    rules = set(re.findall(r"\.(sb-pic-[0-9a-f]{12})\{background-image", style.get_text()))
    assert len(rules) == 2
    photos = html.select(".sb-media .sb-pic")
    assert len(photos) == 20
    assert {cls for photo in photos for cls in photo["class"] if cls in rules}
    assert html.find("img") is None


def test_markdown_with_copied_pictures_has_no_style(render: RenderFn) -> None:
    story, snapshots = thread(2)
    rendered = render(story, snapshots, format=OutputFormat.MARKDOWN)
    assert "<style>" not in rendered.text
    assert rendered.text.count('src="assets/photo.png"') == 2


def write_photo(path: Path) -> int:
    """Write a grainy 320x240 JPEG (some 40 KB: grain does not compress); return its size."""
    grain = random.Random(5).randbytes(320 * 240 * 3)
    Image.frombytes("RGB", (320, 240), grain).save(path, "JPEG", quality=60)
    return path.stat().st_size


@pytest.mark.parametrize("fmt", [OutputFormat.FRAGMENT, OutputFormat.JSON, OutputFormat.PAGE])
def test_a_thousand_posts_with_one_photo_stay_small(
    render: RenderFn, assets_dir: Path, fmt: OutputFormat
) -> None:
    size = write_photo(assets_dir / "big.jpg")
    assert size > 30_000
    story, snapshots = thread(1000, image=asset("big.jpg", 800, 600), avatar=None)
    rendered = render(story, snapshots, format=fmt, assets="inline")

    written = rendered.path.stat().st_size
    assert rendered.text.count("data:image/jpeg;base64,") == 1
    assert written < 2 * 1024 * 1024, f"{written:,} bytes"
