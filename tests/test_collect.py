"""storyboard collect: a loopback server plays a Mastodon instance and Bluesky's AppView.

The answers follow the public API documentation: Mastodon's tag timeline (Status
entities, newest first, paged by the Link header's ``max_id``) and Bluesky's
``app.bsky.feed.searchPosts`` (post views, paged by ``cursor``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from PIL import Image
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from storyboard.clock import fixed_clock
from storyboard.collect.from_file import parse_url_lines
from storyboard.collect.mastodon import instance_base
from storyboard.collect.model import CollectedPost, CollectFilter, first_line, oldest_first
from storyboard.collect.ratelimit import Pacer, reset_wait
from storyboard.errors import UsageError
from storyboard.networks.bluesky import bluesky_post_url, bluesky_text_html
from storyboard.networks.mastodon import mastodon_handle, mastodon_text_html

from .cli_runner import Result, invoke

DAY = dt.date(2017, 1, 13)
TAG = "anksome"


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def snowflake(when: dt.datetime, sequence: int) -> str:
    """Return a Mastodon status id: milliseconds since 1970, shifted 16 bits, plus a sequence."""
    return str((int(when.timestamp() * 1000) << 16) + sequence)


def png(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), color).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class FakeSocial:
    """A Mastodon instance and a Bluesky AppView on one loopback server."""

    server: HTTPServer
    statuses: list[dict[str, Any]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    page_size: int = 3
    #: API requests (1-based, retries counted) answered 429 with Retry-After: 1.
    throttle: set[int] = field(default_factory=set)
    #: Pages served (1-based) that say the rate limit is spent for a second.
    spent: set[int] = field(default_factory=set)
    #: HTTP status for every search request with a cursor (or all of them).
    refuse_cursor: int | None = None
    refuse_all: int | None = None
    api_requests: int = 0
    pages_served: int = 0

    @property
    def base(self) -> str:
        return self.server.url_for("").rstrip("/")

    # -- building answers ----------------------------------------------------------

    def account(self, user: str, name: str, **extra: Any) -> dict[str, Any]:
        self.images.setdefault(f"/avatars/{user}.png", png((30, 60, 90)))
        return {
            "id": str(abs(hash(user)) % 10_000),
            "username": user,
            "acct": f"{user}@social.example",
            "display_name": name,
            "url": f"https://social.example/@{user}",
            "avatar": f"{self.base}/avatars/{user}.png",
            "avatar_static": f"{self.base}/avatars/{user}.png",
            **extra,
        }

    def status(
        self,
        sequence: int,
        user: str,
        text: str,
        when: dt.datetime,
        *,
        visibility: str = "public",
        picture: bool = False,
        reblog: dict[str, Any] | None = None,
        **account_extra: Any,
    ) -> dict[str, Any]:
        status_id = snowflake(when, sequence)
        media = []
        if picture:
            self.images[f"/media/{status_id}.png"] = png((200, 120, 40))
            media.append(
                {
                    "id": status_id,
                    "type": "image",
                    "url": f"{self.base}/media/{status_id}.png",
                    "preview_url": f"{self.base}/media/{status_id}.png",
                    "description": "Maria 01",
                    "meta": {"original": {"width": 8, "height": 6}},
                }
            )
        return {
            "id": status_id,
            "created_at": iso(when),
            "visibility": visibility,
            "sensitive": False,
            "spoiler_text": "",
            "uri": f"https://social.example/users/{user}/statuses/{status_id}",
            "url": None if reblog else f"https://social.example/@{user}/{status_id}",
            "content": "" if reblog else f"<p>{text}</p>",
            "account": self.account(user, user.title(), **account_extra),
            "reblog": reblog,
            "media_attachments": media,
            "mentions": [],
            "tags": [{"name": TAG, "url": f"https://social.example/tags/{TAG}"}],
        }

    def bsky(
        self,
        rkey: str,
        handle: str,
        text: str,
        when: dt.datetime,
        *,
        facets: list[dict[str, Any]] | None = None,
        picture: bool = False,
        author_labels: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        did = f"did:plc:{rkey[:6]}"
        self.images.setdefault(f"/bsky/avatar/{rkey}.png", png((10, 130, 230)))
        post: dict[str, Any] = {
            "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
            "cid": f"bafyrei{rkey}",
            "author": {
                "did": did,
                "handle": handle,
                "displayName": handle.split(".", 1)[0].title(),
                "avatar": f"{self.base}/bsky/avatar/{rkey}.png",
                "labels": [
                    {"src": did, "uri": did, "val": v, "cts": iso(when)} for v in author_labels
                ],
            },
            "record": {
                "$type": "app.bsky.feed.post",
                "text": text,
                "createdAt": iso(when),
                "langs": ["sv"],
                **({"facets": facets} if facets else {}),
            },
            "replyCount": 0,
            "repostCount": 0,
            "likeCount": 1,
            "indexedAt": iso(when),
            "labels": [],
        }
        if picture:
            self.images[f"/bsky/img/{rkey}.png"] = png((90, 200, 90))
            post["embed"] = {
                "$type": "app.bsky.embed.images#view",
                "images": [
                    {
                        "thumb": f"{self.base}/bsky/img/{rkey}.png",
                        "fullsize": f"{self.base}/bsky/img/{rkey}.png",
                        "alt": "",
                        "aspectRatio": {"width": 8, "height": 6},
                    }
                ],
            }
        return post

    # -- answering -----------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        self.requests.append(request.full_path)
        if request.path in self.images:
            return Response(self.images[request.path], 200, content_type="image/png")
        if request.path == f"/api/v1/timelines/tag/{TAG}":
            return self._api(request, self._timeline)
        if request.path == "/xrpc/app.bsky.feed.searchPosts":
            return self._api(request, self._search)
        return Response("not found", 404)

    def _api(self, request: Request, answer: Callable[[Request], Response]) -> Response:
        self.api_requests += 1
        if self.api_requests in self.throttle:
            return Response(
                '{"error":"Too many requests"}',
                429,
                headers={"Retry-After": "1"},
                content_type="application/json",
            )
        response = answer(request)
        self.pages_served += 1
        number = self.pages_served
        reset = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
        response.headers["X-RateLimit-Limit"] = "300"
        response.headers["X-RateLimit-Remaining"] = "0" if number in self.spent else "250"
        response.headers["X-RateLimit-Reset"] = reset.isoformat().replace("+00:00", "Z")
        return response

    def _timeline(self, request: Request) -> Response:
        newest_first = sorted(self.statuses, key=lambda s: int(s["id"]), reverse=True)
        if "max_id" in request.args:
            newest_first = [s for s in newest_first if int(s["id"]) < int(request.args["max_id"])]
        limit = min(int(request.args.get("limit", "20")), 40, self.page_size)
        page = newest_first[:limit]
        headers = {}
        if page:
            path = f"{self.base}/api/v1/timelines/tag/{TAG}"
            headers["Link"] = (
                f'<{path}?limit=40&max_id={page[-1]["id"]}>; rel="next", '
                f'<{path}?limit=40&min_id={page[0]["id"]}>; rel="prev"'
            )
        return Response(json.dumps(page), 200, headers=headers, content_type="application/json")

    def _search(self, request: Request) -> Response:
        cursor = request.args.get("cursor")
        refusal = self.refuse_all or (self.refuse_cursor if cursor else None)
        if refusal:
            return Response("Forbidden", refusal, content_type="text/plain")
        newest_first = sorted(self.posts, key=lambda p: p["record"]["createdAt"], reverse=True)
        if "since" in request.args:
            newest_first = [p for p in newest_first if p["indexedAt"] >= request.args["since"]]
        if "until" in request.args:
            newest_first = [p for p in newest_first if p["indexedAt"] < request.args["until"]]
        start = int(cursor or 0)
        page = newest_first[start : start + self.page_size]
        body: dict[str, Any] = {"hitsTotal": len(newest_first), "posts": page}
        if start + self.page_size < len(newest_first):
            body["cursor"] = str(start + self.page_size)
        return Response(json.dumps(body), 200, content_type="application/json")

    def timeline_requests(self) -> list[str]:
        return [r for r in self.requests if r.startswith("/api/v1/timelines/")]

    def search_requests(self) -> list[str]:
        return [r for r in self.requests if r.startswith("/xrpc/")]


@pytest.fixture
def social(httpserver: HTTPServer) -> FakeSocial:
    fake = FakeSocial(httpserver)
    httpserver.expect_request(re.compile(".*")).respond_with_handler(fake.handle)
    return fake


STORY = """\
# The curator's own comment stays.
title: AnkSoMe 2017
date: 2017-01-13
lang: sv
items:
  - heading: Morgon   # kept too
  - url: {existing}
"""


def write_story(tmp_path: Path, existing: str) -> Path:
    path = tmp_path / "story.yaml"
    path.write_text(STORY.format(existing=existing), encoding="utf-8")
    return path


def run(*args: str | Path, stdin: str | None = None) -> Result:
    return invoke(args, input=stdin)


def snapshots_of(story: Path) -> dict[str, Any]:
    path = story.with_name("story.snapshots.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["snapshots"]
    return data


def render_offline(story: Path, out: Path, *, unfetched: str) -> str:
    """Render offline; only the item the story had before, never fetched, is a plain link."""
    result = run("render", story, "-o", out, "--offline")
    unresolved = [line for line in result.stderr.splitlines() if "unresolved" in line]
    assert unresolved == [f"unresolved: {unfetched}: no snapshot (run storyboard fetch)"]
    return (out / "index.html").read_text(encoding="utf-8")


def added_urls(story: Path) -> list[str]:
    return re.findall(r"^  - url: (\S+)$", story.read_text(encoding="utf-8"), re.MULTILINE)


# -- Mastodon ---------------------------------------------------------------------------


@pytest.fixture
def hashtag_day(social: FakeSocial) -> dict[str, dict[str, Any]]:
    """A day of #anksome: public posts, a boost, private ones, a suspended account."""
    hanna = social.status(9, "hanna", "Tidigt på plats", at(7, 45))
    posts = {
        "anna": social.status(1, "anna", "God morgon från Maria 01! #anksome", at(8), picture=True),
        "bo": social.status(2, "bo", "Kaffe först.<br>Sedan <b>allt</b> annat", at(8, 30)),
        "private": social.status(3, "cecilia", "Bara för följare", at(9), visibility="private"),
        "unlisted": social.status(4, "dan", "Olistad", at(9, 15), visibility="unlisted"),
        "suspended": social.status(5, "erik", "Borttaget konto", at(9, 30), suspended=True),
        "gustav": social.status(7, "gustav", "Lunch", at(10, 30)),
        "hanna_boost": social.status(8, "bo", "", at(11), reblog=hanna),
        "thanks": social.status(10, "anna", "Tack för i dag <script>alert(1)</script>", at(12)),
        "direct": social.status(11, "fia", "Hemligt", at(12, 30), visibility="direct"),
    }
    posts["anna_boost"] = social.status(6, "fia", "", at(10), reblog=posts["anna"])
    posts["hanna"] = hanna
    social.statuses = [s for key, s in posts.items() if key != "hanna"]
    return posts


def test_collect_mastodon_adds_public_posts_oldest_first_with_snapshots(
    social: FakeSocial, hashtag_day: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    story = write_story(tmp_path, hashtag_day["gustav"]["url"])
    before = story.read_text(encoding="utf-8")
    social.throttle = {2}  # the second page first answers 429 with Retry-After: 1
    result = run(
        "collect", story, "--mastodon", social.base, "--tag", "#anksome",
        "--allow-private-network", "--yes",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr

    # Four pages of three through the Link header (and an empty fifth), the 429 retried.
    timeline = social.timeline_requests()
    assert len(timeline) == 6
    assert timeline[1] == timeline[2]
    assert "max_id=" not in timeline[0]
    assert all("max_id=" in page for page in timeline[1:])

    # The story: its old text byte for byte, then the new items, oldest first.
    text = story.read_text(encoding="utf-8")
    assert text.startswith(before)
    expected = [hashtag_day[k]["url"] for k in ("hanna", "anna", "bo", "thanks")]
    assert added_urls(story)[1:] == expected  # the boosts gave their originals, once

    # Never collected: private, unlisted, direct, the suspended author, the story's own.
    for key in ("private", "unlisted", "suspended", "direct", "gustav"):
        assert text.count(hashtag_day[key]["url"]) == (1 if key == "gustav" else 0)
    assert "skipped 3 post(s) that are not public" in result.stderr
    assert f"skipped {hashtag_day['suspended']['url']}: its author's account is deleted" in (
        result.stderr
    )

    # The snapshots: seeded from the API, with the pictures archived.
    snapshots = snapshots_of(story)
    anna = snapshots[hashtag_day["anna"]["url"]]
    assert anna["status"] == "ok"
    assert anna["source"]["kind"] == "import"
    assert anna["source"]["provider_name"] == "Mastodon"
    # Anna's post came through its boost, on the second page.
    assert anna["source"]["endpoint"] == timeline[2].replace("/api", f"{social.base}/api", 1)
    card = anna["card"]
    assert card["kind"] == "post"
    assert card["text_html"] == "<p>God morgon från Maria 01! #anksome</p>"
    assert card["author_name"] == "Anna"
    assert card["author_handle"] == "@anna@social.example"
    assert card["author_url"] == "https://social.example/@anna"
    assert card["published"] == "2017-01-13T08:00:00Z"
    assert card["image"]["path"].endswith(".png")
    assert (tmp_path / "story.assets" / card["image"]["path"]).is_file()
    assert card["avatar"]["path"]
    assert anna["raw"]["id"] == hashtag_day["anna"]["id"]
    thanks = snapshots[hashtag_day["thanks"]["url"]]["card"]["text_html"]
    assert "script" not in thanks
    assert "alert" not in thanks
    hanna = snapshots[hashtag_day["hanna"]["url"]]["card"]
    assert hanna["author_handle"] == "@hanna@social.example"  # the original's, not the booster's
    bo = snapshots[hashtag_day["bo"]["url"]]["card"]["text_html"]
    assert bo == "<p>Kaffe först.<br>Sedan allt annat</p>"
    assert "Added 4 posts" in result.stderr

    # The story renders at once, offline, from the seeded snapshots.
    html = render_offline(story, tmp_path / "site", unfetched=hashtag_day["gustav"]["url"])
    assert "God morgon från Maria 01!" in html
    assert "Tidigt på plats" in html
    assert re.search(r'<img src="assets/[0-9a-f]{16}\.png"', html)


def test_collected_snapshots_are_stamped_by_the_commands_clock(
    social: FakeSocial, hashtag_day: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    story = write_story(tmp_path, hashtag_day["gustav"]["url"])
    moment = dt.datetime(2031, 5, 4, 3, 2, 1, tzinfo=dt.UTC)
    result = invoke(["collect", str(story), "--mastodon", social.base, "--tag", "anksome",
         "--allow-private-network", "--yes"],
        clock=fixed_clock(moment),
        )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    stamps = {snapshot["fetched_at"] for snapshot in snapshots_of(story).values()}
    assert stamps == {"2031-05-04T03:02:01Z"}


def test_collect_lists_posts_and_writes_only_when_confirmed(
    social: FakeSocial, hashtag_day: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    story = write_story(tmp_path, "https://video.example/watch/abc")
    before = story.read_bytes()
    args = ["collect", story, "--mastodon", social.base, "--tag", TAG, "--allow-private-network"]

    dry = run(*args, "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "2017-01-13 08:00 UTC  Anna (@anna@social.example)" in dry.stdout
    assert "    God morgon från Maria 01! #anksome" in dry.stdout
    assert f"    {hashtag_day['anna']['url']}" in dry.stdout
    assert "    Kaffe först." in dry.stdout  # the first line only
    assert "Sedan" not in dry.stdout
    assert "Dry run: 5 posts found; nothing written." in dry.stderr
    assert story.read_bytes() == before
    assert not story.with_name("story.snapshots.json").exists()
    assert not (tmp_path / "story.assets").exists()

    declined = run(*args, stdin="n\n")
    assert declined.exit_code == 0, declined.stderr
    assert "Add 5 posts to" in declined.stderr
    assert "Nothing written." in declined.stderr
    assert story.read_bytes() == before
    assert not story.with_name("story.snapshots.json").exists()

    accepted = run(*args, stdin="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    assert len(added_urls(story)) == 6
    assert len(snapshots_of(story)) == 5

    again = run(*args, "--yes")  # everything is in the story now
    assert again.exit_code == 0, again.stderr
    assert "No new posts to add." in again.stderr
    assert len(added_urls(story)) == 6


def test_collect_mastodon_by_day_jumps_to_the_day_and_stops_after_it(
    social: FakeSocial, tmp_path: Path
) -> None:
    day_before, day_after = DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1)
    social.statuses = [
        social.status(1, "anna", "Kvällen före", at(22, day=day_before)),
        social.status(2, "anna", "Första", at(0, 0)),
        social.status(3, "bo", "Sista", at(23, 59)),
        *[
            social.status(10 + n, "bo", f"Dagen efter {n}", at(9, n, day=day_after))
            for n in range(7)
        ],
    ]
    story = write_story(tmp_path, "https://video.example/watch/abc")
    result = run(
        "collect", story, "--mastodon", social.base, "--tag", TAG, "--allow-private-network",
        "--since", "2017-01-13", "--until", "2017-01-13", "--yes",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert [u.rsplit("/", 1)[1] for u in added_urls(story)[1:]] == [
        social.statuses[1]["id"],
        social.statuses[2]["id"],
    ]
    timeline = social.timeline_requests()
    # The first page shows newer posts; the next asks for the day's end by its id at once.
    end_of_day = int(at(0, day=day_after).timestamp() * 1000) << 16
    assert f"max_id={end_of_day}" in timeline[1]
    assert len(timeline) == 2  # that page reached the day before: no more pages


def test_collect_limit_keeps_the_most_recent_posts(
    social: FakeSocial, hashtag_day: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    story = write_story(tmp_path, "https://video.example/watch/abc")
    result = run(
        "collect", story, "--mastodon", social.base, "--tag", TAG, "--allow-private-network",
        "--limit", "2", "--yes",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert added_urls(story)[1:] == [hashtag_day["hanna"]["url"], hashtag_day["thanks"]["url"]]
    assert "reached the limit of 2 posts" in result.stderr


def test_collect_waits_when_the_rate_limit_is_spent(
    social: FakeSocial, hashtag_day: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    del hashtag_day
    social.spent = {1}
    story = write_story(tmp_path, "https://video.example/watch/abc")
    result = run(
        "collect", story, "--mastodon", social.base, "--tag", TAG, "--allow-private-network",
        "--dry-run",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert re.search(
        r"rate limit of (localhost|127\.0\.0\.1) reached: waiting [01] s", result.stderr
    )


def test_collect_mastodon_that_needs_a_login_is_one_clear_error(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request(f"/api/v1/timelines/tag/{TAG}").respond_with_json(
        {"error": "This method requires an authenticated user"}, status=422
    )
    story = write_story(tmp_path, "https://video.example/watch/abc")
    before = story.read_bytes()
    result = run(
        "collect", story, "--mastodon", httpserver.url_for("/").rstrip("/"), "--tag", TAG,
        "--allow-private-network", "--yes",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "does not show hashtag timelines without logging in (422)" in result.stderr
    assert "Traceback" not in result.stderr
    assert story.read_bytes() == before


def test_collect_follows_next_links_only_on_the_instance_asked(
    social: FakeSocial, tmp_path: Path
) -> None:
    social.statuses = [social.status(1, "anna", "Hej", at(8))]
    server = social.server
    server.clear()
    timeline = f"/api/v1/timelines/tag/{TAG}"
    server.expect_request(timeline).respond_with_json(
        social.statuses,
        headers={"Link": '<https://elsewhere.example/api/v1/x?max_id=1>; rel="next"'},
    )
    story = write_story(tmp_path, "https://video.example/watch/abc")
    result = run(
        "collect", story, "--mastodon", social.base, "--tag", TAG, "--allow-private-network",
        "--dry-run",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert [request.path for request, _ in server.log] == [timeline]
    assert "Dry run: 1 post found" in result.stderr


def test_collect_refuses_a_loopback_instance_without_the_flag(
    social: FakeSocial, tmp_path: Path
) -> None:
    story = write_story(tmp_path, "https://video.example/watch/abc")
    result = run("collect", story, "--mastodon", social.base, "--tag", TAG, "--yes")
    assert result.exit_code == 1
    assert "refused" in result.stderr
    assert "loopback" in result.stderr
    assert social.requests == []


def test_collect_keeps_the_pages_read_when_a_later_page_fails(
    social: FakeSocial, hashtag_day: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    del hashtag_day
    social.throttle = {2, 3, 4}  # three 429s in a row: the client gives up on page 2
    story = write_story(tmp_path, "https://video.example/watch/abc")

    result = run(
        "collect", story, "--mastodon", social.base, "--tag", TAG, "--allow-private-network",
        "--timeout", "5", "--yes",
    )  # fmt: skip
    assert result.exit_code == 1, result.stderr
    assert "stopped after 1 page(s): 429 Too Many Requests" in result.stderr
    assert len(added_urls(story)) == 1 + 2  # page 1: the direct message, and two public posts


# -- Bluesky ----------------------------------------------------------------------------


@pytest.fixture
def bluesky_day(social: FakeSocial) -> dict[str, dict[str, Any]]:
    text = "Hej från Maria 01 🎉 läs mer på example.org/prog… #anksome"
    data = text.encode()
    link_start = data.index(b"example.org")
    link_end = data.index("…".encode()) + len("…".encode())
    tag_start = data.index(b"#anksome")
    posts = {
        "sara": social.bsky(
            "3kaaaaaaaa1",
            "sara.bsky.social",
            text,
            at(8, 15),
            picture=True,
            facets=[
                {
                    "index": {"byteStart": link_start, "byteEnd": link_end},
                    "features": [
                        {
                            "$type": "app.bsky.richtext.facet#link",
                            "uri": "https://example.org/programme",
                        }
                    ],
                },
                {
                    "index": {"byteStart": tag_start, "byteEnd": len(data)},
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "anksome"}],
                },
            ],
        ),
        "tove": social.bsky("3kaaaaaaaa2", "tove.example", "Panelen <börjar> nu", at(9)),
        "gone": social.bsky("3kaaaaaaaa3", "handle.invalid", "Mitt konto är borta", at(9, 30)),
        "shy": social.bsky(
            "3kaaaaaaaa4",
            "ulla.bsky.social",
            "Bara inloggade",
            at(10),
            author_labels=("!no-unauthenticated",),
        ),
        "vera": social.bsky("3kaaaaaaaa5", "vera.bsky.social", "Första raden\n\nAndra", at(11)),
        "wilma": social.bsky("3kaaaaaaaa6", "wilma.bsky.social", "Kvällens mingel", at(18)),
        "next_day": social.bsky(
            "3kaaaaaaaa7", "sara.bsky.social", "Dagen efter", at(9, day=DAY + dt.timedelta(days=1))
        ),
    }
    social.posts = list(posts.values())
    social.page_size = 2
    return posts


def bsky_url(post: dict[str, Any]) -> str:
    rkey = post["uri"].rsplit("/", 1)[1]
    return f"https://bsky.app/profile/{post['author']['handle']}/post/{rkey}"


def test_collect_bluesky_pages_by_cursor_and_links_posts_on_bsky_app(
    social: FakeSocial, bluesky_day: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    story = write_story(tmp_path, "https://video.example/watch/abc")
    result = run(
        "collect", story, "--bluesky", "--tag", TAG, "--bluesky-api", f"{social.base}/xrpc",
        "--since", "2017-01-13", "--until", "2017-01-13", "--allow-private-network", "--yes",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr

    searches = social.search_requests()
    assert len(searches) == 3  # 6 posts that day, 2 a page
    for part in ("q=%23anksome", "tag=anksome", "sort=latest", "limit=100"):
        assert part in searches[0]
    assert "since=2017-01-13T00%3A00%3A00Z" in searches[0]
    assert "until=2017-01-14T00%3A00%3A00Z" in searches[0]
    assert "cursor=2" in searches[1]
    assert "cursor=4" in searches[2]

    expected = [bsky_url(bluesky_day[k]) for k in ("sara", "tove", "vera", "wilma")]
    assert added_urls(story)[1:] == expected
    assert "skipped at://did:plc:3kaaaa/app.bsky.feed.post/3kaaaaaaaa3: its author's account" in (
        result.stderr
    )
    assert "skipped 1 post(s) whose authors do not show them to logged-out readers" in (
        result.stderr
    )

    snapshots = snapshots_of(story)
    sara = snapshots[expected[0]]
    assert sara["source"]["kind"] == "import"
    assert sara["source"]["provider_name"] == "Bluesky"
    card = sara["card"]
    assert card["author_handle"] == "@sara.bsky.social"
    assert card["author_url"] == "https://bsky.app/profile/sara.bsky.social"
    assert card["published"] == "2017-01-13T08:15:00Z"
    assert card["text_html"] == (
        "<p>Hej från Maria 01 🎉 läs mer på "
        '<a href="https://example.org/programme" rel="nofollow noopener noreferrer ugc">'
        "example.org/prog…</a> "
        '<a href="https://bsky.app/hashtag/anksome" rel="nofollow noopener noreferrer ugc">'
        "#anksome</a></p>"
    )
    assert card["image"]["path"]
    assert card["image"]["width"] == 8
    tove = snapshots[expected[1]]["card"]["text_html"]
    assert tove == "<p>Panelen &lt;börjar&gt; nu</p>"
    vera = snapshots[expected[2]]["card"]["text_html"]
    assert vera == "<p>Första raden</p><p>Andra</p>"

    html = render_offline(story, tmp_path / "site", unfetched="https://video.example/watch/abc")
    assert "Panelen &lt;börjar&gt; nu" in html
    assert "Kvällens mingel" in html


def test_collect_bluesky_query_and_limit(
    social: FakeSocial, bluesky_day: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    story = write_story(tmp_path, bsky_url(bluesky_day["wilma"]))
    result = run(
        "collect", story, "--bluesky", "--query", "maria 01", "--limit", "2", "--dry-run",
        "--bluesky-api", f"{social.base}/xrpc/", "--allow-private-network",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "q=maria+01" in social.search_requests()[0]
    assert "tag=" not in social.search_requests()[0]
    # Newest first from the API, the story already has wilma: the next two, oldest first.
    listed = re.findall(r"^    (https://bsky\.app/\S+)$", result.stdout, re.MULTILINE)
    assert listed == [bsky_url(bluesky_day["vera"]), bsky_url(bluesky_day["next_day"])]


def test_collect_bluesky_search_refused_is_one_clear_error(
    social: FakeSocial, bluesky_day: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    del bluesky_day
    social.refuse_all = 403
    story = write_story(tmp_path, "https://video.example/watch/abc")
    result = run(
        "collect", story, "--bluesky", "--tag", TAG, "--bluesky-api", f"{social.base}/xrpc/",
        "--allow-private-network", "--yes",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "refused the search (403)" in result.stderr
    assert "--from-file" in result.stderr


def test_collect_bluesky_keeps_the_first_page_when_paging_is_refused(
    social: FakeSocial, bluesky_day: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    del bluesky_day
    social.refuse_cursor = 403
    story = write_story(tmp_path, "https://video.example/watch/abc")
    result = run(
        "collect", story, "--bluesky", "--tag", TAG, "--bluesky-api", f"{social.base}/xrpc/",
        "--allow-private-network", "--yes",
    )  # fmt: skip
    assert result.exit_code == 1  # written, but more posts may exist
    assert "refused the next page (403)" in result.stderr
    assert len(added_urls(story)) == 1 + 2
    assert len(snapshots_of(story)) == 2


# -- From a file ------------------------------------------------------------------------


def test_collect_from_file_adds_the_listed_urls_without_snapshots(tmp_path: Path) -> None:
    story = write_story(tmp_path, "https://video.example/watch/abc")
    urls = tmp_path / "urls.txt"
    urls.write_text(
        "# posts people sent me\n"
        "https://social.example/@anna/1\n"
        "\n"
        "https://video.example/watch/abc   # already in the story\n"
        "https://bsky.app/profile/sara.bsky.social/post/3kaaaaaaaa1\n"
        "https://social.example/@anna/1?utm_source=mail\n",
        encoding="utf-8",
    )
    result = run("collect", story, "--from-file", urls, "--yes")
    assert result.exit_code == 0, result.stderr
    assert added_urls(story) == [
        "https://video.example/watch/abc",
        "https://social.example/@anna/1",
        "https://bsky.app/profile/sara.bsky.social/post/3kaaaaaaaa1",
    ]
    assert not story.with_name("story.snapshots.json").exists()


def test_collect_from_file_under_a_new_heading(tmp_path: Path) -> None:
    story = write_story(tmp_path, "https://video.example/watch/abc")
    urls = tmp_path / "urls.txt"
    urls.write_text("https://social.example/@anna/1\n", encoding="utf-8")
    result = run("collect", story, "--from-file", urls, "--heading", "Från #anksome", "--yes")
    assert result.exit_code == 0, result.stderr
    assert story.read_text(encoding="utf-8").endswith(
        '  - heading: "Från #anksome"\n  - url: https://social.example/@anna/1\n'
    )
    assert f"run storyboard fetch {story} for their snapshots" in result.stderr


def test_a_story_that_cannot_be_added_to_fails_before_anything_is_written(
    social: FakeSocial, hashtag_day: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    del hashtag_day
    story = tmp_path / "story.yaml"
    story.write_text('title: T\nitems: [{url: "https://video.example/a"}]\n', encoding="utf-8")
    before = story.read_bytes()
    result = run(
        "collect", story, "--mastodon", social.base, "--tag", TAG, "--allow-private-network",
        "--yes",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "add the items by hand" in result.stderr
    assert story.read_bytes() == before
    assert not story.with_name("story.snapshots.json").exists()
    assert not (tmp_path / "story.assets").exists()
    assert not [r for r in social.requests if r.startswith(("/media/", "/avatars/"))]


def test_collect_from_file_names_the_bad_line(tmp_path: Path) -> None:
    story = write_story(tmp_path, "https://video.example/watch/abc")
    before = story.read_bytes()
    urls = tmp_path / "urls.txt"
    urls.write_text("https://social.example/@anna/1\nftp://files.example/x\n", encoding="utf-8")
    result = run("collect", story, "--from-file", urls, "--yes")
    assert result.exit_code == 2
    assert f"{urls}:2: not an http(s) URL" in result.stderr
    assert story.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "name one source"),
        (["--bluesky", "--mastodon", "https://social.example", "--tag", "x"], "name one source"),
        (["--mastodon", "https://social.example"], "--mastodon needs --tag"),
        (["--bluesky"], "--bluesky needs --tag or --query"),
        (["--mastodon", "https://social.example/@anna", "--tag", "x"], "the instance's address"),
        (["--mastodon", "https://social.example", "--tag", "two words"], "one word"),
        (["--bluesky", "--tag", "x", "--since", "2017-02-01", "--until", "2017-01-01"], "since"),
    ],
)
def test_collect_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    story = write_story(tmp_path, "https://video.example/watch/abc")
    result = run("collect", story, *args, "--yes")
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr


# -- Units ------------------------------------------------------------------------------


def test_reset_wait_reads_mastodon_and_bluesky_headers() -> None:
    now = dt.datetime(2017, 1, 13, 9, 0, tzinfo=dt.UTC)
    assert reset_wait({"X-RateLimit-Remaining": "3"}, now=now) is None
    assert reset_wait({}, now=now) is None
    mastodon = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2017-01-13T09:00:42.000Z"}
    assert reset_wait(mastodon, now=now) == pytest.approx(42)
    epoch = str(int(now.timestamp()) + 30)
    assert reset_wait({"RateLimit-Remaining": "0", "RateLimit-Reset": epoch}, now=now) == 30
    assert reset_wait({"RateLimit-Remaining": "0", "RateLimit-Reset": "12"}, now=now) == 12
    assert reset_wait({"RateLimit-Remaining": "0"}, now=now) == 60
    past = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2017-01-13T08:00:00Z"}
    assert reset_wait(past, now=now) == 0


def test_pacer_waits_up_to_its_cap_then_stops() -> None:
    waits: list[float] = []
    news: list[str] = []
    now = dt.datetime(2017, 1, 13, 9, 0, tzinfo=dt.UTC)
    pacer = Pacer(notify=news.append, sleep=waits.append, clock=lambda: now, cap=120)
    soon = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2017-01-13T09:01:00Z"}
    assert pacer.after(soon, "social.example") == ""
    assert waits == [60]
    assert news == ["rate limit of social.example reached: waiting 60 s"]
    late = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2017-01-13T10:00:00Z"}
    assert "resets in 3600 s" in pacer.after(late, "social.example")
    assert waits == [60]


def test_bluesky_text_facets_count_utf8_bytes_and_bad_ones_are_ignored() -> None:
    text = "åäö @vera.bsky.social 🎉 länk"
    data = text.encode()
    mention = data.index(b"@vera")
    link = data.index("länk".encode())
    record = {
        "text": text,
        "facets": [
            {
                "index": {"byteStart": mention, "byteEnd": mention + len(b"@vera.bsky.social")},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:vera"}],
            },
            {
                "index": {"byteStart": link, "byteEnd": len(data)},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "javascript:x"}],
            },
            {"index": {"byteStart": 5, "byteEnd": 999}, "features": []},
        ],
    }
    assert bluesky_text_html(record) == (
        '<p>åäö <a href="https://bsky.app/profile/did:plc:vera" '
        'rel="nofollow noopener noreferrer ugc">@vera.bsky.social</a> 🎉 länk</p>'
    )
    assert bluesky_text_html({"text": "  "}) is None
    assert bluesky_text_html({"text": "rad ett\nrad två"}) == "<p>rad ett<br>rad två</p>"


def test_mastodon_text_keeps_the_content_warning_and_drops_scripts() -> None:
    html = mastodon_text_html(
        {
            "spoiler_text": "Om <mat>",
            "content": '<p>Hej<script>x()</script> <a href="javascript:x">l</a></p>',
        }
    )
    assert html == (
        "<p><strong>Om &lt;mat&gt;</strong></p>"
        '<p>Hej <a rel="nofollow noopener noreferrer ugc">l</a></p>'
    )
    assert mastodon_text_html({"content": ""}) is None


def test_handles_and_urls() -> None:
    assert mastodon_handle({"acct": "anna"}, instance_host="social.example") == (
        "@anna@social.example"
    )
    assert mastodon_handle({"acct": "bo@other.example"}, instance_host="social.example") == (
        "@bo@other.example"
    )
    assert mastodon_handle({}, instance_host="social.example") is None
    assert bluesky_post_url("at://did:plc:x/app.bsky.feed.post/3k2", "sara.bsky.social") == (
        "https://bsky.app/profile/sara.bsky.social/post/3k2"
    )
    assert bluesky_post_url("at://did:plc:x/app.bsky.feed.like/3k2", "sara.bsky.social") is None
    assert bluesky_post_url("at://did:plc:x/app.bsky.feed.post/3k2", "handle invalid") is None
    assert instance_base("social.example") == "https://social.example"
    assert instance_base("HTTPS://Social.Example:8443/") == "https://social.example:8443"
    with pytest.raises(UsageError):
        instance_base("https://social.example/tags/anksome")


def test_url_lines_and_first_lines() -> None:
    assert parse_url_lines("# x\n\nhttps://a.example/1 # note\n", path="f") == [
        "https://a.example/1"
    ]
    with pytest.raises(UsageError, match=r"f:1: one URL a line .*and 1 more"):
        parse_url_lines("https://a.example/1 https://a.example/2\nnot a url\n", path="f")
    assert first_line("\n  \n  Hej   där \nrad två") == "Hej där"
    assert first_line("x" * 200) == "x" * 99 + "…"


def test_oldest_first_orders_by_date_and_keeps_undated_in_place() -> None:
    newest = [
        CollectedPost(url="c", published=at(12)),
        CollectedPost(url="b", published=at(9)),
        CollectedPost(url="a", published=at(9)),
        CollectedPost(url="x"),
    ]
    assert [p.url for p in oldest_first(newest)] == ["a", "b", "c", "x"]
    with pytest.raises(ValueError, match="since is after until"):
        CollectFilter(since=DAY, until=DAY - dt.timedelta(days=1))


def test_the_query_string_the_tests_use_is_what_urlencode_gives() -> None:
    # The assertions above read URLs the way the collector writes them.
    assert urlencode({"q": "#anksome", "since": "2017-01-13T00:00:00Z"}) == (
        "q=%23anksome&since=2017-01-13T00%3A00%3A00Z"
    )


def test_a_second_collect_puts_older_posts_among_the_story_in_time_order(
    social: FakeSocial, hashtag_day: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    story = write_story(tmp_path, "https://elsewhere.example/undated")
    everything = social.statuses
    args = ["--mastodon", social.base, "--tag", "anksome", "--allow-private-network", "--yes"]
    # The first run sees only the lunch post and the thanks (10:30 and 12:00).
    social.statuses = [hashtag_day["gustav"], hashtag_day["thanks"]]
    assert run("collect", story, *args).exit_code == 0
    # The second sees the whole day: 07:45, 08:00 and 08:30 go before lunch, not at the end.
    social.statuses = everything
    result = run("collect", story, *args)
    assert result.exit_code == 0, result.stderr
    order = [hashtag_day[k]["url"] for k in ("hanna", "anna", "bo", "gustav", "thanks")]
    # The undated item is never compared with: it stays first, before every dated post.
    assert added_urls(story) == ["https://elsewhere.example/undated", *order]
    assert "Added 3 posts" in result.stderr
