"""The URL normal form and the host names derived from it."""

from __future__ import annotations

import pytest

from storyboard.extract.dates import snowflake_date
from storyboard.urls import canonical_host, normalize_url, site_host


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://x.com/anna/status/1", "twitter.com"),
        ("https://mobile.twitter.com/anna/status/1", "twitter.com"),
        ("https://WWW.X.COM/anna/status/1", "twitter.com"),
        ("https://youtu.be/dQw4w9WgXcQ", "www.youtube.com"),
        ("https://social.example./@anna/1", "social.example"),
        ("https://host.example:99999/x", ""),
        ("not a url", ""),
    ],
)
def test_canonical_host_is_the_host_of_the_normal_form(url: str, host: str) -> None:
    assert canonical_host(url) == host


def test_normal_form_drops_tracking_and_aliases() -> None:
    assert (
        normalize_url("https://X.com/anna/status/1?s=20&utm_source=a#frag")
        == "https://twitter.com/anna/status/1"
    )


@pytest.mark.parametrize(
    ("host", "site"),
    [
        ("www.instagram.com", "instagram.com"),
        ("M.YouTube.com", "youtube.com"),
        ("mobile.twitter.com", "twitter.com"),
        ("mastodon.social", "mastodon.social"),
        ("mail.example", "mail.example"),
    ],
)
def test_site_host_drops_a_sites_front(host: str, site: str) -> None:
    assert site_host(host) == site


@pytest.mark.parametrize(
    "url",
    [
        "https://x.com/anna/status/820000000000000001",
        "https://m.twitter.com/anna/status/820000000000000001",
        "https://www.twitter.com/anna/status/820000000000000001",
    ],
)
def test_x_status_ids_date_posts_on_every_host_name_of_x(url: str) -> None:
    assert snowflake_date(url) is not None
    assert snowflake_date(url) == snowflake_date("https://twitter.com/a/status/820000000000000001")


def test_x_status_ids_date_nothing_elsewhere() -> None:
    assert snowflake_date("https://twitter.example/anna/status/820000000000000001") is None
