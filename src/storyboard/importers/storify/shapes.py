"""Where the story and its elements are in each shape of export Storify's API served.

- The 2013-2018 API and the 2017 JSON export: ``{"content": {...story...}}``, the
  elements in ``content.elements`` (a list).
- The 2010-2012 API (``/user/story.json``): the story object itself, its
  ``elements`` a list or an object keyed ``"0"``, ``"1"``...; its date in
  ``published_at`` (epoch seconds).
- The elements call of that API (``/user/story/elements.json``): a bare list.

The XML and HTML readers build the same shapes, so one reader maps them all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from storyboard.errors import Problem, UsageError
from storyboard.importers.storify.values import as_object, describe, first, plain_text, timestamp


@dataclass(frozen=True)
class StoryFields:
    """The story-level fields of an export, read from wherever its shape keeps them."""

    title: str | None
    description: str | None
    author: str | None
    date: dt.date | None
    permalink: object


def locate_story(document: object, source: str) -> tuple[dict[str, Any], str]:
    """Return the story object of a decoded export and the path prefix of its fields."""
    if isinstance(document, list) and document and all(_looks_like_element(e) for e in document):
        return {"elements": document}, ""
    if not isinstance(document, dict):
        raise _error(
            source, "", f"expected a Storify export (a JSON object), got {describe(document)}"
        )
    content = document.get("content")
    if isinstance(content, dict):
        return content, "content."
    if content is not None:
        raise _error(source, "content", f"expected an object, got {describe(content)}")
    if "elements" in document:  # the story object itself, without the API's envelope
        return document, ""
    keys = ", ".join(repr(k) for k in list(document)[:4]) or "no keys"
    raise _error(
        source,
        "",
        f"a JSON object ({keys}), but not a Storify story: no 'content' with the story's elements",
    )


def story_fields(content: dict[str, Any]) -> StoryFields:
    """Read title, description, author and date from any shape's story object."""
    dates = as_object(content.get("date"))
    date = None
    for value in (
        dates.get("published"),
        dates.get("created"),
        content.get("published_at"),
        content.get("created_at"),
        content.get("date") if not dates else None,
    ):
        date = timestamp(value)
        if date is not None:
            break
    author = content.get("author")
    author_object = as_object(author)
    return StoryFields(
        title=plain_text(content.get("title")),
        description=plain_text(content.get("description")),
        author=plain_text(first(author_object.get("name"), author_object.get("username")))
        or (plain_text(author) if isinstance(author, str) else None),
        date=date.date() if isinstance(date, dt.datetime) else date,
        permalink=content.get("permalink"),
    )


def story_elements(content: dict[str, Any], prefix: str, source: str) -> Iterator[tuple[str, Any]]:
    """Yield (path, element) in story order, from a list or an object keyed "0", "1"..."""
    where = f"{prefix}elements"
    elements = content.get("elements")
    if elements is None:
        raise _error(source, where, "missing: the export has no elements")
    if isinstance(elements, list):
        for index, element in enumerate(elements):
            yield f"{where}[{index}]", element
        return
    if not isinstance(elements, dict):
        raise _error(source, where, f"expected a list or an object, got {describe(elements)}")
    for key in elements:
        if not (isinstance(key, str) and key.isdigit()):
            raise _error(source, where, f"key {key!r} is not an element number")
    for key in sorted(elements, key=int):
        yield f"{where}[{key}]", elements[key]


def _looks_like_element(value: object) -> bool:
    return isinstance(value, dict) and any(
        key in value for key in ("elementClass", "type", "permalink", "data")
    )


def _error(source: str, where: str, message: str) -> UsageError:
    return UsageError(str(Problem(source, None, None, where, message)))
