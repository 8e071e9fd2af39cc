"""The one clock: aware UTC moments, to the second; a fixed one for reproducible stamps."""

from __future__ import annotations

import datetime as dt

import pytest

from storyboard.clock import fixed_clock, today, utc_now


def test_the_system_clock_is_aware_utc_to_the_second() -> None:
    moment = utc_now()
    assert moment.utcoffset() == dt.timedelta(0)
    assert moment.microsecond == 0


def test_a_fixed_clock_says_its_moment_in_utc() -> None:
    helsinki = dt.timezone(dt.timedelta(hours=2))
    clock = fixed_clock(dt.datetime(2017, 1, 14, 1, 30, tzinfo=helsinki))
    assert clock() == dt.datetime(2017, 1, 13, 23, 30, tzinfo=dt.UTC)
    assert clock().tzinfo is dt.UTC
    assert today(clock) == dt.date(2017, 1, 13)  # the UTC day, not Helsinki's


def test_a_fixed_clock_refuses_a_moment_without_timezone() -> None:
    with pytest.raises(ValueError, match="timezone"):
        fixed_clock(dt.datetime(2017, 1, 13, 12, 0))
