"""Loose values from untrusted data: each read into one shape, or dropped."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from storyboard import loose

UTC = dt.UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Anna  ", "Anna"),
        ("   ", None),
        (2017, "2017"),
        (1.5, "1.5"),
        (math.inf, None),
        (True, None),
        (None, None),
        (["Anna"], None),
    ],
)
def test_text(value: object, expected: str | None) -> None:
    assert loose.text(value) == expected


def test_one_line_collapses_whitespace_and_keeps_only_strings() -> None:
    assert loose.one_line(" Anna\n  Virtanen\t") == "Anna Virtanen"
    assert loose.one_line("\n \t") is None
    assert loose.one_line(42) is None


@pytest.mark.parametrize(
    ("value", "expected", "positive"),
    [
        (500, 500, False),
        ("500", 500, False),
        (" 500px ", 500, False),
        ("12.6", 13, False),
        (499.5, 500, False),
        ("100%", None, False),
        (-1, None, False),
        (0, 0, False),
        (0, None, True),
        ("0", None, True),
        (math.nan, None, False),
        (True, None, False),
        ("five", None, False),
        ([500], None, False),
    ],
)
def test_count(value: object, expected: int | None, positive: bool) -> None:
    assert loose.count(value, positive=positive) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://social.example/a.jpg", "https://social.example/a.jpg"),
        (" //cdn.example/a.jpg ", "https://cdn.example/a.jpg"),
        ("javascript:alert(1)", None),
        ("/relative/a.jpg", None),
        ("data:image/png;base64,AAAA", None),
        (12, None),
    ],
)
def test_http_url(value: object, expected: str | None) -> None:
    assert loose.http_url(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2017-01-13", dt.date(2017, 1, 13)),
        ("2017-02-30", None),
        ("2017-01-13T10:00:00Z", dt.datetime(2017, 1, 13, 10, 0, tzinfo=UTC)),
        ("2017-01-13T12:00:00+02:00", dt.datetime(2017, 1, 13, 10, 0, tzinfo=UTC)),
        ("2017-01-13 10:00:00", dt.datetime(2017, 1, 13, 10, 0, tzinfo=UTC)),
        ("Fri, 13 Jan 2017 10:00:00 GMT", dt.datetime(2017, 1, 13, 10, 0, tzinfo=UTC)),
        ("2017-01-13 at noon", dt.date(2017, 1, 13)),
        (1484301600, dt.datetime(2017, 1, 13, 10, 0, tzinfo=UTC)),
        (1484301600000, dt.datetime(2017, 1, 13, 10, 0, tzinfo=UTC)),
        (0, None),
        (True, None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_moment(value: object, expected: object) -> None:
    found = loose.moment(value)
    assert found == expected
    assert type(found) is type(expected)


def test_a_moment_without_zone_can_be_cut_to_its_date() -> None:
    assert loose.moment("2017-01-13T23:30:00", naive="date") == dt.date(2017, 1, 13)
    assert loose.moment("2017-01-13T23:30:00+00:00", naive="date") == dt.datetime(
        2017, 1, 13, 23, 30, tzinfo=UTC
    )


def test_utc_moment_is_always_a_datetime() -> None:
    assert loose.utc_moment("2017-01-13") == dt.datetime(2017, 1, 13, tzinfo=UTC)
    assert loose.utc_moment("Fri, 13 Jan 2017 10:00:00 -0000") == dt.datetime(
        2017, 1, 13, 10, 0, tzinfo=UTC
    )
    assert loose.utc_moment("never") is None
