"""Write a long story, with snapshots, from the bundled example: the benchmarks' input.

The example story ``stories/anksome-2017.yaml`` is repeated until it has the asked number
of items; every repetition gets its own URLs (``-r<N>`` appended to the path) and a copy
of the example's snapshots under them, so an offline render builds every card, with the
example's archived pictures shared by all repetitions.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "stories" / "anksome-2017.yaml"


def _example_items() -> tuple[str, list[str]]:
    """Split the example into its head (up to ``items:``) and the text of each item."""
    text = EXAMPLE.read_text(encoding="utf-8")
    head, _, body = text.partition("\nitems:\n")
    items: list[str] = []
    for line in body.splitlines(keepends=True):
        if line.startswith("  - "):
            items.append(line)
        elif items and (line.startswith("    ") or not line.strip()):
            items[-1] += line
    return head + "\nitems:\n", items


def write_story(folder: Path, count: int, name: str = "big") -> Path:
    """Write ``folder/<name>.yaml`` of ``count`` items with snapshots and assets; return it."""
    head, items = _example_items()
    snapshots = json.loads(EXAMPLE.with_suffix(".snapshots.json").read_text(encoding="utf-8"))
    originals = snapshots["snapshots"]
    out_snapshots: dict[str, object] = {}
    lines = [head]
    for index in range(count):
        round_, item = divmod(index, len(items))
        text = items[item]
        for url, snapshot in originals.items():
            if f"url: {url}\n" in text:
                new_url = f"{url}-r{round_}"
                text = text.replace(f"url: {url}\n", f"url: {new_url}\n")
                copy = json.loads(json.dumps(snapshot))
                copy["url"] = new_url
                copy["card"]["url"] = new_url
                out_snapshots[new_url] = copy
        lines.append(text if text.endswith("\n") else text + "\n")
    story = folder / f"{name}.yaml"
    story.write_text("".join(lines), encoding="utf-8")
    store = {"format": snapshots["format"], "snapshots": out_snapshots}
    story.with_suffix(".snapshots.json").write_text(json.dumps(store), encoding="utf-8")
    assets = folder / f"{name}.assets"
    if not assets.exists():
        shutil.copytree(EXAMPLE.with_suffix(".assets"), assets)
    return story


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(
        description="Write a story of COUNT items to profile a command on."
    )
    parser.add_argument("folder", type=Path, help="where the story and its snapshots go")
    parser.add_argument("count", type=int, help="how many items")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    print(write_story(args.folder, args.count))
