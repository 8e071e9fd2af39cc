"""Archived media on the page: where an image's ``src`` points, and which files to ship.

However many cards show one picture, an output carries it once: HTML outputs define an
inlined picture as one CSS class (``shared_picture``), ``story.json`` lists each picture
once in its table of pictures (``output_picture``).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from PIL import Image, UnidentifiedImageError

from storyboard.errors import RenderError
from storyboard.extract.image_types import ImageType, sniff_image_type
from storyboard.model.card import MediaAsset

AssetsMode = Literal["copy", "inline", "url"]

#: Folder inside the output directory that receives copied media.
ASSETS_FOLDER = "assets"


def is_plain_file_name(name: str) -> bool:
    """Tell whether ``name`` is one file inside the assets folder (no path, not hidden)."""
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")


#: Enough bytes to recognise every archived image type by its magic number.
_SNIFF_BYTES = 64


def is_archived_picture(path: Path) -> bool:
    """Tell whether ``path`` is a regular file (not a link) that holds a picture."""
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return False
        with path.open("rb") as handle:
            return sniff_image_type(handle.read(_SNIFF_BYTES)) is not None
    except OSError:
        return False


def read_archived_file(assets_dir: Path, name: str) -> tuple[bytes, ImageType]:
    """Return the bytes and type of the archived picture ``name``, checked as fetch checks them.

    An archived file is a regular file in the assets folder holding an image: a symbolic
    link (a committed ``a.png`` pointing at ``~/.ssh/id_rsa``) or anything that is not a
    picture by its bytes would publish whatever it points at. ``RenderError`` names it.
    """
    path = assets_dir / name
    if not is_plain_file_name(name):
        raise RenderError(f"{path}: not a file name inside the assets folder; refusing it")
    try:
        # O_NOFOLLOW: the check and the read are of the same file, never a link's target.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if path.is_symlink():
            raise RenderError(
                f"{path}: a symbolic link, not an archived picture; refusing to publish it "
                "(delete it and run storyboard fetch)"
            ) from exc
        raise RenderError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise RenderError(f"{path}: not a regular file; refusing to publish it")
        with os.fdopen(os.dup(fd), "rb") as file:
            data = file.read()
    finally:
        os.close(fd)
    kind = sniff_image_type(data)
    if kind is None:
        raise RenderError(
            f"{path}: not a picture by its bytes; refusing to publish it "
            "(delete it and run storyboard fetch)"
        )
    return data, kind


@dataclass(frozen=True)
class SharedPicture:
    """A picture inlined once per output, shown wherever its class is used.

    The class name comes from the file's (content-addressed) name, so two fragments pasted
    into one post that define the same class define it with the same picture.
    """

    css_class: str
    data_uri: str
    width: int
    height: int


#: Hex digits of a picture's SHA-256 that name it in an output's table of pictures.
PICTURE_KEY_LENGTH = 16


def picture_key(data: bytes) -> str:
    """Return the name of a picture in an output's table: the start of its bytes' SHA-256."""
    return hashlib.sha256(data).hexdigest()[:PICTURE_KEY_LENGTH]


@dataclass(frozen=True)
class OutputPicture:
    """A picture as one output ships it, listed once however many items show it."""

    #: The start of the SHA-256 of its bytes: equal pictures get one entry.
    key: str
    #: Where the output's copy is: ``assets/NAME``, the asset URL's, or a ``data:`` URI.
    src: str
    mime: str
    width: int | None
    height: int | None


def _pixel_size(data: bytes) -> tuple[int | None, int | None]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return None, None  # the size is a courtesy; the picture itself was checked
    return width, height


class AssetLinker:
    """Turn archived media into image addresses, remembering which files were used."""

    def __init__(
        self,
        assets_dir: Path,
        mode: AssetsMode,
        asset_url: str | None = None,
        *,
        share_inline: bool = False,
    ) -> None:
        """Serve files of ``assets_dir`` by copying, inlining or linking to ``asset_url``.

        ``share_inline`` (HTML outputs with a ``<style>``): an inlined picture is encoded
        once, as a CSS rule, however many cards show it (see ``shared_picture``).
        """
        if mode == "url" and not asset_url:
            raise ValueError("assets mode 'url' needs an asset_url")
        self.assets_dir = assets_dir
        self.mode = mode
        self.asset_url = (asset_url or "").rstrip("/")
        self.share_inline = share_inline and mode == "inline"
        self._used: dict[str, None] = {}
        self._shared: dict[str, SharedPicture] = {}
        # Two tables: by archived file name (read each file once), by content (list once).
        self._pictures_by_path: dict[str, OutputPicture] = {}
        self._pictures: dict[str, OutputPicture] = {}

    @property
    def output_pictures(self) -> list[OutputPicture]:
        """Return the pictures ``output_picture`` handed out, each once, in first-use order."""
        return list(self._pictures.values())

    def output_picture(self, asset: MediaAsset | None) -> OutputPicture | None:
        """Return ``asset`` as an entry of the output's table of pictures, None without a file.

        The file is read once per output, however many items show it; in ``inline`` mode
        its ``data:`` URI is made once too.
        """
        if self.source_file(asset) is None or asset is None or asset.path is None:
            return None
        known = self._pictures_by_path.get(asset.path)
        if known is not None:
            return known
        data, kind = read_archived_file(self.assets_dir, asset.path)
        key = picture_key(data)
        picture = self._pictures.get(key)
        if picture is None:
            src = self._encoded(data, kind) if self.mode == "inline" else self.src(asset)
            assert src is not None  # the file is there: src() has an address for it
            picture = OutputPicture(key, src, kind.mime, *_pixel_size(data))
            self._pictures[key] = picture
        self._pictures_by_path[asset.path] = picture
        return picture

    @property
    def shared_pictures(self) -> list[SharedPicture]:
        """Return the pictures ``shared_picture`` handed out, each once, in first-use order."""
        return list(self._shared.values())

    def shared_picture(self, asset: MediaAsset | None) -> SharedPicture | None:
        """Return ``asset`` as a picture defined once per output, or None if it has no file."""
        path = self.source_file(asset)
        if asset is None or asset.path is None or path is None:
            return None
        if asset.path in self._shared:
            return self._shared[asset.path]
        data_uri = self.src(asset)
        if data_uri is None:
            return None
        try:
            with Image.open(path) as image:
                width, height = image.size
        except (OSError, UnidentifiedImageError):
            return None
        digest = hashlib.sha256(asset.path.encode("utf-8")).hexdigest()[:12]
        picture = SharedPicture(f"sb-pic-{digest}", data_uri, width, height)
        self._shared[asset.path] = picture
        return picture

    @property
    def used(self) -> list[str]:
        """Return the file names that an output referred to, in first-use order."""
        return list(self._used)

    def source_file(self, asset: MediaAsset | None) -> Path | None:
        """Return the local archived file of ``asset``, None if it was never archived."""
        if asset is None or asset.path is None or not is_plain_file_name(asset.path):
            return None
        path = self.assets_dir / asset.path
        # A link, a folder or a damaged file is left out like a missing one (render warns
        # about each); it is checked again as it is read, in case it changes meanwhile.
        return path if is_archived_picture(path) else None

    def src(self, asset: MediaAsset | None) -> str | None:
        """Return the ``src`` for ``asset``, or None: never the remote original (privacy)."""
        path = self.source_file(asset)
        if asset is None or asset.path is None or path is None:
            return None
        if self.mode == "inline":
            return self._encoded(*read_archived_file(self.assets_dir, asset.path))
        self._used[asset.path] = None
        if self.mode == "url":
            return f"{self.asset_url}/{quote(asset.path)}"
        return f"{ASSETS_FOLDER}/{quote(asset.path)}"

    @staticmethod
    def _encoded(data: bytes, kind: ImageType) -> str:
        return f"data:{kind.mime};base64,{base64.b64encode(data).decode('ascii')}"
