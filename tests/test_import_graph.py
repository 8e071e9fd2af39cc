"""Each command imports only what it uses: checked on the modules a real run leaves loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "stories" / "anksome-2017.yaml"

_RUN = """
import json, sys
sys.argv = ["storyboard", *json.loads(sys.argv[1])]
from storyboard.cli import main
main()
with open({out!r}, "w") as f:
    json.dump(sorted(sys.modules), f)
"""

NETWORK = {"requests", "urllib3", "certifi", "charset_normalizer", "idna"}
HTML_PARSING = {"bs4", "soupsieve"}


def modules_after(args: list[str], tmp_path: Path) -> set[str]:
    """Return every module (``a.b.c``) a real run of ``storyboard ARGS`` left loaded."""
    out = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", _RUN.format(out=str(out)), json.dumps(args)],
        capture_output=True,
        check=True,
        cwd=tmp_path,
    )
    return set(json.loads(out.read_text(encoding="utf-8")))


def loaded_after(args: list[str], tmp_path: Path) -> set[str]:
    """Return the top-level packages a real run of ``storyboard ARGS`` left loaded."""
    return {name.split(".")[0] for name in modules_after(args, tmp_path)}


def test_help_loads_neither_models_nor_the_network(tmp_path: Path) -> None:
    loaded = loaded_after(["--help"], tmp_path)
    assert "argparse" in loaded
    assert "click" not in loaded
    assert not loaded & (NETWORK | HTML_PARSING | {"pydantic", "jinja2", "ruamel", "yaml"})


def test_help_loads_the_command_line_alone(tmp_path: Path) -> None:
    """argparse answers ``--help``: no command's code, nor what only commands use, is loaded."""
    modules = modules_after(["--help"], tmp_path)
    ours = {name for name in modules if name.split(".")[0] == "storyboard"}
    assert ours == {
        "storyboard",
        "storyboard.cli",
        "storyboard.cli.main",
        "storyboard.cli.parsing",
        "storyboard.model",
        "storyboard.model.embed_mode",
    }
    # What only commands need: the error classes' dataclasses, paths (and with them
    # urllib.parse), signal handlers; and what argparse alone does not load: typing, and
    # shutil with its compression modules (the parser finds the terminal's width itself).
    assert not modules & {"dataclasses", "pathlib", "urllib.parse", "signal", "typing", "shutil"}


def test_check_loads_no_network_html_parser_or_templates(tmp_path: Path) -> None:
    loaded = loaded_after(["check", str(EXAMPLE)], tmp_path)
    assert "storyboard" in loaded
    assert "yaml" in loaded
    assert not loaded & (NETWORK | HTML_PARSING | {"jinja2", "markdown_it", "PIL"})


@pytest.mark.parametrize("output_format", ["page", "json", "markdown"])
def test_an_offline_render_loads_no_network_or_html_parser(
    tmp_path: Path, output_format: str
) -> None:
    out = tmp_path / "out"
    args = ["render", "--offline", str(EXAMPLE), "-o", str(out), "--format", output_format]
    loaded = loaded_after(args, tmp_path)
    assert any(out.iterdir()), "the render wrote nothing"
    assert not loaded & (NETWORK | HTML_PARSING)
