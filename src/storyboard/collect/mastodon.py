"""Collect the public posts of a hashtag from a Mastodon instance's tag timeline.

``GET /api/v1/timelines/tag/:hashtag`` answers newest first, up to 40 statuses a page;
the ``Link`` header's ``rel="next"`` URL (``max_id=``) gives the page before. Only
``public`` statuses are kept; a boost stands for its original, collected once; a
status whose author's account is suspended or deleted is skipped with a warning, as
its page is gone or soon will be.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from storyboard.collect.model import (
    CollectedPost,
    CollectFilter,
    CollectResult,
    first_line,
    oldest_first,
)
from storyboard.collect.paging import PagedCollector
from storyboard.collect.ratelimit import Pacer
from storyboard.errors import FetchError, UsageError
from storyboard.extract.link_header import link_with_rel
from storyboard.net import HttpClient
from storyboard.networks.api_fields import utc_datetime
from storyboard.networks.mastodon import (
    TIMELINE_PAGE_SIZE,
    first_id_after,
    mastodon_handle,
    mastodon_snapshot,
    original_status,
    snowflake_ms,
    status_plain_text,
    status_web_url,
    tag_timeline_url,
)
from storyboard.urls import absolute_http_url, check_http_url, normalize_url

#: Pages read at most in one run (10,000 statuses), whatever the filters skip.
MAX_PAGES = 250


def instance_base(url: str) -> str:
    """Return ``https://host[:port]`` of an instance URL, or raise UsageError."""
    try:
        parts = urlsplit(check_http_url(url if "://" in url else f"https://{url}"))
    except ValueError as exc:
        raise UsageError(f"--mastodon {url}: {exc}") from exc
    if parts.path.strip("/") or parts.query:
        raise UsageError(f"--mastodon {url}: give the instance's address only (https://host)")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def clean_tag(tag: str) -> str:
    """Return a hashtag without its ``#``, or raise UsageError."""
    name = tag.strip().removeprefix("#")
    if not name or any(ch.isspace() or ch in "#/?&" for ch in name):
        raise UsageError(f"--tag {tag!r}: a hashtag is one word, without spaces")
    return name


class _MastodonCollector(PagedCollector):
    def __init__(
        self, client: HttpClient, base: str, tag: str, filt: CollectFilter, pacer: Pacer
    ) -> None:
        super().__init__(client, base, filt, pacer)
        self.tag = tag
        self.not_public = 0
        self.jumped = False

    def run(self, max_pages: int) -> CollectResult:
        url: str | None = tag_timeline_url(self.base, self.tag)
        visited: set[str] = set()
        while url is not None:
            if self.stop_if_out_of_pages(max_pages):
                break
            visited.add(url)
            page = self._page(url)
            if page is None:
                break
            statuses, headers = page
            older = self._take(statuses, url)
            if self.stop_if_full() or older or not statuses:
                break
            if self.stop_if_paced_out(headers):
                break
            url = self._next_url(statuses, headers)
            if url in visited:
                break
        if self.not_public:
            self.result.warnings.append(
                f"skipped {self.not_public} post(s) that are not public (unlisted, "
                "followers-only or direct)"
            )
        self.result.posts = oldest_first(self.found)
        return self.result

    def _page(self, url: str) -> tuple[list[Mapping[str, Any]], Mapping[str, str]] | None:
        page = self.get_page(url)
        if page is None:
            return None
        data, headers = page
        if not isinstance(data, list):
            raise FetchError(f"unexpected answer from {url}: not a list of statuses", url=url)
        self.result.pages += 1
        return [s for s in data if isinstance(s, Mapping)], headers

    def first_page_error(self, exc: FetchError) -> FetchError:
        if exc.status in (401, 403, 422):
            return FetchError(
                f"{self.host} does not show hashtag timelines without logging in "
                f"({exc.status}); collect from another instance",
                url=exc.url,
                status=exc.status,
            )
        if exc.status == 404:
            return FetchError(
                f"{self.host} answered 404 for its tag timeline: is it a Mastodon instance? "
                f"({exc})",
                url=exc.url,
                status=exc.status,
            )
        return exc

    def _take(self, statuses: list[Mapping[str, Any]], page_url: str) -> bool:
        """Keep the page's wanted posts; return True once posts older than ``since`` appear."""
        older = False
        for status in statuses:
            created = utc_datetime(status.get("created_at"))
            if created is not None and self.filt.too_old(created):
                older = True  # newest first: every later page is older still
            self._consider(status, page_url)
            if self.full:
                break
        return older

    def _consider(self, status: Mapping[str, Any], page_url: str) -> None:
        original = original_status(status)
        if status.get("visibility") != "public" or original.get("visibility") != "public":
            self.not_public += 1
            return
        url = status_web_url(original)
        if url is None:
            self.result.warnings.append(
                f"skipped status {original.get('id')!s}: it has no web address"
            )
            return
        key = normalize_url(url)
        if key in self.seen:
            return  # already in the story, or the original of a boost seen before
        account = original.get("account")
        account = account if isinstance(account, Mapping) else {}
        handle = mastodon_handle(account, instance_host=self.host)
        if account.get("suspended") is True or handle is None:
            self.seen.add(key)
            self.result.warnings.append(
                f"skipped {url}: its author's account is deleted or suspended"
            )
            return
        created = utc_datetime(original.get("created_at"))
        if created is None and self.filt.dated:
            self.result.warnings.append(f"skipped {url}: it has no date to filter by")
            return
        if created is not None and (self.filt.too_new(created) or self.filt.too_old(created)):
            return
        self.seen.add(key)
        snapshot = mastodon_snapshot(original, url=url, handle=handle, endpoint=page_url)
        card = snapshot.card
        name = card.author_name if card else None
        text = status_plain_text(original)
        spoiler = original.get("spoiler_text")
        self.found.append(
            CollectedPost(
                url=url,
                author=f"{name} ({handle})" if name else handle,
                published=created,
                first_line=first_line(spoiler if isinstance(spoiler, str) and spoiler else text),
                snapshot=snapshot,
            )
        )

    def _next_url(
        self, statuses: list[Mapping[str, Any]], headers: Mapping[str, str]
    ) -> str | None:
        if self.filt.until is not None and not self.jumped:
            jump = self._jump(statuses)
            if jump is not None:
                return jump
        link = headers.get("link")
        if link:
            target = link_with_rel(link, "next")
            return None if target is None else self._same_origin(target)
        # No Link header at all: page by the last id, as Mastodon's own links do.
        last = statuses[-1].get("id")
        if len(statuses) >= TIMELINE_PAGE_SIZE and isinstance(last, str) and last:
            return tag_timeline_url(self.base, self.tag, max_id=last)
        return None

    def _jump(self, statuses: list[Mapping[str, Any]]) -> str | None:
        """Skip the pages newer than ``until`` at once when ids are Mastodon snowflakes."""
        assert self.filt.until is not None
        last = statuses[-1]
        created = utc_datetime(last.get("created_at"))
        if created is None or not self.filt.too_new(created) or snowflake_ms(last) is None:
            return None
        self.jumped = True
        return tag_timeline_url(self.base, self.tag, max_id=first_id_after(self.filt.until))

    def _same_origin(self, url: str) -> str | None:
        """Follow a next link only on the instance asked (a page must not send us elsewhere)."""
        absolute = absolute_http_url(url)
        if absolute is None:
            return None
        parts = urlsplit(absolute)
        if f"{parts.scheme.lower()}://{parts.netloc.lower()}" != self.base:
            return None
        return absolute


def collect_mastodon(
    client: HttpClient,
    instance: str,
    tag: str,
    filt: CollectFilter,
    *,
    pacer: Pacer | None = None,
    max_pages: int = MAX_PAGES,
) -> CollectResult:
    """Read ``#tag``'s public timeline on ``instance``, newest first, into posts oldest first."""
    collector = _MastodonCollector(
        client, instance_base(instance), clean_tag(tag), filt, pacer or Pacer()
    )
    return collector.run(max_pages)
