"""``storyboard import storify``: hand-written exports in, stories that render offline out."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from storyboard.errors import UsageError
from storyboard.importers.storify import parse_storify_export, read_storify_export
from storyboard.model.story import HeadingItem, TextItem, UrlItem
from storyboard.snapshots import SnapshotStore
from storyboard.storyfile.loader import load_story

from .cli_runner import Result, invoke
from .conftest import ProviderPlayground

FIXTURES = Path(__file__).parent / "fixtures" / "storify"


def run(*args: str | Path) -> Result:
    """Run the CLI in-process (stdout and stderr apart)."""
    return invoke(args)


def import_and_render(export: Path, tmp_path: Path) -> tuple[Path, BeautifulSoup, Result]:
    """Import ``export`` into tmp_path, render it offline, and return the page."""
    story = tmp_path / f"{export.stem}.yaml"
    result = run("import", "storify", export, "-o", story)
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "site"
    rendered = run("render", story, "--offline", "-o", out)
    assert rendered.exit_code == 0, rendered.stderr
    html = (out / "index.html").read_text(encoding="utf-8")
    return story, BeautifulSoup(html, "html.parser"), result


def page_text(soup: BeautifulSoup) -> str:
    """Return the words of the page's main part, on one line."""
    main = soup.find("main")
    assert main is not None
    return " ".join(main.get_text(" ").split())


def hrefs(soup: BeautifulSoup) -> set[str]:
    return {str(a["href"]) for a in soup.find_all("a", href=True)}


def in_order(text: str, parts: list[str]) -> bool:
    positions = [text.index(part) for part in parts]
    return positions == sorted(positions)


# -- the three exports, end to end ------------------------------------------------------


def test_new_format_export_renders_offline_with_every_element(tmp_path: Path) -> None:
    story_path, soup, result = import_and_render(FIXTURES / "helsinki-meetup-2014.json", tmp_path)
    assert result.stdout.splitlines() == [
        str(story_path),
        str(story_path.with_name("helsinki-meetup-2014.snapshots.json")),
    ]
    story = load_story(story_path).story
    assert story.title == "Helsinki Social Media Meetup, March 2014"
    assert story.description == "What people said at the March meetup & after."
    assert story.author == "Example Curator"
    assert str(story.date) == "2014-03-07"
    assert [type(item).__name__ for item in story.items] == [
        "HeadingItem", "TextItem", "UrlItem", "UrlItem", "HeadingItem", "UrlItem", "UrlItem",
    ]  # fmt: skip

    text = page_text(soup)
    assert in_order(
        text,
        [
            "Morning",
            "The day opened with coffee and the programme",
            "1. Nobody was late",
            "first point",
            # the quote of a tweet deleted long ago, whole, from the export alone
            "Anna Example",
            "Full house at the #smhel meetup & the coffee is good.",
            "The hall at half past ten",
            "Afternoon",
            "Opening talk: slow content",
            "Meetup draws a crowd",
            "A report from the March social media meetup in Helsinki.",
        ],
    )
    links = hrefs(soup)
    for url in (
        "https://events.example/meetup-2014",
        "https://twitter.com/anna_example/status/441987654321098752",
        "https://photos.example/mikael/p/7781",
        "https://video.example/watch/opening-2014",
        "https://news.example/2014/03/07/meetup-draws-a-crowd",
        "http://slides.example/deck/42",  # a plain-text address in the post became a link
    ):
        assert url in links, url
    # The imported text cannot bring markup in.
    assert soup.find("script", src=False, string=lambda s: bool(s and "alert" in s)) is None
    assert not any(href.lower().startswith("javascript:") for href in links)
    # The imported tweet is shown as an X/Twitter post card, dated.
    tweet = soup.find("a", href="https://twitter.com/anna_example/status/441987654321098752")
    card = tweet.find_parent("article") if tweet else None
    assert card is not None
    assert "sb-post" in card["class"]
    assert card.find("time")["datetime"].startswith("2014-03-07")  # type: ignore[index]
    assert "@anna_example" in card.get_text()


def test_old_format_export_keeps_the_elements_in_number_order(tmp_path: Path) -> None:
    story_path, soup, _ = import_and_render(FIXTURES / "anksome-2012-old.json", tmp_path)
    story = load_story(story_path).story
    assert story.title == "AnkSoMe 2012"
    assert story.author == "ankcurator"
    assert len(story.items) == 11
    text = page_text(soup)
    assert in_order(
        text,
        [
            "Notes from AnkSoMe 2012",
            "Good morning from Helsinki!",
            "Second talk: podcasts.",
            "Third: blogs <3 readers",
            "Lunch queue",
            "Plain text with no markup, and a [bracket].",
            "AnkSoMe 2012 in two minutes",
            "Recap: AnkSoMe 2012",
            "Ninth element, in place.",
            "Tenth element.",
            "Eleventh and last",  # "10" comes after "9", not after "1"
        ],
    )
    post = soup.find("a", href="https://social.example/@johan/1002").find_parent("article")  # type: ignore[union-attr]
    assert post is not None
    assert post.find("br") is not None  # the post's line break survived
    for url in (
        "https://social.example/@sara/1001",
        "https://photos.example/p/2012-1",
        "https://video.example/watch/anksome-2012",
        "https://blog.example/anksome-2012-recap",
        "https://social.example/@johan/1010",
    ):
        assert url in hrefs(soup), url


def test_odd_export_keeps_everything_and_warns(tmp_path: Path) -> None:
    export = FIXTURES / "deleted-and-odd.json"
    story_path, soup, result = import_and_render(export, tmp_path)
    warnings = result.stderr
    assert f"{export}: content.elements[1]: warning: unknown type 'tweetstorm'; kept as a link" in (
        warnings
    )
    assert "content.elements[2]: warning: no http(s) URL; kept as text" in warnings
    assert "content.elements[4]: warning: a text element with no text; skipped" in warnings
    assert "content.elements[5]: warning: the same post as content.elements[0]" in warnings
    assert "content.elements[6].posted_at: warning: not a date" in warnings

    text = page_text(soup)
    assert "This post was deleted in 2017, but its words live on here." in text
    assert "Deleted Account" in text
    assert "A thread of forty posts" in text  # the unknown element, as a link card
    assert "A quote with no permalink survives as text." in text
    assert "— No Link Person" in text
    assert "A photo whose page is gone" in text
    assert "click me Safe words *not emphasis*." in text
    assert "https://social.example/@storm/2002" in hrefs(soup)
    assert soup.find(["iframe", "img"]) is None
    assert "display:none" not in str(soup.find("main"))
    assert not any(h.startswith("javascript:") for h in hrefs(soup))

    items = load_story(story_path).story.items
    assert sum(isinstance(item, UrlItem) for item in items) == 4


def test_snapshots_hold_the_element_and_a_card_built_from_it(tmp_path: Path) -> None:
    story = tmp_path / "s.yaml"
    assert run("import", "storify", FIXTURES / "deleted-and-odd.json", "-o", story).exit_code == 0
    store = SnapshotStore.load(story.with_name("s.snapshots.json"))
    snapshot = store.get("https://social.example/@deleted/2001")
    assert snapshot is not None
    assert snapshot.status.value == "ok"
    assert snapshot.source is not None
    assert snapshot.source.kind.value == "import"
    assert snapshot.source.provider_name == "Storify"
    raw = json.loads((FIXTURES / "deleted-and-odd.json").read_text("utf-8"))
    assert snapshot.raw == raw["content"]["elements"][0]
    assert snapshot.oembed is not None
    assert snapshot.oembed["provider_name"] == "Example Social"
    card = snapshot.card
    assert card is not None
    assert card.kind.value == "post"
    assert card.text_html == "<p>This post was deleted in 2017, but its words live on here.</p>"
    assert (card.author_name, card.author_handle) == ("Deleted Account", "@deleted")
    assert card.author_url == "https://social.example/@deleted"
    assert str(card.published) == "2016-06-01 10:00:00+00:00"
    photo = store.get("https://photos.example/p/3001")
    assert photo is not None
    assert photo.card is not None
    assert photo.card.kind.value == "photo"
    assert photo.card.image is not None
    assert photo.card.image.url == "https://photos.example/img/3001.jpg"
    assert photo.card.image.path is None  # no network at import


def test_media_and_video_cards(tmp_path: Path) -> None:
    imported = read_storify_export(FIXTURES / "helsinki-meetup-2014.json")
    cards = {s.url: s.card for s in imported.snapshots}
    video = cards["https://video.example/watch/opening-2014"]
    assert video is not None
    assert video.kind.value == "video"
    assert video.image is not None
    assert video.image.url == "https://video.example/thumbs/opening-2014.jpg"
    assert video.player_url == "https://video.example/embed/opening-2014"
    tweet = cards["https://twitter.com/anna_example/status/441987654321098752"]
    assert tweet is not None
    assert tweet.avatar is not None
    assert tweet.avatar.url == "https://avatars.example/anna_normal.jpg"
    assert tweet.provider_name == "Twitter"
    assert imported.permalink == (
        "https://storify.example/curator/helsinki-social-media-meetup-march-2014"
    )


# -- output file ------------------------------------------------------------------------


def test_default_output_is_the_export_name_here_and_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    export = FIXTURES / "anksome-2012-old.json"
    result = run("import", "storify", export)
    assert result.exit_code == 0, result.stderr
    story = tmp_path / "anksome-2012-old.yaml"
    assert story.is_file()
    assert (tmp_path / "anksome-2012-old.snapshots.json").is_file()
    before = story.read_bytes()
    again = run("import", "storify", export)
    assert again.exit_code == 2
    assert "anksome-2012-old.yaml: already exists" in again.stderr
    assert story.read_bytes() == before


def test_story_file_starts_with_where_it_came_from(tmp_path: Path) -> None:
    story = tmp_path / "meetup.yaml"
    run("import", "storify", FIXTURES / "helsinki-meetup-2014.json", "-o", story, "--lang", "fi")
    text = story.read_text(encoding="utf-8")
    assert text.startswith("# Imported from the Storify export helsinki-meetup-2014.json on ")
    assert "# The story was at https://storify.example/curator/" in text
    assert load_story(story).story.lang == "fi"


# -- bad exports ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"content": {"title": "x", "elements": [', "export.json:1:"),
        ("[1, 2]", "export.json: expected a Storify export (a JSON object), got a list"),
        (
            '{"stories": []}',
            "export.json: a JSON object ('stories'), but not a Storify story: no 'content'",
        ),
        ('{"content": "x"}', "export.json: content: expected an object, got a string"),
        ('{"content": {"title": "x"}}', "export.json: content.elements: missing"),
        (
            '{"content": {"elements": [{"type": "text", "data": {"text": "a"}}, "oops"]}}',
            "export.json: content.elements[1]: expected an element object, got a string",
        ),
        (
            '{"content": {"elements": {"0": {}, "first": {}}}}',
            "export.json: content.elements: key 'first' is not an element number",
        ),
        ('{"content": {"elements": 3}}', "content.elements: expected a list or an object"),
    ],
)
def test_bad_exports_exit_2_with_a_located_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("export.json").write_text(content, encoding="utf-8")
    result = run("import", "storify", "export.json")
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.json"]


def test_unknown_language_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    story = tmp_path / "s.yaml"
    result = run(
        "import", "storify", FIXTURES / "anksome-2012-old.json", "-o", story, "--lang", "xx"
    )
    assert result.exit_code == 2
    assert "--lang xx" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_export_without_the_api_envelope_and_without_title() -> None:
    document = {
        "elements": [
            {"type": "text", "data": {"text": "<h3>Only a heading</h3>"}},
            {"type": "link", "data": {"link": {"url": "https://blog.example/x", "title": "X"}}},
        ]
    }
    imported = parse_storify_export(document, source="e.json", fallback_title="My export")
    assert imported.story.title == "My export"
    assert imported.story.items == [
        HeadingItem(heading="Only a heading"),
        UrlItem(url="https://blog.example/x"),
    ]
    assert [str(w) for w in imported.warnings] == [
        "e.json: title: warning: no title; using 'My export'"
    ]


def test_an_element_without_type_is_kept_as_a_link() -> None:
    document = {"content": {"title": "T", "elements": [{"permalink": "https://a.example/1"}]}}
    imported = parse_storify_export(document, source="e.json")
    assert imported.story.items == [UrlItem(url="https://a.example/1")]
    assert "content.elements[0]: warning: no type; kept as a link" in str(imported.warnings[0])


def test_an_element_with_nothing_to_keep_is_named() -> None:
    document = {"content": {"title": "T", "elements": [{"type": "quote", "data": {}}]}}
    imported = parse_storify_export(document, source="e.json")
    assert imported.story.items == []
    assert "content.elements[0]: warning: no URL and no text" in str(imported.warnings[0])


def test_unusable_oembed_is_kept_in_raw_with_a_warning() -> None:
    element = {
        "type": "quote",
        "permalink": "https://social.example/@a/1",
        "data": {"quote": {"text": "hi"}, "oembed": {"type": "nonsense"}},
    }
    imported = parse_storify_export({"content": {"title": "T", "elements": [element]}}, source="e")
    snapshot = imported.snapshots[0]
    assert snapshot.oembed is None
    assert snapshot.raw == element
    assert "content.elements[0].data.oembed: warning: unusable oEmbed answer" in str(
        imported.warnings[0]
    )


def test_text_stays_text_and_html_in_quotes_is_sanitized() -> None:
    elements = [
        {"type": "text", "data": {"text": "<p>Hi <b>there</b></p><h2>and a heading</h2>"}},
        {
            "type": "quote",
            "permalink": "https://social.example/@a/1",
            "data": {
                "quote": {
                    "text": '<p onclick="x()">Hello <a href="javascript:x()">bad</a> '
                    '<a href="https://ok.example/">ok</a><script>x()</script></p>'
                }
            },
        },
    ]
    imported = parse_storify_export({"content": {"title": "T", "elements": elements}}, source="e")
    assert imported.story.items[0] == TextItem(text="Hi **there**\n\n## and a heading")
    card = imported.snapshots[0].card
    assert card is not None
    assert card.text_html is not None
    assert "script" not in card.text_html
    assert "onclick" not in card.text_html
    assert "javascript" not in card.text_html
    assert 'href="https://ok.example/"' in card.text_html


def test_unreadable_and_huge_exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UsageError, match="cannot read"):
        read_storify_export(tmp_path / "missing.json")
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'{"content": {"title": "\xe5"}}')
    with pytest.raises(UsageError, match="not UTF-8"):
        read_storify_export(bad)
    monkeypatch.setattr("storyboard.importers.storify.detect.MAX_EXPORT_BYTES", 10)
    with pytest.raises(UsageError, match="larger than 10 bytes"):
        read_storify_export(FIXTURES / "anksome-2012-old.json")


# -- after the import: fetch ------------------------------------------------------------


def png(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), color).save(buffer, "PNG")
    return buffer.getvalue()


def write_export(path: Path, elements: list[dict[str, Any]]) -> Path:
    path.write_text(
        json.dumps({"content": {"title": "Imported", "elements": elements}}), encoding="utf-8"
    )
    return path


def test_fetch_archives_imported_pictures_and_keeps_the_imported_card(
    tmp_path: Path, playground: ProviderPlayground
) -> None:
    playground.images["/img/hall.png"] = png((200, 40, 40))
    playground.images["/img/anna.png"] = png((40, 40, 200))
    elements = [
        {
            "type": "quote",
            "permalink": "https://social.example/@anna/1",
            "attribution": {"name": "Anna", "thumbnail": playground.url("/img/anna.png")},
            "data": {"quote": {"text": "Words from a deleted post"}},
        },
        {
            "type": "image",
            "permalink": "https://photos.example/p/1",
            "data": {"image": {"src": playground.url("/img/hall.png"), "caption": "The hall"}},
        },
        {
            "type": "link",
            "permalink": "https://news.example/a",
            "data": {"link": {"title": "Gone", "thumbnail": playground.url("/img/missing.png")}},
        },
    ]
    export = write_export(tmp_path / "export.json", elements)
    story = tmp_path / "s.yaml"
    assert run("import", "storify", export, "-o", story).exit_code == 0
    snapshots_path = story.with_name("s.snapshots.json")
    before = SnapshotStore.load(snapshots_path)

    # The first fetch asks each imported post's source once (here none resolves:
    # the example domains do not exist), keeps every imported card, and archives
    # the pictures the export pointed at.
    result = run("fetch", story, "--allow-private-network")
    assert result.exit_code == 1, result.stderr
    assert result.stderr.count("(kept the earlier snapshot)") == 3
    assert "archived 2 pictures of imported posts" in result.stderr
    assert "picture not archived" in result.stderr
    assert "/img/missing.png" in result.stderr
    # After one try, only --refresh asks the sources again.
    again = run("fetch", story, "--allow-private-network")
    assert again.exit_code == 0, again.stderr
    assert "failed" not in again.stderr

    after = SnapshotStore.load(snapshots_path)
    post_before = before.get("https://social.example/@anna/1")
    post_after = after.get("https://social.example/@anna/1")
    assert post_before is not None
    assert post_after is not None
    assert post_after.card is not None
    assert post_before.card is not None
    assert post_after.card.avatar is not None
    assert post_after.card.avatar.path
    assert post_after.card.model_copy(update={"avatar": None}) == post_before.card.model_copy(
        update={"avatar": None}
    )
    assert post_after.source == post_before.source
    photo = after.get("https://photos.example/p/1")
    assert photo is not None
    assert photo.card is not None
    assert photo.card.image is not None
    assert photo.card.image.path
    assert (story.with_name("s.assets") / photo.card.image.path).is_file()

    out = tmp_path / "site"
    assert run("render", story, "--offline", "-o", out).exit_code == 0
    soup = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    sources = [str(img["src"]) for img in soup.find_all("img")]
    assert f"assets/{photo.card.image.path}" in sources
    assert all(src.startswith("assets/") for src in sources)

    # A second fetch has nothing left to archive but the broken picture.
    requests = len(playground.requests)
    again = run("fetch", story, "--allow-private-network")
    assert again.exit_code == 0
    assert [r.rstrip("?") for r in playground.requests[requests:]] == ["/img/missing.png"]


def test_refresh_of_a_deleted_post_keeps_the_imported_snapshot(
    tmp_path: Path, playground: ProviderPlayground
) -> None:
    elements = [
        {
            "type": "quote",
            "permalink": "https://social.example/@gone/1",
            "attribution": {"name": "Gone Person", "username": "gone"},
            "data": {"quote": {"text": "Still here after the platform deleted it."}},
        }
    ]
    export = write_export(tmp_path / "export.json", elements)
    story = tmp_path / "s.yaml"
    assert run("import", "storify", export, "-o", story).exit_code == 0
    providers = playground.providers_file(tmp_path)

    result = run("fetch", story, "--refresh", "--providers", providers, "--allow-private-network")
    assert result.exit_code == 1  # the platform says 404
    snapshot = SnapshotStore.load(story.with_name("s.snapshots.json")).get(
        "https://social.example/@gone/1"
    )
    assert snapshot is not None
    assert snapshot.status.value == "gone"
    assert snapshot.source is not None
    assert snapshot.source.kind.value == "import"
    assert snapshot.card is not None
    assert snapshot.card.text_html == "<p>Still here after the platform deleted it.</p>"

    out = tmp_path / "site"
    rendered = run("render", story, "--offline", "-o", out)
    assert rendered.exit_code == 0, rendered.stderr
    text = page_text(BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser"))
    assert "Still here after the platform deleted it." in text


def test_fetch_adds_the_oembed_data_once_and_keeps_what_only_the_import_knew(
    tmp_path: Path, playground: ProviderPlayground
) -> None:
    url = "https://social.example/@alive/1"
    elements = [
        {
            "type": "quote",
            "permalink": url,
            "posted_at": "2017-01-13T10:00:00Z",
            "data": {"quote": {"text": "Imported words"}},
        }
    ]
    export = write_export(tmp_path / "export.json", elements)
    story = tmp_path / "s.yaml"
    assert run("import", "storify", export, "-o", story).exit_code == 0
    playground.oembed[url] = {
        "type": "rich",
        "version": "1.0",
        "author_name": "Alive",
        "html": "<blockquote><p>Fresh words</p></blockquote>",
    }
    providers = playground.providers_file(tmp_path)
    # A plain fetch asks the provider once for an imported post ...
    result = run("fetch", story, "--providers", providers, "--allow-private-network")
    assert result.exit_code == 0, result.stderr
    assert len(playground.requests) == 1
    # ... and never again without --refresh.
    assert run("fetch", story, "--providers", providers, "--allow-private-network").exit_code == 0
    assert len(playground.requests) == 1
    snapshot = SnapshotStore.load(story.with_name("s.snapshots.json")).get(url)
    assert snapshot is not None
    assert snapshot.source is not None
    assert snapshot.source.kind.value == "provider"
    assert snapshot.card is not None
    assert snapshot.card.text_html == "<p>Fresh words</p>"
    assert snapshot.card.published is not None  # the provider sent no date; the export did


def test_an_imported_post_is_marked_as_imported_on_the_page(tmp_path: Path) -> None:
    url = "https://social.example/@anna/9"
    elements = [{"type": "quote", "permalink": url, "data": {"quote": {"text": "Old words"}}}]
    export = write_export(tmp_path / "export.json", elements)
    story = tmp_path / "s.yaml"
    assert run("import", "storify", export, "-o", story, "--lang", "sv").exit_code == 0
    out = tmp_path / "site"
    assert run("render", story, "--offline", "-o", out).exit_code == 0
    soup = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    note = soup.select_one(".sb-imported")
    assert note is not None
    assert note.get_text(strip=True) == "Bevarad från en Storify-export."
