"""``storyboard mv OLD NEW``: move a story with its snapshot file and assets folder.

The three are found by the story's name (``workspace``), so a story renamed alone is
cut off from its snapshots. ``mv`` moves all three, never over an existing file, also
to another folder or filesystem: archived pictures are named relative to the assets
folder, so the snapshot file needs no change. When the story was already moved by
hand (OLD gone, NEW there), it brings the snapshot file and assets folder along.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from pathlib import Path

from storyboard.commands.feedback import Note, Outcome
from storyboard.errors import StoryboardError, UsageError, WriteError
from storyboard.fsio import lock_path_for, locked
from storyboard.storyfile.loader import load_story
from storyboard.workspace import Workspace

_STORY_SUFFIXES = (".yaml", ".yml")


def move_story(old: Path, new: Path) -> Outcome:
    """Move story ``old`` to ``new`` (a file name, or a folder to move it into)."""
    new, moves = _plan(old, new)
    source, target = Workspace(old), Workspace(new)
    # Each file's lock, so no command writes one of them while it moves.
    with contextlib.ExitStack() as held:
        for path in (old, source.snapshot_path, new, target.snapshot_path):
            held.enter_context(locked(path))
        for _, there in moves:
            if there.exists() or there.is_symlink():
                raise UsageError(f"{there}: already exists; not overwriting it (nothing moved)")
        for here, there in moves:
            _move(here, there)
    for path in (old, source.snapshot_path):  # the old names' locks guard nothing now
        with contextlib.suppress(OSError):
            lock_path_for(path).unlink()
    lines = [f"{here} -> {there}" for here, there in moves]
    return Outcome(lines=lines, notes=_theme_notes(old, new))


def _plan(old: Path, new: Path) -> tuple[Path, list[tuple[Path, Path]]]:
    """Return the story's new name and what moves where, story first; refuse what cannot be.

    The story goes first: a move cut short leaves the story under its new name with its
    snapshots under the old one, which ``check`` notices and ``mv`` finishes.
    """
    if new.is_dir():
        new = new / old.name
    if new.suffix not in _STORY_SUFFIXES:
        raise UsageError(f"{new}: a story file's name ends in .yaml or .yml")
    if not new.parent.is_dir():
        raise UsageError(f"{new.parent}: no such folder")
    adopting = not old.exists() and new.exists()
    if not old.exists() and not adopting:
        raise UsageError(f"{old}: no such story file")
    if old.exists() and new.exists() and old.samefile(new):
        raise UsageError(f"{old} and {new} are the same file")
    source, target = Workspace(old), Workspace(new)
    moves = [] if adopting else [(old, new)]
    for here, there in (
        (source.snapshot_path, target.snapshot_path),
        (source.assets_dir, target.assets_dir),
    ):
        if here.exists() or here.is_symlink():
            moves.append((here, there))
    if adopting and not moves:
        raise UsageError(f"{old}: no such story file, and no snapshots of it to move")
    return new, moves


def _is_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _move(here: Path, there: Path) -> None:
    """Move a file or folder to a name that does not exist, across filesystems too."""
    try:
        if _is_folder(here):
            here.rename(there)  # ``there`` was checked not to exist, under the lock
        else:
            # A hard link never replaces a file: the check and the move are one step.
            os.link(here, there, follow_symlinks=False)
            here.unlink()
    except FileExistsError:
        raise UsageError(f"{there}: already exists; not overwriting it") from None
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP):
            raise WriteError.from_os_error(exc, there) from exc
        _copy_then_remove(here, there)


def _copy_then_remove(here: Path, there: Path) -> None:
    """Move across filesystems: copy beside the target under a temporary name, rename, delete."""
    temporary = there.with_name(f".{there.name}.{secrets.token_hex(6)}.tmp")
    try:
        if _is_folder(here):
            shutil.copytree(here, temporary, symlinks=True)
            temporary.rename(there)
        else:
            shutil.copy2(here, temporary, follow_symlinks=False)
            os.link(temporary, there, follow_symlinks=False)  # never over an existing file
    except OSError as exc:
        raise WriteError.from_os_error(exc, there) from exc
    finally:
        if _is_folder(temporary):
            shutil.rmtree(temporary, ignore_errors=True)
        else:
            temporary.unlink(missing_ok=True)
    if _is_folder(here):
        shutil.rmtree(here)
    else:
        here.unlink()


def _theme_notes(old: Path, new: Path) -> list[Note]:
    """Warn when the story's ``options.theme`` folder is not found from its new place."""
    try:
        story = load_story(new).story
    except StoryboardError:
        return []  # a broken story is moved as it is; check tells what is wrong
    theme = story.options.theme
    if not theme or Path(theme).is_absolute() or old.parent.resolve() == new.parent.resolve():
        return []
    if (new.parent / theme).is_dir():
        return []
    return [
        Note(
            f"{new}: options.theme: {theme} is relative to the story's folder and is not "
            "found from its new place; move the theme too, or change options.theme",
            "warning",
        )
    ]
