"""The command line as people mistype it: one clear line and exit 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .cli_runner import invoke

STORY = "title: T\nitems:\n  - text: Hello.\n"


@pytest.fixture
def story(tmp_path: Path) -> Path:
    path = tmp_path / "story.yaml"
    path.write_text(STORY, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["rendr", "{story}"], "storyboard: no such command 'rendr'; did you mean 'render'?"),
        (
            ["render", "--ofline", "{story}"],
            "storyboard render: no such option '--ofline'; did you mean '--offline'?",
        ),
        (
            ["render", "--offlin=1", "{story}"],
            "no such option '--offlin=1'; did you mean '--offline'?",
        ),
        (["providers", "lst"], "storyboard providers: no such command 'lst'; did you mean 'list'?"),
        (["serve", "missing.yaml"], "argument STORY.yaml: file 'missing.yaml' does not exist"),
        (["render", "{dir}"], "argument STORY.yaml: file '{dir}' is a directory"),
        (["render", "--theme", "{story}", "{story}"], "directory '{story}' is a file"),
        (["render", "--theme", "nope", "{story}"], "argument --theme: directory 'nope' does not"),
        (["fetch", "--providers", "nope.json", "{story}"], "file 'nope.json' does not exist"),
        (["render", "--embed", "bogus", "{story}"], "--embed: invalid choice: 'bogus'"),
        (["render", "--format=pdf", "{story}"], "--format: invalid choice: 'pdf'"),
        (["fetch", "{story}", "--concurrency", "0"], "0 is not in the range 1<=x<=64"),
        (["fetch", "{story}", "--timeout=soon"], "'soon' is not a valid float"),
        (["add", "{story}", "https://a.example/1", "--after", "-1"], "-1 is not in the range x>=0"),
        (["collect", "{story}", "--since", "2020-13-01"], "'2020-13-01' is not a day"),
        (["add", "{story}"], "the following arguments are required: URL"),
        (["render", "{story}", "other.yaml"], "unexpected extra argument: other.yaml"),
        (["render", "--offline=yes", "{story}"], "--offline: ignored explicit argument 'yes'"),
        (["render", "{story}", "-o"], "argument -o/--output: expected one argument"),
        (["check", "{story}", "--debug"], "no such option '--debug'"),
        (["--bogus"], "storyboard: no such option '--bogus'"),
    ],
)
def test_a_usage_error_is_one_line_and_status_2(
    args: list[str], said: str, story: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()

    def filled(word: str) -> str:
        return word.replace("{story}", str(story)).replace("{dir}", str(folder))

    result = invoke([filled(word) for word in args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("error: storyboard")
    assert filled(said) in result.stderr


@pytest.mark.parametrize(
    ("args", "usage"),
    [([], "storyboard"), (["--debug"], "storyboard"), (["providers"], "storyboard providers")],
)
def test_a_group_without_its_command_shows_its_help_and_exits_2(
    args: list[str], usage: str
) -> None:
    result = invoke(args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"usage: {usage} [OPTIONS] COMMAND")
    assert "commands:" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["-h"],
        ["--help"],
        ["render", "-h"],
        ["providers", "--help"],
        ["providers", "update", "-h"],
        ["import", "storify", "--help"],
    ],
)
def test_every_level_answers_help(args: list[str]) -> None:
    result = invoke(args)
    assert result.exit_code == 0
    assert result.stdout.startswith("usage: storyboard")
    assert "Show this message and exit." in result.stdout


def test_help_keeps_the_words_and_shown_defaults() -> None:
    collect = invoke(["collect", "--help"]).stdout
    assert "Add the posts of a hashtag (Mastodon, Bluesky) or a URL list to" in collect
    assert "Posts come oldest first" in collect.split("\n\n")[2]  # its own paragraph
    assert "[default: 200; 1<=x<=10000]" in collect
    assert "[default: https://public.api.bsky.app/xrpc/]" in " ".join(collect.split())
    listing = invoke(["--help"]).stdout
    for command in ("add", "check", "collect", "edit", "fetch", "import", "mv", "new"):
        assert f"\n  {command} " in listing
    assert "--version" in listing


@pytest.mark.parametrize(
    "args",
    [
        ["check", "{story}"],
        ["check", "--per-host", "1", "{story}"],  # options before the argument
        ["check", "{story}", "--concurrency=3", "--per-host", "1"],  # after, = and space
        ["check", "--", "{story}"],
    ],
)
def test_options_go_before_or_after_the_argument(args: list[str], story: Path) -> None:
    result = invoke([word.replace("{story}", str(story)) for word in args])
    assert "error: storyboard" not in result.stderr
    assert f"{story}: ok" in result.stderr


def test_a_story_named_like_an_option_or_in_unicode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    weird = tmp_path / "-weird-näme🙂.yaml"
    weird.write_text(STORY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke(["check", "--", weird.name])
    assert result.exit_code == 0, result.stderr
    assert f"{weird.name}: ok" in result.stderr
    assert invoke(["check", weird.name]).exit_code == 2  # without "--" it is an option


def test_urls_may_come_between_the_options_of_add(story: Path) -> None:
    result = invoke(
        ["add", str(story), "https://a.example/1", "--note", "Both.", "https://a.example/2"]
    )
    assert result.exit_code == 0, result.stderr
    text = story.read_text(encoding="utf-8")
    assert "https://a.example/1" in text
    assert "https://a.example/2" in text
    assert text.count("note: Both.") == 2


@pytest.mark.parametrize(
    ("value", "allowed"), [("1", True), ("yes", True), ("0", False), ("", False)]
)
def test_a_flag_from_the_environment_is_read_as_a_boolean(
    value: str, allowed: bool, story: Path
) -> None:
    story.write_text("title: T\nitems:\n  - url: http://127.0.0.1:9/post\n", encoding="utf-8")
    env = {"STORYBOARD_ALLOW_PRIVATE_NETWORK": value}
    result = invoke(["fetch", str(story), "--timeout", "1"], env=env)
    assert result.exit_code == 1
    assert ("loopback" in result.stderr) is not allowed, result.stderr


def test_a_flag_from_the_environment_that_is_no_boolean_is_a_usage_error(story: Path) -> None:
    result = invoke(["fetch", str(story)], env={"STORYBOARD_ALLOW_PRIVATE_NETWORK": "maybe"})
    assert result.exit_code == 2
    assert "(from STORYBOARD_ALLOW_PRIVATE_NETWORK): 'maybe' is not a valid boolean" in (
        result.stderr
    )


def test_a_missing_providers_file_from_the_environment_is_named(story: Path) -> None:
    result = invoke(["fetch", str(story)], env={"STORYBOARD_PROVIDERS": "gone.json"})
    assert result.exit_code == 2
    assert "file 'gone.json' does not exist" in result.stderr


def test_control_characters_in_the_command_line_are_not_echoed(story: Path) -> None:
    result = invoke(["render\x1b[2J", str(story)])
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run ``storyboard ARGS`` with stderr on a real pseudo-terminal; return what it showed."""
    leader, follower = os.openpty()
    try:
        subprocess.run(
            [sys.executable, "-m", "storyboard", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=follower,
            env={**os.environ, **env},
            check=False,
            timeout=60,
        )
        return os.read(leader, 65536).decode()
    finally:
        os.close(leader)
        os.close(follower)


def test_labels_are_coloured_on_a_terminal_unless_no_color(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.yaml")
    assert "\x1b[31merror: \x1b[0m" in _on_a_terminal(["check", missing], {})
    plain = _on_a_terminal(["check", missing], {"NO_COLOR": "1"})
    assert plain.startswith("error: ")
    assert "\x1b" not in plain
    assert "\x1b" not in invoke(["check", missing]).stderr  # not a terminal


def test_collect_asks_again_on_an_odd_answer_and_stops_at_the_end_of_input(
    story: Path, tmp_path: Path
) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("https://a.example/1\nhttps://a.example/2\n", encoding="utf-8")
    before = story.read_bytes()
    args = ["collect", str(story), "--from-file", str(urls)]

    ended = invoke(args, input="")  # stdin is no terminal, and has nothing to say
    assert ended.exit_code == 1
    assert ended.stderr.endswith("? [y/N]: Aborted!\n")
    assert story.read_bytes() == before

    asked_twice = invoke(args, input="maybe\nY\n")
    assert asked_twice.exit_code == 0, asked_twice.stderr
    assert asked_twice.stderr.count("[y/N]: ") == 2
    assert "Error: invalid input" in asked_twice.stderr
    assert "https://a.example/2" in story.read_text(encoding="utf-8")
