"""A theme is code: the sandbox, where a story may take its theme from, and ``check``."""

from __future__ import annotations

from pathlib import Path

import pytest

from .cli_runner import Result, invoke

STORY = "title: Themed\nlang: en\noptions:\n  theme: {theme}\nitems:\n  - heading: One\n"
ESCAPE = "{{ cycler.__init__.__globals__.os.popen('touch %s').read() }}"


def run(*args: str | Path) -> Result:
    return invoke(args)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_a_theme_cannot_reach_python_and_the_render_fails_in_one_line(tmp_path: Path) -> None:
    proof = tmp_path / "ran"
    write(tmp_path / "look" / "page.html", ESCAPE % proof)
    story = write(tmp_path / "story.yaml", STORY.format(theme="look"))
    result = run("render", story, "-o", tmp_path / "out", "--offline")
    assert result.exit_code == 2
    assert not proof.exists()
    lines = error_lines(result)
    assert len(lines) == 1, lines
    assert "page.html:1:" in lines[0]
    assert "unsafe" in lines[0]
    assert "Traceback" not in result.stderr


def test_a_theme_cannot_change_what_it_is_given(tmp_path: Path) -> None:
    write(tmp_path / "look" / "page.html", "{{ story.items.append(1) }}")
    story = write(tmp_path / "story.yaml", STORY.format(theme="look"))
    result = run("render", story, "-o", tmp_path / "out", "--offline")
    assert result.exit_code == 2
    assert "page.html:1:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["render", "check"])
@pytest.mark.parametrize("where", ["absolute", "dotdot", "symlink"])
def test_a_story_names_only_a_theme_inside_its_folder(
    tmp_path: Path, command: str, where: str
) -> None:
    proof = tmp_path / "ran"
    outside = write(tmp_path / "elsewhere" / "look" / "page.html", "stolen {{ story.title }}")
    folder = tmp_path / "story"
    folder.mkdir()
    theme = {
        "absolute": str(outside.parent),
        "dotdot": "../elsewhere/look",
        "symlink": "look",
    }[where]
    if where == "symlink":
        (folder / "look").symlink_to(outside.parent, target_is_directory=True)
    story = write(folder / "story.yaml", STORY.format(theme=theme))
    args = ["-o", tmp_path / "out", "--offline"] if command == "render" else []
    result = run(command, story, *args)
    assert result.exit_code == 2
    assert not proof.exists()
    lines = error_lines(result)
    assert len(lines) == 1, lines
    assert f"{story}:4:10: options.theme: " in lines[0]
    assert "outside the story's folder" in lines[0]
    assert "--theme" in lines[0]
    assert not (tmp_path / "out").exists()


def test_the_command_line_may_name_a_theme_from_anywhere(tmp_path: Path) -> None:
    outside = write(tmp_path / "elsewhere" / "look" / "page.html", "mine {{ story.title }}")
    folder = tmp_path / "story"
    story = write(folder / "story.yaml", STORY.format(theme="/etc"))
    out = tmp_path / "out"
    result = run("render", story, "-o", out, "--offline", "--theme", outside.parent)
    assert result.exit_code == 0, result.stderr
    assert (out / "index.html").read_text(encoding="utf-8").startswith("mine Themed")


def test_check_validates_the_theme(tmp_path: Path) -> None:
    story = write(tmp_path / "story.yaml", STORY.format(theme="look"))
    missing = run("check", story)
    assert missing.exit_code == 2
    assert f"{story}:4:10: options.theme: no such folder" in missing.stderr

    write(tmp_path / "look" / "items" / "default.html", "{% if %}")
    broken = run("check", story)
    assert broken.exit_code == 2
    assert "items/default.html:1:" in broken.stderr
    assert "Traceback" not in broken.stderr

    write(tmp_path / "look" / "items" / "default.html", "{{ item.url }}")
    assert run("check", story).exit_code == 0


def test_a_theme_template_linking_outside_its_folder_is_refused(tmp_path: Path) -> None:
    secret = write(tmp_path / "secret" / "id_rsa", "PRIVATE KEY")
    (tmp_path / "story" / "look").mkdir(parents=True)
    (tmp_path / "story" / "look" / "page.html").symlink_to(secret)
    story = write(tmp_path / "story" / "story.yaml", STORY.format(theme="look"))
    out = tmp_path / "out"
    result = run("render", story, "-o", out, "--offline")
    assert result.exit_code == 2
    lines = error_lines(result)
    assert len(lines) == 1, lines
    assert "page.html: a link to a file outside the theme folder" in lines[0]
    assert not (out / "index.html").exists()
