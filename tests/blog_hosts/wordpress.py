"""WordPress's own content filters, run on HTML by ``php`` (see ``wordpress_filters.php``).

``wordpress_filters(html, pipeline)`` returns what WordPress makes of ``html``:

- ``"kses"``: saved by an Author or Contributor (no ``unfiltered_html``): the
  ``content_save_pre`` filters, i.e. ``wp_kses_post`` plus WordPress's other save-time filters
- ``"autop"``: displayed by the classic editor's ``wpautop``
- ``"both"``: saved as above, then displayed: ``wpautop(kses(html))``
- ``"oembed"``: ``html`` as the ``html`` of an oEmbed ``rich`` answer from a provider WordPress
  does not trust (``wp_filter_oembed_result``); ``""`` when WordPress drops the embed

``wordpress_embed_js`` is the path of WordPress's ``wp-embed.js``, the host-page script that
sizes embedded iframes from their ``postMessage`` height.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pytest

from . import require_tool

WORDPRESS = Path(os.environ.get("STORYBOARD_TEST_WORDPRESS", "/usr/share/wordpress"))
HARNESS = Path(__file__).with_name("wordpress_filters.php")
Pipeline = Literal["kses", "autop", "both", "oembed"]
PIPELINES: tuple[Pipeline, ...] = ("kses", "autop", "both", "oembed")
WordPressFilters = Callable[[str, Pipeline], str]


def wordpress_unavailable_reason() -> str | None:
    """Return why WordPress's filters cannot run here, or None when they can."""
    if shutil.which("php") is None:
        return "WordPress tests skipped: php not found; apt-get install -y php-cli"
    if not (WORDPRESS / "wp-includes" / "kses.php").is_file():
        return f"WordPress tests skipped: no WordPress at {WORDPRESS}; apt-get install -y wordpress"
    return None


def run_wordpress_filters(html: str, pipeline: Pipeline) -> str:
    """Return ``html`` after WordPress's ``pipeline``; raise when PHP reports any error."""
    if pipeline not in PIPELINES:
        raise ValueError(f"unknown WordPress pipeline {pipeline!r}; one of {PIPELINES}")
    php = shutil.which("php") or "php"
    done = subprocess.run(
        # Errors to stderr, never mixed into the HTML on stdout.
        [php, "-d", "display_errors=stderr", str(HARNESS), pipeline, str(WORDPRESS)],
        input=html.encode("utf-8"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0 or done.stderr:
        raise RuntimeError(
            f"WordPress harness failed ({pipeline}, exit {done.returncode}):\n"
            + done.stderr.decode("utf-8", "replace")
        )
    return done.stdout.decode("utf-8")


@pytest.fixture(scope="session")
def wordpress_filters() -> WordPressFilters:
    """Return ``run(html, pipeline) -> html`` over WordPress's own PHP filters."""
    require_tool(wordpress_unavailable_reason())
    return run_wordpress_filters


@pytest.fixture(scope="session")
def wordpress_embed_js() -> Path:
    """Return the path of WordPress's ``wp-embed.js`` (its readable, unminified build)."""
    require_tool(wordpress_unavailable_reason())
    path = WORDPRESS / "wp-includes" / "js" / "wp-embed.js"
    require_tool(None if path.is_file() else f"WordPress tests skipped: {path} not found")
    return path
