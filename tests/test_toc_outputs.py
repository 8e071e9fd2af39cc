"""The table of contents in every output: the page, ``story.md`` built by Eleventy, ``story.json``.

One rule for all three (``options.toc``, else more than 3 headings): the same headings,
anchors and item counts. In ``story.md`` the list links to anchors the Markdown itself
carries, so they work in a real Eleventy build, whose markdown-it gives headings no ids.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup, Tag

from .blog_hosts.eleventy import EleventyBuild
from .cli_runner import invoke

HEADINGS = ["Morgon", "Förmiddag {{ 7 | plus: 1 }}", "Lunch & [mat] *nu*", "Kväll", "Morgon"]


def story_text(headings: list[str], *, toc: bool | None = None) -> str:
    lines = ["title: Dagen", "lang: sv"]
    if toc is not None:
        lines += ["options:", f"  toc: {'true' if toc else 'false'}"]
    lines.append("items:")
    for number, heading in enumerate(headings):
        lines.append(f"  - heading: {json.dumps(heading)}")
        lines.append("  - text: Något att läsa.")
        # Sections of 0, 1, 2... URL items (never fetched: they count all the same).
        lines += [f"  - url: https://social.example/@anna/{number}{n}" for n in range(number)]
    return "\n".join(lines) + "\n"


def render_all(story: Path, root: Path) -> dict[str, Path]:
    outputs = {}
    for fmt in ("page", "markdown", "json"):
        result = invoke(["render", str(story), "-o", str(root / fmt), "--offline", "--format", fmt])
        assert result.exit_code in (0, 1), result.stderr  # 1: the URLs were never fetched
        outputs[fmt] = root / fmt
    return outputs


def page_toc(index: Path) -> list[tuple[str, str, str | None]]:
    soup = BeautifulSoup(index.read_text(encoding="utf-8"), "html.parser")
    nav = soup.find("nav", class_="sb-toc")
    if nav is None:
        return []
    entries = []
    for li in nav.find_all("li"):
        link, count = li.find("a"), li.find("span", class_="sb-toc-count")
        entries.append((link.get_text(), link["href"], count.get_text() if count else None))
    return entries


def json_toc(folder: Path) -> list[dict[str, Any]]:
    data = json.loads((folder / "story.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == 2
    toc: list[dict[str, Any]] = data["toc"]
    return toc


def test_every_output_has_the_pages_table_of_contents(
    tmp_path: Path, eleventy_build: EleventyBuild
) -> None:
    story = tmp_path / "toc.yaml"
    story.write_text(story_text(HEADINGS), encoding="utf-8")
    out = render_all(story, tmp_path / "site")

    page = page_toc(out["page"] / "index.html")
    assert [text for text, _, _ in page] == HEADINGS
    assert page[0][2] is None
    assert page[2][2] == "(2 inlägg)"
    anchors = [href.removeprefix("#") for _, href, _ in page]
    assert len(set(anchors)) == len(anchors)  # the two "Morgon" get anchors of their own

    assert json_toc(out["json"]) == [
        {"heading": heading, "anchor": anchor, "items": number}
        for number, (heading, anchor) in enumerate(zip(HEADINGS, anchors, strict=True))
    ]

    built = eleventy_build(out["markdown"]) / "story" / "index.html"
    soup = BeautifulSoup(built.read_text(encoding="utf-8"), "html.parser")
    title = soup.find(string="Innehåll")
    assert title is not None
    listing = title.find_parent("p").find_next_sibling("ol")  # type: ignore[union-attr]
    assert isinstance(listing, Tag)
    links = [(li.find("a"), li.get_text()) for li in listing.find_all("li")]
    assert [a.get_text() for a, _ in links] == HEADINGS  # as written: no Liquid ran
    assert links[2][1] == f"{HEADINGS[2]} (2 inlägg)"
    for (link, _), heading, anchor in zip(links, HEADINGS, anchors, strict=True):
        # markdown-it percent-encodes the link; a browser decodes it to find the id.
        assert unquote(link["href"]) == f"#{anchor}"
        target = soup.find(id=anchor)
        assert target is not None, anchor
        assert target.find_parent("h2").get_text() == heading  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("headings", "toc", "expected"),
    [
        (HEADINGS[:3], None, False),  # 3 headings: not enough
        (HEADINGS[:1], True, True),  # the story asks for one
        (HEADINGS, False, False),  # the story says no
    ],
)
def test_every_output_follows_the_pages_rule(
    tmp_path: Path, headings: list[str], toc: bool | None, expected: bool
) -> None:
    story = tmp_path / "toc.yaml"
    story.write_text(story_text(headings, toc=toc), encoding="utf-8")
    out = render_all(story, tmp_path / "site")
    markdown = (out["markdown"] / "story.md").read_text(encoding="utf-8")

    assert bool(page_toc(out["page"] / "index.html")) is expected
    assert bool(json_toc(out["json"])) is expected
    assert ("**Innehåll**" in markdown) is expected
    assert ('<a id="morgon"></a>' in markdown) is expected
