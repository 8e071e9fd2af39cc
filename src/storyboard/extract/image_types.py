"""Image types told by their first bytes: a file name or a Content-Type can lie."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImageType:
    """One raster image format: its Pillow format name, MIME type and file extension."""

    pillow: str
    mime: str
    extension: str


JPEG = ImageType("JPEG", "image/jpeg", "jpg")
PNG = ImageType("PNG", "image/png", "png")
GIF = ImageType("GIF", "image/gif", "gif")
WEBP = ImageType("WEBP", "image/webp", "webp")
AVIF = ImageType("AVIF", "image/avif", "avif")

_PREFIXES: tuple[tuple[bytes, ImageType], ...] = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
)


def sniff_image_type(data: bytes) -> ImageType | None:
    """Return the image type the bytes' magic number names, or None if not a known raster."""
    for prefix, kind in _PREFIXES:
        if data.startswith(prefix):
            return kind
    # RIFF is a container (WAVE, AVI too); only its WEBP form is an image.
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    # An ISO-BMFF box: size (4 bytes), then "ftyp" and the brand; avis is an AVIF sequence.
    if data[4:12] in (b"ftypavif", b"ftypavis"):
        return AVIF
    return None
