"""Archiving images: type checked by bytes, bounded, scaled down, content-addressed."""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pytest_httpserver import HTTPServer

from storyboard.errors import FetchError, ResponseTooLargeError
from storyboard.extract.image_types import GIF, JPEG, PNG, WEBP, ImageType
from storyboard.fetch.assets import AssetArchive, asset_file_name, prepare_image
from storyboard.fetch.resolver import UrlResolver
from storyboard.model.card import MediaAsset
from storyboard.net import FetchSettings, HttpClient
from storyboard.providers import ProviderRegistry

NAME = re.compile(r"^[0-9a-f]{16}\.(jpg|png|gif|webp)$")
FORMATS = [
    pytest.param(JPEG, id="jpeg"),
    pytest.param(PNG, id="png"),
    pytest.param(GIF, id="gif"),
    pytest.param(WEBP, id="webp"),
]


def make_image(kind: ImageType, width: int, height: int, *, exif_orientation: int = 0) -> bytes:
    """Return an image of ``kind`` with a gradient (so scaling and encoding are real work)."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        image.save(out, kind.pillow, exif=exif.tobytes())
    else:
        image.save(out, kind.pillow)
    return out.getvalue()


def decode(path: Path) -> tuple[str | None, tuple[int, int]]:
    """Return the Pillow format and size of a stored file."""
    with Image.open(path) as image:
        return image.format, image.size


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http = HttpClient(FetchSettings(allow_private_network=True))
    yield http
    http.close()


@pytest.fixture
def assets_dir(tmp_path: Path) -> Path:
    return tmp_path / "story.assets"


@pytest.fixture
def archive(assets_dir: Path, client: HttpClient) -> AssetArchive:
    return AssetArchive(assets_dir, client)


def serve(server: HTTPServer, path: str, body: bytes, content_type: str = "image/png") -> str:
    """Serve ``body`` at ``path`` and return its URL."""
    server.expect_request(path).respond_with_data(body, content_type=content_type)
    return server.url_for(path)


def stored_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


# -- the four accepted formats ----------------------------------------------------------


@pytest.mark.parametrize("kind", FORMATS)
def test_small_image_is_stored_as_received(
    kind: ImageType, archive: AssetArchive, assets_dir: Path, httpserver: HTTPServer
) -> None:
    body = make_image(kind, 400, 300)
    url = serve(httpserver, f"/thumb.{kind.extension}", body, kind.mime)
    asset = archive.archive(MediaAsset(url=url))
    assert asset.url == url
    assert asset.path is not None
    assert NAME.match(asset.path)
    assert asset.path.endswith("." + kind.extension)
    assert (asset.width, asset.height, asset.mime) == (400, 300, kind.mime)
    assert (assets_dir / asset.path).read_bytes() == body
    assert asset.path == asset_file_name(body, kind)


@pytest.mark.parametrize("kind", FORMATS)
def test_wide_image_is_scaled_down_to_1600(
    kind: ImageType, archive: AssetArchive, assets_dir: Path, httpserver: HTTPServer
) -> None:
    url = serve(httpserver, "/wide", make_image(kind, 3000, 1500), kind.mime)
    asset = archive.archive(MediaAsset(url=url, width=3000, height=1500))
    assert (asset.width, asset.height) == (1600, 800)
    assert asset.path is not None
    assert asset.path.endswith("." + kind.extension)
    assert decode(assets_dir / asset.path) == (kind.pillow, (1600, 800))


def test_large_photo_is_decoded_at_reduced_size_and_scaled_exactly(
    archive: AssetArchive, assets_dir: Path, httpserver: HTTPServer
) -> None:
    url = serve(httpserver, "/photo.jpg", make_image(JPEG, 4000, 3000), "image/jpeg")
    asset = archive.archive(MediaAsset(url=url))
    assert (asset.width, asset.height) == (1600, 1200)
    assert asset.path is not None
    assert decode(assets_dir / asset.path) == ("JPEG", (1600, 1200))


def test_max_width_is_configurable(
    assets_dir: Path, client: HttpClient, httpserver: HTTPServer
) -> None:
    url = serve(httpserver, "/a.png", make_image(PNG, 1000, 501))
    asset = AssetArchive(assets_dir, client, max_width=200).archive(MediaAsset(url=url))
    assert (asset.width, asset.height) == (200, 100)


def test_animated_gif_wider_than_the_page_keeps_its_first_frame(
    archive: AssetArchive, assets_dir: Path, httpserver: HTTPServer
) -> None:
    frames = [Image.new("RGB", (2000, 1000), colour) for colour in ("red", "blue", "green")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    url = serve(httpserver, "/anim.gif", out.getvalue(), "image/gif")
    asset = archive.archive(MediaAsset(url=url))
    assert asset.path is not None
    with Image.open(assets_dir / asset.path) as stored:
        assert stored.format == "GIF"
        assert stored.size == (1600, 800)
        assert getattr(stored, "n_frames", 1) == 1
        assert stored.convert("RGB").getpixel((10, 10)) == (255, 0, 0)


def test_exif_rotation_gives_displayed_size(
    archive: AssetArchive, assets_dir: Path, httpserver: HTTPServer
) -> None:
    # Orientation 6: stored 300x200, shown (by browsers) as 200x300.
    small = serve(httpserver, "/small.jpg", make_image(JPEG, 300, 200, exif_orientation=6))
    rotated = archive.archive(MediaAsset(url=small))
    assert (rotated.width, rotated.height) == (200, 300)
    # A large rotated photo is turned upright, then scaled to the page width.
    large = serve(httpserver, "/large.jpg", make_image(JPEG, 3000, 2000, exif_orientation=6))
    asset = archive.archive(MediaAsset(url=large))
    assert (asset.width, asset.height) == (1600, 2400)
    assert asset.path is not None
    assert decode(assets_dir / asset.path) == ("JPEG", (1600, 2400))


def test_type_is_read_from_bytes_not_from_the_header(
    archive: AssetArchive, httpserver: HTTPServer
) -> None:
    url = serve(httpserver, "/mislabelled", make_image(PNG, 10, 10), "text/plain")
    asset = archive.archive(MediaAsset(url=url))
    assert asset.mime == "image/png"
    assert asset.path is not None
    assert asset.path.endswith(".png")


# -- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(
            b"<!doctype html><html><body>Consent wall</body></html>", "text/html", id="html"
        ),
        pytest.param(b"<html>lying</html>", "image/png", id="html-labelled-png"),
        pytest.param(
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "image/svg+xml",
            id="svg",
        ),
        pytest.param(b"BM" + b"\x00" * 60, "image/bmp", id="bmp"),
        pytest.param(b"", "image/png", id="empty"),
    ],
)
def test_not_an_image_is_refused(
    body: bytes,
    content_type: str,
    archive: AssetArchive,
    assets_dir: Path,
    httpserver: HTTPServer,
) -> None:
    url = serve(httpserver, "/thumb", body, content_type)
    with pytest.raises(FetchError, match=f"^not an image: {re.escape(url)}$") as info:
        archive.archive(MediaAsset(url=url))
    assert info.value.url == url
    assert stored_files(assets_dir) == []


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("width", [200, 2000], ids=["kept", "scaled"])
def test_broken_image_is_refused(
    kind: ImageType,
    width: int,
    archive: AssetArchive,
    assets_dir: Path,
    httpserver: HTTPServer,
) -> None:
    body = make_image(kind, width, 200)
    url = serve(httpserver, "/broken", body[: len(body) // 2], kind.mime)
    with pytest.raises(FetchError, match=r"^broken image: "):
        archive.archive(MediaAsset(url=url))
    assert stored_files(assets_dir) == []


def test_magic_without_a_real_image_is_refused() -> None:
    with pytest.raises(FetchError, match=r"^broken image: https://img\.example/x"):
        prepare_image(
            b"\xff\xd8\xff" + b"garbage" * 10, url="https://img.example/x", max_width=1600
        )


def test_oversize_download_is_refused(
    assets_dir: Path, client: HttpClient, httpserver: HTTPServer
) -> None:
    url = serve(httpserver, "/big.png", make_image(PNG, 600, 600))
    small_cap = AssetArchive(assets_dir, client, max_bytes=1000)
    with pytest.raises(ResponseTooLargeError):
        small_cap.archive(MediaAsset(url=url))
    assert stored_files(assets_dir) == []


@pytest.mark.parametrize("side", [8_000, 12_000], ids=["warning-zone", "error-zone"])
def test_decompression_bomb_is_refused(side: int) -> None:
    # A one-colour PNG compresses to almost nothing but claims side*side pixels.
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")
    assert len(out.getvalue()) < 100_000
    with pytest.raises(FetchError, match=r"^image too large"):
        prepare_image(out.getvalue(), url="https://img.example/bomb.png", max_width=1600)


def test_http_error_is_a_fetch_error(archive: AssetArchive, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone.jpg").respond_with_data("gone", status=404)
    with pytest.raises(FetchError) as info:
        archive.archive(MediaAsset(url=httpserver.url_for("/gone.jpg")))
    assert info.value.status == 404


# -- content addressing ------------------------------------------------------------------


def test_same_bytes_same_file_and_no_rewrite(
    archive: AssetArchive, assets_dir: Path, httpserver: HTTPServer
) -> None:
    body = make_image(JPEG, 300, 200)
    first = archive.archive(MediaAsset(url=serve(httpserver, "/a.jpg", body, "image/jpeg")))
    assert first.path is not None
    stored = assets_dir / first.path
    os.utime(stored, ns=(1_000_000_000, 1_000_000_000))
    second = archive.archive(MediaAsset(url=serve(httpserver, "/b.jpg", body, "image/jpeg")))
    assert second.path == first.path
    assert stored.stat().st_mtime_ns == 1_000_000_000
    assert stored_files(assets_dir) == [first.path]


def test_scaling_is_deterministic(
    archive: AssetArchive, assets_dir: Path, httpserver: HTTPServer
) -> None:
    body = make_image(PNG, 2400, 1200)
    first = archive.archive(MediaAsset(url=serve(httpserver, "/1.png", body)))
    second = archive.archive(MediaAsset(url=serve(httpserver, "/2.png", body)))
    assert first.path == second.path
    assert stored_files(assets_dir) == [first.path]


def test_different_bytes_different_files(
    archive: AssetArchive, assets_dir: Path, httpserver: HTTPServer
) -> None:
    a = archive.archive(MediaAsset(url=serve(httpserver, "/a.png", make_image(PNG, 10, 10))))
    b = archive.archive(MediaAsset(url=serve(httpserver, "/b.png", make_image(PNG, 11, 10))))
    assert a.path != b.path
    assert stored_files(assets_dir) == sorted([a.path or "", b.path or ""])


def test_directory_is_created_on_demand_and_left_clean(
    tmp_path: Path, client: HttpClient, httpserver: HTTPServer
) -> None:
    directory = tmp_path / "nested" / "story.assets"
    archive = AssetArchive(directory, client)
    asset = archive.archive(MediaAsset(url=serve(httpserver, "/a.png", make_image(PNG, 5, 5))))
    assert stored_files(directory) == [asset.path]  # no temporary file left behind


def test_a_damaged_file_under_the_right_name_is_replaced(
    archive: AssetArchive, assets_dir: Path, httpserver: HTTPServer
) -> None:
    body = make_image(PNG, 20, 20)
    name = asset_file_name(body, PNG)
    assets_dir.mkdir()
    (assets_dir / name).write_bytes(body[:10])  # a copy cut short by an older crash
    archive.archive(MediaAsset(url=serve(httpserver, "/a.png", body)))
    assert (assets_dir / name).read_bytes() == body


# -- types not archived ------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [b"\x00\x00\x00\x18ftypavif\x00\x00", b"RIFF\x24\x00\x00\x00WAVEfmt ", b"<svg"],
    ids=["avif", "wave", "svg"],
)
def test_types_other_than_jpeg_png_gif_webp_are_not_archived(head: bytes) -> None:
    with pytest.raises(FetchError, match="not an image"):
        prepare_image(head + bytes(64), url="https://cdn.example/x", max_width=1600)


def test_max_width_must_be_positive(assets_dir: Path, client: HttpClient) -> None:
    with pytest.raises(ValueError, match="max_width"):
        AssetArchive(assets_dir, client, max_width=0)


# -- what the resolver hands back -------------------------------------------------------


def test_resolver_returns_the_pictures_it_could_not_archive(
    archive: AssetArchive, client: HttpClient, httpserver: HTTPServer
) -> None:
    photo = serve(httpserver, "/photo.png", make_image(PNG, 40, 30))
    broken = httpserver.url_for("/gone.png")
    httpserver.expect_request("/gone.png").respond_with_data("gone", status=404)
    page = (
        f'<html><head><meta property="og:title" content="A page">'
        f'<meta property="og:image" content="{broken}"></head></html>'
    )
    httpserver.expect_request("/page").respond_with_data(page, content_type="text/html")
    resolver = UrlResolver(registry=ProviderRegistry([]), client=client, archive=archive)

    found = resolver.resolve(httpserver.url_for("/page"))
    assert found.snapshot.card is not None
    assert found.snapshot.card.image is not None
    assert found.snapshot.card.image.url == broken  # kept remote, the card still renders
    assert found.snapshot.card.image.path is None
    assert len(found.unarchived) == 1
    assert "404 Not Found" in found.unarchived[0]

    fine = resolver.resolve(photo)  # an image URL is a photo card, archived
    assert fine.unarchived == ()
    assert fine.snapshot.card is not None
    assert fine.snapshot.card.image is not None
    assert fine.snapshot.card.image.path is not None


def test_the_first_write_sweeps_temporaries_of_a_killed_run(
    archive: AssetArchive, assets_dir: Path, httpserver: HTTPServer
) -> None:
    assets_dir.mkdir()
    old_part = assets_dir / ".tmp-k2j4.part"  # a download of an earlier storyboard
    old_tmp = assets_dir / ".0123456789abcdef.jpg.4f2a.tmp"
    young = assets_dir / ".tmp-live.part"
    for leftover in (old_part, old_tmp, young):
        leftover.write_bytes(b"\xff\xd8 half an image")
    an_hour_ago = time.time() - 3600
    for leftover in (old_part, old_tmp):
        os.utime(leftover, (an_hour_ago, an_hour_ago))
    stored = archive.archive(MediaAsset(url=serve(httpserver, "/a.png", make_image(PNG, 40, 30))))
    assert stored.path is not None
    assert stored_files(assets_dir) == sorted([stored.path, young.name])
