"""``storyboard serve``: loopback only, output folder only, renders again on change."""

from __future__ import annotations

import datetime as dt
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from storyboard.errors import UsageError
from storyboard.model.card import Card, CardKind
from storyboard.model.snapshot import Snapshot, SnapshotStatus
from storyboard.preview.handler import (
    VERSION_PATH,
    error_page,
    host_is_local,
    request_path,
    resolve_in_root,
    with_reload_script,
)
from storyboard.preview.server import LOOPBACK, PreviewServer, PreviewSettings, fingerprint
from storyboard.snapshots import SnapshotStore

POST_URL = "https://social.example/@anna/1"
WAIT = 15.0  # seconds: generous for a loaded CI machine; a pass takes well under one

STORY = """\
title: {title}
lang: en
items:
  - heading: Morning
  - text: We start at Maria 01.
  - url: {url}
"""

# Never urllib's environment proxies: the server is on this machine.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str) -> tuple[int, str]:
    """Return the status and body of a GET request (error statuses included)."""
    try:
        with OPENER.open(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode("utf-8")


def raw_get(port: int, target: str, host: str | None = None) -> int:
    """Send a request target exactly as written (no client-side normalization)."""
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    try:
        connection.putrequest("GET", target, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until it holds, failing after ``WAIT`` seconds."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {WAIT} s waiting for {what}")
        time.sleep(0.05)


def heading(url: str) -> str | None:
    """Return the page's h1 text, or None when the page is not the story."""
    status, body = fetch(url)
    h1 = BeautifulSoup(body, "html.parser").find("h1")
    return h1.get_text() if status == 200 and h1 is not None else None


@pytest.fixture
def story(tmp_path: Path) -> Path:
    """Write a story whose one URL has no snapshot yet."""
    path = tmp_path / "event" / "story.yaml"
    path.parent.mkdir()
    path.write_text(STORY.format(title="First title", url=POST_URL), encoding="utf-8")
    return path


@pytest.fixture
def preview(story: Path, tmp_path: Path) -> Iterator[PreviewServer]:
    """Return a running preview of ``story`` on a free port."""
    settings = PreviewSettings(
        story_path=story, output_dir=tmp_path / "site", port=0, poll_interval=0.1
    )
    server = PreviewServer(settings, report=lambda _message: None)
    with server:
        yield server


def preview_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("preview-")]


# -- serving --------------------------------------------------------------------------


def test_serves_the_rendered_page_on_loopback_with_a_reload_script(
    preview: PreviewServer, tmp_path: Path
) -> None:
    assert preview.url == f"http://127.0.0.1:{preview.port}/"
    assert preview._httpd.server_address[0] == "127.0.0.1"
    status, body = fetch(preview.url)

    assert status == 200
    soup = BeautifulSoup(body, "html.parser")
    assert soup.find("h1").get_text() == "First title"  # type: ignore[union-attr]
    assert VERSION_PATH in body
    assert body.rstrip().endswith("</html>")  # the script went inside the body
    # The file on disk is the publishable page: no preview script in it.
    on_disk = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert VERSION_PATH not in on_disk
    assert fetch(preview.url + "index.html") == (200, body)
    assert fetch(preview.url + VERSION_PATH.lstrip("/")) == (200, "1\n")


def test_serve_never_fetches_an_item_without_snapshot_is_a_link(
    preview: PreviewServer, story: Path
) -> None:
    _, body = fetch(preview.url)
    card = BeautifulSoup(body, "html.parser").select_one("article.sb-unresolved a")
    assert card is not None
    assert card["href"] == POST_URL
    assert not story.with_name("story.snapshots.json").exists()  # nothing fetched, nothing kept


def test_an_edit_renders_again_and_the_version_moves(preview: PreviewServer, story: Path) -> None:
    assert heading(preview.url) == "First title"
    before = preview.version

    story.write_text(STORY.format(title="Second title", url=POST_URL), encoding="utf-8")

    wait_for(lambda: heading(preview.url) == "Second title", "the edited title")
    # The new page is on disk a moment before its render is done and counted.
    version_url = preview.url + VERSION_PATH.lstrip("/")
    wait_for(lambda: int(fetch(version_url)[1]) > before, "the version to move")


def test_new_snapshots_render_again(preview: PreviewServer, story: Path) -> None:
    store = SnapshotStore.load(story.with_name("story.snapshots.json"))
    card = Card(kind=CardKind.POST, url=POST_URL, text_html="<p>Hello</p>", author_name="Anna")
    store.record_success(
        Snapshot(
            url=POST_URL,
            status=SnapshotStatus.OK,
            fetched_at=dt.datetime(2017, 1, 13, tzinfo=dt.UTC),
            card=card,
        )
    )
    store.save()

    def shows_the_post() -> bool:
        page = BeautifulSoup(fetch(preview.url)[1], "html.parser")
        return page.select_one("article.sb-post .sb-name") is not None

    wait_for(shows_the_post, "the card from the new snapshot")


def test_a_broken_story_shows_its_problems_then_the_page_comes_back(
    preview: PreviewServer, story: Path, tmp_path: Path
) -> None:
    story.write_text("titel: Oops\nitems:\n  - url: not a url <b>bold</b>\n", encoding="utf-8")

    wait_for(lambda: fetch(preview.url)[0] == 500, "the error page")
    status, body = fetch(preview.url)
    assert status == 500
    soup = BeautifulSoup(body, "html.parser")
    problems = [li.get_text() for li in soup.select("li")]
    assert any("titel" in p and "did you mean 'title'" in p for p in problems), problems
    assert any("items[0].url" in p for p in problems), problems
    assert soup.find("b") is None  # the story's text is escaped, never markup
    assert VERSION_PATH in body  # ...and the error page reloads itself too
    # The last good page stays on disk.
    assert "First title" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")

    story.write_text(STORY.format(title="Fixed title", url=POST_URL), encoding="utf-8")
    wait_for(lambda: heading(preview.url) == "Fixed title", "the page to come back")


def test_theme_from_the_story_is_watched_too(story: Path, tmp_path: Path) -> None:
    theme = story.parent / "theme"
    theme.mkdir()
    page = theme / "page.html"
    page.write_text(
        '{% extends "default:page.html" %}{% block footer %}<p class="mine">one</p>{% endblock %}',
        encoding="utf-8",
    )
    story.write_text(
        STORY.format(title="Themed", url=POST_URL) + "options:\n  theme: theme\n", encoding="utf-8"
    )
    settings = PreviewSettings(
        story_path=story, output_dir=tmp_path / "out", port=0, poll_interval=0.1
    )
    with PreviewServer(settings) as server:

        def footer() -> str | None:
            mine = BeautifulSoup(fetch(server.url)[1], "html.parser").select_one("p.mine")
            return mine.get_text() if mine else None

        assert footer() == "one"
        page.write_text(page.read_text(encoding="utf-8").replace("one", "two"), encoding="utf-8")
        wait_for(lambda: footer() == "two", "the edited theme")


# -- only the output folder -----------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "//" + "etc/passwd",
        "/etc/passwd",
        "/%00index.html",
        "/%ff",
        "http://127.0.0.1/../secret.txt",
        "/link-out",
        "/assets/",
        "/story.yaml",
    ],
)
def test_nothing_outside_the_output_folder_is_served(
    preview: PreviewServer, tmp_path: Path, target: str
) -> None:
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (tmp_path / "site" / "assets").mkdir(exist_ok=True)
    link = tmp_path / "site" / "link-out"
    if not link.exists():
        link.symlink_to(tmp_path / "secret.txt")

    assert raw_get(preview.port, target) == 404


def test_only_get_and_head(preview: PreviewServer) -> None:
    connection = http.client.HTTPConnection(LOOPBACK, preview.port, timeout=10)
    try:
        connection.request("HEAD", "/")
        response = connection.getresponse()
        assert response.status == 200
        assert int(response.headers["Content-Length"]) > 0
        assert response.read() == b""
        connection.request("POST", "/", body=b"x")
        response = connection.getresponse()
        response.read()
        assert response.status == 501
    finally:
        connection.close()


def test_other_host_names_are_refused(preview: PreviewServer) -> None:
    assert raw_get(preview.port, "/", host=f"localhost:{preview.port}") == 200
    assert raw_get(preview.port, "/", host="evil.example") == 403
    assert raw_get(preview.port, "/", host="127.0.0.1.evil.example:80") == 403


@pytest.mark.parametrize(
    ("target", "path"),
    [
        ("/a/b.html?x=1#y", "/a/b.html"),
        ("/a%20b", "/a b"),
        ("//etc/passwd", "//etc/passwd"),
        ("http://127.0.0.1:8000/x?y", "/x"),
    ],
)
def test_request_path(target: str, path: str) -> None:
    assert request_path(target) == path


def test_resolve_in_root(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("x", encoding="utf-8")
    (root / "assets" / "a.png").write_bytes(b"x")

    assert resolve_in_root(root, "/") == (root / "index.html").resolve()
    assert resolve_in_root(root, "/assets/a.png") == (root / "assets" / "a.png").resolve()
    assert resolve_in_root(root, "/assets") is None  # a folder without index: no listing
    assert resolve_in_root(root, "/assets/../index.html") is None
    assert resolve_in_root(tmp_path / "not-yet", "/") is None


def test_host_is_local() -> None:
    assert host_is_local(None)
    assert host_is_local("127.0.0.1:8000")
    assert host_is_local("LOCALHOST")
    assert host_is_local("[::1]:8000")
    assert not host_is_local("example.com")
    assert not host_is_local("[::2]:8000")


def test_reload_script_goes_before_the_last_body_end() -> None:
    page = "<html><body><p>&lt;/body&gt;</p></BODY ></html>"
    served = with_reload_script(page, 7)
    assert served.index("<script>") < served.index("</BODY >")
    assert 'const seen = "7"' in served
    assert with_reload_script("<p>fragment</p>", 1).startswith("<p>fragment</p><script>")


def test_error_page_escapes_problems() -> None:
    page = error_page(['x.yaml:1:1: title: <script>alert(1)</script> & "q"'])
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;" in page


# -- watching -------------------------------------------------------------------------


def test_fingerprint_sees_edits_new_files_and_removals(tmp_path: Path) -> None:
    story, folder = tmp_path / "s.yaml", tmp_path / "s.assets"
    story.write_text("a", encoding="utf-8")
    folder.mkdir()
    first = fingerprint([story, folder, tmp_path / "missing.json"])

    (folder / "new.png").write_bytes(b"x")
    second = fingerprint([story, folder])
    assert second != first
    story.write_text("ab", encoding="utf-8")
    assert fingerprint([story, folder]) != second
    (folder / "new.png").unlink()
    assert len(fingerprint([story, folder])) == 1


def test_output_folder_inside_a_watched_folder_does_not_count(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    before = fingerprint([tmp_path], ignore=tmp_path / "out")
    (tmp_path / "out" / "index.html").write_text("x", encoding="utf-8")
    assert fingerprint([tmp_path], ignore=tmp_path / "out") == before


def test_theme_folder_holding_the_output_renders_once_per_change(
    story: Path, tmp_path: Path
) -> None:
    story.write_text(
        STORY.format(title="Loop", url=POST_URL) + "options:\n  theme: .\n", encoding="utf-8"
    )
    settings = PreviewSettings(
        story_path=story, output_dir=story.parent / "site", port=0, poll_interval=0.05
    )
    with PreviewServer(settings) as server:
        time.sleep(0.5)
        assert server.version == 1


# -- starting and stopping ------------------------------------------------------------


def test_stop_ends_the_threads_and_frees_the_port(story: Path, tmp_path: Path) -> None:
    settings = PreviewSettings(story_path=story, output_dir=tmp_path / "site", port=0)
    server = PreviewServer(settings)
    server.start()
    port = server.port
    assert fetch(server.url)[0] == 200
    names = sorted(thread.name for thread in preview_threads())
    # The file-event watcher of the story's folder (no pictures folder to watch here).
    assert names == ["preview-events", "preview-http", "preview-watch"]

    server.stop()

    assert preview_threads() == []
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((LOOPBACK, port), timeout=5).close()


def test_a_port_in_use_is_a_usage_error(story: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = PreviewSettings(story_path=story, output_dir=tmp_path / "site", port=port)
        with pytest.raises(UsageError, match=f"port {port} is in use"):
            PreviewServer(settings)


def test_cli_serve_prints_its_url_and_stops_on_ctrl_c(story: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "storyboard", "serve", str(story), "--port", "0"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    # A hung server must not hang the test run.
    watchdog = threading.Timer(60, proc.kill)
    watchdog.start()
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("Serving http://127.0.0.1:"), first
        assert first.rstrip().endswith("(Ctrl-C to stop)")
        url = first.split()[1]
        wait_for(lambda: heading(url) == "First title", "the page from the CLI server")
        assert (tmp_path / "site" / "story" / "index.html").is_file()

        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "rendered" in err
    assert err.rstrip().endswith("Stopped.")
