"""How an embed item is shown on the page; apart from the models so the CLI loads it alone."""

from __future__ import annotations

from enum import StrEnum


class EmbedMode(StrEnum):
    """How an embed item is shown on the page."""

    STATIC = "static"
    CLICK = "click"
    LIVE = "live"
