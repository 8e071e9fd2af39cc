"""``render`` says how big its output is, and warns when inlined pictures make it heavy."""

from __future__ import annotations

from pathlib import Path

from storyboard.commands.render import INLINE_SIZE_WARNING, human_size, size_notes
from storyboard.render import OutputFormat, RenderOptions


def written(tmp_path: Path, size: int, assets: str) -> RenderOptions:
    options = RenderOptions(output_dir=tmp_path, format=OutputFormat.FRAGMENT, assets=assets)  # type: ignore[arg-type]
    options.output_file.write_bytes(b"x" * size)
    return options


def test_render_names_the_output_size(tmp_path: Path) -> None:
    notes = size_notes(written(tmp_path, 300 * 1024, "inline"))
    assert [(n.kind, n.text) for n in notes] == [("note", f"{tmp_path / 'embed.html'}: 300 KB")]


def test_a_heavy_inline_output_suggests_an_asset_url(tmp_path: Path) -> None:
    notes = size_notes(written(tmp_path, INLINE_SIZE_WARNING + 1, "inline"))
    assert notes[0].text.endswith(": 2.0 MB")
    assert notes[1].kind == "warning"
    assert "--asset-url" in notes[1].text


def test_a_heavy_output_with_copied_pictures_is_not_warned_about(tmp_path: Path) -> None:
    notes = size_notes(written(tmp_path, INLINE_SIZE_WARNING + 1, "copy"))
    assert [n.kind for n in notes] == ["note"]


def test_human_size() -> None:
    assert human_size(10) == "1 KB"
    assert human_size(13 * 1024 * 1024 + 300 * 1024) == "13.3 MB"
