"""What reads the answers, loaded in a thread while the first requests are on their way.

The HTML parsers (BeautifulSoup, nh3), the card builders and Pillow take longer to
import than a round of requests to a provider, and none of them is needed to send a
request. ``fetch`` starts loading them as soon as its first requests are out (see
``commands.head_start``), so that the first answers find them loaded instead of every
worker waiting for the imports at once, while no request goes out. Light itself: it
names the modules and imports them in the thread.
"""

from __future__ import annotations

import importlib
import threading

_READERS = (
    "storyboard.extract.discovery",
    "storyboard.extract.oembed_card",
    "storyboard.extract.page_card",
    "storyboard.extract.page_metadata",
    "storyboard.extract.sanitize",
    "storyboard.extract.walls",
    "storyboard.networks.bluesky",
    "storyboard.networks.mastodon",
)

_started = threading.Event()


def load_readers_in_background() -> None:
    """Start importing what reads answers (once a process: later calls do nothing)."""
    if not _started.is_set():
        _started.set()
        threading.Thread(target=_import_readers, name="fetch-imports", daemon=True).start()


def _import_readers() -> None:
    for name in _READERS:
        importlib.import_module(name)
    from storyboard.fetch.assets import pillow

    pillow()  # for the first thumbnails
