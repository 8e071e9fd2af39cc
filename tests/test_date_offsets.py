"""A post's time keeps the offset its source wrote, in the snapshot and in story.json.

A provider on loopback answers with ``2017-05-04T10:00:00+03:00``: the snapshot keeps it as
written (faithful to the source), cards show it in the story's time zone, and snapshot
files written before (the same moment in UTC) still load and render the same.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from storyboard import loose

from .cli_runner import Result, invoke
from .conftest import ProviderPlayground

POST = "https://social.example/@anna/1"
WRITTEN = "2017-05-04T10:00:00+03:00"
STORY = f"""\
title: Offsets
timezone: Europe/Stockholm
items:
  - url: {POST}
"""
#: 07:00 UTC is 09:00 in Stockholm in May (CEST).
SHOWN_IN_STOCKHOLM = 'datetime="2017-05-04T09:00:00+02:00"'


def run(*args: str | Path) -> Result:
    return invoke(args)


def fetched(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> Path:
    playground.oembed[POST] = {
        "type": "link",
        "version": "1.0",
        "title": "A post from Helsinki",
        "author_name": "Anna",
        "upload_date": WRITTEN,
    }
    story = write_story(STORY)
    providers = playground.providers_file(tmp_path)
    result = run("fetch", story, "--providers", providers, "--allow-private-network")
    assert result.exit_code == 0, result.stderr
    return story


def published_in_snapshot_file(story: Path) -> str:
    data = json.loads(story.with_name(f"{story.stem}.snapshots.json").read_text("utf-8"))
    (snapshot,) = data["snapshots"].values()
    value: str = snapshot["card"]["published"]
    return value


def rendered(story: Path, out: Path, fmt: str, name: str) -> str:
    result = run("render", story, "-o", out, "--offline", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    return (out / name).read_text(encoding="utf-8")


def test_a_moment_keeps_its_offset_in_the_snapshot_and_shows_in_the_story_zone(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> None:
    story = fetched(playground, write_story, tmp_path)

    assert published_in_snapshot_file(story) == WRITTEN
    document = json.loads(rendered(story, tmp_path / "json", "json", "story.json"))
    assert document["items"][0]["card"]["published"] == WRITTEN
    assert SHOWN_IN_STOCKHOLM in rendered(story, tmp_path / "page", "page", "index.html")
    assert SHOWN_IN_STOCKHOLM in rendered(story, tmp_path / "md", "markdown", "story.md")


def test_a_snapshot_file_written_in_utc_still_loads_and_shows_the_same(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> None:
    story = fetched(playground, write_story, tmp_path)
    snapshots = story.with_name(f"{story.stem}.snapshots.json")
    old = snapshots.read_text("utf-8").replace(WRITTEN, "2017-05-04T07:00:00Z")
    snapshots.write_text(old, encoding="utf-8")

    assert SHOWN_IN_STOCKHOLM in rendered(story, tmp_path / "page", "page", "index.html")
    document = json.loads(rendered(story, tmp_path / "json", "json", "story.json"))
    assert document["items"][0]["card"]["published"] == "2017-05-04T07:00:00Z"


def test_the_date_parser_keeps_the_offset_and_utc_moment_converts() -> None:
    found = loose.moment(WRITTEN)
    assert isinstance(found, dt.datetime)
    assert found.utcoffset() == dt.timedelta(hours=3)
    assert found.hour == 10
    rfc = loose.moment("Thu, 04 May 2017 10:00:00 +0300")
    assert isinstance(rfc, dt.datetime)
    assert rfc.utcoffset() == dt.timedelta(hours=3)
    utc = loose.utc_moment(WRITTEN)
    assert utc is not None
    assert (utc.tzinfo, utc.hour) == (dt.UTC, 7)
