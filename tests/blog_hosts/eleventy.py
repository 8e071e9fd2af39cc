"""A real Eleventy 3 build: what a static site makes of storyboard's Markdown output.

``eleventy_build(src_dir) -> out_dir`` builds a copy of ``src_dir`` with Eleventy's defaults,
so ``*.md`` files go through Liquid first, then markdown-it (raw HTML allowed), into a minimal
layout, ``base.liquid``, unless a page's front matter names another. ``page.md`` lands at
``out_dir / "page" / "index.html"`` (Eleventy's default permalinks); images, CSS and scripts
are copied as they are, so a built page can be served and opened in the browser.

Eleventy is installed once per machine with npm into a cache folder outside the repository
(``~/.cache/storyboard-tests/eleventy``), which ``.ci/run`` fills before the tests run.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from . import require_tool

#: The major version the tests are written against; the cache is reinstalled on another.
ELEVENTY_MAJOR = 3
_CACHE_HOME = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
#: Shared by every checkout on the machine; ``.ci/run`` installs into the same folder.
ELEVENTY_HOME = _CACHE_HOME / "storyboard-tests" / "eleventy"
ELEVENTY_PACKAGE = ELEVENTY_HOME / "node_modules" / "@11ty" / "eleventy"
EleventyBuild = Callable[[Path], Path]

#: The layout every page gets unless its front matter says otherwise: just enough of a page.
BASE_LAYOUT = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title | escape }}</title></head>
<body>
<main>
{{ content }}
</main>
</body>
</html>
"""

#: Eleventy's configuration: defaults, a default layout, and assets copied through.
CONFIG = """export default function (eleventyConfig) {
  // Global data is the lowest layer: a page's own front matter can name another layout.
  eleventyConfig.addGlobalData("layout", "base.liquid");
  eleventyConfig.addPassthroughCopy("**/*.{png,jpg,jpeg,gif,webp,avif,svg,css,js,mp4,webm}");
}
"""


def eleventy_unavailable_reason() -> str | None:
    """Return why Eleventy cannot run here, or None when it can (or can be installed)."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"Eleventy tests skipped: {tool} not found; apt-get install -y nodejs npm"
    return None


def installed_version() -> str | None:
    """Return the version of Eleventy in the cache folder, or None."""
    try:
        manifest = json.loads((ELEVENTY_PACKAGE / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = manifest.get("version")
    return version if isinstance(version, str) else None


@contextlib.contextmanager
def _install_lock() -> Iterator[None]:
    """Hold a lock on the cache folder: two test runs on one machine install only once."""
    ELEVENTY_HOME.mkdir(parents=True, exist_ok=True)
    with (ELEVENTY_HOME / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_eleventy() -> Path:
    """Install Eleventy 3 into the cache folder unless it is there; return its ``cmd.cjs``."""
    with _install_lock():
        version = installed_version()
        if version is None or not version.startswith(f"{ELEVENTY_MAJOR}."):
            done = subprocess.run(
                [
                    "npm",
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--loglevel=error",
                    f"@11ty/eleventy@{ELEVENTY_MAJOR}",
                ],
                cwd=ELEVENTY_HOME,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(f"npm could not install Eleventy:\n{done.stderr}")
    return ELEVENTY_PACKAGE / "cmd.cjs"


def build_site(eleventy: Path, src_dir: Path, work_dir: Path) -> Path:
    """Build a copy of ``src_dir`` under ``work_dir``; return the output folder."""
    site = work_dir / "site"
    out = work_dir / "out"
    config = work_dir / "eleventy.config.mjs"
    shutil.copytree(src_dir, site)
    layouts = site / "_includes"
    layouts.mkdir(exist_ok=True)
    if not (layouts / "base.liquid").exists():
        (layouts / "base.liquid").write_text(BASE_LAYOUT, encoding="utf-8")
    config.write_text(CONFIG, encoding="utf-8")
    done = subprocess.run(
        [
            "node",
            str(eleventy),
            # Run inside the copy: passthrough globs are relative to the working folder.
            "--input=.",
            f"--output={out}",
            f"--config={config}",
            "--quiet",
        ],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"Eleventy build of {src_dir} failed (exit {done.returncode}):\n"
            f"{done.stdout}{done.stderr}"
        )
    return out


@pytest.fixture(scope="session")
def eleventy_cmd() -> Path:
    """Return Eleventy's command script, installing Eleventy once per machine."""
    require_tool(eleventy_unavailable_reason())
    return ensure_eleventy()


@pytest.fixture
def eleventy_build(eleventy_cmd: Path, tmp_path_factory: pytest.TempPathFactory) -> EleventyBuild:
    """Return ``build(src_dir) -> out_dir``: a real Eleventy build of a folder of Markdown."""

    def build(src_dir: Path) -> Path:
        return build_site(eleventy_cmd, src_dir, tmp_path_factory.mktemp("eleventy"))

    return build
