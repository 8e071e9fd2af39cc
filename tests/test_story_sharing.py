"""The published story presents itself: canonical link, OpenGraph, JSON-LD, oEmbed discovery.

``--base-url`` says where the page goes; without it nothing pointing at it is written.
"""

from __future__ import annotations

import json

from bs4 import BeautifulSoup

from storyboard.model.card import Card, CardKind
from storyboard.render import OutputFormat
from storyboard.render.safe import json_for_script

from . import test_render
from .test_render import RenderFn, full_story, keyed, make_story, post_card, snap

# The render fixtures of the render tests, found by their names.
render = test_render.render
assets_dir = test_render.assets_dir

BASE = "https://stories.example/anksome-2017"


def ld(soup: BeautifulSoup) -> dict[str, object]:
    scripts = soup.find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    data = json.loads(scripts[0].string)
    assert isinstance(data, dict)
    return data


def test_with_a_base_url_the_page_says_where_it_lives(render: RenderFn) -> None:
    story, snapshots = full_story()
    rendered = render(story, snapshots, base_url=BASE)
    soup = rendered.soup
    page = f"{BASE}/"
    assert soup.find("link", rel="canonical")["href"] == page
    assert soup.find("meta", property="og:url")["content"] == page
    # The first card picture, at its published address.
    assert soup.find("meta", property="og:image")["content"].startswith(f"{page}assets/")
    link = soup.find("link", type="application/json+oembed")
    assert link["rel"] == ["alternate"]
    assert link["href"] == f"{page}oembed.json"

    oembed = json.loads((rendered.options.output_dir / "oembed.json").read_text("utf-8"))
    assert oembed["type"] == "rich"
    assert oembed["version"] == "1.0"
    frame = BeautifulSoup(oembed["html"], "html.parser").find("iframe")
    assert frame["src"] == f"{page}embed/"
    embed = (rendered.options.output_dir / "embed" / "index.html").read_text("utf-8")
    assert "secret=" in embed  # the height messages wp-embed.js listens for
    assert "<button" not in embed


def test_json_ld_describes_the_story_and_its_items(render: RenderFn) -> None:
    story, snapshots = full_story()
    data = ld(render(story, snapshots, base_url=BASE).soup)
    assert data["@type"] == "Article"
    assert data["headline"] == story.title
    assert data["author"] == {"@type": "Person", "name": "Example Curator"}
    assert data["datePublished"] == "2017-01-13"
    parts = data["hasPart"]
    assert isinstance(parts, list)
    types = [part["@type"] for part in parts]
    assert "SocialMediaPosting" in types
    assert "VideoObject" in types
    post = parts[types.index("SocialMediaPosting")]
    assert post["author"]["name"] == "Anna Example"
    assert post["datePublished"].startswith("2017-01-13")
    assert "Good morning" in post["articleBody"]


def test_provider_text_cannot_end_the_json_ld_script(render: RenderFn) -> None:
    hostile = "</script><script>alert(1)</script><!-- &amp;"
    url = "https://twitter.com/anna/status/1"
    story = make_story([{"url": url}])
    snapshots = keyed(snap(post_card(url, title=hostile, text_html=None, description=hostile)))
    html = render(story, snapshots, base_url=BASE).path.read_text("utf-8")
    soup = BeautifulSoup(html, "html.parser")
    # One script of data and nothing run: the hostile text stays inside as a string.
    assert [s.get("type") for s in soup.find_all("script")] == ["application/ld+json"]
    assert ld(soup)["hasPart"][0]["articleBody"] == hostile
    assert json.loads(json_for_script({"x": "</script>\u2028"})) == {"x": "</script>\u2028"}
    assert "</" not in json_for_script({"x": "</script>"})


def test_the_story_may_name_its_preview_picture(render: RenderFn) -> None:
    story, snapshots = full_story(image="cover.jpg")
    soup = render(story, snapshots, base_url=BASE).soup
    assert soup.find("meta", property="og:image")["content"] == f"{BASE}/cover.jpg"


def test_without_a_base_url_nothing_points_at_the_page(render: RenderFn) -> None:
    story, snapshots = full_story()
    rendered = render(story, snapshots)
    assert rendered.soup.find("link", rel="canonical") is None
    assert rendered.soup.find("meta", property="og:url") is None
    assert rendered.soup.find("link", type="application/json+oembed") is None
    assert not (rendered.options.output_dir / "oembed.json").exists()
    assert not (rendered.options.output_dir / "embed").exists()


def test_a_fragment_has_no_discovery_files(render: RenderFn) -> None:
    story, snapshots = full_story()
    rendered = render(story, snapshots, format=OutputFormat.FRAGMENT, base_url=BASE)
    assert not (rendered.options.output_dir / "oembed.json").exists()


def test_a_video_item_is_a_video_object(render: RenderFn) -> None:
    url = "https://video.example/v/1"
    card = Card(kind=CardKind.VIDEO, url=url, title="A talk", provider_name="Video Example")
    story = make_story([{"url": url}])
    data = ld(render(story, keyed(snap(card)), base_url=BASE).soup)
    assert data["hasPart"] == [
        {
            "@type": "VideoObject",
            "url": url,
            "name": "A talk",
            "publisher": {"@type": "Organization", "name": "Video Example"},
        }
    ]
