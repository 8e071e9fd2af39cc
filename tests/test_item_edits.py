"""Moving, deleting, inserting and updating items keeps every untouched byte of the file."""

from __future__ import annotations

import pytest

from storyboard.errors import UsageError
from storyboard.model.story import HeadingItem, TextItem, UrlItem
from storyboard.storyfile.insert import add_items_to_text, insert_items
from storyboard.storyfile.item_edits import (
    delete_item,
    move_item,
    replace_item,
    restore_item,
    update_item,
)
from storyboard.storyfile.loader import parse_story
from storyboard.storyfile.story_text import StoryText

TRICKY = """\
# The story of the meetup.
title: 'Meetup: the day'   # quoted on purpose
lang: sv
items:
  # Opening section.
  - heading: "Morning"
  - url: https://social.example/@anna/1
    # why this post
    note: >-
      A folded
      caption.
    title: 'Anna''s post'

  # A post written in flow style.
  - {url: "https://social.example/@ben/2", embed: click}   # flow
  -
    text: |
      # Not a comment: a Markdown heading.
      Second line.

  - url: https://social.example/@cia/3  # trailing comment
options:
  embed: static   # the default
"""

PATH = "story.yaml"


def items_of(text: str) -> list[object]:
    return list(parse_story(text, path=PATH).story.items)


def chunks(text: str) -> list[str]:
    return [StoryText(text, path=PATH).chunk(i) for i in range(len(items_of(text)))]


def test_spans_take_what_is_above_and_never_block_scalar_lines() -> None:
    parts = chunks(TRICKY)
    assert parts[0] == '  # Opening section.\n  - heading: "Morning"\n'
    assert parts[1].startswith("  - url: https://social.example/@anna/1\n    # why")
    assert parts[1].endswith("    title: 'Anna''s post'\n")
    assert parts[2].startswith("\n  # A post written in flow style.\n  - {url:")
    assert parts[3] == (
        "  -\n    text: |\n      # Not a comment: a Markdown heading.\n      Second line.\n"
    )
    assert parts[4] == "\n  - url: https://social.example/@cia/3  # trailing comment\n"


@pytest.mark.parametrize(("index", "to"), [(0, 4), (4, 0), (1, 3), (3, 1), (2, 2), (0, 1)])
def test_move_keeps_each_item_byte_for_byte(index: int, to: int) -> None:
    before = items_of(TRICKY)
    result = move_item(TRICKY, path=PATH, index=index, to=to)
    expected = [item for i, item in enumerate(before) if i != index]
    expected.insert(to, before[index])
    assert items_of(result.text) == expected
    # Same lines, only in another order: every item's chunk is there unchanged.
    old, new = chunks(TRICKY), chunks(result.text)
    assert new[to] == old[index]
    assert sorted(old) == sorted(new)
    assert result.text.splitlines()[:4] == TRICKY.splitlines()[:4]
    assert result.text.endswith("options:\n  embed: static   # the default\n")
    # The undo puts the file back as it was, byte for byte.
    undo = result.undo
    assert move_item(result.text, path=PATH, index=undo["index"], to=undo["to"]).text == TRICKY


def test_delete_then_restore_is_byte_identical() -> None:
    for index in range(5):
        result = delete_item(TRICKY, path=PATH, index=index)
        assert len(items_of(result.text)) == 4
        assert chunks(TRICKY)[index] not in result.text
        undo = result.undo
        assert undo["op"] == "restore"
        back = restore_item(result.text, path=PATH, index=undo["index"], chunk=undo["chunk"])
        assert back.text == TRICKY


def test_delete_the_only_item_leaves_an_empty_list_and_restores() -> None:
    text = "title: T\nitems:   # the posts\n  - url: https://social.example/@a/1\n"
    result = delete_item(text, path=PATH, index=0)
    assert result.text == "title: T\nitems: []   # the posts\n"
    back = restore_item(result.text, path=PATH, index=0, chunk=result.undo["chunk"])
    assert back.text == text


def test_crlf_file_stays_crlf() -> None:
    text = TRICKY.replace("\n", "\r\n")
    moved = move_item(text, path=PATH, index=4, to=0).text
    assert "\n" not in moved.replace("\r\n", "")
    inserted = insert_items(moved, path=PATH, index=2, items=[TextItem(text="One\ntwo")]).text
    assert "\n" not in inserted.replace("\r\n", "")
    assert "  - text: |\r\n      One\r\n      two\r\n" in inserted
    updated = update_item(inserted, path=PATH, index=0, changes={"note": "Hi"}).text
    assert "\n" not in updated.replace("\r\n", "")
    assert items_of(updated)[0] == UrlItem(url="https://social.example/@cia/3", note="Hi")


def test_file_without_final_newline() -> None:
    text = "title: T\nitems:\n  - heading: A\n  - url: https://social.example/@a/1"
    moved = move_item(text, path=PATH, index=1, to=0).text
    assert moved == "title: T\nitems:\n  - url: https://social.example/@a/1\n  - heading: A\n"


def test_insert_takes_the_neighbours_layout_and_quotes_what_needs_it() -> None:
    text = "title: T\nitems:\n-   url: https://social.example/@a/1\n    note: x\n"
    result = insert_items(
        text,
        path=PATH,
        index=1,
        items=[HeadingItem(heading="yes"), TextItem(text="# not: a comment")],
    )
    assert result.text == text + '-   heading: "yes"\n-   text: "# not: a comment"\n'
    assert result.undo == {"op": "delete", "index": 1, "count": 2}


def test_insert_into_empty_story() -> None:
    for empty in ("items:\n", "items: []  # none yet\n", ""):
        text = "title: T\n" + empty
        result = insert_items(text, path=PATH, index=0, items=[HeadingItem(heading="First")])
        assert items_of(result.text) == [HeadingItem(heading="First")]
        assert result.text.startswith("title: T\n")
    assert insert_items(
        "title: T\nitems: []  # none yet\n", path=PATH, index=0, items=[HeadingItem(heading="A")]
    ).text == ("title: T\nitems:  # none yet\n  - heading: A\n")


def test_update_rewrites_only_the_changed_keys() -> None:
    result = update_item(
        TRICKY, path=PATH, index=1, changes={"note": "New caption: with colon", "embed": "live"}
    )
    old_lines, new_lines = TRICKY.splitlines(), result.text.splitlines()
    assert '    note: "New caption: with colon"' in new_lines
    assert "    embed: live" in new_lines
    assert "    # why this post" in new_lines  # the comment inside the item stays
    assert "    title: 'Anna''s post'" in new_lines  # its quoting too
    # Outside the item, nothing moved.
    assert new_lines[:7] == old_lines[:7]
    assert new_lines[-9:] == old_lines[-9:]
    item = items_of(result.text)[1]
    assert item == UrlItem(
        url="https://social.example/@anna/1",
        note="New caption: with colon",
        title="Anna's post",
        embed="live",
    )
    assert replace_item(result.text, path=PATH, index=1, chunk=result.undo["chunk"]).text == TRICKY


def test_update_removes_keys_and_rewrites_a_flow_item_in_block_style() -> None:
    removed = update_item(TRICKY, path=PATH, index=1, changes={"title": None, "note": ""}).text
    assert "Anna''s" not in removed
    assert "folded" not in removed
    assert "    # why this post\n" in removed
    assert items_of(removed)[1] == UrlItem(url="https://social.example/@anna/1")
    flow = update_item(TRICKY, path=PATH, index=2, changes={"title": "Ben"}).text
    assert (
        "  # A post written in flow style.\n"
        "  - url: https://social.example/@ben/2\n    title: Ben\n    embed: click\n"
    ) in flow
    heading = update_item(TRICKY, path=PATH, index=0, changes={"heading": "Evening"}).text
    assert heading == TRICKY.replace('  - heading: "Morning"', "  - heading: Evening")
    text = update_item(TRICKY, path=PATH, index=3, changes={"text": "New *words*"}).text
    assert "  -\n    text: New *words*\n\n  - url: https://social.example/@cia/3" in text


def test_refusals_name_the_reason() -> None:
    with pytest.raises(UsageError, match="cannot set 'url' on a heading item"):
        update_item(TRICKY, path=PATH, index=0, changes={"url": "https://a.example/"})
    with pytest.raises(UsageError, match="embed"):
        update_item(TRICKY, path=PATH, index=1, changes={"embed": "sometimes"})
    with pytest.raises(UsageError, match=r"one \[\.\.\.\] list"):
        move_item("title: T\nitems: [{heading: A}, {heading: B}]\n", path=PATH, index=0, to=1)
    with pytest.raises(UsageError, match="no item 9"):
        delete_item(TRICKY, path=PATH, index=8)
    with pytest.raises(UsageError, match="not valid"):
        restore_item(TRICKY, path=PATH, index=0, chunk="  - nonsense: 1\n")
    with pytest.raises(UsageError, match="exactly one item"):
        restore_item(TRICKY, path=PATH, index=0, chunk="  - heading: A\n  - heading: B\n")


def test_update_to_the_same_value_keeps_the_key_as_written() -> None:
    same = update_item(
        TRICKY, path=PATH, index=1, changes={"title": "Anna's post", "note": "A folded caption."}
    )
    assert same.text == TRICKY
    titled = update_item(
        TRICKY, path=PATH, index=4, changes={"title": "Cia", "note": None, "embed": None}
    ).text
    assert titled == TRICKY.replace("# trailing comment\n", "# trailing comment\n    title: Cia\n")


INDENTED_COMMENT = """\
title: T
items:
  - url: https://social.example/@a/1
    # said about a: indented into it
  # said about b
  - url: https://social.example/@b/2
"""


def test_a_comment_indented_into_an_item_stays_with_it() -> None:
    # Added after a: below a's own comment, above b's.
    added = add_items_to_text(
        INDENTED_COMMENT, ["https://social.example/@n/3"], path=PATH, after=1
    ).text
    assert added == INDENTED_COMMENT.replace(
        "  # said about b\n", "  - url: https://social.example/@n/3\n  # said about b\n"
    )
    # Moved: a takes its comment along, b keeps its own; the undo gives the file back.
    moved = move_item(INDENTED_COMMENT, path=PATH, index=0, to=1)
    assert moved.text == (
        "title: T\nitems:\n  # said about b\n  - url: https://social.example/@b/2\n"
        "  - url: https://social.example/@a/1\n    # said about a: indented into it\n"
    )
    assert move_item(moved.text, path=PATH, index=1, to=0).text == INDENTED_COMMENT


def test_add_and_the_editor_insert_the_same_bytes() -> None:
    url = "https://social.example/@same/1"
    for after in range(len(items_of(TRICKY)) + 1):
        by_add = add_items_to_text(TRICKY, [url], path=PATH, after=after).text
        by_editor = insert_items(TRICKY, path=PATH, index=after, items=[UrlItem(url=url)]).text
        assert by_add == by_editor, after


def test_deleting_several_items_restores_them_byte_for_byte() -> None:
    result = delete_item(TRICKY, path=PATH, index=1, count=3)
    assert items_of(result.text) == [items_of(TRICKY)[0], items_of(TRICKY)[4]]
    assert result.undo["count"] == 3
    back = restore_item(
        result.text,
        path=PATH,
        index=result.undo["index"],
        chunk=result.undo["chunk"],
        count=result.undo["count"],
    )
    assert back.text == TRICKY
    assert back.undo == {"op": "delete", "index": 1, "count": 3}
    with pytest.raises(UsageError, match="exactly 2 items"):
        restore_item(TRICKY, path=PATH, index=0, chunk="  - heading: A\n", count=2)
