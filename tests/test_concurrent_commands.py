"""Two storyboard commands on one story at once lose nothing.

Real processes against a loopback server playing the providers: a ``fetch`` whose
answers are held back while ``add --fetch`` or ``collect`` writes the same story, and
pairs of ``add``s started at the same moment. Each save takes the file's lock and
merges into what is on disk, so every command's entries survive.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyboard.fsio import locked
from storyboard.snapshots import SnapshotStore
from storyboard.urls import normalize_url as normalized
from tests.faultserver import Exchange, FaultServer

REPO = Path(__file__).resolve().parents[1]
HELD = 12  # items of the long fetch, held back until the other command is done


def environment(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), **extra}
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    return env


def storyboard(*args: str | Path, **extra: str) -> subprocess.Popen[str]:
    """Start ``python -m storyboard ARGS`` as its own process."""
    return subprocess.Popen(
        [sys.executable, "-m", "storyboard", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(**extra),
    )


def finished(process: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str]:
    _, stderr = process.communicate(timeout=timeout)
    return process.returncode, stderr


class HeldProvider:
    """An oEmbed endpoint that answers ``/@held/`` posts only once released."""

    def __init__(self, server: FaultServer) -> None:
        self.server = server
        self.release = threading.Event()
        server.route("/oembed", self.answer)

    def answer(self, ex: Exchange) -> None:
        url = ex.path.partition("url=")[2].partition("&")[0]
        if "%40held" in url and not url.endswith("%2F0"):
            self.release.wait(30)
        body = {"type": "link", "version": "1.0", "title": f"Post {url[-14:]}"}
        ex.respond(200, json.dumps(body).encode())

    def providers_file(self, folder: Path) -> Path:
        providers = [
            {
                "provider_name": "Held Social",
                "provider_url": "https://social.example/",
                "endpoints": [
                    {"schemes": ["https://social.example/*"], "url": self.server.url("/oembed")}
                ],
            }
        ]
        path = folder / "providers.json"
        path.write_text(json.dumps(providers), encoding="utf-8")
        return path


@pytest.fixture
def provider() -> Iterator[HeldProvider]:
    with FaultServer() as server:
        held = HeldProvider(server)
        yield held
        held.release.set()


def held_story(folder: Path) -> Path:
    items = "".join(f"  - url: https://social.example/@held/{i}\n" for i in range(HELD))
    story = folder / "story.yaml"
    story.write_text(f"title: Two at once\nitems:\n{items}", encoding="utf-8")
    return story


def start_held_fetch(story: Path, providers: Path) -> subprocess.Popen[str]:
    """Start a fetch and wait until it saved its first answer; the rest are held."""
    fetch = storyboard(
        "fetch", story, "--providers", providers, "--allow-private-network", "--per-host", "4"
    )
    snapshots = story.with_name("story.snapshots.json")
    deadline = time.monotonic() + 30
    while not snapshots.exists():
        assert fetch.poll() is None, fetch.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return fetch


def saved_urls(story: Path) -> set[str]:
    store = SnapshotStore.load(story.with_name("story.snapshots.json"))
    return {snapshot.url for snapshot in store}


def test_add_fetch_during_a_fetch_keeps_both_commands_snapshots(
    provider: HeldProvider, tmp_path: Path
) -> None:
    story = held_story(tmp_path)
    providers = provider.providers_file(tmp_path)
    fetch = start_held_fetch(story, providers)

    new = "https://social.example/@new/1"
    add = storyboard("add", story, new, "--fetch", "--providers", providers,
                     "--allow-private-network")  # fmt: skip
    assert finished(add)[0] == 0
    assert fetch.poll() is None  # the fetch is still at work: the two really overlapped
    assert normalized(new) in saved_urls(story)

    provider.release.set()
    code, stderr = finished(fetch)
    assert code == 0, stderr
    held = {normalized(f"https://social.example/@held/{i}") for i in range(HELD)}
    assert saved_urls(story) == {*held, normalized(new)}  # the fetch's last save kept add's


def mastodon_status(base: str, number: int) -> dict[str, object]:
    status_id = str(110_000_000_000_000_000 + number)
    return {
        "id": status_id,
        "created_at": "2024-05-17T08:00:00.000Z",
        "visibility": "public",
        "sensitive": False,
        "spoiler_text": "",
        "uri": f"https://social.example/users/anna/statuses/{status_id}",
        "url": f"https://social.example/@anna/{status_id}",
        "content": f"<p>Post {number} #kokous</p>",
        "account": {
            "id": "1",
            "username": "anna",
            "acct": "anna@social.example",
            "display_name": "Anna",
            "url": "https://social.example/@anna",
            "avatar": "",
            "avatar_static": "",
        },
        "reblog": None,
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": "kokous", "url": "https://social.example/tags/kokous"}],
    }


def test_collect_during_a_fetch_keeps_the_seeded_snapshots(
    provider: HeldProvider, tmp_path: Path
) -> None:
    base = provider.server.url("")
    statuses = [mastodon_status(base, n) for n in (2, 1)]  # newest first, as Mastodon answers
    provider.server.route(
        "/api/v1/timelines/tag/kokous", lambda ex: ex.respond(200, json.dumps(statuses).encode())
    )
    story = held_story(tmp_path)
    providers = provider.providers_file(tmp_path)
    fetch = start_held_fetch(story, providers)

    collect = storyboard("collect", story, "--mastodon", base, "--tag", "kokous", "--yes",
                         "--allow-private-network")  # fmt: skip
    code, stderr = finished(collect)
    assert code == 0, stderr
    assert fetch.poll() is None
    collected = {normalized(str(s["url"])) for s in statuses}
    assert collected <= saved_urls(story)

    provider.release.set()
    assert finished(fetch)[0] == 0
    assert collected <= saved_urls(story)  # still there after the fetch's last save
    text = story.read_text(encoding="utf-8")
    assert all(str(s["url"]) in text for s in statuses)


#: Runs 30 ``storyboard add``s one after another in one process, as fast as it can.
ADD_LOOP = """
import sys
from storyboard.cli.main import main

story, side = sys.argv[1], sys.argv[2]
for n in range(30):
    code = main(["add", story, f"https://social.example/@{side}/{n}"])
    if code:
        sys.exit(code)
"""


def test_two_adds_at_once_never_lose_an_item(tmp_path: Path) -> None:
    story = tmp_path / "story.yaml"
    story.write_text("title: Race\nitems:\n  - url: https://social.example/@a/0\n", "utf-8")
    # Two processes, each adding 30 items in a row to the same file at the same time.
    sides = [
        subprocess.Popen(
            [sys.executable, "-c", ADD_LOOP, str(story), side],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(),
        )
        for side in ("x", "y")
    ]
    for side in sides:
        code, stderr = finished(side)
        assert code == 0, stderr
    text = story.read_text(encoding="utf-8")
    expected = [f"https://social.example/@{side}/{n}" for side in "xy" for n in range(30)]
    missing = [url for url in expected if f"url: {url}\n" not in text]
    assert not missing, f"lost {len(missing)} of 60: {missing[:5]}"
    assert text.count("  - url: ") == 61


def test_a_command_waits_for_the_lock_then_says_who_holds_it(tmp_path: Path) -> None:
    story = tmp_path / "story.yaml"
    story.write_text("title: Busy\nitems: []\n", encoding="utf-8")
    with locked(story):  # this test process plays the other command
        add = storyboard("add", story, "https://social.example/@a/1", STORYBOARD_LOCK_TIMEOUT="1")
        code, stderr = finished(add)
    assert code == 3
    lines = stderr.strip().splitlines()
    assert lines[0].startswith("waiting: another storyboard command (pid ")
    assert "is writing story.yaml" in lines[0]
    assert "error: " in lines[-1]
    assert "held it for 1 s; gave up waiting" in lines[-1]
    assert "Traceback" not in stderr
    assert "https://social.example/@a/1" not in story.read_text(encoding="utf-8")

    with locked(story):
        add = storyboard("add", story, "https://social.example/@a/2")
        assert add.stderr is not None
        first = add.stderr.readline()  # it waits, and says so, until the lock is free
    code, stderr = finished(add)
    assert code == 0, stderr
    assert first.startswith("waiting: another storyboard command (pid ")
    assert "url: https://social.example/@a/2" in story.read_text(encoding="utf-8")
