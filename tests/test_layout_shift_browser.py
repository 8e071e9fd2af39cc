"""Pictures reserve their space before they arrive: a long page does not move as they load."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from big_story import write_story  # noqa: E402
from page_speed import layout_shift_of, serve  # noqa: E402

pytestmark = pytest.mark.browser


def test_a_long_page_does_not_shift_as_its_pictures_load(browser: Browser, tmp_path: Path) -> None:
    # Under 100 items: no content-visibility, whose placeholders are a separate matter.
    story = write_story(tmp_path, 99)
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-m", "storyboard", "render", "--offline", str(story), "-o", str(out)],
        check=True,
        capture_output=True,
    )
    html = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="storyboard sb-page"' in html
    assert html.count("<img") >= 20  # the pictures whose arrival would move the page
    server = serve(out)  # answers every picture late, after the first layout
    try:
        host, port = server.server_address[:2]
        assert layout_shift_of(browser, f"http://{host!s}:{port}/index.html") == 0
    finally:
        server.shutdown()
        server.server_close()
