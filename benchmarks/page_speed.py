"""What a reader waits for on a long story page: layout shift and DOMContentLoaded.

Renders a story of 1,000 items (``big_story``: the bundled example repeated, its archived
pictures shared) with ``render --offline``, serves it on 127.0.0.1 with every picture
answered after a delay (as over a real network: the page lays out before they arrive),
and loads it in headless Chromium several times, scrolling through its first screens and
waiting on each for the pictures in view. Prints the cumulative layout shift (every
``layout-shift`` entry without recent input, summed), DOMContentLoaded, the page's
size and its DOM (elements and all nodes, text included), and the load average.

With ``--baseline PYTHON`` (another checkout's virtualenv) the same story is rendered
by that checkout too, and the two pages are loaded in rounds: each round loads both,
alternating which goes first, so a burst of load on the machine falls on both alike.
Each round gives a ratio (this / baseline); the verdict takes the median of those
ratios, and their min and max show how far the machine's noise moved it.

Targets (PASS/FAIL, exit 1 on a FAIL): layout shift 0 for this checkout's page; with a
baseline, DOMContentLoaded at most half of the baseline's (median of the rounds' ratios).

Needs Chromium (``/usr/bin/chromium``) and Playwright (the test extras).
Run: ``python benchmarks/page_speed.py [--baseline ../base/.venv/bin/python] [--loads 5]``.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from big_story import write_story

CHROMIUM = "/usr/bin/chromium"
IMAGE_DELAY = 0.2
#: Screens scrolled through: a shift counts only while the moving element is in view.
SCREENS = 12
IN_VIEW_LOADED = """[...document.images].every(img => {
  const box = img.getBoundingClientRect();
  return img.complete || box.bottom < 0 || box.top > innerHeight;
})"""

#: Installed before the page's own scripts: sums every layout shift not caused by input.
MEASURE_SCRIPT = """
window.__layoutShift = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__layoutShift += entry.value;
  }
}).observe({type: "layout-shift", buffered: true});
"""


class SlowPictures(SimpleHTTPRequestHandler):
    """Serve a folder; pictures come after ``IMAGE_DELAY``, as over a real network."""

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        if self.path.rsplit("?", 1)[0].endswith((".jpg", ".jpeg", ".png", ".webp", ".gif")):
            time.sleep(IMAGE_DELAY)
        super().do_GET()


def serve(root: Path) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(SlowPictures, directory=str(root))
    )
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


#: The page's DOM once parsed: its elements, and every node (text and comments too).
DOM_SIZE = """() => {
  const walker = document.createTreeWalker(document, NodeFilter.SHOW_ALL);
  let nodes = 0;
  while (walker.nextNode()) nodes++;
  return [document.getElementsByTagName("*").length, nodes];
}"""


def measure(browser: Any, url: str) -> tuple[float, float]:
    """Load ``url``, scroll through it, wait for its pictures; return (layout shift, DCL ms)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.add_init_script(MEASURE_SCRIPT)
        page.goto(url, wait_until="load")
        dcl = page.evaluate(
            "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
        )
        for screen in range(SCREENS):  # each screen waits for its pictures while in view
            page.evaluate(f"window.scrollTo(0, {screen * 900})")
            page.wait_for_function(IN_VIEW_LOADED, timeout=30_000)
        page.wait_for_timeout(200)  # let the last shifts be reported
        return float(page.evaluate("window.__layoutShift")), float(dcl)
    finally:
        context.close()


def layout_shift_of(browser: Any, url: str) -> float:
    """Return the summed layout shift of one load of ``url`` (for tests)."""
    return measure(browser, url)[0]


def dom_size(browser: Any, url: str) -> tuple[int, int]:
    """Return the elements and the nodes of the page at ``url``."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url, wait_until="domcontentloaded")
        elements, nodes = page.evaluate(DOM_SIZE)
        return int(elements), int(nodes)
    finally:
        context.close()


def cell(values: list[float], unit: str, digits: int) -> str:
    """Return ``median unit (min-max)``."""
    return (
        f"{statistics.median(values):.{digits}f}{unit} "
        f"({min(values):.{digits}f}-{max(values):.{digits}f})"
    )


def render(python: str, story: Path, out: Path) -> None:
    subprocess.run(
        [python, "-m", "storyboard", "render", "--offline", str(story), "-o", str(out)],
        check=True,
        capture_output=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", help="python of another checkout, loaded in alternation")
    parser.add_argument("--loads", type=int, default=9, help="rounds: loads of each page")
    parser.add_argument("--items", type=int, default=1000)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    pythons = {"this": sys.executable}
    if args.baseline:
        pythons = {"baseline": args.baseline, **pythons}
    loads_before = os.getloadavg()
    load_peak = loads_before[0]
    with tempfile.TemporaryDirectory(prefix="page-speed-") as temp:
        work = Path(temp)
        story = write_story(work, args.items)
        servers = {}
        for name, python in pythons.items():
            render(python, story, work / name)
            servers[name] = serve(work / name)
        sizes = {name: (work / name / "index.html").stat().st_size for name in pythons}
        urls = {
            name: f"http://{server.server_address[0]!s}:{server.server_address[1]}/index.html"
            for name, server in servers.items()
        }
        shifts: dict[str, list[float]] = {name: [] for name in pythons}
        dcls: dict[str, list[float]] = {name: [] for name in pythons}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                doms = {name: dom_size(browser, url) for name, url in urls.items()}
                for load in range(args.loads):
                    order = list(urls.items())
                    if load % 2:
                        order.reverse()
                    for name, url in order:
                        shift, dcl = measure(browser, url)
                        shifts[name].append(shift)
                        dcls[name].append(dcl)
                    load_peak = max(load_peak, os.getloadavg()[0])
            finally:
                browser.close()
        for server in servers.values():
            server.shutdown()

    print(
        f"{args.items}-item page, pictures delayed {IMAGE_DELAY * 1000:.0f} ms, "
        f"{args.loads} rounds; load average {loads_before[0]:.2f} -> {os.getloadavg()[0]:.2f} "
        f"(highest between rounds {load_peak:.2f})"
    )
    print(f"{'':34}" + "".join(f"{name:>26}" for name in pythons))
    rows = {
        "layout shift, median (min-max)": [cell(shifts[n], "", 3) for n in pythons],
        "DOMContentLoaded, median (min-max)": [cell(dcls[n], " ms", 0) for n in pythons],
        "page (HTML)": [f"{sizes[n] / 1000:.0f} KB" for n in pythons],
        "elements / nodes": [f"{doms[n][0]} / {doms[n][1]}" for n in pythons],
    }
    for label, cells in rows.items():
        print(f"{label:34}" + "".join(f"{value:>26}" for value in cells))
    failed = False
    ok = max(shifts["this"]) == 0
    failed |= not ok
    print(f"  {'PASS' if ok else 'FAIL'}  layout shift 0 (worst load: {max(shifts['this']):.4f})")
    if args.baseline:
        pairs = zip(dcls["this"], dcls["baseline"], strict=True)
        ratios = [mine / theirs for mine, theirs in pairs]
        ratio = statistics.median(ratios)
        ok = ratio <= 0.5
        failed |= not ok
        verdict = "PASS" if ok else "FAIL"
        print(
            f"  {verdict}  DOMContentLoaded at most half the baseline's: {ratio:.2f}x "
            f"(rounds {min(ratios):.2f}-{max(ratios):.2f}; medians "
            f"{statistics.median(dcls['this']) / statistics.median(dcls['baseline']):.2f}x)"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
