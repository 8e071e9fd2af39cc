"""Telling an image's type from its first bytes."""

from __future__ import annotations

import pytest

from storyboard.extract.image_types import AVIF, GIF, JPEG, PNG, WEBP, ImageType, sniff_image_type


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", JPEG),
        (b"\xff\xd8\xff\xe1\x00\x10Exif", JPEG),
        (b"\x89PNG\r\n\x1a\n\x00", PNG),
        (b"GIF87a....", GIF),
        (b"GIF89a....", GIF),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", WEBP),
        (b"\x00\x00\x00\x18ftypavif", AVIF),
        (b"\x00\x00\x00\x20ftypavis", AVIF),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b"\x00\x00\x00\x18ftypheic", None),
        (b"\x89PNG\r\n", None),  # cut short: not the whole signature
        (b"GIF88a", None),
        (b"<svg", None),
        (b"", None),
    ],
)
def test_sniff_image_type(head: bytes, expected: ImageType | None) -> None:
    assert sniff_image_type(head) is expected


def test_types_carry_their_names() -> None:
    assert (JPEG.mime, JPEG.extension, JPEG.pillow) == ("image/jpeg", "jpg", "JPEG")
    assert (AVIF.mime, AVIF.extension) == ("image/avif", "avif")
