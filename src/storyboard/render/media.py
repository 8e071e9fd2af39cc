"""Archived media on the page: where an image's ``src`` points, and which files to ship."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from PIL import Image, UnidentifiedImageError

from storyboard.extract.image_types import sniff_image_type
from storyboard.model.card import MediaAsset

AssetsMode = Literal["copy", "inline", "url"]

#: Folder inside the output directory that receives copied media.
ASSETS_FOLDER = "assets"


def is_plain_file_name(name: str) -> bool:
    """Tell whether ``name`` is one file inside the assets folder (no path, not hidden)."""
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")


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
        return path if path.is_file() else None

    def src(self, asset: MediaAsset | None) -> str | None:
        """Return the ``src`` for ``asset``, or None: never the remote original (privacy)."""
        path = self.source_file(asset)
        if asset is None or asset.path is None or path is None:
            return None
        if self.mode == "inline":
            data = path.read_bytes()
            kind = sniff_image_type(data)
            if kind is None:
                return None
            return f"data:{kind.mime};base64,{base64.b64encode(data).decode('ascii')}"
        self._used[asset.path] = None
        if self.mode == "url":
            return f"{self.asset_url}/{quote(asset.path)}"
        return f"{ASSETS_FOLDER}/{quote(asset.path)}"
