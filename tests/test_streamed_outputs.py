"""Outputs are written as they are made, and still appear whole or not at all.

The template engine's pieces (and ``story.json``'s items) go to the temporary file as
they come instead of being joined into one string first; the text is the same, byte for
byte, and the rename keeps its promise: a broken template or a full disk halfway
through leaves the old file as it was, and no temporary file behind.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from storyboard.fsio import temporary_pattern, write_atomically
from storyboard.providers import ProviderRegistry
from storyboard.render import OutputFormat, RenderOptions, render_story
from storyboard.render.context import StoryViewBuilder
from storyboard.render.json_output import StoryJsonWriter, render_json_document, story_document
from storyboard.render.media import AssetLinker, AssetsMode
from storyboard.render.page import (
    FRAGMENT_TEMPLATE,
    PAGE_TEMPLATE,
    html_pieces,
    render_html,
    stripped_pieces,
)
from storyboard.render.themes import make_environment
from storyboard.render.views import StoryView

from .test_render import MISSING_URL, assets_dir, full_story, keyed, make_story, post_card, snap
from .tmpfs import mounted_tmpfs

__all__ = ["assets_dir"]  # a fixture, found by name

REPO = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


def test_pieces_reach_the_disk_while_the_old_file_stays(tmp_path: Path) -> None:
    target = tmp_path / "story.json"
    target.write_bytes(b"old")
    seen: list[int] = []

    def pieces() -> Iterator[bytes]:
        for _ in range(4):
            yield b"x" * MB
            (temporary,) = tmp_path.glob(temporary_pattern(target))
            seen.append(temporary.stat().st_size)
            assert target.read_bytes() == b"old"

    write_atomically(target, pieces())

    assert seen[-1] >= 3 * MB  # written as they came, not gathered first
    assert target.stat().st_size == 4 * MB
    assert list(tmp_path.glob(temporary_pattern(target))) == []


def test_a_failure_halfway_through_the_pieces_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "embed.html"
    target.write_bytes(b"old")

    def pieces() -> Iterator[bytes]:
        yield b"x" * MB
        raise RuntimeError("a template broke")

    with pytest.raises(RuntimeError, match="a template broke"):
        write_atomically(target, pieces())
    assert target.read_bytes() == b"old"
    assert list(tmp_path.glob(temporary_pattern(target))) == []


@pytest.mark.parametrize(
    "pieces",
    [
        [],
        ["", " \n", "\t"],
        ["\n  <div>", "</div>\n", "\n"],
        ["<p>", " ", "a", "  ", "b", "\n\n"],
        ["  a  ", "", "  ", "b \u00a0", " \n"],
        ["\u2003x\u2003"],
    ],
)
def test_stripped_pieces_are_the_stripped_text(pieces: list[str]) -> None:
    assert "".join(stripped_pieces(pieces)) == "".join(pieces).strip() + "\n"
    for batch in (1, 2, 3):  # whitespace at a batch's end waits for the next batch
        assert "".join(stripped_pieces(pieces, batch)) == "".join(pieces).strip() + "\n"


def example_view(assets: Path, mode: AssetsMode) -> StoryView:
    story, snapshots = full_story()
    linker = AssetLinker(assets, mode, share_inline=True)
    return StoryViewBuilder(story, snapshots, ProviderRegistry.builtin(), linker, None).build()


@pytest.mark.parametrize("template", [PAGE_TEMPLATE, FRAGMENT_TEMPLATE])
@pytest.mark.parametrize("mode", ["copy", "inline"])
def test_streamed_html_is_the_rendered_html(
    assets_dir: Path, template: str, mode: AssetsMode
) -> None:
    env = make_environment(None)
    view = example_view(assets_dir, mode)
    assert "".join(html_pieces(env, template, view)) == render_html(env, template, view)


@pytest.mark.parametrize("mode", ["copy", "inline"])
def test_streamed_json_is_the_whole_document(assets_dir: Path, mode: AssetsMode) -> None:
    story, snapshots = full_story(
        description='Åbo, 東京 and "quotes"\nwith a newline', options={"toc": True}
    )
    whole = render_json_document(story_document(story, snapshots, AssetLinker(assets_dir, mode)))
    writer = StoryJsonWriter(story, snapshots, AssetLinker(assets_dir, mode))
    streamed = "".join(writer.pieces())

    assert streamed == whole
    assert json.loads(streamed)["toc"]  # the fields between the items and the pictures too
    assert writer.unresolved == [MISSING_URL]
    json.loads(streamed)


def test_streamed_json_of_an_empty_story_is_the_whole_document(tmp_path: Path) -> None:
    story = make_story([])
    whole = render_json_document(story_document(story, {}, AssetLinker(tmp_path, "copy")))
    streamed = "".join(StoryJsonWriter(story, {}, AssetLinker(tmp_path, "copy")).pieces())
    assert streamed == whole
    assert '"items": [],\n  "toc": [],\n  "pictures": {}\n}' in streamed


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-m", "storyboard", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def write_story(folder: Path, count: int, picture_bytes: int = 0) -> Path:
    """Write a story of ``count`` posts sharing one picture (grain, about ``picture_bytes``)."""
    urls = [f"https://social.example/@anna/{n}" for n in range(count)]
    story = folder / "story.yaml"
    items = "".join(f"  - url: {url}\n" for url in urls)
    story.write_text(f"title: Streamed\nlang: en\nitems:\n{items}", encoding="utf-8")
    image = {"url": "https://cdn.social.example/p.png", "path": "p.png"}
    cards = {
        url: {
            "url": url,
            "status": "ok",
            "card": {"kind": "post", "url": url, "text_html": f"<p>Post {n}</p>", "image": image},
        }
        for n, url in enumerate(urls)
    }
    (folder / "story.snapshots.json").write_text(
        json.dumps({"format": 1, "snapshots": cards}), encoding="utf-8"
    )
    (folder / "story.assets").mkdir()
    side = max(16, int((picture_bytes / 3) ** 0.5))
    grain = random.Random(1).randbytes(side * side * 3)
    Image.frombytes("RGB", (side, side), grain).save(folder / "story.assets" / "p.png")
    return story


def test_a_broken_template_halfway_through_keeps_the_old_page(tmp_path: Path) -> None:
    story = write_story(tmp_path, 300)
    theme = tmp_path / "theme"
    (theme / "partials").mkdir(parents=True)
    # Breaks at the last card only: by then most of the page has been written.
    (theme / "partials" / "card_foot.html").write_text(
        '{% if item.number == 300 %}{% include "no-such-partial.html" %}{% endif %}\n',
        encoding="utf-8",
    )
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("the old page", encoding="utf-8")

    done = run("render", story, "--offline", "-o", out, "--theme", theme)

    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "no-such-partial.html" in done.stderr.strip().splitlines()[-1]
    assert (out / "index.html").read_text(encoding="utf-8") == "the old page"
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]  # no temporary, no assets


def test_a_full_disk_halfway_through_keeps_the_old_fragment(tmp_path: Path) -> None:
    story = write_story(tmp_path, 50, picture_bytes=400 * 1024)  # bigger than the disk
    with mounted_tmpfs(tmp_path / "tiny", "256k") as disk:
        (disk / "embed.html").write_text("the old fragment", encoding="utf-8")

        done = run("render", story, "--offline", "-o", disk, "--format", "fragment")

        assert done.returncode == 3, done.stderr
        assert "Traceback" not in done.stderr
        last = done.stderr.strip().splitlines()[-1]
        assert last == f"error: cannot write {disk / 'embed.html'}: No space left on device"
        assert (disk / "embed.html").read_text(encoding="utf-8") == "the old fragment"
        assert sorted(p.name for p in disk.iterdir()) == ["embed.html"]


def test_story_json_is_never_held_whole_in_memory(tmp_path: Path) -> None:
    # 2,500 posts: some 2.5 MB of JSON. Joined, the text alone (and its UTF-8 copy) would
    # be more than the whole render may allocate here beyond the story already loaded.
    urls = [f"https://social.example/@anna/{n}" for n in range(2500)]
    story = make_story([{"url": url} for url in urls])
    snapshots = keyed(*(snap(post_card(url, avatar=None)) for url in urls))
    options = RenderOptions(output_dir=tmp_path / "site", format=OutputFormat.JSON)

    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        render_story(story, snapshots, options, assets_dir=tmp_path / "story.assets")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    size = options.output_file.stat().st_size
    assert size > 2 * MB
    assert peak - before < size / 2, f"{(peak - before) / MB:.1f} MB for {size / MB:.1f} MB"
