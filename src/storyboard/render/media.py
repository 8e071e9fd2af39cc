"""Archived media on the page: where an image's ``src`` points, and which files to ship."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from storyboard.extract.image_types import sniff_image_type
from storyboard.model.card import MediaAsset

AssetsMode = Literal["copy", "inline", "url"]

#: Folder inside the output directory that receives copied media.
ASSETS_FOLDER = "assets"


def is_plain_file_name(name: str) -> bool:
    """Tell whether ``name`` is one file inside the assets folder (no path, not hidden)."""
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")


class AssetLinker:
    """Turn archived media into image addresses, remembering which files were used."""

    def __init__(self, assets_dir: Path, mode: AssetsMode, asset_url: str | None = None) -> None:
        """Serve files of ``assets_dir`` by copying, inlining or linking to ``asset_url``."""
        if mode == "url" and not asset_url:
            raise ValueError("assets mode 'url' needs an asset_url")
        self.assets_dir = assets_dir
        self.mode = mode
        self.asset_url = (asset_url or "").rstrip("/")
        self._used: dict[str, None] = {}

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
