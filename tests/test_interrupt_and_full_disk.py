"""Ctrl-C keeps what finished and stops at once; a full disk or a read-only folder is one line.

``storyboard fetch`` runs as a real process against a loopback provider whose later
answers never come: Ctrl-C must stop it within a second, with the answers that came
saved. Full and read-only folders are real: a 64 KiB tmpfs mounted for the test, and
the same tmpfs remounted read-only (this needs root; the tests skip without it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyboard.snapshots import SnapshotStore
from tests.faultserver import Exchange, FaultServer

from .tmpfs import mounted_tmpfs

REPO = Path(__file__).resolve().parents[1]
ITEMS = 120
ANSWERED = 41  # items that answer at once; the rest hang until the server stops


def environment() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    return env


def answer(ex: Exchange) -> None:
    url = ex.path.partition("url=")[2].partition("&")[0]
    number = int(url.rsplit("%2F", 1)[1])
    if number >= ANSWERED:
        ex.fault.stopping.wait(60)  # a server that never answers
        return
    body = {"type": "link", "version": "1.0", "title": f"Post {number}"}
    ex.respond(200, json.dumps(body).encode())


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as fault:
        fault.route("/oembed", answer)
        yield fault


def write_story(folder: Path, server: FaultServer, items: int = ITEMS) -> Path:
    providers = [
        {
            "provider_name": "Slow Social",
            "provider_url": "https://social.example/",
            "endpoints": [{"schemes": ["https://social.example/*"], "url": server.url("/oembed")}],
        }
    ]
    (folder / "providers.json").write_text(json.dumps(providers), encoding="utf-8")
    lines = "".join(f"  - url: https://social.example/@k/{i}\n" for i in range(items))
    story = folder / "story.yaml"
    story.write_text(f"title: Interrupted\nitems:\n{lines}", encoding="utf-8")
    return story


def start(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "storyboard", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
        # Ctrl-C must reach it even where the test runner was started with SIGINT ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
    )


def saved(path: Path) -> int:
    return len(SnapshotStore.load(path))  # whole at every moment: it is written atomically


def test_ctrl_c_stops_within_a_second_and_saves_what_finished(
    server: FaultServer, tmp_path: Path
) -> None:
    story = write_story(tmp_path, server)
    snapshots = tmp_path / "story.snapshots.json"
    fetch = start("fetch", story, "--providers", tmp_path / "providers.json",
                  "--allow-private-network", "--timeout", "60")  # fmt: skip
    deadline = time.monotonic() + 30
    while saved(snapshots) < ANSWERED:
        assert fetch.poll() is None, fetch.communicate()
        assert time.monotonic() < deadline, "the answered items were not saved"
        time.sleep(0.05)
    time.sleep(0.2)  # now every worker waits on an answer that never comes

    pressed = time.monotonic()
    fetch.send_signal(signal.SIGINT)
    _, stderr = fetch.communicate(timeout=30)
    took = time.monotonic() - pressed

    assert fetch.returncode == 130, stderr
    assert took < 1.5, f"took {took:.1f} s to stop"  # a second, and a margin for a busy CI
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    assert last == (
        f"interrupted: saved {ANSWERED} of {ITEMS}; run the command again to fetch the rest"
    )
    store = SnapshotStore.load(snapshots)
    assert len(store) == ANSWERED
    assert all(snapshot.usable for snapshot in store)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB filesystem, mounted for the test (root only)."""
    with mounted_tmpfs(tmp_path / "tiny", "64k") as folder:
        yield folder


def fill(folder: Path) -> None:
    """Fill the filesystem of ``folder`` to the last byte."""
    with (folder / "filler").open("wb", buffering=0) as filler:
        for size in (4096, 512, 1):
            try:
                while True:
                    filler.write(b"\0" * size)
            except OSError:
                continue


def snapshot_file_of(count: int) -> str:
    entries = {
        f"https://social.example/@k/{i}": {
            "url": f"https://social.example/@k/{i}",
            "status": "ok",
            "card": {"kind": "link", "url": f"https://social.example/@k/{i}", "title": f"Old {i}"},
        }
        for i in range(count)
    }
    return json.dumps({"format": 1, "snapshots": entries}, indent=2)


def test_a_full_disk_is_one_line_and_leaves_the_old_files(
    server: FaultServer, tiny_disk: Path
) -> None:
    story = write_story(tiny_disk, server, items=ANSWERED)
    old_snapshots = snapshot_file_of(5)  # five of the items are fetched already
    (tiny_disk / "story.snapshots.json").write_text(old_snapshots, encoding="utf-8")
    old_story = story.read_bytes()
    fill(tiny_disk)

    fetch = start("fetch", story, "--providers", tiny_disk / "providers.json",
                  "--allow-private-network")  # fmt: skip
    _, stderr = fetch.communicate(timeout=60)
    assert fetch.returncode == 3, stderr
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("error: cannot write ")
    assert "story.snapshots.json" in last
    assert last.endswith("No space left on device")
    assert (tiny_disk / "story.snapshots.json").read_text(encoding="utf-8") == old_snapshots
    assert not [p.name for p in tiny_disk.iterdir() if p.name.endswith(".tmp")]

    add = start("add", story, "https://social.example/@k/new")
    _, stderr = add.communicate(timeout=60)
    assert add.returncode == 3, stderr
    assert stderr.strip().splitlines()[-1].endswith("No space left on device")
    assert "Traceback" not in stderr
    assert story.read_bytes() == old_story


def test_a_read_only_folder_is_one_line_and_leaves_the_old_files(
    server: FaultServer, tiny_disk: Path
) -> None:
    story = write_story(tiny_disk, server, items=3)
    old_snapshots = snapshot_file_of(1)
    (tiny_disk / "story.snapshots.json").write_text(old_snapshots, encoding="utf-8")
    old_story = story.read_bytes()
    remount = ["mount", "-o", "remount,ro", str(tiny_disk)]
    subprocess.run(remount, check=True, capture_output=True)

    for command in (
        ["fetch", story, "--providers", tiny_disk / "providers.json", "--allow-private-network"],
        ["add", story, "https://social.example/@k/new"],
        ["render", story, "--offline", "-o", tiny_disk / "site"],
    ):
        process = start(*command)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 3, (command[0], stderr)
        assert "Traceback" not in stderr
        last = stderr.strip().splitlines()[-1]
        assert last.startswith("error: cannot write "), (command[0], last)
        assert last.endswith("Read-only file system"), (command[0], last)
    assert (tiny_disk / "story.snapshots.json").read_text(encoding="utf-8") == old_snapshots
    assert story.read_bytes() == old_story
