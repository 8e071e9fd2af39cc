"""What a reader waits for on a long story page: layout shift and DOMContentLoaded.

Renders a story of 1,000 items (``big_story``: the bundled example repeated, its archived
pictures shared) with ``render --offline``, serves it on 127.0.0.1 with every picture
answered after a delay (as over a real network: the page lays out before they arrive),
and loads it in headless Chromium several times, scrolling through its first screens and
waiting on each for the pictures in view. Prints the cumulative layout shift (every
``layout-shift`` entry without recent input, summed) and the median DOMContentLoaded.

With ``--baseline PYTHON`` (another checkout's virtualenv) the same story is rendered
by that checkout too, and the two pages are loaded in alternation in the same run.

Targets (PASS/FAIL, exit 1 on a FAIL): layout shift 0 for this checkout's page; with a
baseline, DOMContentLoaded at most half of the baseline's median.

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


def measure(browser: Any, url: str) -> tuple[float, float]:
    """Load ``url``, scroll to its end, wait for its pictures; return (layout shift, DCL ms)."""
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


def render(python: str, story: Path, out: Path) -> None:
    subprocess.run(
        [python, "-m", "storyboard", "render", "--offline", str(story), "-o", str(out)],
        check=True,
        capture_output=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", help="python of another checkout, loaded in alternation")
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--items", type=int, default=1000)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    pythons = {"this": sys.executable}
    if args.baseline:
        pythons = {"baseline": args.baseline, **pythons}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="page-speed-") as temp:
        work = Path(temp)
        story = write_story(work, args.items)
        servers = {}
        for name, python in pythons.items():
            render(python, story, work / name)
            servers[name] = serve(work / name)
        shifts: dict[str, list[float]] = {name: [] for name in pythons}
        dcls: dict[str, list[float]] = {name: [] for name in pythons}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                for load in range(args.loads):
                    order = list(servers.items())
                    if load % 2:
                        order.reverse()
                    for name, server in order:
                        host, port = server.server_address[:2]
                        shift, dcl = measure(browser, f"http://{host!s}:{port}/index.html")
                        shifts[name].append(shift)
                        dcls[name].append(dcl)
            finally:
                browser.close()
        for server in servers.values():
            server.shutdown()

    print(
        f"{args.items}-item page, pictures delayed {IMAGE_DELAY * 1000:.0f} ms, "
        f"{args.loads} loads each; load average {load_before:.2f} -> {os.getloadavg()[0]:.2f}"
    )
    print(f"{'':32}" + "".join(f"{name:>28}" for name in pythons))

    def cell(values: list[float], unit: str, digits: int) -> str:
        return (
            f"{statistics.median(values):.{digits}f}{unit} "
            f"({min(values):.{digits}f}-{max(values):.{digits}f})"
        )

    print(
        f"{'layout shift, median (min-max)':32}"
        + "".join(f"{cell(shifts[n], '', 3):>28}" for n in pythons)
    )
    print(
        f"{'DOMContentLoaded, median':32}"
        + "".join(f"{cell(dcls[n], ' ms', 0):>28}" for n in pythons)
    )
    failed = False
    ok = max(shifts["this"]) == 0
    failed |= not ok
    print(f"  {'PASS' if ok else 'FAIL'}  layout shift 0 (worst load: {max(shifts['this']):.4f})")
    if args.baseline:
        ratio = statistics.median(dcls["this"]) / statistics.median(dcls["baseline"])
        ok = ratio <= 0.5
        failed |= not ok
        verdict = "PASS" if ok else "FAIL"
        print(f"  {verdict}  DOMContentLoaded at most half the baseline's: {ratio:.2f}x")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
