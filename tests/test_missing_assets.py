"""A lost or damaged assets folder: render says which pictures are missing, fetch brings them back.

The provider and the pictures' host are a loopback server; the story is fetched once,
then its ``story.assets/`` loses files (or the whole folder) or holds a damaged one.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from tests.conftest import ProviderPlayground

from .cli_runner import Result, invoke

POSTS = {
    "https://social.example/@anna/1": "/pictures/anna.png",
    "https://social.example/@bo/2": "/pictures/bo.png",
    "https://social.example/@cia/3": "/pictures/cia.png",
}


def run(*args: str | Path) -> Result:
    return invoke(args)


def png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return buffer.getvalue()


def fetched_story(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> tuple[Path, list[str]]:
    for number, (url, picture) in enumerate(POSTS.items()):
        playground.images[picture] = png((60 * number, 90, 140))
        playground.oembed[url] = {
            "type": "rich",
            "version": "1.0",
            "author_name": url.split("@")[1].split("/")[0],
            "html": f"<blockquote><p>Post {number}</p></blockquote>",
            "thumbnail_url": playground.url(picture),
            "thumbnail_width": 40,
            "thumbnail_height": 30,
        }
    story = write_story("title: Pictures\nitems:\n" + "".join(f"  - url: {u}\n" for u in POSTS))
    network = ["--providers", playground.providers_file(tmp_path), "--allow-private-network"]
    assert run("fetch", story, *network).exit_code == 0
    return story, network


def archived_files(story: Path) -> dict[str, str]:
    """Return {post URL: the file name of its archived picture}."""
    data = json.loads(story.with_name(f"{story.stem}.snapshots.json").read_text(encoding="utf-8"))
    return {url: entry["card"]["image"]["path"] for url, entry in data["snapshots"].items()}


def test_render_lists_missing_and_damaged_pictures_and_fetch_archives_them_again(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> None:
    story, network = fetched_story(playground, write_story, tmp_path)
    files = archived_files(story)
    assets = tmp_path / "story.assets"
    (assets / files["https://social.example/@anna/1"]).unlink()
    (assets / files["https://social.example/@bo/2"]).write_bytes(b"\0" * 100)  # damaged

    result = run("render", story, "--offline", "-o", tmp_path / "site")
    assert result.exit_code == 0  # every item still renders: a picture is a warning
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings[0] == (
        f"warning: 2 archived pictures missing from {assets}/, shown without them; "
        f"storyboard fetch {story} archives them again where their source still has them"
    )
    anna, bo = files["https://social.example/@anna/1"], files["https://social.example/@bo/2"]
    assert warnings[1] == (
        f"warning: {anna}: missing; the picture {playground.url('/pictures/anna.png')} "
        "of https://social.example/@anna/1"
    )
    assert warnings[2].startswith(f"warning: {bo}: not an image; the picture ")
    assert len(warnings) == 3
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert anna not in page  # a missing picture is left out, not a broken image

    playground.requests.clear()
    fetched = run("fetch", story, *network)
    assert fetched.exit_code == 0, fetched.stderr
    assert "archived again 2 pictures missing from the assets folder" in fetched.stderr
    assert sorted(p.rstrip("?") for p in playground.requests if p.startswith("/pictures/")) == [
        "/pictures/anna.png",
        "/pictures/bo.png",
    ]  # only the lost ones; no oEmbed asked again
    assert not [p for p in playground.requests if p.startswith("/oembed")]
    again = run("render", story, "--offline", "-o", tmp_path / "site")
    assert again.exit_code == 0
    assert "warning" not in again.stderr
    with Image.open(assets / archived_files(story)["https://social.example/@bo/2"]) as image:
        assert image.size == (40, 30)


def test_a_whole_missing_assets_folder_and_a_source_gone_since(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> None:
    story, network = fetched_story(playground, write_story, tmp_path)
    shutil.rmtree(tmp_path / "story.assets")
    del playground.images["/pictures/cia.png"]  # that picture is gone at its source too

    result = run("render", story, "--offline", "-o", tmp_path / "site")
    assert result.exit_code == 0
    assert "warning: 3 archived pictures missing from " in result.stderr
    assert "story.assets/ (the folder is missing), shown without them" in result.stderr

    fetched = run("fetch", story, *network)
    assert fetched.exit_code == 0, fetched.stderr
    assert "archived again 2 pictures missing from the assets folder" in fetched.stderr
    assert "picture not archived: " in fetched.stderr
    assert playground.url("/pictures/cia.png") in fetched.stderr
    # The picture that could not be had again is still listed, under its old name.
    after = run("render", story, "--offline", "-o", tmp_path / "site")
    assert "warning: 1 archived picture missing from " in after.stderr
    cia = archived_files(story)["https://social.example/@cia/3"]
    assert f"warning: {cia}: missing; " in after.stderr
