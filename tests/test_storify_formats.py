"""Every format Storify's users kept, through the CLI: import, render offline, read the page.

Fixtures are written from the documented fields of Storify's API (v1 of 2010-2012,
the later ``content`` envelope), its XML export and its HTML export page.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from PIL import Image

from storyboard.snapshots import SnapshotStore
from storyboard.storyfile.loader import load_story

from .cli_runner import Result, invoke

FIXTURES = Path(__file__).parent / "fixtures" / "storify"
SAVED_PAGE = "Night walk · Storify.html"


def run(*args: str | Path) -> Result:
    return invoke(args)


def import_and_render(export: Path, tmp_path: Path) -> tuple[Path, BeautifulSoup, Result]:
    story = tmp_path / "story.yaml"
    result = run("import", "storify", export, "-o", story)
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "site"
    rendered = run("render", story, "--offline", "-o", out)
    assert rendered.exit_code == 0, rendered.stderr
    html = (out / "index.html").read_text(encoding="utf-8")
    return story, BeautifulSoup(html, "html.parser"), result


def main_text(soup: BeautifulSoup) -> str:
    main = soup.find("main")
    assert main is not None
    return " ".join(main.get_text(" ").split())


def header_text(soup: BeautifulSoup) -> str:
    header = soup.find("header")
    assert header is not None
    return " ".join(header.get_text(" ").split())


def in_order(text: str, parts: list[str]) -> None:
    positions = [text.index(part) for part in parts]
    assert positions == sorted(positions), parts


def card_of(soup: BeautifulSoup, url: str) -> Tag:
    link = soup.find("a", href=url)
    assert link is not None, url
    card = link.find_parent("article")
    assert card is not None, url
    return card


def hrefs(soup: BeautifulSoup) -> set[str]:
    return {str(a["href"]) for a in soup.find_all("a", href=True)}


# -- JSON: the 2010-2012 API's story object ----------------------------------------------


def test_a_2011_story_object_keeps_text_tweets_websites_and_slides(tmp_path: Path) -> None:
    story_path, soup, result = import_and_render(FIXTURES / "api-2011-story.json", tmp_path)
    # Only the unknown kind is worth a warning: every documented field was read.
    assert result.stderr.splitlines()[:-1] == [
        f"{FIXTURES / 'api-2011-story.json'}: elements[9]: warning: "
        "unknown type 'facebook'; kept as a link"
    ]
    story = load_story(story_path).story
    assert story.title == "Snow day in Example City"
    assert story.author == "Example Curator"
    assert str(story.date) == "2011-01-05"  # published_at, epoch seconds
    assert "The story was at http://storify.example/example_curator/snow-day-2011" in (
        story_path.read_text("utf-8")
    )
    assert header_text(soup).startswith(
        "Snow day in Example City How the city stopped, in posts & pictures."
    )

    text = main_text(soup)
    in_order(
        text,
        [
            "The first snow came at dawn. The forecast had said so.",  # description
            "By noon the buses had stopped.",
            "Snow Watcher @snow_watcher",
            "Twenty centimetres on the balcony already #snowday",
            "Example Buses @bus_company",
            "All lines stop at 12:00 until the ploughs are through.",  # a tweet's title
            "A Neighbour",
            "We dug out the car three times",
            "The Example Times The city stops for snow",
            "Schools closed and buses halted",
            "SlideShare The city's winter plan, 2011",  # the title only its oEmbed had
            "The square under snow",
            "Sledging down Hill Street Thirty seconds of joy.",
            "Official notice: snow clearing order",
            "City Hall on Facebook: stay home if you can",  # unknown kind, as a link
            "The evening",  # a text element with only a title, a lone heading
            "By night the streets were quiet.",  # data.text
        ],
    )
    assert "http://weather.example/2011-01-05" in hrefs(soup)
    assert "http://pics.example/s/1" in hrefs(soup)  # the address in the tweet is a link
    tweet = card_of(soup, "http://twitter.com/snow_watcher/status/22600000000000001")
    assert "sb-post" in tweet["class"]
    time = tweet.find("time")
    assert isinstance(time, Tag)
    assert str(time["datetime"]).startswith("2011-01-05")  # created_at, epoch in text
    assert "View on X" in tweet.get_text(" ")  # one name per platform, whatever the export said

    store = SnapshotStore.load(story_path.with_name("story.snapshots.json"))
    snapshot = store.get("http://twitter.com/snow_watcher/status/22600000000000001")
    assert snapshot is not None
    assert snapshot.card is not None
    assert snapshot.card.avatar is not None
    assert snapshot.card.avatar.url == "http://a1.twimg.example/profile_images/1/snow_normal.png"
    assert snapshot.card.author_url == "http://twitter.com/snow_watcher"
    website = store.get("http://news.example/2011/01/05/city-stops")
    assert website is not None
    assert website.card is not None
    assert website.card.image is not None
    assert (website.card.image.url, website.card.image.width, website.card.image.height) == (
        "http://news.example/img/snow-front.jpg",
        640,
        360,
    )
    assert website.card.provider_name == "The Example Times"
    slides = store.get("http://www.slideshare.net/example_curator/winter-plan-2011")
    assert slides is not None
    assert slides.oembed is not None  # the element's own oEmbed answer is kept
    assert slides.card is not None
    assert slides.card.title == "The city's winter plan, 2011"
    photo = store.get("http://pics.example/s/2")
    assert photo is not None
    assert photo.card is not None
    assert photo.card.image is not None
    assert photo.card.image.url == "http://pics.example/full/2.jpg"
    assert str(photo.card.published) == "2011-01-05 12:20:00+00:00"  # epoch milliseconds


def elements_2011() -> list[dict[str, Any]]:
    return [
        {"elementClass": "text", "description": "<p>Wrapped in a callback.</p>"},
        {
            "elementClass": "tweet",
            "source": "twitter",
            "permalink": "http://twitter.com/cb_person/status/1",
            "created_at": "Wed Jan 05 08:00:00 +0000 2011",
            "author": {"username": "cb_person", "name": "Callback Person"},
            "description": "A tweet from the elements call",
        },
    ]


@pytest.mark.parametrize(
    ("name", "body", "title"),
    [
        # The story call answered ?callback=cb with the story object inside cb(...).
        (
            "story-cb.js",
            "storify_cb("
            + json.dumps({"title": "A JSONP story", "elements": elements_2011()})
            + ");\n",
            "A JSONP story",
        ),
        # The elements call answered a bare list of elements.
        ("elements.json", "cb(\n" + json.dumps(elements_2011(), indent=2) + "\n)", "Elements"),
        ("elements-list.txt", json.dumps(elements_2011()), "Elements list"),
    ],
)
def test_jsonp_and_the_elements_call(tmp_path: Path, name: str, body: str, title: str) -> None:
    export = tmp_path / name
    export.write_text(body, encoding="utf-8")
    story_path, soup, _ = import_and_render(export, tmp_path)
    assert load_story(story_path).story.title == title
    text = main_text(soup)
    in_order(text, ["Wrapped in a callback.", "Callback Person @cb_person", "A tweet from"])
    tweet = card_of(soup, "http://twitter.com/cb_person/status/1")
    time = tweet.find("time")
    assert isinstance(time, Tag)
    assert str(time["datetime"]).startswith("2011-01-05")  # Twitter's own date text


def test_the_later_api_with_tweet_and_website_kinds(tmp_path: Path) -> None:
    document = {
        "content": {
            "title": "Later shapes",
            "date": {"created": 1500000000000},
            "author": {"username": "later_curator"},
            "elements": [
                {
                    "type": "tweet",
                    "permalink": "https://twitter.com/later/status/9",
                    "posted_at": 1499990000000,
                    "source": {"name": "twitter", "href": "https://twitter.com"},
                    "attribution": {
                        "name": "Later Person",
                        "username": "later",
                        "thumbnail": "https://avatars.example/later.png",
                    },
                    "data": {"tweet": {"text": "Text in data.tweet"}},
                },
                {
                    "type": "website",
                    "permalink": "https://site.example/page",
                    "data": {
                        "link": {
                            "title": "A website element",
                            "description": "Its fields in data.link",
                            "thumbnail": "https://site.example/t.jpg",
                            "provider_name": "Site Example",
                        }
                    },
                },
            ],
        }
    }
    export = tmp_path / "later.json"
    export.write_text(json.dumps(document), encoding="utf-8")
    story_path, soup, result = import_and_render(export, tmp_path)
    assert "warning" not in result.stderr
    assert str(load_story(story_path).story.date) == "2017-07-14"  # epoch milliseconds
    text = main_text(soup)
    in_order(
        text,
        [
            "Later Person @later",
            "Text in data.tweet",
            "Site Example A website element Its fields in data.link",
        ],
    )


# -- XML and HTML ---------------------------------------------------------------------


def test_the_xml_export(tmp_path: Path) -> None:
    story_path, soup, result = import_and_render(FIXTURES / "export-2017.xml", tmp_path)
    assert "warning" not in result.stderr
    story = load_story(story_path).story
    assert (story.title, story.author, str(story.date)) == (
        "Harbour festival 2017",
        "Harbour Desk",
        "2017-08-12",
    )
    assert header_text(soup).startswith(
        "Harbour festival 2017 Three days by the water & what people posted."
    )
    in_order(
        main_text(soup),
        [
            "The festival opened on Thursday with boats and a full programme",  # CDATA
            "Sailor Example @sailor_example",
            "Tall ships in the harbour this morning, all forty of them.",
            "Example News Record crowds at the harbour festival",
            "Over 80,000 visitors on the first day.",
            "Fireworks over the old pier",
            "See you next year",  # XHTML inside <text>
        ],
    )
    assert "https://harbour.example/programme" in hrefs(soup)
    tweet = card_of(soup, "https://twitter.com/sailor_example/status/895000000000000001")
    time = tweet.find("time")
    assert isinstance(time, Tag)
    assert str(time["datetime"]).startswith("2017-08-10")


def test_storifys_html_export_page(tmp_path: Path) -> None:
    story_path, soup, result = import_and_render(FIXTURES / "storify-export-page.html", tmp_path)
    assert "warning" not in result.stderr
    story = load_story(story_path).story
    assert (story.title, story.author, str(story.date)) == (
        "Night of the Museums 2016",
        "Museum Friends",
        "2016-05-21",
    )
    assert "https://storify.example/museum_friends/night-of-the-museums-2016" in (
        story_path.read_text("utf-8")
    )
    in_order(
        main_text(soup),
        [
            "Twenty museums, one night, free entry",
            "The map was everywhere.",
            "Art Lover @art_lover_ex",
            "The queue at the modern art museum goes round the block! Worth it.",
            "Example Gazette A record night for the museums",
            "Over 100,000 visits between six and two.",
            "Night Photographer",
            "The dinosaur hall at midnight",
            "The night in ninety seconds Timelapse from the cathedral tower.",
        ],
    )
    tweet = card_of(soup, "https://twitter.com/art_lover_ex/status/734000000000000001")
    assert tweet.find("br") is not None  # the post's line break
    assert "https://museums.example/modern" in {str(a["href"]) for a in tweet.find_all("a")}
    assert "tracking" not in str(soup)  # the page's script is not the post's text
    time = tweet.find("time")
    assert isinstance(time, Tag)
    assert str(time["datetime"]).startswith("2016-05-21")


def save_complete_page(folder: Path) -> Path:
    """Lay out a browser's "complete web page" save: the page and its _files folder."""
    folder.mkdir(parents=True)
    page = folder / SAVED_PAGE
    shutil.copy(FIXTURES / "saved-page" / SAVED_PAGE, page)
    files = folder / "Night walk · Storify_files"
    files.mkdir()
    Image.new("RGB", (48, 48), (200, 30, 30)).save(files / "lantern_normal.png")
    Image.new("RGB", (640, 480), (30, 30, 200)).save(files / "cat.jpg")
    (files / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 the rest was never saved")
    return page


def test_a_saved_complete_page_archives_its_pictures_without_network(tmp_path: Path) -> None:
    page = save_complete_page(tmp_path / "pages" / "saved")
    Image.new("RGB", (8, 8)).save(tmp_path / "outside.png")  # ../../outside.png
    story_path, soup, result = import_and_render(page, tmp_path)
    warnings = result.stderr
    assert "../../outside.png: warning: the picture is outside the page's folder" in warnings
    assert "broken.jpg: warning: saved picture not archived (broken image" in warnings

    story = load_story(story_path).story
    assert (story.title, story.author, str(story.date)) == (
        "Night walk through the old town",
        "Walker Example",
        "2015-10-31",
    )
    # Chrome's "saved from url" comment says where the story was.
    assert "The story was at https://storify.example/walker/night-walk-2015" in (
        story_path.read_text("utf-8")
    )
    in_order(
        main_text(soup),
        [
            "We set off from the cathedral at nine.",
            "Lantern Bearer @lantern_ex",
            "Cobbles and candlelight. Found a cat, lost the group.",
            "The cat, who led us home",
            "A picture the browser saved half of",
            "A picture outside the page's folder",
        ],
    )
    # The avatar and the photo are on the page, from the story's own assets.
    sources = [str(img["src"]) for img in soup.find_all("img")]
    assert len(sources) == 2
    assets = story_path.with_name("story.assets")
    for src in sources:
        assert src.startswith("assets/")
        assert (assets / src.removeprefix("assets/")).is_file()
    photo = card_of(soup, "https://photos.example/walk/p/9")
    image = photo.find("img")
    assert isinstance(image, Tag)
    assert (image["width"], image["height"]) == ("640", "480")
    # A picture outside the page's folder was not read, and its element kept its link.
    assert "https://photos.example/walk/p/11" in hrefs(soup)
    assert len(list(assets.iterdir())) == 2


# -- the format is in the content, not in the name ---------------------------------------


@pytest.mark.parametrize(
    ("fixture", "name", "title"),
    [
        ("export-2017.xml", "harbour.json", "Harbour festival 2017"),
        ("api-2011-story.json", "snow.html", "Snow day in Example City"),
        ("storify-export-page.html", "museums.xml", "Night of the Museums 2016"),
        ("storify-export-page.html", "museums", "Night of the Museums 2016"),
    ],
)
def test_the_format_is_read_from_the_content(
    tmp_path: Path, fixture: str, name: str, title: str
) -> None:
    export = tmp_path / name
    shutil.copy(FIXTURES / fixture, export)
    story = tmp_path / "s.yaml"
    result = run("import", "storify", export, "-o", story)
    assert result.exit_code == 0, result.stderr
    assert load_story(story).story.title == title


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"<!DOCTYPE html><html><head><title>My blog</title></head><body><p>Hi</p></body>",
            "export: an HTML page ('My blog'), but not a Storify story",
        ),
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
            "export: an XML document (<rss>), but not a Storify story",
        ),
        (b"<story><title>x</title><elements>", "export:1:"),
        (b"<story><title>\xff</title></story>", "export:1:"),
        (
            b'<?xml version="1.0"?><!DOCTYPE story [<!ENTITY a "aaaa">]><story>&a;</story>',
            "export: the XML has a document type declaration; refused",
        ),
        (b"%PDF-1.4 ...", "export: a PDF document, not a Storify export"),
        (b"", "export: an empty file, not a Storify export"),
        (b"Title: my story\n", "export: neither JSON, XML nor HTML (it begins 'Title: my story"),
        (b'cb({"elements": []}', "export:1:20: not valid JSONP: expected ')'"),
        (b'{"elements": []} trailing', "export:1:18: not valid JSON (extra data)"),
    ],
)
def test_an_unknown_or_broken_file_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("export").write_bytes(content)
    result = run("import", "storify", "export", "-o", "s.yaml")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {message}"), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]


# -- malformed input never breaks a later save ---------------------------------------------


def test_a_lone_surrogate_is_replaced_with_a_warning(tmp_path: Path) -> None:
    export = tmp_path / "surrogate.json"
    export.write_text(
        '{"title": "Broken \\ud800 title", "elements": ['
        '{"elementClass": "tweet", "permalink": "http://twitter.com/s/status/1",'
        ' "author": {"username": "s\\udfff"}, "description": "half a pair: \\ud83d!"},'
        '{"elementClass": "text", "description": "<p>A smiley pair \\ud83d\\ude00 is fine</p>"}'
        "]}",
        encoding="utf-8",
    )
    story_path, soup, result = import_and_render(export, tmp_path)
    assert result.stderr.count("lone surrogate); replaced with U+FFFD") == 3
    assert "elements[0].description: warning: half of a UTF-16 character pair" in result.stderr
    assert load_story(story_path).story.title == "Broken \ufffd title"
    text = main_text(soup)
    assert "half a pair: \ufffd!" in text
    assert "A smiley pair \U0001f600 is fine" in text
    # The snapshots (raw element included) save again as UTF-8.
    store = SnapshotStore.load(story_path.with_name("story.snapshots.json"))
    store.save()
    assert "\ufffd" in story_path.with_name("story.snapshots.json").read_text("utf-8")


@pytest.mark.parametrize(
    ("declared", "warning"),
    [
        ('<meta charset="utf-8">', "not valid utf-8; read as Windows-1252"),
        ("", "not valid UTF-8; read as Windows-1252"),
        ('<meta charset="windows-1252">', None),
    ],
)
def test_a_page_in_another_encoding_still_imports(
    tmp_path: Path, declared: str, warning: str | None
) -> None:
    page = (FIXTURES / "storify-export-page.html").read_text("utf-8")
    page = page.replace('<meta charset="utf-8">', declared)
    page = page.replace("Twenty museums", "Vingt musées").replace("&mdash;", "-")
    export = tmp_path / "latin.html"
    export.write_bytes(page.encode("cp1252"))
    _, soup, result = import_and_render(export, tmp_path)
    assert "Vingt musées, one night" in main_text(soup)
    if warning is None:
        assert "warning" not in result.stderr
    else:
        assert f"{export}: warning: {warning}" in result.stderr
