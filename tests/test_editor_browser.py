"""``storyboard edit`` in Chromium: paste, reorder by mouse and keyboard, edit, delete and
undo, a hand edit of the file meanwhile, publish; the YAML checked after every step."""

from __future__ import annotations

import contextlib
import filecmp
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .browser_support import (
    PHONE_WIDTH,
    WatchedPage,
    assert_no_horizontal_overflow,
    watched_page,
)
from .conftest import ProviderPlayground
from .test_collect import FakeSocial, bluesky_day, bsky_url, hashtag_day, social

__all__ = ["bluesky_day", "hashtag_day", "social"]  # fixtures of the collect tests, by name

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.browser

HEAD = "# Meetup story, curated by hand.\ntitle: Meetup\nitems:\n"
A = "  # The morning.\n  - heading: Morning\n"
B = "  - text: |\n      First *words*.\n"
C = "  - url: https://social.example/@anna/1   # Anna's\n    note: 'Quoted: note'\n"
D = "  - heading: Afternoon\n"
TAIL = "options:\n  embed: static  # cards only\n"
E = "  - url: https://social.example/@ben/2\n"
F = "  - url: https://social.example/@bad/4\n"
B2 = '  - text: "Second *words*: now"\n'  # B after its edit


def post(author: str, text: str) -> dict[str, object]:
    return {
        "type": "rich",
        "version": "1.0",
        "author_name": author,
        "author_url": f"https://social.example/@{author.lower()}",
        "provider_name": "Example Social",
        "provider_url": "https://social.example/",
        "html": f'<blockquote class="social-post"><p>{text}</p></blockquote>',
        "width": 400,
    }


@contextlib.contextmanager
def running_editor(
    path: Path, *options: str | Path, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Run ``storyboard edit`` as a person would (loopback allowed); yield its address."""
    command = [sys.executable, "-m", "storyboard", "edit", str(path), "--no-open"]
    command += ["--allow-private-network", "--timeout", "10", *map(str, options)]
    environment = {**os.environ, **(env or {})}
    # Its console (saves, fetches) goes to a file: a pipe nobody reads could fill up.
    with (
        tempfile.TemporaryFile("w+") as console,
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=console, text=True, env=environment
        ) as proc,
    ):
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            found = re.search(r"at (http://127\.0\.0\.1:\d+/\S+/) \(Ctrl-C", line)
            assert found, line
            yield found.group(1)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
            console.seek(0)
            err = console.read()
        assert proc.returncode == 0, err
        assert "Traceback" not in err, err


def origin_of(url: str) -> str:
    return "/".join(url.split("/")[:3])


@dataclass
class Editing:
    path: Path
    url: str
    watched: WatchedPage

    @property
    def page(self) -> Any:
        return self.watched.page

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def item(self, number: int) -> Any:
        return self.page.locator(f"#ed-items > li:nth-child({number})")

    def button(self, number: int, name: str) -> Any:
        return self.item(number).locator(".ed-tools button", has_text=name)

    def wait_for_file(self, expected: str) -> None:
        # The page shows a change once the server wrote it; poll for slow machines.
        for _ in range(200):
            if self.text() == expected:
                break
            self.page.wait_for_timeout(50)
        assert self.text() == expected
        # ... and once the page has the answer: the next step acts on what it shows.
        self.page.wait_for_function("() => !document.body.dataset.saving")

    def wait_for_status(self, text: str) -> None:
        self.page.locator("#ed-status", has_text=text).wait_for()

    def items_text(self) -> list[str]:
        return [
            " ".join(text.split())
            for text in self.page.locator("#ed-items > li .ed-preview").all_inner_texts()
        ]


@pytest.fixture
def editing(
    browser: Any, tmp_path: Path, playground: ProviderPlayground, request: pytest.FixtureRequest
) -> Iterator[Editing]:
    playground.oembed["https://social.example/@anna/1"] = post("Anna", "Hello from Anna")
    playground.oembed["https://social.example/@ben/2"] = post("Ben", "Ben was there")
    path = tmp_path / "story.yaml"
    path.write_text(getattr(request, "param", HEAD + A + B + C + D + TAIL), encoding="utf-8")
    providers = playground.providers_file(tmp_path)
    with (
        running_editor(path, "--providers", providers, "-o", tmp_path / "site") as url,
        watched_page(browser, origin_of(url)) as watched,
    ):
        watched.context.grant_permissions(["clipboard-read", "clipboard-write"])
        watched.page.goto(url)
        watched.page.locator("#ed-items > li").first.wait_for()
        yield Editing(path, url, watched)
        assert watched.log.third_party == []
        assert watched.log.errors == []


def test_curating_in_the_browser_writes_the_yaml_in_place(
    editing: Editing, playground: ProviderPlayground
) -> None:
    page = editing.page
    assert editing.items_text()[:2] == ["Morning", "First words."]

    # Paste three URLs: two new ones become items at the end, the one already there is said.
    page.fill(
        "#ed-add-text",
        "https://social.example/@ben/2\nhttps://social.example/@bad/4 https://social.example/@anna/1",
    )
    page.click("#ed-add-form button[type=submit]")
    editing.wait_for_status("Added 2 items. Already in the story: https://social.example/@anna/1")
    editing.wait_for_file(HEAD + A + B + C + D + E + F + TAIL)
    # Fetched in the background: the card appears when ready, a failure says why.
    editing.item(5).locator(".sb-card", has_text="Ben was there").wait_for()
    failed = editing.item(6).locator(".ed-fetch-failed")
    failed.wait_for()
    assert "404" in failed.inner_text()

    # Keyboard: "Down" on the first item moves it, and the focus goes with it.
    editing.button(1, "Down").focus()
    page.keyboard.press("Enter")
    editing.wait_for_file(HEAD + B + A + C + D + E + F + TAIL)
    editing.wait_for_status("Item moved to position 2.")
    assert page.evaluate("document.activeElement.closest('li').dataset.index") == "1"
    assert page.evaluate("document.activeElement.dataset.act") == "down"

    # Keyboard: to the end of a heading's section, from the item's edit form.
    editing.button(1, "Edit").click()
    form = editing.item(1).locator("form.ed-edit")
    form.get_by_label("Move to the end of the section").select_option(label="Afternoon")
    form.locator("button", has_text="Move").press("Enter")
    editing.wait_for_file(HEAD + A + C + D + E + F + B + TAIL)

    # Mouse: drag the failed item's handle onto the top half of the first item (both
    # in view: the sticky bar must not be what the mouse lets go over).
    page.set_viewport_size({"width": 1280, "height": 2400})
    page.evaluate("window.scrollTo(0, 0)")
    page.drag_and_drop(
        "#ed-items > li:nth-child(5) .ed-handle",
        "#ed-items > li:nth-child(1)",
        target_position={"x": 40, "y": 5},
    )
    editing.wait_for_file(HEAD + F + A + C + D + E + B + TAIL)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Edit the text item: Markdown with a live preview; only its own lines change.
    editing.button(6, "Edit").click()
    area = editing.item(6).get_by_label("Text (Markdown)")
    area.fill("Second *words*: now")
    editing.item(6).locator(".ed-md-preview em", has_text="words").wait_for()
    editing.item(6).locator("form.ed-edit button[type=submit]").click()
    editing.wait_for_file(HEAD + F + A + C + D + E + B2 + TAIL)

    # Delete, then undo: the file is back byte for byte, its comment and quoting too.
    before = editing.text()
    editing.button(3, "Delete").click()
    editing.wait_for_status("Item 3 deleted.")
    editing.wait_for_file(HEAD + F + A + D + E + B2 + TAIL)
    page.click("#ed-undo")
    editing.wait_for_status("Undone.")
    editing.wait_for_file(before)

    # A hand edit while the editor is open: the editor shows it, and keeps it on its next save.
    hand = HEAD + F + A + C + D + "  - heading: Evening  # added by hand\n" + E + B2 + TAIL
    editing.path.write_text(hand, encoding="utf-8")
    editing.wait_for_status("The file changed on disk")
    page.locator("#ed-items h2", has_text="Evening").wait_for()
    editing.button(1, "Down").click()
    editing.wait_for_file(
        HEAD + A + F + C + D + "  - heading: Evening  # added by hand\n" + E + B2 + TAIL
    )

    # The failed post answers now: "Try again" fetches it, and its card appears.
    playground.oembed["https://social.example/@bad/4"] = post("Bad", "Back again")
    editing.item(2).locator("button", has_text="Try again").click()
    editing.item(2).locator(".sb-card", has_text="Back again").wait_for()

    # Publish: the fragment is written, shown and copied.
    page.click("button[data-render=fragment]")
    page.locator("#ed-written", has_text="embed.html").wait_for()
    fragment = page.input_value("#ed-fragment-text")
    assert "Ben was there" in fragment
    assert fragment == (editing.path.parent / "site" / "embed.html").read_text(encoding="utf-8")
    page.click("#ed-copy")
    editing.wait_for_status("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == fragment


def serious_violations(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert len(results.response["passes"]) > 10  # axe did look at the page
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


SWEDISH = "title: Träffen\nlang: sv\nitems:\n  - heading: Morgon\n  - text: Hej *alla*.\n" + (
    "  - url: https://social.example/@anna/1\n    note: Bra.\n"
)


@pytest.mark.parametrize("editing", [SWEDISH], indirect=True)
def test_accessible_in_the_storys_language_and_at_phone_width(editing: Editing) -> None:
    page = editing.page
    assert page.locator("#ed-undo").inner_text() == "Ångra"
    assert page.locator("html").get_attribute("lang") == "sv"
    # Nothing to review yet, nothing published: those parts stay out of sight.
    assert page.locator("#ed-review").is_hidden()
    assert page.locator("#ed-fragment").is_hidden()
    editing.item(3).locator("button", has_text="Försök igen").click()
    editing.item(3).locator(".sb-card", has_text="Hello from Anna").wait_for()
    editing.item(3).locator(".ed-tools button", has_text="Redigera").click()
    editing.item(3).get_by_label("Anteckning (Markdown) som visas med inlägget").wait_for()
    for width in (1280, PHONE_WIDTH):
        page.set_viewport_size({"width": width, "height": 800})
        assert serious_violations(page) == [], width
    assert_no_horizontal_overflow(page)
    # Keyboard only: Tab reaches the item's buttons, and Enter moves it.
    editing.item(1).locator(".ed-tools button", has_text="Ned").focus()
    page.keyboard.press("Enter")
    page.locator("#ed-status", has_text="Punkten flyttad till plats 2.").wait_for()
    assert json.dumps(editing.text()).count("Morgon") == 1
    assert editing.text().index("Hej *alla*") < editing.text().index("Morgon")


def test_collect_a_hashtag_into_a_review_list_and_pick_the_posts(
    browser: Any, tmp_path: Path, social: FakeSocial, hashtag_day: dict[str, Any]
) -> None:
    path = tmp_path / "story.yaml"
    head = "title: Day\nitems:\n  - heading: Morning  # kept\n"
    path.write_text(head + "  - heading: Evening\n", encoding="utf-8")
    with (
        running_editor(path) as url,
        watched_page(browser, origin_of(url)) as watched,
    ):
        page = watched.page
        page.goto(url)
        page.locator("#ed-items > li").first.wait_for()
        page.get_by_label("Mastodon server").fill(social.base)
        page.get_by_label("Hashtag", exact=True).fill("#anksome")
        page.click("#ed-collect-form button[type=submit]")
        page.locator("#ed-review-count", has_text="posts found").wait_for()
        boxes = page.locator("#ed-review-list input[type=checkbox]")
        urls = [boxes.nth(i).get_attribute("value") for i in range(boxes.count())]
        # Public posts only, oldest first, each once (the boosts lead to their posts).
        assert urls[0] == hashtag_day["hanna"]["url"]  # boosted later, written first
        assert urls.count(hashtag_day["anna"]["url"]) == 1
        assert urls[-1] == hashtag_day["thanks"]["url"]
        assert hashtag_day["private"]["url"] not in urls
        for i in range(1, len(urls) - 1):
            boxes.nth(i).uncheck()
        page.select_option("#ed-review-where", value="1")  # after "Morning"
        page.click("#ed-review button[type=submit]")
        page.locator("#ed-status", has_text="Added 2 items.").wait_for()
        added = f"  - url: {urls[0]}\n  - url: {urls[-1]}\n"
        assert path.read_text(encoding="utf-8") == head + added + "  - heading: Evening\n"
        # Their snapshots come from the API: the cards appear without asking the platform,
        # the post's markup escaped as on the page.
        thanks = page.locator("#ed-items > li:nth-child(3) .sb-card", has_text="Tack för i dag")
        thanks.wait_for()
        assert page.locator(".ed-preview script").count() == 0
        assert page.locator("#ed-review-list li").count() == len(urls) - 2
        assert watched.log.third_party == []
        assert watched.log.errors == []


def test_headings_texts_notes_titles_and_embed_modes(editing: Editing) -> None:
    page = editing.page
    page.get_by_label("Heading", exact=True).check()
    page.fill("#ed-add-text", "Lunch")
    page.select_option("#ed-where", value="2")  # after item 2
    page.click("#ed-add-form button[type=submit]")
    lunch = "  - heading: Lunch\n"
    editing.wait_for_file(HEAD + A + B + lunch + C + D + TAIL)
    page.get_by_label("Text", exact=True).check()
    page.fill("#ed-add-text", "Line one\nline *two*")
    page.click("#ed-add-form button[type=submit]")
    text = "  - text: |\n      Line one\n      line *two*\n"
    editing.wait_for_file(HEAD + A + B + lunch + C + D + text + TAIL)
    editing.item(6).locator(".sb-prose em", has_text="two").wait_for()

    # The post's title override and embed mode, then its note taken away.
    editing.button(4, "Edit").click()
    form = editing.item(4).locator("form.ed-edit")
    form.get_by_label("Title shown instead of the post's own").fill("Anna's morning")
    form.get_by_label("How the post is shown").select_option("click")
    form.locator("button[type=submit]").click()
    titled = C + "    title: Anna's morning\n    embed: click\n"
    editing.wait_for_file(HEAD + A + B + lunch + titled + D + text + TAIL)
    editing.item(4).locator(".sb-title", has_text="Anna's morning").wait_for()
    editing.button(4, "Edit").click()
    editing.item(4).get_by_label("Note (Markdown), shown with the post").fill("")
    editing.item(4).locator("form.ed-edit button[type=submit]").click()
    untitled = titled.replace("    note: 'Quoted: note'\n", "")
    editing.wait_for_file(HEAD + A + B + lunch + untitled + D + text + TAIL)

    # A heading renamed: its line only.
    editing.button(3, "Edit").click()
    editing.item(3).get_by_label("Heading").fill("Lunch break")
    editing.item(3).get_by_label("Heading").press("Enter")
    editing.wait_for_file(HEAD + A + B + "  - heading: Lunch break\n" + untitled + D + text + TAIL)


def test_urls_pasted_or_dropped_anywhere_and_a_broken_file_shown(editing: Editing) -> None:
    page = editing.page
    # Pasted outside a text field, with the focus on item 2: they go after it.
    editing.button(2, "Edit").focus()
    page.evaluate(
        """() => {
          const data = new DataTransfer();
          data.setData("text/plain", "look: https://social.example/@ben/2 !");
          document.activeElement.dispatchEvent(
            new ClipboardEvent("paste", {clipboardData: data, bubbles: true}));
        }"""
    )
    editing.wait_for_file(HEAD + A + B + E + C + D + TAIL)
    editing.item(3).locator(".sb-card", has_text="Ben was there").wait_for()
    # Undo takes the pasted items away again.
    page.click("#ed-undo")
    editing.wait_for_file(HEAD + A + B + C + D + TAIL)
    # Dropped (a link dragged from another window) on the top half of item 1: before it.
    page.evaluate(
        """() => {
          const target = document.querySelector("#ed-items > li:nth-child(1)");
          const box = target.getBoundingClientRect();
          const data = new DataTransfer();
          data.setData("text/uri-list", "https://social.example/@bad/4");
          for (const type of ["dragover", "drop"]) {
            target.dispatchEvent(new DragEvent(type, {
              dataTransfer: data, bubbles: true, cancelable: true,
              clientX: box.left + 20, clientY: box.top + 4}));
          }
        }"""
    )
    editing.wait_for_file(HEAD + F + A + B + C + D + TAIL)
    editing.item(1).locator(".ed-fetch-failed").wait_for()

    # A hand edit that breaks the file: the editor lists the problem, then recovers.
    good = editing.text()
    editing.path.write_text(good.replace("title: Meetup", "titel: Meetup"), encoding="utf-8")
    problems = page.locator("#ed-problems")
    problems.locator("li", has_text="titel").wait_for()
    assert page.locator("#ed-items > li").count() == 0
    assert page.locator("#ed-undo").is_disabled()
    editing.path.write_text(good, encoding="utf-8")
    page.locator("#ed-items > li").first.wait_for()
    assert problems.is_hidden()


def press(editing: Editing, keys: str) -> None:
    """Press ``keys`` with the focus outside any text field (on the page itself)."""
    editing.page.evaluate("document.activeElement && document.activeElement.blur()")
    editing.page.keyboard.press(keys)


def test_undo_and_redo_by_keyboard_and_buttons_for_deletes_and_edits(editing: Editing) -> None:
    page = editing.page
    original = editing.text()
    deleted = HEAD + A + B + D + TAIL
    editing.button(3, "Delete").click()
    editing.wait_for_file(deleted)
    press(editing, "Control+z")
    editing.wait_for_status("Undone.")
    editing.wait_for_file(original)
    press(editing, "Control+y")
    editing.wait_for_status("Redone.")
    editing.wait_for_file(deleted)
    press(editing, "Control+Shift+z")  # nothing left to redo: said, and nothing written
    editing.wait_for_status("Nothing to redo.")
    assert editing.text() == deleted
    assert page.locator("#ed-redo").is_disabled()
    # The buttons do the same.
    page.click("#ed-undo")
    editing.wait_for_file(original)
    page.click("#ed-redo")
    editing.wait_for_file(deleted)
    page.click("#ed-undo")
    editing.wait_for_file(original)

    # An edit: undone and redone, only its own lines changing each time.
    editing.button(2, "Edit").click()
    editing.item(2).get_by_label("Text (Markdown)").fill("Second *words*: now")
    editing.item(2).locator("form.ed-edit button[type=submit]").click()
    edited = HEAD + A + B2 + C + D + TAIL
    editing.wait_for_file(edited)
    press(editing, "Control+z")
    editing.wait_for_file(original)
    press(editing, "Control+Shift+z")
    editing.wait_for_file(edited)

    # Two pasted URLs: undo takes both away, redo brings both back, byte for byte.
    page.fill("#ed-add-text", "https://social.example/@ben/2 https://social.example/@bad/4")
    page.click("#ed-add-form button[type=submit]")
    pasted = HEAD + A + B2 + C + D + E + F + TAIL
    editing.wait_for_file(pasted)
    page.click("#ed-undo")
    editing.wait_for_file(edited)
    page.click("#ed-redo")
    editing.wait_for_file(pasted)

    # Three undos pressed at once run one after the other, each on the file the one
    # before wrote; a new change after an undo forgets what there was to redo.
    press(editing, "Control+z")
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    editing.wait_for_file(HEAD + A + B + C + D + TAIL)
    assert page.locator("#ed-redo").is_enabled()
    editing.button(1, "Down").click()
    editing.wait_for_file(HEAD + B + A + C + D + TAIL)
    assert page.locator("#ed-redo").is_disabled()
    # Ctrl+Z inside a text field is the field's own: the story stays as it is.
    page.fill("#ed-add-text", "typed")
    page.locator("#ed-add-text").press("Control+z")
    assert editing.text() == HEAD + B + A + C + D + TAIL


def test_collect_from_bluesky_into_a_review_list_and_place_the_posts(
    browser: Any, tmp_path: Path, social: FakeSocial, bluesky_day: dict[str, Any]
) -> None:
    path = tmp_path / "story.yaml"
    head = "title: Dagen\nlang: sv\nitems:\n  - heading: Morgon  # kept\n"
    tail = "  - heading: Kväll\n"
    path.write_text(head + tail, encoding="utf-8")
    # Bluesky's public AppView, played on loopback under its own name.
    appview = f"public.api.bsky.app={social.base}"
    with (
        running_editor(path, env={"STORYBOARD_HOST_MAP": appview}) as url,
        watched_page(browser, origin_of(url)) as watched,
    ):
        page = watched.page
        page.goto(url)
        page.locator("#ed-items > li").first.wait_for()
        page.get_by_label("Nätverk").select_option("bluesky")
        assert page.get_by_label("Mastodon-server").is_hidden()  # Bluesky has one search
        page.get_by_label("Hashtagg", exact=True).fill("#anksome")
        page.click("#ed-collect-form button[type=submit]")
        page.locator("#ed-review-count", has_text="inlägg hittades").wait_for()
        boxes = page.locator("#ed-review-list input[type=checkbox]")
        urls = [boxes.nth(i).get_attribute("value") for i in range(boxes.count())]
        # Oldest first; the post of a gone account and the logged-in-only one are left out.
        keys = ("sara", "tove", "vera", "wilma", "next_day")
        assert urls == [bsky_url(bluesky_day[key]) for key in keys]
        assert "q=%23anksome" in social.search_requests()[0]

        # The first two after "Morgon", ticked off the list once added ...
        for i in range(2, len(urls)):
            boxes.nth(i).uncheck()
        page.select_option("#ed-review-where", value="1")
        page.click("#ed-review button[type=submit]")
        page.locator("#ed-status", has_text="2 punkter tillagda.").wait_for()
        morning = f"  - url: {urls[0]}\n  - url: {urls[1]}\n"
        assert path.read_text(encoding="utf-8") == head + morning + tail
        assert page.locator("#ed-review-list li").count() == 3
        # ... then "Kvällens mingel" after "Kväll", at the end.
        page.locator("#ed-review-list li", has_text="Kvällens mingel").locator("input").check()
        for label in ("Första raden", "Dagen efter"):
            page.locator("#ed-review-list li", has_text=label).locator("input").uncheck()
        page.select_option("#ed-review-where", label="Sist")
        page.click("#ed-review button[type=submit]")
        page.locator("#ed-status", has_text="1 punkt tillagd.").wait_for()
        evening = f"  - url: {urls[3]}\n"
        assert path.read_text(encoding="utf-8") == head + morning + tail + evening
        # The cards come from the search's own post views (escaped as on the page).
        page.locator(
            "#ed-items > li:nth-child(3) .sb-card", has_text="Panelen <börjar> nu"
        ).wait_for()
        page.locator("#ed-items > li:nth-child(5) .sb-card", has_text="Kvällens mingel").wait_for()
        assert page.locator(".ed-preview script").count() == 0
        assert watched.log.third_party == []
        assert watched.log.errors == []


def copy_example_story(folder: Path) -> Path:
    """Copy the bundled example story (file, snapshots, pictures) into ``folder``."""
    for name in ("anksome-2017.yaml", "anksome-2017.snapshots.json"):
        shutil.copy(REPO / "stories" / name, folder / name)
    shutil.copytree(REPO / "stories" / "anksome-2017.assets", folder / "anksome-2017.assets")
    return folder / "anksome-2017.yaml"


def same_trees(left: Path, right: Path) -> list[str]:
    """Return the files that differ (or are on one side only) between two folders."""
    found = []
    for here in sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file()):
        there = right / here
        if not there.is_file() or not filecmp.cmp(left / here, there, shallow=False):
            found.append(str(here))
    found += [
        str(p.relative_to(right))
        for p in right.rglob("*")
        if p.is_file() and not (left / p.relative_to(right)).is_file()
    ]
    return found


def test_publish_every_output_as_render_writes_it_and_copy_the_fragment(
    browser: Any, tmp_path: Path
) -> None:
    story = copy_example_story(tmp_path)
    by_editor, by_render = tmp_path / "by-editor", tmp_path / "by-render"
    with (
        running_editor(story, "-o", by_editor) as url,
        watched_page(browser, origin_of(url)) as watched,
    ):
        watched.context.grant_permissions(["clipboard-read", "clipboard-write"])
        page = watched.page
        page.goto(url)
        page.locator("#ed-items > li").first.wait_for()
        outputs = {
            "page": "index.html",
            "fragment": "embed.html",
            "markdown": "story.md",
            "json": "story.json",
        }
        for output_format, name in outputs.items():
            page.click(f"button[data-render={output_format}]")
            page.locator("#ed-written", has_text=f"{by_editor / name}").wait_for()
            command = [sys.executable, "-m", "storyboard", "render", str(story), "--offline"]
            command += ["--format", output_format, "-o", str(by_render)]
            subprocess.run(command, check=True, capture_output=True, timeout=120)
            # The same bytes, pictures and every other file the output brings included.
            assert (by_editor / name).read_bytes() == (by_render / name).read_bytes()
            assert same_trees(by_editor, by_render) == [], output_format
        # The fragment: shown, and copied as it is in the file.
        page.click("button[data-render=fragment]")
        page.locator("#ed-fragment").wait_for()
        fragment = page.input_value("#ed-fragment-text")
        assert fragment == (by_render / "embed.html").read_text(encoding="utf-8")
        page.click("#ed-copy")
        page.locator("#ed-status", has_text="Kopierat till urklipp.").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == fragment
        assert watched.log.third_party == []
        assert watched.log.errors == []


def post_from_page(page: Any, body: dict[str, Any]) -> int:
    """Send a change as the page's own script would; return the answer's status."""
    status: int = page.evaluate(
        """async (body) => (await fetch("api/edit", {method: "POST",
             headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})).status""",
        body,
    )
    return status


@pytest.mark.parametrize("editing", [SWEDISH], indirect=True)
def test_a_hand_edit_that_breaks_the_file_is_said_never_overwritten_and_recovers(
    editing: Editing,
) -> None:
    page = editing.page
    good = editing.text()
    seen = page.evaluate("fetch('api/version').then((r) => r.json()).then((d) => d.version)")
    broken = good.replace("title: Träffen", "title: [Träffen")  # an unclosed flow list
    editing.path.write_text(broken, encoding="utf-8")
    problems = page.locator("#ed-problems")
    problems.locator("p", has_text="Berättelsefilen kan inte läsas som den är").wait_for()
    problems.locator("li", has_text=re.compile(r"story\.yaml:2:5: YAML syntax")).wait_for()
    assert page.locator("#ed-items > li").count() == 0
    # Nothing to change it with, nothing to publish; and a change sent all the same
    # (on the old version, or on the broken one) writes nothing.
    assert page.locator("#ed-add-form button[type=submit]").is_disabled()
    assert page.locator("button[data-render=page]").is_disabled()
    assert post_from_page(page, {"op": "move", "index": 0, "to": 1, "version": seen}) == 409
    now = page.evaluate("fetch('api/version').then((r) => r.json()).then((d) => d.version)")
    assert post_from_page(page, {"op": "delete", "index": 0, "version": now}) == 400
    assert editing.text() == broken
    # Fixed by hand (with one more heading): the editor shows it and edits on top of it.
    fixed = good + "  - heading: Kväll  # by hand\n"
    editing.path.write_text(fixed, encoding="utf-8")
    page.locator("#ed-items h2", has_text="Kväll").wait_for()
    assert problems.is_hidden()
    assert page.locator("#ed-add-form button[type=submit]").is_enabled()
    editing.item(1).locator(".ed-tools button", has_text="Ned").click()
    editing.wait_for_file(
        fixed.replace(
            "  - heading: Morgon\n  - text: Hej *alla*.\n",
            "  - text: Hej *alla*.\n  - heading: Morgon\n",
        )
    )


def test_two_tabs_editing_at_once_never_write_over_each_other(editing: Editing) -> None:
    first = editing.page
    second = editing.watched.context.new_page()
    # The second tab does not hear of the first one's change before it makes its own:
    # its checks for a newer file hang (the worst timing, made certain).
    second.route("**/api/version", lambda route: None)
    second.goto(editing.url)
    second.locator("#ed-items > li").first.wait_for()

    editing.button(3, "Delete").click()
    deleted = HEAD + A + B + D + TAIL
    editing.wait_for_file(deleted)
    # The second tab moves item 1 on the file as it was: refused, shown the file as it is.
    second.locator("#ed-items > li:nth-child(1) .ed-tools button", has_text="Down").click()
    second.locator("#ed-status", has_text="The file changed on disk").wait_for()
    assert editing.text() == deleted
    assert second.locator("#ed-items > li").count() == 3
    second.locator("#ed-items > li:nth-child(1) .ed-tools button", has_text="Down").click()
    moved = HEAD + B + A + D + TAIL
    editing.wait_for_file(moved)
    # The first tab sees the second one's change; its undo (by position) is forgotten.
    editing.wait_for_status("The file changed on disk; the editor shows it as it is now.")
    assert editing.items_text()[:2] == ["First words.", "Morning"]
    assert first.locator("#ed-undo").is_disabled()
    second.close()


def test_a_typo_or_a_script_address_is_named_not_written_and_a_url_can_be_corrected(
    editing: Editing, playground: ProviderPlayground
) -> None:
    page = editing.page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    before = editing.text()
    page.fill("#ed-add-text", "javascript:alert(document.cookie) htps://social.example/@ben/2")
    page.click("#ed-add-form button[type=submit]")
    editing.wait_for_status(
        "Not a web address (http:// or https://), so not added: "
        "javascript:alert(document.cookie) "
        "htps://social.example/@ben/2: did you mean https://social.example/@ben/2?"
    )
    assert editing.text() == before
    # A typo the address check cannot see: added, fetched, its failure said on the card.
    page.fill("#ed-add-text", "https://social.example/@ben/22")
    page.click("#ed-add-form button[type=submit]")
    typo = "  - url: https://social.example/@ben/22\n"
    editing.wait_for_file(HEAD + A + B + C + D + typo + TAIL)
    editing.item(5).locator(".ed-fetch-failed", has_text="404").wait_for()
    # Corrected in place: its line only, and fetched again.
    editing.button(5, "Edit").click()
    editing.item(5).get_by_label("Address of the post (URL)").fill("https://social.example/@ben/2")
    editing.item(5).locator("form.ed-edit button[type=submit]").click()
    editing.wait_for_file(HEAD + A + B + C + D + E + TAIL)
    editing.item(5).locator(".sb-card", has_text="Ben was there").wait_for()
    # One already in the story is refused, not written twice.
    editing.button(5, "Edit").click()
    editing.item(5).get_by_label("Address of the post (URL)").fill("https://social.example/@anna/1")
    editing.item(5).locator("form.ed-edit button[type=submit]").click()
    editing.wait_for_status("already in the story")
    assert editing.text() == HEAD + A + B + C + D + E + TAIL
    assert dialogs == []


def test_a_paste_of_200_urls_shows_progress_and_the_page_stays_responsive(
    editing: Editing, playground: ProviderPlayground
) -> None:
    page = editing.page
    urls = [f"https://social.example/@crowd/{n}" for n in range(200)]
    for n, url in enumerate(urls):
        playground.oembed[url] = post(f"Crowd{n}", f"Voice number {n}")
    # Every task longer than 50 ms the page runs from now on is recorded.
    page.evaluate(
        """() => { window.longTasks = [];
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) window.longTasks.push(entry.duration);
          }).observe({type: "longtask"}); }"""
    )
    page.fill("#ed-add-text", "\n".join(urls))
    page.click("#ed-add-form button[type=submit]")
    editing.wait_for_status("Added 200 items.")
    added = "".join(f"  - url: {url}\n" for url in urls)
    editing.wait_for_file(HEAD + A + B + C + D + added + TAIL)
    # Progress while they are fetched: "Fetched N of 200 posts…".
    page.locator("#ed-progress", has_text=re.compile(r"Fetched \d+ of 200 posts")).wait_for()
    # The curator can go on meanwhile: an item's edit form opens, and closes unchanged.
    editing.button(1, "Edit").click()
    editing.item(1).locator("form.ed-edit").wait_for(timeout=10_000)
    editing.item(1).locator("button", has_text="Cancel").click()
    page.locator("#ed-items .sb-card", has_text="Voice number 199").wait_for(timeout=240_000)
    page.wait_for_function(
        "() => document.querySelectorAll('#ed-items .sb-card').length >= 200", timeout=120_000
    )
    page.wait_for_function("() => document.getElementById('ed-progress').textContent === ''")
    longest = page.evaluate("Math.max(0, ...window.longTasks)")
    print(f"longest task while 200 posts were fetched: {longest:.0f} ms")
    assert longest < 2000, f"the page froze for {longest} ms"
    assert editing.text() == HEAD + A + B + C + D + added + TAIL


FINNISH = "title: Tapaaminen\nlang: fi\nitems:\n  - heading: Aamu\n  - text: Hei *kaikki*.\n" + (
    "  - url: https://social.example/@anna/1\n"
)


@pytest.mark.parametrize("editing", [FINNISH], indirect=True)
def test_in_finnish_at_phone_width_with_every_panel_open_and_axe_clean(editing: Editing) -> None:
    page = editing.page
    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.locator("#ed-undo").inner_text() == "Kumoa"
    assert page.locator("#ed-redo").inner_text() == "Tee uudelleen"
    editing.item(3).locator("button", has_text="Yritä uudelleen").click()
    editing.item(3).locator(".sb-card", has_text="Hello from Anna").wait_for()
    editing.item(3).locator(".ed-tools button", has_text="Muokkaa").click()
    editing.item(3).get_by_label("Julkaisun osoite (URL)").wait_for()
    page.click("button[data-render=fragment]")
    page.locator("#ed-fragment").wait_for()
    page.fill("#ed-add-text", "javascript:alert(1)")
    page.click("#ed-add-form button[type=submit]")
    page.locator("#ed-status", has_text="Ei verkko-osoite").wait_for()
    for width in (1280, PHONE_WIDTH):
        page.set_viewport_size({"width": width, "height": 800})
        assert serious_violations(page) == [], width
    assert_no_horizontal_overflow(page)
