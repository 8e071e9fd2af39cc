"""Collect Bluesky posts by hashtag or text from the AppView's public post search.

``app.bsky.feed.searchPosts`` (``q`` required, ``tag``, ``since`` inclusive, ``until``
exclusive, ``sort=latest``, ``limit`` up to 100, ``cursor``) answers newest first with
post views. Each post's ``at://DID/app.bsky.feed.post/RKEY`` becomes its
``https://bsky.app/profile/HANDLE/post/RKEY`` page. A post whose author's handle no
longer resolves (``handle.invalid``: a deleted or broken account) cannot be linked and
is skipped with a warning; one whose author asked not to be shown to logged-out readers
(``!no-unauthenticated``) is skipped as not public.

Bluesky's public AppView often refuses search without logging in (403), or refuses
every page after the first; the errors say so.
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
from storyboard.net import HttpClient
from storyboard.networks.api_fields import utc_datetime
from storyboard.networks.bluesky import (
    DEFAULT_APPVIEW,
    HIDDEN_LABELS,
    INVALID_HANDLE,
    bluesky_labels,
    bluesky_post_url,
    bluesky_snapshot,
    search_url,
)
from storyboard.urls import check_http_url, normalize_url

#: Pages read at most in one run (10,000 posts), whatever the filters skip.
MAX_PAGES = 100


def appview_base(url: str) -> str:
    """Return the AppView's XRPC base URL, ending in ``/``, or raise UsageError."""
    try:
        checked = check_http_url(url)
    except ValueError as exc:
        raise UsageError(f"--bluesky-api {url}: {exc}") from exc
    if urlsplit(checked).query:
        raise UsageError(f"--bluesky-api {url}: give the XRPC base URL, without a query")
    return checked if checked.endswith("/") else checked + "/"


class _BlueskyCollector(PagedCollector):
    def __init__(
        self,
        client: HttpClient,
        base: str,
        *,
        query: str,
        tag: str | None,
        filt: CollectFilter,
        pacer: Pacer,
    ) -> None:
        super().__init__(client, base, filt, pacer)
        self.query = query
        self.tag = tag
        self.hidden = 0

    def run(self, max_pages: int) -> CollectResult:
        cursor: str | None = None
        cursors: set[str] = set()
        while True:
            if self.stop_if_out_of_pages(max_pages):
                break
            url = search_url(
                self.base,
                query=self.query,
                tag=self.tag,
                since=self.filt.since,
                until=self.filt.until,
                cursor=cursor,
            )
            page = self._page(url)
            if page is None:
                break
            posts, next_cursor, headers = page
            for post in posts:
                self._consider(post, url)
                if self.full:
                    break
            if self.stop_if_full() or not posts or not next_cursor or next_cursor in cursors:
                break
            if self.stop_if_paced_out(headers):
                break
            cursors.add(next_cursor)
            cursor = next_cursor
        if self.hidden:
            self.result.warnings.append(
                f"skipped {self.hidden} post(s) whose authors do not show them to "
                "logged-out readers"
            )
        self.result.posts = oldest_first(self.found)
        return self.result

    def _page(
        self, url: str
    ) -> tuple[list[Mapping[str, Any]], str | None, Mapping[str, str]] | None:
        page = self.get_page(url)
        if page is None:
            return None
        data, headers = page
        if not isinstance(data, Mapping) or not isinstance(data.get("posts"), list):
            raise FetchError(f"unexpected answer from {url}: no list of posts", url=url)
        self.result.pages += 1
        cursor = data.get("cursor")
        posts = [p for p in data["posts"] if isinstance(p, Mapping)]
        return posts, cursor if isinstance(cursor, str) and cursor else None, headers

    def later_page_reason(self, exc: FetchError) -> str:
        if exc.status in (401, 403):
            return (
                f"{self.host} refused the next page ({exc.status}); its public search "
                "often gives only the first page without logging in"
            )
        return str(exc)

    def first_page_error(self, exc: FetchError) -> FetchError:
        if exc.status in (401, 403):
            return FetchError(
                f"{self.host} refused the search ({exc.status}): Bluesky often switches off "
                "search without logging in; try again later, another AppView "
                "(--bluesky-api), or list the post URLs in a file (--from-file)",
                url=exc.url,
                status=exc.status,
            )
        return exc

    def _consider(self, post: Mapping[str, Any], page_url: str) -> None:
        url = self._linkable_url(post)
        if url is None or normalize_url(url) in self.seen:
            return
        record = post.get("record")
        record = record if isinstance(record, Mapping) else {}
        created = utc_datetime(record.get("createdAt")) or utc_datetime(post.get("indexedAt"))
        if created is None and self.filt.dated:
            self.result.warnings.append(f"skipped {url}: it has no date to filter by")
            return
        if created is not None and (self.filt.too_new(created) or self.filt.too_old(created)):
            return
        self.seen.add(normalize_url(url))
        snapshot = bluesky_snapshot(post, url=url, endpoint=page_url)
        handle = url.split("/")[4]
        name = snapshot.card.author_name if snapshot.card else None
        text = record.get("text")
        self.found.append(
            CollectedPost(
                url=url,
                author=f"{name} (@{handle})" if name and name != handle else f"@{handle}",
                published=created,
                first_line=first_line(text if isinstance(text, str) else ""),
                snapshot=snapshot,
            )
        )

    def _linkable_url(self, post: Mapping[str, Any]) -> str | None:
        """Return the post's bsky.app URL, or None (with a warning where it matters)."""
        uri = post.get("uri")
        if not isinstance(uri, str):
            return None
        if bluesky_labels(post) & HIDDEN_LABELS:
            self.hidden += 1
            return None
        author = post.get("author")
        handle = author.get("handle") if isinstance(author, Mapping) else None
        if not isinstance(handle, str) or handle == INVALID_HANDLE:
            self.result.warnings.append(
                f"skipped {uri}: its author's account is deleted or its handle no longer "
                "resolves, so the post has no address to link to"
            )
            return None
        # None for a record that is not a post, or a malformed answer: nothing to link.
        return bluesky_post_url(uri, handle)


def collect_bluesky(
    client: HttpClient,
    filt: CollectFilter,
    *,
    tag: str | None = None,
    query: str | None = None,
    api: str = DEFAULT_APPVIEW,
    pacer: Pacer | None = None,
    max_pages: int = MAX_PAGES,
) -> CollectResult:
    """Search Bluesky for ``#tag`` posts (or ``query``), newest first, into posts oldest first."""
    name = tag.strip().removeprefix("#") if tag else None
    if tag is not None and (not name or any(ch.isspace() or ch == "#" for ch in name)):
        raise UsageError(f"--tag {tag!r}: a hashtag is one word, without spaces")
    text = (query or "").strip() or (f"#{name}" if name else "")
    if not text:
        raise UsageError("--bluesky needs --tag or --query")
    collector = _BlueskyCollector(
        client, appview_base(api), query=text, tag=name, filt=filt, pacer=pacer or Pacer()
    )
    return collector.run(max_pages)
