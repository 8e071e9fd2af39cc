"""Writing outputs atomically: a reader never sees a half-written page."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path

from storyboard.errors import OutputWriteError
from storyboard.render.media import ASSETS_FOLDER


def _replace_from_temp(target: Path, write: str | bytes | Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # Not tempfile.mkstemp: its files are private (0600), and a web server must read ours.
    temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        with temp.open("xb") as handle:
            if isinstance(write, Path):
                with write.open("rb") as source:
                    shutil.copyfileobj(source, handle)
            else:
                handle.write(write.encode("utf-8") if isinstance(write, str) else write)
        temp.replace(target)  # atomic on POSIX and Windows (os.replace)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_text_atomic(target: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` through a temporary file and a rename."""
    try:
        _replace_from_temp(target, text)
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
                _replace_from_temp(target, source)
        except OSError as exc:
            raise OutputWriteError(
                f"cannot copy {source} to {target}: {exc.strerror or exc}"
            ) from exc
        written.append(target)
    return written
