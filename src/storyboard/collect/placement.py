"""Where collected posts go in a story: among its posts in time order, not all at the end.

A second ``collect`` run often finds posts older than some already in the story (a
server that answered late, a wider search). Each goes before the first item of its
section posted after it; items with no known date are never compared with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from storyboard.model.story import HeadingItem, Item, UrlItem

#: The moment an item was posted, by its URL (None: not known).
PublishedOf = Callable[[str], dt.datetime | None]


def as_moment(value: dt.date | dt.datetime | None) -> dt.datetime | None:
    """Return a comparable UTC moment: a day alone counts from its start."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def section_range(items: Sequence[Item], heading: str | None) -> tuple[int, int] | None:
    """Return the items ``[start, end)`` of the heading's section (whole story: None).

    None too when the heading is not in the story: the posts then open a new section.
    """
    if heading is None:
        return 0, len(items)
    wanted = " ".join(heading.casefold().split())
    for index, item in enumerate(items):
        if isinstance(item, HeadingItem) and " ".join(item.heading.casefold().split()) == wanted:
            end = next(
                (i for i in range(index + 1, len(items)) if isinstance(items[i], HeadingItem)),
                len(items),
            )
            return index + 1, end
    return None


def chronological_position(
    items: Sequence[Item],
    when: dt.datetime | None,
    published_of: PublishedOf,
    span: tuple[int, int],
) -> int:
    """Return how many items come before a post from ``when`` within ``span`` of the story."""
    start, end = span
    if when is None:
        return end
    for index in range(start, end):
        item = items[index]
        if isinstance(item, UrlItem):
            posted = published_of(item.url)
            if posted is not None and posted > when:
                return index
    return end
