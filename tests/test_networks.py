"""Platform APIs read one post at a time: its addresses, request URLs, and its card."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from storyboard.model.card import CardKind
from storyboard.model.snapshot import SourceKind
from storyboard.networks import bluesky, mastodon

STATUS = {
    "id": "109372843234",
    "created_at": "2022-11-19T10:00:00.000Z",
    "visibility": "public",
    "url": "https://social.example/@anna/109372843234",
    "uri": "https://social.example/users/anna/statuses/109372843234",
    "content": "<p>First line<br>second</p><p>Third</p>",
    "spoiler_text": "",
    "account": {
        "acct": "anna",
        "username": "anna",
        "display_name": "Anna A.",
        "url": "https://social.example/@anna",
        "avatar_static": "https://social.example/avatars/anna.png",
    },
    "media_attachments": [
        {
            "type": "image",
            "url": "https://social.example/media/1.jpg",
            "meta": {"original": {"width": 800, "height": 600}},
        }
    ],
}


@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        ("https://social.example/@anna/109372843234", ("https://social.example", "109372843234")),
        ("https://Social.Example:8443/@anna/1/", ("https://social.example:8443", "1")),
        ("https://social.example/@bo@other.example/77", ("https://social.example", "77")),
        ("https://social.example/users/anna/statuses/5", ("https://social.example", "5")),
        ("https://social.example/web/statuses/5", ("https://social.example", "5")),
        ("https://gts.example/@anna/01HBQ1K0ZC", ("https://gts.example", "01HBQ1K0ZC")),
        ("https://social.example/@anna", None),
        ("https://social.example/@anna/1/embed", None),
        ("https://social.example/tags/cats", None),
        ("ftp://social.example/@anna/1", None),
    ],
)
def test_parse_status_url(url: str, parsed: tuple[str, str] | None) -> None:
    assert mastodon.parse_status_url(url) == parsed


def test_status_api_url_names_the_status_on_its_server() -> None:
    found = mastodon.parse_status_url("https://social.example/@anna/109372843234")
    assert found is not None
    assert mastodon.status_api_url(*found) == (
        "https://social.example/api/v1/statuses/109372843234"
    )


def test_tag_timeline_url_pages_by_max_id() -> None:
    url = mastodon.tag_timeline_url("https://social.example", "café", max_id="42")
    parts = urlsplit(url)
    assert parts.path == "/api/v1/timelines/tag/caf%C3%A9"
    assert parse_qs(parts.query) == {"limit": ["40"], "max_id": ["42"]}


def test_one_status_becomes_a_card() -> None:
    endpoint = "https://social.example/api/v1/statuses/109372843234"
    snapshot = mastodon.status_snapshot(STATUS, endpoint=endpoint)
    assert snapshot is not None
    assert snapshot.url == "https://social.example/@anna/109372843234"
    assert snapshot.source is not None
    assert snapshot.source.kind is SourceKind.IMPORT
    assert snapshot.source.endpoint == endpoint
    card = snapshot.card
    assert card is not None
    assert card.kind is CardKind.POST
    assert card.author_handle == "@anna@social.example"
    assert card.author_name == "Anna A."
    assert card.published == dt.datetime(2022, 11, 19, 10, tzinfo=dt.UTC)
    assert card.image is not None
    assert (card.image.url, card.image.width, card.image.height) == (
        "https://social.example/media/1.jpg",
        800,
        600,
    )
    assert mastodon.status_plain_text(STATUS).splitlines() == ["First line", "second", "Third"]


def test_a_boost_stands_for_its_original() -> None:
    boost = {
        "id": "2",
        "url": "https://other.example/@bo/2",
        "account": {"acct": "bo"},
        "reblog": {**STATUS, "account": {**STATUS["account"], "acct": "anna@social.example"}},
    }
    snapshot = mastodon.status_snapshot(boost, endpoint="https://other.example/api/v1/x")
    assert snapshot is not None
    assert snapshot.url == "https://social.example/@anna/109372843234"
    assert snapshot.card is not None
    assert snapshot.card.author_handle == "@anna@social.example"


def test_a_status_without_a_web_address_has_no_snapshot() -> None:
    status = {**STATUS, "url": None, "uri": "tag:social.example,2022:1"}
    assert mastodon.status_snapshot(status, endpoint="https://social.example/api") is None


def test_a_sensitive_status_shows_no_picture() -> None:
    snapshot = mastodon.status_snapshot(
        {**STATUS, "sensitive": True}, endpoint="https://s.example/"
    )
    assert snapshot is not None
    assert snapshot.card is not None
    assert snapshot.card.image is None


POST = {
    "uri": "at://did:plc:abc123/app.bsky.feed.post/3kabc",
    "indexedAt": "2024-02-01T09:00:00.000Z",
    "author": {"did": "did:plc:abc123", "handle": "anna.example.com", "displayName": "Anna"},
    "record": {"text": "Hello #cats", "createdAt": "2024-02-01T08:59:00.000Z"},
    "labels": [],
}


@pytest.mark.parametrize(
    ("url", "at_uri"),
    [
        (
            "https://bsky.app/profile/anna.example.com/post/3kabc",
            "at://anna.example.com/app.bsky.feed.post/3kabc",
        ),
        (
            "https://bsky.app/profile/did:plc:abc123/post/3kabc/",
            "at://did:plc:abc123/app.bsky.feed.post/3kabc",
        ),
        ("https://bsky.app/profile/anna.example.com", None),
        ("https://bsky.app/profile/not_a_handle/post/3kabc", None),
        ("https://example.com/profile/anna.example.com/post/3kabc", None),
    ],
)
def test_parse_post_url(url: str, at_uri: str | None) -> None:
    assert bluesky.parse_post_url(url) == at_uri


def test_get_posts_url_asks_for_each_uri() -> None:
    uris = ["at://a.example/app.bsky.feed.post/1", "at://b.example/app.bsky.feed.post/2"]
    url = bluesky.get_posts_url(bluesky.DEFAULT_APPVIEW, uris)
    parts = urlsplit(url)
    assert parts.path == "/xrpc/app.bsky.feed.getPosts"
    assert parse_qs(parts.query) == {"uris": uris}


def test_search_url_covers_whole_days() -> None:
    url = bluesky.search_url(
        bluesky.DEFAULT_APPVIEW,
        query="#cats",
        tag="cats",
        since=dt.date(2024, 2, 1),
        until=dt.date(2024, 2, 3),
    )
    query = parse_qs(urlsplit(url).query)
    assert query["since"] == ["2024-02-01T00:00:00Z"]
    assert query["until"] == ["2024-02-04T00:00:00Z"]  # exclusive: through the 3rd
    assert query["tag"] == ["cats"]


def test_one_post_view_becomes_a_card() -> None:
    endpoint = bluesky.get_posts_url(bluesky.DEFAULT_APPVIEW, [POST["uri"]])
    snapshot = bluesky.post_snapshot(POST, endpoint=endpoint)
    assert snapshot is not None
    assert snapshot.url == "https://bsky.app/profile/anna.example.com/post/3kabc"
    card = snapshot.card
    assert card is not None
    assert card.author_handle == "@anna.example.com"
    assert card.text_html == "<p>Hello #cats</p>"
    assert card.published == dt.datetime(2024, 2, 1, 8, 59, tzinfo=dt.UTC)


def test_a_post_whose_handle_no_longer_resolves_has_no_snapshot() -> None:
    post = {**POST, "author": {"handle": bluesky.INVALID_HANDLE}}
    assert bluesky.post_snapshot(post, endpoint="https://appview.example/xrpc/") is None
