"""storyboard quoted: the people a story quotes, by network, and messages that fit."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from storyboard.cli.main import main
from storyboard.commands.quoted import (
    BLUESKY,
    MASTODON,
    URL_PLACEHOLDER,
    Network,
    X,
    quoted_messages,
    quoted_people,
)
from storyboard.model.card import Card, CardKind
from storyboard.model.snapshot import Snapshot, SnapshotStatus, Source, SourceKind
from storyboard.snapshots import SnapshotStore
from storyboard.storyfile.loader import load_story

STORY = """\
title: AnkSoMe 2017
lang: sv
items:
  - heading: Morgon
  - url: https://social.example/@anna/1
  - url: https://bsky.app/profile/sara.bsky.social/post/3kaaaaaaaa1
  - url: https://x.com/mikael/status/820000000000000001
  - url: https://social.example/@anna/2
  - url: https://other.example/@bo/3
  - url: https://www.youtube.com/watch?v=abcdefghijk
  - url: https://blog.example/a-page
  - url: https://bsky.app/profile/tove.example/post/3kaaaaaaaa2
"""


def card_snapshot(url: str, **card: object) -> Snapshot:
    return Snapshot(
        url=url,
        status=SnapshotStatus.OK,
        source=Source(kind=SourceKind.IMPORT),
        fetched_at=dt.datetime(2017, 1, 14, tzinfo=dt.UTC),
        card=Card(kind=CardKind.POST, url=url, **card),  # type: ignore[arg-type]
    )


@pytest.fixture
def story(tmp_path: Path) -> Path:
    path = tmp_path / "story.yaml"
    path.write_text(STORY, encoding="utf-8")
    store = SnapshotStore(tmp_path / "story.snapshots.json")
    for snapshot in (
        card_snapshot(
            "https://social.example/@anna/1",
            author_name="Anna Example",
            author_handle="@anna@social.example",
            author_url="https://social.example/@anna",
            provider_name="Mastodon",
        ),
        card_snapshot(
            "https://bsky.app/profile/sara.bsky.social/post/3kaaaaaaaa1",
            author_name="Sara",
            author_handle="@sara.bsky.social",
            author_url="https://bsky.app/profile/sara.bsky.social",
            provider_name="Bluesky",
        ),
        # An oEmbed card without a handle: it comes from the author's profile URL.
        card_snapshot(
            "https://other.example/@bo/3",
            author_name="Bo",
            author_url="https://other.example/@bo",
            provider_name="other.example",
        ),
        card_snapshot(
            "https://www.youtube.com/watch?v=abcdefghijk",
            author_name="Maria 01 Channel",
            author_url="https://www.youtube.com/channel/UCabc",
            provider_name="YouTube",
        ),
    ):
        store.record_success(snapshot)
    store.save()
    return path


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_people_are_grouped_by_network_with_their_items(story: Path) -> None:
    loaded = load_story(story)
    report = quoted_people(
        loaded.story, SnapshotStore.load(story.with_name("story.snapshots.json")).as_mapping()
    )
    groups = {group.network.name: group for group in report.groups}
    assert list(groups) == ["Mastodon", "Bluesky", "X", "YouTube"]

    mastodon = groups["Mastodon"]
    assert [(p.handle, p.name, p.profile_url, p.items) for p in mastodon.people] == [
        ("@anna@social.example", "Anna Example", "https://social.example/@anna", 2),
        ("@bo@other.example", "Bo", "https://other.example/@bo", 1),
    ]
    assert mastodon.items == 3
    bluesky = groups["Bluesky"]
    # No snapshot for tove's post: the handle comes from its URL, the profile from the handle.
    assert [(p.handle, p.profile_url) for p in bluesky.people] == [
        ("@sara.bsky.social", "https://bsky.app/profile/sara.bsky.social"),
        ("@tove.example", "https://bsky.app/profile/tove.example"),
    ]
    assert [(p.handle, p.profile_url) for p in groups["X"].people] == [
        ("@mikael", "https://x.com/mikael")
    ]
    youtube = groups["YouTube"]
    assert youtube.network.limit is None
    assert [(p.handle, p.name) for p in youtube.people] == [(None, "Maria 01 Channel")]
    assert report.unknown == ["https://blog.example/a-page"]


def handles(count: int, length: int) -> list[str]:
    return [f"@{'u' * (length - 20 - len(str(n)))}{n}@social.example" for n in range(count)]


@pytest.mark.parametrize("network", [MASTODON, BLUESKY, X])
def test_messages_fit_the_limit_and_never_cut_a_handle(network: Network) -> None:
    people = handles(60, 30)
    url = "https://blog.example/2017/01/anksome-2017-the-story-of-the-day"
    messages = quoted_messages(network, people, title="AnkSoMe 2017", url=url)
    assert len(messages) > 1
    header = f"You are quoted in AnkSoMe 2017: {url}"
    mentioned: list[str] = []
    for message in messages:
        assert network.limit is not None
        assert network.measure(message) <= network.limit
        first, *rest = message.split("\n")
        assert first == header
        assert len(rest) == 1
        mentioned += rest[0].split(" ")
    assert mentioned == people
    # Messages are filled: the next handle would not have fit.
    for message, following in itertools.pairwise(messages):
        next_handle = following.split("\n")[1].split(" ")[0]
        assert network.measure(f"{message} {next_handle}") > (network.limit or 0)


def test_links_count_23_characters_on_x_and_mastodon_but_in_full_on_bluesky() -> None:
    long_url = "https://blog.example/" + "a" * 200
    text = f"You are quoted in T: {long_url}"
    assert MASTODON.measure(text) == len("You are quoted in T: ") + 23
    assert X.measure(text) == len("You are quoted in T: ") + 23
    assert BLUESKY.measure(text) == len(text)
    # X counts CJK characters twice.
    assert X.measure("日本") == 4
    assert MASTODON.measure("日本") == 2
    # The placeholder is measured as the link it stands for.
    assert MASTODON.measure(URL_PLACEHOLDER) == 23
    assert BLUESKY.measure(URL_PLACEHOLDER) == 100


def test_a_long_title_is_shortened_to_leave_room_for_a_handle() -> None:
    title = "Ett mycket långt namn på en träff " * 12
    messages = quoted_messages(BLUESKY, ["@sara.bsky.social"], title=title, url=None)
    assert len(messages) == 1
    header, mentions = messages[0].split("\n")
    assert header.startswith("You are quoted in Ett mycket långt namn")
    assert "…: <URL of your page>" in header
    assert mentions == "@sara.bsky.social"
    assert BLUESKY.measure(messages[0]) <= 300


def test_no_message_without_handles_or_a_limit() -> None:
    assert quoted_messages(MASTODON, [], title="T", url=None) == []
    assert quoted_messages(Network("other:youtube", "YouTube"), ["@x"], title="T", url=None) == []


def test_cli_quoted_prints_people_and_ready_messages(story: Path) -> None:
    result = run("quoted", story, "--url", "https://blog.example/anksome")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "== Mastodon: 2 people, 3 items ==" in out
    assert "@anna@social.example  Anna Example  https://social.example/@anna  (2 items)" in out
    assert "== X: 1 person, 1 item ==" in out
    assert "-- message 1 of 1 for Mastodon (" in out
    assert (
        "Du citeras i AnkSoMe 2017: https://blog.example/anksome\n"
        "@anna@social.example @bo@other.example\n"
    ) in out
    assert (
        "Du citeras i AnkSoMe 2017: https://blog.example/anksome\n@sara.bsky.social @tove.example\n"
    ) in out
    assert "Du citeras i AnkSoMe 2017: https://blog.example/anksome\n@mikael\n" in out
    assert "storyboard does not know how to mention people on YouTube" in out
    assert "no author known for https://blog.example/a-page" in result.stderr
    assert URL_PLACEHOLDER not in out


def test_cli_quoted_without_url_uses_a_placeholder_and_says_so(story: Path) -> None:
    result = run("quoted", story)
    assert result.exit_code == 0, result.stderr
    assert f"Du citeras i AnkSoMe 2017: {URL_PLACEHOLDER}\n" in result.stdout
    assert f"replace {URL_PLACEHOLDER} with your page's address" in result.stderr


def test_cli_quoted_rejects_a_bad_url(story: Path) -> None:
    result = run("quoted", story, "--url", "blog.example/anksome")
    assert result.exit_code == 2
    assert "--url" in result.stderr
