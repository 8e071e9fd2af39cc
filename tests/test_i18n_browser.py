"""Swedish and Finnish pages in Chromium: the dates and labels a reader actually sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyboard.model.card import Card, CardKind
from storyboard.model.snapshot import Snapshot, SnapshotStatus, Source, SourceKind
from storyboard.snapshots import SnapshotStore

from .browser_support import SiteServer, load, serve, watched_page
from .cli_runner import invoke

pytestmark = pytest.mark.browser

VIDEO_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
POST_URL = "https://social.example/@anna/1"

STORY = """\
title: AnkSoMe 2017
date: 2017-01-13
lang: {lang}
author: Example Curator
options:
  embed: click
items:
  - url: {video}
  - url: {post}
"""

#: What a reader sees, per language: the story's full date, a post's date, the link to
#: the original, the click-to-load button, the byline and the footer.
EXPECTED = {
    "sv": {
        "full_date": "fredag 13 januari 2017",
        "post_date": "13 jan. 2017 09:30",
        "view_on": "Visa på YouTube",
        "load": "Ladda videon från YouTube",
        "byline": "Sammanställd av Example Curator",
        "footer": "Gjord med storyboard",
    },
    "fi": {
        "full_date": "perjantai 13. tammikuuta 2017",
        "post_date": "13.1.2017 9.30",
        "view_on": "Katso palvelussa YouTube",
        "load": "Lataa video palvelusta YouTube",
        "byline": "Koonnut Example Curator",
        "footer": "Tehty storyboard-työkalulla",
    },
}


def write_story(folder: Path, lang: str) -> Path:
    """Write a story in ``lang`` with a YouTube video and a dated post, and its snapshots."""
    folder.mkdir(parents=True)
    story = folder / "story.yaml"
    story.write_text(STORY.format(lang=lang, video=VIDEO_URL, post=POST_URL), encoding="utf-8")
    store = SnapshotStore.load(folder / "story.snapshots.json")
    at = dt.datetime(2017, 1, 14, tzinfo=dt.UTC)
    video = Card(
        kind=CardKind.VIDEO,
        url=VIDEO_URL,
        title="Keynote",
        provider_name="YouTube",
        player_url="https://www.youtube.com/embed/dQw4w9WgXcQ?feature=oembed",
        width=480,
        height=270,
    )
    post = Card(
        kind=CardKind.POST,
        url=POST_URL,
        text_html="<p>Hej!</p>",
        author_name="Anna",
        published=dt.datetime(2017, 1, 13, 9, 30, tzinfo=dt.UTC),
    )
    source = Source(kind=SourceKind.PROVIDER, provider_name="YouTube")
    store.record_success(
        Snapshot(url=VIDEO_URL, status=SnapshotStatus.OK, source=source, fetched_at=at, card=video)
    )
    store.record_success(Snapshot(url=POST_URL, status=SnapshotStatus.OK, fetched_at=at, card=post))
    store.save()
    return story


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    """Render the story in Swedish and in Finnish through the CLI and serve both pages."""
    root = tmp_path_factory.mktemp("i18n")
    for lang in EXPECTED:
        story = write_story(root / "stories" / lang, lang)
        out = root / "site" / lang
        result = invoke(["render", str(story), "-o", str(out), "--offline"])
        assert result.exit_code == 0, result.output
    with serve(root / "site") as server:
        yield server


@pytest.mark.parametrize("lang", sorted(EXPECTED))
def test_reader_sees_dates_and_labels_in_the_page_language(
    browser: object, site: SiteServer, lang: str
) -> None:
    expected = EXPECTED[lang]
    with watched_page(browser, site.origin) as watched:  # type: ignore[arg-type]
        load(watched, site.url(f"{lang}/index.html"))
        page = watched.page

        assert page.evaluate("document.documentElement.lang") == lang
        assert page.locator("header time").inner_text() == expected["full_date"]
        assert page.locator("header .sb-byline span").inner_text() == expected["byline"]
        post_date = page.locator("article.sb-post .sb-foot time")
        assert post_date.inner_text() == expected["post_date"]
        assert post_date.is_visible()

        view_on = page.get_by_role("link", name=expected["view_on"], exact=True)
        assert view_on.is_visible()
        assert view_on.get_attribute("href") == VIDEO_URL
        button = page.get_by_role("button", name=expected["load"])
        assert button.is_visible()
        assert page.locator("footer").inner_text().strip() == expected["footer"]
        assert watched.log.errors == []
        assert watched.log.third_party == []  # labels only: nothing loads before a click
