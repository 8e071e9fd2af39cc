"""A provider loaded from a providers.json file gets its players on its subdomains.

providers.json says nothing about players, so such a provider is trusted for its own
domain and every subdomain of it (``*.video.localhost``). This follows that rule from
the file through ``storyboard fetch`` and ``storyboard render --embed click`` into
Chromium, where the reader's click swaps the card's picture for the player (and
``--embed live`` keeps the provider's iframe). Names under ``.localhost`` resolve to
loopback in Chromium, and the page's route stops anything leaving its own origin.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .browser_support import load, serve, watched_page
from .cli_runner import invoke
from .conftest import ProviderPlayground

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

VIDEO_URL = "https://video.localhost/watch/42"
PLAYER_URL = "https://player.video.localhost/embed/42"


def _cli(*args: str | Path) -> int:
    return invoke(args).exit_code


def test_click_loads_a_loaded_providers_player_from_its_subdomain(
    browser: Browser, playground: ProviderPlayground, tmp_path: Path
) -> None:
    providers = tmp_path / "providers.json"
    providers.write_text(
        json.dumps(
            [
                {
                    "provider_name": "Localhost Video",
                    "provider_url": "https://video.localhost/",
                    "endpoints": [
                        {"schemes": ["https://video.localhost/watch/*"], "url": playground.endpoint}
                    ],
                }
            ]
        ),
        encoding="utf-8",
    )
    playground.oembed[VIDEO_URL] = {
        "type": "video",
        "version": "1.0",
        "title": "A talk on loopback",
        "provider_name": "Localhost Video",
        "html": f'<iframe src="{PLAYER_URL}" width="640" height="360"></iframe>',
        "width": 640,
        "height": 360,
    }
    story = tmp_path / "story.yaml"
    story.write_text(f"title: Players\nitems:\n  - url: {VIDEO_URL}\n", encoding="utf-8")
    network = ["--providers", providers, "--allow-private-network"]
    assert _cli("fetch", story, *network) == 0
    out = tmp_path / "site"
    assert _cli("render", story, "-o", out, "--offline", "--embed", "click", *network) == 0
    live = out / "live"
    assert _cli("render", story, "-o", live, "--offline", "--embed", "live", *network) == 0

    with serve(out) as site, watched_page(browser, site.origin) as watched:
        load(watched, site.url("index.html"))
        page, log = watched.page, watched.log
        assert log.third_party == []
        button = page.get_by_role("button", name="Load video from Localhost Video")
        button.click()
        frame = page.locator(".sb-card .sb-frame iframe")
        frame.wait_for(state="attached")
        assert frame.get_attribute("src") == PLAYER_URL
        assert page.locator(".sb-loader").count() == 0
        assert log.third_party, "the player was never requested"
        assert log.third_party[0] == PLAYER_URL
        assert log.errors == []

        # Live mode keeps the provider's own iframe, from the same subdomain.
        log.clear()
        load(watched, site.url("live/index.html"))
        assert page.locator(".sb-live iframe").get_attribute("src") == PLAYER_URL
        assert PLAYER_URL in log.third_party
