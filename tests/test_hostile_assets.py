"""A file in ``STORY.assets/`` that is not an archived picture is never published or served."""

from __future__ import annotations

import html
import io
import os
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from storyboard.errors import RenderError
from storyboard.preview.server import PreviewServer, PreviewSettings, fingerprint
from storyboard.render.files import copy_assets

from .cli_runner import Result, invoke
from .conftest import ProviderPlayground

POST = "https://social.example/@anna/1"
SECRET = "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n"


def run(*args: str | Path) -> Result:
    return invoke(args)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def fetched(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> tuple[Path, Path]:
    """A fetched story whose post has one archived picture; return (story, the picture)."""
    playground.images["/media/a.png"] = png()
    playground.oembed[POST] = {
        "type": "rich",
        "version": "1.0",
        "author_name": "Anna",
        "html": "<blockquote><p>Hej</p></blockquote>",
        "thumbnail_url": playground.url("/media/a.png"),
    }
    story = write_story(f"title: T\nitems:\n  - url: {POST}\n")
    providers = playground.providers_file(tmp_path)
    result = run("fetch", story, "--providers", providers, "--allow-private-network")
    assert result.exit_code == 0, result.stderr
    (picture,) = (tmp_path / "story.assets").iterdir()
    return story, picture


def plant(picture: Path, tmp_path: Path, how: str) -> None:
    secret = tmp_path / "id_rsa"
    secret.write_text(SECRET, encoding="utf-8")
    picture.unlink()
    if how == "symlink":
        picture.symlink_to(secret)
    elif how == "hardlink":
        os.link(secret, picture)
    else:  # a folder where the picture was
        picture.mkdir()


@pytest.mark.parametrize("how", ["symlink", "hardlink", "folder"])
@pytest.mark.parametrize("fmt", ["page", "fragment"])  # copied, or inlined as data: URIs
def test_render_refuses_an_archived_file_that_is_not_a_picture(
    fetched: tuple[Path, Path], tmp_path: Path, how: str, fmt: str
) -> None:
    story, picture = fetched
    plant(picture, tmp_path, how)
    out = tmp_path / "site"
    result = run("render", story, "-o", out, "--offline", "--format", fmt)
    assert result.exit_code == 0, result.stderr  # the card renders, without the picture
    why = {
        "symlink": "not a regular file",
        "hardlink": "not an image",
        "folder": "not a regular file",
    }
    assert f"warning: {picture.name}: {why[how]}; the picture " in result.stderr
    written = [p for p in out.rglob("*") if p.is_file() or p.is_symlink()]
    assert written
    assert not any(p.is_symlink() for p in written)
    assert all("secret" not in p.read_text("utf-8", "replace") for p in written)
    assert not (out / "assets" / picture.name).exists()
    assert "Traceback" not in result.stderr


def test_a_picture_swapped_for_a_link_while_rendering_is_refused(tmp_path: Path) -> None:
    # The check when the page is built and the read when it is copied are apart; the
    # read itself never follows a link, whatever happened in between.
    assets = tmp_path / "story.assets"
    assets.mkdir()
    secret = tmp_path / "id_rsa"
    secret.write_text(SECRET, encoding="utf-8")
    (assets / "a.png").symlink_to(secret)
    with pytest.raises(RenderError, match=r"a\.png: a symbolic link, not an archived picture"):
        copy_assets(["a.png"], assets, tmp_path / "site")
    assert not (tmp_path / "site" / "assets" / "a.png").exists()


def test_a_good_archive_still_renders(fetched: tuple[Path, Path], tmp_path: Path) -> None:
    story, picture = fetched
    out = tmp_path / "site"
    assert run("render", story, "-o", out, "--offline").exit_code == 0
    assert (out / "assets" / picture.name).read_bytes() == picture.read_bytes()


def test_serve_never_follows_a_link_in_the_output_folder(
    fetched: tuple[Path, Path], tmp_path: Path
) -> None:
    story, _ = fetched
    secret = tmp_path / "id_rsa"
    secret.write_text(SECRET, encoding="utf-8")
    out = tmp_path / "site"
    settings = PreviewSettings(story_path=story, output_dir=out, port=0, poll_interval=0.1)
    with PreviewServer(settings, report=lambda _message: None) as server:
        (out / "assets").mkdir(exist_ok=True)
        (out / "assets" / "key.png").symlink_to(secret)
        (out / "inside.html").symlink_to(out / "index.html")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        for path in ("/assets/key.png", "/inside.html"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                opener.open(f"http://127.0.0.1:{server.port}{path}", timeout=10)
            assert refused.value.code == 404
            refused.value.close()
        with opener.open(f"http://127.0.0.1:{server.port}/", timeout=10) as page:
            assert page.status == 200


def link_the_assets_folder(story: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Move ``STORY.assets/`` elsewhere and leave a link to it; return (link, its target)."""
    folder = story.with_name("story.assets")
    elsewhere = tmp_path / "elsewhere"  # ~/Pictures, in a story pulled from someone else
    folder.rename(elsewhere)
    folder.symlink_to(elsewhere, target_is_directory=True)
    return folder, elsewhere


@pytest.mark.parametrize("fmt", ["page", "fragment", "markdown", "json"])
def test_render_refuses_an_assets_folder_that_is_a_link(
    fetched: tuple[Path, Path], tmp_path: Path, fmt: str
) -> None:
    story, _ = fetched
    folder, _ = link_the_assets_folder(story, tmp_path)
    out = tmp_path / "site"
    result = run("render", story, "-o", out, "--offline", "--format", fmt)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert f"{folder}: the assets folder is a symbolic link; refusing to follow it" in line
    assert not out.exists()  # nothing published


def test_fetch_refuses_to_write_through_an_assets_folder_link(
    fetched: tuple[Path, Path], tmp_path: Path, playground: ProviderPlayground
) -> None:
    story, picture = fetched
    folder, elsewhere = link_the_assets_folder(story, tmp_path)
    (elsewhere / picture.name).unlink()
    providers = playground.providers_file(tmp_path)
    result = run("fetch", story, "--refresh", "--providers", providers, "--allow-private-network")
    assert result.exit_code == 2
    assert f"{folder}: the assets folder is a symbolic link" in result.stderr
    assert list(elsewhere.iterdir()) == []  # nothing written where the link points


def test_serve_shows_the_linked_assets_folder_as_the_problem(
    fetched: tuple[Path, Path], tmp_path: Path
) -> None:
    story, picture = fetched
    folder, elsewhere = link_the_assets_folder(story, tmp_path)
    reported: list[str] = []
    out = tmp_path / "site"
    settings = PreviewSettings(story_path=story, output_dir=out, port=0, poll_interval=0.1)
    with PreviewServer(settings, report=reported.append) as server:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with pytest.raises(urllib.error.HTTPError) as problem_page:
            opener.open(f"http://127.0.0.1:{server.port}/", timeout=10)
        assert problem_page.value.code == 500  # the page that lists the story's problems
        body = problem_page.value.read().decode("utf-8")
        problem_page.value.close()
        # The watcher looks at the link, not into the folder it points at.
        assert [entry[0] for entry in fingerprint([folder])] == [str(folder)]
    message = f"{folder}: the assets folder is a symbolic link; refusing to follow it"
    assert f"error: {message}" in reported[0]
    assert html.escape(message) in body
    assert not (out / "assets" / picture.name).exists()
    assert (elsewhere / picture.name).exists()
