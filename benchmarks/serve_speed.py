"""How soon ``storyboard serve`` serves the new page after the story is saved.

Starts the real ``storyboard serve`` (a child process) on a story of 1,000 items
(``big_story``), then saves the story again and again with a new title, and measures,
from the moment the file is written, until the server's page carries the new title
(asked every 10 ms, as the page's reload script asks for the render version). The
browser's own reload of the page comes on top (see ``page_speed.py`` for that).

With ``--baseline PYTHON`` another checkout's server runs on its own copy of the story,
saved in alternation with this one's, in the same run.

Target (PASS/FAIL, exit 1 on a FAIL): the median under 0.5 s.
Run: ``python benchmarks/serve_speed.py [--baseline ../base/.venv/bin/python] [--saves 7]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from big_story import write_story

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str) -> str:
    with NO_PROXY.open(url, timeout=10) as answer:
        return answer.read().decode("utf-8", "replace")


def start(python: str, story: Path) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [python, "-m", "storyboard", "serve", str(story), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()  # "Serving http://127.0.0.1:PORT/ (Ctrl-C to stop)"
    return server, line.split()[1].rstrip("/")


def time_one_save(story: Path, url: str, marker: str) -> float:
    text = story.read_text(encoding="utf-8")
    head, _, rest = text.partition("\ntitle: ")
    _, _, after = rest.partition("\n")
    story.write_text(f"{head}\ntitle: AnkSoMe {marker}\n{after}", encoding="utf-8")
    saved = time.perf_counter()
    while f"AnkSoMe {marker}" not in get(f"{url}/index.html"):
        if time.perf_counter() - saved > 60:
            raise SystemExit("the server never served the new page")
        time.sleep(0.01)
    return time.perf_counter() - saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", help="python of another checkout, saved in alternation")
    parser.add_argument("--saves", type=int, default=7)
    parser.add_argument("--items", type=int, default=1000)
    args = parser.parse_args()
    pythons = {"this": sys.executable}
    if args.baseline:
        pythons = {"baseline": args.baseline, **pythons}
    load_before = os.getloadavg()[0]
    times: dict[str, list[float]] = {name: [] for name in pythons}
    with tempfile.TemporaryDirectory(prefix="serve-speed-") as temp:
        servers = {}
        try:
            for name, python in pythons.items():
                folder = Path(temp) / name
                folder.mkdir()
                story = write_story(folder, args.items)
                servers[name] = (story, *start(python, story))
            time.sleep(1)
            for save in range(args.saves + 1):
                order = list(servers.items())
                if save % 2:
                    order.reverse()
                for name, (story, _, url) in order:
                    took = time_one_save(story, url, f"{name}-{save}")
                    if save:  # the first save warms the server up
                        times[name].append(took)
                    time.sleep(0.3)
        finally:
            for _, process, _ in servers.values():
                process.terminate()
                process.wait(timeout=10)
    print(
        f"serve, {args.items} items: from saving the story to the new page served; "
        f"{args.saves} saves each; load average {load_before:.2f} -> {os.getloadavg()[0]:.2f}"
    )
    for name, values in times.items():
        print(
            f"  {name:10} median {statistics.median(values):.3f} s "
            f"(min {min(values):.3f}, max {max(values):.3f})"
        )
    ok = statistics.median(times["this"]) < 0.5
    print(f"  {'PASS' if ok else 'FAIL'}  median under 0.5 s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
