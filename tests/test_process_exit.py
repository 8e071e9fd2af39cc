"""A finished ``fetch``, ``render`` or ``check`` leaves without Python's teardown, all said.

Each command has saved and closed what it opened before it returns (a fetch its
snapshot file, atomically and under its lock, and its connections; a render its
outputs, moved into place), so the process skips the teardown of its modules, as
``--help`` does. The runs are real processes (a fetch against a loopback server); a
``sitecustomize`` on their path registers an ``atexit`` hook, which a process that
tore itself down would run: its marker file shows which way the process ended.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from storyboard.errors import EXIT_INVALID, EXIT_PARTIAL
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
    providers = ["--providers", str(folder / "providers.json"), "--allow-private-network"]
    return run_storyboard(folder, "fetch", str(story), *providers)


def run_storyboard(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m storyboard ARGS``; ``folder/torn-down`` appears if it tore itself down."""
    return run_python(folder, "-m", "storyboard", *args)


def run_python(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python ARGS`` with the teardown marker's hook (``folder/torn-down``) on its path."""
    hooks = folder / "hooks"
    hooks.mkdir(exist_ok=True)
    marker = folder / "torn-down"
    (hooks / "sitecustomize.py").write_text(
        f"import atexit, pathlib\natexit.register(pathlib.Path({str(marker)!r}).touch)\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(hooks)])}
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
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


def example_copy(folder: Path) -> Path:
    """Copy the bundled example story, its snapshots and pictures into ``folder``."""
    example = REPO / "stories" / "anksome-2017.yaml"
    for suffix in (".yaml", ".snapshots.json"):
        shutil.copy(example.with_suffix(suffix), folder / f"story{suffix}")
    shutil.copytree(example.with_suffix(".assets"), folder / "story.assets")
    return folder / "story.yaml"


def test_a_finished_render_skips_the_teardown_with_its_outputs_in_place(tmp_path: Path) -> None:
    story = example_copy(tmp_path)

    done = run_storyboard(tmp_path, "render", "--offline", str(story), "-o", str(tmp_path / "out"))

    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "torn-down").exists()
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert page.endswith("</html>\n")
    cards = page.count('class="sb-card')
    assert cards == sum(line.startswith("  - url:") for line in story.read_text().splitlines())
    assert done.stdout.splitlines()[0] == str(tmp_path / "out" / "index.html")
    pictures = list((tmp_path / "out" / "assets").iterdir())
    assert pictures
    assert all(picture.stat().st_size > 0 for picture in pictures)


def test_check_and_a_refused_render_skip_it_with_their_exit_status(tmp_path: Path) -> None:
    story = example_copy(tmp_path)

    checked = run_storyboard(tmp_path, "check", str(story))

    assert checked.returncode == 0, checked.stderr
    assert not (tmp_path / "torn-down").exists()
    story.write_text(story.read_text(encoding="utf-8") + "  - url: [broken\n", encoding="utf-8")
    refused = run_storyboard(tmp_path, "render", "--offline", str(story))
    assert refused.returncode == EXIT_INVALID, refused.stderr
    assert "story.yaml:" in refused.stderr
    assert not (tmp_path / "torn-down").exists()
    assert not (tmp_path / "site").exists()


def test_a_program_calling_main_keeps_its_teardown(tmp_path: Path) -> None:
    """Only the program itself leaves at once: a script calling ``main`` goes on after it."""
    story = example_copy(tmp_path)
    script = tmp_path / "caller.py"
    script.write_text(
        "import sys\nfrom storyboard.cli import main\n"
        f"status = main(['render', '--offline', {str(story)!r}, '-o', {str(tmp_path / 'out')!r}])\n"
        "print('after main', status)\n",
        encoding="utf-8",
    )
    done = run_python(tmp_path, str(script))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "after main 0"
    assert (tmp_path / "torn-down").exists()
