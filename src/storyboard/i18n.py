"""Languages of the page: UI strings (one JSON file per language) and localized dates.

Adding a language is adding one ``locales/<code>.json`` file; keys it lacks fall
back to English, and dates come from Babel's CLDR data for that code.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Mapping
from functools import cache, lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Literal

from babel.core import Locale, UnknownLocaleError, get_global
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time

from storyboard.errors import RenderError

#: The language every other one falls back to, key by key.
FALLBACK_LANGUAGE = "en"

DateFormat = Literal["full", "long", "medium", "short"]


def _locales_dir() -> Traversable:
    return files("storyboard") / "locales"


def available_languages() -> list[str]:
    """Return the language codes that have a UI strings file, sorted."""
    folder = _locales_dir()
    names = (p.name for p in folder.iterdir())
    return sorted(name.removesuffix(".json") for name in names if name.endswith(".json"))


def _subtags(lang: str) -> list[str]:
    """Return ``lang`` and its primary subtag, normalized ("sv_FI" -> ["sv-fi", "sv"])."""
    code = lang.strip().replace("_", "-").lower()
    primary = code.split("-", 1)[0]
    return [code, primary] if primary != code else [code]


def resolve_language(lang: str) -> str:
    """Return the available language that serves ``lang`` (itself, its primary subtag, or en)."""
    available = {code.lower(): code for code in available_languages()}
    for candidate in _subtags(lang):
        if candidate in available:
            return available[candidate]
    return FALLBACK_LANGUAGE


@cache
def _load_strings(code: str) -> dict[str, str]:
    resource = _locales_dir() / f"{code}.json"
    if not resource.is_file():
        return {}
    data = json.loads(resource.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        return {}
    return {str(key): str(value) for key, value in data.items()}


@cache
def ui_strings(lang: str) -> Mapping[str, str]:
    """Return every UI string for ``lang``; keys it lacks come from English."""
    merged = dict(_load_strings(FALLBACK_LANGUAGE))
    merged.update(_load_strings(resolve_language(lang)))
    return MappingProxyType(merged)


def translate(lang: str, key: str, **values: object) -> str:
    """Return the UI string ``key`` in ``lang`` with its ``{fields}`` filled from ``values``."""
    strings = ui_strings(lang)
    if key not in strings:
        raise RenderError(f"no UI string named {key!r}")
    try:
        return strings[key].format(**values)
    except (KeyError, IndexError, ValueError):
        # A translation with a broken placeholder: the English string beats a crash.
        return ui_strings(FALLBACK_LANGUAGE)[key].format(**values)


def translate_plural(lang: str, key: str, count: int, **values: object) -> str:
    """Return ``key`` in the plural form ``count`` takes in ``lang`` (CLDR's rules, by Babel).

    The strings file holds ``key.one``, ``key.other`` (and ``key.few``... where a language
    has them); a form it lacks falls back to ``key.other``.
    """
    form = babel_locale(lang).plural_form(count)
    strings = ui_strings(lang)
    name = f"{key}.{form}" if f"{key}.{form}" in strings else f"{key}.other"
    return translate(lang, name, count=count, **values)


@cache  # parsing a locale costs tens of microseconds; a page asks for it per date
def babel_locale(lang: str) -> Locale:
    """Return the Babel locale for ``lang``, falling back to its primary subtag, then English."""
    for candidate in _subtags(lang):
        try:
            return Locale.parse(candidate, sep="-")
        except (ValueError, UnknownLocaleError):
            continue
    return Locale.parse(FALLBACK_LANGUAGE)


def format_date(value: dt.date | dt.datetime, lang: str, format: DateFormat = "full") -> str:
    """Return ``value`` as a date written the way readers of ``lang`` write it."""
    day = value.date() if isinstance(value, dt.datetime) else value
    return _format_day(day, lang, format)


@lru_cache(maxsize=1024)  # a story's posts share a few days; Babel takes ~40 us a date
def _format_day(day: dt.date, lang: str, format: DateFormat) -> str:
    return str(babel_format_date(day, format=format, locale=babel_locale(lang)))


def local_time(value: dt.datetime, timezone: str) -> dt.datetime:
    """Return ``value`` in ``timezone`` (an IANA name); a naive value is taken as UTC."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(zoneinfo.ZoneInfo(timezone))


def format_date_time(value: dt.datetime, lang: str) -> str:
    """Return a date and time of day as readers of ``lang`` write them ("13.1.2017 klo 1.30")."""
    locale = babel_locale(lang)
    day = babel_format_date(value.date(), format="medium", locale=locale)
    time = babel_format_time(value.timetz(), format="short", locale=locale)
    pattern = str(locale.datetime_formats["medium"])
    return pattern.replace("{1}", str(day)).replace("{0}", str(time))


def og_locale(lang: str) -> str:
    """Return the OpenGraph locale for ``lang`` ("sv" -> "sv_SE", "en" -> "en_US")."""
    locale = babel_locale(lang)
    if locale.territory:
        return f"{locale.language}_{locale.territory}"
    likely: Mapping[str, str] = get_global("likely_subtags")
    parts = likely.get(locale.language, locale.language).split("_")
    territory = next((p for p in parts[1:] if len(p) == 2 and p.isupper()), None)
    return f"{locale.language}_{territory}" if territory else locale.language
