"""WordPress's own filters run for real: each assertion is one WordPress would fail without
the filter having run (so the harness cannot quietly pass HTML through)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .blog_hosts.wordpress import WordPressFilters


def test_kses_removes_style_elements_but_keeps_their_text(
    wordpress_filters: WordPressFilters,
) -> None:
    # An author may not post <style>: kses drops the tags, and the CSS shows as text.
    out = wordpress_filters("<style>.x { color: red }</style><p>Hi</p>", "kses")
    assert "<style" not in out
    assert out == ".x { color: red }<p>Hi</p>"


def test_kses_removes_scripts_and_event_handlers(wordpress_filters: WordPressFilters) -> None:
    out = wordpress_filters(
        '<script>alert(1)</script><p onclick="steal()" class="note">Hi</p>', "kses"
    )
    assert "<script" not in out
    assert "onclick" not in out
    assert '<p class="note">Hi</p>' in out


def test_kses_strips_data_urls_from_image_sources(wordpress_filters: WordPressFilters) -> None:
    # data: is not among wp_allowed_protocols(); kses cuts the scheme off, leaving a path.
    out = wordpress_filters('<img src="data:image/png;base64,AAAA" alt="pic">', "kses")
    assert "data:" not in out
    assert 'alt="pic"' in out
    kept = wordpress_filters('<img src="https://img.example/a.png" alt="pic">', "kses")
    assert 'src="https://img.example/a.png"' in kept


def test_kses_keeps_buttons_without_handlers_or_aria_state(
    wordpress_filters: WordPressFilters,
) -> None:
    # WordPress allows only a few aria-* attributes everywhere; aria-expanded is not one.
    out = wordpress_filters(
        '<button type="button" onclick="go()" aria-expanded="false" aria-label="More"'
        ' data-x="1">More</button>',
        "kses",
    )
    assert out == '<button type="button" aria-label="More" data-x="1">More</button>'


def test_kses_at_save_adds_noopener_to_links_opening_a_new_tab(
    wordpress_filters: WordPressFilters,
) -> None:
    out = wordpress_filters('<a href="https://x.example/" target="_blank">x</a>', "kses")
    assert out == '<a href="https://x.example/" target="_blank" rel="noopener">x</a>'


def test_autop_makes_paragraphs_of_blank_lines_and_breaks_of_newlines(
    wordpress_filters: WordPressFilters,
) -> None:
    out = wordpress_filters("First line\nsecond line\n\nNext paragraph", "autop")
    assert out == "<p>First line<br />\nsecond line</p>\n<p>Next paragraph</p>\n"


def test_autop_alone_does_not_sanitise(wordpress_filters: WordPressFilters) -> None:
    out = wordpress_filters("<script>alert(1)</script>", "autop")
    assert "<script>alert(1)</script>" in out


def test_both_sanitises_at_save_then_adds_paragraphs_at_display(
    wordpress_filters: WordPressFilters,
) -> None:
    out = wordpress_filters("<style>b{}</style>One\ntwo\n\n<script>x()</script>Three", "both")
    assert out == "<p>b{}One<br />\ntwo</p>\n<p>x()Three</p>\n"


RICH_ANSWER = (
    '<blockquote class="post"><p>Hello <a href="https://social.example/p/1">post</a></p>'
    "</blockquote>"
    '<script async src="https://social.example/embed.js"></script>'
    '<iframe src="https://social.example/embed/1" width="550" height="300" '
    'onload="resize(this)" title="A post"></iframe>'
)


def test_oembed_filter_keeps_a_sandboxed_iframe_with_a_secret(
    wordpress_filters: WordPressFilters,
) -> None:
    out = wordpress_filters(RICH_ANSWER, "oembed")
    assert "<script" not in out
    assert "onload" not in out
    iframe = re.search(r"<iframe[^>]*>", out)
    assert iframe is not None, out
    tag = iframe.group(0)
    assert 'sandbox="allow-scripts"' in tag
    secret = re.search(r'data-secret="(\w+)"', tag)
    assert secret is not None, tag
    assert f'src="https://social.example/embed/1#?secret={secret.group(1)}"' in tag
    # The blockquote stays as the fallback, and the iframe is hidden until it answers.
    assert out.startswith(f'<blockquote class="wp-embedded-content" data-secret="{secret[1]}">')
    assert "clip: rect(1px, 1px, 1px, 1px)" in tag


def test_oembed_filter_drops_an_answer_without_an_iframe(
    wordpress_filters: WordPressFilters,
) -> None:
    answer = '<blockquote><p>Hi</p></blockquote><script src="https://social.example/w.js"></script>'
    assert wordpress_filters(answer, "oembed") == ""


def test_harness_reports_an_unknown_pipeline(wordpress_filters: WordPressFilters) -> None:
    with pytest.raises(ValueError, match="unknown WordPress pipeline"):
        wordpress_filters("<p>x</p>", "display")  # type: ignore[arg-type]


def test_wp_embed_script_is_wordpress_host_side_resizer(wordpress_embed_js: Path) -> None:
    script = wordpress_embed_js.read_text(encoding="utf-8")
    # The host listens for the iframe's height message, matched by its data-secret.
    assert "receiveEmbedMessage" in script
    assert "data-secret" in script
