"""The oEmbed model: lenient with real providers' quirks, strict with unusable answers."""

from __future__ import annotations

from typing import Any

import pytest

from storyboard.errors import FetchError, OEmbedError
from storyboard.extract.oembed import OEmbed, parse_oembed, parse_oembed_xml

SOURCE = "https://oembed.example/oembed?url=x"

#: A post answer shaped like X/Twitter's: rich, blockquote + script, null height.
POST = {
    "type": "rich",
    "version": "1.0",
    "url": "https://twitter.com/anna/status/1",
    "author_name": "Anna Example",
    "author_url": "https://twitter.com/anna",
    "provider_name": "Twitter",
    "provider_url": "https://twitter.com",
    "cache_age": "3153600000",
    "html": '<blockquote class="twitter-tweet"><p>Good morning!</p></blockquote>\n'
    '<script async src="https://platform.twitter.com/widgets.js"></script>',
    "width": 550,
    "height": None,
}


def _video(**changes: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "type": "video",
        "version": "1.0",
        "title": "A talk",
        "html": '<iframe src="https://player.video.example/1"></iframe>',
        "width": 480,
        "height": 270,
        "thumbnail_url": "https://img.video.example/1.jpg",
        "thumbnail_width": 480,
        "thumbnail_height": 360,
    }
    answer.update(changes)
    return answer


def test_post_answer() -> None:
    oembed = parse_oembed(POST, source=SOURCE)
    assert oembed.type == "rich"
    assert oembed.author_name == "Anna Example"
    assert oembed.cache_age == 3153600000
    assert oembed.width == 550
    assert oembed.height is None
    assert oembed.html is not None
    assert oembed.html.startswith("<blockquote")


@pytest.mark.parametrize(
    ("field", "sent", "kept"),
    [
        # version: a number (SoundCloud), missing (Reddit), a string (the spec).
        ("version", 1.0, "1.0"),
        ("version", 1, "1"),
        ("version", "1.0", "1.0"),
        ("version", None, None),
        # sizes: numeric strings (DeviantArt, Codepen), relative (SoundCloud, TikTok), null (X).
        ("width", "500", 500),
        ("width", " 500 ", 500),
        ("width", "500px", 500),
        ("width", "480.0", 480),
        ("width", 480.4, 480),
        ("width", "100%", None),
        ("width", None, None),
        ("width", "", None),
        ("width", "auto", None),
        ("width", -1, None),
        ("width", True, None),
        ("width", float("nan"), None),
        ("width", [480], None),
        ("height", "270", 270),
        ("thumbnail_width", "150", 150),
        ("thumbnail_height", "100%", None),
        # cache_age: a string (X, about 100 years) or an integer (Bluesky).
        ("cache_age", "3153600000", 3153600000),
        ("cache_age", 86400, 86400),
        ("cache_age", "soon", None),
        # text: numbers are spelled, other shapes dropped, blanks are absent.
        ("title", 2017, "2017"),
        ("title", "  A talk  ", "A talk"),
        ("title", "   ", None),
        ("title", {"en": "A talk"}, None),
        ("author_name", ["Anna"], None),
        # URLs: protocol-relative gets https, relative is resolved, others dropped.
        ("thumbnail_url", "//img.video.example/1.jpg", "https://img.video.example/1.jpg"),
        ("thumbnail_url", "/thumbs/1.jpg", "https://oembed.example/thumbs/1.jpg"),
        ("thumbnail_url", "javascript:alert(1)", None),
        ("thumbnail_url", "data:image/png;base64,AAAA", None),
        ("author_url", "http://video.example/anna", "http://video.example/anna"),
        ("provider_url", 42, None),
    ],
)
def test_lenient_fields(field: str, sent: object, kept: object) -> None:
    oembed = parse_oembed(_video(**{field: sent}), source=SOURCE)
    assert getattr(oembed, field) == kept


def test_missing_optional_fields() -> None:
    oembed = parse_oembed({"type": "link"}, source=SOURCE)
    assert oembed == OEmbed(type="link")
    assert oembed.model_dump(exclude_none=True) == {"type": "link"}


def test_type_is_read_without_case_or_spaces() -> None:
    assert parse_oembed(_video(type=" Video "), source=SOURCE).type == "video"


def test_flickr_rich_photo_page_with_string_sizes() -> None:
    # Flickr answers a photo page as "rich" (or "photo" with sizes as strings).
    photo = parse_oembed(
        {
            "type": "photo",
            "flickr_type": "photo",
            "width": "1024",
            "height": "682",
            "url": "https://live.staticflickr.example/8315/7899334594_b.jpg",
            "license_url": "https://creativecommons.org/licenses/by-nc-nd/2.0/",
        },
        source=SOURCE,
    )
    assert (photo.width, photo.height) == (1024, 682)
    assert photo.url == "https://live.staticflickr.example/8315/7899334594_b.jpg"
    rich = parse_oembed(
        {"type": "rich", "html": '<a data-flickr-embed="true"><img src="x.jpg"></a>'},
        source=SOURCE,
    )
    assert rich.type == "rich"


def test_tiktok_video_with_blockquote_html() -> None:
    oembed = parse_oembed(
        {
            "type": "video",
            "version": "1.0",
            "html": '<blockquote class="tiktok-embed"><section>Dance</section></blockquote> '
            '<script async src="https://www.tiktok.com/embed.js"></script>',
            "width": "100%",
            "height": "100%",
            "thumbnail_width": 576,
        },
        source=SOURCE,
    )
    assert oembed.type == "video"
    assert (oembed.width, oembed.height) == (None, None)


def test_unknown_fields_stay_out_but_common_extensions_are_kept() -> None:
    oembed = parse_oembed(
        _video(upload_date="2024-01-02", description="Long", html5_player=True), source=SOURCE
    )
    assert oembed.upload_date == "2024-01-02"
    assert oembed.description == "Long"
    assert "html5_player" not in oembed.model_dump()


def test_the_model_is_frozen() -> None:
    oembed = parse_oembed(_video(), source=SOURCE)
    with pytest.raises(ValueError, match="frozen"):
        oembed.title = "changed"  # type: ignore[misc]


def test_source_that_is_not_a_url_leaves_urls_alone() -> None:
    oembed = parse_oembed(_video(thumbnail_url="/relative.jpg"), source="a snapshot import")
    assert oembed.thumbnail_url is None


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ([POST], "a JSON array, not an object"),
        ("<html>", "a JSON string, not an object"),
        (None, "JSON null, not an object"),
        (42, "a JSON value, not an object"),
        ({"title": "no type"}, "no type"),
        ({"type": None, "html": "<p>"}, "no type"),
        ({"error": "Record not found"}, "no type (the provider says: Record not found)"),
        ({"type": "article", "html": "<p>"}, "unknown type 'article'"),
        ({"type": 3}, "unknown type '3'"),
        ({"type": "photo", "width": 10, "height": 10}, "a photo needs a url"),
        ({"type": "photo", "url": "  "}, "a photo needs a url"),
        ({"type": "photo", "url": "javascript:alert(1)"}, "a photo needs a url"),
        ({"type": "video", "width": 480}, "a video needs html"),
        ({"type": "video", "html": None}, "a video needs html"),
        ({"type": "rich", "html": "   "}, "a rich embed needs html"),
        ({"type": "rich", "html": 42}, "a rich embed needs html"),
    ],
)
def test_unusable_answers_are_refused(data: object, reason: str) -> None:
    with pytest.raises(OEmbedError) as caught:
        parse_oembed(data, source=SOURCE)
    assert str(caught.value) == f"unusable oEmbed answer from {SOURCE}: {reason}"
    assert caught.value.url == SOURCE
    assert isinstance(caught.value, FetchError)


# -- XML answers ---------------------------------------------------------------------


XML_ANSWER = """<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<oembed>
  <version>1.0</version>
  <type>video</type>
  <provider_name>Video Example</provider_name>
  <title>Caf\u00e9 &amp; talk</title>
  <width>480</width>
  <height>270</height>
  <html>&lt;iframe src="https://player.video.example/1"&gt;&lt;/iframe&gt;</html>
  <title>second title is ignored</title>
</oembed>
"""


def test_xml_answer_reads_like_json() -> None:
    data = parse_oembed_xml(XML_ANSWER, source=SOURCE)
    assert data == {
        "version": "1.0",
        "type": "video",
        "provider_name": "Video Example",
        "title": "Caf\u00e9 & talk",
        "width": "480",
        "height": "270",
        "html": '<iframe src="https://player.video.example/1"></iframe>',
    }
    oembed = parse_oembed(data, source=SOURCE)
    assert (oembed.width, oembed.height) == (480, 270)


def test_xml_answer_with_bom_namespace_and_empty_fields() -> None:
    text = '\ufeff<oembed xmlns="urn:example"><type>link</type><title/></oembed>'
    assert parse_oembed_xml(text, source=SOURCE) == {"type": "link", "title": ""}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;">]><oembed><title>&lol2;</title></oembed>',
            "XML with a DOCTYPE or entity declaration is refused",
        ),
        (
            '<!doctype oembed SYSTEM "file:///etc/passwd"><oembed><type>link</type></oembed>',
            "XML with a DOCTYPE or entity declaration is refused",
        ),
        ("<oembed><type>link</type>", "not well-formed XML"),
        ("<oembed><title>&nbsp;</title></oembed>", "not well-formed XML"),
        ("", "not well-formed XML"),
        ('{"type": "link"}', "not well-formed XML"),
        ("<html><type>link</type></html>", "the XML root is <html>, not <oembed>"),
    ],
)
def test_xml_answers_refused(text: str, reason: str) -> None:
    with pytest.raises(OEmbedError) as caught:
        parse_oembed_xml(text, source=SOURCE)
    assert str(caught.value).startswith(f"unusable oEmbed answer from {SOURCE}: {reason}")
