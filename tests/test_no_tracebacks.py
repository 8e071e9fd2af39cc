"""Damaged or odd files and hung-up browsers end in one clear line, never a traceback."""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .cli_runner import Result, invoke

STORY = "title: Odd files\nitems:\n  - url: https://social.example/@a/1\n"
SNAPSHOT = (
    '{"format": 1, "snapshots": {"https://social.example/@a/1": '
    '{"url": "https://social.example/@a/1", "status": "ok", '
    '"card": {"kind": "post", "url": "https://social.example/@a/1", "title": "Kept post", '
    '"description": "Kept text"}}}}'
)

#: Valid JSON, but nested past any recursion limit inside the snapshots.
DEEP_SNAPSHOT = b'{"format": 1, "snapshots": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_001


def run(*args: str | Path) -> Result:
    return invoke(args)


def story_with_snapshots(tmp_path: Path, snapshots: bytes) -> Path:
    story = tmp_path / "story.yaml"
    story.write_text(STORY, encoding="utf-8")
    (tmp_path / "story.snapshots.json").write_bytes(snapshots)
    return story


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"format": "2", "snapshots": {}}', 'format: "2" is not a format number'),
        (b'{"format": null, "snapshots": {}}', "format: null is not a format number"),
        (b'{"format": 7, "snapshots": {}}', "written by a newer storyboard (format 7)"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply to be a snapshot file"),
        (DEEP_SNAPSHOT, "nested too deeply to be a snapshot file"),
        (b"[1, 2]", "not a snapshot file"),
        (b"\xff\xfe{}", "not UTF-8 text"),
    ],
)
def test_a_damaged_snapshot_file_is_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    story = story_with_snapshots(tmp_path, content)
    before = (tmp_path / "story.snapshots.json").read_bytes()
    result = run("render", story, "--offline", "-o", tmp_path / "out")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {tmp_path / 'story.snapshots.json'}")
    assert message in lines[0]
    assert (tmp_path / "story.snapshots.json").read_bytes() == before


def test_a_bom_in_the_snapshot_file_is_accepted(tmp_path: Path) -> None:
    story = story_with_snapshots(tmp_path, b"\xef\xbb\xbf" + SNAPSHOT.encode())
    result = run("render", story, "--offline", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert "Kept text" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def reset_mid_answer(port: int, path: str) -> None:
    """Ask for ``path`` and hang up with a TCP reset before reading the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        conn.recv(1)  # the answer has started
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_serve_says_nothing_when_a_browser_hangs_up_mid_answer(tmp_path: Path) -> None:
    story = story_with_snapshots(tmp_path, SNAPSHOT.encode())
    out = tmp_path / "out"
    out.mkdir()
    (out / "big.bin").write_bytes(b"\0" * 8_000_000)  # far more than a socket buffer
    proc = subprocess.Popen(
        [sys.executable, "-m", "storyboard", "serve", str(story), "--port", "0", "-o", str(out)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    watchdog = threading.Timer(60, proc.kill)
    watchdog.start()
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        port = int(first.split()[1].rstrip("/").rsplit(":", 1)[1])
        for _ in range(5):
            reset_mid_answer(port, "/big.bin")
        time.sleep(0.5)  # let the server's threads meet the reset connections
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "Error" not in err
