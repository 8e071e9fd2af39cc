"""The commands end to end, through the CLI, against a loopback server playing providers."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import storyboard
from storyboard.errors import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_WRITE_FAILED,
    FetchError,
    OutputWriteError,
    RenderError,
    StoryError,
    UsageError,
)

from .cli_runner import Result, invoke
from .conftest import ProviderPlayground

REPO = Path(__file__).resolve().parents[1]

STORY = """\
title: Träffen
description: En dag på Maria 01.
date: 2017-01-13
lang: sv
items:
  - heading: Morgon
  - text: Vi *börjar* här.
  - url: https://social.example/@anna/1
    note: Annas **första** inlägg.
  - url: https://social.example/@mikael/2
    title: Mikaels bild
  - heading: Kväll
  - url: https://social.example/@sara/3
    note: Sist men inte minst.
"""


def post(author: str, text: str) -> dict[str, object]:
    """Return an oEmbed answer shaped like a Mastodon or Bluesky post's."""
    return {
        "type": "rich",
        "version": "1.0",
        "author_name": author,
        "author_url": f"https://social.example/@{author.lower()}",
        "provider_name": "Example Social",
        "provider_url": "https://social.example/",
        "html": f'<blockquote class="social-post"><p>{text}</p></blockquote>'
        '<script src="https://social.example/embed.js"></script>',
        "width": 400,
        "height": None,
    }


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    """Run the CLI in-process and return its result (stdout and stderr apart)."""
    return invoke(args, env=env)


@pytest.fixture
def served_story(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> tuple[Path, Path]:
    """Write the story and a providers file that points its URLs at the playground."""
    playground.oembed["https://social.example/@anna/1"] = post("Anna", "Hej från Maria 01!")
    playground.oembed["https://social.example/@mikael/2"] = post("Mikael", "Fullt i salen")
    playground.oembed["https://social.example/@sara/3"] = post("Sara", "Tack för i dag")
    return write_story(STORY), playground.providers_file(tmp_path)


def network(providers: Path) -> list[str | Path]:
    return ["--providers", providers, "--allow-private-network"]


def page(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# -- check -----------------------------------------------------------------------------


def test_check_accepts_a_valid_story_and_writes_nothing(served_story: tuple[Path, Path]) -> None:
    story, _ = served_story
    before = sorted(p.name for p in story.parent.iterdir())
    result = run("check", story)
    assert result.exit_code == 0, result.stderr
    assert "ok" in result.stderr
    assert sorted(p.name for p in story.parent.iterdir()) == before


def test_check_lists_every_error_with_its_location(write_story: Callable[..., Path]) -> None:
    story = write_story(
        "title: X\ndescripton: typo\nitems:\n  - url: ftp://files.example/a\n  - {}\n"
    )
    result = run("check", story)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) >= 3
    assert any(":2:1: " in line and "did you mean 'description'" in line for line in lines)
    assert any(":4:" in line and "items[0].url" in line for line in lines)
    assert "Traceback" not in result.stderr
    assert not (story.parent / "story.snapshots.json").exists()


# -- fetch and render ---------------------------------------------------------------------


def test_fetch_then_render_gives_every_item_in_order_with_notes(
    served_story: tuple[Path, Path], tmp_path: Path
) -> None:
    story, providers = served_story
    result = run("fetch", story, *network(providers))
    assert result.exit_code == 0, result.stderr
    snapshots_path = story.with_name("story.snapshots.json")
    text = snapshots_path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    anna = data["snapshots"]["https://social.example/@anna/1"]
    assert anna["status"] == "ok"
    assert anna["source"]["kind"] == "provider"
    assert anna["raw"]["height"] is None  # the answer exactly as received
    assert anna["fetched_at"]

    out = tmp_path / "out"
    result = run("render", story, "-o", out, "--offline")
    assert result.exit_code == 0, result.stderr
    soup = page(out / "index.html")
    assert soup.html is not None
    assert soup.html["lang"] == "sv"
    body = soup.get_text(" ", strip=True)
    order = [
        body.index(s)
        for s in (
            "Morgon",
            "börjar",
            "Hej från Maria 01!",
            "Annas första inlägg",
            "Mikaels bild",
            "Kväll",
            "Tack för i dag",
            "Sist men inte minst",
        )
    ]
    assert order == sorted(order)
    assert soup.find("meta", property="og:title")["content"] == "Träffen"  # type: ignore[index]


def test_render_fetches_what_has_no_snapshot_then_only_that(
    served_story: tuple[Path, Path], playground: ProviderPlayground, tmp_path: Path
) -> None:
    story, providers = served_story
    assert run("render", story, "-o", tmp_path / "a", *network(providers)).exit_code == 0
    asked = len(playground.requests)
    assert asked >= 3
    assert run("render", story, "-o", tmp_path / "b", *network(providers)).exit_code == 0
    assert len(playground.requests) == asked


def test_unresolved_item_becomes_a_link_card_and_exit_1(
    served_story: tuple[Path, Path], playground: ProviderPlayground, tmp_path: Path
) -> None:
    story, providers = served_story
    del playground.oembed["https://social.example/@sara/3"]
    result = run("render", story, "-o", tmp_path / "out", *network(providers))
    assert result.exit_code == 1
    unresolved = [line for line in result.stderr.splitlines() if line.startswith("unresolved:")]
    assert len(unresolved) == 1
    assert "https://social.example/@sara/3" in unresolved[0]
    assert "404" in unresolved[0]
    soup = page(tmp_path / "out" / "index.html")
    assert soup.find("a", href="https://social.example/@sara/3") is not None


def test_refresh_keeps_a_good_snapshot_when_the_source_fails(
    served_story: tuple[Path, Path], playground: ProviderPlayground, tmp_path: Path
) -> None:
    story, providers = served_story
    assert run("fetch", story, *network(providers)).exit_code == 0
    snapshots_path = story.with_name("story.snapshots.json")
    before = json.loads(snapshots_path.read_text(encoding="utf-8"))["snapshots"]

    playground.oembed["https://social.example/@anna/1"] = (500, "oops")
    del playground.oembed["https://social.example/@sara/3"]
    result = run("fetch", story, "--refresh", *network(providers))
    assert result.exit_code == 1
    assert "500" in result.stderr
    after = json.loads(snapshots_path.read_text(encoding="utf-8"))["snapshots"]

    anna = after["https://social.example/@anna/1"]
    assert anna["status"] == "ok"
    assert anna["card"] == before["https://social.example/@anna/1"]["card"]
    assert "500" in anna["last_error"]["message"]
    sara = after["https://social.example/@sara/3"]
    assert sara["status"] == "gone"
    assert sara["gone_since"]
    assert sara["card"] == before["https://social.example/@sara/3"]["card"]

    result = run("render", story, "-o", tmp_path / "out", "--offline")
    assert result.exit_code == 0, result.stderr
    assert "Tack för i dag" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_discovery_and_page_metadata(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> None:
    post_url = playground.url("/@anna/109")
    playground.pages["/@anna/109"] = (
        "<html><head><title>Anna</title>"
        '<link rel="alternate" type="application/json+oembed" '
        'href="/oembed?url=' + post_url + '&amp;format=json"></head></html>'
    )
    playground.oembed[post_url] = post("Anna", "Upptäckt via discovery")
    playground.pages["/blog/post"] = (
        '<html><head><meta property="og:title" content="En bloggpost">'
        '<meta property="og:description" content="Om långsamt innehåll"></head></html>'
    )
    story = write_story(
        f"title: T\nitems:\n  - url: {post_url}\n  - url: {playground.url('/blog/post')}\n"
    )
    result = run("render", story, "-o", tmp_path / "out", "--allow-private-network")
    assert result.exit_code == 0, result.stderr
    data = json.loads(story.with_name("story.snapshots.json").read_text(encoding="utf-8"))
    kinds = {s["source"]["kind"] for s in data["snapshots"].values()}
    assert kinds == {"discovery", "page-metadata"}
    text = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Upptäckt via discovery" in text
    assert "En bloggpost" in text


def test_private_addresses_are_refused_unless_allowed(
    served_story: tuple[Path, Path], tmp_path: Path
) -> None:
    story, providers = served_story
    result = run("fetch", story, "--providers", providers)
    assert result.exit_code == 1
    assert "refused" in result.stderr
    assert "127.0.0.1" in result.stderr
    result = run(
        "fetch",
        story,
        "--providers",
        providers,
        env={"STORYBOARD_ALLOW_PRIVATE_NETWORK": "1"},
    )
    assert result.exit_code == 0, result.stderr


def test_providers_from_the_environment(served_story: tuple[Path, Path]) -> None:
    story, providers = served_story
    result = run(
        "fetch", story, "--allow-private-network", env={"STORYBOARD_PROVIDERS": str(providers)}
    )
    assert result.exit_code == 0, result.stderr


def test_fragment_is_scoped_under_one_root(served_story: tuple[Path, Path], tmp_path: Path) -> None:
    story, providers = served_story
    out = tmp_path / "out"
    result = run("render", story, "-o", out, "--format", "fragment", *network(providers))
    assert result.exit_code == 0, result.stderr
    soup = page(out / "embed.html")
    roots = [el for el in soup.contents if getattr(el, "name", None)]
    assert len(roots) == 1
    assert "storyboard" in roots[0]["class"]
    assert soup.find("html") is None
    assert soup.find("body") is None


def test_bad_options_exit_2_without_writing(
    served_story: tuple[Path, Path], tmp_path: Path
) -> None:
    story, _ = served_story
    result = run("render", story, "-o", tmp_path / "out", "--format", "pdf")
    assert result.exit_code == 2
    assert not (tmp_path / "out").exists()


def test_broken_story_on_render_exits_2_and_writes_nothing(
    write_story: Callable[..., Path], tmp_path: Path
) -> None:
    story = write_story("title: [unclosed\n")
    result = run("render", story, "-o", tmp_path / "out", "--offline")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert ":1:" in result.stderr
    assert not (tmp_path / "out").exists()


# -- the bundled stories and the installed command --------------------------------------------


def test_example_story_renders_offline_from_its_snapshots(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = run("render", REPO / "stories" / "anksome-2017.yaml", "-o", out, "--offline")
    assert result.exit_code == 0, result.stderr
    soup = page(out / "index.html")
    assert soup.html is not None
    assert soup.html["lang"] == "sv"
    assert "13 januari 2017" in soup.get_text(" ")
    for img in soup.find_all("img"):
        assert (out / str(img["src"])).is_file()


def test_embed_tour_offline_lists_each_unresolved_item(tmp_path: Path) -> None:
    story_source = REPO / "stories" / "embed-tour.yaml"
    story = tmp_path / "embed-tour.yaml"
    story.write_text(story_source.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("render", story, "-o", tmp_path / "out", "--offline")
    assert result.exit_code == 1
    unresolved = [line for line in result.stderr.splitlines() if line.startswith("unresolved:")]
    assert len(unresolved) == result.stderr.count("https://")
    assert len(unresolved) == 14
    assert (tmp_path / "out" / "index.html").is_file()


NO_SOCKET = """
import sys
def refuse(event, args):
    if event.startswith("socket.") and event != "socket.__new__":
        raise RuntimeError(f"network used: {event} {args!r}")
sys.addaudithook(refuse)
from storyboard.cli.main import main
sys.exit(main())
"""


def test_render_offline_never_opens_a_socket(
    served_story: tuple[Path, Path], tmp_path: Path
) -> None:
    story, providers = served_story
    assert run("fetch", story, *network(providers)).exit_code == 0
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-c", NO_SOCKET, "render", str(story), "-o", str(out), "--offline"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert (out / "index.html").is_file()
    # The hook itself works: a command that does touch the network is stopped by it.
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            NO_SOCKET,
            "fetch",
            str(story),
            "--refresh",
            *map(str, network(providers)),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert "network used" in proc.stderr


def test_python_dash_m_and_version() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "storyboard", "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "storyboard" in proc.stdout


@pytest.mark.parametrize(
    ("args", "status"), [(["--help"], 0), (["render", "--help"], 0), (["nosuch"], 2), ([], 2)]
)
def test_the_program_answers_as_main_does(args: list[str], status: int) -> None:
    """``run``, the program's entry, leaves early after the parser's own answer: the same one."""

    def program(*entry: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *entry, *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

    in_process = program(
        "-c",
        "import sys; from storyboard.cli.main import main; "
        "sys.exit(main(prog='python -m storyboard'))",
    )
    ours = program("-m", "storyboard")
    assert ours.returncode == in_process.returncode == status
    assert ours.stdout == in_process.stdout
    assert ours.stderr == in_process.stderr
    assert "python -m storyboard" in ours.stdout + ours.stderr  # help, or the one-line error


def test_the_console_script_runs_the_program() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"] == {"storyboard": "storyboard.cli:run"}


def test_providers_list_names_the_built_in_table() -> None:
    result = run("providers", "list")
    assert result.exit_code == 0
    for name in ("YouTube", "Vimeo", "Bluesky", "Flickr", "SoundCloud", "TikTok"):
        assert name in result.stdout


def test_proxy_variables_are_honoured(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> None:
    # The endpoint's host does not exist: only a proxy can answer for it.
    providers = tmp_path / "providers.json"
    providers.write_text(
        json.dumps(
            [
                {
                    "provider_name": "Proxied",
                    "provider_url": "http://provider.invalid/",
                    "endpoints": [
                        {
                            "schemes": ["https://social.example/*"],
                            "url": "http://provider.invalid/oembed",
                        }
                    ],
                }
            ]
        ),
        encoding="utf-8",
    )
    playground.oembed["https://social.example/@anna/1"] = post("Anna", "Via proxy")
    story = write_story("title: P\nitems:\n  - url: https://social.example/@anna/1\n")
    env = {"HTTP_PROXY": playground.url("/").rstrip("/"), "NO_PROXY": ""}
    result = run("fetch", story, "--providers", providers, env=env)
    assert result.exit_code == 0, result.stderr
    assert any(r.startswith("/oembed") for r in playground.requests)


def test_a_picture_that_cannot_be_archived_is_a_note_not_a_failure(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> None:
    answer = post("Anna", "Med bild")
    answer["thumbnail_url"] = playground.url("/media/deleted.png")  # answers 404
    playground.oembed["https://social.example/@anna/1"] = answer
    story = write_story("title: T\nitems:\n  - url: https://social.example/@anna/1\n")
    providers = playground.providers_file(tmp_path)
    result = run("fetch", story, "--providers", providers, "--allow-private-network")
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1
    assert "https://social.example/@anna/1: picture not archived" in notes[0]
    assert "404 Not Found" in notes[0]
    assert "with a note" in result.stderr.splitlines()[-1]


# -- exit statuses, errors, the version -------------------------------------------------------


def test_an_output_folder_that_cannot_be_written_exits_3(
    served_story: tuple[Path, Path], tmp_path: Path
) -> None:
    story, providers = served_story
    assert run("fetch", story, *network(providers)).exit_code == 0
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")  # even root cannot make a folder in it
    result = run("render", story, "-o", blocker / "site", "--offline")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: cannot write ")
    assert str(blocker) in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_a_story_file_that_cannot_be_written_exits_3(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run("new", blocker / "story.yaml")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: cannot write ")
    assert result.stderr.count("\n") == 1


def test_debug_shows_the_traceback_instead(write_story: Callable[..., Path]) -> None:
    story = write_story("title: [unclosed\n")
    result = invoke(["--debug", "check", str(story)], catch_exceptions=True)
    assert isinstance(result.exception, StoryError)
    assert not result.stderr.startswith("error: ")


def test_exit_codes_live_with_the_error_classes() -> None:
    assert (EXIT_OK, EXIT_PARTIAL, EXIT_INVALID, EXIT_WRITE_FAILED) == (0, 1, 2, 3)
    assert StoryError([]).exit_code == EXIT_INVALID
    assert UsageError("x").exit_code == EXIT_INVALID
    assert FetchError("x").exit_code == EXIT_PARTIAL
    assert OutputWriteError("x").exit_code == EXIT_WRITE_FAILED
    assert isinstance(OutputWriteError("x"), RenderError)


def test_version_has_one_source() -> None:
    assert run("--version").stdout == f"storyboard, version {storyboard.__version__}\n"
    # The installed distribution took its version from the package, not from pyproject.
    assert importlib.metadata.version("storyboard") == storyboard.__version__
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/storyboard/__init__.py"


def test_nothing_imports_click_and_only_the_cli_parses_arguments() -> None:
    package = REPO / "src" / "storyboard"

    def importers(module: str) -> set[str]:
        pattern = rf"^\s*(import {module}\b|from {module}\b)"
        return {
            path.relative_to(package).parts[0]
            for path in package.rglob("*.py")
            if re.search(pattern, path.read_text(encoding="utf-8"), re.M)
        }

    assert importers("click") == set()
    assert importers("argparse") == {"cli"}
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert not [d for d in project["project"]["dependencies"] if d.startswith("click")]


def test_command_bodies_only_parse_call_and_print() -> None:
    # The workflows live in storyboard.commands; a command body that grows past this
    # is doing a workflow's work.
    source = (REPO / "src" / "storyboard" / "cli" / "main.py").read_text(encoding="utf-8")
    lines = source.splitlines()
    bodies = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and any(
            isinstance(d, ast.Call) and getattr(d.func, "attr", "") in ("command", "group")
            for d in node.decorator_list
        ):
            statements = node.body[1:] if ast.get_docstring(node) else node.body
            if statements:
                code = lines[statements[0].lineno - 1 : node.end_lineno]
                bodies[node.name] = sum(1 for line in code if line.strip())
    assert {"check", "fetch", "render", "add", "collect", "serve"} <= set(bodies)
    assert max(bodies.values()) <= 15, bodies


def test_render_prints_the_output_size_and_why_nothing_points_at_the_page(
    served_story: tuple[Path, Path], tmp_path: Path
) -> None:
    story, providers = served_story
    result = run("render", story, "-o", tmp_path / "out", *network(providers))
    assert result.exit_code == 0
    assert re.search(r"index\.html: \d+ KB", result.stderr), result.stderr
    why = [line for line in result.stderr.splitlines() if "--base-url" in line]
    assert len(why) == 1, result.stderr
    assert not (tmp_path / "out" / "oembed.json").exists()

    published = run(
        "render",
        story,
        "-o",
        tmp_path / "pub",
        "--base-url",
        "https://stories.example/day/",
        *network(providers),
    )
    assert published.exit_code == 0
    assert "--base-url" not in published.stderr
    assert (tmp_path / "pub" / "oembed.json").is_file()
    assert (tmp_path / "pub" / "embed" / "index.html").is_file()
    assert str(tmp_path / "pub" / "oembed.json") in published.stdout.splitlines()
