"""``storyboard serve`` in Chromium: the open page reloads itself after each edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyboard.preview.server import PreviewServer, PreviewSettings

from .browser_support import watched_page

pytestmark = pytest.mark.browser

STORY = "title: {title}\nlang: sv\ndate: 2017-01-13\nitems:\n  - text: Hej.\n"


def test_open_page_follows_edits_errors_and_fixes(browser: object, tmp_path: Path) -> None:
    story = tmp_path / "story.yaml"
    story.write_text(STORY.format(title="Första"), encoding="utf-8")
    settings = PreviewSettings(
        story_path=story, output_dir=tmp_path / "site", port=0, poll_interval=0.1
    )
    with (
        PreviewServer(settings) as server,
        watched_page(browser, server.url.rstrip("/")) as watched,  # type: ignore[arg-type]
    ):
        page = watched.page
        page.goto(server.url)
        assert page.locator("h1").inner_text() == "Första"
        assert page.locator("header time").inner_text() == "fredag 13 januari 2017"

        story.write_text(STORY.format(title="Andra"), encoding="utf-8")
        page.wait_for_function("document.querySelector('h1').textContent === 'Andra'")

        story.write_text("titel: Andra\nitems: []\n", encoding="utf-8")
        page.wait_for_selector(".sb-preview-error")
        assert "did you mean 'title'" in page.locator("main").inner_text()

        story.write_text(STORY.format(title="Tredje"), encoding="utf-8")
        page.wait_for_function("document.querySelector('h1')?.textContent === 'Tredje'")
        assert watched.log.third_party == []
        assert watched.log.errors == []
