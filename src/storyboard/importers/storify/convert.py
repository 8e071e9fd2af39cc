"""Turn a decoded export (any format, any API version) into a story and its snapshots."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from storyboard.clock import utc_now
from storyboard.errors import Problem
from storyboard.importers.storify.detect import read_export_file
from storyboard.importers.storify.elements import ElementMapper
from storyboard.importers.storify.shapes import locate_story, story_elements, story_fields
from storyboard.importers.storify.values import http_url
from storyboard.language_guess import guess_language
from storyboard.model.snapshot import Snapshot
from storyboard.model.story import Story


@dataclass(frozen=True)
class StorifyImport:
    """A parsed export: the story, one snapshot per distinct URL, and what was odd."""

    story: Story
    snapshots: list[Snapshot]
    warnings: list[Problem]
    #: Where the story was on Storify, if the export says.
    permalink: str | None = None
    #: "JSON", "JSONP", "XML" or "HTML": what the file turned out to be.
    format: str = "JSON"
    #: Pictures saved beside an HTML export: reference in the page -> file.
    local_pictures: dict[str, Path] = field(default_factory=dict)


def read_storify_export(
    path: Path, *, lang: str | None = None, now: dt.datetime | None = None
) -> StorifyImport:
    """Read and convert the export at ``path``; raise ``UsageError`` naming what is wrong."""
    export = read_export_file(path)
    imported = parse_storify_export(
        export.document,
        source=str(path),
        lang=lang,
        now=now,
        fallback_title=_title_of(path),
        local_pictures=export.local_pictures,
    )
    return StorifyImport(
        imported.story,
        imported.snapshots,
        export.warnings + imported.warnings,
        imported.permalink,
        export.format,
        export.local_pictures,
    )


def parse_storify_export(
    document: object,
    *,
    source: str,
    lang: str | None = None,
    now: dt.datetime | None = None,
    fallback_title: str = "Imported story",
    local_pictures: dict[str, Path] | None = None,
) -> StorifyImport:
    """Convert a decoded export; ``source`` names the file in problems.

    Without ``lang``, the story's language is guessed from its own words and its posts'.
    """
    content, prefix = locate_story(document, source)
    fields = story_fields(content)
    permalink = http_url(fields.permalink)
    mapper = ElementMapper(
        source,
        now or utc_now(),
        permalink=permalink,
        local_pictures=local_pictures or {},
    )
    for where, element in story_elements(content, prefix, source):
        mapper.element(where, element)
    title = fields.title
    if title is None:
        title = fallback_title
        mapper.warn(f"{prefix}title", f"no title; using {title!r}")
    if lang is None:
        lang = guess_language(_story_words(title, fields.description, mapper))
    story = Story(
        title=title,
        description=fields.description or "",
        date=fields.date,
        lang=lang,
        author=fields.author,
        items=mapper.items,
    )
    return StorifyImport(
        story,
        list(mapper.snapshots.values()),
        mapper.warnings,
        permalink,
        local_pictures=dict(local_pictures or {}),
    )


def _story_words(title: str, description: str | None, mapper: ElementMapper) -> list[str]:
    """Return the texts a story's language shows in: its title, prose and posts."""
    texts = [title, description or ""]
    for item in mapper.items:
        texts += [getattr(item, name, None) or "" for name in ("heading", "text", "note")]
    for snapshot in mapper.snapshots.values():
        if snapshot.card is not None:
            texts += [snapshot.card.text_html or "", snapshot.card.description or ""]
    return texts


def _title_of(path: Path) -> str:
    words = re.sub(r"[-_.\s]+", " ", path.stem).strip()
    return (words[:1].upper() + words[1:]) if words else "Imported story"
