"""What reading a paginated public API has in common: limits, pacing, page failures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from storyboard.collect.model import CollectedPost, CollectFilter, CollectResult
from storyboard.collect.ratelimit import Pacer
from storyboard.errors import FetchError
from storyboard.net import JSON_LIMIT, HttpClient

#: A page of 40 statuses or 100 posts, with their HTML and embeds, stays well under this.
PAGE_BYTES = 5 * JSON_LIMIT


class PagedCollector:
    """The state and the stopping rules of one collect run over an API's pages.

    Subclasses walk their own pagination (a ``Link`` header, a cursor) and decide which
    posts to keep; this class says when to stop and reads each page's JSON.
    """

    def __init__(self, client: HttpClient, base: str, filt: CollectFilter, pacer: Pacer) -> None:
        self.client = client
        self.base = base
        self.host = urlsplit(base).hostname or base
        self.filt = filt
        self.pacer = pacer
        self.result = CollectResult()
        self.found: list[CollectedPost] = []
        self.seen: set[str] = set(filt.exclude)

    @property
    def full(self) -> bool:
        """Tell whether the run has as many posts as ``--limit`` allows."""
        return len(self.found) >= self.filt.limit

    def stop_if_full(self) -> bool:
        """Stop (and say why) once the limit is reached."""
        if self.full:
            self.result.stopped_early = f"reached the limit of {self.filt.limit} posts"
        return self.full

    def stop_if_out_of_pages(self, max_pages: int) -> bool:
        """Stop (and say why) after ``max_pages`` pages."""
        if self.result.pages >= max_pages:
            self.result.stopped_early = f"read {max_pages} pages; stopped there"
            return True
        return False

    def stop_if_paced_out(self, headers: Mapping[str, str]) -> bool:
        """Wait for the rate limit when the server asks; stop when waiting would be too long."""
        stop = self.pacer.after(headers, self.host)
        if stop:
            self.result.stopped_early, self.result.incomplete = stop, True
        return bool(stop)

    def get_page(self, url: str) -> tuple[Any, Mapping[str, str]] | None:
        """Return a page's JSON and headers, or None when a later page failed.

        A failing first page is an error (nothing was found); a failing later page
        ends the run with what was found, marked incomplete.
        """
        try:
            response = self.client.get(url, max_bytes=PAGE_BYTES, accept="application/json")
            data = response.json()
        except FetchError as exc:
            if self.result.pages == 0:
                raise self.first_page_error(exc) from exc
            reason = self.later_page_reason(exc)
            self.result.stopped_early = f"stopped after {self.result.pages} page(s): {reason}"
            self.result.incomplete = True
            return None
        return data, response.headers

    def first_page_error(self, exc: FetchError) -> FetchError:
        """Return the error to raise when the first page fails (a clearer one if known)."""
        return exc

    def later_page_reason(self, exc: FetchError) -> str:
        """Return why a later page failed, for the "stopped after" note."""
        return str(exc)
