"""Write a whole story (an import) as a readable story file that loads back the same."""

from __future__ import annotations

from typing import Any

from storyboard.model.story import HeadingItem, Item, Story
from storyboard.storyfile.loader import parse_story
from storyboard.storyfile.yaml_text import comment_line, yaml_scalar


def dump_story_text(story: Story, *, header: str = "", path: str = "STORY.yaml") -> str:
    """Return ``story`` as a readable story file, checked to load back as the same story."""
    lines = [f"# {comment_line(line)}".rstrip() for line in header.splitlines()]
    if lines:
        lines.append("")
    lines.append(f"title: {yaml_scalar(story.title, indent=2)}")
    if story.description:
        lines.append(f"description: {yaml_scalar(story.description, indent=2)}")
    if story.date:
        lines.append(f"date: {story.date.isoformat()}")
    lines.append(f"lang: {yaml_scalar(story.lang, indent=2)}")
    if story.author:
        lines.append(f"author: {yaml_scalar(story.author, indent=2)}")
    if story.tags:
        lines.append("tags:")
        lines.extend(f"  - {yaml_scalar(tag, indent=4)}" for tag in story.tags)
    options = story.options.model_dump(mode="json", exclude_defaults=True)
    if options:
        lines.append("options:")
        for key, value in options.items():
            scalar = str(value) if isinstance(value, int) else yaml_scalar(value, indent=4)
            lines.append(f"  {key}: {scalar}")
    lines.append("items:" if story.items else "items: []")
    for index, item in enumerate(story.items):
        if isinstance(item, HeadingItem) and index:
            lines.append("")  # a blank line before each section reads well
        lines.extend(_item_lines(item))
    text = "\n".join(lines) + "\n"
    loaded = parse_story(text, path=path).story
    if loaded != story:
        raise AssertionError("the story file does not load back as the same story")
    return text


def _item_lines(item: Item) -> list[str]:
    fields: dict[str, Any] = item.model_dump(mode="json", exclude_none=True)
    kind = next(key for key in ("heading", "text", "url") if key in fields)
    keys = [kind, *(key for key in fields if key != kind)]
    out = []
    for number, key in enumerate(keys):
        prefix = "  - " if number == 0 else "    "
        out.append(f"{prefix}{key}: {yaml_scalar(str(fields[key]), indent=6)}")
    return out
