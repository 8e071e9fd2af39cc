"""The sanitizers: what provider HTML may carry onto a storyboard page, and what never."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from storyboard.extract.post_text import has_text
from storyboard.extract.sanitize import (
    IFRAME_SANDBOX,
    LINK_REL,
    allowed_player_url,
    sanitize_embed_html,
    sanitize_post_text,
    youtube_nocookie,
)

YOUTUBE_HOSTS = frozenset({"www.youtube.com", "www.youtube-nocookie.com"})
PLAYER_HOSTS = YOUTUBE_HOSTS | {"player.vimeo.com", "w.soundcloud.com"}

# Markup that must never survive either sanitizer, in any form.
ATTACKS = [
    pytest.param("<script>alert(1)</script>hello", id="script"),
    pytest.param('<SCRIPT SRC="https://evil.example/x.js"></SCRIPT>hello', id="script-src"),
    pytest.param("<scr<script>ipt>alert(1)</scr</script>ipt>", id="nested-script"),
    pytest.param('<img src="x" onerror="alert(1)">', id="img-onerror"),
    pytest.param('<p onclick="alert(1)" onmouseover="alert(2)">hi</p>', id="on-attributes"),
    pytest.param('<a href="javascript:alert(1)">click</a>', id="javascript-href"),
    pytest.param('<a href="JaVaScRiPt:alert(1)">click</a>', id="javascript-href-case"),
    pytest.param('<a href="java&#x09;script:alert(1)">click</a>', id="javascript-href-entity"),
    pytest.param('<a href=" javascript:alert(1)">click</a>', id="javascript-href-space"),
    pytest.param('<a href="vbscript:msgbox(1)">click</a>', id="vbscript-href"),
    pytest.param('<a href="data:text/html,<script>alert(1)</script>">x</a>', id="data-href"),
    pytest.param('<img src="data:image/svg+xml;base64,PHN2Zz4=">', id="data-src"),
    pytest.param('<p style="position:fixed;top:0;left:0">overlay</p>', id="style-attribute"),
    pytest.param("<style>body{display:none}</style>text", id="style-element"),
    pytest.param('<svg onload="alert(1)"><circle r="1"/></svg>', id="svg-onload"),
    pytest.param("<svg><script>alert(1)</script></svg>", id="svg-script"),
    pytest.param("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", id="mxss"),
    pytest.param('<iframe src="https://evil.example/x"></iframe>', id="iframe-evil"),
    pytest.param('<iframe srcdoc="<script>alert(1)</script>"></iframe>', id="iframe-srcdoc"),
    pytest.param('<object data="https://evil.example/x.swf"></object>', id="object"),
    pytest.param('<embed src="https://evil.example/x.swf">', id="embed"),
    pytest.param('<form action="https://evil.example/"><input name="q"></form>', id="form"),
    pytest.param('<meta http-equiv="refresh" content="0;url=https://evil.example/">', id="meta"),
    pytest.param('<base href="https://evil.example/">', id="base"),
    pytest.param('<link rel="stylesheet" href="https://evil.example/x.css">', id="link"),
    pytest.param("<!--<script>alert(1)</script>-->", id="comment"),
    pytest.param('<noscript><p title="</noscript><img src=x onerror=alert(1)>">', id="noscript"),
    pytest.param('<a href="https://ok.example/" target="_blank" rel="opener">x</a>', id="opener"),
]

FORBIDDEN = re.compile(
    r"<script|<style|<svg|<object|<embed|<form|<meta|<base|<link|srcdoc|javascript:|vbscript:"
    r"|data:|\son\w+=|\sstyle=|evil\.example|target=|opener\"|<!--",
    re.IGNORECASE,
)


def _attributes(html: str, tag: str) -> list[dict[str, str]]:
    soup = BeautifulSoup(html, "html.parser")
    return [
        {k: " ".join(v) if isinstance(v, list) else v for k, v in t.attrs.items()}
        for t in soup.find_all(tag)
    ]


@pytest.mark.parametrize("attack", ATTACKS)
def test_post_text_drops_attack(attack: str) -> None:
    assert not FORBIDDEN.search(sanitize_post_text(attack))


@pytest.mark.parametrize("attack", ATTACKS)
def test_embed_html_drops_attack(attack: str) -> None:
    assert not FORBIDDEN.search(sanitize_embed_html(attack, iframe_hosts=PLAYER_HOSTS))


def test_post_text_drops_script_content_not_only_the_tag() -> None:
    assert sanitize_post_text("<p>before<script>var secret = 1;</script>after</p>") == (
        "<p>beforeafter</p>"
    )


def test_post_text_keeps_paragraphs_breaks_and_http_links() -> None:
    html = (
        '<p lang="en" dir="ltr" class="x">One<br>two <a href="https://link.example/a?b=1&amp;c=2"'
        ' title="t">link</a> <strong>bold</strong> <em>it</em></p><p>Second</p>'
    )
    assert sanitize_post_text(html) == (
        '<p lang="en" dir="ltr">One<br>two <a href="https://link.example/a?b=1&amp;c=2" '
        f'rel="{LINK_REL}">link</a> <strong>bold</strong> <em>it</em></p><p>Second</p>'
    )


def test_post_text_forces_rel_and_drops_other_link_attributes() -> None:
    html = '<a href="http://link.example/" rel="opener" target="_top" onclick="x()">a</a>'
    [link] = _attributes(sanitize_post_text(html), "a")
    assert link == {"href": "http://link.example/", "rel": LINK_REL}


@pytest.mark.parametrize(
    "href",
    [
        "/relative/path",
        "#fragment",
        "mailto:someone@mail.example",
        "ftp://files.example/x",
        "tel:+358123",
        "https://",
        "http://exa mple.example/",
    ],
)
def test_post_text_keeps_only_absolute_http_links(href: str) -> None:
    [link] = _attributes(sanitize_post_text(f'<a href="{href}">x</a>'), "a")
    assert "href" not in link


def test_post_text_upgrades_protocol_relative_links_to_https() -> None:
    [link] = _attributes(sanitize_post_text('<a href="//link.example/x">x</a>'), "a")
    assert link["href"] == "https://link.example/x"


def test_post_text_keeps_the_text_of_unknown_tags() -> None:
    html = "<div><span>kept</span> <blockquote>quoted</blockquote> <h1>head</h1></div>"
    assert sanitize_post_text(html) == "kept quoted head"


def test_post_text_drops_images_and_iframes_entirely() -> None:
    html = '<p>a<img src="https://img.example/a.png" alt="alt">b</p><iframe>inside</iframe>'
    assert sanitize_post_text(html) == "<p>ab</p>"


def test_post_text_escapes_text() -> None:
    assert sanitize_post_text("<p>1 &lt; 2 &amp; 3 &gt; 2 &lt;b&gt;</p>") == (
        "<p>1 &lt; 2 &amp; 3 &gt; 2 &lt;b&gt;</p>"
    )


@pytest.mark.parametrize(
    "html",
    [
        '<p>One<br>two <a href="https://link.example/">l</a></p>',
        "<p>x<script>y</script></p><p>z",
        '<a href="javascript:x">j</a><p lang="en">q</p>',
    ],
)
def test_post_text_is_idempotent(html: str) -> None:
    # The render layer sanitizes card text again; a second pass must change nothing.
    once = sanitize_post_text(html)
    assert sanitize_post_text(once) == once


def test_post_text_handles_empty_and_plain_text() -> None:
    assert sanitize_post_text("") == ""
    assert sanitize_post_text("just text") == "just text"


# -- live-mode embed HTML ----------------------------------------------------------------


def test_youtube_iframe_is_kept_sandboxed_and_moved_to_nocookie() -> None:
    html = (
        '<iframe width="480" height="270" src="https://www.youtube.com/embed/Ex4mpleVid1?'
        'feature=oembed" frameborder="0" allow="autoplay; camera; microphone" '
        'referrerpolicy="unsafe-url" allowfullscreen title="Keynote" style="border:0" '
        'onload="x()" sandbox="allow-top-navigation"></iframe>'
    )
    [frame] = _attributes(sanitize_embed_html(html, iframe_hosts=YOUTUBE_HOSTS), "iframe")
    assert frame == {
        "src": "https://www.youtube-nocookie.com/embed/Ex4mpleVid1",
        "width": "480",
        "height": "270",
        "title": "Keynote",
        "sandbox": IFRAME_SANDBOX,
        "referrerpolicy": "strict-origin-when-cross-origin",
        "loading": "lazy",
        "allow": "fullscreen; encrypted-media; picture-in-picture",
    }


def test_iframe_from_unlisted_host_is_dropped_with_its_content() -> None:
    html = '<p>before</p><iframe src="https://evil.example/x"><p>fallback</p></iframe><p>after</p>'
    assert sanitize_embed_html(html, iframe_hosts=YOUTUBE_HOSTS) == "<p>before</p><p>after</p>"


@pytest.mark.parametrize(
    "src",
    [
        "https://www.youtube.com.evil.example/embed/x",
        "https://evil.example/www.youtube.com/embed/x",
        "https://www.youtube.com@evil.example/embed/x",
        "https://user:pass@www.youtube.com/embed/x",
        "https://youtube.com/embed/Ex4mpleVid1",  # not listed: exact host match only
        "javascript:alert(1)//www.youtube.com",
        "data:text/html,<script>alert(1)</script>",
        "",
        "/embed/Ex4mpleVid1",
    ],
)
def test_iframe_host_must_match_exactly(src: str) -> None:
    html = f'<iframe src="{src}"></iframe>'
    assert sanitize_embed_html(html, iframe_hosts=YOUTUBE_HOSTS) == ""


def test_iframe_without_src_is_dropped() -> None:
    assert sanitize_embed_html("<iframe></iframe><p>x</p>", iframe_hosts=PLAYER_HOSTS) == "<p>x</p>"


def test_iframe_fallback_content_is_dropped() -> None:
    html = (
        '<iframe src="https://w.soundcloud.com/player/?url=x"><script>alert(1)</script>'
        "<img src=x onerror=alert(1)>text</iframe>"
    )
    out = sanitize_embed_html(html, iframe_hosts=PLAYER_HOSTS)
    assert out.count("<iframe") == 1
    assert "</iframe>" in out
    assert re.search(r"<iframe[^>]*></iframe>", out)


def test_iframe_closing_trick_cannot_smuggle_markup() -> None:
    html = (
        '<iframe src="https://www.youtube.com/embed/Ex4mpleVid1"><script></iframe>'
        "<img src=x onerror=alert(1)></script>"
    )
    out = sanitize_embed_html(html, iframe_hosts=YOUTUBE_HOSTS)
    assert not FORBIDDEN.search(out)
    assert "onerror" not in out


def test_iframe_dimensions_are_kept_only_when_numeric() -> None:
    html = '<iframe src="https://w.soundcloud.com/player/" width="100%" height="166px"></iframe>'
    [frame] = _attributes(sanitize_embed_html(html, iframe_hosts=PLAYER_HOSTS), "iframe")
    assert "width" not in frame
    assert "height" not in frame


def test_http_player_is_upgraded_to_https() -> None:
    html = '<iframe src="http://player.vimeo.com/video/1"></iframe>'
    [frame] = _attributes(sanitize_embed_html(html, iframe_hosts=PLAYER_HOSTS), "iframe")
    assert frame["src"] == "https://player.vimeo.com/video/1?dnt=1"


def test_embed_output_is_stable() -> None:
    # nh3 adds forced attributes in an arbitrary order; pages must be reproducible.
    html = '<iframe src="https://www.youtube.com/embed/Ex4mpleVid1" title="t"></iframe>'
    outputs = {sanitize_embed_html(html, iframe_hosts=YOUTUBE_HOSTS) for _ in range(20)}
    assert len(outputs) == 1


def test_post_blockquotes_keep_what_provider_scripts_need() -> None:
    html = (
        '<blockquote class="twitter-tweet tracking-class" data-dnt="true" data-secret="x" '
        'style="color:red"><p lang="en" dir="ltr">Hello <a href="https://short.example/x">l</a></p>'
        '&mdash; Name (@handle) <a href="https://twitter.com/handle/status/1">January 13, 2017'
        '</a></blockquote><script async src="https://platform.twitter.com/widgets.js"></script>'
    )
    out = sanitize_embed_html(html, iframe_hosts=frozenset())
    [quote] = _attributes(out, "blockquote")
    assert quote == {"class": "twitter-tweet", "data-dnt": "true"}
    assert "<script" not in out
    assert "January 13, 2017" in out


def test_bluesky_and_mastodon_attributes_survive() -> None:
    html = (
        '<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:abc/app.bsky.feed.post/'
        '3k" data-bluesky-cid="bafyexample"><p>x</p></blockquote>'
        '<blockquote class="mastodon-embed" data-embed-url="https://social.example/@a/1/embed">'
        '<a href="https://social.example/@a/1">Post by @a@social.example</a></blockquote>'
    )
    bluesky, mastodon = _attributes(sanitize_embed_html(html, iframe_hosts=()), "blockquote")
    assert bluesky == {
        "class": "bluesky-embed",
        "data-bluesky-uri": "at://did:plc:abc/app.bsky.feed.post/3k",
        "data-bluesky-cid": "bafyexample",
    }
    assert mastodon == {
        "class": "mastodon-embed",
        "data-embed-url": "https://social.example/@a/1/embed",
    }


def test_url_data_attributes_are_checked_like_links() -> None:
    html = '<blockquote class="mastodon-embed" data-embed-url="javascript:alert(1)">x</blockquote>'
    [quote] = _attributes(sanitize_embed_html(html, iframe_hosts=()), "blockquote")
    assert quote == {"class": "mastodon-embed"}


def test_images_keep_http_src_and_numeric_size() -> None:
    html = (
        '<a data-flickr-embed="true" href="https://photos.example/p/1" title="Harbour">'
        '<img src="https://img.example/1_b.jpg" width="1024" height="683" alt="Harbour" '
        'onerror="x()"></a>'
    )
    out = sanitize_embed_html(html, iframe_hosts=())
    [image] = _attributes(out, "img")
    assert image == {
        "src": "https://img.example/1_b.jpg",
        "width": "1024",
        "height": "683",
        "alt": "Harbour",
    }
    [link] = _attributes(out, "a")
    assert link["rel"] == LINK_REL
    assert link["data-flickr-embed"] == "true"


def test_embed_html_keeps_structure_tags() -> None:
    html = (
        "<figure><div><span>a</span><section><p><b>b</b><i>i</i><em>e</em><strong>s</strong>"
        "</p></section></div><figcaption>cap</figcaption></figure>"
    )
    assert sanitize_embed_html(html, iframe_hosts=()) == html


# -- helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.youtube.com/embed/Ex4mpleVid1?feature=oembed",
            "https://www.youtube-nocookie.com/embed/Ex4mpleVid1",
        ),
        (
            "https://youtube.com/embed/Ex4mpleVid1",
            "https://www.youtube-nocookie.com/embed/Ex4mpleVid1",
        ),
        (
            "http://www.youtube.com/embed/Ex4mpleVid1?start=30&autoplay=1",
            "https://www.youtube-nocookie.com/embed/Ex4mpleVid1?start=30",
        ),
        (
            "https://www.youtube.com/embed/videoseries?list=PLexample123",
            "https://www.youtube-nocookie.com/embed/videoseries?list=PLexample123",
        ),
        (
            "https://www.youtube-nocookie.com/embed/Ex4mpleVid1",
            "https://www.youtube-nocookie.com/embed/Ex4mpleVid1",
        ),
        (
            "https://www.youtube.com/watch?v=Ex4mpleVid1",
            "https://www.youtube.com/watch?v=Ex4mpleVid1",
        ),
        ("https://player.vimeo.com/video/1", "https://player.vimeo.com/video/1"),
        ("https://www.youtube.com/embed/<script>", "https://www.youtube.com/embed/<script>"),
    ],
)
def test_youtube_nocookie(url: str, expected: str) -> None:
    assert youtube_nocookie(url) == expected


def test_allowed_player_url() -> None:
    assert (
        allowed_player_url(
            "https://www.youtube.com/embed/Ex4mpleVid1?feature=oembed", iframe_hosts=YOUTUBE_HOSTS
        )
        == "https://www.youtube-nocookie.com/embed/Ex4mpleVid1"
    )
    assert (
        allowed_player_url("//w.soundcloud.com/player/?url=x", iframe_hosts=["W.SoundCloud.com"])
        == "https://w.soundcloud.com/player/?url=x"
    )
    assert allowed_player_url("https://evil.example/embed", iframe_hosts=YOUTUBE_HOSTS) is None
    assert allowed_player_url("https://www.youtube.com/embed/x", iframe_hosts=()) is None
    assert allowed_player_url("not a url", iframe_hosts=YOUTUBE_HOSTS) is None


def test_nocookie_player_is_allowed_wherever_youtube_is() -> None:
    only_main_host = frozenset({"www.youtube.com"})
    html = '<iframe src="https://www.youtube.com/embed/Ex4mpleVid1"></iframe>'
    [frame] = _attributes(sanitize_embed_html(html, iframe_hosts=only_main_host), "iframe")
    assert frame["src"] == "https://www.youtube-nocookie.com/embed/Ex4mpleVid1"


#: What ``derive_iframe_hosts`` gives a provider loaded from a providers.json file.
WILDCARD_HOSTS = frozenset({"video.example", "*.video.example"})


@pytest.mark.parametrize(
    "src",
    [
        "https://player.video.example/embed/1",
        "https://a.b.video.example/embed/1",
        "https://PLAYER.Video.Example/embed/1",
        "https://video.example/embed/1",
    ],
)
def test_wildcard_iframe_hosts_let_subdomains_play(src: str) -> None:
    assert allowed_player_url(src, iframe_hosts=WILDCARD_HOSTS) == src.replace(
        src.split("/")[2], src.split("/")[2].lower()
    )
    [frame] = _attributes(
        sanitize_embed_html(f'<iframe src="{src}"></iframe>', iframe_hosts=WILDCARD_HOSTS),
        "iframe",
    )
    assert frame["src"].startswith("https://")


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.example/x.video.example/embed/1",
        "https://evil.example/player.video.example",
        "https://player.video.example@evil.example/embed/1",
        "https://user@player.video.example/embed/1",
        "https://player.video.example.evil.example/embed/1",
        "https://evilvideo.example/embed/1",
        "https://evil.example?x=.video.example",
        "https://evil.example#.video.example",
        "https://evil.example\\.video.example/",
    ],
)
def test_wildcard_iframe_hosts_refuse_lookalikes(src: str) -> None:
    assert allowed_player_url(src, iframe_hosts=WILDCARD_HOSTS) is None
    html = f'<iframe src="{src}"></iframe><p>x</p>'
    assert sanitize_embed_html(html, iframe_hosts=WILDCARD_HOSTS) == "<p>x</p>"


def test_wildcard_youtube_keeps_the_nocookie_rewrite() -> None:
    src = "https://www.youtube.com/embed/Ex4mpleVid1"
    assert (
        allowed_player_url(src, iframe_hosts={"*.youtube.com"})
        == "https://www.youtube-nocookie.com/embed/Ex4mpleVid1"
    )


POST_TEXTS = [
    "<p>a post</p>",
    "<p> </p>",
    "<p>&nbsp;</p>",
    "<p><br></p><p>\u3000</p>",
    "<p>\u200b</p>",
    "<p><a href='https://a.example/x>y'></a></p>",
    "<p><a href='https://a.example/'>link</a></p>",
    "<p>&amp;</p>",
    "<p>1 &lt; 2</p>",
    "<script>only a script</script>",
    "<p><!-- a comment --></p>",
    "<p><b> </b><i>\n</i></p>",
    "<p><em>x</em></p>",
    "<![CDATA[data]]>",
    "<p>&#0;</p>",
    "<p>&#x20;&#9;</p>",
]


@pytest.mark.parametrize("raw", [*POST_TEXTS, *ATTACKS])
def test_has_text_tells_what_a_parsed_tree_would(raw: str) -> None:
    html = sanitize_post_text(raw)
    assert has_text(html) == bool(BeautifulSoup(html, "html.parser").get_text(strip=True))
