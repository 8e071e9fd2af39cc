"""How soon ``storyboard serve`` serves, and the open page shows, the story after a save.

Starts the real ``storyboard serve`` (a child process) on a story of 1,000 items
(``big_story``), opens its page in headless Chromium, then saves the story again and
again, each save one of two edits a curator makes: a new story title, or a new note on
one card in the middle. Two times are taken from the moment the file is written:

* served: until the server's page carries the edit (asked every 10 ms);
* reload: until the page open in Chromium starts loading the new page (it is told by
  the server the moment a render is written), from the new document's own clock
  (``performance.timeOrigin``);
* shown: until that page has shown it: its DOMContentLoaded, on the same clock.

With ``--baseline PYTHON`` another checkout's server (say the main branch's virtual
environment, ``../main/.venv/bin/python``) runs on its own copy of the story, with its own
page open, saved in alternation with this one's in the same run, so both see the same
machine load.

Target (PASS/FAIL, exit 1 on a FAIL): the median "served" under 0.5 s.
Run: ``python benchmarks/serve_speed.py [--baseline PYTHON] [--saves 8] [--no-browser]``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from big_story import write_story

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
CHROMIUM = "/usr/bin/chromium"
EDITS = ("title", "note")
#: When the current document started loading (ms since the epoch) and, after that, when
#: its DOMContentLoaded handlers were done (ms).
NAVIGATION_TIMES = """() => [performance.timeOrigin,
  performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd]"""
ONE_LINE_NOTE = re.compile(r"^    note: (?![>|]).*$", re.MULTILINE)


def get(url: str) -> str:
    try:
        with NO_PROXY.open(url, timeout=10) as answer:
            return str(answer.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:  # the error page of a half-written save
        return str(error.read().decode("utf-8", "replace"))


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


def edited(text: str, edit: str, marker: str) -> str:
    """Return the story ``text`` with the ``edit`` made, carrying ``marker``."""
    if edit == "title":
        head, _, rest = text.partition("\ntitle: ")
        _, _, after = rest.partition("\n")
        return f"{head}\ntitle: AnkSoMe {marker}\n{after}"
    # The one-line note of a card in the middle of the story.
    note = ONE_LINE_NOTE.search(text, len(text) // 2)
    assert note is not None
    return f"{text[: note.start()]}    note: Edited {marker}{text[note.end() :]}"


@dataclass
class Server:
    name: str
    story: Path
    process: subprocess.Popen[str]
    url: str
    page: Any = None
    served: dict[str, list[float]] = field(default_factory=lambda: {e: [] for e in EDITS})
    reload: dict[str, list[float]] = field(default_factory=lambda: {e: [] for e in EDITS})
    shown: dict[str, list[float]] = field(default_factory=lambda: {e: [] for e in EDITS})


def wait_served(server: Server, marker: str, saved: float) -> float:
    while marker not in get(f"{server.url}/index.html"):
        if time.perf_counter() - saved > 60:
            raise SystemExit(f"{server.name}: the server never served the new page")
        time.sleep(0.01)
    return time.perf_counter() - saved


def time_one_save(server: Server, edit: str, marker: str, *, keep: bool) -> None:
    text = server.story.read_text(encoding="utf-8")
    server.story.write_text(edited(text, edit, marker), encoding="utf-8")
    saved, saved_at = time.perf_counter(), time.time()
    served = wait_served(server, marker, saved)
    if server.page is not None:
        # A locator waits across the page's own reload; then the page's clock says when.
        server.page.get_by_text(marker, exact=False).first.wait_for(timeout=60_000)
        # The heading shows while the page is still parsing: time the whole page's DOM.
        server.page.wait_for_load_state("domcontentloaded")
        origin, loaded = server.page.evaluate(NAVIGATION_TIMES)
        if keep:
            server.reload[edit].append(origin / 1000 - saved_at)
            server.shown[edit].append((origin + loaded) / 1000 - saved_at)
    if keep:  # the first saves warm the server up
        server.served[edit].append(served)


@contextlib.contextmanager
def browser_pages(enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


def describe(values: list[float]) -> str:
    if not values:
        return "-"
    return (
        f"{statistics.median(values):.3f} s ({min(values):.3f}-{max(values):.3f}, n={len(values)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", help="python of another checkout, saved in alternation")
    parser.add_argument("--saves", type=int, default=8, help="saves per server, both edits")
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--no-browser", action="store_true", help="time 'served' only")
    args = parser.parse_args()
    pythons = {"this": sys.executable}
    if args.baseline:
        pythons = {"baseline": args.baseline, **pythons}
    load_before = os.getloadavg()[0]
    servers: list[Server] = []
    with (
        tempfile.TemporaryDirectory(prefix="serve-speed-") as temp,
        browser_pages(not args.no_browser) as browser,
    ):
        try:
            for name, python in pythons.items():
                folder = Path(temp) / name
                folder.mkdir()
                story = write_story(folder, args.items)
                servers.append(Server(name, story, *start(python, story)))
            for server in servers:  # the first render is done once the page is there
                wait_served(server, "AnkSoMe", time.perf_counter())
                if browser is not None:
                    server.page = browser.new_page()
                    server.page.goto(f"{server.url}/")
            warm_up = 2
            for save in range(args.saves + warm_up):
                order = servers if save % 2 else servers[::-1]
                edit = EDITS[save % 2]
                for server in order:
                    time_one_save(server, edit, f"{server.name}-{save}", keep=save >= warm_up)
                    time.sleep(0.3)
        finally:
            for server in servers:
                server.process.terminate()
                server.process.wait(timeout=10)
    print(
        f"serve, {args.items} items: from saving the story to the new page served / shown in "
        f"Chromium; {args.saves} saves each (title and note edits alternating); "
        f"load average {load_before:.2f} -> {os.getloadavg()[0]:.2f}"
    )
    columns = ("save -> served", "save -> reload starts", "save -> browser shows it")
    print(f"  {'server':9} {'edit':5} " + " ".join(f"{c:41}" for c in columns))
    for server in servers:
        for edit in EDITS:
            values = (server.served[edit], server.reload[edit], server.shown[edit])
            print(f"  {server.name:9} {edit:5} " + " ".join(f"{describe(v):41}" for v in values))
    this = next(server for server in servers if server.name == "this")
    served = [value for values in this.served.values() for value in values]
    ok = statistics.median(served) < 0.5
    print(f"  {'PASS' if ok else 'FAIL'}  median save -> served under 0.5 s (all edits)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
