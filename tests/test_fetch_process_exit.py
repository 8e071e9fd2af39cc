"""A finished ``storyboard fetch`` leaves without Python's teardown, all saved and said.

The command saves its snapshot file (atomically, under its lock) and closes its
connections before it returns, so the process skips the teardown of its modules, as
``--help`` does. The run is a real process against a loopback server; a
``sitecustomize`` on its path registers an ``atexit`` hook, which a process that tore
itself down would run: its marker file shows which way the process ended.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from storyboard.errors import EXIT_PARTIAL
from storyboard.snapshots import SnapshotStore
from tests.faultserver import Exchange, FaultServer

REPO = Path(__file__).resolve().parents[1]
ITEMS = 12


def endpoint(ex: Exchange) -> None:
    url = ex.path.partition("url=")[2].partition("&")[0]
    if url.endswith("gone"):
        ex.respond(404, b"")
        return
    answer = {"type": "link", "version": "1.0", "title": f"Post {url[-12:]}"}
    ex.respond(200, json.dumps(answer).encode())


def run_fetch(
    folder: Path, server: FaultServer, urls: list[str]
) -> subprocess.CompletedProcess[str]:
    providers = [
        {
            "provider_name": "Quick Social",
            "provider_url": "https://social.example/",
            "endpoints": [{"schemes": ["https://social.example/*"], "url": server.url("/oembed")}],
        }
    ]
    (folder / "providers.json").write_text(json.dumps(providers), encoding="utf-8")
    items = "".join(f"  - url: {url}\n" for url in urls)
    story = folder / "story.yaml"
    story.write_text(f"title: Quick\nitems:\n{items}", encoding="utf-8")
    hooks = folder / "hooks"
    hooks.mkdir()
    marker = folder / "torn-down"
    (hooks / "sitecustomize.py").write_text(
        f"import atexit, pathlib\natexit.register(pathlib.Path({str(marker)!r}).touch)\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(hooks)])}
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    command = [sys.executable, "-m", "storyboard", "fetch", str(story)]
    options = ["--providers", str(folder / "providers.json"), "--allow-private-network"]
    return subprocess.run(
        [*command, *options], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_a_finished_fetch_skips_the_teardown_with_everything_saved_and_printed(
    tmp_path: Path, server: FaultServer
) -> None:
    server.route("/oembed", endpoint)
    urls = [f"https://social.example/@q/{i}" for i in range(ITEMS)]

    done = run_fetch(tmp_path, server, urls)

    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith(f"fetched {ITEMS} of {ITEMS} in ")
    assert not (tmp_path / "torn-down").exists()
    store = SnapshotStore.load(tmp_path / "story.snapshots.json")
    assert all(store.get(url) is not None for url in urls)


def test_a_partial_fetch_keeps_its_exit_status(tmp_path: Path, server: FaultServer) -> None:
    server.route("/oembed", endpoint)
    urls = ["https://social.example/@q/1", "https://social.example/@q/gone"]

    done = run_fetch(tmp_path, server, urls)

    assert done.returncode == EXIT_PARTIAL, done.stderr
    assert "gone" in done.stderr
    assert not (tmp_path / "torn-down").exists()
    assert SnapshotStore.load(tmp_path / "story.snapshots.json").get(urls[0]) is not None
