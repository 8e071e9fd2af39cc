"""The C-parser story loader builds exactly what the round-trip loader builds.

A story is read through libyaml when it is plain, and through ruamel's round-trip
loader otherwise (anchors, tags, any problem). Both must give the same values and the
same positions, so a story renders byte for byte the same whichever way it was read.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from storyboard.errors import StoryError
from storyboard.storyfile.fast_yaml import available, load_plain_yaml
from storyboard.storyfile.loader import parse_story
from storyboard.storyfile.messages import plain
from storyboard.storyfile.safe_yaml import MAX_DEPTH, EventScan, load_yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from big_story import write_story  # noqa: E402

pytestmark = pytest.mark.skipif(not available(), reason="PyYAML without libyaml")

VARIED = """\
# a comment
title: "Quoted: title"
description: >-
  Folded text
  over two lines.
date: 2017-01-13
lang: sv
tags: [one, 'two', "three", 4, 5.5, true, null, yes]
options:
  maxwidth: 550
  embed: click
items:
  - heading: Ünïcode ✓ heading
  - text: |
      Literal **text**

      with a blank line.
  - url: https://social.example/@anna/1   # trailing comment
    note:
  - {url: "https://social.example/@bob/2", note: flow}
  - url: https://social.example/@carl/3
    date: '2017-02-30'
    numbers: [0x1f, 0o17, 017, 1_000, -5, .inf, 1e3, ~, True, FALSE]
  -
  - plain text item
  - - nested
    - [deep, {a: b}]
"""


def tree(node: Any) -> Any:
    """Values, types and the position table of every mapping and sequence."""
    if isinstance(node, CommentedMap):
        return (
            "map",
            (node.lc.line, node.lc.col),
            [(tree(k), tree(v), node.lc.data.get(k)) for k, v in node.items()],
        )
    if isinstance(node, CommentedSeq):
        return (
            "seq",
            (node.lc.line, node.lc.col),
            [(tree(v), node.lc.data.get(i)) for i, v in enumerate(node)],
        )
    value = plain(node)
    return (type(value).__name__, value)


def both(text: str) -> tuple[Any, Any]:
    fast = load_plain_yaml(text, "s.yaml")
    assert fast is not None, "the C loader refused a plain story"
    return tree(fast), tree(load_yaml(text, EventScan("s.yaml")))


def test_varied_yaml_reads_the_same_with_positions() -> None:
    fast, round_trip = both(VARIED)
    assert fast == round_trip


@pytest.mark.parametrize("path", sorted((REPO / "stories").glob("*.yaml")), ids=lambda p: p.name)
def test_bundled_stories_read_the_same(path: Path) -> None:
    fast, round_trip = both(path.read_text(encoding="utf-8"))
    assert fast == round_trip


def test_a_long_generated_story_reads_the_same(tmp_path: Path) -> None:
    story = write_story(tmp_path, 300)
    fast, round_trip = both(story.read_text(encoding="utf-8"))
    assert fast == round_trip


@pytest.mark.parametrize(
    "text",
    [
        "title: &t x\nitems: []\n",  # an anchor
        "title: x\nalias: *t\n",  # an undefined alias
        "title: !!str 2017\n",  # a tag
        "a: 1\na: 2\n",  # a duplicate key
        "base: &b {x: 1}\nother:\n  <<: *b\n",  # a merge
        "? [a, b]\n: c\n",  # a key that is a sequence
        "title: [unclosed\n",  # a syntax error
        "a: 1\n---\nb: 2\n",  # two documents
        "title:\n\tbad: tab\n",  # a tab
    ],
)
def test_anything_not_plain_is_left_to_the_round_trip_loader(text: str) -> None:
    assert load_plain_yaml(text, "s.yaml") is None


@pytest.mark.parametrize(
    "text",
    [
        "1: a\n'1': b\n",  # the same key as written, two keys once read
        "a: [{b: x, b: y}]\n",  # a duplicate deep inside
        "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",  # too deep
        "%YAML 1.1\n---\na: 1\n",  # another YAML version
        "items:\n  - &i {url: x}\n  - &i {url: y}\n",  # an anchor defined twice
        "items:\n  - !!map {url: x}\n",  # a tag on an item
    ],
)
def test_what_the_scan_reports_is_left_to_the_round_trip_loader(text: str) -> None:
    scan = EventScan("s.yaml")
    with contextlib.suppress(StoryError):
        load_yaml(text, scan)
    assert scan.problems  # the scan has something to say about it
    assert load_plain_yaml(text, "s.yaml") is None


def test_nesting_up_to_the_limit_is_plain() -> None:
    depth = MAX_DEPTH - 1  # inside the top mapping
    assert load_plain_yaml("a: " + "[" * depth + "]" * depth + "\n", "s.yaml") is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "title: x\nitems:\n  - url: https://social.example/@a/1\n    bogus: red\n",
            "s.yaml:4:5: items[0].bogus: unknown key 'bogus'",
        ),
        ("title: x\nitems:\n  - url:\n    note: x\n", "s.yaml:3:5: items[0].url: url is empty"),
    ],
)
def test_a_plain_story_with_problems_raises_them_located(text: str, expected: str) -> None:
    assert load_plain_yaml(text, "s.yaml") is not None  # plain YAML, wrong story
    with pytest.raises(StoryError) as caught:
        parse_story(text, path="s.yaml")
    assert str(caught.value.problems[0]).startswith(expected)


def _render(story: Path, out: Path) -> bytes:
    done = subprocess.run(
        [sys.executable, "-m", "storyboard", "render", "--offline", str(story), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return (out / "index.html").read_bytes()


@pytest.mark.slow
def test_render_is_byte_identical_whichever_loader_reads_the_story(tmp_path: Path) -> None:
    """An unused anchor sends a story through the round-trip loader; nothing else changes."""
    for name, count in (("example", 14), ("long", 400)):
        folder = tmp_path / name
        folder.mkdir()
        story = write_story(folder, count)
        plain_text = story.read_text(encoding="utf-8")
        assert load_plain_yaml(plain_text, "s") is not None
        fast_html = _render(story, folder / "fast")
        story.write_text(plain_text.replace("\ntitle: ", "\ntitle: &name ", 1), encoding="utf-8")
        assert load_plain_yaml(story.read_text(encoding="utf-8"), "s") is None
        assert _render(story, folder / "round-trip") == fast_html


ITEM_CASES = {
    "every kind": (
        "title: Kinds\nlang: sv\noptions:\n  embed: click\nitems:\n"
        "  - heading: '  Ünïcode heading  '\n"
        "  - text: |\n      Literal **text**\n\n      two paragraphs.\n"
        "  - url: https://social.example/@anna/1   # a comment\n    note: >-\n      folded\n"
        "      note\n    title: A title\n    embed: live\n"
        "  - {url: 'https://social.example/@bob/2', note: \"flow\"}\n"
    ),
    "an empty note": "title: x\nitems:\n  - url: https://social.example/@a/1\n    note:\n",
    "a hashtag note": "title: x\nitems:\n  - url: https://social.example/@a/1\n    note: #tag\n",
    "the same post twice": (
        "title: x\nitems:\n  - url: https://social.example/@a/1\n"
        "  - url: http://www.social.example/@a/1\n"
    ),
    "a stray comma": "title: x\nitems:\n  - url: https://social.example/@a/1,\n",
    "a number as a title": "title: x\nitems:\n  - url: https://a.example/1\n    title: 12\n",
    "a nested value": "title: x\nitems:\n  - url: https://social.example/@a/1\n    note: [a]\n",
}


def _loaded_both_ways(text: str) -> tuple[Any, Any]:
    """``parse_story`` of ``text``, and of the same story sent down the round-trip path."""

    def loaded(source: str) -> Any:
        try:
            result = parse_story(source, path="s.yaml")
        except StoryError as exc:
            return [str(problem) for problem in exc.problems]
        warnings = [str(problem) for problem in result.warnings]
        return result.story, result.item_lines, result.theme_pos, warnings

    anchored = text.replace("title: ", "title: &name ", 1)  # an unused anchor: not plain
    assert load_plain_yaml(anchored, "s.yaml") is None
    return loaded(text), loaded(anchored)


@pytest.mark.parametrize("case", ITEM_CASES)
def test_items_checked_as_they_are_read_load_as_the_full_path_loads_them(case: str) -> None:
    fast, full = _loaded_both_ways(ITEM_CASES[case])
    assert fast == full


def test_long_and_bundled_stories_stream_their_items_and_load_the_same(tmp_path: Path) -> None:
    texts = [path.read_text(encoding="utf-8") for path in sorted((REPO / "stories").glob("*.yaml"))]
    texts.append(write_story(tmp_path, 400).read_text(encoding="utf-8"))
    for text in texts:
        taken: list[int] = []

        def take(item: dict[str, Any], line: int, taken: list[int] = taken) -> bool:
            taken.append(line)
            return True

        assert load_plain_yaml(text, "s.yaml", take) is not None
        assert taken  # the items went to the sink, not into the document
        fast, full = _loaded_both_ways(text)
        assert fast == full
        assert fast[1] == taken  # each item's line, as the positions of the full path say
