"""What hostile input costs storyboard: time and peak memory of three attacks.

Each runs the real command in a child process (``python -m storyboard ...``) against a
local server on 127.0.0.1, and prints the child's wall time, its CPU time (user + system:
steadier than wall time on a shared machine) and its peak memory (max RSS):

- **page**: ``fetch`` of one 2 MB page of unclosed tags (no oEmbed, so discovery and
  page metadata both read it);
- **pictures**: ``fetch`` of eight posts whose answers all point at one 50-megapixel
  PNG (one colour, so the file is small and the pixels are many);
- **markdown**: ``render --offline`` of a story just under the 5 MB cap whose text
  items are all opening brackets, the costliest character for the Markdown parser
  (``check`` of the same story is shown too: reading a 5 MB YAML file is most of it).

Targets (exit status 1 when one is missed): each attack under 10 s of CPU and 400 MB.

Run: ``python benchmarks/hostile_inputs.py`` (about a minute; nothing leaves 127.0.0.1).
``--source DIR`` measures another checkout's ``src`` (for a before/after table).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 10.0
TARGET_MB = 400
PAGE_BYTES = 2_000_000
PICTURE_SIDE = 7_000  # 49 megapixels: just under the archive's cap
POSTS = 8
STORY_CAP = 5_000_000


def hostile_page() -> bytes:
    head = b"<!doctype html><html><head><title>A page</title>"
    filler = b"<div><span><a>" * ((PAGE_BYTES - len(head)) // 14)
    return head + filler


def big_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (PICTURE_SIDE, PICTURE_SIDE), (30, 90, 200)).save(out, "PNG")
    return out.getvalue()


class _Handler(BaseHTTPRequestHandler):
    page = b""
    png = b""
    picture_requests = 0

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/oembed":
            post = parse_qs(parts.query).get("url", [""])[0]
            host, port = self.server.server_address[:2]
            answer = {
                "type": "rich",
                "version": "1.0",
                "author_name": "Anna",
                "html": f"<p>{post}</p>",
                "thumbnail_url": f"http://{host!s}:{port}/big.png",
            }
            self._send(json.dumps(answer).encode(), "application/json")
        elif parts.path == "/big.png":
            type(self).picture_requests += 1
            self._send(self.png, "image/png")
        else:
            self._send(self.page, "text/html; charset=utf-8")

    def _send(self, body: bytes, mime: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@contextmanager
def serving() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()


Measured = tuple[float, float, float]  # wall seconds, CPU seconds, peak MB


def measure(args: list[str], cwd: Path) -> Measured:
    """Run ``python -m storyboard ARGS`` alone in a child; return its figures."""
    script = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "subprocess.run([sys.executable, '-m', 'storyboard', *sys.argv[1:]],"
        " capture_output=True)\n"
        "seconds = time.perf_counter() - start\n"
        "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)\n"
    )
    env = {**os.environ, "STORYBOARD_CACHE_DIR": str(cwd / "cache")}
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    wall, cpu, peak = (float(v) for v in done.stdout.split())
    return wall, cpu, peak


def providers_file(folder: Path, base: str) -> Path:
    path = folder / "providers.json"
    entry = {
        "provider_name": "Bench",
        "provider_url": f"{base}/",
        "endpoints": [{"schemes": [f"{base}/post/*"], "url": f"{base}/oembed"}],
    }
    path.write_text(json.dumps([entry]), encoding="utf-8")
    return path


def page_attack(folder: Path, base: str) -> Measured:
    story = folder / "page.yaml"
    story.write_text(f"title: T\nitems:\n  - url: {base}/hostile\n", encoding="utf-8")
    return measure(["fetch", str(story), "--allow-private-network"], folder)


def pictures_attack(folder: Path, base: str) -> Measured:
    story = folder / "pictures.yaml"
    items = "".join(f"  - url: {base}/post/{n}\n" for n in range(POSTS))
    story.write_text(f"title: T\nitems:\n{items}", encoding="utf-8")
    providers = providers_file(folder, base)
    args = ["fetch", str(story), "--providers", str(providers), "--allow-private-network"]
    return measure([*args, "--concurrency", "8", "--per-host", "8"], folder)


def markdown_story(folder: Path) -> Path:
    story = folder / "markdown.yaml"
    item = "  - text: '" + "[" * 19_000 + "'\n"
    count = (STORY_CAP - 100) // len(item)
    story.write_text("title: T\nitems:\n" + item * count, encoding="utf-8")
    return story


def markdown_attack(folder: Path) -> Measured:
    story = markdown_story(folder)
    return measure(["render", str(story), "--offline", "-o", str(folder / "site")], folder)


def markdown_loading(folder: Path) -> Measured:
    return measure(["check", str(markdown_story(folder))], folder)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--source", type=Path, default=REPO / "src", help="storyboard's src")
    source = parser.parse_args().source.resolve()
    os.environ["PYTHONPATH"] = str(source)  # what every child imports storyboard from
    _Handler.page = hostile_page()
    _Handler.png = big_png()
    print(
        f"hostile page: {len(_Handler.page) / 1e6:.1f} MB; picture: {PICTURE_SIDE}x"
        f"{PICTURE_SIDE} PNG of {len(_Handler.png) / 1e3:.0f} KB"
    )
    failed = False
    with tempfile.TemporaryDirectory() as tmp, serving() as base:
        folder = Path(tmp)
        results = {
            "page (2 MB of unclosed tags)": page_attack(folder, base),
            f"pictures ({POSTS} posts, one 49 MP PNG)": pictures_attack(folder, base),
            "markdown (5 MB of brackets): render": markdown_attack(folder),
        }
        loading = markdown_loading(folder)
    print(f"{'':42} {'wall':>8} {'CPU':>8} {'peak':>8}")
    for name, (wall, cpu, peak) in results.items():
        ok = cpu < TARGET_SECONDS and peak < TARGET_MB
        failed |= not ok
        verdict = "PASS" if ok else "FAIL"
        print(f"{name:42} {wall:6.1f} s {cpu:6.1f} s {peak:5.0f} MB  {verdict}")
    wall, cpu, peak = loading
    print(f"{'  of which reading the story (check)':42} {wall:6.1f} s {cpu:6.1f} s {peak:5.0f} MB")
    print(f"picture downloads: {_Handler.picture_requests} (of {POSTS} posts)")
    print(f"targets: under {TARGET_SECONDS:g} s of CPU and {TARGET_MB} MB each")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
