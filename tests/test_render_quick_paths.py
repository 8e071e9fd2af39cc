"""The render's quick paths give byte for byte what the plain ones give.

A long story renders through shortcuts: the sandbox reads view fields without its
checks, plain partials are written into the templates that include them, a loop's
include hands its output on as one piece, notes without markup skip the Markdown
parser, repeated headings find their next free id at once. Each is compared here with
the way it replaced, on the same input.
"""

from __future__ import annotations

import gc
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from markupsafe import Markup

from storyboard.model.snapshot import Snapshot
from storyboard.model.story import EmbedMode, Story, UrlItem
from storyboard.providers import ProviderRegistry
from storyboard.render.context import StoryViewBuilder, heading_anchor
from storyboard.render.markdown_text import (
    markdown_parser,
    plain_markdown_html,
    render_markdown,
    simple_markup_html,
)
from storyboard.render.media import AssetLinker
from storyboard.render.page import (
    EMBED_TEMPLATE,
    FRAGMENT_TEMPLATE,
    PAGE_TEMPLATE,
    entry_renderer,
    html_pieces,
    pictures_style,
    render_html,
    template_context,
)
from storyboard.render.themes import generate_template, make_environment
from storyboard.render.views import CardView
from storyboard.snapshots import SnapshotStore
from storyboard.storyfile.loader import load_story
from tests.test_render import full_story, png

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "stories" / "anksome-2017.yaml"
sys.path.insert(0, str(REPO / "benchmarks"))
from big_story import write_story  # noqa: E402

# -- the page: fast sandbox reads and inlined partials -------------------------------


def _example(tmp_path: Path, count: int) -> tuple[Story, dict[str, Snapshot], Path]:
    story_path = write_story(tmp_path, count)
    story = load_story(story_path).story
    snapshots = SnapshotStore.load(story_path.with_suffix(".snapshots.json")).as_mapping()
    return story, snapshots, story_path.with_suffix(".assets")


def _full(tmp_path: Path) -> tuple[Story, dict[str, Snapshot], Path]:
    assets = tmp_path / "full.assets"
    for name, size in (("avatar-anna.png", (96, 96)), ("thumb-video.png", (480, 360))):
        png(assets / name, size)
    png(assets / "photo.png", (800, 600))
    story, snapshots = full_story()
    return story, snapshots, assets


def _outputs(
    story: Story, snapshots: dict[str, Snapshot], assets: Path, *, plain: bool, theme: Path | None
) -> list[str]:
    """Render every HTML output of ``story`` in every mode, with one kind of environment."""
    env = make_environment(theme, plain=plain)
    registry = ProviderRegistry.builtin()
    outputs = []
    for mode in EmbedMode:
        for assets_mode, shared in (("copy", False), ("inline", True)):
            linker = AssetLinker(assets, assets_mode, share_inline=shared)
            view = StoryViewBuilder(story, snapshots, registry, linker, mode).build()
            for template in (PAGE_TEMPLATE, FRAGMENT_TEMPLATE, EMBED_TEMPLATE):
                outputs.append(render_html(env, template, view))
            entry = entry_renderer(env, view)
            outputs += [entry(card) for card in view.cards]
    return outputs


@pytest.mark.parametrize("which", ["full", "example", "long"])
def test_pages_render_as_with_jinjas_sandbox_and_every_include(tmp_path: Path, which: str) -> None:
    story, snapshots, assets = {
        "full": lambda: _full(tmp_path),
        "example": lambda: _example(tmp_path, 14),
        "long": lambda: _example(tmp_path, 300),
    }[which]()
    quick = _outputs(story, snapshots, assets, plain=False, theme=None)
    assert quick == _outputs(story, snapshots, assets, plain=True, theme=None)
    assert any('class="sb-card' in html for html in quick)


def test_a_themes_partials_are_still_the_ones_rendered(tmp_path: Path) -> None:
    """A theme's ``partials/card_head.html`` (and one nested in card_media) keeps its say."""
    theme = tmp_path / "theme" / "partials"
    theme.mkdir(parents=True)
    (theme / "card_head.html").write_text('<p class="my-head">{{ item.mark }}</p>\n')
    (theme / "card_image.html").write_text('<i class="my-image"></i>')
    story, snapshots, assets = _full(tmp_path)
    quick = _outputs(story, snapshots, assets, plain=False, theme=theme.parent)
    assert quick == _outputs(story, snapshots, assets, plain=True, theme=theme.parent)
    page = quick[0]
    assert 'class="my-head"' in page
    assert 'class="my-image"' in page
    assert 'class="sb-avatar' not in page  # the built-in card_head's


def test_the_built_in_cards_need_two_includes_each(tmp_path: Path) -> None:
    """A card's entry (the preview's unit) and its template by provider stay includes."""
    env = make_environment()
    assert env.loader is not None
    items = env.loader.get_source(env, "partials/items.html")[0]
    entry = env.loader.get_source(env, "partials/entry.html")[0]
    card = env.loader.get_source(env, "items/default.html")[0]
    assert re.findall(r"\{% include [^%]*%\}", items) == ['{% include "partials/entry.html" %}']
    assert re.findall(r"\{% include [^%]*%\}", entry) == ["{% include item_template(item) %}"]
    assert "{% include" not in card


# -- notes: plain text skips the Markdown parser --------------------------------------

_PIECES = [
    *"ab cdé\n\n\n  !\"'#$%&()*+,-./:;<=>?@[\\]^_`{|}~0123456789\t\r\0",
    *"\u00a0\u2028\x1c\x0b\x0c\u3000",
    "1.",
    "1)",
    "Hej",
    "https://x.example/a_b?c=d&e",
    "---",
    "===",
    "    ",
    "- ",
    "+ ",
    "# ",
    "> ",
    "&amp;",
    "&copy;",
    "```",
    "~~~",
    "<b>",
    "**",
]


def _quick_path_taken_agrees_with_the_parser(
    quick_path: Callable[[str], str | None], note: Callable[[random.Random], str]
) -> int:
    """Compare ``quick_path`` with markdown-it on 40,000 generated notes; count those it took."""
    rng = random.Random(14)
    taken = 0
    for _ in range(40_000):
        text = note(rng)
        quick = quick_path(text)
        if quick is not None:
            taken += 1
            assert quick == markdown_parser().render(text, {}), repr(text)
    return taken


def test_plain_notes_give_what_the_markdown_parser_gives() -> None:
    def note(rng: random.Random) -> str:
        return "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 14)))

    taken = _quick_path_taken_agrees_with_the_parser(plain_markdown_html, note)
    assert taken > 3_000  # the comparison really ran on many texts


@pytest.mark.parametrize(
    "note",
    [
        "Morgonkaffet och de första namnlapparna – stämningen var avspänd från start.",
        'She said "hello" (twice): 100% sure; see https://example.org/a-b #tag @who!',
        "Two lines\nof one paragraph.\n\nAnd a second paragraph.\n",
        "2017 was the year.",
    ],
)
def test_everyday_notes_take_the_quick_path(note: str) -> None:
    assert plain_markdown_html(note) is not None
    assert render_markdown(note) == markdown_parser().render(note, {})


@pytest.mark.parametrize(
    "note",
    ["a *b*", "a_b_", "[x](https://e.example)", "1. one", "- item", "# h", "a  \nb", " a", "a&b"],
)
def test_notes_with_markup_go_to_the_parser(note: str) -> None:
    assert plain_markdown_html(note) is None


_WORDS = ["a", "ord", "é", "2017", "ß", "x-y", 'a"b', "(c)", "d.", "e:", "#f", "1.", "-", "+"]
_WORDS += ["=", "'g'", "h!", '"', "", "a_b", "[x]", "`", "``", "`#tag`", "`a b`", "` a`", "*"]
_GAPS = [" ", " ", " ", "\n", "\n\n", "  ", "\u00a0", "", ".", ", ", ") ", "(", "!", ":", "\t", "`"]


def _marked_up_note(rng: random.Random) -> str:
    """Words and gaps, some words in stars (mostly paired) or backticks."""
    parts = []
    for _ in range(rng.randint(1, 6)):
        word = rng.choice(_WORDS)
        chance = rng.random()
        if chance < 0.4:  # emphasis over one or two words
            inner = word + (rng.choice(_GAPS) + rng.choice(_WORDS) if rng.random() < 0.4 else "")
            opener = rng.choice(["*", "**", "***", "*", "**"])
            closer = opener if rng.random() < 0.85 else rng.choice(["*", "**"])
            word = opener + inner + closer
        elif chance < 0.6:  # code
            word = rng.choice(["`", "``"]) + word + rng.choice(["`", "`", "``"])
        parts += [word, rng.choice(_GAPS)]
    return "".join(parts)


def test_notes_with_simple_markup_give_what_the_markdown_parser_gives() -> None:
    taken = _quick_path_taken_agrees_with_the_parser(simple_markup_html, _marked_up_note)
    assert taken > 300  # the comparison really ran on many texts


@pytest.mark.parametrize(
    "note",
    [
        "i stället **fredagen den 13 januari 2017** på Maria 01",
        "om *slow content*: texter och poddar\nsom *håller*.\n\n**Två** stycken (ett *till*)",
        "samlades under taggen `#anksome`.\n",
        "**ett `kod` två**",
    ],
)
def test_notes_in_bold_italics_or_code_take_the_quick_path(note: str) -> None:
    assert simple_markup_html(note) is not None
    assert render_markdown(note) == markdown_parser().render(note, {})


@pytest.mark.parametrize(
    "note",
    [
        *(
            "x **a*",
            "**a**b",
            "a*b*",
            "* item",
            "***a***",
            "*a*_b_",
            "**a** [x](https://e.example)",
        ),
        *("`a*b`", "``a``", "```\ncode\n```", "` a `", "`a"),
    ],
)
def test_other_stars_backticks_and_markup_go_to_the_parser(note: str) -> None:
    assert simple_markup_html(note) is None


# -- heading anchors ------------------------------------------------------------------


def _anchor_by_counting(text: str, taken: set[str]) -> str:
    """The first free ``base``, ``base-2``, ``base-3``... tried one by one."""
    base = re.sub(r"[^\w]+", "-", text.casefold()).strip("-_") or "section"
    anchor, number = base, 2
    while anchor in taken:
        anchor, number = f"{base}-{number}", number + 1
    taken.add(anchor)
    return anchor


def test_repeated_headings_get_the_ids_counting_one_by_one_gives() -> None:
    rng = random.Random(3)
    words = ["A", "a-2", "a 3", "Item 3", "b-2-2", "b", "b 2", "", "-", "a-2-2", "Section"]
    for _ in range(2_000):
        headings = [rng.choice(words) for _ in range(rng.randint(1, 30))]
        slow = {f"item-{n}" for n in range(1, 6)}
        quick, tried = set(slow), dict[str, int]()
        expected = [_anchor_by_counting(text, slow) for text in headings]
        assert [heading_anchor(text, quick, tried) for text in headings] == expected


# -- card views made as the output is written ------------------------------------------


def _streamed_and_built(
    story: Story, snapshots: dict[str, Snapshot], assets: Path, theme: Path | None
) -> tuple[list[str], list[str]]:
    """Every HTML output rendered from the streamed view and from the view built whole."""
    env = make_environment(theme)
    registry = ProviderRegistry.builtin()
    streamed, built = [], []
    for mode in EmbedMode:
        for assets_mode, shared in (("copy", False), ("inline", True)):
            for outputs, make in ((streamed, "stream"), (built, "build")):
                linker = AssetLinker(assets, assets_mode, share_inline=shared)
                builder = StoryViewBuilder(story, snapshots, registry, linker, mode)
                view = getattr(builder, make)()
                for template in (PAGE_TEMPLATE, FRAGMENT_TEMPLATE):
                    outputs.append("".join(html_pieces(env, template, view)))
                outputs.append(pictures_style(env, view))
                outputs.append(repr((list(view.unresolved), linker.used)))
    return streamed, built


@pytest.mark.parametrize("which", ["full", "example"])
def test_a_streamed_view_renders_as_the_view_built_whole(tmp_path: Path, which: str) -> None:
    story, snapshots, assets = _full(tmp_path) if which == "full" else _example(tmp_path, 40)
    streamed, built = _streamed_and_built(story, snapshots, assets, theme=None)
    assert streamed == built
    assert any("sb-pic" in html for html in streamed)  # shared pictures, above the cards


def test_a_theme_reading_what_is_gathered_first_gets_it_whole(tmp_path: Path) -> None:
    """Scripts, hosts and pictures read before the cards, items read twice and by index."""
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "fragment.html").write_text(
        "{{ story.provider_scripts | join(',') }} {{ story.player_hosts | join(',') }}"
        " {{ story.unresolved | length }} {{ story.shared_pictures | length }}"
        " {{ story.items[1].kind }} {{ story.cards | length }}\n"
        "{% for item in story.items %}{{ item.kind }}{{ story.unresolved | length }}"
        "{% endfor %}\n{% for item in story.items %}{{ item.kind }}{% endfor %}\n"
        '{% include "partials/items.html" %}'
    )
    story, snapshots, assets = _full(tmp_path)
    streamed, built = _streamed_and_built(story, snapshots, assets, theme=theme)
    assert streamed == built
    assert any("https://" in html.partition("\n")[0] for html in streamed)


def test_a_streamed_page_holds_few_card_views_at_once(tmp_path: Path) -> None:
    story, snapshots, assets = _example(tmp_path, 600)
    linker = AssetLinker(assets, "inline", share_inline=True)
    view = StoryViewBuilder(story, snapshots, ProviderRegistry.builtin(), linker).stream()
    env = make_environment()
    gc.collect()
    alive = []
    pieces = generate_template(env, FRAGMENT_TEMPLATE, template_context(env, view))
    for number, _ in enumerate(pieces):  # a card's entry is one piece; its section's text others
        if number % 100 == 0:
            alive.append(sum(isinstance(thing, CardView) for thing in gc.get_objects()))
    cards = sum(isinstance(item, UrlItem) for item in story.items)
    assert len(alive) > 5
    assert max(alive) < cards / 10


# -- printed values escaped once, by finalize -----------------------------------------

_PRINTING = (
    "<p title='{{ hostile }}'>{{ hostile }} {{ hostile | upper }} {{ safe_html }} {{ number }}"
    " {{ none_value }} {{ '<b>' ~ hostile }} {{ hostile if number else safe_html }}</p>\n"
    "{% autoescape false %}{{ hostile }} {{ safe_html }}{% endautoescape %}\n"
    "{% autoescape flag %}{{ hostile }} {{ safe_html }}{% endautoescape %}\n"
    "{% macro shown(value) %}[{{ value }}]{% endmacro %}{{ shown(hostile) }}"
    "{% set caught %}{{ hostile }}{% endset %}{{ caught }}\n"
)


@pytest.mark.parametrize("flag", [True, False])
def test_values_print_as_jinjas_code_prints_them(tmp_path: Path, flag: bool) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "printing.html").write_text(_PRINTING)
    values = {
        "hostile": "<script>alert('{{x}}')</script> & [[y]] \"q\"",
        "safe_html": Markup("<em>kept</em> {% raw %}"),
        "number": 3,
        "none_value": None,
        "flag": flag,
    }
    quick = make_environment(theme).get_template("printing.html").render(values)
    plain = make_environment(theme, plain=True).get_template("printing.html").render(values)
    assert quick == plain
    assert "<script>" not in quick.partition("\n")[0]
    assert "&lt;script&gt;" in quick


def test_the_quick_code_leaves_escaping_to_finalize() -> None:
    env = make_environment()
    code = env.compile("{{ a }}{% autoescape false %}{{ b }}{% endautoescape %}", raw=True)
    assert "yield environment.escape_text(" in code
    assert "escape(" not in code.partition("yield str(")[0]
    assert "escape(" in make_environment(plain=True).compile("{{ a }}", raw=True)


# -- includes: a loop's include handed on as one piece ---------------------------------

_INCLUDING = {
    "including.html": (
        "{% for row in rows %}"
        "{% if row.n is odd %}{% include 'row.html' %}{% else %}<p>{% include 'row.html' %}</p>"
        "{% endif %}"
        "{% set kept %}{% include 'row.html' %}{% endset %}[{{ kept | length }}]"
        "{% include 'missing.html' ignore missing %}"
        "{% include 'plain_row.html' without context %}"
        "{% include ['nope.html', 'row.html'] %}{% include row_template %}"
        "{% endfor %}\n"
        "{% include 'row.html' %}\n"
        "{% macro boxed(row) %}<b>{% include 'row.html' %}</b>{% endmacro %}"
        "{% for row in rows %}{{ boxed(row) }}{% endfor %}\n"
        "{% set all %}{% for row in rows %}{% include 'row.html' %}{% endfor %}{% endset %}"
        "<all>{{ all }}</all>\n"
    ),
    "row.html": "<i>{{ row.n if row is defined else 'none' }} {{ hostile }}"
    "{% if loop is defined %} {{ loop.index }}{% endif %}</i>",
    "plain_row.html": "<u>{{ hostile is defined }}</u>",
}


def _including_theme(tmp_path: Path) -> Path:
    theme = tmp_path / "theme"
    theme.mkdir()
    for name, source in _INCLUDING.items():
        (theme / name).write_text(source)
    return theme


def test_includes_render_as_jinjas_code_renders_them(tmp_path: Path) -> None:
    theme = _including_theme(tmp_path)
    values = {
        "rows": [{"n": n} for n in range(1, 5)],
        "hostile": "<script>&</script>",
        "row_template": "plain_row.html",
    }
    quick = make_environment(theme).get_template("including.html").render(values)
    plain = make_environment(theme, plain=True).get_template("including.html").render(values)
    assert quick == plain
    assert "<p><i>2 &lt;script&gt;&amp;&lt;/script&gt;</i></p>[43]" in quick
    assert "<b><i>2 " in quick
    assert "<all><i>1 " in quick


def test_a_loops_include_goes_up_as_one_piece(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "list.html").write_text("{% for row in rows %}{% include 'row.html' %}{% endfor %}")
    (theme / "row.html").write_text("<i>{{ row }}</i> <b>{{ row }}</b> <u>{{ row }}</u>")
    values = {"rows": list(range(50))}
    quick = list(make_environment(theme).get_template("list.html").generate(values))
    plain = list(make_environment(theme, plain=True).get_template("list.html").generate(values))
    assert "".join(quick) == "".join(plain)
    assert len(quick) == 50
    assert len(plain) > 5 * 50
