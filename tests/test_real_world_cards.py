"""Faithful cards from recorded-style answers of real hosts, through the CLI.

A loopback server plays every host (news sites in several encodings, providers'
endpoints, Mastodon's and Bluesky's APIs, short-link services); ``STORYBOARD_HOST_MAP``
sends storyboard's requests for those hosts to it, with their real Host header.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from .cli_runner import Result, invoke
from .world import World, load_cases, start_world

CASES = load_cases()


@pytest.fixture
def world(httpserver: HTTPServer) -> World:
    return start_world(httpserver)


def write_story(folder: Path, urls: list[str], options: str = "") -> Path:
    story = folder / "story.yaml"
    items = "".join(f"  - url: {url}\n" for url in urls)
    story.write_text(f"title: Cards\n{options}items:\n{items}", encoding="utf-8")
    return story


def run(world: World, *args: str | Path, env: dict[str, str] | None = None) -> Result:
    environment = {"STORYBOARD_HOST_MAP": world.host_map(), **(env or {})}
    arguments = list(args)
    if arguments[0] in ("fetch", "check"):
        arguments.append("--allow-private-network")
    return invoke(arguments, env=environment)


def snapshots(story: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(story.with_name("story.snapshots.json").read_text("utf-8"))
    return data["snapshots"]


def only_snapshot(story: Path) -> dict[str, Any]:
    [snapshot] = snapshots(story).values()
    return snapshot


# -- every recorded case: title, author, picture, date ----------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_recorded_answers_give_faithful_cards(
    world: World, tmp_path: Path, case: dict[str, Any]
) -> None:
    world.add_cases([case])
    story = write_story(tmp_path, [case["url"]])
    result = run(world, "fetch", story)
    assert result.exit_code == 0, result.stderr
    card = only_snapshot(story)["card"]
    expect = case["expect"]
    if "title" in expect:
        assert card.get("title") == expect["title"]
    if "author" in expect:
        assert card.get("author_name") == expect["author"]
    if expect.get("image"):
        assert card.get("image", {}).get("path"), card  # archived, not only named
    if "date" in expect:
        assert str(card.get("published", ""))[:10] == expect["date"]
    if "text" in expect:
        assert expect["text"] in card.get("text_html", "")
    for value in (card.get("author_name"), card.get("title")):
        assert value is None or "\ufffd" not in value  # no mojibake replacement marks


# -- where each field came from ---------------------------------------------------------------


def test_snapshot_records_each_fields_source(world: World, tmp_path: Path) -> None:
    [case] = [c for c in CASES if c["url"].startswith("https://speakerdeck.com/")]
    world.add_cases([case])
    story = write_story(tmp_path, [case["url"]])
    assert run(world, "fetch", story).exit_code == 0
    sources = only_snapshot(story)["field_sources"]
    assert sources["title"] == "oembed"
    assert sources["author_name"] == "oembed"
    assert sources["image"] == "page"
    assert sources["published"] == "page"
    # The page was asked once, the endpoint once.
    assert sum(r.startswith("speakerdeck.com /jane/") for r in world.requests) == 1


def test_old_snapshot_files_without_field_sources_still_load(world: World, tmp_path: Path) -> None:
    story = write_story(tmp_path, ["https://fieldnotes.example.org/2026/urban-foxes"])
    old = {
        "format": 1,
        "snapshots": {
            "https://fieldnotes.example.org/2026/urban-foxes": {
                "url": "https://fieldnotes.example.org/2026/urban-foxes",
                "status": "ok",
                "source": {"kind": "page-metadata"},
                "card": {
                    "kind": "link",
                    "url": "https://fieldnotes.example.org/2026/urban-foxes",
                    "title": "Foxes",
                },
            }
        },
    }
    story.with_name("story.snapshots.json").write_text(json.dumps(old), encoding="utf-8")
    result = run(world, "render", story, "-o", tmp_path / "site")
    assert result.exit_code == 0, result.stderr


# -- Meta: link cards unless the curator opts in ----------------------------------------------

INSTAGRAM = "https://www.instagram.com/p/DAbc123XyZ/"


def instagram_answer() -> dict[str, Any]:
    return {
        "host": "graph.facebook.com",
        "path": "/v23.0/instagram_oembed",
        "status": 200,
        "content_type": "application/json",
        "body": json.dumps(
            {
                "version": "1.0",
                "type": "rich",
                "title": "Sunrise over the harbour",
                "provider_name": "Instagram",
                "html": '<blockquote class="instagram-media">Sunrise</blockquote>',
                "width": 540,
            }
        ),
    }


def test_meta_posts_store_only_a_link_and_the_official_player(world: World, tmp_path: Path) -> None:
    world.add(instagram_answer())
    story = write_story(tmp_path, [INSTAGRAM], options="options:\n  embed: click\n")
    result = run(world, "fetch", story)
    assert result.exit_code == 0, result.stderr
    snapshot = only_snapshot(story)
    assert not any(r.startswith("graph.facebook.com") for r in world.requests)
    assert snapshot["raw"] == {"storage": "link-only"}
    assert "oembed" not in snapshot
    card = snapshot["card"]
    assert card["player_url"] == "https://www.instagram.com/p/DAbc123XyZ/embed/"
    assert set(card) <= {"kind", "url", "provider_name", "provider_url", "player_url", "title"}
    rendered = run(world, "render", story, "-o", tmp_path / "site")
    assert rendered.exit_code == 0, rendered.stderr
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "https://www.instagram.com/p/DAbc123XyZ/embed/" in page  # click-to-load


def test_archive_restricted_opts_in_and_sends_the_meta_token(world: World, tmp_path: Path) -> None:
    world.add(instagram_answer())
    story = write_story(tmp_path, [INSTAGRAM], options="options:\n  archive_restricted: true\n")
    result = run(world, "fetch", story, env={"STORYBOARD_META_TOKEN": "app|secret"})
    assert result.exit_code == 0, result.stderr
    [asked] = [r for r in world.requests if r.startswith("graph.facebook.com")]
    assert "access_token=app%7Csecret" in asked
    assert "secret" not in story.with_name("story.snapshots.json").read_text(encoding="utf-8")
    card = only_snapshot(story)["card"]
    assert card["title"] == "Sunrise over the harbour"
    assert card["player_url"] == "https://www.instagram.com/p/DAbc123XyZ/embed/"


# -- LinkedIn, Google Docs, TikTok: players and clear refusals ---------------------------------


def test_a_failure_never_prints_the_meta_token(world: World, tmp_path: Path) -> None:
    story = write_story(tmp_path, [INSTAGRAM], options="options:\n  archive_restricted: true\n")
    world.add(
        {
            "host": "graph.facebook.com",
            "path": "/v23.0/instagram_oembed",
            "status": 410,
            "content_type": "application/json",
            "body": "{}",
        }
    )
    result = run(world, "fetch", story, env={"STORYBOARD_META_TOKEN": "app|secret"})
    assert result.exit_code == 1
    assert "access_token=***" in result.stderr
    assert "secret" not in result.stderr
    assert "secret" not in story.with_name("story.snapshots.json").read_text(encoding="utf-8")


def test_linkedin_refusal_is_one_clear_line(world: World, tmp_path: Path) -> None:
    url = "https://www.linkedin.com/feed/update/urn:li:activity:7265432109876543210/"
    world.add(
        {
            "host": "www.linkedin.com",
            "path": "/feed/update/urn:li:activity:7265432109876543210/",
            "status": 999,
            "content_type": "text/html",
            "body": "",
        }
    )
    story = write_story(tmp_path, [url])
    result = run(world, "fetch", story)
    assert result.exit_code == 1
    assert "LinkedIn refused to show the page to storyboard (status 999)" in result.stderr
    assert "Traceback" not in result.stderr


def test_linkedin_and_slides_cards_get_their_official_players(world: World, tmp_path: Path) -> None:
    cases = [c for c in CASES if c["url"].startswith(("https://www.linkedin.com", "https://docs."))]
    world.add_cases(cases)
    story = write_story(tmp_path, [c["url"] for c in cases])
    assert run(world, "fetch", story).exit_code == 0
    players = {s["card"]["player_url"] for s in snapshots(story).values()}
    assert players == {
        "https://www.linkedin.com/embed/feed/update/urn:li:activity:7265432109876543210",
        "https://docs.google.com/presentation/d/e/2PACX-1vQexample/embed",
    }


def test_google_file_that_is_not_public_says_so(world: World, tmp_path: Path) -> None:
    url = "https://docs.google.com/presentation/d/1PrivateDeck/edit?usp=sharing"
    world.add(
        {
            "host": "docs.google.com",
            "path": "/presentation/d/1PrivateDeck/edit",
            "status": 302,
            "headers": {"Location": "https://accounts.google.com/ServiceLogin?continue=x"},
            "content_type": "text/html",
            "body": "",
        }
    )
    world.add(
        {
            "host": "accounts.google.com",
            "path": "/ServiceLogin",
            "status": 200,
            "content_type": "text/html",
            "body": "<title>Sign in - Google Accounts</title>",
        }
    )
    story = write_story(tmp_path, [url])
    result = run(world, "fetch", story)
    assert result.exit_code == 1
    assert "the Google Docs file is not public" in result.stderr


def test_tiktok_short_link_resolves_to_the_video_and_its_player(
    world: World, tmp_path: Path
) -> None:
    [case] = [c for c in CASES if c["url"].startswith("https://vm.tiktok.com/")]
    world.add_cases([case])
    story = write_story(tmp_path, [case["url"]])
    assert run(world, "fetch", story).exit_code == 0
    snapshot = only_snapshot(story)
    assert snapshot["url"] == "https://vm.tiktok.com/ZMabc123/"  # the story's key
    assert snapshot["card"]["url"].startswith("https://www.tiktok.com/@chef.mira/video/")
    assert snapshot["card"]["player_url"] == "https://www.tiktok.com/player/v1/7301234567890123456"
    oembed_asks = [r for r in world.requests if r.startswith("www.tiktok.com /oembed")]
    assert len(oembed_asks) == 1
    assert "vm.tiktok" not in oembed_asks[0]


# -- Bluesky URL forms ------------------------------------------------------------------------


def test_bluesky_post_by_did_with_a_trailing_slash(world: World, tmp_path: Path) -> None:
    [case] = [c for c in CASES if c["url"].startswith("https://bsky.app/")]
    world.add_cases([case])
    url = "https://bsky.app/profile/did:plc:lena123/post/3lbzq5abc2k2x/"
    story = write_story(tmp_path, [url])
    assert run(world, "fetch", story).exit_code == 0
    card = only_snapshot(story)["card"]
    assert card["author_name"] == "Lena Fischer"
    assert card["avatar"]["path"]
    [asked] = [r for r in world.requests if r.startswith("public.api.bsky.app")]
    assert "did%3Aplc%3Alena123" in asked


# -- the fallback chain -----------------------------------------------------------------------


def test_endpoint_404_and_page_404_is_gone(world: World, tmp_path: Path) -> None:
    url = "https://www.dailymotion.com/video/x0gone0"
    world.add(
        {
            "host": "www.dailymotion.com",
            "path": "/services/oembed",
            "status": 404,
            "content_type": "application/json",
            "body": "{}",
        }
    )
    story = write_story(tmp_path, [url])
    result = run(world, "fetch", story)
    assert result.exit_code == 1
    assert "404" in result.stderr
    assert any(r.startswith("www.dailymotion.com /video/x0gone0") for r in world.requests)


def test_endpoint_410_is_final_without_asking_the_page(world: World, tmp_path: Path) -> None:
    url = "https://www.dailymotion.com/video/x0gone1"
    world.add(
        {
            "host": "www.dailymotion.com",
            "path": "/services/oembed",
            "status": 410,
            "content_type": "application/json",
            "body": "{}",
        }
    )
    story = write_story(tmp_path, [url])
    assert run(world, "fetch", story).exit_code == 1
    assert not any("/video/x0gone1" in r.split(" ")[1] for r in world.requests)


# -- walls ------------------------------------------------------------------------------------


def test_login_wall_gives_a_link_card_with_a_warning(world: World, tmp_path: Path) -> None:
    [case] = [c for c in CASES if c["name"] == "login wall after a redirect"]
    world.add_cases([case])
    story = write_story(tmp_path, [case["url"]])
    result = run(world, "fetch", story)
    assert result.exit_code == 0, result.stderr
    assert "the page asks to log in; a plain link card" in result.stderr
    card = only_snapshot(story)["card"]
    assert card["title"] == "The quiet harbour project"
    assert "image" not in card  # the wall's logo is not the story's picture


# -- refresh keeps the richer snapshot --------------------------------------------------------


def test_refresh_keeps_api_text_and_the_archived_picture(world: World, tmp_path: Path) -> None:
    [case] = [c for c in CASES if c["url"].startswith("https://mastodon.example.social/")]
    world.add_cases([case])
    story = write_story(tmp_path, [case["url"]])
    assert run(world, "fetch", story).exit_code == 0
    first = only_snapshot(story)["card"]
    assert "<strong>Tram strike</strong>" in first["text_html"]  # the content warning
    assert 'href="https://transit.example/strike"' in first["text_html"]

    # Now the API refuses and the picture server fails: discovery's oEmbed is all there is.
    world.add(
        {
            "host": "mastodon.example.social",
            "path": "/api/v1/statuses/113456789012345678",
            "status": 401,
            "content_type": "application/json",
            "body": "{}",
        }
    )
    world.add(
        {
            "host": "files.mastodon.example.social",
            "path": "/media/tram.png",
            "status": 500,
            "content_type": "text/plain",
            "body": "down",
        }
    )
    result = run(world, "fetch", story, "--refresh")
    assert result.exit_code == 0, result.stderr
    again = only_snapshot(story)
    assert again["source"]["kind"] == "discovery"
    assert again["card"]["text_html"] == first["text_html"]
    assert again["card"]["image"] == first["image"]
    assert again["field_sources"]["text_html"] == "api"


def test_refresh_onto_a_soft_404_keeps_the_good_snapshot(world: World, tmp_path: Path) -> None:
    [case] = [c for c in CASES if c["url"].startswith("https://fieldnotes.example.org/")]
    world.add_cases([case])
    story = write_story(tmp_path, [case["url"]])
    assert run(world, "fetch", story).exit_code == 0
    world.add(
        {
            "host": "fieldnotes.example.org",
            "path": "/2026/urban-foxes",
            "status": 200,
            "content_type": "text/html; charset=utf-8",
            "body": "<title>Page not found</title><p>Sorry, this page doesn't exist.</p>",
        }
    )
    result = run(world, "fetch", story, "--refresh")
    assert result.exit_code == 0, result.stderr
    snapshot = only_snapshot(story)
    assert snapshot["card"]["title"] == "A field guide to urban foxes"
    assert "no longer available; kept the earlier snapshot" in snapshot["last_error"]["message"]


# -- duplicates -------------------------------------------------------------------------------


def test_check_warns_about_the_same_post_in_other_forms(world: World, tmp_path: Path) -> None:
    urls = [
        "https://x.com/Jack/status/20",
        "http://www.twitter.com/jack/status/20/",
        "https://bsky.app/profile/Lena.bsky.social/post/3lbzq5abc2k2x",
        "https://bsky.app/profile/lena.bsky.social/post/3lbzq5abc2k2x/",
        "https://mastodon.example.social/@Anna/113456789012345678?utm_source=share",
        "http://mastodon.example.social/@anna/113456789012345678",
        "https://www.example.com/story/",
        "http://example.com/story",
    ]
    story = write_story(tmp_path, urls)
    result = invoke(["check", str(story)])
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "same post as" in line]
    assert len(warnings) == 4, result.stderr
    for index in (1, 3, 5, 7):
        assert any(f"items[{index}].url" in w and f"items[{index - 1}]" in w for w in warnings)


def test_slideshare_current_urls_are_asked_in_the_embed_code_form(
    world: World, tmp_path: Path
) -> None:
    url = "https://www.slideshare.net/slideshow/climate-data-pipelines/267123456"
    world.add(
        {
            "host": "www.slideshare.net",
            "path": "/api/oembed/2",
            "status": 200,
            "about": "https://www.slideshare.net/slideshow/embed_code/267123456",
            "content_type": "application/json",
            "body": json.dumps(
                {
                    "version": "1.0",
                    "type": "rich",
                    "title": "Climate data pipelines",
                    "author_name": "Meera Kumar",
                    "provider_name": "SlideShare",
                    "html": '<iframe src="https://www.slideshare.net/slideshow/embed_code/key/abc"></iframe>',
                    "width": 550,
                    "height": 400,
                }
            ),
        }
    )
    story = write_story(tmp_path, [url])
    result = run(world, "fetch", story)
    assert result.exit_code == 0, result.stderr
    snapshot = only_snapshot(story)
    assert snapshot["source"]["kind"] == "provider"
    assert snapshot["card"]["title"] == "Climate data pipelines"
    assert snapshot["card"]["url"] == url
