"""storyboard.js alone, in Chromium, against a minimal page written here.

The click-to-load script is a static file: the page gives it the player hosts and
the iframe policy as data on its own ``<script>`` tag. These tests change that data
and the buttons, not the script, and watch what the script does with them.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from storyboard.render.themes import builtin_templates_dir

from .browser_support import load, serve, watched_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

SCRIPT = builtin_templates_dir() / "storyboard.js"
GOOD = "https://player.video.example/embed/1"
POLICY = {
    "sandbox": "allow-scripts allow-popups",
    "referrerpolicy": "no-referrer",
    "allow": "fullscreen",
}


def _card(number: int, player: str) -> str:
    return (
        f'<article class="sb-card" id="card-{number}"><div class="sb-media"><img alt=""></div>'
        f'<div class="sb-loader" hidden><button type="button" data-sb-player="{escape(player)}"'
        f' data-sb-title="Player {number}" data-sb-width="16" data-sb-height="9">Load</button>'
        "</div></article>"
    )


def _page(folder: Path, players: list[str], *, hosts: str | None) -> None:
    attributes = "".join(f' data-sb-{name}="{escape(value)}"' for name, value in POLICY.items())
    if hosts is not None:
        attributes += f' data-sb-hosts="{escape(hosts)}"'
    cards = "".join(_card(number, player) for number, player in enumerate(players, 1))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'></head><body>"
        f'<div class="storyboard">{cards}<script{attributes}>'
        f"{SCRIPT.read_text(encoding='utf-8')}</script></div></body></html>",
        encoding="utf-8",
    )


def test_script_swaps_in_a_player_with_the_pages_policy(browser: Browser, tmp_path: Path) -> None:
    _page(tmp_path, [GOOD, "https://evil.example/embed/1"], hosts="player.video.example")
    with serve(tmp_path) as site, watched_page(browser, site.origin) as watched:
        load(watched, site.url("index.html"))
        page = watched.page
        assert page.locator(".sb-loader:not([hidden])").count() == 2
        page.locator("#card-1 button").click()
        frame = page.locator("#card-1 .sb-frame iframe")
        frame.wait_for(state="attached")
        assert frame.get_attribute("src") == GOOD
        assert frame.get_attribute("title") == "Player 1"
        assert frame.get_attribute("sandbox") == POLICY["sandbox"]
        assert frame.get_attribute("referrerpolicy") == POLICY["referrerpolicy"]
        assert frame.get_attribute("allow") == POLICY["allow"]
        assert page.locator("#card-1 .sb-media").count() == 0
        # A player from a host the page does not list never loads, whatever it says.
        page.locator("#card-2 button").click()
        page.wait_for_timeout(100)
        assert page.locator("#card-2 iframe").count() == 0
        assert page.locator("#card-2 .sb-media").count() == 1
        assert watched.log.errors == []


@pytest.mark.parametrize(
    ("player", "hosts"),
    [
        (GOOD, None),  # no host list: nothing may play
        (GOOD, ""),
        (GOOD, "video.example"),  # the list names exact hosts, no suffixes
        ("http://player.video.example/embed/1", "player.video.example"),
        ("javascript:alert(1)", "player.video.example"),
        ("https://player.video.example@evil.example/", "player.video.example"),
    ],
)
def test_script_refuses_players_the_page_does_not_allow(
    browser: Browser, tmp_path: Path, player: str, hosts: str | None
) -> None:
    _page(tmp_path, [player], hosts=hosts)
    with serve(tmp_path) as site, watched_page(browser, site.origin) as watched:
        load(watched, site.url("index.html"))
        watched.page.locator("#card-1 button").click()
        watched.page.wait_for_timeout(100)
        assert watched.page.locator("iframe").count() == 0
        assert watched.log.third_party == []
        assert watched.log.errors == []
