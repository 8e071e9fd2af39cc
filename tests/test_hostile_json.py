"""story.json checks every URL of a snapshot again, as the HTML outputs do."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from .cli_runner import Result, invoke
from .conftest import ProviderPlayground

POST = "https://social.example/@anna/1"


def run(*args: str | Path) -> Result:
    return invoke(args)


def test_story_json_never_carries_a_script_url_from_a_snapshot(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> None:
    playground.oembed[POST] = {
        "type": "video",
        "version": "1.0",
        "title": "A talk",
        "author_name": "Anna",
        "author_url": "javascript:alert(1)",
        "html": '<iframe src="javascript:alert(2)"></iframe>',
        "thumbnail_url": "data:image/png;base64,AAAA",
    }
    story = write_story(f"title: T\nitems:\n  - url: {POST}\n")
    network = ["--providers", playground.providers_file(tmp_path), "--allow-private-network"]
    assert run("fetch", story, *network).exit_code == 0
    # The snapshot file is data from elsewhere too (a commit, an edit): tamper with it.
    path = tmp_path / "story.snapshots.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    card = data["snapshots"][POST]["card"]
    card.update(
        {
            "player_url": "javascript:alert(3)",
            "author_url": "javascript:alert(4)",
            "provider_url": "data:text/html,<script>alert(5)</script>",
            "text_html": '<p onclick="alert(6)">Hi<script>alert(7)</script></p>',
            "image": {"url": "javascript:alert(8)", "path": "../../etc/passwd"},
        }
    )
    path.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "out"
    result = run("render", story, "-o", out, "--offline", "--format", "json")
    assert result.exit_code == 0, result.stderr
    text = (out / "story.json").read_text(encoding="utf-8")
    for bad in ("javascript:", "data:", "<script", "onclick", "../"):
        assert bad not in text, bad
    entry = json.loads(text)["items"][0]
    assert entry["card"]["player_url"] is None
    assert entry["card"]["author_url"] is None
    assert entry["card"]["image"] is None
    assert entry["card"]["text_html"] == "<p>Hi</p>"
