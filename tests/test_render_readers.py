"""What readers see in the story's language and time zone, and labels that tell the truth."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from storyboard.errors import StoryError
from storyboard.language_guess import guess_language
from storyboard.model.card import CardKind
from storyboard.model.snapshot import FetchFailure, SnapshotStatus, Source, SourceKind
from storyboard.model.story import EmbedMode
from storyboard.preview.handler import error_page
from storyboard.storyfile.loader import parse_story
from storyboard.storyfile.skeleton import new_story_text

from .cli_runner import invoke
from .conftest import ProviderPlayground
from .test_render import (
    RenderFn,
    assets_dir,
    keyed,
    make_story,
    post_card,
    render,
    snap,
)

__all__ = ["assets_dir", "render"]  # fixtures, found by name

TWEET = "https://twitter.com/anna/status/1"
TOOT = "https://mastodon.example/@anna/1"
FAILED = "https://social.example/@anna/404"


def test_a_post_shows_its_local_day_and_time_in_the_story_time_zone(render: RenderFn) -> None:
    # 23:30 UTC on the 12th is 01:30 on the 13th in Helsinki: not the day before.
    card = post_card(published=dt.datetime(2017, 1, 12, 23, 30, tzinfo=dt.UTC))
    story = make_story([{"url": card.url}], lang="fi", timezone="Europe/Helsinki")
    time = render(story, keyed(snap(card))).soup.select_one(".sb-foot time")
    assert time is not None
    assert time.get_text(strip=True) == "13.1.2017 1.30"
    assert time["datetime"] == "2017-01-13T01:30:00+02:00"


def test_a_post_dated_by_day_only_shows_the_day(render: RenderFn) -> None:
    card = post_card(published=dt.date(2017, 1, 13))
    story = make_story([{"url": card.url}], lang="sv", timezone="Europe/Helsinki")
    time = render(story, keyed(snap(card))).soup.select_one(".sb-foot time")
    assert time is not None
    assert time.get_text(strip=True) == "13 jan. 2017"


def test_an_unknown_time_zone_is_a_located_error() -> None:
    text = "title: T\nlang: en\ntimezone: Europe/Helsinky\nitems: []\n"
    with pytest.raises(StoryError) as caught:
        parse_story(text, path="s.yaml")
    message = str(caught.value.problems[0])
    assert message.startswith("s.yaml:3:11: timezone: ")
    assert "unknown time zone 'Europe/Helsinky'" in message


def test_the_toc_lists_headings_with_localized_counts_and_every_item_has_a_permalink(
    render: RenderFn,
) -> None:
    cards = [post_card(url=f"https://social.example/@anna/{n}") for n in range(3)]
    items = [
        {"heading": "Morgon"},
        {"url": cards[0].url},
        {"heading": "Eftermiddag"},
        {"url": cards[1].url},
        {"url": cards[2].url},
    ]
    story = make_story(items, lang="fi", options={"toc": True})
    soup = render(story, keyed(*(snap(c) for c in cards))).soup
    toc = soup.select_one("nav.sb-toc")
    assert toc is not None
    assert toc.h2 is not None
    assert toc.h2.get_text() == "Sisältö"
    lines = [li.get_text(" ", strip=True) for li in toc.select("li")]
    assert lines == ["Morgon (1 kohde)", "Eftermiddag (2 kohdetta)"]  # Finnish plural rules
    assert [a["href"] for a in toc.select("a")] == ["#morgon", "#eftermiddag"]
    links = soup.select("figure.sb-entry > a.sb-permalink")
    assert [a["href"] for a in links] == ["#item-2", "#item-4", "#item-5"]
    assert all(a["aria-label"] == "Linkki tähän kohtaan" for a in links)


def test_the_toc_is_on_by_default_only_above_a_few_headings(render: RenderFn) -> None:
    few = make_story([{"heading": f"Part {n}"} for n in range(3)])
    many = make_story([{"heading": f"Part {n}"} for n in range(4)])
    off = make_story([{"heading": f"Part {n}"} for n in range(4)], options={"toc": False})
    assert render(few).soup.select_one("nav.sb-toc") is None
    assert render(many).soup.select_one("nav.sb-toc") is not None
    assert render(off).soup.select_one("nav.sb-toc") is None


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (500, "500 Internal Server Error from http://127.0.0.1:9/x", "Källan fick problem"),
        (404, "404 Not Found from https://social.example/@anna/404", "Källan säger att det inte"),
        (None, "connection refused by 127.0.0.1:9", "Det gick inte att nå källan."),
    ],
)
def test_an_unresolved_card_says_why_in_the_page_language(
    render: RenderFn, status: int | None, message: str, expected: str
) -> None:
    failure = FetchFailure(
        message=message, at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC), status=status
    )
    snapshot = snap(None, url=FAILED, status=SnapshotStatus.ERROR, last_error=failure)
    story = make_story([{"url": FAILED}], lang="sv")
    said = render(story, keyed(snapshot)).soup.select_one(".sb-unresolved .sb-meta")
    assert said is not None
    text = said.get_text(" ", strip=True)
    assert text.startswith("Det gick inte att hämta det här inlägget.")
    assert expected in text
    assert "http" not in text  # the technical detail stays in the snapshot and on stderr
    assert str(status) not in text


def test_one_name_per_platform_and_the_authors_initial(render: RenderFn) -> None:
    old = post_card(url=TWEET, provider_name="Twitter", avatar=None, author_name="Anna")
    new = post_card(url=TWEET + "2", provider_name="X", avatar=None, author_name="Bo")
    story = make_story([{"url": old.url}, {"url": new.url}])
    soup = render(story, keyed(snap(old), snap(new))).soup
    labels = [a.get_text(strip=True) for a in soup.select("a.sb-source")]
    assert labels == ["View on X", "View on X"]
    assert [m.get_text() for m in soup.select(".sb-mark")] == ["A", "B"]


def test_a_collected_live_post_is_not_called_an_archived_import(render: RenderFn) -> None:
    card = post_card(url=TOOT, provider_name="Mastodon")
    api = Source(kind=SourceKind.IMPORT, provider_name="Mastodon", endpoint="https://x/api")
    story = make_story([{"url": TOOT}])
    soup = render(story, keyed(snap(card, source=api))).soup
    assert soup.select_one(".sb-imported") is None


def test_a_gone_imported_post_says_when_it_was_posted(render: RenderFn) -> None:
    card = post_card(url=TWEET, published=dt.datetime(2014, 5, 2, 10, 0, tzinfo=dt.UTC))
    storify = Source(kind=SourceKind.IMPORT, provider_name="Storify")
    gone = snap(
        card,
        source=storify,
        status=SnapshotStatus.GONE,
        fetched_at=dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
    )
    soup = render(make_story([{"url": TWEET}]), keyed(gone)).soup
    note = soup.select_one(".sb-archived")
    assert note is not None
    assert note.get_text(strip=True) == "No longer available at the source; posted on May 2, 2014."
    assert "2026" not in soup.select_one(".sb-card").get_text()  # type: ignore[union-attr]
    imported = soup.select_one(".sb-imported")
    assert imported is not None
    assert imported.get_text(strip=True) == "Kept from a Storify export."
    source = soup.select_one("a.sb-source")
    assert source is not None
    assert source.get_text(strip=True) == "X: the original is gone"


def test_live_mastodon_without_text_in_its_embed_falls_back_to_the_static_card(
    render: RenderFn,
) -> None:
    card = post_card(url=TOOT, provider_name="Mastodon", kind=CardKind.POST)
    bare = (
        '<blockquote class="mastodon-embed" data-embed-url="https://mastodon.example/@anna/1/embed">'
        '<a href="https://mastodon.example/@anna/1">Post by @anna@mastodon.example</a></blockquote>'
    )
    snapshot = snap(
        card,
        source=Source(kind=SourceKind.PROVIDER, provider_name="Mastodon"),
        oembed={"type": "rich", "html": bare},
    )
    story = make_story([{"url": TOOT}], options={"embed": EmbedMode.LIVE.value})
    soup = render(story, keyed(snapshot)).soup
    assert soup.select_one(".sb-live") is None
    text = soup.select_one(".sb-card .sb-text")
    assert text is not None
    assert "Good morning" in text.get_text()


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["Det här är dagen då vi träffas och det blir roligt för alla"], "sv"),
        (["Tänään on se päivä, kun tavataan ja se on mukavaa myös meille"], "fi"),
        (["This is the day that we meet and it was fun for all of you"], "en"),
        (["#anksome 🎉 https://t.co/x"], "sv"),  # too little to tell: the fallback
    ],
)
def test_an_import_guesses_its_language_from_its_words(texts: list[str], expected: str) -> None:
    assert guess_language(texts, fallback="sv") == expected


def test_the_preview_error_page_speaks_the_story_language() -> None:
    page = error_page(["s.yaml:3:11: timezone: unknown time zone"], "sv")
    assert '<html lang="sv">' in page
    assert "Berättelsen kan inte byggas" in page
    assert "Rätta filen och spara den" in page
    assert "Fix the file" not in page
    assert "s.yaml:3:11: timezone: unknown time zone" in page  # the curator's message as is


def test_new_proposes_the_machines_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Helsinki")
    text = new_story_text(title="Träff", lang="sv")
    assert "\ntimezone: Europe/Helsinki\n" in text
    assert parse_story(text, path="s.yaml").story.timezone == "Europe/Helsinki"


def test_a_gone_post_links_to_its_wayback_copy_found_at_fetch_time(
    playground: ProviderPlayground,
    write_story: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    post = "https://social.example/@anna/1"
    copy = "http://web.archive.org/web/20170113093000/https://social.example/@anna/1"
    playground.oembed[post] = {
        "type": "rich",
        "version": "1.0",
        "html": "<blockquote><p>Hello from Maria 01</p></blockquote>",
        "author_name": "Anna",
        "provider_name": "Example Social",
    }
    answer = {"archived_snapshots": {"closest": {"available": True, "url": copy, "status": "200"}}}
    playground.pages["/wayback/available"] = json.dumps(answer)
    monkeypatch.setenv("STORYBOARD_WAYBACK_API", playground.url("/wayback/available"))
    story = write_story(f"title: T\nlang: en\nitems:\n  - url: {post}\n")
    network = ["--providers", playground.providers_file(tmp_path), "--allow-private-network"]
    assert run_cli("fetch", story, *network) == 0
    assert not [r for r in playground.requests if r.startswith("/wayback")]  # not gone yet
    playground.oembed[post] = (404, '{"error": "gone"}')
    assert run_cli("fetch", story, "--refresh", *network) == 1

    asked = [r for r in playground.requests if r.startswith("/wayback")]
    assert len(asked) == 1
    assert "url=https%3A%2F%2Fsocial.example%2F%40anna%2F1" in asked[0]
    assert re.search(r"timestamp=\d{8}", asked[0])
    saved = json.loads(story.with_name("story.snapshots.json").read_text(encoding="utf-8"))
    snapshot = saved["snapshots"][post]
    assert snapshot["status"] == "gone"
    assert snapshot["archive_url"] == copy.replace("http://", "https://")
    # The page, rendered offline later, links to the copy.
    assert run_cli("render", story, "-o", tmp_path / "site", "--offline") == 0
    soup = BeautifulSoup((tmp_path / "site/index.html").read_text(encoding="utf-8"), "html.parser")
    link = soup.select_one("a.sb-source")
    assert link is not None
    assert link["href"] == copy.replace("http://", "https://")
    assert link.get_text(strip=True) == "Archived copy on the Wayback Machine"


def test_a_gone_post_without_a_copy_is_marked_as_gone(
    playground: ProviderPlayground,
    write_story: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    post = "https://social.example/@anna/2"
    playground.oembed[post] = {"type": "rich", "version": "1.0", "html": "<p>Hi</p>"}
    playground.pages["/wayback/available"] = '{"archived_snapshots": {}}'
    monkeypatch.setenv("STORYBOARD_WAYBACK_API", playground.url("/wayback/available"))
    story = write_story(f"title: T\nlang: en\nitems:\n  - url: {post}\n")
    network = ["--providers", playground.providers_file(tmp_path), "--allow-private-network"]
    assert run_cli("fetch", story, *network) == 0
    playground.oembed[post] = (410, '{"error": "gone"}')
    assert run_cli("fetch", story, "--refresh", *network) == 1
    assert run_cli("render", story, "-o", tmp_path / "site", "--offline") == 0
    soup = BeautifulSoup((tmp_path / "site/index.html").read_text(encoding="utf-8"), "html.parser")
    link = soup.select_one("a.sb-source")
    assert link is not None
    assert link["href"] == post
    assert link.get_text(strip=True) == "Example Social: the original is gone"


def run_cli(*args: str | Path) -> int:
    """Run the CLI in-process; return its exit status."""
    return invoke(args).exit_code
