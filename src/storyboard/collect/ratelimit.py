"""Pace paged API reads by the rate-limit headers servers send with every answer.

Mastodon sends ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (an ISO 8601
time); Bluesky sends ``RateLimit-Remaining`` and ``RateLimit-Reset`` (Unix seconds);
the IETF draft's ``RateLimit-Reset`` is seconds from now. When no request is left,
the next page waits for the reset. A 429 is the HTTP client's business: it retries
after ``Retry-After``.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from storyboard import loose
from storyboard.collect.model import Notify

#: Longest wait for a reset; Mastodon's windows are five minutes.
RESET_WAIT_CAP = 300.0
#: Wait when a server says nothing is left but not when that changes.
UNKNOWN_RESET_WAIT = 60.0
#: A number this large is a Unix time, not a count of seconds.
_EPOCH_THRESHOLD = 1_000_000_000


def reset_wait(headers: Mapping[str, str], *, now: dt.datetime) -> float | None:
    """Return the seconds to wait before the next request, or None if requests are left."""
    headers = {name.lower(): value for name, value in headers.items()}
    for prefix in ("x-ratelimit-", "ratelimit-"):
        remaining = headers.get(prefix + "remaining")
        if remaining is None:
            continue
        try:
            left = float(remaining.strip())
        except ValueError:
            continue
        if not math.isfinite(left):
            continue
        if left > 0:
            return None
        seconds = _seconds_until(headers.get(prefix + "reset"), now=now)
        return UNKNOWN_RESET_WAIT if seconds is None else seconds
    return None


def _seconds_until(value: str | None, *, now: dt.datetime) -> float | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None:
        if not math.isfinite(number):
            return None
        if number >= _EPOCH_THRESHOLD:
            return max(0.0, number - now.timestamp())
        return max(0.0, number)
    when = loose.utc_moment(text)
    if when is None:
        return None
    return max(0.0, (when - now).total_seconds())


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Pacer:
    """Sleep between pages when the server's rate limit is spent."""

    notify: Notify = field(default=lambda _line: None)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], dt.datetime] = _utc_now
    cap: float = RESET_WAIT_CAP

    def after(self, headers: Mapping[str, str], host: str) -> str:
        """Wait out a spent limit; return why paging must stop ("" to go on)."""
        wait = reset_wait(headers, now=self.clock())
        if wait is None:
            return ""
        if wait > self.cap:
            return (
                f"{host}'s rate limit resets in {wait:.0f} s, "
                f"longer than the {self.cap:.0f} s storyboard waits"
            )
        if wait > 0:
            self.notify(f"rate limit of {host} reached: waiting {wait:.0f} s")
            self.sleep(wait)
        return ""
