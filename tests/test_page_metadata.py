"""Page metadata: OpenGraph > Twitter Card > JSON-LD > generic markup, never a crash."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from storyboard.extract.page_metadata import PageMetadata, extract_page_metadata

PAGES = Path(__file__).parent / "fixtures" / "pages"


def _extract(name: str, base_url: str) -> PageMetadata:
    return extract_page_metadata((PAGES / name).read_text(encoding="utf-8"), base_url=base_url)


def test_opengraph_wins_over_every_other_source() -> None:
    meta = _extract("all-sources.html", "https://news.example/2024/05/lead-story?utm=x")
    assert meta == PageMetadata(
        url="https://news.example/2024/05/lead-story",
        title="OpenGraph title",
        description="OpenGraph description, with extra spaces.",
        # secure_url belongs to the first og:image, and so do its sizes.
        image="https://cdn.news.example/media/lead.jpg",
        image_width=1200,
        image_height=630,
        site_name="News Example",
        type="article",
        author="Olga Opengraph",
        published=dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        favicon="https://news.example/favicon.ico",
    )


def test_twitter_card_wins_over_json_ld_and_generic() -> None:
    meta = _extract("twitter-card.html", "https://social.example/anna/1")
    assert meta.title == "Twitter title"
    assert meta.description == "Twitter description."
    assert meta.image == "https://cdn.social.example/card.png"  # protocol-relative resolved
    assert (meta.image_width, meta.image_height) == (None, None)
    # Twitter Cards have no author name or date: JSON-LD supplies them.
    assert meta.author == "Anna Example"
    assert meta.published == dt.datetime(2023, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
    assert meta.type == "article"
    assert meta.url == "https://social.example/anna/1"
    assert meta.favicon is None


def test_json_ld_graph_wins_over_generic() -> None:
    meta = _extract("json-ld.html", "https://blog.example/posts/one")
    assert meta == PageMetadata(
        url="https://blog.example/posts/one",
        title="A post about graphs",  # the article's headline, not the WebPage's name
        description="JSON-LD description.",
        # The first ImageObject has an empty url; the second's contentUrl is relative
        # to <base href>.
        image="https://blog.example/posts/images/graph.png",
        image_width=800,
        image_height=600,
        site_name="The Blog Example",
        type="article",
        author="Grace Graph",
        published=dt.date(2022, 11, 12),
        favicon="https://blog.example/posts/touch.png",
    )


def test_generic_markup_is_the_last_resort() -> None:
    meta = _extract("generic.html", "https://plain.example/dir/page")
    assert meta == PageMetadata(
        url="https://plain.example/canonical-page",
        title="Plain page title",
        description="A plain description & nothing more.",
        site_name="Plain Site",
        author="Paula Plain",
        published=dt.date(2021, 3, 4),
        favicon="https://plain.example/dir/static/icon.ico",
    )


def test_mastodon_post_page() -> None:
    meta = _extract("mastodon-post.html", "https://social.example/@anna/109876543210")
    assert meta.title == "Anna Example (@anna@social.example)"
    assert meta.description == "Good morning, meetup!"
    assert meta.site_name == "Social Example"
    assert meta.image == "https://files.social.example/media/original.png"
    assert (meta.image_width, meta.image_height) == (1024, 768)
    assert meta.published == dt.datetime(2017, 1, 13, 9, 30, tzinfo=dt.UTC)
    assert meta.favicon == "https://social.example/packs/favicon.ico"


def test_broken_page_yields_only_what_is_valid() -> None:
    meta = _extract("broken.html", "https://broken.example/page")
    # The valid things: a JSON-LD object typed Article (its other values are not), and
    # article:author, a URL: the author's link, never their name.
    assert meta == PageMetadata(
        url="https://broken.example/page",
        type="article",
        author_url="https://broken.example/authors/bob",
    )


@pytest.mark.parametrize(
    ("head", "field", "value"),
    [
        # The first non-empty value of a property wins.
        (
            '<meta property="og:title"><meta property="og:title" content="Second">',
            "title",
            "Second",
        ),
        (
            '<meta property="og:title" content="A"><meta property="og:title" content="B">',
            "title",
            "A",
        ),
        # Pages put OpenGraph in name= and Twitter in property=.
        ('<meta name="og:title" content="Named">', "title", "Named"),
        ('<meta property="twitter:title" content="Prop">', "title", "Prop"),
        ('<meta property="OG:TITLE" content="Loud">', "title", "Loud"),
        # og:image:url is og:image; sizes that are not numbers are ignored.
        ('<meta property="og:image:url" content="/a.png">', "image", "https://site.example/a.png"),
        (
            '<meta property="og:image" content="/a.png">'
            '<meta property="og:image:width" content="x">',
            "image_width",
            None,
        ),
        # A secure_url that is not https does not replace the image.
        (
            '<meta property="og:image" content="/a.png">'
            '<meta property="og:image:secure_url" content="http://site.example/b.png">',
            "image",
            "https://site.example/a.png",
        ),
        # Only http(s) images; the next source is used instead.
        (
            '<meta property="og:image" content="file:///etc/passwd">'
            '<meta name="twitter:image" content="/t.png">',
            "image",
            "https://site.example/t.png",
        ),
        # Dates: date only, with time, with Z, invalid.
        (
            '<meta property="article:published_time" content="2024-02-29">',
            "published",
            dt.date(2024, 2, 29),
        ),
        (
            '<meta property="article:published_time" content="2024-02-29T10:00:00.000Z">',
            "published",
            dt.datetime(2024, 2, 29, 10, tzinfo=dt.UTC),
        ),
        ('<meta property="article:published_time" content="2024-02-30">', "published", None),
        # article:author is often a profile URL: no name to show.
        (
            '<meta property="article:author" content="https://site.example/u/1">'
            '<meta name="author" content="Named Author">',
            "author",
            "Named Author",
        ),
        # Favicons: rel is a token list; "icon" before apple-touch-icon.
        (
            '<link rel="apple-touch-icon" href="/touch.png"><link rel="ICON" href="/i.ico">',
            "favicon",
            "https://site.example/i.ico",
        ),
        ('<link rel="iconic" href="/no.ico">', "favicon", None),
        # JSON-LD shapes: strings, objects, lists, types with a vocabulary prefix.
        (
            '<script type="application/ld+json">{"@type": "schema:NewsArticle", "name": "N",'
            ' "author": "https://site.example/u/1"}</script>',
            "author",
            None,
        ),
        (
            '<script type="application/ld+json">{"@type": "VideoObject", "name": "V"}</script>',
            "type",
            "video.other",
        ),
        (
            '<script type="application/ld+json">{"@type": "Recipe", "name": "Soup"}</script>',
            "title",
            "Soup",
        ),
        (
            '<script type="application/ld+json">{"@type": "Article", "thumbnailUrl": ["/th.jpg"]}'
            "</script>",
            "image",
            "https://site.example/th.jpg",
        ),
        (
            '<script type="application/ld+json">{"@type": "Article", '
            '"image": {"@type": "ImageObject",'
            ' "url": "/i.jpg", "width": {"@type": "QuantitativeValue"}}}</script>',
            "image_width",
            None,
        ),
        (
            '<script type="application/ld+json">{"@type": "Article", "publisher":'
            ' [{"name": "Pub"}]}</script>',
            "site_name",
            "Pub",
        ),
        (
            '<script type="application/ld+json">{"@type": "Article", "uploadDate": "2020-01-02"}'
            "</script>",
            "published",
            dt.date(2020, 1, 2),
        ),
        (
            '<script type="application/ld+json">{"@type": "WebSite", "name": "Only site"}</script>',
            "site_name",
            "Only site",
        ),
        (
            '<script type="Application/LD+JSON; charset=utf-8">{"@type": "Article", "name": "T"}'
            "</script>",
            "title",
            "T",
        ),
        (
            '<script type="application/json">{"@type": "Article", "name": "T"}</script>',
            "title",
            None,
        ),
        # Control characters inside JSON-LD strings are common and tolerated.
        (
            '<script type="application/ld+json">{"@type": "Article", "name": "a\tb"}</script>',
            "title",
            "a b",
        ),
        # Only http(s) page URLs.
        ('<meta property="og:url" content="javascript:alert(1)">', "url", "https://site.example/p"),
        ('<link rel="canonical" href="/canonical">', "url", "https://site.example/canonical"),
    ],
)
def test_single_sources(head: str, field: str, value: object) -> None:
    html = f"<html><head>{head}</head><body></body></html>"
    meta = extract_page_metadata(html, base_url="https://site.example/p")
    assert getattr(meta, field) == value


@pytest.mark.parametrize(
    "html",
    [
        "",
        "plain text",
        "<html><head><meta property=og:title content=",
        "<<<>>>",
        "\x00\ufffd<meta",
        "<script type='application/ld+json'>" + "[" * 5000 + "</script>",
        "<script type='application/ld+json'>{\"@graph\": " * 50 + "</script>",
    ],
)
def test_garbage_never_crashes(html: str) -> None:
    meta = extract_page_metadata(html, base_url="https://site.example/p")
    assert meta.url == "https://site.example/p"


def test_metadata_round_trips_through_json() -> None:
    meta = _extract("all-sources.html", "https://news.example/")
    assert PageMetadata.model_validate_json(meta.model_dump_json()) == meta
