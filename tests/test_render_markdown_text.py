"""The curator's Markdown: CommonMark without raw HTML, images or unsafe links."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from storyboard.render.markdown_text import render_markdown


def parse(text: str) -> BeautifulSoup:
    """Render ``text`` and parse the HTML."""
    return BeautifulSoup(render_markdown(text), "html.parser")


def test_markdown_becomes_html() -> None:
    soup = parse("A *quiet* **start**.\n\n- one\n- two\n\n> quoted")

    assert soup.find("em").get_text() == "quiet"  # type: ignore[union-attr]
    assert soup.find("strong").get_text() == "start"  # type: ignore[union-attr]
    assert [li.get_text() for li in soup.find_all("li")] == ["one", "two"]
    assert soup.find("blockquote") is not None


def test_raw_html_is_shown_as_text() -> None:
    soup = parse("Hi <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n<div>block</div>")

    assert soup.find(["script", "img", "div"]) is None
    assert "<script>alert(1)</script>" in soup.get_text()


@pytest.mark.parametrize(
    "href",
    ["https://example.org/a?b=1", "http://example.org/", "mailto:curator@example.org"],
)
def test_http_and_mailto_links_are_kept_with_nofollow(href: str) -> None:
    link = parse(f"[text]({href})").find("a")

    assert link is not None
    assert link["href"] == href
    assert link["rel"] == ["nofollow"]


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,x",
        "/relative",
        "#frag",
        "ftp://example.org/",
        "vbscript:x",
    ],
)
def test_other_links_stay_literal_text(href: str) -> None:
    soup = parse(f"[text]({href}) and <{href}>")

    assert soup.find("a") is None
    assert "text" in soup.get_text()


def test_autolinks_are_links() -> None:
    link = parse("See <https://example.org/x>.").find("a")

    assert link is not None
    assert link["href"] == "https://example.org/x"


def test_images_are_not_loaded_from_elsewhere() -> None:
    soup = parse("![a tracker](https://tracker.example/pixel.gif)")

    assert soup.find("img") is None
    assert soup.find("a")["href"] == "https://tracker.example/pixel.gif"  # type: ignore[index]
