"""Atomic writes, bounded reads and the sweep of temporaries left by a killed writer."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storyboard.errors import UsageError
from storyboard.fsio import (
    STALE_TEMPORARY_SECONDS,
    FileTooLargeError,
    read_bounded,
    remove_stale_temporaries,
    temporary_pattern,
    write_atomically,
    write_new_file,
)

# Copies a FIFO into the target: the writer blocks mid-write until the test feeds it.
_WRITER = """
import sys
from pathlib import Path
from storyboard.fsio import write_atomically
write_atomically(Path(sys.argv[1]), Path(sys.argv[2]))
"""


HALF = b"<p>half of the new page</p>\n" * 150_000


def _temporaries(folder: Path, target: Path) -> list[Path]:
    return sorted(folder.glob(temporary_pattern(target)))


def test_a_writer_killed_mid_write_leaves_the_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    target.write_bytes(b"old page")
    fifo = tmp_path / "source.fifo"
    os.mkfifo(fifo)
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(target), str(fifo)])
    try:
        with fifo.open("wb") as feed:
            feed.write(HALF)  # more than the copy's buffer: some of it reaches the temp file
            feed.flush()
            deadline = time.monotonic() + 20
            while not any(p.stat().st_size for p in _temporaries(tmp_path, target)):
                assert time.monotonic() < deadline, "the writer never started its temp file"
                time.sleep(0.02)
            writer.kill()
            writer.wait()
    finally:
        writer.kill()
    assert target.read_bytes() == b"old page"
    leftovers = _temporaries(tmp_path, target)
    assert len(leftovers) == 1
    assert HALF.startswith(leftovers[0].read_bytes())


def test_a_write_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "s.snapshots.json"
    write_atomically(target, b"one")
    write_atomically(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["s.snapshots.json"]


def test_a_failed_write_removes_its_temporary_and_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "copy.jpg"
    target.write_bytes(b"old")
    with pytest.raises(FileNotFoundError):
        write_atomically(target, tmp_path / "no-such-source.jpg")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.jpg"]


def test_a_write_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "story.yaml"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomically(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_new_file_gets_the_mode_of_a_plain_write_or_the_one_asked(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_atomically(tmp_path / "page.html", b"<p>")
        write_atomically(tmp_path / "image.jpg", b"jpg", mode=0o600)
    finally:
        os.umask(umask)
    # not mkstemp's private 0600: a web server must be able to read a rendered page
    assert stat.S_IMODE((tmp_path / "page.html").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "image.jpg").stat().st_mode) == 0o600


def test_write_new_file_never_replaces_a_file(tmp_path: Path) -> None:
    target = tmp_path / "story.yaml"
    write_new_file(target, b"title: New\n")
    assert target.read_bytes() == b"title: New\n"
    with pytest.raises(UsageError, match="already exists; not overwriting it"):
        write_new_file(target, b"title: Other\n")
    assert target.read_bytes() == b"title: New\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["story.yaml"]


def test_read_bounded_accepts_the_cap_and_refuses_one_byte_more(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(b"x" * 10)
    assert read_bounded(path, 10) == b"x" * 10
    with pytest.raises(FileTooLargeError, match=r"export\.json: larger than 9 bytes"):
        read_bounded(path, 9)


def test_read_bounded_stops_reading_an_endless_file() -> None:
    with pytest.raises(FileTooLargeError):
        read_bounded(Path("/dev/zero"), 1_000_000)


def test_read_bounded_leaves_a_missing_file_to_the_caller(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_bounded(tmp_path / "missing.yaml", 10)


def test_the_sweep_removes_old_temporaries_only(tmp_path: Path) -> None:
    target = tmp_path / "s.snapshots.json"
    old = tmp_path / ".s.snapshots.json.abc123.tmp"
    young = tmp_path / ".s.snapshots.json.def456.tmp"
    other = tmp_path / ".other.json.abc123.tmp"
    for path in (old, young, other, target):
        path.write_text("{", encoding="utf-8")
    now = time.time()
    stale = now - STALE_TEMPORARY_SECONDS - 1
    for path in (old, other, target):
        os.utime(path, (stale, stale))
    removed = remove_stale_temporaries(tmp_path, [temporary_pattern(target)], now=now)
    assert removed == [old]
    assert young.exists()  # it may be another process's write in progress
    assert other.exists()
    assert target.exists()
