"""A busy curator's mistakes get a located line that says what to write, not silence or jargon."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .cli_runner import Result, invoke


def run(*args: str | Path) -> Result:
    return invoke(args)


def check(write_story: Callable[..., Path], text: str) -> tuple[int, list[str], Path]:
    story = write_story(text)
    result = run("check", story)
    return result.exit_code, result.stderr.strip().splitlines(), story


def test_a_hashtag_note_read_as_a_comment_is_a_warning_with_the_fix(
    write_story: Callable[..., Path],
) -> None:
    code, lines, story = check(
        write_story,
        "title: Kokous\nitems:\n  - url: https://social.example/@a/1\n"
        "    note: #kokous2024 on\n  - url: https://social.example/@a/2\n"
        "    note:  # fill in later\n",
    )
    assert code == 0
    assert lines == [
        f"{story}:4:5: items[0].note: warning: note is empty: '#kokous2024 on' after it is "
        "a YAML comment (a '#' after a space starts one); put the text in quotes: "
        'note: "#kokous2024 on"',
        f"{story}: ok (2 items, 2 URLs)",
    ]  # an ordinary comment ("# fill in later") is left alone


def test_a_hashtag_text_read_as_a_comment_is_an_error_with_the_fix(
    write_story: Callable[..., Path],
) -> None:
    code, lines, story = check(write_story, "title: Kokous\nitems:\n  - text: #kokous2024\n")
    assert code == 2
    assert lines == [
        f"error: {story}:3:5: items[0].text: text is empty: '#kokous2024' after it is a YAML "
        "comment (a '#' after a space starts one); put the text in quotes: text: \"#kokous2024\""
    ]


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (
            "title: T\nitems:\n  - url: https://social.example/@a/1\n   note: x\n",
            "4:4",
            "this line is not lined up with the item above it; an item's keys go in one "
            "column, under its first key (the one after '- '), and the next item starts "
            "with '- ' under the other dashes",
        ),
        (
            "title: T\nitems:\n  - url: https://social.example/@a/1\n"
            "   - url: https://social.example/@a/2\n",
            "4:4",
            "this '- ' is not lined up with the items above it; every '- ' of the list that "
            "starts on line 3 goes in the same column",
        ),
        (
            "title: T\nitems:\n  - url: https://social.example/@a/1\n note: x\n",
            "4:2",
            "this key is not lined up with the keys above it; the keys of the mapping that "
            "starts on line 1 go in column 1, indented with spaces (an item's keys go under "
            "its first key, the one after '- ')",
        ),
        (
            "title: T\noptions:\n  embed: click\n    lang: fi\nitems: []\n",
            "4:9",
            "this key is indented more than the line above it, so YAML reads it as part of "
            "that value; line it up with the keys above (if it is text containing ': ', put "
            "it in quotes)",
        ),
    ],
)
def test_an_indentation_mistake_is_told_in_plain_words(
    write_story: Callable[..., Path], text: str, where: str, message: str
) -> None:
    code, lines, story = check(write_story, text)
    assert code == 2
    assert lines == [f"error: {story}:{where}: indentation: {message}"]


def test_a_url_without_its_scheme_gets_https_suggested(
    write_story: Callable[..., Path], tmp_path: Path
) -> None:
    code, lines, story = check(
        write_story, "title: T\nitems:\n  - url: www.youtube.com/watch?v=dQw4w9WgXcQ\n"
    )
    assert code == 2
    assert lines == [
        f"error: {story}:3:10: items[0].url: not an http(s) URL: the address has no https:// "
        "in front; write https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    ]
    story.write_text("title: T\nitems: []\n", encoding="utf-8")
    added = run("add", story, "social.example/@a/1")
    assert added.exit_code == 2
    assert added.stderr.strip() == (
        "error: social.example/@a/1: not an http(s) URL: the address has no https:// in "
        "front; write https://social.example/@a/1"
    )


def test_punctuation_stuck_to_a_url_is_a_warning(
    write_story: Callable[..., Path],
) -> None:
    code, lines, story = check(
        write_story,
        "title: T\nitems:\n  - url: https://social.example/@a/1,\n"
        "  - url: https://en.wikipedia.org/wiki/Helsinki_(disambiguation)\n"
        "  - url: https://social.example/@a/2).\n",
    )
    assert code == 0
    assert lines == [
        f"{story}:3:10: items[0].url: warning: the URL ends with ',', which is probably not "
        "part of it; write https://social.example/@a/1",
        f"{story}:5:10: items[2].url: warning: the URL ends with ').', which is probably not "
        "part of it; write https://social.example/@a/2",
        f"{story}: ok (3 items, 3 URLs)",
    ]  # the Wikipedia URL's own brackets are part of it
    added = run("add", story, "https://social.example/@a/3;")
    assert added.exit_code == 0
    assert (
        "warning: https://social.example/@a/3;: the URL ends with ';', which is probably not "
        "part of it; write https://social.example/@a/3"
    ) in added.stderr


def test_check_refuses_a_theme_folder_that_does_not_exist(
    write_story: Callable[..., Path], tmp_path: Path
) -> None:
    text = "title: T\noptions:\n  theme: looks\nitems: []\n"
    code, lines, story = check(write_story, text)
    assert code == 2
    assert lines == [
        f"error: {story}:3:10: options.theme: no such folder: {tmp_path / 'looks'} (a theme "
        "is a folder of templates, named relative to the story's folder); create it, fix "
        "the name, or remove options.theme"
    ]
    (tmp_path / "looks").mkdir()
    assert run("check", story).exit_code == 0
