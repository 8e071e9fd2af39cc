"""``storyboard serve`` as a process on loopback, while files change under it.

Each test starts the real command, changes the story, its snapshots or its theme the way
editors and other commands do (a half-written save, a burst of saves, a rename onto the
file, a fetch's save, a theme edit) and reads the served page over HTTP.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from storyboard.i18n import translate
from storyboard.model.card import Card, CardKind
from storyboard.model.snapshot import Snapshot, SnapshotStatus
from storyboard.preview import watch
from storyboard.preview.handler import VERSION_PATH
from storyboard.preview.server import PreviewServer, PreviewSettings
from storyboard.preview.watch import ChangeWatcher
from storyboard.snapshots import SnapshotStore

WAIT = 20.0  # seconds: generous for a loaded machine; a pass takes well under one
POST_URL = "https://social.example/@anna/1"
STORY = """\
title: {title}
lang: sv
items:
  - text: Hej.
  - url: {url}
    note: {note}
"""
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str) -> tuple[int, str]:
    try:
        with OPENER.open(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode("utf-8")


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {WAIT} s waiting for {what}")
        time.sleep(0.02)


def story_text(title: str = "Första", note: str = "En anteckning.") -> str:
    return STORY.format(title=title, url=POST_URL, note=note)


@dataclass
class Served:
    """A running ``storyboard serve`` and what it printed."""

    process: subprocess.Popen[str]
    url: str
    console: list[str] = field(default_factory=list)

    def heading(self) -> str | None:
        status, body = fetch(self.url)
        h1 = BeautifulSoup(body, "html.parser").find("h1")
        return h1.get_text() if status == 200 and h1 is not None else None

    def renders(self) -> int:
        return sum(line.startswith("rendered ") for line in list(self.console))


@pytest.fixture
def story(tmp_path: Path) -> Path:
    path = tmp_path / "event" / "story.yaml"
    path.parent.mkdir()
    path.write_text(story_text(), encoding="utf-8")
    return path


@contextlib.contextmanager
def serving(story: Path) -> Iterator[Served]:
    """Start ``storyboard serve STORY --port 0``; stop it with Ctrl-C at the end."""
    process = subprocess.Popen(
        [sys.executable, "-m", "storyboard", "serve", str(story), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert process.stdout is not None
    assert process.stderr is not None
    line = process.stdout.readline()
    assert line.startswith("Serving http://127.0.0.1:"), line
    running = Served(process, line.split()[1])
    stderr = process.stderr
    reader = threading.Thread(
        target=lambda: running.console.extend(line.rstrip("\n") for line in stderr), daemon=True
    )
    reader.start()
    try:
        wait_for(lambda: running.renders() >= 1, "the first render")
        yield running
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=WAIT) == 0
        reader.join(timeout=WAIT)
        process.stdout.close()
        stderr.close()


@pytest.fixture
def served(story: Path) -> Iterator[Served]:
    with serving(story) as running:
        yield running


def test_a_broken_save_shows_the_error_in_the_storys_language_then_a_fix_recovers(
    served: Served, story: Path
) -> None:
    assert served.heading() == "Första"
    # Half a save: the editor (or the disk) stopped in the middle of a quoted string.
    story.write_text('title: "Andra\nlang: sv\nitems:\n  - text: Hej', encoding="utf-8")

    wait_for(lambda: fetch(served.url)[0] == 500, "the error page")
    _, body = fetch(served.url)
    page = BeautifulSoup(body, "html.parser")
    html = page.find("html")
    assert html is not None
    assert html.get("lang") == "sv"
    assert page.select_one("h1").get_text() == translate("sv", "preview_error_title")  # type: ignore[union-attr]
    problems = [item.get_text() for item in page.select("li")]
    assert any(problem.startswith(f"{story}:") for problem in problems), problems
    wait_for(
        lambda: any("error: " in line and str(story) in line for line in served.console),
        "the problem on the console",
    )

    story.write_text(story_text(title="Lagad"), encoding="utf-8")
    wait_for(lambda: served.heading() == "Lagad", "the fixed page")


def test_a_burst_of_saves_renders_a_few_times_and_the_last_save_wins(
    served: Served, story: Path
) -> None:
    before = served.renders()
    saves = 40
    for number in range(saves):
        story.write_text(story_text(title=f"Sparning {number}"), encoding="utf-8")
        time.sleep(0.003)
    wait_for(lambda: served.heading() == f"Sparning {saves - 1}", "the last save")
    time.sleep(1.0)  # anything still queued would render now
    after = served.renders()
    assert served.heading() == f"Sparning {saves - 1}"
    # Saves made during a render are one change for the next: no render per save.
    assert 1 <= after - before < saves // 2, served.console[-5:]
    time.sleep(1.0)
    assert served.renders() == after  # and nothing goes on rendering afterwards


def test_a_save_by_rename_is_seen(served: Served, story: Path) -> None:
    # An atomic writer: a new file, renamed onto the story (a new inode).
    temporary = story.with_name(".story.yaml.tmp")
    temporary.write_text(story_text(title="Omdöpt"), encoding="utf-8")
    temporary.replace(story)
    wait_for(lambda: served.heading() == "Omdöpt", "the renamed-in save")

    # vim's way with backupcopy=no: the old file moved aside, a new one written, the backup gone.
    backup = story.with_name("story.yaml~")
    story.rename(backup)
    story.write_text(story_text(title="Vim"), encoding="utf-8")
    backup.unlink()
    wait_for(lambda: served.heading() == "Vim", "vim's save")


def record_post(story: Path, author: str) -> None:
    """Save a snapshot of the story's post through the store, as ``fetch`` does."""
    store = SnapshotStore.load(story.with_name("story.snapshots.json"))
    store.record_success(
        Snapshot(
            url=POST_URL,
            status=SnapshotStatus.OK,
            fetched_at=dt.datetime(2017, 1, 13, tzinfo=dt.UTC),
            card=Card(kind=CardKind.POST, url=POST_URL, text_html="<p>Hej</p>", author_name=author),
        )
    )
    store.save()


def test_snapshots_saved_by_a_fetch_meanwhile_show_and_change(served: Served, story: Path) -> None:
    def author() -> str | None:
        page = BeautifulSoup(fetch(served.url)[1], "html.parser")
        name = page.select_one("article.sb-post .sb-name")
        return name.get_text(strip=True) if name else None

    assert author() is None  # no snapshot yet: a plain link
    record_post(story, "Anna")
    wait_for(lambda: author() == "Anna", "the fetched card")
    record_post(story, "Anna Andersson")  # fetched again: the card changes, not only appears
    wait_for(lambda: author() == "Anna Andersson", "the card of the new snapshot")
    story.write_text(story_text(note="Ny anteckning."), encoding="utf-8")
    wait_for(lambda: "Ny anteckning." in fetch(served.url)[1], "the note edit")
    assert author() == "Anna Andersson"


def test_a_theme_edit_renders_every_card_with_it(tmp_path: Path) -> None:
    story = tmp_path / "themed" / "story.yaml"
    theme = story.parent / "theme"
    (theme / "partials").mkdir(parents=True)
    foot = theme / "partials" / "entry.html"
    foot.write_text('<p class="mine">ett {{ item.url }}</p>\n', encoding="utf-8")
    story.write_text(story_text() + "options:\n  theme: theme\n", encoding="utf-8")
    with serving(story) as running:

        def mine() -> str | None:
            found = BeautifulSoup(fetch(running.url)[1], "html.parser").select_one("p.mine")
            return found.get_text() if found else None

        assert mine() == f"ett {POST_URL}"
        foot.write_text('<p class="mine">två {{ item.url }}</p>\n', encoding="utf-8")
        wait_for(lambda: mine() == f"två {POST_URL}", "the edited theme")


def test_a_page_waiting_for_the_next_version_gets_it_when_the_render_is_written(
    served: Served, story: Path
) -> None:
    _, version = fetch(served.url + VERSION_PATH.lstrip("/"))
    answer: list[tuple[float, str]] = []
    waiter = threading.Thread(
        target=lambda: answer.append(
            (time.monotonic(), fetch(f"{served.url}{VERSION_PATH.lstrip('/')}?after={version}")[1])
        )
    )
    waiter.start()
    time.sleep(0.5)
    assert answer == []  # held open: nothing rendered yet
    story.write_text(story_text(title="Nästa"), encoding="utf-8")
    waiter.join(timeout=WAIT)
    assert answer
    assert int(answer[0][1]) == int(version) + 1
    assert served.heading() == "Nästa"  # the answer came after the new page was written


def test_file_events_wake_the_watcher_long_before_the_backstop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watch, "BACKSTOP_INTERVAL", 60.0)
    target = tmp_path / "story.yaml"
    target.write_text("one", encoding="utf-8")
    watcher = ChangeWatcher(lambda: [target], poll_interval=60.0)
    stopping = threading.Event()
    watcher.start()
    try:
        assert watcher.uses_events
        time.sleep(0.3)  # the watch is set up
        woke: list[float] = []
        waiter = threading.Thread(target=lambda: woke.append(bool(watcher.wait(stopping))))
        waiter.start()
        temporary = tmp_path / "new"
        temporary.write_text("two", encoding="utf-8")
        temporary.replace(target)
        waiter.join(timeout=WAIT)
        assert woke == [True]  # 60 s without events
    finally:
        watcher.stop()


def test_without_file_events_the_preview_polls(story: Path, tmp_path: Path) -> None:
    settings = PreviewSettings(
        story_path=story,
        output_dir=tmp_path / "site",
        port=0,
        poll_interval=0.05,
        file_events=False,
    )
    with PreviewServer(settings) as server:
        assert not server.uses_file_events
        version = server.version
        story.write_text(story_text(title="Polled"), encoding="utf-8")
        wait_for(lambda: server.version > version, "a render after the poll")
        assert "Polled" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
