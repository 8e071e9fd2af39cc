"""oEmbed discovery from a page's <link> tags and its HTTP Link header."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyboard.extract.discovery import DiscoveredEndpoint, find_oembed_links

PAGES = Path(__file__).parent / "fixtures" / "pages"
POST_URL = "https://social.example/@anna/109876543210"
ENCODED_POST = "https%3A%2F%2Fsocial.example%2F%40anna%2F109876543210"


def _page(head: str) -> str:
    return f"<!doctype html><html><head><title>t</title>{head}</head><body></body></html>"


def test_mastodon_page_json_first_relative_resolved_entities_decoded() -> None:
    html = (PAGES / "mastodon-post.html").read_text(encoding="utf-8")
    assert find_oembed_links(html, base_url=POST_URL) == [
        DiscoveredEndpoint(
            f"https://social.example/api/oembed?format=json&url={ENCODED_POST}", "json"
        ),
        DiscoveredEndpoint(
            f"https://social.example/api/oembed?format=xml&url={ENCODED_POST}", "xml"
        ),
    ]


@pytest.mark.parametrize(
    ("link", "found"),
    [
        ('<link rel="alternate" type="application/json+oembed" href="/o.json">', "json"),
        ('<link rel="alternate" type="text/xml+oembed" href="/o.json">', "xml"),
        ('<link rel="alternate" type="application/xml+oembed" href="/o.json">', "xml"),
        # rel is a list of tokens; attribute and type values ignore case.
        ('<link rel="nofollow Alternate" type="Application/JSON+oEmbed" href="/o.json">', "json"),
        ("<LINK REL=alternate TYPE=application/json+oembed HREF=/o.json>", "json"),
        (
            '<link rel="alternate" type="application/json+oembed; charset=utf-8" href="/o.json">',
            "json",
        ),
        ('<link rel="alternate" type="application/json+oembed" href="  /o.json  ">', "json"),
        # Not discovery links.
        ('<link rel="alternative" type="application/json+oembed" href="/o.json">', None),
        ('<link type="application/json+oembed" href="/o.json">', None),
        ('<link rel="alternate" type="application/json" href="/o.json">', None),
        ('<link rel="alternate" href="/o.json">', None),
        ('<link rel="alternate" type="application/json+oembed" href="">', None),
        ('<link rel="alternate" type="application/json+oembed">', None),
        ('<link rel="alternate" type="application/json+oembed" href="javascript:x()">', None),
        ('<link rel="alternate" type="application/json+oembed" href="data:,{}">', None),
        ('<a rel="alternate" type="application/json+oembed" href="/o.json">x</a>', None),
    ],
)
def test_link_tag_variants(link: str, found: str | None) -> None:
    links = find_oembed_links(_page(link), base_url="https://video.example/v/1")
    if found is None:
        assert links == []
    else:
        assert links == [DiscoveredEndpoint("https://video.example/o.json", found)]  # type: ignore[arg-type]


def test_relative_hrefs_resolve_against_base_url_and_base_tag() -> None:
    page = _page('<link rel="alternate" type="application/json+oembed" href="oembed?id=1">')
    assert find_oembed_links(page, base_url="https://video.example/v/1") == [
        DiscoveredEndpoint("https://video.example/v/oembed?id=1", "json")
    ]
    with_base = _page(
        '<base href="https://cdn.video.example/api/">'
        '<link rel="alternate" type="application/json+oembed" href="oembed?id=1">'
    )
    assert find_oembed_links(with_base, base_url="https://video.example/v/1") == [
        DiscoveredEndpoint("https://cdn.video.example/api/oembed?id=1", "json")
    ]
    protocol_relative = _page(
        '<link rel="alternate" type="application/json+oembed" href="//api.video.example/o">'
    )
    assert find_oembed_links(protocol_relative, base_url="http://video.example/v/1") == [
        DiscoveredEndpoint("http://api.video.example/o", "json")
    ]


def test_links_in_body_and_duplicates() -> None:
    html = (
        "<html><body>"
        '<link rel="alternate" type="text/xml+oembed" href="https://video.example/o.xml">'
        '<link rel="alternate" type="application/json+oembed" href="https://video.example/o">'
        '<link rel="alternate" type="application/json+oembed" href="https://video.example/o">'
        '<link rel="alternate" type="application/json+oembed" href="https://video.example/o2">'
        "</body></html>"
    )
    assert find_oembed_links(html, base_url="https://video.example/v/1") == [
        DiscoveredEndpoint("https://video.example/o", "json"),
        DiscoveredEndpoint("https://video.example/o2", "json"),
        DiscoveredEndpoint("https://video.example/o.xml", "xml"),
    ]


def test_link_header_only() -> None:
    header = (
        '<https://video.example/oembed?url=a%2Cb&format=json>; rel="alternate"; '
        'type="application/json+oembed"; title="A, b; c", '
        "</oembed.xml?id=1>; rel=alternate; type=text/xml+oembed"
    )
    assert find_oembed_links("", base_url="https://video.example/v/1", link_header=header) == [
        DiscoveredEndpoint("https://video.example/oembed?url=a%2Cb&format=json", "json"),
        DiscoveredEndpoint("https://video.example/oembed.xml?id=1", "xml"),
    ]


def test_link_header_comes_before_markup_and_duplicates_merge() -> None:
    page = _page(
        '<link rel="alternate" type="application/json+oembed" href="/from-html">'
        '<link rel="alternate" type="application/json+oembed" href="/from-header">'
    )
    header = '</from-header>; rel="alternate"; type="application/json+oembed"'
    assert find_oembed_links(page, base_url="https://video.example/", link_header=header) == [
        DiscoveredEndpoint("https://video.example/from-header", "json"),
        DiscoveredEndpoint("https://video.example/from-html", "json"),
    ]


def test_link_header_ignores_other_links() -> None:
    header = (
        "</style.css>; rel=preload; as=style, "
        '</next>; rel="next", '
        '</o>; type="application/json+oembed", '
        '</feed>; rel="alternate"; type="application/rss+xml"'
    )
    assert find_oembed_links("", base_url="https://video.example/", link_header=header) == []


@pytest.mark.parametrize(
    "html",
    ["", "not html at all", "<html><head><link rel=", "<<<>>>", "\x00\x01<link", "<![CDATA[x"],
)
def test_broken_markup_finds_nothing_and_does_not_crash(html: str) -> None:
    assert find_oembed_links(html, base_url="https://video.example/") == []
