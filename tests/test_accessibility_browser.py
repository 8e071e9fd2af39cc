"""The rendered story as readers with assistive technology meet it, in a real browser.

axe-core (bundled by ``axe-playwright-python``, run inside headless Chromium) checks the
page and the fragment in every embed mode, light and dark, and in every language the
page speaks; the other tests try what axe cannot judge: the keyboard alone, the order
a screen reader reads in, reduced motion, and the colours of dark mode.

The story is the one ``test_browser_modes`` fetches from its loopback playground; the
Swedish and Finnish pages are the same snapshots rendered with the story's ``lang``
changed.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pytest_httpserver import HTTPServer

from .browser_support import SiteServer, load, screenshot, serve, watched_page
from .test_browser_modes import StorySite, cli, page_html
from .tour_site import build_tour

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

MODES = ("static", "click", "live")
SCHEMES = ("light", "dark")
#: Every mode and both formats in English; every language in the mode with most controls.
MATRIX = [
    *[
        ("en", fmt, mode, scheme)
        for fmt in ("page", "fragment")
        for mode in MODES
        for scheme in SCHEMES
    ],
    *[
        (lang, fmt, "click", scheme)
        for lang in ("sv", "fi")
        for fmt in ("page", "fragment")
        for scheme in SCHEMES
    ],
]
#: The impacts a reader cannot work around; "moderate" and "minor" are reported, not fatal.
BLOCKING = frozenset({"serious", "critical"})


@dataclass(frozen=True)
class Outputs:
    """Every rendered output, by name ("en-page-click"), under one served folder."""

    root: Path
    story: StorySite

    def path(self, lang: str, fmt: str, mode: str) -> str:
        """Return the site path that shows one output (a fragment inside a host page)."""
        name = f"{lang}-{fmt}-{mode}"
        return f"{name}/host.html" if fmt == "fragment" else f"{name}/index.html"


def story_in(story_site: StorySite, lang: str) -> Path:
    """Return the story file for ``lang``: the story's own, or a copy with its snapshots."""
    if lang == "en":
        return story_site.story
    source = story_site.story
    copy = source.with_name(f"tour-{lang}.yaml")
    text = source.read_text(encoding="utf-8").replace("lang: en", f"lang: {lang}")
    copy.write_text(text, encoding="utf-8")
    shutil.copy(
        source.with_name("tour.snapshots.json"), copy.with_name(f"tour-{lang}.snapshots.json")
    )
    assets = source.with_name("tour.assets")
    if assets.is_dir() and not copy.with_name(f"tour-{lang}.assets").exists():
        shutil.copytree(assets, copy.with_name(f"tour-{lang}.assets"))
    return copy


@pytest.fixture(scope="module")
def outputs(make_httpserver: HTTPServer, tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    """Fetch the story once, then render every output the matrix needs."""
    built = build_tour(make_httpserver, tmp_path_factory, "a11y")
    root = built.root.parent / "a11y-site"
    network = ["--providers", built.providers, "--allow-private-network"]
    for lang, fmt, mode in sorted({(lang, fmt, mode) for lang, fmt, mode, _ in MATRIX}):
        name = f"{lang}-{fmt}-{mode}"
        story = story_in(built, lang)
        options = ["--embed", mode, "--format", fmt]
        # Exit 1: one URL never resolved (it is a link card, listed on stderr).
        assert cli("render", story, "-o", root / name, "--offline", *options, *network) == 1
        if fmt == "fragment":
            fragment = (root / name / "embed.html").read_text(encoding="utf-8")
            host = page_html(f"<main><h1>A blog post</h1>{fragment}</main>", "")
            host = host.replace('lang="en"', f'lang="{lang}"')
            (root / name / "host.html").write_text(host, encoding="utf-8")
    return Outputs(root=root, story=built)


@pytest.fixture(scope="module")
def site(outputs: Outputs) -> Iterator[SiteServer]:
    """Serve every output on loopback."""
    with serve(outputs.root) as server:
        yield server


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Return axe-core's violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def summary(violations: list[dict[str, Any]]) -> list[str]:
    """Return one line per violation: impact, rule and the elements it found."""
    return [
        f"{v['impact']} {v['id']}: {v['help']} -- "
        + "; ".join(node["html"][:120] for node in v["nodes"][:3])
        for v in violations
    ]


@pytest.mark.parametrize(("lang", "fmt", "mode", "scheme"), MATRIX)
def test_axe_finds_no_serious_violation(
    browser: Browser,
    site: SiteServer,
    outputs: Outputs,
    lang: str,
    fmt: str,
    mode: str,
    scheme: str,
    request: pytest.FixtureRequest,
) -> None:
    with watched_page(browser, site.origin) as watched:
        page = watched.page
        page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        load(watched, site.url(outputs.path(lang, fmt, mode)))
        if mode == "click":
            # The loaded player is part of the page too: load the first one.
            page.locator("button.sb-load").first.click()
            page.locator(".sb-frame iframe").first.wait_for(state="attached")
        screenshot(page, request)
        violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    others = summary([v for v in violations if v["impact"] not in BLOCKING])
    print(f"axe {lang} {fmt} {mode} {scheme}: {len(blocking)} blocking; other: {others}")
    assert blocking == [], "\n".join(summary(blocking))


def contrast_ratio(first: str, second: str) -> float:
    """Return the WCAG contrast ratio of two ``rgb(...)`` colours."""

    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_dark_mode_avatar_circles_stand_out_and_their_letters_read(
    browser: Browser, site: SiteServer, outputs: Outputs, request: pytest.FixtureRequest
) -> None:
    with watched_page(browser, site.origin) as watched:
        page = watched.page
        page.emulate_media(color_scheme="dark")
        load(watched, site.url(outputs.path("en", "page", "static")))
        screenshot(page, request)
        marks = page.evaluate(
            """Array.from(document.querySelectorAll('.sb-mark'), el => {
                 const card = el.closest('.sb-card');
                 return {text: el.textContent.trim(), fg: getComputedStyle(el).color,
                         bg: getComputedStyle(el).backgroundColor,
                         card: getComputedStyle(card).backgroundColor}; })"""
        )
    assert marks, "no avatar circle on the page"
    for mark in marks:
        # The letter reads (large bold text: 3:1), and the circle is seen against its card.
        assert contrast_ratio(mark["fg"], mark["bg"]) >= 4.5, mark
        assert contrast_ratio(mark["bg"], mark["card"]) >= 1.5, mark


def test_click_to_load_works_from_the_keyboard_alone(
    browser: Browser, site: SiteServer, outputs: Outputs, request: pytest.FixtureRequest
) -> None:
    for key in ("Enter", "Space"):
        with watched_page(browser, site.origin) as watched:
            page = watched.page
            load(watched, site.url(outputs.path("en", "page", "click")))
            # Tab until the first player button has the focus, as a keyboard user would.
            for _ in range(60):
                page.keyboard.press("Tab")
                if page.evaluate("document.activeElement.matches('button.sb-load')"):
                    break
            else:
                pytest.fail("Tab never reaches a player button")
            focused = page.evaluate(
                """(() => { const s = getComputedStyle(document.activeElement);
                     return {style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; })()"""
            )
            assert focused["style"] != "none", focused
            assert focused["width"] >= 2, focused
            if key == "Enter":
                screenshot(page, request, "focused")
            page.keyboard.press(key)
            page.locator(".sb-frame iframe").first.wait_for(state="attached")
            assert page.evaluate("document.activeElement.tagName") == "IFRAME", key
            assert page.evaluate("document.activeElement.title") != ""


def test_images_have_meaningful_alt_text(
    browser: Browser, site: SiteServer, outputs: Outputs
) -> None:
    with watched_page(browser, site.origin) as watched:
        load(watched, site.url(outputs.path("en", "page", "static")))
        images = watched.page.evaluate(
            """Array.from(document.images, img => ({alt: img.getAttribute('alt'),
                 hidden: !!img.closest('[aria-hidden=true]'), cls: img.className}))"""
        )
    assert images
    for image in images:
        assert image["alt"] is not None, image
        if image["cls"] == "sb-avatar" or image["hidden"]:
            continue  # decorative: the author's name is written next to it
        # Not empty, not a file name, not a bare "image".
        assert image["alt"].strip(), image
        assert not re.search(r"\.(jpe?g|png|webp|gif)$", image["alt"], re.I), image
        assert image["alt"].casefold() not in {"image", "picture", "photo"}, image


def test_headings_and_reading_order_make_sense(
    browser: Browser, site: SiteServer, outputs: Outputs
) -> None:
    with watched_page(browser, site.origin) as watched:
        load(watched, site.url(outputs.path("en", "page", "static")))
        page = watched.page
        levels = page.evaluate(
            "Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6'), h => +h.tagName[1])"
        )
        headings = page.evaluate(
            "Array.from(document.querySelectorAll('main h2'), h => h.textContent.trim())"
        )
        # The order in the document is the order on screen: nothing is moved by CSS.
        tops = page.evaluate(
            """Array.from(document.querySelectorAll('.sb-entry, main > h2, .sb-prose'),
                 el => el.getBoundingClientRect().top + window.scrollY)"""
        )
    assert levels[0] == 1, levels
    assert levels.count(1) == 1, levels
    # No level skipped on the way down (h1 -> h3 would be).
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    assert [h for h in headings if h in {"Morning", "Afternoon"}] == ["Morning", "Afternoon"]
    assert tops == sorted(tops)


def test_reduced_motion_turns_off_transitions_and_smooth_scrolling(
    browser: Browser, site: SiteServer, outputs: Outputs
) -> None:
    probe = """Array.from(document.querySelectorAll('.storyboard, .storyboard *'), el => {
        const s = getComputedStyle(el);
        return {tag: el.tagName, scroll: s.scrollBehavior,
                moving: s.transitionDuration.split(',').some(d => parseFloat(d) > 0)
                        || (s.animationName !== 'none' && parseFloat(s.animationDuration) > 0)};
      }).filter(x => x.moving || x.scroll === 'smooth')"""
    seen = {}
    for motion in ("no-preference", "reduce"):
        with watched_page(browser, site.origin) as watched:
            page = watched.page
            page.emulate_media(reduced_motion=motion)  # type: ignore[arg-type]
            load(watched, site.url(outputs.path("en", "page", "click")))
            seen[motion] = page.evaluate(probe)
    assert seen["reduce"] == [], seen["reduce"]
    # The page does move for readers who did not ask otherwise (so the check can fail).
    assert seen["no-preference"], "nothing moves at all: the probe proves nothing"
