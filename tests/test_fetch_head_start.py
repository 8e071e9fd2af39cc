"""``fetch`` asks its first requests while the story loads: the same cards, the same limits.

The early answers are a guess from a quick pass over the YAML; these tests hold that
a guess costs at most a request: each endpoint is asked once when the guess is right,
asked again with the checked story's sizes when it is not, and a story that fails
its checks leaves no snapshot file however many answers came in meanwhile.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.faultserver import Exchange, FaultServer

from .cli_runner import Result, invoke

POSTS = [f"https://social.example/@a/{i}" for i in range(6)]


class Provider:
    """An oEmbed endpoint on the fault server that records what it was asked."""

    def __init__(self, server: FaultServer, delay: float = 0.0) -> None:
        self.server = server
        self.delay = delay
        self.asked: list[dict[str, str]] = []
        self.active = 0
        self.peak = 0
        self._lock = threading.Lock()
        server.route("/oembed", self.answer)

    def answer(self, ex: Exchange) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(ex.path).query).items()}
        with self._lock:
            self.asked.append(query)
            self.active += 1
            self.peak = max(self.peak, self.active)
        time.sleep(self.delay)
        with self._lock:
            self.active -= 1
        body = {"type": "link", "version": "1.0", "title": f"Post {query['url'][-1]}"}
        ex.respond(200, json.dumps(body).encode())

    def write(self, folder: Path, story: str) -> Path:
        providers = [
            {
                "provider_name": "Social",
                "provider_url": "https://social.example/",
                "endpoints": [
                    {"schemes": ["https://social.example/*"], "url": self.server.url("/oembed")}
                ],
            }
        ]
        (folder / "providers.json").write_text(json.dumps(providers), encoding="utf-8")
        path = folder / "story.yaml"
        path.write_text(story, encoding="utf-8")
        return path


def items(urls: list[str]) -> str:
    return "items:\n" + "".join(f"  - url: {url}\n" for url in urls)


def fetch(story: Path, *args: str) -> Result:
    options = ["--providers", str(story.with_name("providers.json")), "--allow-private-network"]
    return invoke(["fetch", str(story), *options, *args])


def saved(story: Path) -> dict[str, dict[str, object]]:
    text = story.with_name("story.snapshots.json").read_text(encoding="utf-8")
    entries: dict[str, dict[str, object]] = json.loads(text)["snapshots"]
    return entries


def test_each_endpoint_is_asked_once_within_the_per_host_limit(
    server: FaultServer, tmp_path: Path
) -> None:
    provider = Provider(server, delay=0.05)
    story = provider.write(tmp_path, f"title: Once\n{items(POSTS)}")
    result = fetch(story, "--per-host", "2")
    assert result.exit_code == 0, result.stderr
    assert sorted(query["url"] for query in provider.asked) == sorted(POSTS)
    assert provider.peak == 2  # early or not, two at a time
    assert {entry["card"]["title"] for entry in saved(story).values()} == {  # type: ignore[index]
        f"Post {i}" for i in range(6)
    }


def test_no_more_requests_at_once_than_the_concurrency_asked(
    server: FaultServer, tmp_path: Path
) -> None:
    provider = Provider(server, delay=0.05)
    posts = [f"https://social.example/@a/{i}" for i in range(16)]
    story = provider.write(tmp_path, f"title: Three\n{items(posts)}")
    # One host that allows eight: the three requests at once are the only limit.
    result = fetch(story, "--concurrency", "3", "--per-host", "8")
    assert result.exit_code == 0, result.stderr
    assert sorted(query["url"] for query in provider.asked) == sorted(posts)
    assert provider.peak == 3


def test_sizes_the_quick_pass_misreads_are_asked_again_with_the_storys_own(
    server: FaultServer, tmp_path: Path
) -> None:
    provider = Provider(server)
    # 0x140 is 320 to the YAML loader; the quick pass reads only decimal sizes.
    story = provider.write(
        tmp_path, f"title: Sizes\noptions:\n  maxwidth: 0x140\n{items(POSTS[:2])}"
    )
    result = fetch(story)
    assert result.exit_code == 0, result.stderr
    for url, entry in saved(story).items():
        endpoint = entry["source"]["endpoint"]  # type: ignore[index]
        assert "maxwidth=320" in endpoint, (url, endpoint)
    assert {query["maxwidth"] for query in provider.asked} <= {"320", "550"}
    assert sorted(q["url"] for q in provider.asked if q["maxwidth"] == "320") == sorted(POSTS[:2])


def test_a_story_that_fails_its_checks_leaves_no_snapshot_file(
    server: FaultServer, tmp_path: Path
) -> None:
    provider = Provider(server)
    story = provider.write(tmp_path, f"title: Broken\ncolour: red\n{items(POSTS)}")
    result = fetch(story)
    assert result.exit_code != 0
    assert "colour" in result.stderr
    assert not story.with_name("story.snapshots.json").exists()
