"""Collect posts for a story: a hashtag on Mastodon or Bluesky, or a list of URLs."""

from __future__ import annotations

from storyboard.collect.bluesky import collect_bluesky
from storyboard.collect.from_file import collect_from_file
from storyboard.collect.mastodon import collect_mastodon
from storyboard.collect.model import (
    CollectedPost,
    CollectFilter,
    CollectResult,
    describe_post,
)
from storyboard.collect.run import (
    CollectSource,
    SaveReport,
    collect_posts,
    save_collected,
    seed_snapshots,
    story_urls,
)
from storyboard.networks.bluesky import DEFAULT_APPVIEW

__all__ = [
    "DEFAULT_APPVIEW",
    "CollectFilter",
    "CollectResult",
    "CollectSource",
    "CollectedPost",
    "SaveReport",
    "collect_bluesky",
    "collect_from_file",
    "collect_mastodon",
    "collect_posts",
    "describe_post",
    "save_collected",
    "seed_snapshots",
    "story_urls",
]
