"""A fetch killed with SIGKILL at any moment leaves the last complete snapshot file.

``storyboard fetch`` runs as a real process against a slow loopback server and is
killed at seeded random moments: before its first request, between answers, while it
saves. After each kill the snapshot file, if there is one yet, must load, and must
hold every item the previous file held, unchanged. Each run starts where the last one
was killed (a plain ``fetch`` only asks for what has no snapshot), so the file grows
until the story is complete.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from storyboard.snapshots import SnapshotStore
from tests.faultserver import Exchange, FaultServer

REPO = Path(__file__).resolve().parents[1]
ITEMS = 80
LATENCY = 0.03  # seconds before each answer
KILLS = 8
SEED = 20170113


def slow_endpoint(ex: Exchange) -> None:
    if ex.fault.stopping.wait(LATENCY):
        return
    url = ex.path.partition("url=")[2].partition("&")[0]
    answer = {"type": "link", "version": "1.0", "title": f"Post {url[-12:]}"}
    ex.respond(200, json.dumps(answer).encode())


def write_story(folder: Path, server: FaultServer) -> Path:
    providers = [
        {
            "provider_name": "Slow Social",
            "provider_url": "https://social.example/",
            "endpoints": [{"schemes": ["https://social.example/*"], "url": server.url("/oembed")}],
        }
    ]
    (folder / "providers.json").write_text(json.dumps(providers), encoding="utf-8")
    items = "".join(f"  - url: https://social.example/@k/{i}\n" for i in range(ITEMS))
    story = folder / "story.yaml"
    story.write_text(f"title: Killed\nitems:\n{items}", encoding="utf-8")
    return story


def start_fetch(story: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    command = [sys.executable, "-m", "storyboard", "fetch", str(story)]
    options = ["--providers", str(story.with_name("providers.json")), "--allow-private-network"]
    return subprocess.Popen(
        [*command, *options, "--per-host", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )


def saved_entries(path: Path) -> dict[str, object]:
    """Load the snapshot file as storyboard would; return its entries as plain data."""
    store = SnapshotStore.load(path)  # raises on a half-written or broken file
    if not path.exists():
        return {}
    entries: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))["snapshots"]
    assert set(entries) == {snapshot.url for snapshot in store}
    return entries


def test_sigkill_at_any_moment_leaves_a_complete_file(server: FaultServer, tmp_path: Path) -> None:
    server.route("/oembed", slow_endpoint)
    story = write_story(tmp_path, server)
    snapshots = tmp_path / "story.snapshots.json"
    rng = random.Random(SEED)
    previous: dict[str, object] = {}
    killed_with_a_file = 0

    for run in range(KILLS):
        asked_before = server.hits["/oembed"]
        process = start_fetch(story)
        if run % 2:
            # By the clock: also lands in start-up, loading and the first dispatch.
            time.sleep(rng.uniform(0.2, 1.5))
        else:
            # By progress: after a random number of answers, a little into the next.
            target = asked_before + rng.randint(1, max(1, ITEMS - len(previous)))
            deadline = time.monotonic() + 20
            while server.hits["/oembed"] < target and process.poll() is None:
                assert time.monotonic() < deadline
                time.sleep(0.001)
            time.sleep(rng.uniform(0.0, LATENCY))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

        current = saved_entries(snapshots)
        lost = {url for url in previous if previous[url] != current.get(url)}
        assert not lost, f"run {run}: the kill lost or changed {sorted(lost)}"
        assert all(entry["status"] == "ok" for entry in current.values())  # type: ignore[index]
        killed_with_a_file += bool(current) and len(current) < ITEMS
        previous = current
        # A kill during a save may leave its temporary file: hidden, never the snapshot.
        # The save's lock file stays (the lock itself dies with the process).
        lock = f".{snapshots.name}.lock"
        for path in tmp_path.iterdir():
            if path.name not in {"story.yaml", "providers.json", snapshots.name, lock}:
                if path.name == f"{lock}.holder":  # who held it, left by a killed save
                    continue
                assert path.name.startswith(f".{snapshots.name}.")
                assert path.name.endswith(".tmp")

    assert killed_with_a_file >= 3  # most kills landed mid-fetch, not before or after it

    finish = start_fetch(story)
    assert finish.wait(timeout=30) == 0
    final = saved_entries(snapshots)
    assert len(final) == ITEMS
    assert all(final[url] == entry for url, entry in previous.items())
