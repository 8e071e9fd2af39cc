"""How big a rendered story is, and how much memory rendering it takes, when pictures repeat.

Writes stories of 10, 1,000 and 5,000 posts (snapshot files and one archived JPEG written
directly: no network), every post showing the same picture, as a live blog or a long
thread does. Then runs the real ``storyboard render --offline`` as a whole process for
each output that can carry its pictures inside it, and prints the output's size and the
process's peak memory (max RSS, from ``wait4``), median with min and max of the rounds:

- ``fragment``: ``embed.html`` (pictures inlined by default);
- ``json inline``: ``story.json --assets inline``;
- ``json copy``: ``story.json`` with its pictures copied beside it (the default);
- ``page inline``: ``index.html --assets inline``;
- ``markdown inline``: ``story.md --assets inline``.

A Python interpreter with storyboard's modules loaded takes tens of MB whatever it
renders, so every row also shows the peak minus the peak of the same command on the
10-post story ("growth"): the memory that grows with the story, everything a render
holds for it included (the story, its snapshots, the views, the output's pieces).

With ``--baseline SRC`` (the ``src`` folder of another checkout, e.g. ``git archive main``
unpacked somewhere) each case also runs with ``PYTHONPATH=SRC`` in the same rounds,
alternating which goes first, and both columns are printed side by side.

Targets (this checkout; PASS/FAIL, exit status 1 on a FAIL): each picture encoded once
per output (the fragment and the inline JSON of 1,000 posts hold one ``data:`` URI);
the 1,000-post fragment under 2 MB; for the fragment and ``story.json`` (inlined and
copied pictures) of 1,000 posts or more, the growth at most 2x the output's size. The
page and ``story.md`` are printed beside them (the same streaming, no target).

Run: ``python benchmarks/output_size.py [--baseline /tmp/base/src] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

PICTURE = "0a1b2c3d4e5f6071.jpg"
TWO_MB = 2 * 1024 * 1024

#: What any render of the story costs before it makes anything: the story and its
#: snapshots read into their models (the same calls in every checkout measured).
READ_STORY = """
import sys
from pathlib import Path
from storyboard.commands.feedback import SILENT
from storyboard.commands.opened import open_story
from storyboard.snapshots import SnapshotStore
story = Path(sys.argv[1])
opened = open_story(story, SILENT)
snapshots = SnapshotStore.load(story.with_suffix(".snapshots.json")).as_mapping()
"""

#: name -> (format, extra render arguments, the file it writes)
OUTPUTS: dict[str, tuple[str, list[str], str]] = {
    "fragment": ("fragment", [], "embed.html"),
    "json inline": ("json", ["--assets", "inline"], "story.json"),
    "json copy": ("json", [], "story.json"),
    "page inline": ("page", ["--assets", "inline"], "index.html"),
    "markdown inline": ("markdown", ["--assets", "inline"], "story.md"),
}


#: The outputs whose memory has a target: growth at most twice their size.
TARGETED = ("fragment", "json inline", "json copy")


def write_picture(path: Path) -> int:
    """Write a photo-like JPEG of about 60 KB (smooth colours and some grain); return its size."""
    rng = random.Random(14)
    image = Image.new("RGB", (1200, 800))
    pixels = image.load()
    assert pixels is not None
    for y in range(800):
        for x in range(1200):
            grain = rng.randint(-5, 5)
            pixels[x, y] = (
                (x * 255 // 1200 + grain) % 256,
                (y * 255 // 800 + grain) % 256,
                (128 + (x + y) // 16 + grain) % 256,
            )
    image.save(path, "JPEG", quality=60)
    return path.stat().st_size


def write_story(folder: Path, count: int, picture: Path) -> Path:
    """Write ``folder/story<count>.yaml``: ``count`` posts, each showing ``picture``."""
    name = f"story{count}"
    urls = [f"https://social.example/@anna/{100000 + n}" for n in range(count)]
    items = "".join(f"  - url: {url}\n" for url in urls)
    story = folder / f"{name}.yaml"
    story.write_text(
        f"title: One picture, {count} posts\nlang: en\noptions:\n  embed: static\nitems:\n{items}",
        encoding="utf-8",
    )
    image = {
        "url": "https://cdn.social.example/media/hall.jpg",
        "path": picture.name,
        "width": 1200,
        "height": 800,
        "mime": "image/jpeg",
    }
    snapshots = {
        url: {
            "url": url,
            "status": "ok",
            "fetched_at": "2026-11-25T18:07:54Z",
            "card": {
                "kind": "post",
                "url": url,
                "text_html": f"<p>Post {n} from the hall: the same view, another minute.</p>",
                "author_name": "Anna Example",
                "author_handle": "@anna@social.example",
                "author_url": "https://social.example/@anna",
                "published": "2017-01-13",
                "provider_name": "Social",
                "provider_url": "https://social.example/",
                "image": image,
            },
        }
        for n, url in enumerate(urls)
    }
    story.with_suffix(".snapshots.json").write_text(
        json.dumps({"format": 1, "snapshots": snapshots}), encoding="utf-8"
    )
    assets = story.with_suffix(".assets")
    assets.mkdir(exist_ok=True)
    target = assets / picture.name
    if not target.exists():
        target.hardlink_to(picture)
    return story


@dataclass
class Runs:
    """The figures of one case's runs."""

    rss: list[float] = field(default_factory=list)  # MB
    size: list[int] = field(default_factory=list)  # bytes
    wall: list[float] = field(default_factory=list)  # seconds
    data_uris: int = 0

    @staticmethod
    def _shown(values: list[float], unit: str, digits: int = 1) -> str:
        middle = statistics.median(values)
        return f"{middle:.{digits}f} {unit} ({min(values):.{digits}f}-{max(values):.{digits}f})"

    def shown_rss(self) -> str:
        return self._shown(self.rss, "MB")

    def shown_size(self) -> str:
        return self._shown([s / 1024 / 1024 for s in self.size], "MB", 2)

    @property
    def median_rss(self) -> float:
        return statistics.median(self.rss)

    @property
    def median_size(self) -> float:
        return statistics.median(self.size) / 1024 / 1024


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Run ``argv``; return its peak memory (MB) and wall time (seconds)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    # wait4 gives this child's own rusage (RUSAGE_CHILDREN would be the max of all).
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{stderr}")
    return usage.ru_maxrss / 1024, wall


def count_data_uris(path: Path) -> int:
    """Count the ``data:`` URIs of pictures in ``path``, reading it a piece at a time.

    The benchmark stays small: a forked child starts with its parent's memory, and the
    kernel counts that in the child's peak even after it runs storyboard.
    """
    needle, count, tail = b"data:image/", 0, b""
    with path.open("rb") as handle:
        while piece := handle.read(1 << 20):
            window = tail + piece
            count += window.count(needle)
            tail = window[-(len(needle) - 1) :]
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", type=Path, help="src folder of another checkout")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="10,1000,5000", help="story sizes (posts)")
    parser.add_argument("--outputs", default=",".join(OUTPUTS), help="which outputs")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    outputs = [name.strip() for name in args.outputs.split(",")]
    here = Path(__file__).resolve().parents[1] / "src"
    sources = {"this": here}
    if args.baseline:
        sources = {"before": args.baseline.resolve(), "after": here}

    with tempfile.TemporaryDirectory(prefix="output-size-") as temp:
        work = Path(temp)
        picture = work / PICTURE
        picture_size = write_picture(picture)
        stories = {size: write_story(work, size, picture) for size in sizes}
        # (output, size) -> (the child's arguments after python, the file it writes)
        cases: dict[tuple[str, int], tuple[list[str], str]] = {}
        for size, story in stories.items():
            cases["read story", size] = (["-c", READ_STORY, str(story)], "")
            for name in outputs:
                fmt, extra, file_name = OUTPUTS[name]
                out = work / f"out-{name.replace(' ', '-')}-{size}"
                argv = ["-m", "storyboard", "render", "--offline", str(story), "-o", str(out)]
                argv += ["--format", fmt]
                cases[name, size] = ([*argv, *extra], str(out / file_name))
        results = {(case, source): Runs() for case in cases for source in sources}
        environments = {
            source: {**os.environ, "PYTHONPATH": str(path)} for source, path in sources.items()
        }
        load_before = os.getloadavg()[0]
        for round_ in range(args.rounds):
            order = list(sources)
            if round_ % 2:
                order.reverse()
            for case, (argv, output) in cases.items():
                for source in order:
                    command = [sys.executable, *argv]
                    rss, wall = run(command, work, environments[source])
                    runs = results[case, source]
                    runs.rss.append(rss)
                    runs.wall.append(wall)
                    if output:
                        runs.size.append(Path(output).stat().st_size)
                        runs.data_uris = count_data_uris(Path(output))

    print(
        f"{args.rounds} rounds; load average before/after: {load_before:.2f} / "
        f"{os.getloadavg()[0]:.2f}; CPUs usable: {len(os.sched_getaffinity(0))}; "
        f"the shared picture: {picture_size / 1024:.1f} KB"
    )
    print("median (min-max); growth: peak minus the peak of the same output of the smallest story")
    small = sizes[0]
    for source in sources:
        print(f"\n[{source}] {sources[source]}")
        print(
            f"{'output':18}{'posts':>6}{'size':>26}{'data: URIs':>11}{'peak RSS':>26}"
            f"{'growth':>10}{'growth/size':>12}"
        )
        for (name, size), _ in cases.items():
            runs = results[(name, size), source]
            growth = runs.median_rss - results[(name, small), source].median_rss
            if name == "read story":
                print(f"{name:18}{size:>6}{'':>26}{'':>11}{runs.shown_rss():>26}{growth:>7.1f} MB")
                continue
            ratio = f"{growth / runs.median_size:.2f}x" if size > small else ""
            print(
                f"{name:18}{size:>6}{runs.shown_size():>26}{runs.data_uris:>11}"
                f"{runs.shown_rss():>26}{growth:>7.1f} MB{ratio:>12}"
            )

    mine = "after" if args.baseline else "this"
    checks: list[tuple[str, bool]] = []
    for name in ("fragment", "json inline"):
        if name in outputs:
            for size in sizes:
                uris = results[(name, size), mine].data_uris
                checks.append(
                    (f"{name}, {size} posts: the picture encoded once ({uris})", uris == 1)
                )
    if "fragment" in outputs and 1000 in sizes:
        size_mb = results[("fragment", 1000), mine].median_size
        checks.append((f"fragment, 1000 posts under 2 MB ({size_mb:.2f} MB)", size_mb < 2))
    for (name, size), _ in cases.items():
        if name not in TARGETED or size < 1000:
            continue
        runs = results[(name, size), mine]
        growth = runs.median_rss - results[(name, small), mine].median_rss
        checks.append(
            (
                f"{name}, {size} posts: growth {growth:.1f} MB <= 2 x {runs.median_size:.2f} MB",
                growth <= 2 * runs.median_size,
            )
        )
    print("\ntargets")
    for text, passed in checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {text}")
    return 0 if all(passed for _, passed in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
