"""Rendering a story from snapshots: page, fragment, Markdown and JSON, parsed back and checked."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt
from PIL import Image
from ruamel.yaml import YAML

from storyboard.errors import RenderError, UsageError
from storyboard.extract.sanitize import IFRAME_SANDBOX
from storyboard.model.card import Card, CardKind, MediaAsset
from storyboard.model.snapshot import FetchFailure, Snapshot, SnapshotStatus, Source, SourceKind
from storyboard.model.story import EmbedMode, Story
from storyboard.render import OutputFormat, RenderOptions, RenderResult, render_story
from storyboard.render.themes import builtin_templates_dir
from storyboard.urls import normalize_url

SRC = Path(__file__).resolve().parents[1] / "src" / "storyboard"

POST_URL = "https://social.example/@anna/109876543210"
VIDEO_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
VIDEO2_URL = "https://youtu.be/abcdefghijk"
SLIDES_URL = "https://speakerdeck.com/anna/talk"
GONE_URL = "https://social.example/@bob/1"
LINK_URL = "https://news.example/2017/01/13/meetup"
MISSING_URL = "https://missing.example/never-fetched"
BROKEN_URL = "https://broken.example/404"
TWEET_URL = "https://twitter.com/anna/status/1"
TWEET2_URL = "https://twitter.com/bob/status/2"

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


# -- builders ------------------------------------------------------------------------


def png(path: Path, size: tuple[int, int]) -> Path:
    """Write a small real PNG."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (40, 90, 160)).save(path, format="PNG")
    return path


def asset(
    name: str, width: int, height: int, origin: str = "https://cdn.social.example/"
) -> MediaAsset:
    """Return an archived media asset named ``name``."""
    return MediaAsset(url=origin + name, path=name, width=width, height=height, mime="image/png")


def snap(card: Card | None, **fields: Any) -> Snapshot:
    """Return a snapshot of ``card`` (status ok unless told)."""
    fields.setdefault("status", SnapshotStatus.OK)
    fields.setdefault("fetched_at", dt.datetime(2017, 1, 14, 8, 0, tzinfo=dt.UTC))
    return Snapshot(url=card.url if card else fields.pop("url"), card=card, **fields)


def post_card(url: str = POST_URL, **fields: Any) -> Card:
    """Return a social post card."""
    values: dict[str, Any] = {
        "kind": CardKind.POST,
        "url": url,
        "text_html": '<p>Good morning, <a href="https://social.example/tags/some">#some</a>!</p>',
        "author_name": "Anna Example",
        "author_handle": "@anna@social.example",
        "author_url": "https://social.example/@anna",
        "avatar": asset("avatar-anna.png", 96, 96),
        "published": dt.datetime(2017, 1, 13, 9, 30, tzinfo=dt.UTC),
        "provider_name": "Example Social",
        "provider_url": "https://social.example/",
    }
    values.update(fields)
    return Card(**values)


def video_card(url: str = VIDEO_URL, video_id: str = "dQw4w9WgXcQ", **fields: Any) -> Card:
    """Return a YouTube video card with an archived thumbnail."""
    values: dict[str, Any] = {
        "kind": CardKind.VIDEO,
        "url": url,
        "title": "Keynote: durable stories",
        "author_name": "Conference Channel",
        "author_url": "https://www.youtube.com/@conference",
        "provider_name": "YouTube",
        "provider_url": "https://www.youtube.com/",
        "image": asset("thumb-video.png", 480, 360, "https://i.ytimg.com/vi/"),
        "player_url": f"https://www.youtube.com/embed/{video_id}?feature=oembed",
        "width": 480,
        "height": 270,
    }
    values.update(fields)
    return Card(**values)


def youtube_snapshot(card: Card) -> Snapshot:
    """Return a snapshot of a YouTube card, as the provider endpoint answered."""
    iframe = (
        f'<iframe width="480" height="270" src="{card.player_url}" frameborder="0" '
        'allowfullscreen title="x"></iframe>'
    )
    return snap(
        card,
        source=Source(kind=SourceKind.PROVIDER, provider_name="YouTube"),
        oembed={"type": "video", "html": iframe},
    )


def make_story(items: list[dict[str, Any]], **fields: Any) -> Story:
    """Return a validated story with ``items``."""
    data: dict[str, Any] = {
        "title": "AnkSoMe 2017",
        "description": "The Finland-Swedish social media network meets at Maria 01.",
        "date": "2017-01-13",
        "lang": "en",
        "author": "Example Curator",
        "tags": ["some", "meetup"],
        "items": items,
    }
    data.update(fields)
    return Story.model_validate(data)


def keyed(*snapshots: Snapshot) -> dict[str, Snapshot]:
    """Return snapshots keyed the way the snapshot file keys them."""
    return {normalize_url(s.url): s for s in snapshots}


class Rendered:
    """One render run: its result, its output folder and the parsed main file."""

    def __init__(self, result: RenderResult, options: RenderOptions) -> None:
        self.result = result
        self.options = options
        self.path = options.output_file
        self.text = self.path.read_text(encoding="utf-8")

    @property
    def soup(self) -> BeautifulSoup:
        """Return the output parsed as HTML."""
        return BeautifulSoup(self.text, "html.parser")


@pytest.fixture
def assets_dir(tmp_path: Path) -> Path:
    """Return a story's archive folder holding the media the cards name."""
    folder = tmp_path / "story.assets"
    png(folder / "avatar-anna.png", (96, 96))
    png(folder / "thumb-video.png", (480, 360))
    png(folder / "thumb-video2.png", (480, 360))
    png(folder / "photo.png", (800, 600))
    png(folder / "unused.png", (10, 10))
    return folder


RenderFn = Callable[..., Rendered]


@pytest.fixture
def render(tmp_path: Path, assets_dir: Path) -> RenderFn:
    """Return a function that renders a story into a fresh folder and parses the result."""
    counter = iter(range(1000))

    def run(story: Story, snapshots: dict[str, Snapshot] | None = None, **options: Any) -> Rendered:
        options.setdefault("output_dir", tmp_path / f"site{next(counter)}")
        opts = RenderOptions(**options)
        result = render_story(story, snapshots or {}, opts, assets_dir=assets_dir)
        return Rendered(result, opts)

    return run


def full_story(**fields: Any) -> tuple[Story, dict[str, Snapshot]]:
    """Return a story with one item of each kind and state, and its snapshots."""
    story = make_story(
        [
            {"heading": "Morning"},
            {"text": "We *start* at Maria 01."},
            {"url": POST_URL, "note": "Anna **opens** the day."},
            {"url": VIDEO_URL, "note": "The keynote."},
            {"heading": "Afternoon"},
            {"url": GONE_URL},
            {"url": LINK_URL, "title": "The local paper's report"},
            {"url": MISSING_URL, "note": "Never fetched."},
        ],
        **fields,
    )
    snapshots = keyed(
        snap(post_card()),
        youtube_snapshot(video_card()),
        snap(
            post_card(GONE_URL, author_name="Bob", author_handle="@bob", avatar=None),
            status=SnapshotStatus.GONE,
            gone_since=dt.date(2019, 3, 1),
            fetched_at=dt.datetime(2017, 1, 13, 18, 0, tzinfo=dt.UTC),
        ),
        snap(
            Card(
                kind=CardKind.LINK,
                url=LINK_URL,
                title="Meetup at Maria 01",
                description="A report.",
                provider_name="News Example",
                image=asset("photo.png", 800, 600),
            )
        ),
    )
    return story, snapshots


def texts(tags: Iterable[Tag]) -> list[str]:
    """Return the stripped text of each tag."""
    return [tag.get_text(" ", strip=True) for tag in tags]


def meta(soup: BeautifulSoup, **attrs: str) -> str:
    """Return the content of the one <meta> that has ``attrs``."""
    found = soup.find_all("meta", attrs=attrs)
    assert len(found) == 1, attrs
    return str(found[0]["content"])


def third_party_refs(soup: BeautifulSoup) -> list[str]:
    """Return every URL the page would load by itself (not links a reader may follow)."""
    refs = []
    for tag in soup.find_all(True):
        for attribute in ("src", "srcset", "data", "poster", "background"):
            if tag.has_attr(attribute):
                refs.append(str(tag[attribute]))
        if tag.name == "link" and tag.has_attr("href"):
            refs.append(str(tag["href"]))
    for style in soup.find_all("style"):
        refs += re.findall(r"url\(([^)]*)\)|@import\s+([^;]+)", style.get_text())  # type: ignore[arg-type]
    return [r for r in refs if r]


# -- the page ------------------------------------------------------------------------


def test_page_head_has_language_title_and_open_graph(render: RenderFn) -> None:
    story, snapshots = full_story(lang="sv")
    soup = render(story, snapshots).soup

    assert rendered_doctype(render(story, snapshots).text)
    assert soup.html is not None
    assert soup.html["lang"] == "sv"
    assert soup.find("meta", charset=True)["charset"].lower() == "utf-8"  # type: ignore[index]
    assert "width=device-width" in meta(soup, name="viewport")
    assert soup.title is not None
    assert soup.title.string == "AnkSoMe 2017"
    assert meta(soup, name="description").startswith("The Finland-Swedish")
    assert meta(soup, name="author") == "Example Curator"
    assert meta(soup, property="og:title") == "AnkSoMe 2017"
    assert meta(soup, property="og:description").startswith("The Finland-Swedish")
    assert meta(soup, property="og:type") == "article"
    assert meta(soup, property="og:locale") == "sv_SE"
    assert meta(soup, property="article:published_time") == "2017-01-13"


def rendered_doctype(text: str) -> bool:
    """Tell whether ``text`` starts with the HTML5 doctype."""
    return text.lstrip().lower().startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("lang", "expected", "locale"),
    [
        ("sv", "fredag 13 januari 2017", "sv_SE"),
        ("fi", "perjantai 13. tammikuuta 2017", "fi_FI"),
        ("en", "Friday, January 13, 2017", "en_US"),
    ],
)
def test_story_date_is_written_the_readers_way(
    render: RenderFn, lang: str, expected: str, locale: str
) -> None:
    story, snapshots = full_story(lang=lang)
    soup = render(story, snapshots).soup

    time = soup.select_one(".sb-byline time")
    assert time is not None
    assert time.get_text(strip=True) == expected
    assert time["datetime"] == "2017-01-13"
    assert meta(soup, property="og:locale") == locale


def test_items_come_in_file_order_with_their_notes(render: RenderFn) -> None:
    story, snapshots = full_story()
    soup = render(story, snapshots).soup
    main = soup.find("main")
    assert isinstance(main, Tag)

    blocks = main.find_all(["h2", "div", "figure"], recursive=False)
    kinds = [
        "heading" if b.name == "h2" else "text" if "sb-prose" in b["class"] else b["id"]
        for b in blocks
    ]
    assert kinds == [
        "heading",
        "text",
        "item-3",
        "item-4",
        "heading",
        "item-6",
        "item-7",
        "item-8",
    ]
    assert texts(main.find_all("h2")) == ["Morning", "Afternoon"]
    assert main.select_one(".sb-prose em") is not None  # Markdown became HTML
    notes = {f["id"]: f.select_one("figcaption.sb-note") for f in main.find_all("figure")}
    assert notes["item-3"] is not None
    assert notes["item-3"].find("strong").get_text() == "opens"  # type: ignore[union-attr]
    assert notes["item-4"].get_text(strip=True) == "The keynote."  # type: ignore[union-attr]
    assert notes["item-8"].get_text(strip=True) == "Never fetched."  # type: ignore[union-attr]
    assert notes["item-6"] is None


def test_post_card_shows_author_text_date_and_source(render: RenderFn) -> None:
    story, snapshots = full_story(lang="sv")
    rendered = render(story, snapshots)
    card = rendered.soup.select_one("#item-3 article.sb-card")
    assert card is not None

    assert card.select_one(".sb-name").get_text(strip=True) == "Anna Example"  # type: ignore[union-attr]
    handle = card.select_one("a.sb-handle")
    assert handle is not None
    assert handle["href"] == "https://social.example/@anna"
    assert handle.get_text(strip=True) == "@anna@social.example"
    avatar = card.select_one("img.sb-avatar")
    assert avatar is not None
    assert avatar["src"] == "assets/avatar-anna.png"
    assert avatar["alt"] == ""  # the name beside it says who it is
    text = card.select_one(".sb-text")
    assert text is not None
    assert "Good morning" in text.get_text()
    assert text.a is not None
    assert text.a["href"] == "https://social.example/tags/some"
    time = card.find("time")
    assert time is not None
    # The post's time of day too, in the story's time zone (UTC unless it says otherwise).
    assert time.get_text(strip=True) == "13 jan. 2017 09:30"
    assert time["datetime"] == "2017-01-13T09:30:00+00:00"
    source = card.select_one("a.sb-source")
    assert source is not None
    assert source["href"] == POST_URL
    assert source.get_text(strip=True) == "Visa på Example Social"


def test_author_initial_stands_in_for_a_missing_avatar(render: RenderFn) -> None:
    story, snapshots = full_story()
    soup = render(story, snapshots).soup

    mark = soup.select_one("#item-4 .sb-mark")
    assert mark is not None
    assert mark.get_text() == "C"  # the channel's initial, not the platform's
    assert mark["aria-hidden"] == "true"


def test_post_text_is_sanitized_again_at_render(render: RenderFn) -> None:
    dirty = post_card(
        text_html='<p onclick="x()">Hi <b>there</b><script>alert(1)</script>'
        '<a href="javascript:alert(1)">bad</a> <a href="https://ok.example/">ok</a></p>'
        '<iframe src="https://evil.example/"></iframe>'
    )
    soup = render(make_story([{"url": POST_URL}]), keyed(snap(dirty))).soup

    text = soup.select_one(".sb-text")
    assert text is not None
    assert text.find(["script", "iframe", "b"]) is None
    assert all(not a.has_attr("onclick") for a in text.find_all(True))
    assert [a.get("href") for a in text.find_all("a")] == [None, "https://ok.example/"]
    assert "Hi there" in text.get_text()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "No longer available at the source; archived on January 13, 2017."),
        ("sv", "Finns inte längre kvar hos källan; arkiverades 13 januari 2017."),
        ("fi", "Ei enää saatavilla alkuperäisessä lähteessä; arkistoitu 13. tammikuuta 2017."),
    ],
)
def test_gone_post_renders_from_archive_with_a_note(
    render: RenderFn, lang: str, expected: str
) -> None:
    story, snapshots = full_story(lang=lang)
    soup = render(story, snapshots).soup

    gone = soup.select_one("#item-6")
    assert gone is not None
    assert "Good morning" in gone.get_text()
    note = gone.select_one(".sb-archived")
    assert note is not None
    assert note.get_text(strip=True) == expected
    assert len(soup.select(".sb-archived")) == 1


def test_unresolved_items_become_link_cards_and_are_reported(render: RenderFn) -> None:
    story = make_story(
        [{"url": MISSING_URL}, {"url": BROKEN_URL, "title": "A broken one"}, {"url": MISSING_URL}]
    )
    failure = FetchFailure(
        message=f"404 Not Found from {BROKEN_URL}",
        at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        status=404,
    )
    snapshots = keyed(snap(None, url=BROKEN_URL, status=SnapshotStatus.ERROR, last_error=failure))
    rendered = render(story, snapshots)

    assert rendered.result.unresolved == [MISSING_URL, BROKEN_URL]
    cards = rendered.soup.select("article.sb-unresolved")
    assert len(cards) == 3
    first, second = cards[0], cards[1]
    assert first.select_one(".sb-name").get_text(strip=True) == "missing.example"  # type: ignore[union-attr]
    assert [a["href"] for a in first.find_all("a")] == [MISSING_URL]
    # Never fetched: nothing failed, so nothing says so.
    assert "has not been archived yet" in first.get_text()
    assert "could not be fetched" not in first.get_text()
    # A fetch failed: a sentence for readers; the status and URL stay in the snapshot.
    said = second.select_one(".sb-meta").get_text(" ", strip=True)  # type: ignore[union-attr]
    assert said.startswith("This item could not be fetched. The source says it does not exist.")
    assert "404" not in said
    title = second.select_one(".sb-title a")
    assert title is not None
    assert title.get_text() == "A broken one"


def test_every_url_is_resolved_when_snapshots_cover_them(render: RenderFn) -> None:
    story = make_story([{"url": POST_URL}, {"url": VIDEO_URL}])
    snapshots = keyed(snap(post_card()), youtube_snapshot(video_card()))

    assert render(story, snapshots).result.unresolved == []


def test_snapshot_lookup_uses_the_normalized_url(render: RenderFn) -> None:
    story = make_story([{"url": "https://youtu.be/dQw4w9WgXcQ?utm_source=x"}])
    soup = render(story, keyed(youtube_snapshot(video_card()))).soup

    assert soup.select_one("article.sb-video") is not None


def test_static_page_loads_nothing_from_elsewhere(render: RenderFn) -> None:
    story, snapshots = full_story()
    soup = render(story, snapshots).soup

    assert soup.find("script") is None
    assert soup.find("iframe") is None
    assert soup.find("link") is None  # no stylesheet, font or icon to fetch
    assert len(soup.find_all("style")) == 1
    refs = third_party_refs(soup)
    assert refs, "the page shows archived images"
    assert all(r.startswith("assets/") for r in refs), refs
    for tag in soup.find_all(href=True):
        assert tag.name == "a", tag
        # Elsewhere, or a place on this page (an item's permalink).
        assert str(tag["href"]).startswith(("https://", "http://", "mailto:", "#item-")), tag


def test_readable_without_script_players_hidden_until_script_runs(render: RenderFn) -> None:
    story, snapshots = full_story()
    soup = render(story, snapshots, embed=EmbedMode.CLICK).soup

    loader = soup.select_one(".sb-loader")
    assert loader is not None
    assert loader.has_attr("hidden")
    # Without script the thumbnail still leads to the video itself.
    thumb = soup.select_one("#item-4 a.sb-thumb")
    assert thumb is not None
    assert thumb["href"] == VIDEO_URL
    assert thumb.select_one(".sb-playmark") is not None


def test_images_have_dimensions_alt_text_and_lazy_loading(render: RenderFn) -> None:
    story, snapshots = full_story()
    soup = render(story, snapshots).soup

    images = soup.find_all("img")
    assert len(images) == 3
    for img in images:
        assert img.has_attr("alt")
        assert img["loading"] == "lazy"
        assert img["width"]
        assert img["height"]
    thumb = soup.select_one("#item-4 .sb-media img")
    assert thumb is not None
    assert thumb["alt"] == "Keynote: durable stories"
    assert (thumb["width"], thumb["height"]) == ("480", "360")


def test_title_override_replaces_the_cards_title(render: RenderFn) -> None:
    story, snapshots = full_story()
    soup = render(story, snapshots).soup

    title = soup.select_one("#item-7 .sb-title")
    assert title is not None
    assert title.get_text(strip=True) == "The local paper's report"


def test_card_titles_sit_below_the_story_headings(render: RenderFn) -> None:
    story = make_story([{"url": VIDEO_URL}, {"heading": "Later"}, {"url": VIDEO_URL}])
    soup = render(story, keyed(youtube_snapshot(video_card()))).soup

    levels = [tag.name for tag in soup.find_all(re.compile(r"^h[1-6]$"))]
    assert levels == ["h1", "h2", "h2", "h3"]


def test_story_fields_and_provider_text_are_escaped(render: RenderFn) -> None:
    story = make_story(
        [
            {"heading": f"Heading {XSS}"},
            {"text": f"Text {XSS} [x](javascript:alert(1))"},
            {"url": POST_URL, "note": f"Note {XSS}", "title": f"Title {XSS}"},
        ],
        title=f"Story {XSS}",
        description=f"About {XSS}",
        author=f"Curator {XSS}",
        tags=[XSS],
    )
    card = post_card(
        author_name=f"Anna {XSS}",
        author_handle=f"@anna{XSS}",
        author_url="javascript:alert(1)",
        provider_name=f"Social {XSS}",
        description=XSS,
        title=XSS,
    )
    for fmt in (OutputFormat.PAGE, OutputFormat.FRAGMENT):
        rendered = render(story, keyed(snap(card)), format=fmt)
        soup = rendered.soup
        assert soup.find("script") is None, fmt
        assert soup.find("img", src="x") is None, fmt
        for tag in soup.find_all(True):
            assert not [a for a in tag.attrs if a.startswith("on")], tag
            assert "javascript:" not in str(tag.get("href", "")), tag
        assert XSS in soup.get_text()  # shown as text, literally
        assert '<script>alert("x")' not in rendered.text
    page = render(story, keyed(snap(card))).soup
    assert page.title is not None
    assert page.title.string == f"Story {XSS}"
    assert meta(page, property="og:title") == f"Story {XSS}"
    assert meta(page, name="author") == f"Curator {XSS}"


def test_render_writes_atomically_and_lists_what_it_wrote(render: RenderFn) -> None:
    story, snapshots = full_story()
    rendered = render(story, snapshots)
    out = rendered.options.output_dir

    assert rendered.result.written[0] == out / "index.html"
    assert sorted(p.name for p in rendered.result.written[1:]) == [
        "avatar-anna.png",
        "photo.png",
        "thumb-video.png",
    ]
    leftovers = [p.name for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]
    assert leftovers == []
    # A second run replaces the page in place.
    again = render(story, snapshots, output_dir=out)
    assert again.text == rendered.text


def test_outputs_are_readable_by_a_web_server(render: RenderFn) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    story, snapshots = full_story()
    rendered = render(story, snapshots)

    for path in rendered.result.written:
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask, path


def test_heading_ids_never_clash_with_item_ids(render: RenderFn) -> None:
    story = make_story([{"heading": "Item 2"}, {"url": POST_URL}, {"heading": "Item 2"}])
    soup = render(story, keyed(snap(post_card()))).soup

    ids = [str(tag["id"]) for tag in soup.find_all(id=True)]
    assert ids == ["item-2-2", "item-2", "item-2-3"]


def test_output_that_cannot_be_written_is_a_render_error(tmp_path: Path, assets_dir: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    story, snapshots = full_story()
    options = RenderOptions(output_dir=blocker / "site")
    with pytest.raises(RenderError, match="cannot"):
        render_story(story, snapshots, options, assets_dir=assets_dir)


def test_css_and_script_of_a_page_stay_small(render: RenderFn) -> None:
    story, snapshots = full_story()
    soup = render(story, snapshots, embed=EmbedMode.CLICK).soup

    code = "".join(tag.get_text() for tag in soup.find_all(["style", "script"]))
    size = len(gzip.compress(code.encode("utf-8"), compresslevel=9))
    assert len(soup.find_all("script")) == 1
    assert size < 10_000, size


def test_render_never_imports_the_network_layer(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from storyboard.render import RenderOptions, render_story\n"
        "from storyboard.model.story import Story\n"
        "story = Story.model_validate({'title': 't', 'items': [{'url': 'https://a.example/'}]})\n"
        f"render_story(story, {{}}, RenderOptions(output_dir=Path({str(tmp_path)!r})),"
        f" assets_dir=Path({str(tmp_path / 'none')!r}))\n"
        "bad = [m for m in ('storyboard.net.client', 'storyboard.fetch.resolver', 'requests')\n"
        "       if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ""


def test_html_is_marked_safe_in_one_place_only() -> None:
    marking = [
        path.relative_to(SRC).as_posix()
        for path in (SRC / "render").rglob("*.py")
        if "Markup(" in path.read_text(encoding="utf-8")
    ]
    assert marking == ["render/safe.py"]
    templates = Path(__file__).resolve().parents[1] / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe\b|autoescape\s+false", text), path


# -- embed modes ---------------------------------------------------------------------


def click_story(**fields: Any) -> tuple[Story, dict[str, Snapshot]]:
    """Return a story with two videos, a slide deck and a post."""
    story = make_story(
        [{"url": VIDEO_URL}, {"url": POST_URL}, {"url": VIDEO2_URL}, {"url": SLIDES_URL}],
        **fields,
    )
    slides = Card(
        kind=CardKind.RICH,
        url=SLIDES_URL,
        title="Slides",
        provider_name="Speaker Deck",
        player_url="https://speakerdeck.com/player/abc123",
        width=710,
        height=399,
    )
    snapshots = keyed(
        youtube_snapshot(video_card()),
        snap(post_card()),
        youtube_snapshot(
            video_card(
                "https://www.youtube.com/watch?v=abcdefghijk",
                "abcdefghijk",
                image=asset("thumb-video2.png", 480, 360),
            )
        ),
        snap(slides, source=Source(kind=SourceKind.PROVIDER, provider_name="Speaker Deck")),
    )
    return story, snapshots


def script_hosts(script: Tag) -> list[str]:
    """Return the host allowlist the click-to-load script's tag carries."""
    return str(script["data-sb-hosts"]).split()


def test_click_mode_has_one_script_and_a_button_per_player(render: RenderFn) -> None:
    story, snapshots = click_story(options={"embed": "click"})
    soup = render(story, snapshots).soup

    scripts = soup.find_all("script")
    assert len(scripts) == 1
    assert not scripts[0].has_attr("src")
    assert soup.find("iframe") is None  # nothing loads before the reader asks
    buttons = soup.find_all("button")
    assert [b.get_text(" ", strip=True).lstrip("▶\ufe0e ") for b in buttons] == [
        "Load video from YouTube",
        "Load video from YouTube",
        "Load player from Speaker Deck",
    ]
    hosts = script_hosts(scripts[0])
    assert hosts == ["speakerdeck.com", "www.youtube-nocookie.com"]
    players = [str(b["data-sb-player"]) for b in buttons]
    assert players[:2] == [
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/abcdefghijk",
    ]
    for button, player in zip(buttons, players, strict=True):
        assert button["type"] == "button"
        assert re.match(r"https://([^/]+)/", player).group(1) in hosts  # type: ignore[union-attr]
    assert buttons[0]["data-sb-width"] == "480"
    assert buttons[0]["data-sb-height"] == "270"
    assert soup.select_one("article.sb-post button") is None


def test_click_script_builds_the_iframe_with_dom_calls_and_checks_hosts(
    render: RenderFn,
) -> None:
    story, snapshots = click_story()
    script = render(story, snapshots, embed=EmbedMode.CLICK).soup.find("script")
    assert isinstance(script, Tag)
    code = script.get_text()

    assert "innerHTML" not in code
    assert "outerHTML" not in code
    assert "document.write" not in code
    assert "eval(" not in code
    assert 'createElement("iframe")' in code
    assert "hosts.indexOf(url.hostname)" in code
    # The policy is data on the tag (the sanitizer's), the script itself is static.
    assert script["data-sb-sandbox"] == IFRAME_SANDBOX
    assert script["data-sb-referrerpolicy"] == "strict-origin-when-cross-origin"
    assert script["data-sb-allow"] == "fullscreen; encrypted-media; picture-in-picture"
    assert "allowfullscreen" in code
    assert code.strip() == (builtin_templates_dir() / "storyboard.js").read_text("utf-8").strip()


def test_click_buttons_speak_the_page_language(render: RenderFn) -> None:
    story, snapshots = click_story(lang="sv")
    soup = render(story, snapshots, embed=EmbedMode.CLICK).soup

    button = soup.find("button")
    assert button is not None
    assert "Ladda videon från YouTube" in button.get_text()
    assert "www.youtube-nocookie.com" in soup.select_one(".sb-notice").get_text()  # type: ignore[union-attr]


def test_click_mode_skips_players_from_hosts_the_provider_does_not_list(
    render: RenderFn,
) -> None:
    story = make_story([{"url": VIDEO_URL}], options={"embed": "click"})
    bad = video_card(player_url="https://evil.example/embed/dQw4w9WgXcQ")
    soup = render(story, keyed(youtube_snapshot(bad))).soup

    assert soup.find("button") is None
    assert soup.find("script") is None  # no player on the page, no script either
    assert soup.select_one("article.sb-video a.sb-thumb") is not None


def test_item_embed_overrides_story_and_options_override_both(render: RenderFn) -> None:
    story = make_story(
        [{"url": VIDEO_URL, "embed": "click"}, {"url": VIDEO2_URL}], options={"embed": "static"}
    )
    _, snapshots = click_story()

    soup = render(story, snapshots).soup
    assert [b["data-sb-player"] for b in soup.find_all("button")] == [
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    ]
    forced = render(story, snapshots, embed=EmbedMode.STATIC).soup
    assert forced.find("button") is None
    assert forced.find("script") is None


def live_story() -> tuple[Story, dict[str, Snapshot]]:
    """Return a story with two X posts and a video whose snapshots carry provider HTML."""
    story = make_story(
        [{"url": TWEET_URL}, {"url": TWEET2_URL}, {"url": VIDEO_URL}], options={"embed": "live"}
    )
    hostile = (
        '<blockquote class="twitter-tweet" onmouseover="steal()"><p lang="en">Hello '
        '<a href="javascript:alert(1)">click</a> <a href="https://t.co/x">link</a></p>'
        '<img src="https://evil.example/track.gif" onerror="alert(1)">'
        '<iframe src="https://evil.example/frame"></iframe>'
        "<style>body{display:none}</style></blockquote>"
        '<script async src="https://platform.twitter.com/widgets.js"></script>'
        '<script>alert("inline")</script>'
    )

    def tweet(url: str) -> Snapshot:
        card = post_card(url, provider_name="X", avatar=None)
        return snap(
            card,
            source=Source(kind=SourceKind.PROVIDER, provider_name="X"),
            raw={"html": hostile},
        )

    return story, keyed(tweet(TWEET_URL), tweet(TWEET2_URL), youtube_snapshot(video_card()))


def test_live_mode_shows_sanitized_provider_html(render: RenderFn) -> None:
    story, snapshots = live_story()
    soup = render(story, snapshots).soup

    live = soup.select(".sb-live")
    assert len(live) == 3
    tweet = live[0]
    assert tweet.select_one("blockquote.twitter-tweet") is not None
    assert tweet.find(["style", "script"]) is None
    assert "steal" not in str(tweet)
    assert "onerror" not in str(tweet)
    assert [a.get("href") for a in tweet.find_all("a")] == [None, "https://t.co/x"]
    assert tweet.find("iframe") is None  # evil.example is not one of X's hosts
    frame = live[2].find("iframe")
    assert frame is not None
    assert frame["src"] == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert " ".join(frame["sandbox"]) == (
        "allow-scripts allow-same-origin allow-popups allow-presentation"
    )
    assert frame.has_attr("referrerpolicy")


def test_live_mode_loads_each_provider_script_once(render: RenderFn) -> None:
    story, snapshots = live_story()
    soup = render(story, snapshots).soup

    scripts = soup.find_all("script")
    assert [s.get("src") for s in scripts] == ["https://platform.twitter.com/widgets.js"]
    assert "inline" not in soup.get_text()


def test_live_item_without_provider_html_falls_back_to_its_card(render: RenderFn) -> None:
    story = make_story([{"url": POST_URL}, {"url": VIDEO_URL}], options={"embed": "live"})
    video = snap(video_card(), source=Source(kind=SourceKind.PROVIDER, provider_name="YouTube"))
    soup = render(story, keyed(snap(post_card()), video)).soup

    assert soup.select(".sb-live") == []
    assert soup.select_one("article.sb-post") is not None
    # The video keeps a way to play it: the click-to-load button.
    assert soup.select_one("article.sb-video button[data-sb-player]") is not None


def test_live_mode_shows_a_gone_post_from_the_archive(render: RenderFn) -> None:
    story, snapshots = live_story()
    key = normalize_url(TWEET_URL)
    snapshots[key] = snapshots[key].model_copy(update={"status": SnapshotStatus.GONE})
    soup = render(story, snapshots).soup

    assert soup.select_one("#item-1 .sb-live") is None
    assert soup.select_one("#item-1 .sb-archived") is not None
    assert soup.select_one("#item-2 .sb-live") is not None


# -- the fragment --------------------------------------------------------------------


def css_selectors(css: str) -> list[str]:
    """Return every selector of a stylesheet (crudely: comments out, @-blocks opened)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    selectors = []
    for found in re.findall(r"([^{}]+)\{", css):
        prelude = found.strip()
        if prelude.startswith("@"):
            assert prelude.startswith(("@media", "@supports")), prelude
            continue
        selectors += [s.strip() for s in prelude.split(",")]
    return selectors


def test_fragment_is_one_scoped_block(render: RenderFn) -> None:
    story, snapshots = full_story(lang="fi")
    rendered = render(story, snapshots, format=OutputFormat.FRAGMENT)
    soup = rendered.soup

    assert rendered.path.name == "embed.html"
    roots = [c for c in soup.contents if isinstance(c, Tag)]
    assert len(roots) == 1
    root = roots[0]
    assert root.name == "div"
    assert root["class"] == ["storyboard"]
    assert root["lang"] == "fi"
    assert soup.find(["html", "head", "body", "title", "meta", "link"]) is None
    assert soup.find("h1") is None  # the blog post has its own title
    assert root.find("style") is not None
    assert soup.find("script") is None
    page = render(story, snapshots).soup
    assert [f["id"] for f in root.find_all("figure")] == [f["id"] for f in page.find_all("figure")]
    assert texts(root.select("article")) == texts(page.select("article"))


def test_fragment_css_is_all_scoped_under_storyboard(render: RenderFn) -> None:
    story, snapshots = full_story()
    soup = render(story, snapshots, format=OutputFormat.FRAGMENT).soup
    style = soup.find("style")
    assert isinstance(style, Tag)
    css = style.get_text()

    selectors = css_selectors(css)
    assert len(selectors) > 20
    # :where() only takes the weight off: the rule still reaches nothing outside .storyboard.
    unscoped = [s for s in selectors if not re.match(r"(:where\()?\.storyboard(?![\w-])", s)]
    assert unscoped == []
    assert not re.search(r"(^|[\s,}]):root|(^|[\s,}])(html|body)\b", css)


def test_fragment_css_resets_what_blog_themes_usually_style() -> None:
    css = (Path(__file__).resolve().parents[1] / "templates/default/storyboard.css").read_text(
        encoding="utf-8"
    )
    rules = {sel.strip(): body for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)}

    def rule_for(selector: str) -> str:
        return next(body for sel, body in rules.items() if selector in sel.split(","))

    # Every element of a fragment; the page, alone in its document, has nothing to undo.
    reset = rule_for(":where(.storyboard:not(.sb-page)) :not(.sb-x):not(z)")
    assert "all:revert" in reset
    assert "box-sizing:border-box" in reset
    assert "box-sizing:border-box" in rule_for(".storyboard.sb-page *")
    assert "max-width:100%" in rule_for(".storyboard img")
    assert "height:auto" in rule_for(".storyboard img")
    assert "margin:0 0 .75em" in rule_for(".storyboard p")
    assert "border:0" in rule_for(".storyboard blockquote")
    assert "padding" in rule_for(".storyboard blockquote")
    assert "font:inherit" in rule_for(".storyboard button")
    assert "outline" in rule_for(".storyboard a:focus-visible")


def test_page_and_fragment_share_one_stylesheet(render: RenderFn) -> None:
    story, snapshots = full_story()
    page_css = render(story, snapshots).soup.find("style").get_text()  # type: ignore[union-attr]
    fragment = render(story, snapshots, format=OutputFormat.FRAGMENT).soup
    fragment_css = fragment.find("style").get_text()  # type: ignore[union-attr]

    assert fragment_css.strip() in page_css
    assert "body{" in page_css
    assert "body{" not in fragment_css
    assert "prefers-color-scheme" in page_css


def test_fragment_in_click_mode_carries_its_one_script(render: RenderFn) -> None:
    story, snapshots = click_story()
    soup = render(story, snapshots, format=OutputFormat.FRAGMENT, embed=EmbedMode.CLICK).soup

    root = soup.find("div", class_="storyboard")
    assert isinstance(root, Tag)
    assert len(root.find_all("script")) == 1
    assert len(soup.find_all("script")) == 1


# -- Markdown ------------------------------------------------------------------------


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return the parsed front matter and the Markdown body."""
    assert text.startswith("---\n")
    head, body = text[4:].split("\n---\n", 1)
    data: dict[str, Any] = YAML(typ="safe").load(head)
    return data, body


def test_markdown_has_front_matter_headings_text_and_card_blocks(render: RenderFn) -> None:
    story, snapshots = full_story(lang="sv", title='AnkSoMe: "2017"')
    rendered = render(story, snapshots, format=OutputFormat.MARKDOWN)

    assert rendered.path.name == "story.md"
    front, body = split_front_matter(rendered.text)
    assert front == {
        "title": 'AnkSoMe: "2017"',
        "date": dt.date(2017, 1, 13),
        "description": "The Finland-Swedish social media network meets at Maria 01.",
        "author": "Example Curator",
        "tags": ["some", "meetup"],
        "lang": "sv",
        "stylesheet": "storyboard.css",
    }
    assert "\n## Morning\n" in body
    assert "\n## Afternoon\n" in body
    assert "<p>We <em>start</em> at Maria 01.</p>" in body
    assert "<script" not in body
    assert "<button" not in body


def test_markdown_card_blocks_survive_a_commonmark_renderer(render: RenderFn) -> None:
    story, snapshots = full_story()
    with_code = story.items[2].model_copy(update={"note": "```\na\n\nb\n```"})
    story = story.model_copy(update={"items": [*story.items, with_code]})
    _, body = split_front_matter(render(story, snapshots, format=OutputFormat.MARKDOWN).text)

    html = MarkdownIt("commonmark", {"html": True}).render(body)
    soup = BeautifulSoup(html, "html.parser")
    figures = [
        scope.find("figure", recursive=False)
        for scope in soup.find_all("div", class_="storyboard", recursive=False)
    ]
    assert [f["id"] for f in figures] == [
        "item-3",
        "item-4",
        "item-6",
        "item-7",
        "item-8",
        "item-9",
    ]
    assert soup.find("pre", recursive=False) is None  # no card fell apart into code
    assert figures[0].select_one(".sb-note strong") is not None
    assert figures[-1].find("pre").get_text() == "a\n\nb\n"  # type: ignore[union-attr]
    assert [h.get_text() for h in soup.find_all("h2")] == ["Morning", "Afternoon"]


def test_markdown_headings_are_literal_text(render: RenderFn) -> None:
    story = make_story([{"heading": "C# *and* <b>HTML</b> #"}])
    _, body = split_front_matter(render(story, format=OutputFormat.MARKDOWN).text)

    soup = BeautifulSoup(MarkdownIt("commonmark", {"html": True}).render(body), "html.parser")
    assert soup.find("h2").get_text() == "C# *and* <b>HTML</b> #"  # type: ignore[union-attr]
    assert soup.find("b") is None


# -- JSON ----------------------------------------------------------------------------


def test_json_output_is_a_versioned_document(render: RenderFn) -> None:
    story, snapshots = full_story()
    rendered = render(story, snapshots, format=OutputFormat.JSON)
    data = json.loads(rendered.text)

    assert rendered.path.name == "story.json"
    assert data["schema_version"] == 2
    assert data["story"]["title"] == "AnkSoMe 2017"
    assert data["story"]["date"] == "2017-01-13"
    assert [i["kind"] for i in data["items"]] == [
        "heading",
        "text",
        "url",
        "url",
        "heading",
        "url",
        "url",
        "url",
    ]
    post, video = data["items"][2], data["items"][3]
    assert post["status"] == "ok"
    assert post["card"]["author_name"] == "Anna Example"
    assert post["note_html"].startswith("<p>Anna <strong>opens")
    pictures = data["pictures"]
    assert pictures[post["media"]["avatar"]]["src"] == "assets/avatar-anna.png"
    assert pictures[video["media"]["image"]]["src"] == "assets/thumb-video.png"
    assert list(post["media"]) == ["avatar"]
    assert list(video["media"]) == ["image"]
    assert data["items"][5]["status"] == "gone"
    missing = data["items"][7]
    assert missing["status"] == "missing"
    assert missing["card"] is None
    assert not missing["resolved"]
    assert rendered.result.unresolved == [MISSING_URL]


# -- archived media ------------------------------------------------------------------


def test_only_media_the_output_shows_are_copied(render: RenderFn) -> None:
    story, snapshots = live_story()
    extra = make_story([{"url": POST_URL}]).items
    story = story.model_copy(update={"items": [*story.items, *extra]})
    snapshots.update(keyed(snap(post_card())))
    rendered = render(story, snapshots)
    assets = rendered.options.output_dir / "assets"

    # Live items show the provider's HTML, not the archived thumbnail.
    assert sorted(p.name for p in assets.iterdir()) == ["avatar-anna.png"]
    assert (assets / "avatar-anna.png").read_bytes()[:4] == b"\x89PNG"


def test_inline_assets_are_defined_once_in_the_style_and_shown_by_class(
    render: RenderFn,
) -> None:
    story, snapshots = full_story()
    rendered = render(story, snapshots, format=OutputFormat.FRAGMENT, assets="inline")

    # No <img> carries a data: URI; each picture is one CSS rule, shown by its class.
    assert rendered.soup.find_all("img") == []
    style = rendered.soup.find("style").get_text()
    rule = r'\.(sb-pic-[0-9a-f]{12})\{background-image:url\("data:image/png;base64,'
    rules = re.findall(rule, style)
    assert len(rules) == 3
    shown = {cls for el in rendered.soup.select(".sb-pic") for cls in el["class"] if cls in rules}
    assert shown == set(rules)
    # A card's picture keeps its description and its proportions; an avatar stays decoration.
    photo = rendered.soup.select_one(".sb-media .sb-pic")
    assert photo is not None
    assert photo["role"] == "img"
    assert photo["aria-label"]
    assert "--sb-ratio:" in photo["style"]
    assert rendered.soup.select_one(".sb-avatar")["aria-hidden"] == "true"
    assert not (rendered.options.output_dir / "assets").exists()
    assert rendered.result.written == [rendered.path]


def test_a_picture_shown_by_many_cards_is_inlined_once(render: RenderFn) -> None:
    # Twenty posts by one author, each with the same photo: one copy of each picture.
    urls = [f"https://twitter.com/anna/status/{8200 + n}" for n in range(20)]
    story = make_story([{"url": url} for url in urls])
    snapshots = keyed(*(snap(post_card(url, image=asset("photo.png", 800, 600))) for url in urls))
    rendered = render(story, snapshots, format=OutputFormat.FRAGMENT, assets="inline")
    text = rendered.path.read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") == 2  # the avatar and the photo
    assert len(rendered.soup.select(".sb-media .sb-pic")) == 20


def test_asset_url_mode_links_to_the_uploaded_folder(render: RenderFn) -> None:
    story, snapshots = full_story()
    rendered = render(story, snapshots, assets="url", asset_url="https://blog.example/media/story/")

    sources = sorted(str(img["src"]) for img in rendered.soup.find_all("img"))
    assert sources == [
        "https://blog.example/media/story/avatar-anna.png",
        "https://blog.example/media/story/photo.png",
        "https://blog.example/media/story/thumb-video.png",
    ]
    # The folder to upload there is written beside the page, with only what it shows.
    uploaded = sorted(p.name for p in (rendered.options.output_dir / "assets").iterdir())
    assert uploaded == ["avatar-anna.png", "photo.png", "thumb-video.png"]


def test_url_mode_needs_an_asset_url(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="asset"):
        RenderOptions(output_dir=tmp_path, assets="url")


@pytest.mark.parametrize("base", ["javascript:alert(1)//", "data:image/png;base64,", "ftp://x/"])
def test_asset_url_is_http_or_a_path(tmp_path: Path, base: str) -> None:
    with pytest.raises(UsageError, match="http"):
        RenderOptions(output_dir=tmp_path, assets="url", asset_url=base)
    for fine in ("https://blog.example/media/", "/media/story", "//cdn.example/s"):
        RenderOptions(output_dir=tmp_path, assets="url", asset_url=fine)


def test_media_never_archived_is_left_out_not_hotlinked(render: RenderFn) -> None:
    card = post_card(
        avatar=MediaAsset(url="https://cdn.social.example/a.png"),
        image=MediaAsset(url="https://cdn.social.example/b.png", path="not-there.png"),
    )
    badpath = post_card(GONE_URL, avatar=MediaAsset(url="https://x.example/", path="../secret.png"))
    story = make_story([{"url": POST_URL}, {"url": GONE_URL}])
    soup = render(story, keyed(snap(card), snap(badpath))).soup

    assert soup.find("img") is None
    assert len(soup.select(".sb-mark")) == 2
