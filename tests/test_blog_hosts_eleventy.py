"""Eleventy builds for real: Liquid runs on Markdown, front matter counts, HTML passes."""

from __future__ import annotations

from pathlib import Path

from .blog_hosts.eleventy import EleventyBuild


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_liquid_runs_on_markdown(eleventy_build: EleventyBuild, tmp_path: Path) -> None:
    write(tmp_path / "src", "post.md", "Sum: {{ 7 | plus: 1 }}\n")
    out = eleventy_build(tmp_path / "src")
    html = (out / "post" / "index.html").read_text(encoding="utf-8")
    assert "<p>Sum: 8</p>" in html
    assert "{{" not in html


def test_front_matter_and_default_layout(eleventy_build: EleventyBuild, tmp_path: Path) -> None:
    write(tmp_path / "src", "story.md", "---\ntitle: A day in posts\n---\n# {{ title }}\n")
    out = eleventy_build(tmp_path / "src")
    html = (out / "story" / "index.html").read_text(encoding="utf-8")
    assert "<title>A day in posts</title>" in html
    assert "<h1>A day in posts</h1>" in html
    assert html.lstrip().startswith("<!doctype html>")


def test_front_matter_can_choose_its_own_permalink(
    eleventy_build: EleventyBuild, tmp_path: Path
) -> None:
    write(tmp_path / "src", "a.md", "---\npermalink: /elsewhere.html\n---\nMoved\n")
    out = eleventy_build(tmp_path / "src")
    assert "<p>Moved</p>" in (out / "elsewhere.html").read_text(encoding="utf-8")
    assert not (out / "a").exists()


def test_raw_html_passes_through_and_assets_are_copied(
    eleventy_build: EleventyBuild, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    write(src, "page.md", '<figure class="card"><img src="pics/a.png" alt="A"></figure>\n')
    (src / "pics").mkdir()
    (src / "pics" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    out = eleventy_build(src)
    html = (out / "page" / "index.html").read_text(encoding="utf-8")
    assert '<figure class="card"><img src="pics/a.png" alt="A"></figure>' in html
    assert (out / "pics" / "a.png").read_bytes() == b"\x89PNG\r\n\x1a\n"
