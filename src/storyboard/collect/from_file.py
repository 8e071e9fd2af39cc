"""Collect post URLs listed in a text file: one a line, ``#`` starts a comment."""

from __future__ import annotations

from pathlib import Path

from storyboard.collect.model import CollectedPost, CollectFilter, CollectResult
from storyboard.errors import UsageError
from storyboard.fsio import FileTooLargeError, read_bounded
from storyboard.urls import check_http_url, normalize_url

MAX_FILE_BYTES = 5_000_000


def parse_url_lines(text: str, *, path: str) -> list[str]:
    """Return the URLs of a list, in order; raise UsageError naming each bad line."""
    urls: list[str] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if len(words) > 1 and not words[1].startswith("#"):
            problems.append(f"{path}:{number}: one URL a line (a comment starts with #)")
            continue
        try:
            urls.append(check_http_url(words[0]))
        except ValueError as exc:
            problems.append(f"{path}:{number}: {exc}: {words[0][:80]}")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise UsageError(problems[0] + more)
    return urls


def collect_from_file(path: Path, filt: CollectFilter) -> CollectResult:
    """Read the URLs of ``path`` not yet in the story, each once, up to the limit."""
    try:
        data = read_bounded(path, MAX_FILE_BYTES)
    except FileTooLargeError as exc:
        raise UsageError(f"{path}: larger than {MAX_FILE_BYTES // 1_000_000} MB") from exc
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    result = CollectResult()
    seen = set(filt.exclude)
    for url in parse_url_lines(text, path=str(path)):
        key = normalize_url(url)
        if key in seen:
            continue
        seen.add(key)
        if len(result.posts) >= filt.limit:
            result.stopped_early = f"reached the limit of {filt.limit} posts"
            break
        result.posts.append(CollectedPost(url=url))
    return result
