"""HTML to Markdown for imported text: the same content, and never any markup."""

from __future__ import annotations

import html

import pytest
from bs4 import BeautifulSoup

from storyboard.extract.html_markdown import escape_markdown, html_to_markdown, sole_heading
from storyboard.render.markdown_text import render_markdown


def rendered(markdown: str) -> BeautifulSoup:
    return BeautifulSoup(render_markdown(markdown), "html.parser")


def words(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text(" ").split())


def test_structure_is_kept() -> None:
    source = (
        "<p>Hello <strong>bold</strong> and <em>soft</em> and "
        '<a href="https://news.example/a">a link</a>.</p>'
        "<p>line one<br>line two</p>"
        "<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul>"
        '<ol start="3"><li>three</li><li>four</li></ol>'
        "<blockquote><p>quoted</p><p>twice</p></blockquote>"
        "<h2>A heading</h2><pre>x = 1\n  y = 2</pre><p>inline <code>a`b</code></p><hr>"
    )
    markdown = html_to_markdown(source)
    soup = rendered(markdown)
    assert soup.find("strong").get_text() == "bold"  # type: ignore[union-attr]
    assert soup.find("em").get_text() == "soft"  # type: ignore[union-attr]
    assert soup.find("a")["href"] == "https://news.example/a"  # type: ignore[index]
    assert soup.find("br") is not None
    assert soup.select("ul > li")[0].get_text(" ", strip=True).startswith("one")
    assert soup.select_one("ul ul li").get_text() == "nested"  # type: ignore[union-attr]
    assert soup.find("ol")["start"] == "3"  # type: ignore[index]
    assert len(soup.select("blockquote p")) == 2
    assert soup.find("h2").get_text() == "A heading"  # type: ignore[union-attr]
    assert soup.find("pre").get_text() == "x = 1\n  y = 2\n"  # type: ignore[union-attr]
    assert soup.find("code", string="a`b") is not None
    assert soup.find("hr") is not None


def test_two_breaks_make_a_new_paragraph() -> None:
    assert html_to_markdown("one<br><br>two<br>three") == "one\n\ntwo\\\nthree"


@pytest.mark.parametrize(
    "text",
    [
        "# not a heading",
        "1. not a list",
        "2014) neither",
        "- not a bullet",
        "+ nor this",
        "> not a quote",
        "*stars* and **more** and _under_ and __twice__ and snake_case_name",
        "[not](https://a.link.example) ![nor](https://an.image.example/x.png)",
        "<b>not a tag</b> <https://not.an.autolink.example>",
        "&amp; is not an entity, &#65; neither",
        "`not code`",
        "~~~ not a fence",
        "``` not a fence either",
        "=== not a heading underline",
        "---",
        "back\\slash and \\*",
        "| a | table? |",
        "    four spaces are not code",
    ],
)
def test_text_that_looks_like_markdown_stays_text(text: str) -> None:
    for source in (f"<p>{html.escape(text)}</p>", f"<p>first line<br>{html.escape(text)}</p>"):
        soup = rendered(html_to_markdown(source))
        assert (
            soup.find(["em", "strong", "a", "img", "code", "pre", "h1", "h2", "ol", "ul"]) is None
        )
        assert soup.find(["blockquote", "hr", "b"]) is None
        assert " ".join(text.split()) in words(soup)


@pytest.mark.parametrize(
    "text", ["a *b* c", "1. x\n# y\n- z", "under_score _x_", "&lt; [x] `y` \\ ~ ="]
)
def test_escape_markdown_round_trips(text: str) -> None:
    assert words(rendered(escape_markdown(text))) == " ".join(text.split())


def test_scripts_styles_and_frames_go_with_their_content() -> None:
    source = (
        "<p>kept</p><script>alert('x')</script><style>p{}</style>"
        '<iframe src="https://evil.example/">fallback</iframe><noscript>ns</noscript>'
        "<svg><text>svg</text></svg><!-- comment -->"
    )
    assert html_to_markdown(source) == "kept"


@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "/relative", "#top", ""],
)
def test_unsafe_or_relative_links_keep_only_their_text(href: str) -> None:
    markdown = html_to_markdown(f'<p>see <a href="{href}">this</a></p>')
    assert markdown == "see this"


def test_link_addresses_cannot_break_out_of_the_destination() -> None:
    markdown = html_to_markdown(
        '<a href="https://wiki.example/A_(b) c?x=<y>&z=1">Wiki [1]</a>'
        '<a href="mailto:curator@example.org">mail</a>'
    )
    soup = rendered(markdown)
    links = soup.find_all("a")
    assert links[0]["href"] == "https://wiki.example/A_%28b%29%20c?x=%3Cy%3E&z=1"
    assert links[0].get_text() == "Wiki [1]"
    assert links[1]["href"] == "mailto:curator@example.org"


def test_images_leave_their_alt_text_and_no_request() -> None:
    markdown = html_to_markdown('<p><img src="https://cdn.example/x.png" alt="a *cat*"> ok</p>')
    assert markdown == "a \\*cat\\* ok"


def test_deep_nesting_is_flattened_not_fatal() -> None:
    source = "<div>" * 3000 + "<b>deep</b>" + "</div>" * 3000
    assert html_to_markdown(source) == "deep"
    source = "<ul><li>" * 200 + "x" + "</li></ul>" * 200
    assert "x" in html_to_markdown(source)


def test_sole_heading() -> None:
    assert sole_heading("<h2>Morning</h2>") == (2, "Morning")
    assert sole_heading("<div> <h3> Evening  talks </h3> </div>") == (3, "Evening talks")
    assert sole_heading("<h2>Morning</h2><p>and more</p>") is None
    assert sole_heading("<p>Morning</p>") is None
    assert sole_heading("<h2> </h2>") is None
