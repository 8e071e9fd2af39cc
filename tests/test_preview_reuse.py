"""``serve`` renders again reusing unchanged cards, and writes what a fresh render writes.

Each step edits the example story (or its snapshots, or its theme) the way a curator
does while the preview runs; after each, the preview's page must be byte for byte the
page a fresh ``render --offline`` writes, with the same pictures beside it.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from storyboard.commands.opened import OpenedStory
from storyboard.commands.render import render_story_file
from storyboard.model.card import Card, CardKind
from storyboard.model.snapshot import Snapshot, SnapshotStatus
from storyboard.preview.entry_cache import story_attributes_read
from storyboard.preview.server import PreviewServer, PreviewSettings
from storyboard.render import OutputFormat, RenderOptions
from storyboard.render.markdown_text import MARKDOWN_TEXT_LIMIT, MARKUP_BUDGET
from storyboard.render.themes import make_environment
from storyboard.snapshots import SnapshotStore
from storyboard.storyfile.loader import load_story
from storyboard.workspace import Workspace

EXAMPLE = Path(__file__).resolve().parents[1] / "stories" / "anksome-2017.yaml"


@pytest.fixture
def story(tmp_path: Path) -> Path:
    """Copy the example story, its snapshots and its pictures."""
    folder = tmp_path / "story"
    folder.mkdir()
    target = folder / "anksome.yaml"
    shutil.copy(EXAMPLE, target)
    shutil.copy(EXAMPLE.with_suffix(".snapshots.json"), target.with_suffix(".snapshots.json"))
    shutil.copytree(EXAMPLE.with_suffix(".assets"), target.with_suffix(".assets"))
    return target


@pytest.fixture
def previews() -> Iterator[Callable[[Path, Path], PreviewServer]]:
    """Make previews that are rendered by hand (not started); free their ports at the end."""
    made: list[PreviewServer] = []

    def make(story: Path, output_dir: Path) -> PreviewServer:
        made.append(PreviewServer(PreviewSettings(story_path=story, output_dir=output_dir, port=0)))
        return made[-1]

    yield make
    for server in made:
        server.stop()


def fresh_page(story: Path, output_dir: Path, theme_dir: Path | None = None) -> Path:
    """Render ``story`` from scratch, as ``render --offline`` does; return the page."""
    workspace = Workspace(story)
    opened = OpenedStory(load_story(story), workspace)
    options = RenderOptions(
        output_dir=output_dir, format=OutputFormat.PAGE, theme_dir=opened.theme_dir(theme_dir)
    )
    render_story_file(opened, SnapshotStore.load(workspace.snapshot_path), options)
    return options.output_file


def output_files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def assert_same_output(served: Path, fresh: Path, what: str = "") -> None:
    """The same page, and every file beside it (a picture no card shows any more may stay)."""
    mine, theirs = output_files(served), output_files(fresh)
    assert mine["index.html"] == theirs["index.html"], f"the page, after editing {what}"
    assert {name: mine.get(name) for name in theirs} == theirs, f"the files, after {what}"


def edit(path: Path, change: Callable[[str], str]) -> None:
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, "the edit changed nothing"
    path.write_text(changed, encoding="utf-8")


def one_line_note(text: str, new: str, nth: int = 0) -> str:
    notes = list(re.finditer(r"^    note: (?![>|]).*$", text, re.MULTILINE))
    note = notes[nth]
    return f"{text[: note.start()]}    note: {new}{text[note.end() :]}"


def change_snapshot(story: Path, title: str) -> None:
    """Record a changed snapshot through the store, as a concurrent ``fetch`` saves it."""
    store = SnapshotStore.load(story.with_suffix(".snapshots.json"))
    url = next(iter(store.as_mapping()))
    old = store.get(url)
    assert old is not None
    assert old.card is not None
    card = old.card.model_copy(update={"title": title, "kind": CardKind.LINK})
    store.record_success(old.model_copy(update={"card": card}))
    store.save()


def test_every_edit_renders_the_page_a_fresh_render_writes(
    story: Path, tmp_path: Path, previews: Callable[[Path, Path], PreviewServer]
) -> None:
    served = tmp_path / "served"
    server = previews(story, served)
    theme = story.parent / "theme"
    # Each within the length limit; three of them spend more than the run's budget.
    long_note = "a " + "[]" * (MARKDOWN_TEXT_LIMIT // 2 - 1_000)
    assert 3 * (len(long_note) - 2) > MARKUP_BUDGET
    steps: list[tuple[str, Callable[[], None]]] = [
        ("a note", lambda: edit(story, lambda t: one_line_note(t, "A **new** note.", 3))),
        ("the title", lambda: edit(story, lambda t: t.replace("\ntitle: ", "\ntitle: New ", 1))),
        (
            "an item at the top",
            lambda: edit(
                story,
                lambda t: t.replace("\nitems:\n", "\nitems:\n  - url: https://new.example/a\n"),
            ),
        ),
        (
            "a text item",
            lambda: edit(story, lambda t: t.replace("  - text: ", "  - text: Now ", 1)),
        ),
        (
            "one item live",
            lambda: edit(
                story,
                lambda t: t.replace("  - url: https://new.example/a\n", "", 1).replace(
                    "    note: ", "    embed: live\n    note: ", 2
                ),
            ),
        ),
        (
            "the story's embed mode",
            lambda: edit(story, lambda t: t.replace("embed: click", "embed: static", 1)),
        ),
        ("a snapshot", lambda: change_snapshot(story, "Changed by a fetch")),
        ("the language", lambda: edit(story, lambda t: t.replace("\nlang: sv\n", "\nlang: fi\n"))),
        (
            "a theme",
            lambda: (
                (theme / "items").mkdir(parents=True),
                (theme / "items" / "default.html").write_text(
                    '{% extends "default:items/default.html" %}'
                    '{% block card_foot %}<p class="mine">{{ item.number }}</p>{% endblock %}',
                    encoding="utf-8",
                ),
                edit(story, lambda t: t.replace("\noptions:\n", "\noptions:\n  theme: theme\n", 1)),
            ),
        ),
        (
            "the theme's card",
            lambda: edit(theme / "items" / "default.html", lambda t: t.replace("mine", "ours")),
        ),
        (
            "notes over the Markdown budget",
            lambda: edit(
                story,
                lambda t: one_line_note(
                    one_line_note(one_line_note(t, long_note, 1), long_note, 2), long_note, 4
                ),
            ),
        ),
    ]
    assert server.render() is None
    assert_same_output(served, fresh_page(story, tmp_path / "fresh-0").parent)
    reused = 0
    for number, (what, step) in enumerate(steps, start=1):
        step()
        assert server.render() is None, what
        fresh = fresh_page(story, tmp_path / f"fresh-{number}").parent
        assert_same_output(served, fresh, what)
        reused += server._renderer.stats.cards_reused
    assert reused > 0  # the reuse ran: the comparisons above are of it


def test_only_the_edited_card_is_built_and_rendered_again(
    story: Path, tmp_path: Path, previews: Callable[[Path, Path], PreviewServer]
) -> None:
    server = previews(story, tmp_path / "out")
    server.render()
    edit(story, lambda t: one_line_note(t, "Edited.", 2))
    server.render()
    stats = server._renderer.stats
    assert (stats.cards_built, stats.entries_rendered) == (1, 1)
    assert stats.cards_reused == stats.entries_reused > 5
    assert not stats.snapshots_reloaded
    assert not stats.theme_reloaded


def test_a_replaced_snapshot_file_is_read_again_and_its_card_rebuilt(
    story: Path, tmp_path: Path, previews: Callable[[Path, Path], PreviewServer]
) -> None:
    server = previews(story, tmp_path / "out")
    server.render()
    change_snapshot(story, "Fetched again")
    server.render()
    stats = server._renderer.stats
    assert stats.snapshots_reloaded
    assert stats.cards_built == 1  # the other snapshots compare equal: their cards are kept
    assert "Fetched again" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_entries_that_read_more_than_the_card_are_rendered_every_time(tmp_path: Path) -> None:
    (tmp_path / "partials").mkdir()
    entry = tmp_path / "partials" / "entry.html"
    env = make_environment(None)
    assert story_attributes_read(env) == ("is_embed",)
    entry.write_text("<p>{{ loop.index }} {{ item.url }}</p>", encoding="utf-8")
    assert story_attributes_read(make_environment(tmp_path)) is None  # the page's loop
    entry.write_text("<p>{{ story.title }} {{ item.url }}</p>", encoding="utf-8")
    assert story_attributes_read(make_environment(tmp_path)) == ("title",)
    entry.write_text("{% include item.url %}", encoding="utf-8")
    assert story_attributes_read(make_environment(tmp_path)) is None  # a template named by data
    entry.write_text("{% set s = story %}{{ s.title }}", encoding="utf-8")
    assert story_attributes_read(make_environment(tmp_path)) is None  # story passed on whole
    entry.write_text("{{ story['title'] }}", encoding="utf-8")
    assert story_attributes_read(make_environment(tmp_path)) is None


def test_a_theme_whose_entry_reads_the_title_renders_every_entry_on_a_title_edit(
    story: Path, tmp_path: Path, previews: Callable[[Path, Path], PreviewServer]
) -> None:
    theme = story.parent / "theme"
    (theme / "partials").mkdir(parents=True)
    (theme / "partials" / "entry.html").write_text(
        '<p class="t">{{ story.title }}: {{ item.url }}</p>\n', encoding="utf-8"
    )
    edit(story, lambda t: t.replace("\noptions:\n", "\noptions:\n  theme: theme\n", 1))
    out = tmp_path / "out"
    server = previews(story, out)
    server.render()
    edit(story, lambda t: t.replace("\ntitle: ", "\ntitle: Retitled ", 1))
    server.render()
    assert server._renderer.stats.entries_reused == 0
    assert_same_output(out, fresh_page(story, tmp_path / "fresh").parent)


def test_a_snapshot_equal_to_the_last_one_keeps_its_card(
    story: Path, tmp_path: Path, previews: Callable[[Path, Path], PreviewServer]
) -> None:
    server = previews(story, tmp_path / "out")
    server.render()
    # The same snapshots saved again (a fetch that found nothing new): a new file.
    store = SnapshotStore.load(story.with_suffix(".snapshots.json"))
    url = next(iter(store.as_mapping()))
    snapshot = store.get(url)
    assert snapshot is not None
    store.record_success(
        Snapshot(
            url=snapshot.url,
            status=SnapshotStatus.OK,
            fetched_at=snapshot.fetched_at or dt.datetime(2017, 1, 13, tzinfo=dt.UTC),
            card=snapshot.card or Card(kind=CardKind.LINK, url=url),
            oembed=snapshot.oembed,
            raw=snapshot.raw,
            source=snapshot.source,
        )
    )
    store.save()
    server.render()
    assert server._renderer.stats.snapshots_reloaded
    assert server._renderer.stats.cards_built <= 1
