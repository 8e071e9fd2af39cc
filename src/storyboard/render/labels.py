"""What a card calls things: one name per platform, and why an item could not be fetched.

A page names each platform one way whatever each snapshot recorded ("Twitter" from an
old oEmbed answer, "X" from the registry, "Bluesky Social" from Bluesky's endpoint), and
tells readers in their language why an item is missing; the technical detail (status
code, URL) stays in the snapshot and on stderr.
"""

from __future__ import annotations

import re

from storyboard.model.snapshot import FetchFailure

#: Words of the network errors that mean no answer came back at all.
_NO_ANSWER = re.compile(r"timed? ?out|connect|refused|resolve|unreachable|reset", re.I)

#: The name readers know each platform by, by provider slug.
PLATFORM_NAMES = {
    "twitter": "X",
    "x": "X",
    "bluesky": "Bluesky",
    "blueskysocial": "Bluesky",
    "mastodon": "Mastodon",
    "instagram": "Instagram",
    "facebook": "Facebook",
    "threads": "Threads",
    "linkedin": "LinkedIn",
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "vimeo": "Vimeo",
}


def platform_name(slug: str | None, *names: str | None) -> str | None:
    """Return the one name a page uses for a platform: the known one, else the first given."""
    if slug and slug in PLATFORM_NAMES:
        return PLATFORM_NAMES[slug]
    return next((name for name in names if name), None)


def failure_reason_key(failure: FetchFailure) -> str:
    """Return the UI string that tells a reader, in a sentence, why a fetch failed."""
    status = failure.status
    if status in (404, 410):
        return "reason_not_found"
    if status in (401, 403, 451):
        return "reason_private"
    if status == 429:
        return "reason_rate_limited"
    if status is not None and status >= 500:
        return "reason_server_error"
    if status is None and _NO_ANSWER.search(failure.message):
        # No HTTP answer at all: the connection failed, timed out or was refused.
        return "reason_unreachable"
    return "reason_unusable"
