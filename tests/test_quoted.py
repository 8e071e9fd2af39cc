"""storyboard quoted: the people a story quotes, by network, and messages that fit."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

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

from .cli_runner import Result, invoke

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
    return invoke(args)


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
    # The story is in Swedish: so is everything the command prints about it.
    assert "== Mastodon: 2 personer, 3 inlägg ==" in out
    assert "@anna@social.example  Anna Example  https://social.example/@anna  (2 inlägg)" in out
    assert "== X: 1 person, 1 inlägg ==" in out
    assert "-- meddelande 1 av 1 för Mastodon (" in out
    assert "/500 tecken) --" in out
    assert "/300 grafem) --" in out
    assert (
        "Du citeras i AnkSoMe 2017: https://blog.example/anksome\n"
        "@anna@social.example @bo@other.example\n"
    ) in out
    assert (
        "Du citeras i AnkSoMe 2017: https://blog.example/anksome\n@sara.bsky.social @tove.example\n"
    ) in out
    assert "Du citeras i AnkSoMe 2017: https://blog.example/anksome\n@mikael\n" in out
    assert "storyboard vet inte hur man nämner personer på YouTube" in out
    assert "ingen känd författare för https://blog.example/a-page" in result.stderr
    assert "<din sidas adress>" not in out
    for english in ("people", "items", "message", "characters", "no author known"):
        assert english not in out + result.stderr, english


def test_cli_quoted_without_url_uses_a_placeholder_and_says_so(story: Path) -> None:
    result = run("quoted", story)
    assert result.exit_code == 0, result.stderr
    assert "Du citeras i AnkSoMe 2017: <din sidas adress>\n" in result.stdout
    assert "ersätt <din sidas adress> med din sidas adress" in result.stderr


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "== Mastodon: 2 people, 3 items ==",
                "(2 items)",
                "== X: 1 person, 1 item ==",
                "-- message 1 of 1 for Mastodon (",
                "/500 characters) --",
                "You are quoted in AnkSoMe 2017: <URL of your page>\n",
                "storyboard does not know how to mention people on YouTube",
                "no author known for https://blog.example/a-page (no snapshot yet)",
                f"replace {URL_PLACEHOLDER} with your page's address",
            ],
        ),
        (
            "fi",
            [
                "== Mastodon: 2 henkilöä, 3 kohdetta ==",
                "(2 kohdetta)",
                "== X: 1 henkilö, 1 kohde ==",
                "-- viesti 1/1 palveluun Mastodon (",
                "/500 merkkiä) --",
                "Sinua lainataan jutussa AnkSoMe 2017: <sivusi osoite>\n",
                "storyboard ei osaa mainita henkilöitä palvelussa YouTube",
                "kirjoittaja ei tiedossa: https://blog.example/a-page",
                "korvaa <sivusi osoite> sivusi osoitteella",
            ],
        ),
    ],
)
def test_cli_quoted_speaks_the_story_language(story: Path, lang: str, expected: list[str]) -> None:
    story.write_text(STORY.replace("lang: sv", f"lang: {lang}"), encoding="utf-8")
    result = run("quoted", story)
    assert result.exit_code == 0, result.stderr
    for line in expected:
        assert line in result.stdout + result.stderr, line


def test_cli_quoted_with_nothing_fetched_says_so_in_the_story_language(tmp_path: Path) -> None:
    story = tmp_path / "empty.yaml"
    story.write_text(
        "title: T\nlang: sv\nitems:\n  - url: https://blog.example/a-page\n", encoding="utf-8"
    )
    result = run("quoted", story)
    assert result.exit_code == 0, result.stderr
    assert "Inga citerade personer hittades (kör storyboard fetch först?)." in result.stderr


def test_a_translated_placeholder_is_measured_as_a_link() -> None:
    (message,) = quoted_messages(X, ["@mikael"], title="T", url=None, lang="fi")
    assert "<sivusi osoite>" in message
    assert X.measure(message, placeholder="<sivusi osoite>") == X.measure(
        message.replace("<sivusi osoite>", "https://blog.example/a-long-address")
    )


def test_cli_quoted_rejects_a_bad_url(story: Path) -> None:
    result = run("quoted", story, "--url", "blog.example/anksome")
    assert result.exit_code == 2
    assert "--url" in result.stderr
