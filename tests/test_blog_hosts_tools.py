"""A missing blog host skips the tests that need it on a developer's machine, fails in CI."""

from __future__ import annotations

import pytest

from .blog_hosts import require_tool


def test_missing_tool_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="php not found"):
        require_tool("WordPress tests skipped: php not found")


def test_missing_tool_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI: php not found"):
        require_tool("WordPress tests skipped: php not found")


def test_present_tool_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    require_tool(None)
