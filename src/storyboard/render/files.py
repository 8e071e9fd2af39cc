"""Writing outputs atomically: a reader never sees a half-written page.

A long output is written as it is made (``replacing_with_text``): the template engine's
pieces go to the temporary file as they come, so the whole text is never in memory,
and the rename still makes the new file appear whole or not at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from storyboard.errors import OutputWriteError
from storyboard.fsio import replacing, write_atomically
from storyboard.render.media import ASSETS_FOLDER, read_archived_file

#: Characters gathered before they are encoded and written: few writes, little memory.
_WRITE_BATCH = 64 * 1024


def utf8_batches(pieces: Iterable[str]) -> Iterator[bytes]:
    """Yield ``pieces`` as UTF-8, joined into batches of about ``_WRITE_BATCH`` characters."""
    batch: list[str] = []
    length = 0
    for piece in pieces:
        batch.append(piece)
        length += len(piece)
        if length >= _WRITE_BATCH:
            yield "".join(batch).encode("utf-8")
            batch, length = [], 0
    if batch:
        yield "".join(batch).encode("utf-8")


def write_text_atomic(target: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` through a temporary file and a rename."""
    try:
        write_atomically(target, text.encode("utf-8"))
    except OSError as exc:
        raise OutputWriteError.from_os_error(exc, target) from exc
    return target


@contextlib.contextmanager
def replacing_with_text(target: Path, pieces: Iterable[str]) -> Iterator[Path]:
    """Write ``pieces`` (UTF-8) to a temporary file; after the block, rename it to ``target``.

    The block writes what the text refers to (copied pictures) before ``target`` appears;
    a failure anywhere (a broken template, a full disk) leaves the old ``target`` intact.
    """
    try:
        with replacing(target, utf8_batches(pieces)):
            yield target
    except OSError as exc:
        raise OutputWriteError.from_os_error(exc, target) from exc


def copy_assets(names: Iterable[str], assets_dir: Path, output_dir: Path) -> list[Path]:
    """Copy the named archived files into ``output_dir/assets/``; return the files written.

    Each is checked first (``read_archived_file``): a link or a non-picture is refused.
    """
    written = []
    folder = output_dir / ASSETS_FOLDER
    for name in names:
        source, target = assets_dir / name, folder / name
        data, _ = read_archived_file(assets_dir, name)
        try:
            # Names are content-addressed: a file already there with that name is the same file.
            fresh = target.is_file() and not target.is_symlink()
            if not (fresh and target.stat().st_size == len(data)):
                write_atomically(target, data)
        except OSError as exc:
            raise OutputWriteError(
                f"cannot copy {source} to {target}: {exc.strerror or exc}"
            ) from exc
        written.append(target)
    return written
