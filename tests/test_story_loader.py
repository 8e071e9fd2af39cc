"""Tests for story_loader: YAML story files in, a validated Story or located problems out."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from storyboard.errors import Problem, StoryError
from storyboard.model.story import EmbedMode, HeadingItem, TextItem, UrlItem
from storyboard.storyfile.limits import MAX_STORY_BYTES
from storyboard.storyfile.loader import LoadedStory, load_story, parse_story
from storyboard.storyfile.safe_yaml import MAX_ALIASES

DESIGN_EXAMPLE = """\
title: AnkSoMe 2017
description: The Finland-Swedish social media network meets at Maria 01.
date: 2017-01-13
lang: sv                 # page language: UI strings and date formats
author: Example Curator
options:
  embed: static          # static | click | live
  maxwidth: 550
items:
  - heading: Morning
  - text: |
      Markdown paragraphs. Raw HTML is not allowed here.
  - url: https://social.example/@anna/109876543210
    note: Markdown caption shown with the post.
  - url: https://video.example/watch/abc
    title: Override the title shown for this item
"""


def doc(*lines: str) -> str:
    """Join lines into a YAML document, so each test reads with its line numbers."""
    return "\n".join(lines) + "\n"


def parse(text: str) -> LoadedStory:
    return parse_story(text, path="s.yaml")


def problems(text: str) -> list[str]:
    """Return every problem of an invalid story, rendered as the CLI prints it."""
    with pytest.raises(StoryError) as info:
        parse(text)
    return [str(problem) for problem in info.value.problems]


# -- valid stories ------------------------------------------------------------------------


def test_the_design_example_loads() -> None:
    loaded = parse(DESIGN_EXAMPLE)
    story = loaded.story
    assert story.title == "AnkSoMe 2017"
    assert story.description.startswith("The Finland-Swedish")
    assert story.date == dt.date(2017, 1, 13)
    assert story.lang == "sv"
    assert story.author == "Example Curator"
    assert story.options.embed is EmbedMode.STATIC
    assert story.options.maxwidth == 550
    assert "source_path" not in type(story).model_fields  # where it lives: workspace.py
    assert [type(item) for item in story.items] == [HeadingItem, TextItem, UrlItem, UrlItem]
    assert story.items[1] == TextItem(text="Markdown paragraphs. Raw HTML is not allowed here.")
    assert story.items[2] == UrlItem(
        url="https://social.example/@anna/109876543210",
        note="Markdown caption shown with the post.",
    )
    assert story.items[3] == UrlItem(
        url="https://video.example/watch/abc", title="Override the title shown for this item"
    )
    assert loaded.item_lines == [10, 11, 13, 15]
    assert loaded.warnings == []


def test_load_story_reads_a_file_and_keeps_swedish_and_finnish_text(
    write_story: Callable[..., Path],
) -> None:
    path = write_story(
        doc(
            "title: Mötet på Åland",
            "lang: fi",
            "items:",
            "  - heading: Päivän äänet",
            "  - text: Över ån och genom sjön, jäätelöä ja glögiä.",
            "  - url: https://social.example/@åsa/1",
            "    note: Hyvää yötä, Ö-öö!",
        )
    )
    loaded = load_story(path)
    story = loaded.story
    assert story.title == "Mötet på Åland"
    assert story.items == [
        HeadingItem(heading="Päivän äänet"),
        TextItem(text="Över ån och genom sjön, jäätelöä ja glögiä."),
        UrlItem(url="https://social.example/@åsa/1", note="Hyvää yötä, Ö-öö!"),
    ]
    assert loaded.item_lines == [4, 5, 6]


def test_a_utf8_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufefftitle: Åbo\n".encode())
    assert load_story(path).story.title == "Åbo"


def test_a_minimal_story_gets_the_defaults() -> None:
    story = parse("title: Only a title\n").story
    assert story.items == []
    assert story.lang == "en"
    assert story.options.embed is EmbedMode.STATIC
    assert story.date is None


def test_empty_optional_values_count_as_not_given() -> None:
    story = parse(doc("title: T", "description:", "author:", "tags:", "options:", "items:")).story
    assert (story.description, story.author, story.tags, story.items) == ("", None, [], [])
    assert story.options.maxwidth == 550


@pytest.mark.parametrize("written", ["2017-01-13", "'2017-01-13'", '"2017-01-13"'])
def test_a_date_may_be_written_plain_or_quoted(written: str) -> None:
    assert parse(f"title: T\ndate: {written}\n").story.date == dt.date(2017, 1, 13)


@pytest.mark.parametrize(
    ("written", "stored"),
    [("sv", "sv"), ("SV", "sv"), ("sv-FI", "sv-FI"), ("sv_fi", "sv-FI"), ("fi-FI", "fi-FI")],
)
def test_lang_is_matched_case_insensitively_and_keeps_its_region(written: str, stored: str) -> None:
    assert parse(f"title: T\nlang: {written}\n").story.lang == stored


def test_an_item_may_override_the_embed_mode_and_options_take_every_key() -> None:
    story = parse(
        doc(
            "title: T",
            "options: {embed: click, maxwidth: 400, maxheight: 300, theme: dark}",
            "tags: [conference, helsinki]",
            "items:",
            "  - url: https://video.example/watch/abc",
            "    embed: live",
        )
    ).story
    assert story.options.embed is EmbedMode.CLICK
    assert (story.options.maxwidth, story.options.maxheight) == (400, 300)
    assert story.options.theme == "dark"
    assert story.tags == ["conference", "helsinki"]
    assert story.embed_mode(story.url_items()[0]) is EmbedMode.LIVE


def test_a_str_tag_forces_text_and_a_shared_note_may_use_an_alias() -> None:
    story = parse(
        doc(
            "title: !!str 2017",
            "items:",
            "  - url: https://social.example/1",
            "    note: &same Seen at the keynote.",
            "  - url: https://social.example/2",
            "    note: *same",
        )
    ).story
    assert story.title == "2017"
    assert [item.note for item in story.url_items()] == ["Seen at the keynote."] * 2


# -- one problem each: exact location, field and message ------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            doc("title: T", "descripton: typo"),
            "s.yaml:2:1: descripton: unknown key 'descripton'; did you mean 'description'?",
            id="unknown-key-hint",
        ),
        pytest.param(
            doc("title: T", "Lang: sv"),
            "s.yaml:2:1: Lang: unknown key 'Lang'; did you mean 'lang'?",
            id="unknown-key-case",
        ),
        pytest.param(
            doc("title: T", "colour: red"),
            "s.yaml:2:1: colour: unknown key 'colour'; allowed: "
            "title, description, date, lang, author, timezone, tags, image, options, items",
            id="unknown-key-allowed-list",
        ),
        pytest.param(
            doc("title: T", "source_path: /etc/passwd"),
            "s.yaml:2:1: source_path: unknown key 'source_path'; allowed: "
            "title, description, date, lang, author, timezone, tags, image, options, items",
            id="source-path-is-not-a-user-key",
        ),
        pytest.param(
            doc("description: no title"),
            "s.yaml:1:1: title: title is required",
            id="title-missing",
        ),
        pytest.param(doc("title: ''"), "s.yaml:1:8: title: title is empty", id="title-empty"),
        pytest.param(
            doc("date: 2017-01-13", "title:"),
            "s.yaml:2:1: title: title is empty",
            id="title-null",
        ),
        pytest.param(
            doc("title: 2017"),
            "s.yaml:1:8: title: expected text, got a number; put it in quotes",
            id="title-number",
        ),
        pytest.param(
            doc("title: T", "date: 13.1.2017"),
            "s.yaml:2:7: date: expected a date like 2017-01-13",
            id="date-format",
        ),
        pytest.param(
            doc("title: T", "date: 2017-02-30"),
            "s.yaml:2:7: date: no such date: 2017-02-30",
            id="date-impossible",
        ),
        pytest.param(
            doc("title: T", "date: 2017-01-13 10:00:00"),
            "s.yaml:2:7: date: expected a date like 2017-01-13",
            id="date-with-time",
        ),
        pytest.param(
            doc("title: T", "lang: de"),
            "s.yaml:2:7: lang: unknown language 'de'; available: en, fi, sv",
            id="lang-unknown",
        ),
        pytest.param(
            doc("title: T", "lang: english"),
            "s.yaml:2:7: lang: unknown language 'english'; available: en, fi, sv",
            id="lang-not-a-tag",
        ),
        pytest.param(
            doc("title: T", "tags: conference"),
            "s.yaml:2:7: tags: expected a list, got text",
            id="tags-not-a-list",
        ),
        pytest.param(
            doc("title: T", "tags: [a, 2017]"),
            "s.yaml:2:11: tags[1]: expected text, got a number; put it in quotes",
            id="tag-number",
        ),
        pytest.param(
            doc("title: T", "options:", "  embed: loud"),
            "s.yaml:3:10: options.embed: expected one of static, click, live",
            id="options-embed",
        ),
        pytest.param(
            doc("title: T", "options:", "  embedd: click"),
            "s.yaml:3:3: options.embedd: unknown key 'embedd'; did you mean 'embed'?",
            id="options-unknown-key",
        ),
        pytest.param(
            doc("title: T", "options:", "  maxwidth: 550px"),
            "s.yaml:3:13: options.maxwidth: expected a whole number",
            id="options-maxwidth-text",
        ),
        pytest.param(
            doc("title: T", "options:", "  maxwidth: 0"),
            "s.yaml:3:13: options.maxwidth: must be more than 0",
            id="options-maxwidth-zero",
        ),
        pytest.param(
            doc("title: T", "options: static"),
            "s.yaml:2:10: options: expected a mapping like 'embed: click', got text",
            id="options-not-a-mapping",
        ),
        pytest.param(
            doc("title: T", "items:", "  heading: Morning"),
            "s.yaml:3:3: items: expected a list of items, each starting with '- ', got a mapping",
            id="items-not-a-list",
        ),
        pytest.param(
            doc("title: T", "items:", "  - note: no kind"),
            "s.yaml:3:5: items[0]: an item needs one of heading, text, url",
            id="item-without-kind",
        ),
        pytest.param(
            doc("title: T", "items:", "  - heading: Morning", "    url: https://social.example/1"),
            "s.yaml:4:5: items[0]: an item has only one of heading, text, url; "
            "this one has heading and url",
            id="item-with-two-kinds",
        ),
        pytest.param(
            doc("title: T", "items:", "  - {}"),
            "s.yaml:3:5: items[0]: empty item",
            id="item-empty-mapping",
        ),
        pytest.param(
            doc("title: T", "items:", "  -", "  - heading: H"),
            "s.yaml:3:3: items[0]: empty item",
            id="item-null",
        ),
        pytest.param(
            doc("title: T", "items:", "  - heading: ''"),
            "s.yaml:3:14: items[0].heading: heading is empty",
            id="heading-empty",
        ),
        pytest.param(
            doc("title: T", "items:", "  - heading:", "  - text: x"),
            "s.yaml:3:5: items[0].heading: heading is empty",
            id="heading-null",
        ),
        pytest.param(
            doc("title: T", "items:", "  - text: '   '"),
            "s.yaml:3:11: items[0].text: text is empty",
            id="text-blank",
        ),
        pytest.param(
            doc("title: T", "items:", "  - heading: 2018"),
            "s.yaml:3:14: items[0].heading: expected text, got a number; put it in quotes",
            id="heading-number",
        ),
        pytest.param(
            doc("title: T", "items:", "  - text: Hello", "    note: a note"),
            "s.yaml:4:5: items[0].note: unknown key 'note' in a text item; "
            "note goes with url items",
            id="note-on-text-item",
        ),
        pytest.param(
            doc("title: T", "items:", "  - heading: H", "    title: A title"),
            "s.yaml:4:5: items[0].title: unknown key 'title' in a heading item; "
            "title goes with url items",
            id="title-on-heading-item",
        ),
        pytest.param(
            doc("title: T", "items:", "  - url: https://social.example/1", "    nite: typo"),
            "s.yaml:4:5: items[0].nite: unknown key 'nite'; did you mean 'note'?",
            id="item-unknown-key-hint",
        ),
        pytest.param(
            doc("title: T", "items:", "  - url: ftp://files.example/a"),
            "s.yaml:3:10: items[0].url: not an http(s) URL",
            id="url-not-http",
        ),
        pytest.param(
            doc("title: T", "items:", "  - url: not a url"),
            "s.yaml:3:10: items[0].url: a URL cannot contain spaces",
            id="url-with-spaces",
        ),
        pytest.param(
            doc("title: T", "items:", "  - url: https://"),
            "s.yaml:3:10: items[0].url: the URL has no valid host",
            id="url-without-host",
        ),
        pytest.param(
            doc("title: T", "items:", "  - url: ''"),
            "s.yaml:3:10: items[0].url: url is empty",
            id="url-empty",
        ),
        pytest.param(
            doc("title: T", "items:", "  - url: 12345"),
            "s.yaml:3:10: items[0].url: expected text, got a number; put it in quotes",
            id="url-number",
        ),
        pytest.param(
            doc("title: T", "items:", "  - url: https://social.example/1", "    embed: Live"),
            "s.yaml:4:12: items[0].embed: expected one of static, click, live",
            id="item-embed",
        ),
        pytest.param(
            doc("title: T", "items:", "  - https://social.example/1"),
            "s.yaml:3:5: items[0]: an item is a mapping; write '- url: https://social.example/1'",
            id="item-bare-url",
        ),
        pytest.param(
            doc("title: T", "items:", "  - {url: ftp://files.example/a, note: flow style}"),
            "s.yaml:3:11: items[0].url: not an http(s) URL",
            id="flow-mapping-position",
        ),
        pytest.param(
            doc("title: T", "title: again"),
            "s.yaml:2:1: duplicate key 'title' (first on line 1)",
            id="duplicate-key",
        ),
        pytest.param(
            "", "s.yaml:1:1: the story file is empty; it needs at least a title", id="empty"
        ),
        pytest.param(
            doc("- url: https://social.example/1"),
            "s.yaml:1:1: the story must be a mapping with a title and items, not a list",
            id="root-is-a-list",
        ),
    ],
)
def test_one_problem_is_located_at_its_value(text: str, expected: str) -> None:
    assert problems(text) == [expected]


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    text = doc(
        "title: T",  # 1
        "descripton: typo",  # 2
        "date: 13.1.2017",  # 3
        "lang: de",  # 4
        "options:",  # 5
        "  embed: sometimes",  # 6
        "items:",  # 7
        "  - heading: Morning",  # 8
        "  - url: ftp://files.example/a",  # 9
        "  - {}",  # 10
        "  - text: Fine",  # 11
        "    note: not here",  # 12
        "  - url: https://social.example/1",  # 13
        "    embed: live",  # 14
        "    embed: click",  # 15
    )
    assert problems(text) == [
        "s.yaml:2:1: descripton: unknown key 'descripton'; did you mean 'description'?",
        "s.yaml:3:7: date: expected a date like 2017-01-13",
        "s.yaml:4:7: lang: unknown language 'de'; available: en, fi, sv",
        "s.yaml:6:10: options.embed: expected one of static, click, live",
        "s.yaml:9:10: items[1].url: not an http(s) URL",
        "s.yaml:10:5: items[2]: empty item",
        "s.yaml:12:5: items[3].note: unknown key 'note' in a text item; note goes with url items",
        "s.yaml:15:5: duplicate key 'embed' (first on line 14)",
    ]


def test_story_error_is_one_line_per_problem_and_carries_problem_objects() -> None:
    with pytest.raises(StoryError) as info:
        parse(doc("title: T", "items:", "  - url: ftp://a.example/", "  - heading: ''"))
    error = info.value
    assert str(error).splitlines() == [str(problem) for problem in error.problems]
    assert error.problems[0] == Problem("s.yaml", 3, 10, "items[0].url", "not an http(s) URL")
    assert error.exit_code == 2


# -- YAML syntax and safety -----------------------------------------------------------------


def test_a_syntax_error_is_one_short_located_problem() -> None:
    found = problems(doc("title: T", "items:", "  - url: https://social.example/1", " note: x"))
    assert len(found) == 1
    # An indentation mistake is told in plain words, not as the parser's tokens.
    assert found[0].startswith("s.yaml:4:2: indentation: this key is not lined up ")
    assert "<block end>" not in found[0]
    assert "\n" not in found[0]
    assert "^" not in found[0]


def test_an_unclosed_bracket_names_where_it_was_opened() -> None:
    found = problems(doc("title: T", "tags: [a, b"))
    assert found == [
        "s.yaml:3:1: YAML syntax: expected ',' or ']', but got '<stream end>', "
        "while parsing a flow sequence that starts on line 2"
    ]


def test_a_tab_indent_gets_a_hint() -> None:
    found = problems("title: T\n\tlang: sv\n")
    assert len(found) == 1
    assert found[0].startswith("s.yaml:2:1: YAML syntax: ")
    assert "indent with spaces, not tabs" in found[0]


def test_a_colon_in_plain_text_gets_a_hint() -> None:
    found = problems(doc("title: Keynote: the future"))
    assert len(found) == 1
    assert found[0].startswith("s.yaml:1:15: YAML syntax: mapping values are not allowed here")
    assert "put text that contains ': ' in quotes" in found[0]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (
            "!!python/object/apply:builtins.exec [\"open('MARKER', 'w').close()\"]",
            "!!python/object/apply:builtins.exec",
        ),
        ("!!python/object/new:pathlib.Path ['MARKER']", "!!python/object/new:pathlib.Path"),
        ("!!python/name:os.system", "!!python/name:os.system"),
        (
            "!!python/object:storyboard.model.story.Story {title: x}",
            "!!python/object:storyboard.model.story.Story",
        ),
        ("!!binary aGk=", "!!binary"),
        ("!!set {a, b}", "!!set"),
        ("!custom x", "!custom"),
    ],
)
def test_tags_are_rejected_and_never_constructed(value: str, shown: str, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    text = doc("title: T", f"author: {value.replace('MARKER', str(marker))}")
    assert problems(text) == [f"s.yaml:2:9: YAML tag {shown} is not allowed in a story file"]
    assert not marker.exists()


def test_a_billion_laughs_is_refused_quickly() -> None:
    lines = ["title: T", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    lines.append("tags: *i")
    started = time.perf_counter()
    found = problems(doc(*lines))
    assert time.perf_counter() - started < 2
    assert len(found) == 1
    assert found[0].startswith("s.yaml:")
    assert "aliases expand to more than 10,000 values" in found[0]


def test_doubling_aliases_are_refused_before_the_alias_count_is_reached() -> None:
    lines = ["title: T", "l0: &l0 [x, x]"]
    lines += [f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}]" for i in range(1, 40)]
    found = problems(doc(*lines))
    assert len(found) == 1
    assert "aliases expand to more than" in found[0]


def test_more_than_the_alias_bound_is_refused() -> None:
    aliases = ", ".join(["*t"] * (MAX_ALIASES + 1))
    found = problems(doc("title: &t T", f"tags: [{aliases}]"))
    assert len(found) == 1
    assert found[0].startswith("s.yaml:2:")
    assert f"more than {MAX_ALIASES} YAML aliases" in found[0]


def test_the_alias_bound_itself_is_allowed() -> None:
    aliases = ", ".join(["*t"] * MAX_ALIASES)
    assert parse(doc("title: &t T", f"tags: [{aliases}]")).story.tags == ["T"] * MAX_ALIASES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            doc("title: T", "tags: &loop [*loop]"),
            "s.yaml:2:14: alias *loop is inside its own anchor (a loop)",
            id="recursive",
        ),
        pytest.param(
            doc("title: T", "tags: [*nowhere]"),
            "s.yaml:2:8: alias *nowhere has no anchor &nowhere before it",
            id="undefined",
        ),
        pytest.param(
            doc("title: &x T", "author: &x A"),
            "s.yaml:2:9: anchor &x is defined twice (first on line 1)",
            id="anchor-twice",
        ),
        pytest.param(
            doc("title: T", "---", "title: U"),
            "s.yaml:2:1: a story file holds one YAML document; remove the second one",
            id="two-documents",
        ),
        pytest.param(
            doc("%YAML 1.1", "---", "title: T"),
            "s.yaml:2:1: YAML 1.1 is not supported; remove the %YAML line",
            id="yaml-1.1",
        ),
        pytest.param(
            "title: T\ntags: " + "[" * 60 + "]" * 60 + "\n",
            "s.yaml:2:56: the YAML is nested more than 50 levels deep",
            id="too-deep",
        ),
        pytest.param(
            "title: T\u0001\n",
            "s.yaml:1:9: character U+0001 is not allowed in YAML",
            id="control-character",
        ),
    ],
)
def test_unsafe_or_odd_yaml_is_refused(text: str, expected: str) -> None:
    assert problems(text) == [expected]


def test_an_integer_too_long_to_convert_is_a_clean_problem() -> None:
    found = problems(doc("title: T", "author: " + "1" * 5000))
    assert len(found) == 1
    assert found[0].startswith("s.yaml: cannot read a value: ")


# -- files ------------------------------------------------------------------------------


def test_a_file_larger_than_5_mb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"title: T\n" + b"#" * MAX_STORY_BYTES)
    with pytest.raises(StoryError) as info:
        load_story(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}: the story file is larger than 5,000,000 bytes"
    ]


def test_text_larger_than_5_mb_is_refused() -> None:
    assert problems("title: T\n" + "#" * MAX_STORY_BYTES) == [
        "s.yaml: the story file is larger than 5,000,000 bytes"
    ]


def test_a_file_that_is_not_utf8_names_the_first_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(doc("title: T", "items:", "  - text: Möte på Åland").encode("latin-1"))
    with pytest.raises(StoryError) as info:
        load_story(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:3:12: not UTF-8 text (byte 0xf6); save the file as UTF-8"
    ]


def test_a_missing_file_is_a_story_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(StoryError) as info:
        load_story(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}: cannot read: No such file or directory"
    ]


def test_problems_name_the_path_as_given(write_story: Callable[..., Path]) -> None:
    path = write_story(doc("title: T", "date: 13.1.2017"), name="x.yaml")
    with pytest.raises(StoryError) as info:
        load_story(path)
    assert str(info.value) == f"{path}:2:7: date: expected a date like 2017-01-13"


# -- duplicate posts --------------------------------------------------------------------


def test_a_repeated_post_is_a_warning_on_the_later_item() -> None:
    loaded = parse(
        doc(
            "title: T",
            "items:",
            "  - heading: Morning",
            "  - url: https://x.com/anna/status/1",
            "  - url: https://social.example/2",
            "  - url: https://twitter.com/anna/status/1?utm_source=share#reply",
        )
    )
    assert len(loaded.story.items) == 4
    assert loaded.warnings == [
        Problem(
            "s.yaml",
            6,
            10,
            "items[3].url",
            "same post as items[1] (https://x.com/anna/status/1)",
            severity="warning",
        )
    ]
    assert str(loaded.warnings[0]) == (
        "s.yaml:6:10: items[3].url: warning: same post as items[1] (https://x.com/anna/status/1)"
    )


def test_every_repeat_points_at_the_first_occurrence() -> None:
    url = "https://social.example/1"
    loaded = parse(doc("title: T", "items:", *[f"  - url: {url}"] * 3))
    assert [(w.line, w.field, w.message) for w in loaded.warnings] == [
        (4, "items[1].url", f"same post as items[0] ({url})"),
        (5, "items[2].url", f"same post as items[0] ({url})"),
    ]


def test_warnings_are_not_raised_with_errors() -> None:
    url = "https://social.example/1"
    found = problems(doc("title: T", "title: U", "items:", f"  - url: {url}", f"  - url: {url}"))
    assert found == ["s.yaml:2:1: duplicate key 'title' (first on line 1)"]


def test_windows_line_endings_keep_their_positions() -> None:
    text = "title: T\r\nitems:\r\n  - heading: H\r\n  - url: ftp://files.example/a\r\n"
    assert problems(text) == ["s.yaml:4:10: items[1].url: not an http(s) URL"]


def test_a_problem_in_a_merged_value_points_at_the_item() -> None:
    text = doc(
        "title: T",
        "items:",
        "  - &shared {url: https://social.example/1, embed: loud}",
        "  - url: https://social.example/2",
        "    <<: *shared",
    )
    assert problems(text) == [
        "s.yaml:3:52: items[0].embed: expected one of static, click, live",
        "s.yaml:4:5: items[1].embed: expected one of static, click, live",
    ]
