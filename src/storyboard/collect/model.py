"""What a collector finds: posts to add to a story, and what it passed over."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from storyboard.model.snapshot import Snapshot

#: Called with one line of news while collecting ("waiting 42 s for the rate limit").
Notify = Callable[[str], None]

#: Longest first line shown in the list of collected posts.
FIRST_LINE_LENGTH = 100


@dataclass(frozen=True)
class CollectedPost:
    """One post a collector found: its canonical URL and what the list shows of it."""

    url: str
    author: str = ""  # "Anna Example (@anna@social.example)", or "" when unknown
    published: dt.datetime | None = None  # UTC
    first_line: str = ""
    #: The snapshot the API's answer seeds (None for a bare URL from a file).
    snapshot: Snapshot | None = None


@dataclass(frozen=True)
class CollectFilter:
    """Which posts a collector keeps: UTC days (inclusive), a cap, URLs already present."""

    since: dt.date | None = None
    until: dt.date | None = None
    limit: int = 200
    #: Normalized URLs already in the story; never collected again.
    exclude: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError("limit must be at least 1")
        if self.since and self.until and self.since > self.until:
            raise ValueError("since is after until")

    def too_new(self, when: dt.datetime) -> bool:
        """Tell whether ``when`` falls after the ``until`` day."""
        return self.until is not None and when.astimezone(dt.UTC).date() > self.until

    def too_old(self, when: dt.datetime) -> bool:
        """Tell whether ``when`` falls before the ``since`` day."""
        return self.since is not None and when.astimezone(dt.UTC).date() < self.since

    @property
    def dated(self) -> bool:
        """Tell whether a date range is asked for (a post without a date cannot match it)."""
        return self.since is not None or self.until is not None


@dataclass
class CollectResult:
    """The posts found (oldest first) and one line for each post passed over or problem."""

    posts: list[CollectedPost] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Why collecting stopped before the source ran out ("" when it did run out or hit
    #: the date range): the limit, a page cap, or an error after some pages.
    stopped_early: str = ""
    #: True when collecting ended on an error and more posts may exist.
    incomplete: bool = False
    pages: int = 0


def first_line(text: str, length: int = FIRST_LINE_LENGTH) -> str:
    """Return the first non-blank line of ``text``, spaces collapsed, cut to ``length``."""
    for line in text.splitlines():
        words = " ".join(line.split())
        if words:
            return words if len(words) <= length else words[: length - 1].rstrip() + "…"
    return ""


_NO_DATE = dt.datetime.max.replace(tzinfo=dt.UTC)


def oldest_first(newest_first: list[CollectedPost]) -> list[CollectedPost]:
    """Order posts found newest first by date, oldest first; undated ones keep their place."""
    indexed = list(enumerate(newest_first))
    indexed.sort(key=lambda pair: (pair[1].published or _NO_DATE, -pair[0]))
    return [post for _, post in indexed]


def describe_post(post: CollectedPost) -> list[str]:
    """Return the lines that show ``post`` in a list: date and author, text, URL."""
    if post.snapshot is None and not post.author:
        return [post.url]
    when = post.published.strftime("%Y-%m-%d %H:%M UTC") if post.published else "(no date)"
    return [
        f"{when}  {post.author or '(unknown author)'}",
        f"    {post.first_line or '(no text)'}",
        f"    {post.url}",
    ]
