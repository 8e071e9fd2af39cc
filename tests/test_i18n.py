"""UI strings per language, with fallback, and dates written the reader's way."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyboard import i18n
from storyboard.errors import RenderError
from storyboard.i18n import (
    available_languages,
    babel_locale,
    format_date,
    og_locale,
    resolve_language,
    translate,
    ui_strings,
)

from .cli_runner import invoke

LOCALES = Path(i18n.__file__).resolve().parent / "locales"
FRIDAY = dt.date(2017, 1, 13)


def placeholders(text: str) -> set[str]:
    """Return the ``{name}`` fields of a UI string."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_shipped_languages() -> None:
    assert {"en", "sv", "fi"} <= set(available_languages())


def test_available_languages_are_exactly_the_locale_files() -> None:
    assert available_languages() == sorted(path.stem for path in LOCALES.glob("*.json"))


@pytest.mark.parametrize("lang", [p.stem for p in sorted(LOCALES.glob("*.json")) if p.stem != "en"])
def test_every_language_has_every_string_with_the_same_fields(lang: str) -> None:
    english = json.loads((LOCALES / "en.json").read_text(encoding="utf-8"))
    other = json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))
    assert babel_locale(lang).language == lang  # Babel writes its dates

    assert set(other) == set(english)
    for key, text in english.items():
        assert placeholders(other[key]) == placeholders(text), key
        assert other[key].strip(), key


def test_strings_are_in_the_language_asked_for() -> None:
    assert ui_strings("en")["load_video"] == "Load video from {provider}"
    assert ui_strings("sv")["load_video"] == "Ladda videon från {provider}"
    assert ui_strings("fi")["load_video"] == "Lataa video palvelusta {provider}"
    assert ui_strings("sv")["view_on"].format(provider="YouTube") == "Visa på YouTube"


@pytest.mark.parametrize(
    ("lang", "served"),
    [
        ("sv", "sv"),
        ("sv-FI", "sv"),
        ("sv_FI", "sv"),
        ("SV", "sv"),
        ("fi-FI", "fi"),
        ("de", "en"),
        ("en-GB", "en"),
        ("", "en"),
    ],
)
def test_language_falls_back_to_its_primary_subtag_then_english(lang: str, served: str) -> None:
    assert resolve_language(lang) == served
    assert ui_strings(lang) == ui_strings(served)


def test_ui_strings_are_read_only() -> None:
    with pytest.raises(TypeError):
        ui_strings("en")["view_on"] = "x"  # type: ignore[index]


@pytest.fixture
def extra_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Return a copy of the locales folder the module reads, to add a language to."""
    folder = tmp_path / "locales"
    shutil.copytree(LOCALES, folder)
    monkeypatch.setattr(i18n, "_locales_dir", lambda: folder)
    i18n.ui_strings.cache_clear()
    i18n._load_strings.cache_clear()
    yield folder
    i18n.ui_strings.cache_clear()
    i18n._load_strings.cache_clear()


def test_adding_a_language_is_adding_one_file(extra_language: Path) -> None:
    (extra_language / "de.json").write_text(
        json.dumps({"view_on": "Auf {provider} ansehen"}), encoding="utf-8"
    )

    assert "de" in available_languages()
    strings = ui_strings("de-AT")
    assert strings["view_on"] == "Auf {provider} ansehen"
    assert strings["load_video"] == "Load video from {provider}"  # missing keys: English
    assert format_date(FRIDAY, "de") == "Freitag, 13. Januar 2017"


def test_translate_fills_in_values() -> None:
    assert translate("fi", "view_on", provider="YouTube") == "Katso palvelussa YouTube"
    with pytest.raises(RenderError, match="no_such_key"):
        translate("en", "no_such_key")


def test_a_broken_translation_falls_back_to_english(extra_language: Path) -> None:
    (extra_language / "de.json").write_text(
        json.dumps({"view_on": "Auf {anbieter} ansehen"}), encoding="utf-8"
    )

    assert translate("de", "view_on", provider="YouTube") == "View on YouTube"


@pytest.mark.parametrize(
    ("lang", "full", "medium"),
    [
        ("sv", "fredag 13 januari 2017", "13 jan. 2017"),
        ("fi", "perjantai 13. tammikuuta 2017", "13.1.2017"),
        ("en", "Friday, January 13, 2017", "Jan 13, 2017"),
        ("sv-FI", "fredag 13 januari 2017", "13 jan. 2017"),
    ],
)
def test_dates_are_written_the_readers_way(lang: str, full: str, medium: str) -> None:
    assert format_date(FRIDAY, lang) == full
    assert format_date(FRIDAY, lang, "medium") == medium


def test_datetimes_are_shown_as_their_date() -> None:
    moment = dt.datetime(2017, 1, 13, 23, 59, tzinfo=dt.UTC)
    assert format_date(moment, "en", "medium") == "Jan 13, 2017"


def test_unknown_language_dates_fall_back_to_english() -> None:
    assert format_date(FRIDAY, "xx-nope") == "Friday, January 13, 2017"


@pytest.mark.parametrize(
    ("lang", "expected"), [("sv", "sv_SE"), ("fi", "fi_FI"), ("en", "en_US"), ("sv-FI", "sv_FI")]
)
def test_open_graph_locale(lang: str, expected: str) -> None:
    assert og_locale(lang) == expected


def test_unknown_language_is_a_story_error_listing_the_languages(tmp_path: Path) -> None:
    story = tmp_path / "story.yaml"
    story.write_text("title: T\nlang: xx\nitems: []\n", encoding="utf-8")

    result = invoke(["check", str(story)])

    assert result.exit_code == 2
    available = ", ".join(available_languages())
    assert f"story.yaml:2:7: lang: unknown language 'xx'; available: {available}" in result.stderr
    assert "en, fi, sv" in available
