"""Terminal escapes in provider text never reach the terminal: every printed line is clean."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from storyboard.untrusted_text import printable

from .cli_runner import Result, invoke
from .conftest import ProviderPlayground

#: Clear the screen, retitle the window, move the cursor, a bell, and a carriage return
#: that would overwrite the start of the line.
ESCAPES = "\x1b[2J\x1b]0;owned\x07\x1b[1A\x07\rfake ok\x9b31m"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def run(*args: str | Path) -> Result:
    return invoke(args)


def assert_clean(result: Result) -> None:
    for stream in (result.stdout, result.stderr):
        assert CONTROL.search(stream) is None, repr(stream)


def test_provider_text_is_printed_without_control_characters(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> None:
    good = "https://social.example/@anna/1"
    bad = "https://social.example/@anna/2"
    playground.oembed[good] = {
        "type": "rich",
        "version": "1.0",
        "author_name": f"Anna{ESCAPES}",
        "author_url": "https://social.example/@anna",
        "html": "<p>Hi</p>",
    }
    # An error field: the answer is unusable, and the failure line quotes what it said.
    playground.oembed[bad] = (200, json.dumps({"error": f"broken{ESCAPES}"}))
    story = write_story(f"title: T\nitems:\n  - url: {good}\n  - url: {bad}\n")
    network = ["--providers", playground.providers_file(tmp_path), "--allow-private-network"]
    fetched = run("fetch", story, *network)
    assert fetched.exit_code == 1
    assert "broken" in fetched.stderr
    assert_clean(fetched)
    rendered = run("render", story, "-o", tmp_path / "out", "--offline")
    assert "unresolved" in rendered.stderr or rendered.exit_code == 0
    assert_clean(rendered)
    quoted = run("quoted", story)
    assert "Anna" in quoted.stdout + quoted.stderr
    assert_clean(quoted)


def test_printable_removes_sequences_whole_and_keeps_text() -> None:
    assert printable(f"Anna{ESCAPES} Smith") == "Annafake ok Smith"
    assert printable("two\nlines\ttab") == "two\nlines\ttab"
    assert printable("bidi \u202eevil") == "bidi evil"
    assert printable("Åsa 🙂") == "Åsa 🙂"
