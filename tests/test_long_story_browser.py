"""A long story in a real browser: its folded contents, its skipped-until-seen entries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .browser_support import serve
from .test_accessibility_browser import BLOCKING, axe_violations, summary

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from big_story import write_story  # noqa: E402

pytestmark = pytest.mark.browser


def test_a_long_contents_list_comes_folded_and_its_links_reach_skipped_headings(
    browser: Browser, tmp_path: Path
) -> None:
    story = write_story(tmp_path, 150)  # 45 headings: a contents list of several screens
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-m", "storyboard", "render", "--offline", str(story), "-o", str(out)],
        check=True,
        capture_output=True,
    )
    with serve(out) as site:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.goto(site.url("index.html"))
            links = page.locator("nav.sb-toc ol a")
            assert links.count() == 45
            assert not links.first.is_visible()  # folded

            page.locator("nav.sb-toc summary").focus()
            page.keyboard.press("Enter")  # opens from the keyboard
            assert links.first.is_visible()
            blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
            assert blocking == [], "\n".join(summary(blocking))

            link = links.nth(30)
            target = (link.get_attribute("href") or "")[1:]
            link.click()  # to a heading the browser had not laid out, past many such entries
            heading = page.locator(f"[id='{target}']")
            page.wait_for_function(
                # Within a pixel: the jump lands on a fractional position (0.375 px seen),
                # on either side of the viewport's edge by how the fonts round.
                "id => { const box = document.getElementById(id).getBoundingClientRect();"
                " return box.top >= -1 && box.bottom <= innerHeight; }",
                arg=target,
                timeout=10_000,
            )
            assert heading.is_visible()
        finally:
            context.close()
