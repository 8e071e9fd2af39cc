"""``storyboard check --links``: the state of every item at its source, changing nothing
unless ``--update``; and what a page shows of a post that disappeared."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from storyboard.clock import fixed_clock

from .cli_runner import Result, invoke
from .conftest import ProviderPlayground

OK_URL = "https://social.example/@anna/1"
GONE_URL = "https://social.example/@bo/2"
FAILING_URL = "https://social.example/@cia/3"
BROKEN_URL = "https://social.example/@dan/4"
NEW_URL = "https://social.example/@eva/5"

STORY = f"""\
title: Links
lang: en
items:
  - url: {OK_URL}
  - url: {GONE_URL}
  - url: {FAILING_URL}
  - url: {BROKEN_URL}
"""


def post(author: str, text: str, thumbnail: str | None = None) -> dict[str, object]:
    """Return a Mastodon-like oEmbed answer."""
    answer: dict[str, object] = {
        "type": "rich",
        "version": "1.0",
        "author_name": author,
        "author_url": f"https://social.example/@{author.lower()}",
        "provider_name": "Example Social",
        "html": f'<blockquote class="mastodon-embed"><p>{text}</p></blockquote>',
    }
    if thumbnail:
        answer.update(thumbnail_url=thumbnail, thumbnail_width=64, thumbnail_height=48)
    return answer


#: When the fixture fetches the story, and when the tests check its links: days apart,
#: so a stamp shows which of the two runs made it.
FETCHED = dt.datetime(2024, 5, 1, 8, 30, tzinfo=dt.UTC)
CHECKED = dt.datetime(2024, 5, 3, 17, 5, tzinfo=dt.UTC)


def run(*args: str | Path, now: dt.datetime = CHECKED) -> Result:
    """Run the CLI in-process (stdout and stderr apart), its clock saying ``now``."""
    return invoke(args, clock=fixed_clock(now))


def states(result: Result) -> dict[str, tuple[str, str]]:
    """Return ``{url: (state, detail)}`` from the lines ``check --links`` prints."""
    found = {}
    for line in result.stdout.splitlines():
        for url in (OK_URL, GONE_URL, FAILING_URL, BROKEN_URL, NEW_URL):
            state, sep, detail = line.partition(f" {url}")
            if sep:
                found[url] = (state.strip(), detail.strip())
    return found


def folder_state(folder: Path) -> dict[str, str]:
    """Return every file under ``folder`` with a hash of its bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def fetched(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> tuple[Path, list[str]]:
    """Fetch the story once (one URL never resolves), then let the sources change.

    Afterwards: one post is fine, one is gone (404), one fails (500) while its snapshot
    is good, one never resolved, and a new URL (with a thumbnail) joins the story
    without a snapshot.
    """
    playground.images["/thumb.png"] = png()
    playground.oembed[OK_URL] = post("Anna", "Still here")
    playground.oembed[GONE_URL] = post("Bo", "Soon gone")
    playground.oembed[FAILING_URL] = post("Cia", "Flaky server")
    story = write_story(STORY)
    network = ["--providers", playground.providers_file(tmp_path), "--allow-private-network"]
    assert (
        run("fetch", story, *network, now=FETCHED).exit_code == 1
    )  # BROKEN_URL: 404 from the start
    story.write_text(STORY + f"  - url: {NEW_URL}\n", encoding="utf-8")
    playground.oembed[GONE_URL] = (404, '{"error": "Record not found"}')
    playground.oembed[FAILING_URL] = (500, '{"error": "oops"}')
    playground.oembed[NEW_URL] = post("Eva", "Brand new", playground.url("/thumb.png"))
    playground.requests.clear()
    return story, network


def png() -> bytes:
    """Return a small PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def snapshots_of(story: Path) -> dict[str, dict[str, object]]:
    """Return the snapshot file's entries, by URL."""
    data = json.loads(story.with_name("story.snapshots.json").read_text(encoding="utf-8"))
    return data["snapshots"]  # type: ignore[no-any-return]


def test_check_links_lists_every_state_and_changes_nothing(
    fetched: tuple[Path, list[str]], playground: ProviderPlayground
) -> None:
    story, network = fetched
    folder = story.parent
    before = folder_state(folder)
    result = run("check", story, "--links", *network)

    assert result.exit_code == 1, result.stderr  # not every link is ok
    found = states(result)
    assert list(found) == [OK_URL, GONE_URL, FAILING_URL, BROKEN_URL, NEW_URL]  # story order
    assert found[OK_URL] == ("ok", "")
    state, detail = found[GONE_URL]
    assert state == "gone"
    assert detail.startswith(f"since {CHECKED.date().isoformat()} (404 Not Found")
    state, detail = found[FAILING_URL]
    assert state == "error"
    assert "500" in detail
    assert detail.endswith(f"the snapshot of {FETCHED.date().isoformat()} is kept")
    state, detail = found[BROKEN_URL]
    assert state == "error"
    assert "404 Not Found" in detail
    assert found[NEW_URL] == ("never fetched", "answers now; storyboard fetch keeps it")
    # Every URL was asked at its source...
    assert sum("/oembed" in path for path in playground.requests) == 5
    # ...and nothing was written: not the snapshot file, not a thumbnail, no stray file.
    assert folder_state(folder) == before
    assert "/thumb.png" not in playground.requests


def test_check_links_update_saves_what_it_found(
    fetched: tuple[Path, list[str]], tmp_path: Path
) -> None:
    story, network = fetched
    earlier = snapshots_of(story)
    result = run("check", story, "--links", "--update", *network)

    assert result.exit_code == 1
    found = states(result)
    assert found[GONE_URL][0] == "gone"
    assert found[NEW_URL] == ("ok", "")
    saved = snapshots_of(story)
    # Gone: the snapshot is kept whole and marked, with the date and the reason.
    gone = saved[GONE_URL]
    assert gone["status"] == "gone"
    assert gone["gone_since"] == CHECKED.date().isoformat()
    assert gone["card"] == earlier[GONE_URL]["card"]
    assert "404" in gone["last_error"]["message"]  # type: ignore[index]
    # A failing source never costs a good snapshot.
    failing = saved[FAILING_URL]
    assert failing["status"] == "ok"
    assert failing["card"] == earlier[FAILING_URL]["card"]
    assert "500" in failing["last_error"]["message"]  # type: ignore[index]
    # The new URL is saved, its thumbnail archived.
    image = saved[NEW_URL]["card"]["image"]  # type: ignore[index]
    assert (story.with_name("story.assets") / image["path"]).is_file()

    # The page renders the gone post from the archive, with a visible note.
    out = tmp_path / "site"
    rendered = run("render", story, "-o", out, "--offline")
    assert rendered.exit_code == 1  # the URL that never resolved is a link card
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "Soon gone" in html
    assert "No longer available at the source; archived on " in html
    # The link card says why, in a sentence; "404 Not Found from ..." stays on stderr.
    assert "could not be fetched. The source says it does not exist." in html


def test_a_second_check_reports_the_same(fetched: tuple[Path, list[str]]) -> None:
    story, network = fetched
    first = states(run("check", story, "--links", *network))
    second = states(run("check", story, "--links", *network))
    assert first == second


def test_check_without_links_never_touches_the_network(
    fetched: tuple[Path, list[str]], playground: ProviderPlayground
) -> None:
    story, network = fetched
    before = folder_state(story.parent)
    result = run("check", story, *network)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert playground.requests == []
    assert folder_state(story.parent) == before


def test_all_links_ok_exits_0(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> None:
    playground.oembed[OK_URL] = post("Anna", "Still here")
    story = write_story(f"title: One\nitems:\n  - url: {OK_URL}\n")
    network = ["--providers", playground.providers_file(tmp_path), "--allow-private-network"]
    assert run("fetch", story, *network).exit_code == 0
    result = run("check", story, "--links", *network)
    assert result.exit_code == 0, result.stderr
    assert states(result) == {OK_URL: ("ok", "")}
