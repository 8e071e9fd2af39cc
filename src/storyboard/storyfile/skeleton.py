"""The commented skeleton of a new story, and the checks of what ``new`` is given."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import zoneinfo
from pathlib import Path

from storyboard.clock import Clock, today, utc_now
from storyboard.errors import StoryError, UsageError
from storyboard.i18n import available_languages
from storyboard.model.story import StoryOptions
from storyboard.storyfile.loader import parse_story
from storyboard.storyfile.yaml_text import comment_line, yaml_scalar


def title_from_file_name(path: Path) -> str:
    """Return a title made from a file's name: ``anksome-2017.yaml`` -> ``Anksome 2017``."""
    words = re.sub(r"[-_.\s]+", " ", path.stem).strip()
    return (words[:1].upper() + words[1:]) if words else "Untitled story"


def check_lang(lang: str) -> None:
    """Raise ``UsageError`` unless the page has strings for ``lang`` (``sv``, ``sv-FI``...)."""
    primary = re.split(r"[-_]", lang.strip(), maxsplit=1)[0].lower()
    if primary not in available_languages():
        languages = ", ".join(available_languages())
        raise UsageError(f"--lang {lang}: no page strings for it; use one of {languages}")


def machine_timezone() -> str:
    """Return the IANA name of this machine's time zone (``TZ``, ``/etc/localtime``), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        # /etc/localtime links to .../zoneinfo/Europe/Helsinki on Linux and macOS.
        candidates.append(str(Path("/etc/localtime").readlink()).split("zoneinfo/", 1)[-1])
    for name in candidates:
        if "/" in name or name == "UTC":
            with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
                zoneinfo.ZoneInfo(name)
                return name
    return "UTC"


def new_story_text(
    *,
    title: str,
    lang: str = "en",
    date: dt.date | None = None,
    file_name: str = "STORY.yaml",
    clock: Clock = utc_now,
    timezone: str | None = None,
) -> str:
    """Return a commented skeleton story that validates; raise ``UsageError`` for bad values."""
    check_lang(lang)
    languages = ", ".join(available_languages())
    if not title.strip():
        raise UsageError("--title: the title is empty")
    day = (date or today(clock)).isoformat()
    stem = Path(file_name).stem
    zone = timezone or machine_timezone()
    options = StoryOptions()
    text = f"""\
# {comment_line(title)}
#
# A storyboard story: headings, your own text, and the URLs of the posts, videos and
# slides it tells about. Add posts, keep snapshots of them, and build the page:
#
#   storyboard add {file_name} URL --note "Why this post matters."
#   storyboard fetch {file_name}
#   storyboard render {file_name}        (writes site/{stem}/index.html)

title: {yaml_scalar(title, indent=2)}
# One or two sentences shown under the title (optional).
description:
# The day the story tells about (YYYY-MM-DD).
date: {day}
# Page language: the page's own words and date formats ({languages}).
lang: {yaml_scalar(lang, indent=2)}
# The time zone of posts' dates and times on the page (an IANA name, e.g. Europe/Helsinki).
timezone: {yaml_scalar(zone, indent=2)}
# Who curated the story (optional).
author:
# Keywords (optional), for example: [meetup, helsinki]
tags: []
options:
  # How posts are shown: static (cards from the snapshots, no request to any platform),
  # click (videos and players load when the reader asks), live (the platforms' embeds).
  embed: {options.embed.value}
  # The width, in pixels, asked of players and embeds.
  maxwidth: {options.maxwidth}
# The story, in order. Each item is one of:
#
#   - heading: A section title
#   - text: |
#       Your own words, in Markdown (raw HTML is not allowed).
#   - url: https://social.example/@anna/109876543210
#     note: A caption shown with the post, in Markdown (optional).
#     title: A title shown instead of the post's own (optional).
items:
"""
    try:
        parse_story(text, path=file_name)
    except StoryError as exc:
        problem = exc.problems[0]
        raise UsageError(f"--{problem.field or 'title'}: {problem.message}") from exc
    return text
