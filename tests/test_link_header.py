"""Reading the HTTP ``Link`` header: every form servers send, and the link a rel names."""

from __future__ import annotations

import pytest

from storyboard.extract.link_header import link_with_rel, parse_link_header


@pytest.mark.parametrize(
    ("header", "parsed"),
    [
        ("", []),
        ("garbage", []),
        ("<unterminated; rel=alternate", []),
        ("<>; rel=alternate", []),
        ("<https://a.example/>", [("https://a.example/", {})]),
        (
            '<https://a.example/>; REL="Alternate Next"',
            [("https://a.example/", {"rel": "Alternate Next"})],
        ),
        ("<https://a.example/>; rel=first; rel=second", [("https://a.example/", {"rel": "first"})]),
        (
            '<https://a.example/>; title="say \\"hi\\", ok"; rel=alternate',
            [("https://a.example/", {"title": 'say "hi", ok', "rel": "alternate"})],
        ),
        (
            '<https://a.example/>; title="unterminated',
            [("https://a.example/", {"title": "unterminated"})],
        ),
        (
            "<https://a.example/>; crossorigin; rel=alternate",
            [("https://a.example/", {"crossorigin": "", "rel": "alternate"})],
        ),
        (
            "<https://a.example/>;rel=a <https://b.example/>;rel=b",
            [("https://a.example/", {"rel": "a"}), ("https://b.example/", {"rel": "b"})],
        ),
        (
            '<https://a.example/p?a=1,2;b=3>; rel="next", <https://a.example/q>; rel=prev',
            [
                ("https://a.example/p?a=1,2;b=3", {"rel": "next"}),
                ("https://a.example/q", {"rel": "prev"}),
            ],
        ),
        (
            "<https://a.example/>; rel=a,,  , <https://b.example/>; rel=b",
            [("https://a.example/", {"rel": "a"}), ("https://b.example/", {"rel": "b"})],
        ),
    ],
)
def test_parse_link_header(header: str, parsed: list[tuple[str, dict[str, str]]]) -> None:
    assert parse_link_header(header) == parsed


MASTODON_PAGES = (
    '<https://social.example/api/v1/timelines/tag/cats?limit=40&max_id=111>; rel="next", '
    '<https://social.example/api/v1/timelines/tag/cats?limit=40&min_id=222>; rel="prev"'
)


@pytest.mark.parametrize(
    ("header", "rel", "target"),
    [
        (
            MASTODON_PAGES,
            "next",
            "https://social.example/api/v1/timelines/tag/cats?limit=40&max_id=111",
        ),
        (
            MASTODON_PAGES,
            "prev",
            "https://social.example/api/v1/timelines/tag/cats?limit=40&min_id=222",
        ),
        (MASTODON_PAGES, "last", None),
        ("<https://a.example/2>; rel=next", "next", "https://a.example/2"),  # unquoted
        ('<https://a.example/2>; REL="Next Last"', "next", "https://a.example/2"),
        ('<https://a.example/2>; rel="last next"', "last", "https://a.example/2"),
        ('<https://a.example/2>; rel="nextpage"', "next", None),
        (
            '<https://a.example/a,b>; rel="alternate", <https://a.example/2>; rel=next',
            "next",
            "https://a.example/2",
        ),
        (
            "<https://a.example/1>; rel=next, <https://a.example/2>; rel=next",
            "next",
            "https://a.example/1",
        ),  # the first wins
        ('<https://a.example/1>; title="rel=next"', "next", None),
        ("", "next", None),
    ],
)
def test_link_with_rel(header: str, rel: str, target: str | None) -> None:
    assert link_with_rel(header, rel) == target
