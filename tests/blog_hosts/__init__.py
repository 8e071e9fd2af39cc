"""Real blog hosts and site generators that storyboard's outputs are pasted into or built by.

``wordpress``: WordPress's own PHP content filters (kses, wpautop, the oEmbed filter), run by
``php`` from Debian's ``wordpress`` package. ``eleventy``: a real Eleventy 3 build of a folder
of Markdown. Their fixtures are exported by ``tests/conftest.py``.

Each tool missing here skips its tests with a loud reason on a developer's machine and fails
them in CI (``CI=true``), where ``.ci/run`` installs it first, as the browser tests do.
"""

from __future__ import annotations

import os

import pytest


def require_tool(reason: str | None) -> None:
    """Skip (locally) or fail (in CI) with ``reason`` when it is not None."""
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason.replace("skipped", "cannot run in CI"), pytrace=False)
    pytest.skip(reason)
