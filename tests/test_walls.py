"""Which pages are walls, home pages or soft 404s, and which are simply articles."""

from __future__ import annotations

import pytest

from storyboard.extract.page_metadata import PageMetadata
from storyboard.extract.walls import NotTheContent, not_the_content, title_from_slug

ASKED = "https://news.example/2026/11/city-budget-passes"


def meta(title: str | None, url: str = ASKED, description: str | None = None) -> PageMetadata:
    return PageMetadata(url=url, title=title, description=description)


@pytest.mark.parametrize(
    ("final", "title", "reason"),
    [
        ("https://news.example/login?next=x", "News", NotTheContent.LOGIN),
        ("https://news.example/accounts/login/", None, NotTheContent.LOGIN),
        (ASKED, "Log in to News", NotTheContent.LOGIN),
        (ASKED, "Instagram • Log in", NotTheContent.LOGIN),
        (ASKED, "Sign in", NotTheContent.LOGIN),
        ("https://consent.news.example/?continue=x", "News", NotTheContent.CONSENT),
        (ASKED, "Before you continue to YouTube", NotTheContent.CONSENT),
        (ASKED, "Page not found – News", NotTheContent.GONE),
        (ASKED, "This content isn't available right now", NotTheContent.GONE),
        (ASKED, "example.com is for sale! Buy this domain", NotTheContent.PARKED),
        ("https://news.example/", "News", NotTheContent.HOME_PAGE),
    ],
)
def test_pages_that_are_not_the_item(final: str, title: str | None, reason: NotTheContent) -> None:
    assert not_the_content(ASKED, final, meta(title)) is reason


@pytest.mark.parametrize(
    "title",
    [
        "How to sign in to your bank safely",
        "Facebook changes its privacy settings again",
        "Why the perfect diet doesn't exist",
        "Login data of 2 million users leaked, police say",
        "The page that was not found: a history of 404",
        "City budget passes",
    ],
)
def test_articles_about_walls_are_articles(title: str) -> None:
    assert not_the_content(ASKED, ASKED, meta(title)) is None


def test_a_page_whose_canonical_url_is_the_home_page_is_generic() -> None:
    generic = meta("News – all the news", url="https://www.news.example/")
    assert not_the_content(ASKED, ASKED, generic) is NotTheContent.HOME_PAGE


def test_the_curator_may_link_a_login_page_itself() -> None:
    login = "https://news.example/login"
    assert not_the_content(login, login, meta("Log in to News", url=login)) is None


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("https://a.example/blog/the-quiet-harbour-project/", "The quiet harbour project"),
        (
            "https://a.example/2026/11/library_reopens_after_flood.html",
            "Library reopens after flood",
        ),
        ("https://a.example/p/123456789", None),
        ("https://a.example/", None),
        ("https://a.example/watch?v=abc", None),
    ],
)
def test_titles_from_slugs(url: str, title: str | None) -> None:
    assert title_from_slug(url) == title
