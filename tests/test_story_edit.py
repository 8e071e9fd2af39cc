"""Curating through the CLI: ``new`` writes a skeleton, ``add`` inserts items in place."""

from __future__ import annotations

import datetime as dt
import difflib
import json
from pathlib import Path

import pytest

from storyboard.clock import fixed_clock
from storyboard.model.story import HeadingItem, TextItem, UrlItem
from storyboard.storyfile.insert import add_items_to_text
from storyboard.storyfile.loader import load_story, parse_story
from storyboard.storyfile.skeleton import new_story_text
from storyboard.storyfile.yaml_text import yaml_scalar

from .cli_runner import Result, invoke
from .conftest import ProviderPlayground

#: What the CLI's clock says in these tests.
NOW = dt.datetime(2024, 2, 29, 23, 59, 30, tzinfo=dt.UTC)


def run(*args: str | Path) -> Result:
    """Run the CLI in-process (stdout and stderr apart), its clock saying ``NOW``."""
    return invoke(args, clock=fixed_clock(NOW))


def inserted_only(before: str, after: str) -> list[str]:
    """Return the lines ``after`` adds to ``before``; fail if any other line changed."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    added: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        assert tag in ("equal", "insert"), f"{tag}: {old[i1:i2]!r} -> {new[j1:j2]!r}"
        if tag == "insert":
            added.extend(new[j1:j2])
    return added


#: A story formatted by hand: comments everywhere, odd quoting, flow lists, block
#: scalars, blank lines, a dash on a line of its own, keys after the items.
HAND_MADE = """\
# My story   (a comment with   odd spacing)
title:   'AnkSoMe: 2017'     # single-quoted, with spaces after the colon
description: >-
  Folded text
  over two lines.
date: "2017-01-13"
lang: SV
tags: [ anksome,  "sociala medier" ]   # a flow list with odd spaces

items:
    # a comment inside the list, indented further than the items
    -   heading:    Morgon
    -   text: |
            Markdown with a trailing line.

            Second paragraph.
    -   url: https://social.example/@anna/1    # Anna
        note: "Quoted note"

    # Before the second section
    -   heading: Kväll
    -
        url: https://social.example/@sara/3
        title: Sara's

author: Someone   # keys may follow the items
"""


@pytest.fixture
def hand_made(tmp_path: Path) -> Path:
    path = tmp_path / "story.yaml"
    path.write_bytes(HAND_MADE.encode("utf-8"))
    return path


# -- new ------------------------------------------------------------------------------


def test_new_writes_a_commented_skeleton_that_validates(tmp_path: Path) -> None:
    path = tmp_path / "anksome-2017.yaml"
    result = run("new", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(path)
    text = path.read_text(encoding="utf-8")
    story = load_story(path).story
    assert story.title == "Anksome 2017"
    assert story.lang == "en"
    assert story.date == NOW.date()
    assert story.items == []
    for key in ("title", "description", "date", "lang", "author", "options", "items"):
        assert any(line.startswith(f"{key}:") for line in text.splitlines()), key
    assert text.count("\n#") >= 10  # every key is explained
    assert "storyboard add anksome-2017.yaml" in text


def test_new_takes_title_lang_and_date(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    title = 'AnkSoMe: 2017 #1 "quoted" – på svenska'
    result = run("new", path, "--title", title, "--lang", "sv", "--date", "2017-01-13")
    assert result.exit_code == 0, result.stderr
    story = load_story(path).story
    assert (story.title, story.lang, story.date) == (title, "sv", dt.date(2017, 1, 13))


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("title: Mine\n", encoding="utf-8")
    result = run("new", path, "--title", "Other")
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert path.read_text(encoding="utf-8") == "title: Mine\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lang", "xx"], "--lang xx"),
        (["--date", "13.1.2017"], "--date"),
        (["--title", "   "], "--title"),
    ],
)
def test_new_refuses_bad_options_and_writes_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    path = tmp_path / "s.yaml"
    result = run("new", path, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_new_skeleton_takes_added_items(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    assert run("new", path, "--title", "T").exit_code == 0
    before = path.read_text(encoding="utf-8")
    result = run("add", path, "https://social.example/@a/1", "--note", "First.")
    assert result.exit_code == 0, result.stderr
    added = inserted_only(before, path.read_text(encoding="utf-8"))
    assert added == ["  - url: https://social.example/@a/1\n", "    note: First.\n"]
    assert load_story(path).story.items == [
        UrlItem(url="https://social.example/@a/1", note="First.")
    ]


def test_new_story_text_validates_for_every_language() -> None:
    for lang in ("en", "sv", "fi", "sv-FI"):
        text = new_story_text(title="T", lang=lang, date=dt.date(2020, 2, 29))
        assert parse_story(text, path="x.yaml").story.date == dt.date(2020, 2, 29)


# -- add: byte for byte -----------------------------------------------------------------


def test_add_leaves_every_other_byte_of_a_hand_made_file(hand_made: Path) -> None:
    before = hand_made.read_bytes()
    result = run("add", hand_made, "https://social.example/@mikael/2", "--note", "Mikael: hi")
    assert result.exit_code == 0, result.stderr
    after = hand_made.read_bytes()
    added = inserted_only(before.decode(), after.decode())
    assert added == [
        "    -   url: https://social.example/@mikael/2\n",
        '        note: "Mikael: hi"\n',
    ]
    # Appended right after the last item's last line, before the keys that follow it.
    assert after.decode().index("@mikael/2") < after.decode().index("author: Someone")
    story = load_story(hand_made).story
    assert story.items[-1] == UrlItem(url="https://social.example/@mikael/2", note="Mikael: hi")
    assert story.items[:-1] == parse_story(before.decode(), path="x").story.items
    assert story.author == "Someone"


def test_add_after_an_item(hand_made: Path) -> None:
    before = hand_made.read_text(encoding="utf-8")
    result = run("add", hand_made, "https://social.example/@new/9", "--after", "2")
    assert result.exit_code == 0, result.stderr
    assert "added item 3" in result.stderr
    after = hand_made.read_text(encoding="utf-8")
    assert inserted_only(before, after) == ["    -   url: https://social.example/@new/9\n"]
    items = load_story(hand_made).story.items
    assert items[2] == UrlItem(url="https://social.example/@new/9")
    assert isinstance(items[1], TextItem)
    assert items[1].text == "Markdown with a trailing line.\n\nSecond paragraph."


def test_add_at_the_top(hand_made: Path) -> None:
    before = hand_made.read_text(encoding="utf-8")
    assert run("add", hand_made, "https://social.example/@top/0", "--after", "0").exit_code == 0
    after = hand_made.read_text(encoding="utf-8")
    assert inserted_only(before, after) == ["    -   url: https://social.example/@top/0\n"]
    assert load_story(hand_made).story.items[0] == UrlItem(url="https://social.example/@top/0")


def test_add_to_the_end_of_a_section(hand_made: Path) -> None:
    before = hand_made.read_text(encoding="utf-8")
    result = run(
        "add", hand_made, "https://social.example/@x/5", "https://social.example/@y/6",
        "--heading", "morgon",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "added items 4-5" in result.stderr
    after = hand_made.read_text(encoding="utf-8")
    assert inserted_only(before, after) == [
        "    -   url: https://social.example/@x/5\n",
        "    -   url: https://social.example/@y/6\n",
    ]
    # The blank line and the comment before the next section stay with that section.
    assert "@y/6\n\n    # Before the second section\n    -   heading: Kväll" in after
    items = load_story(hand_made).story.items
    assert [type(i).__name__ for i in items] == [
        "HeadingItem", "TextItem", "UrlItem", "UrlItem", "UrlItem", "HeadingItem", "UrlItem",
    ]  # fmt: skip


def test_add_under_a_new_heading(hand_made: Path) -> None:
    before = hand_made.read_text(encoding="utf-8")
    result = run("add", hand_made, "https://social.example/@z/7", "--heading", "Efterfest")
    assert result.exit_code == 0, result.stderr
    assert "added the heading 'Efterfest'" in result.stderr
    added = inserted_only(before, hand_made.read_text(encoding="utf-8"))
    assert added == ["    -   heading: Efterfest\n", "    -   url: https://social.example/@z/7\n"]
    items = load_story(hand_made).story.items
    assert items[-2:] == [
        HeadingItem(heading="Efterfest"),
        UrlItem(url="https://social.example/@z/7"),
    ]


def test_add_to_a_file_with_dashes_at_column_0_crlf_bom_and_no_last_newline(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.yaml"
    original = "\ufefftitle: T\r\nitems:\r\n- url: https://social.example/@a/1\r\n  note: hi"
    path.write_bytes(original.encode("utf-8"))
    assert run("add", path, "https://social.example/@b/2").exit_code == 0
    data = path.read_bytes()
    assert data == (original + "\r\n- url: https://social.example/@b/2\r\n").encode("utf-8")
    assert len(load_story(path).story.items) == 2


@pytest.mark.parametrize(
    ("text", "added"),
    [
        ("title: T\n", ["items:\n", "  - url: https://social.example/@n/1\n"]),
        ("title: T\nitems:\nauthor: A\n", ["  - url: https://social.example/@n/1\n"]),
        (
            "title: T\nitems: []   # none yet\n",
            ["items:   # none yet\n", "  - url: https://social.example/@n/1\n"],
        ),
        ("title: T\nitems: ~\n", ["items:\n", "  - url: https://social.example/@n/1\n"]),
    ],
)
def test_add_the_first_item(text: str, added: list[str]) -> None:
    result = add_items_to_text(text, ["https://social.example/@n/1"], path="s.yaml")
    lines = result.text.splitlines(keepends=True)
    assert [line for line in lines if line not in text.splitlines(keepends=True)] == added
    assert parse_story(result.text, path="s.yaml").story.items == [
        UrlItem(url="https://social.example/@n/1")
    ]


@pytest.mark.parametrize(
    "note",
    [
        "yes",
        "null",
        "2017-01-13",
        "550",
        "a: b",
        "- a list?",
        "#hashtag first",
        "text #with hash",
        "ends with colon:",
        "'single' and \"double\" quotes",
        "[brackets] and {braces}",
        "tab\there",
        "line separator\u2028inside",
        "emoji 🎉 and åäö",
        "two lines\nof **Markdown**",
        "paragraph one\n\nparagraph two: yes",
        "  indented first line\nsecond",
        "trailing spaces  \nnext",
        "@handle and `code`",
        "back\\slash",
    ],
)
def test_notes_of_every_shape_read_back_as_given(tmp_path: Path, note: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("title: T\nitems:\n  - heading: H\n", encoding="utf-8")
    result = run("add", path, "https://social.example/@a/1", "--note", note)
    assert result.exit_code == 0, result.stderr
    assert load_story(path).story.items[-1] == UrlItem(
        url="https://social.example/@a/1", note=note.strip()
    )


def test_yaml_scalar_keeps_plain_text_plain() -> None:
    assert yaml_scalar("A plain caption, with commas.", indent=2) == "A plain caption, with commas."
    assert yaml_scalar("https://social.example/@a/1?x=1#frag", indent=2).startswith("https://")
    assert yaml_scalar("yes", indent=2) == '"yes"'  # YAML 1.1 readers take it for true


# -- add: refusals ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://social.example/@anna/1",
        "https://SOCIAL.example/@anna/1?utm_source=mail#top",
        "https://social.example:443/@anna/1",
    ],
)
def test_add_refuses_a_url_already_in_the_story(hand_made: Path, url: str) -> None:
    before = hand_made.read_bytes()
    result = run("add", hand_made, url)
    assert result.exit_code == 2
    assert f"{url}: already in the story ({hand_made}:17: https://social.example/@anna/1)" in (
        result.stderr
    )
    assert hand_made.read_bytes() == before


def test_add_refuses_x_com_when_the_story_has_twitter_com(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("title: T\nitems:\n  - url: https://twitter.com/a/status/1\n", encoding="utf-8")
    result = run("add", path, "https://x.com/a/status/1?s=20")
    assert result.exit_code == 2
    assert "already in the story" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["https://a.example/1", "https://A.example/1#x"], "given twice"),
        (["ftp://a.example/1"], "ftp://a.example/1: not an http(s) URL"),
        (["https://a.example/1", "--after", "9"], "--after 9: the story has 5 items"),
        (["https://a.example/1", "--after", "1", "--heading", "Kväll"], "not both"),
        (["https://a.example/1", "--heading", "Kvall"], "did you mean 'Kväll'?"),
    ],
)
def test_add_refuses_bad_input_and_writes_nothing(
    hand_made: Path, args: list[str], message: str
) -> None:
    before = hand_made.read_bytes()
    result = run("add", hand_made, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert hand_made.read_bytes() == before
    assert sorted(p.name for p in hand_made.parent.iterdir()) == ["story.yaml"]


def test_add_to_an_invalid_story_lists_its_problems(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("title: T\nitems:\n  - url: not-a-url\n", encoding="utf-8")
    result = run("add", path, "https://social.example/@a/1")
    assert result.exit_code == 2
    assert f"{path}:3:10: items[0].url: not an http(s) URL" in result.stderr
    assert path.read_text(encoding="utf-8") == "title: T\nitems:\n  - url: not-a-url\n"


def test_add_refuses_a_flow_list_of_items(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    text = "title: T\nitems: [{url: 'https://social.example/@a/1'}]\n"
    path.write_text(text, encoding="utf-8")
    result = run("add", path, "https://social.example/@b/2")
    assert result.exit_code == 2
    assert "add the items by hand" in result.stderr
    assert path.read_text(encoding="utf-8") == text


def test_add_keeps_the_file_mode(hand_made: Path) -> None:
    hand_made.chmod(0o640)
    assert run("add", hand_made, "https://social.example/@m/1").exit_code == 0
    assert hand_made.stat().st_mode & 0o777 == 0o640


# -- add --fetch ------------------------------------------------------------------------


def test_add_fetch_resolves_only_the_new_items(
    hand_made: Path, playground: ProviderPlayground, tmp_path: Path
) -> None:
    new_url = "https://social.example/@mikael/2"
    playground.oembed[new_url] = {
        "type": "rich",
        "version": "1.0",
        "author_name": "Mikael",
        "html": "<blockquote><p>Hello from the hall</p></blockquote>",
    }
    providers = playground.providers_file(tmp_path)
    result = run(
        "add", hand_made, new_url, "--fetch", "--providers", providers, "--allow-private-network"
    )
    assert result.exit_code == 0, result.stderr
    snapshots = json.loads(hand_made.with_name("story.snapshots.json").read_text("utf-8"))
    assert list(snapshots["snapshots"]) == [new_url]
    assert snapshots["snapshots"][new_url]["card"]["text_html"] == "<p>Hello from the hall</p>"
    asked = [r for r in playground.requests if r.startswith("/oembed")]
    assert len(asked) == 1  # the story's other URLs were not fetched


def test_add_fetch_failure_exits_1_but_keeps_the_item(
    hand_made: Path, playground: ProviderPlayground, tmp_path: Path
) -> None:
    providers = playground.providers_file(tmp_path)
    url = "https://social.example/@missing/404"
    result = run(
        "add", hand_made, url, "--fetch", "--providers", providers, "--allow-private-network"
    )
    assert result.exit_code == 1
    assert load_story(hand_made).story.items[-1] == UrlItem(url=url)
