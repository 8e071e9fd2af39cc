"""How faithful ``storyboard fetch`` is on recorded-style answers of real hosts.

The answers (``tests/fixtures/real_world/cases.json``) are written after the
providers' documentation and what real answers are known to look like: news pages in
windows-1251, Shift_JIS, EUC-KR, GB2312 and ISO-8859-15 (declared in the header, in
``<meta>``, wrongly or not at all), login and consent walls behind redirects, sites
whose every page claims to be the home page, oEmbed answers lacking a title, picture
or date, endpoints that fail (500, 400, an HTML page, a 404 for a page that exists),
Mastodon and Bluesky posts, short links, LinkedIn and Google Slides pages. Each case
names the title, author, picture and date a faithful card has.

One loopback server plays every host. The real ``storyboard fetch`` runs in a child
process whose HTTP adapter sends each request for those hosts to that server with
the real ``Host`` header (the same in any version of storyboard, so two checkouts
compare), and the script prints the share of cards with the right title, author,
picture (archived) and date.

Run: ``python benchmarks/real_world.py`` (a few seconds; nothing leaves 127.0.0.1);
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
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "tests" / "fixtures" / "real_world" / "cases.json"
FIELDS = ("title", "author", "picture", "date")


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(CASES.read_text(encoding="utf-8"))
    return cases


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 80, 40)).save(out, format="PNG")
    return out.getvalue()


# -- the hosts ----------------------------------------------------------------------------------


@contextmanager
def serve(cases: list[dict[str, Any]]) -> Iterator[str]:
    """Serve every case's answers by Host header and path; yield the server's origin."""
    answers: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for case in cases:
        for answer in case["responses"]:
            answers.setdefault((answer["host"], answer["path"]), []).append(answer)
    picture = png_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            host = (self.headers.get("Host") or "").split(":")[0].lower()
            parts = urlsplit(self.path)
            asked = parse_qs(parts.query).get("url", [None])[0]
            for answer in answers.get((host, parts.path), []):
                if answer.get("about") in (None, asked):
                    return self.answer(answer)
            return self.answer({"status": 404, "content_type": "text/plain", "body": "no"})

        def answer(self, answer: dict[str, Any]) -> None:
            if answer.get("image"):
                body = picture
            else:
                body = answer.get("body", "").encode(answer.get("encoding", "utf-8"))
            self.send_response(answer["status"])
            self.send_header("Content-Type", answer["content_type"])
            self.send_header("Content-Length", str(len(body)))
            for name, value in answer.get("headers", {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# -- the child: storyboard fetch, its requests sent to the server --------------------------------


def child(story: str, origin: str, hosts: list[str]) -> int:
    """Run ``storyboard fetch`` with every request for ``hosts`` sent to ``origin``."""
    import requests.adapters

    send = requests.adapters.HTTPAdapter.send
    target = urlsplit(origin)

    def to_loopback(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(request.url)
        if (parts.hostname or "").lower() in hosts:
            request.headers["Host"] = parts.netloc
            request.url = urlunsplit((target.scheme, target.netloc, parts.path, parts.query, ""))
        return send(self, request, *args, **kwargs)

    requests.adapters.HTTPAdapter.send = to_loopback  # type: ignore[method-assign]
    from storyboard.cli.main import main

    return main(["fetch", story, "--allow-private-network", "--timeout", "5"])


# -- scoring ------------------------------------------------------------------------------------


def score(card: dict[str, Any] | None, expect: dict[str, Any]) -> dict[str, bool]:
    """Return, for each field the case names, whether the card has it right."""
    card = card or {}
    right: dict[str, bool] = {}
    if "title" in expect:
        right["title"] = card.get("title") == expect["title"]
    if "author" in expect:
        right["author"] = card.get("author_name") == expect["author"]
    if expect.get("image"):
        right["picture"] = bool((card.get("image") or {}).get("path"))
    if "date" in expect:
        right["date"] = str(card.get("published", ""))[:10] == expect["date"]
    return right


def measure(source: Path, exclude: list[str]) -> tuple[dict[str, list[int]], list[str]]:
    """Fetch every case with storyboard from ``source``; return right/total per field."""
    cases = [c for c in load_cases() if not any(word in c["name"] for word in exclude)]
    hosts = sorted({a["host"] for c in cases for a in c["responses"]})
    with tempfile.TemporaryDirectory() as tmp, serve(cases) as origin:
        story = Path(tmp) / "story.yaml"
        items = "".join(f"  - url: {case['url']}\n" for case in cases)
        story.write_text(f"title: Real world\nitems:\n{items}", encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env.update(
            PYTHONPATH=str(source),
            STORYBOARD_CACHE_DIR=str(Path(tmp) / "cache"),
            STORYBOARD_META_TOKEN="",
        )
        env.pop("STORYBOARD_HOST_MAP", None)
        command = [sys.executable, __file__, "--child", str(story), origin, ",".join(hosts)]
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, check=False, timeout=300
        )
        written = story.with_name("story.snapshots.json")
        if not written.exists():
            sys.exit(f"storyboard fetch wrote no snapshots:\n{done.stderr}")
        snapshots = json.loads(written.read_text("utf-8"))
    from storyboard.urls import normalize_url

    totals = {name: [0, 0] for name in FIELDS}
    misses: list[str] = []
    for case in cases:
        snapshot = snapshots["snapshots"].get(normalize_url(case["url"]), {})
        for name, ok in score(snapshot.get("card"), case["expect"]).items():
            totals[name][1] += 1
            totals[name][0] += ok
            if not ok:
                misses.append(f"{name:8} {case['name']}")
    return totals, misses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=REPO / "src", help="storyboard's src")
    parser.add_argument("--misses", action="store_true", help="list the wrong fields")
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="WORDS",
        help="leave out the cases whose name contains WORDS (one that crashes a version)",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        story, origin, hosts = args.child
        return child(story, origin, hosts.split(","))
    totals, misses = measure(args.source.resolve(), args.exclude)
    print(f"{sum(t for _, t in totals.values())} fields, storyboard from {args.source}")
    print(f"{'field':8} {'right':>7} {'share':>6}")
    for name in FIELDS:
        right, total = totals[name]
        print(f"{name:8} {right:>3}/{total:<3} {right / total:>6.0%}")
    if args.misses:
        print("\n".join(["", "wrong:", *misses]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
