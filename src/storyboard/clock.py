"""The one clock: what time it is, in UTC, for every stamp storyboard writes.

Stamps (a snapshot's ``fetched_at``, a failure's ``at``, ``gone_since``, the day of a
new story or an import) ask a ``Clock`` instead of the system, so a caller, a test
included, can give a fixed one and get the same files every run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

#: Returns the current moment, timezone-aware, in UTC.
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """Return the system's current moment in UTC, to the second (stamps need no more)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def fixed_clock(moment: dt.datetime) -> Clock:
    """Return a clock that always says ``moment`` (which must carry its timezone)."""
    if moment.tzinfo is None:
        raise ValueError("a clock's moment needs a timezone")
    fixed = moment.astimezone(dt.UTC)
    return lambda: fixed


def today(clock: Clock = utc_now) -> dt.date:
    """Return the UTC date ``clock`` says it is."""
    return clock().date()
