"""Archive a card's images into ``STORY.assets/``: checked, bounded, content-addressed.

A thumbnail that lives only on a platform's CDN dies with the post; a local copy keeps
the card whole. Bytes are trusted only after their magic number and Pillow agree on
the type; images wider than the page needs are scaled down once, here.
"""

from __future__ import annotations

import hashlib
import io
import math
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from storyboard.errors import FetchError, WriteError
from storyboard.extract.image_types import GIF, JPEG, PNG, WEBP, ImageType, sniff_image_type
from storyboard.fsio import remove_stale_temporaries, write_atomically
from storyboard.model.card import MEDIA_FIELDS, Card, MediaAsset
from storyboard.net import IMAGE_LIMIT

if TYPE_CHECKING:
    from PIL import Image

    from storyboard.net import HttpClient

#: Largest image (in pixels) ever decoded: a 10 MB PNG of one colour can claim
#: gigapixels, and decoding it would take that many bytes of memory.
MAX_PIXELS = 50_000_000


def pillow() -> ModuleType:
    """Return Pillow's ``Image``, imported on first use and set to this module's limits.

    Not at import: a fetch sends its first requests before Pillow is needed (it is
    loaded with the HTML parsers while they are on their way, see the resolver).
    """
    from PIL import Image

    # Pillow's own guard, set to ours so that it refuses before decoding anything. Its
    # warning (between one and two times the limit) is an error here: such an image is
    # refused anyway, and a warning line would only clutter the progress output.
    # Both settings are the same on every call, so two threads may make them at once.
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    warnings.filterwarnings("error", category=Image.DecompressionBombWarning)
    return Image


DEFAULT_MAX_WIDTH = 1600
_JPEG_QUALITY = 85
_WEBP_QUALITY = 85
_HASH_LENGTH = 16
#: Temporary files a killed run may leave in the folder: this writer's, and the
#: ``.tmp-*.part`` downloads of earlier versions.
ASSET_TEMPORARY_PATTERNS = (".*.tmp", ".tmp-*.part")
_ACCEPT = "image/webp, image/png, image/jpeg, image/gif;q=0.9, */*;q=0.1"


#: One image is decoded at a time, whatever the number of workers: a decoded picture
#: takes up to ``MAX_PIXELS`` x 4 bytes, and eight at once would take gigabytes.
_DECODING = threading.Lock()

#: What is archived: the formats every browser shows and Pillow re-encodes.
ARCHIVED_TYPES = frozenset({JPEG, PNG, GIF, WEBP})


@dataclass(frozen=True)
class PreparedImage:
    """Bytes ready to store, with what a page needs to lay them out."""

    data: bytes
    kind: ImageType
    width: int
    height: int


def _displayed_size(image: Image.Image) -> tuple[int, int]:
    # EXIF orientations 5-8 rotate by 90 degrees: browsers show width and height swapped.
    orientation = image.getexif().get(0x0112, 1)
    width, height = image.size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def prepare_image(data: bytes, *, url: str, max_width: int) -> PreparedImage:
    """Check that ``data`` is a sound image and scale it down to ``max_width`` if wider.

    Raises ``FetchError`` for anything else: not an image by its bytes, a type other
    than JPEG/PNG/GIF/WebP, a broken file or one that claims too many pixels.
    """
    kind = sniff_image_type(data)
    if kind not in ARCHIVED_TYPES:
        raise FetchError(f"not an image: {url}", url=url)
    Image = pillow()  # noqa: N806 (the module, under its usual name)
    try:
        return _decode_and_fit(data, kind, url=url, max_width=max_width)
    except FetchError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise FetchError(f"image too large: {url} ({exc})", url=url) from exc
    except Exception as exc:
        # Pillow reports a broken file as OSError, SyntaxError, ValueError, struct.error,
        # IndexError...: whatever it is, one bad thumbnail must not stop a fetch.
        raise FetchError(f"broken image: {url} ({type(exc).__name__}: {exc})", url=url) from exc


def _decode_and_fit(data: bytes, kind: ImageType, *, url: str, max_width: int) -> PreparedImage:
    Image = pillow()  # noqa: N806 (the module, under its usual name)
    with Image.open(io.BytesIO(data), formats=[kind.pillow]) as probe:
        probe.verify()  # checks structure (and CRCs for PNG) without decoding pixels
    with Image.open(io.BytesIO(data), formats=[kind.pillow]) as image:
        if image.width * image.height > MAX_PIXELS:
            raise FetchError(
                f"image too large ({image.width}x{image.height} pixels): {url}", url=url
            )
        width, height = _displayed_size(image)
        if width <= max_width:
            image.load()  # a truncated file fails here, not later in a reader's browser
            return PreparedImage(data, kind, width, height)
        return _downscale(image, kind, max_width, scale=max_width / width)


def _downscale(
    image: Image.Image, kind: ImageType, max_width: int, *, scale: float
) -> PreparedImage:
    if kind is JPEG:
        # Let libjpeg decode at 1/2, 1/4 or 1/8 size when that is still large enough:
        # far less memory and time for a phone photo than decoding it whole.
        image.draft(image.mode, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
    # Only the first frame of an animated GIF or WebP is kept: a card shows a still,
    # and scaling every frame of a large animation costs more than it is worth.
    image.seek(0)
    # exif_transpose copies even an upright image: for a 50-megapixel picture that is
    # another 150 MB, so it runs only when there is something to turn.
    from PIL import Image, ImageOps

    turned = image.getexif().get(0x0112, 1) not in (None, 1)
    upright = ImageOps.exif_transpose(image) if turned else image
    height = max(1, round(upright.height * max_width / upright.width))
    if upright.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = upright.mode in ("P", "PA") and "transparency" in upright.info
        upright = upright.convert("RGBA" if has_alpha or upright.mode == "PA" else "RGB")
    # reducing_gap: shrink by whole factors first (cheap box filter, smaller buffers), then
    # Lanczos for the last step, which is what the result's quality depends on.
    scaled = upright.resize((max_width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    out = io.BytesIO()
    if kind is JPEG:
        if scaled.mode in ("RGBA", "LA"):
            scaled = scaled.convert("RGB")
        scaled.save(out, "JPEG", quality=_JPEG_QUALITY, optimize=True, progressive=True)
    elif kind is PNG:
        scaled.save(out, "PNG", optimize=True)
    elif kind is WEBP:
        scaled.save(out, "WEBP", quality=_WEBP_QUALITY)
    else:
        scaled.save(out, "GIF", optimize=True)
    return PreparedImage(out.getvalue(), kind, scaled.width, scaled.height)


def asset_file_name(data: bytes, kind: ImageType) -> str:
    """Return the content-addressed file name of ``data``: 16 hex digits of its SHA-256."""
    return f"{hashlib.sha256(data).hexdigest()[:_HASH_LENGTH]}.{kind.extension}"


class AssetArchive:
    """Download images into one folder, each under a name derived from its bytes."""

    def __init__(
        self,
        directory: Path,
        client: HttpClient,
        *,
        max_width: int = DEFAULT_MAX_WIDTH,
        max_bytes: int = IMAGE_LIMIT,
    ) -> None:
        if max_width < 1:
            raise ValueError("max_width must be positive")
        self.directory = directory
        self.client = client
        self.max_width = max_width
        self.max_bytes = max_bytes
        # What each picture URL gave in this run: an avatar shared by many posts is
        # downloaded once (see ``archive_once``).
        self._outcomes: dict[str, MediaAsset | FetchError] = {}
        #: One lock per picture URL: workers wanting a picture another is downloading
        #: wait for that download instead of starting their own.
        self._url_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._swept = False  # leftovers of a killed run are removed at the first write

    def archive(self, asset: MediaAsset) -> MediaAsset:
        """Download ``asset.url``, check and store it; return the asset with its local file.

        Raises ``FetchError`` when the download fails or the bytes are not a usable image.
        """
        response = self.client.get(asset.url, max_bytes=self.max_bytes, accept=_ACCEPT)
        with _DECODING:
            prepared = prepare_image(response.content, url=asset.url, max_width=self.max_width)
        name = asset_file_name(prepared.data, prepared.kind)
        self._store(name, prepared.data)
        return asset.model_copy(
            update={
                "path": name,
                "width": prepared.width,
                "height": prepared.height,
                "mime": prepared.kind.mime,
            }
        )

    def archive_once(self, asset: MediaAsset) -> MediaAsset:
        """Like ``archive``, but a URL tried (or being tried) in this run is downloaded once."""
        with self._lock:
            url_lock = self._url_locks.setdefault(asset.url, threading.Lock())
        with url_lock:
            with self._lock:
                outcome = self._outcomes.get(asset.url)
            if outcome is None:
                try:
                    outcome = self.archive(asset)
                except FetchError as exc:
                    outcome = exc
                with self._lock:
                    self._outcomes[asset.url] = outcome
        if isinstance(outcome, FetchError):
            raise outcome
        return asset.model_copy(
            update={
                "path": outcome.path,
                "mime": outcome.mime,
                # Keep the size the source gave when the archive could not read one.
                "width": outcome.width or asset.width,
                "height": outcome.height or asset.height,
            }
        )

    def _store(self, name: str, data: bytes) -> None:
        target = self.directory / name
        if target.is_file() and not target.is_symlink() and target.stat().st_size == len(data):
            return  # same name, same length: the same bytes (the name is their hash)
        with self._lock:
            sweep, self._swept = not self._swept, True
        if sweep and self.directory.is_dir():
            remove_stale_temporaries(self.directory, ASSET_TEMPORARY_PATTERNS)
        # A crash or a concurrent worker never leaves a half-written image under its name.
        write_atomically(target, data, mode=0o644)


@dataclass(frozen=True)
class ArchivedCard:
    """A card with local copies of its pictures, and the pictures that failed."""

    card: Card
    archived: int
    #: (picture URL, why it could not be archived): the card still renders without it.
    failures: list[tuple[str, str]]


def archive_card_media(card: Card, archive: AssetArchive) -> ArchivedCard:
    """Archive the card's pictures that have no local copy yet.

    A picture that cannot be had is reported, not fatal; a folder that cannot be
    written is (``WriteError``), since nothing could be archived at all.
    """
    update: dict[str, MediaAsset] = {}
    failures: list[tuple[str, str]] = []
    for name in MEDIA_FIELDS:
        asset = getattr(card, name)
        if not isinstance(asset, MediaAsset) or asset.path:
            continue
        try:
            update[name] = archive.archive_once(asset)
        except FetchError as exc:
            failures.append((asset.url, " ".join(str(exc).split())))
        except OSError as exc:
            raise WriteError.from_os_error(exc, archive.directory) from exc
    new_card = card.model_copy(update=update) if update else card
    return ArchivedCard(new_card, len(update), failures)
