"""The ``story.json`` schema: generated from the models, shipped, and true of real output."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, ValidationError

from storyboard.model.card import Card, CardKind, MediaAsset
from storyboard.model.snapshot import FetchFailure, Snapshot, SnapshotStatus
from storyboard.model.story import Story
from storyboard.render import OutputFormat, RenderOptions, render_story
from storyboard.render.json_output import (
    SCHEMA_VERSION,
    StoryDocument,
    document_schema,
    document_schema_text,
    shipped_schema,
)
from storyboard.urls import normalize_url

from .cli_runner import invoke

REPO = Path(__file__).resolve().parents[1]
REGENERATE = (
    "python -c 'from storyboard.render.json_output import *; "
    'open(str(shipped_schema()), "w").write(document_schema_text())\''
)


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    """Return a validator for the shipped schema."""
    schema = json.loads(shipped_schema().read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def test_shipped_schema_is_the_generated_one() -> None:
    shipped = shipped_schema().read_text(encoding="utf-8")
    # A model change shows up here. Decide on purpose: a new shape is a new schema
    # version (docs/json.md); then regenerate with REGENERATE.
    assert shipped == document_schema_text(), f"schema drifted; see docs/json.md, {REGENERATE}"


def test_shipped_schema_lives_in_the_package_under_its_version() -> None:
    path = Path(str(shipped_schema()))
    assert path == REPO / "src" / "storyboard" / "schemas" / f"story-{SCHEMA_VERSION}.schema.json"
    assert path.is_file()


def test_older_schema_versions_stay_shipped() -> None:
    for version in range(1, SCHEMA_VERSION):
        schema = json.loads(shipped_schema(version).read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        assert schema["properties"]["schema_version"]["const"] == version


def test_schema_is_valid_2020_12_and_pins_the_version() -> None:
    schema = document_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert "storyboard 0." not in json.dumps(schema)  # no release number to drift


def full_story_json(tmp_path: Path) -> dict[str, Any]:
    """Render a story with every kind of item and every item state as JSON."""
    assets = tmp_path / "story.assets"
    assets.mkdir()
    (assets / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    urls = [f"https://social.example/@anna/{n}" for n in range(4)]
    story = Story.model_validate(
        {
            "title": "Every state",
            "description": "One of each.",
            "date": "2017-01-13",
            "lang": "sv",
            "author": "Curator",
            "tags": ["a", "b"],
            "items": [
                {"heading": "Start"},
                {"text": "Some *text*."},
                {"url": urls[0], "note": "A **note**.", "title": "Own title", "embed": "click"},
                {"url": urls[1]},
                {"url": urls[2]},
                {"url": urls[3]},
            ],
        }
    )
    at = dt.datetime(2017, 1, 14, 8, 0, tzinfo=dt.UTC)
    image = MediaAsset(url="https://cdn.social.example/a.png", path="a.png", width=8, height=8)
    ok = Card(
        kind=CardKind.POST,
        url=urls[0],
        text_html="<p>Hi</p>",
        author_name="Anna",
        avatar=image,
        image=image,
        published=dt.date(2017, 1, 13),
    )
    gone = Card(kind=CardKind.VIDEO, url=urls[1], title="Gone", published=at)
    failure = FetchFailure(message="404 Not Found from x", at=at, status=404)
    snapshots = {
        normalize_url(s.url): s
        for s in [
            Snapshot(url=urls[0], status=SnapshotStatus.OK, fetched_at=at, card=ok),
            Snapshot(
                url=urls[1],
                status=SnapshotStatus.GONE,
                fetched_at=at,
                card=gone,
                gone_since=dt.date(2018, 1, 1),
                last_error=failure,
            ),
            Snapshot(url=urls[2], status=SnapshotStatus.ERROR, last_error=failure),
        ]
    }
    options = RenderOptions(output_dir=tmp_path / "site", format=OutputFormat.JSON)
    render_story(story, snapshots, options, assets_dir=assets)
    data: dict[str, Any] = json.loads(options.output_file.read_text(encoding="utf-8"))
    return data


def test_rendered_story_json_follows_the_shipped_schema(
    tmp_path: Path, validator: Draft202012Validator
) -> None:
    data = full_story_json(tmp_path)

    validator.validate(data)
    statuses = [item.get("status") for item in data["items"]]
    assert statuses == [None, None, "ok", "gone", "error", "missing"]
    # One file shown twice (avatar and image) is one entry of the table of pictures.
    media = data["items"][2]["media"]
    assert media == {"avatar": media["image"], "image": media["image"]}
    assert data["pictures"] == {
        media["image"]: {"src": "assets/a.png", "mime": "image/png", "width": None, "height": None}
    }
    StoryDocument.model_validate(data)  # and reads back into the models


def test_example_story_json_from_the_cli_follows_the_schema(
    tmp_path: Path, validator: Draft202012Validator
) -> None:
    out = tmp_path / "out"
    story = REPO / "stories" / "anksome-2017.yaml"
    result = invoke(["render", str(story), "-o", str(out), "--offline", "--format", "json"])
    assert result.exit_code == 0, result.output

    validator.validate(json.loads((out / "story.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(schema_version=SCHEMA_VERSION + 1),
        lambda d: d.update(schema_version=1),
        lambda d: d.pop("toc"),
        lambda d: d["toc"].append({"heading": "Start", "anchor": "start"}),
        lambda d: d.update(extra=1),
        lambda d: d["story"].pop("lang"),
        lambda d: d["items"][2].update(status="fine"),
        lambda d: d["items"][0].update(kind="video"),
        lambda d: d["items"][2]["card"].update(kind="tweet"),
        lambda d: d["items"][2]["media"].update(banner=d["items"][2]["media"]["image"]),
        lambda d: d["items"][2]["media"].update(image="assets/a.png"),
        lambda d: d["pictures"].update({"not-a-hash": {"src": "a", "mime": "image/png"}}),
        lambda d: next(iter(d["pictures"].values())).pop("src"),
    ],
)
def test_schema_rejects_what_storyboard_never_writes(
    tmp_path: Path, validator: Draft202012Validator, change: Any
) -> None:
    data = full_story_json(tmp_path)
    change(data)
    with pytest.raises(ValidationError):
        validator.validate(data)
