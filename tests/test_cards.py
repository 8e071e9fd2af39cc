"""Static cards from oEmbed answers (hand-written after real providers) and page metadata."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from storyboard.extract.dates import parse_post_date
from storyboard.extract.handles import handle_from_author_url
from storyboard.extract.oembed import parse_oembed
from storyboard.extract.oembed_card import card_from_oembed
from storyboard.extract.page_card import card_from_page_metadata
from storyboard.extract.page_metadata import PageMetadata
from storyboard.extract.sanitize import LINK_REL
from storyboard.model.card import Card, CardKind, MediaAsset
from storyboard.model.card_gaps import fill_card_gaps
from storyboard.providers import ProviderRegistry

FIXTURES = Path(__file__).parent / "fixtures" / "oembed"
ENDPOINT = "https://oembed.example/api"

#: The player hosts of the built-in providers the fixtures play.
PLAYER_HOSTS = frozenset(
    {
        "www.youtube.com",
        "www.youtube-nocookie.com",
        "player.vimeo.com",
        "w.soundcloud.com",
        "www.slideshare.net",
        "embedr.flickr.com",
    }
)


def answer(name: str) -> dict[str, Any]:
    """Return a fixture's oEmbed answer as a dict, for tests to change."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def card_of(
    data: dict[str, Any],
    *,
    url: str = "https://social.example/post/1",
    hosts: frozenset[str] = PLAYER_HOSTS,
) -> Card:
    """Build the card of one oEmbed answer, as the resolver does."""
    oembed = parse_oembed(data, source=ENDPOINT)
    return card_from_oembed(oembed, url=url, provider=None, iframe_hosts=hosts)


def fixture_card(name: str, **kwargs: Any) -> Card:
    """Build the card of a fixture file."""
    return card_of(answer(name), **kwargs)


# -- X / Twitter -------------------------------------------------------------------------


def test_x_post_card() -> None:
    card = fixture_card("x_post", url="https://twitter.com/ExampleNews/status/819846448542769728")
    assert card.kind is CardKind.POST
    assert card.url == "https://twitter.com/ExampleNews/status/819846448542769728"
    assert card.author_name == "Example News Desk"
    assert card.author_handle == "@ExampleNews"
    assert card.author_url == "https://twitter.com/ExampleNews"
    assert card.provider_name == "Twitter"
    assert card.provider_url == "https://twitter.com"
    assert card.title is None
    assert card.image is None
    assert card.player_url is None
    assert card.width == 550
    assert card.height is None


def test_x_post_date_is_a_date_not_a_string() -> None:
    card = fixture_card("x_post")
    assert type(card.published) is dt.date
    assert card.published == dt.date(2017, 1, 13)


def test_x_post_text_keeps_paragraph_and_links_and_drops_attribution() -> None:
    text = fixture_card("x_post").text_html
    assert text is not None
    assert text.startswith('<p dir="ltr" lang="en">Doors open at 9 for the spring meetup.<br>')
    assert text.endswith("</p>")
    link = "https://short.example/AbCdEf1234"
    assert f'<a href="{link}" rel="{LINK_REL}">{link}</a>' in text
    assert "#ExampleConf</a>" in text
    dropped = ("&mdash;", "\u2014", "January 13, 2017", "(@ExampleNews)", "script", "blockquote")
    for fragment in dropped:
        assert fragment not in text


def test_x_localized_date_falls_back_to_the_status_id() -> None:
    data = answer("x_post")
    data["html"] = data["html"].replace("January 13, 2017", "13. tammikuuta 2017")
    card = card_of(data)
    assert card.published == dt.date(2017, 1, 13)  # the snowflake id's UTC date


def test_x_without_attribution_still_gets_handle_from_author_url() -> None:
    data = answer("x_post")
    data["html"] = '<blockquote class="twitter-tweet"><p>Only text</p></blockquote>'
    card = card_of(data)
    assert card.text_html == "<p>Only text</p>"
    assert card.author_handle == "@ExampleNews"
    assert card.published is None


def test_post_text_cannot_carry_script_or_javascript_links() -> None:
    data = answer("x_post")
    data["html"] = (
        '<blockquote class="twitter-tweet"><p onclick="x()">Hi <script>alert(1)</script>'
        '<a href="javascript:alert(1)">link</a><img src=x onerror=alert(1)></p>'
        '&mdash; A (@a) <a href="https://twitter.com/a/status/1">January 13, 2017</a>'
        "</blockquote>"
    )
    card = card_of(data)
    assert card.text_html == f'<p>Hi <a rel="{LINK_REL}">link</a></p>'


# -- Bluesky -----------------------------------------------------------------------------


def test_bluesky_post_card() -> None:
    card = fixture_card("bluesky_post")
    assert card.kind is CardKind.POST
    assert card.author_name == "Example Person"
    assert card.author_handle == "@example.bsky.social"
    assert card.author_url == "https://bsky.app/profile/example.bsky.social"
    assert card.provider_name == "Bluesky Social"
    assert card.published == dt.datetime(2017, 1, 13, 10, 0, tzinfo=dt.UTC)


def test_bluesky_text_turns_newlines_into_breaks() -> None:
    assert fixture_card("bluesky_post").text_html == (
        '<p lang="en">Slides from this morning are up.<br>Thanks to everyone who came &amp; '
        "asked questions!<br><br>https://slides.example/spring-meetup</p>"
    )


def test_bluesky_app_snippet_format() -> None:
    # The snippet the Bluesky app copies: handle alone in the link, an English date with time.
    data = answer("bluesky_post")
    data["author_name"] = "@example.bsky.social"
    data["html"] = (
        '<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:abc/app.bsky.feed.post/'
        '3k"><p lang="en">Hello<br><br><a href="https://bsky.app/profile/did:plc:abc/post/3k?'
        'ref_src=embed">[image or embed]</a></p>&mdash; Example Person (<a href="https://bsky.app/'
        'profile/did:plc:abc?ref_src=embed">@example.bsky.social</a>) <a href="https://bsky.app/'
        'profile/did:plc:abc/post/3k?ref_src=embed">January 13, 2017 at 10:00 AM</a></blockquote>'
    )
    card = card_of(data)
    assert card.published == dt.date(2017, 1, 13)
    assert card.author_name == "Example Person"
    assert card.author_handle == "@example.bsky.social"
    assert card.text_html is not None
    assert card.text_html.startswith('<p lang="en">Hello<br><br><a href="https://bsky.app/')


def test_bluesky_author_without_display_name() -> None:
    data = answer("bluesky_post")
    data["author_name"] = "@example.bsky.social"
    data["html"] = data["html"].replace(
        "Example Person (@example.bsky.social)", "@example.bsky.social"
    )
    card = card_of(data)
    assert card.author_name is None
    assert card.author_handle == "@example.bsky.social"
    assert card.published == dt.datetime(2017, 1, 13, 10, 0, tzinfo=dt.UTC)


def test_provider_url_that_is_not_a_url_is_dropped() -> None:
    data = answer("bluesky_post")
    data["provider_url"] = "Bluesky Social"  # an old Bluesky answer had this slip
    assert card_of(data).provider_url is None


# -- Mastodon, Threads, Instagram -------------------------------------------------------


def test_mastodon_post_card_has_handle_but_no_boilerplate_text() -> None:
    card = fixture_card("mastodon_post")
    assert card.kind is CardKind.POST
    assert card.author_name == "Anna Example"
    assert card.author_handle == "@anna@social.example"
    assert card.provider_name == "social.example"
    # Mastodon 4.3+ puts only "Post by ... View on Mastodon" in the blockquote: no post text.
    assert card.text_html is None
    assert card.player_url is None


def test_mastodon_handle_from_author_url_when_blockquote_is_odd() -> None:
    data = answer("mastodon_post")
    data["html"] = (
        '<blockquote class="mastodon-embed"><a href="https://social.example/">x</a></blockquote>'
    )
    assert card_of(data).author_handle == "@anna@social.example"


def test_threads_post_card() -> None:
    card = fixture_card("threads_post")
    assert card.kind is CardKind.POST
    assert card.author_handle == "@example_user"
    assert card.text_html is None
    assert card.provider_name == "Threads"


def test_instagram_caption_credit_and_time() -> None:
    card = fixture_card("instagram_post")
    assert card.kind is CardKind.POST
    assert card.text_html is not None
    assert "Sunrise over the venue" in card.text_html
    assert "A post shared by" not in card.text_html
    assert "style" not in card.text_html
    assert card.author_name == "Example Photos"
    assert card.author_handle == "@example_photos"
    assert card.published == dt.datetime(2017, 1, 13, 7, 0, 12, tzinfo=dt.UTC)
    assert card.image == MediaAsset(
        url="https://scontent.cdninstagram.example/t51.2885-15/s640x640/e35/15803012_example_n.jpg",
        width=640,
        height=640,
    )


# -- videos ------------------------------------------------------------------------------


def test_tiktok_video_with_post_text() -> None:
    card = fixture_card("tiktok_video")
    assert card.kind is CardKind.VIDEO
    assert card.author_handle == "@example_creator"
    assert card.text_html is not None
    assert card.text_html.startswith("<p>Packing the stage in 30 seconds <a href=")
    assert "#backstage</a>" in card.text_html
    assert "original sound" not in card.text_html  # the music credit is outside the caption
    assert "@example_creator" not in card.text_html
    assert card.image is not None
    assert card.image.url.startswith("https://cdn.video.example/obj/7001234567890123456")
    assert (card.image.width, card.image.height) == (576, 1024)
    assert (card.width, card.height) == (None, None)  # "100%" is no size
    assert card.player_url is None


def test_youtube_video_card() -> None:
    card = fixture_card("youtube_video", url="https://www.youtube.com/watch?v=Ex4mpleVid1")
    assert card.kind is CardKind.VIDEO
    assert card.title == "Spring meetup keynote (full talk)"
    assert card.author_name == "Example Channel"
    assert card.author_handle == "@ExampleChannel"
    assert card.player_url == "https://www.youtube-nocookie.com/embed/Ex4mpleVid1"
    assert card.image == MediaAsset(
        url="https://i.ytimg.example/vi/Ex4mpleVid1/hqdefault.jpg", width=480, height=360
    )
    assert (card.width, card.height) == (480, 270)
    assert card.text_html is None


def test_player_needs_an_allowlisted_host() -> None:
    assert fixture_card("youtube_video", hosts=frozenset()).player_url is None
    data = answer("youtube_video")
    data["html"] = '<iframe src="https://player.evil.example/embed/Ex4mpleVid1"></iframe>'
    card = card_of(data)
    assert card.kind is CardKind.VIDEO
    assert card.player_url is None


def test_vimeo_video_card() -> None:
    card = fixture_card("vimeo_video")
    assert card.kind is CardKind.VIDEO
    assert card.player_url == (
        "https://player.vimeo.com/video/123456789?h=0a1b2c3d4e&app_id=122963&dnt=1"
    )
    assert card.image == MediaAsset(
        url="https://i.vimeocdn.example/video/123456789-abcdef_640", width=640, height=360
    )
    assert card.author_handle is None  # vimeo.com/NAME is not a handle anyone writes


def test_vimeo_answer_gives_description_and_upload_date() -> None:
    # Vimeo sends both beyond the spec; they reach the card through the real parse path.
    card = card_of(answer("vimeo_video"), url="https://vimeo.com/123456789")
    assert card.description == "Two days, one crew, and a lot of cable ties."
    assert card.published == dt.date(2017, 1, 13)


@pytest.mark.parametrize(
    ("field", "value", "published"),
    [
        ("upload_date", "2017-01-13 16:35:00", dt.date(2017, 1, 13)),
        ("created_at", "2017-01-13T16:35:00Z", dt.datetime(2017, 1, 13, 16, 35, tzinfo=dt.UTC)),
        (
            "published_at",
            "2017-01-13T16:35:00+02:00",
            dt.datetime(2017, 1, 13, 14, 35, tzinfo=dt.UTC),
        ),
        ("timestamp", 1484325300, dt.datetime(2017, 1, 13, 16, 35, tzinfo=dt.UTC)),
        ("timestamp", "1484325300", dt.datetime(2017, 1, 13, 16, 35, tzinfo=dt.UTC)),
        ("published", "January 13, 2017", dt.date(2017, 1, 13)),
        ("date", "13 Jan 2017", dt.date(2017, 1, 13)),
    ],
)
def test_provider_date_fields_become_the_cards_date(
    field: str, value: object, published: dt.date
) -> None:
    data = answer("vimeo_video")
    del data["upload_date"]
    card = card_of(data | {field: value}, url="https://vimeo.com/123456789")
    assert card.published == published


@pytest.mark.parametrize("value", ["soon", "", None, True, [2017], {"y": 2017}, "99999999999999"])
def test_unreadable_provider_dates_are_ignored(value: object) -> None:
    data = answer("vimeo_video")
    del data["upload_date"]
    card = card_of(data | {"created_at": value}, url="https://vimeo.com/123456789")
    assert card.published is None


# -- photos and rich embeds --------------------------------------------------------------


def test_flickr_photo_answer() -> None:
    card = fixture_card("flickr_photo")
    assert card.kind is CardKind.PHOTO
    assert card.image == MediaAsset(
        url="https://live.staticflickr.example/65535/52512345679_fedcba4321_b.jpg",
        width=1024,
        height=768,
    )
    assert card.title == "Harbour at dusk"
    assert card.player_url is None


def test_flickr_rich_answer_for_a_photo_page_is_a_photo() -> None:
    card = fixture_card("flickr_rich_photo")
    assert card.kind is CardKind.PHOTO
    assert card.image == MediaAsset(
        url="https://live.staticflickr.example/65535/52512345678_abcdef1234_b.jpg",
        width=1024,
        height=683,
    )
    assert card.author_name == "Example Photographer"


def test_rich_photo_without_url_uses_the_image_in_html() -> None:
    data = answer("flickr_rich_photo")
    del data["url"]
    card = card_of(data)
    assert card.kind is CardKind.PHOTO
    assert card.image == MediaAsset(
        url="https://live.staticflickr.example/65535/52512345678_abcdef1234_b.jpg",
        width=1024,
        height=683,
    )


def test_soundcloud_rich_card() -> None:
    card = fixture_card("soundcloud_rich")
    assert card.kind is CardKind.RICH
    assert card.player_url == (
        "https://w.soundcloud.com/player/?visual=true&url=https%3A%2F%2Fapi.soundcloud.com"
        "%2Ftracks%2F123456789&show_artwork=true"
    )
    assert card.image == MediaAsset(
        url="https://i1.sndcdn.example/artworks-000123-abc-t500x500.jpg"
    )
    assert (card.width, card.height) == (None, 400)
    assert card.title == "Opening theme by Example Band"


def test_slideshare_rich_card() -> None:
    card = fixture_card("slideshare_rich")
    assert card.kind is CardKind.RICH
    assert card.player_url == "https://www.slideshare.net/slideshow/embed_code/key/aBcDeF123456"
    assert card.image is not None
    assert card.image.url.startswith("https://cdn.slidesharecdn.example/ss_thumbnails/")
    assert (card.image.width, card.image.height) == (170, 128)
    assert card.text_html is None  # the credit line under the player is not a post


def test_rich_with_unlisted_iframe_is_rich_without_player() -> None:
    card = fixture_card("slideshare_rich", hosts=frozenset({"www.youtube.com"}))
    assert card.kind is CardKind.RICH
    assert card.player_url is None


def test_link_answer() -> None:
    card = fixture_card("link", url="https://news.example/hybrid-meetup")
    assert card.kind is CardKind.LINK
    assert card.title == "What we learned running a hybrid meetup"
    assert card.author_name == "Example Writer"
    assert card.provider_name == "Example News"
    assert card.image == MediaAsset(
        url="https://news.example/images/hybrid-meetup.jpg", width=1200, height=630
    )


def test_non_http_thumbnail_is_ignored() -> None:
    data = answer("link")
    data["thumbnail_url"] = "javascript:alert(1)"
    assert card_of(data).image is None


def test_provider_entry_fills_missing_provider_fields() -> None:
    data = answer("mastodon_post")
    del data["provider_name"], data["provider_url"]
    provider = ProviderRegistry.builtin().by_name("YouTube")
    assert provider is not None
    card = card_from_oembed(
        parse_oembed(data, source=ENDPOINT),
        url="https://social.example/@anna/1",
        provider=provider,
        iframe_hosts=frozenset(),
    )
    assert card.provider_name == "YouTube"
    assert card.provider_url == provider.url


# -- robustness --------------------------------------------------------------------------

ODD_HTML = [
    "<blockquote",
    "<blockquote class='twitter-tweet'>",
    "<blockquote class='twitter-tweet'><p></p>&mdash;</blockquote>",
    "<blockquote><blockquote><p>nested</p></blockquote></blockquote>",
    "<p>no blockquote</p><iframe",
    "<iframe src='https://www.youtube.com/embed/'></iframe>",
    "<iframe src='http://[::1'></iframe>",
    "<img src='https://[invalid'>",
    "<![CDATA[ x ]]><!DOCTYPE html><?php echo 1 ?>",
    "</p></blockquote></a>",
    "\x00\x01\x02<blockquote>\ufffd</blockquote>",
    "<blockquote class='twitter-tweet'><p>x</p>&mdash; (@) <a href='https://twitter.com/a/"
    "status/99999999999999999999999'>Febtember 31, 2017</a></blockquote>",
    "<blockquote class='twitter-tweet'><p>x</p>&mdash; N (@n) <a href='http://[::1/status/1'>"
    "May 99, 2017</a></blockquote>",
    "<blockquote class='bluesky-embed'><p>x</p>&mdash; <a>(@n)</a> <a>2017-13-45T99:00:00Z</a>"
    "</blockquote>",
    "<blockquote class='tiktok-embed'><section><a title='@'>@</a></section></blockquote>",
    "<blockquote class='instagram-media'><p>A post shared by</p><time datetime='yesterday'>x"
    "</time></blockquote>",
    "<div>" * 500 + "deep" + "</div>" * 500,
    "<blockquote>" + "<p>a</p>" * 2000 + "</blockquote>",
]


@pytest.mark.parametrize("html", ODD_HTML)
@pytest.mark.parametrize("kind", ["rich", "video"])
def test_odd_html_never_crashes(html: str, kind: str) -> None:
    data = {
        "type": kind,
        "html": html,
        "title": "Fallback title",
        "author_name": "Someone",
        "author_url": "https://social.example/@someone",
    }
    card = card_of(data)
    assert card.title == "Fallback title"
    assert card.author_name is not None


def test_minimal_answers() -> None:
    assert card_of({"type": "link"}).kind is CardKind.LINK
    photo = card_of({"type": "photo", "url": "https://img.example/a.jpg", "width": 10, "height": 5})
    assert photo.image == MediaAsset(url="https://img.example/a.jpg", width=10, height=5)
    rich = card_of({"type": "rich", "html": "<div>widget</div>"})
    assert rich.kind is CardKind.RICH
    assert rich.image is None


# -- dates and handles -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("January 13, 2017", dt.date(2017, 1, 13)),
        ("Jan 13, 2017", dt.date(2017, 1, 13)),
        ("Sept. 3, 2021", dt.date(2021, 9, 3)),
        ("  March\n 7,  2025 ", dt.date(2025, 3, 7)),
        ("November 25, 2024 at 12:58 AM", dt.date(2024, 11, 25)),
        ("Jul 20, 2024 at 18:00", dt.date(2024, 7, 20)),
        ("13 January 2017", dt.date(2017, 1, 13)),
        ("2017-01-13", dt.date(2017, 1, 13)),
        ("2017-01-13T10:00:00.000Z", dt.datetime(2017, 1, 13, 10, 0, tzinfo=dt.UTC)),
        ("2017-01-13T12:00:00+02:00", dt.datetime(2017, 1, 13, 10, 0, tzinfo=dt.UTC)),
        ("2017-01-13 04:08:29", dt.date(2017, 1, 13)),
        ("February 30, 2017", None),
        ("13. tammikuuta 2017", None),
        ("yesterday", None),
        ("", None),
        ("2017-02-30T00:00:00Z", None),
    ],
)
def test_parse_post_date(text: str, expected: dt.date | dt.datetime | None) -> None:
    assert parse_post_date(text) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://twitter.com/ExampleNews", "@ExampleNews"),
        ("https://x.com/ExampleNews/", "@ExampleNews"),
        ("https://twitter.com/i/web/status/1", None),
        ("https://bsky.app/profile/example.bsky.social", "@example.bsky.social"),
        ("https://bsky.app/profile/did:plc:abcdef", None),
        ("https://social.example/@anna", "@anna@social.example"),
        ("https://social.example/@anna@other.example", "@anna@other.example"),
        ("https://www.tiktok.com/@example_creator", "@example_creator"),
        ("https://www.threads.net/@example_user/post/C1", "@example_user"),
        ("https://www.youtube.com/@ExampleChannel", "@ExampleChannel"),
        ("https://www.youtube.com/user/ExampleChannel", None),
        ("https://www.instagram.com/example_photos/", "@example_photos"),
        ("https://www.instagram.com/p/BPExAmPlE12/", None),
        ("https://news.example/authors/writer", None),
        ("https://news.example/", None),
        (None, None),
        ("http://[::1", None),
    ],
)
def test_handle_from_author_url(url: str | None, expected: str | None) -> None:
    assert handle_from_author_url(url) == expected


# -- page metadata -----------------------------------------------------------------------


def test_card_from_page_metadata() -> None:
    meta = PageMetadata(
        url="https://news.example/story",
        title="  A story\nabout meetups ",
        description="What happened on the day.",
        image="https://news.example/img/story.jpg",
        image_width=1200,
        image_height=630,
        site_name="Example News",
        type="article",
        author="Example Writer",
        published=dt.datetime(2017, 1, 13, 10, 0, tzinfo=dt.UTC),
        favicon="https://news.example/favicon.ico",
    )
    card = card_from_page_metadata(meta, url="https://news.example/story?id=1")
    assert card == Card(
        kind=CardKind.LINK,
        url="https://news.example/story?id=1",
        title="A story about meetups",
        description="What happened on the day.",
        author_name="Example Writer",
        published=dt.datetime(2017, 1, 13, 10, 0, tzinfo=dt.UTC),
        provider_name="Example News",
        image=MediaAsset(url="https://news.example/img/story.jpg", width=1200, height=630),
    )


def test_card_from_sparse_page_metadata() -> None:
    meta = PageMetadata(url="https://news.example/", image="data:image/png;base64,AAAA")
    card = card_from_page_metadata(meta, url="https://news.example/")
    assert card == Card(kind=CardKind.LINK, url="https://news.example/")


def test_filling_a_cards_gaps_keeps_what_it_has() -> None:
    card = Card(kind=CardKind.POST, url="https://social.example/post/1", title="Mine")
    other = Card(
        kind=CardKind.LINK,
        url="https://social.example/other",
        title="Theirs",
        description="Only theirs",
    )
    filled = fill_card_gaps(card, other)
    assert (filled.kind, filled.url, filled.title) == (card.kind, card.url, "Mine")
    assert filled.description == "Only theirs"
    assert fill_card_gaps(card, card) is card
