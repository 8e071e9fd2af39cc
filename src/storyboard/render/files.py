"""Writing outputs atomically: a reader never sees a half-written page."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from storyboard.errors import OutputWriteError
from storyboard.fsio import write_atomically
from storyboard.render.media import ASSETS_FOLDER


def write_text_atomic(target: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` through a temporary file and a rename."""
    try:
        write_atomically(target, text.encode("utf-8"))
    except OSError as exc:
        raise OutputWriteError.from_os_error(exc, target) from exc
    return target


def copy_assets(names: Iterable[str], assets_dir: Path, output_dir: Path) -> list[Path]:
    """Copy the named archived files into ``output_dir/assets/``; return the files written."""
    written = []
    folder = output_dir / ASSETS_FOLDER
    for name in names:
        source, target = assets_dir / name, folder / name
        try:
            # Names are content-addressed: a file already there with that name is the same file.
            if not (target.is_file() and target.stat().st_size == source.stat().st_size):
                write_atomically(target, source)
        except OSError as exc:
            raise OutputWriteError(
                f"cannot copy {source} to {target}: {exc.strerror or exc}"
            ) from exc
        written.append(target)
    return written
