"""How fast ``storyboard fetch`` is against providers that take 100 ms to answer.

Starts ten local oEmbed servers (one port each: ten providers), each of which also
answers the posts' own pages (``STORYBOARD_HOST_MAP``), at once and with a 404, so
each card keeps its oEmbed answer. Prints in one run:

- the real command, in a child process, on 200 and on 2,000 URLs: the whole command
  (start-up included) as median, min and max of a few runs, against the ideal
  ``ceil(URLs / parallel requests) x latency``; its CPU seconds; the connections it
  opened for its requests;
- the same for a baseline, ``src/`` of another git revision (``--baseline``, main by
  default) exported with ``git archive`` and run by the same Python, in runs that
  alternate with this tree's, so that the machine's load weighs on both alike (both
  trees' bytecode written first, as an installed copy has it);
- the machine's load average before and after;
- a sequential baseline: one ``requests.get`` after another, as oEmbed libraries do;
- micawber, if it is installed, pointed at the same servers (its default, one
  request after another, and its thread pool);
- a second fetch of the same story, with every item in snapshots: requests made, time;
- the peak memory (max RSS) of a fetch of 2,000 URLs at 5 ms.

Run: ``python benchmarks/fetch_speed.py`` (about five minutes; nothing leaves 127.0.0.1).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

REPO = Path(__file__).resolve().parents[1]
#: The size of ``--pictures``' photos: a typical post picture, under the archive's 1600 px.
PICTURE_SIZE = (1200, 800)
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


# -- the providers ------------------------------------------------------------------------------


class Counter:
    """Requests and connections a server saw, safe to bump from its threads."""

    def __init__(self) -> None:
        self.requests = 0
        self.connections = 0
        self._lock = threading.Lock()

    def bump(self, *, connection: bool = False) -> None:
        with self._lock:
            if connection:
                self.connections += 1
            else:
                self.requests += 1


class Handler(BaseHTTPRequestHandler):
    """An oEmbed endpoint that answers every post after a fixed latency, kept alive."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm on, the body waits
    # for the client's delayed ACK (40 ms on Linux) on every kept-alive connection.
    # Real servers send without that delay, as TCP_NODELAY makes this one do.
    disable_nagle_algorithm = True
    server: Provider

    def setup(self) -> None:
        super().setup()
        self.server.counter.bump(connection=True)

    def do_GET(self) -> None:
        self.server.counter.bump()
        if self.path.startswith("/post/"):
            self.not_found()
            return
        if self.path.startswith("/picture/"):
            self.picture()
            return
        time.sleep(self.server.latency)
        url = parse_qs(urlsplit(self.path).query).get("url", [""])[0]
        body = json.dumps(
            {
                **self.thumbnail_of(url),
                "type": "rich",
                "version": "1.0",
                "author_name": "Anna Example",
                "author_url": "https://social.example/@anna",
                "provider_name": "Example Social",
                "provider_url": "https://social.example/",
                "html": f'<blockquote class="post"><p>Post {url}: a few words '
                "about the day, as posts go.</p></blockquote>",
                "width": 550,
                "height": None,
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def thumbnail_of(self, url: str) -> dict[str, object]:
        """With ``--pictures``: the post's picture, on the post's own host (answered at once)."""
        if self.server.picture is None:
            return {}
        parts = urlsplit(url)
        return {
            "thumbnail_url": f"https://{parts.hostname}/picture{parts.path}.jpg",
            "thumbnail_width": PICTURE_SIZE[0],
            "thumbnail_height": PICTURE_SIZE[1],
        }

    def picture(self) -> None:
        """A JPEG photo, its bytes made unique to the post (bytes after its end marker)."""
        assert self.server.picture is not None
        body = self.server.picture + self.path.encode()
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def not_found(self) -> None:
        """Answer a post's own page at once: a 404, so its card keeps the oEmbed answer."""
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""


class Provider(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, latency: float, picture: bytes | None = None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.latency = latency
        self.picture = picture
        self.counter = Counter()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/oembed"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


@dataclass
class Farm:
    """Ten providers, and the story URLs each of them answers for."""

    providers: list[Provider]

    @classmethod
    def start(cls, hosts: int, latency: float, picture: bytes | None = None) -> Farm:
        return cls([Provider(latency, picture) for _ in range(hosts)])

    def set_latency(self, latency: float) -> None:
        for provider in self.providers:
            provider.latency = latency

    def urls(self, count: int) -> list[str]:
        """Return ``count`` post URLs, spread round-robin over the providers."""
        return [f"https://h{i % len(self.providers)}.example/post/{i}" for i in range(count)]

    def endpoint_for(self, url: str) -> str:
        host = urlsplit(url).hostname or ""
        return self.providers[int(host[1:].split(".")[0])].endpoint

    def host_map(self) -> str:
        """``STORYBOARD_HOST_MAP``: each post's own page is asked of its provider's server."""
        return ",".join(
            f"h{n}.example=http://127.0.0.1:{p.server_address[1]}"
            for n, p in enumerate(self.providers)
        )

    @property
    def requests(self) -> int:
        return sum(p.counter.requests for p in self.providers)

    @property
    def connections(self) -> int:
        return sum(p.counter.connections for p in self.providers)

    def write_story(self, folder: Path, name: str, urls: list[str]) -> Path:
        entries = [
            {
                "provider_name": f"Host {n}",
                "provider_url": f"https://h{n}.example/",
                "endpoints": [{"schemes": [f"https://h{n}.example/*"], "url": p.endpoint}],
            }
            for n, p in enumerate(self.providers)
        ]
        (folder / "providers.json").write_text(json.dumps(entries), encoding="utf-8")
        items = "".join(f"  - url: {url}\n" for url in urls)
        story = folder / f"{name}.yaml"
        story.write_text(f"title: Benchmark\nitems:\n{items}", encoding="utf-8")
        return story

    def stop(self) -> None:
        for provider in self.providers:
            provider.stop()


# -- the contenders ------------------------------------------------------------------------------


@dataclass
class Run:
    """One ``storyboard fetch`` in a child process."""

    wall: float  # the whole command: start-up, loading, fetching, saving
    fetch: float  # the fetch itself, as the command's summary line reports it
    peak_rss_mb: float
    cpu: float  # user + system seconds of the child: what the machine's load cannot inflate
    requests: int
    connections: int
    summary: str


def storyboard_fetch(farm: Farm, story: Path, *extra: str, src: Path = REPO / "src") -> Run:
    """Run ``storyboard fetch`` from the source tree ``src`` in a child process."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}
    env["PYTHONPATH"] = str(src)
    env["STORYBOARD_HOST_MAP"] = farm.host_map()
    command = [sys.executable, "-m", "storyboard", "fetch", str(story)]
    options = ["--providers", str(story.with_name("providers.json")), "--allow-private-network"]
    asked, opened = farm.requests, farm.connections
    started = time.monotonic()
    process = subprocess.Popen(
        [*command, *options, *extra], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env
    )
    assert process.stderr is not None
    stderr = process.stderr.read().decode()
    # wait4, not wait: it returns this child's own resource usage, peak memory included.
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"storyboard fetch failed ({process.returncode}):\n{stderr}")
    summary = stderr.strip().splitlines()[-1]
    match = re.search(r" in (\d+\.\d) s$", summary)
    return Run(
        wall=wall,
        fetch=float(match.group(1)) if match else 0.0,
        peak_rss_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
        cpu=usage.ru_utime + usage.ru_stime,
        requests=farm.requests - asked,
        connections=farm.connections - opened,
        summary=summary,
    )


def export_source(revision: str, folder: Path) -> Path:
    """Write ``src/`` as it is at ``revision`` into ``folder``; return that ``src``."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", revision, "src"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


def compile_source(src: Path) -> None:
    """Write the bytecode of ``src`` beside it, as installing a package does.

    With ``PYTHONDONTWRITEBYTECODE`` set (some shells and containers set it), every run
    would compile storyboard's modules again, a cost no installed copy pays.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True, env=env)


def revision_name(revision: str) -> str:
    """Return ``revision`` with its short commit id ("main at 1a2b3c4")."""
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", revision],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return f"{revision} at {commit}"


def paired_runs(
    farm: Farm,
    folder: Path,
    name: str,
    urls: list[str],
    trees: dict[str, Path],
    repeat: int,
    extra: tuple[str, ...],
) -> dict[str, list[Run]]:
    """Fetch ``urls`` ``repeat`` times with each source tree, alternating between them.

    Alternating spreads the machine's load over both, so a busy moment does not count
    against one of them only. Every run writes a new snapshot file.
    """
    runs: dict[str, list[Run]] = {label: [] for label in trees}
    for attempt in range(repeat):
        for label, src in trees.items():
            story = farm.write_story(folder, f"{name}-{label}-{attempt}", urls)
            runs[label].append(storyboard_fetch(farm, story, *extra, src=src))
    return runs


def sequential(farm: Farm, urls: list[str]) -> float:
    """Fetch every URL's oEmbed answer one after another, a new connection each."""
    started = time.monotonic()
    for url in urls:
        response = requests.get(
            farm.endpoint_for(url), params={"url": url, "format": "json"}, timeout=15
        )
        response.raise_for_status()
        response.json()
    return time.monotonic() - started


def micawber_runs(farm: Farm, urls: list[str], workers: int) -> list[tuple[str, float]]:
    """Time micawber against the same providers, if it is installed."""
    try:
        import micawber  # type: ignore[import-untyped]
    except ImportError:
        return []
    registry = micawber.ProviderRegistry()
    for n, provider in enumerate(farm.providers):
        registry.register(rf"https://h{n}\.example/\S+", micawber.Provider(provider.endpoint))
    started = time.monotonic()
    for url in urls:
        registry.request(url)
    one_by_one = time.monotonic() - started

    pooled = micawber.ProviderRegistry(max_workers=workers)
    for n, provider in enumerate(farm.providers):
        pooled.register(rf"https://h{n}\.example/\S+", micawber.Provider(provider.endpoint))
    started = time.monotonic()
    answers = pooled.request_many(urls)
    threaded = time.monotonic() - started
    assert len(answers) == len(urls)
    return [
        ("micawber, one by one (its default)", one_by_one),
        (f"micawber request_many, {workers} threads, no per-host limit", threaded),
    ]


# -- the report ----------------------------------------------------------------------------------


def photo() -> bytes:
    """Return a JPEG of ``PICTURE_SIZE`` with detail in it, as a photo has (not one colour)."""
    import io

    from PIL import Image

    width, height = PICTURE_SIZE
    image = Image.effect_mandelbrot((width, height), (-2.2, -1.2, 1.0, 1.2), 60).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def row(label: str, value: str) -> None:
    print(f"  {label:<58} {value}")


def check(label: str, ok: bool) -> bool:
    print(f"  {'PASS' if ok else 'FAIL'}  {label}")
    return ok


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def spread(values: list[float]) -> str:
    """Median with min and max: "2.71 (2.66-2.90)"."""
    return f"{statistics.median(values):5.2f} ({min(values):.2f}-{max(values):.2f})"


def print_size(count: int, ideal: float, runs: dict[str, list[Run]]) -> None:
    repeat = len(next(iter(runs.values())))
    print(f"{count} URLs: ideal {ideal:.2f} s; whole command, median (min-max) of {repeat}")
    for label, done in runs.items():
        walls = [run.wall for run in done]
        ratios = [wall / ideal for wall in walls]
        connections = sorted({run.connections for run in done})
        requests_made = sorted({run.requests for run in done})
        row(f"{label}: seconds", spread(walls))
        row(f"{label}: x ideal", spread(ratios))
        row(f"{label}: CPU seconds (user + system)", spread([run.cpu for run in done]))
        row(
            f"{label}: connections opened / requests",
            f"{'/'.join(map(str, connections))} / {'/'.join(map(str, requests_made))}",
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=200)
    parser.add_argument("--large-urls", type=int, default=2000, help="0: skip the large run")
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per answer")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--memory-urls", type=int, default=2000, help="0: skip")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each storyboard fetch")
    parser.add_argument("--large-repeat", type=int, default=2, help="runs of the large fetch")
    parser.add_argument(
        "--baseline", default="main", help="git revision to compare with ('' for none)"
    )
    parser.add_argument("--no-contenders", action="store_true", help="skip sequential/micawber")
    parser.add_argument(
        "--pictures",
        action="store_true",
        help="each post has a 1200x800 photo to archive (answered at once by its host)",
    )
    args = parser.parse_args(argv)
    for name in PROXY_VARIABLES:
        os.environ.pop(name, None)
        os.environ.pop(name.upper(), None)

    farm = Farm.start(args.hosts, args.latency, photo() if args.pictures else None)
    results: list[bool] = []
    try:
        with tempfile.TemporaryDirectory(prefix="storyboard-bench-") as tmp:
            folder = Path(tmp)
            trees = {"this tree": REPO / "src"}
            if args.baseline:
                trees[revision_name(args.baseline)] = export_source(args.baseline, folder)
            for src in trees.values():
                compile_source(src)
            urls = farm.urls(args.urls)
            parallel = min(args.concurrency, args.hosts * args.per_host)

            def ideal_of(count: int) -> float:
                return math.ceil(count / parallel) * args.latency

            print(
                f"fetch over {args.hosts} hosts, {args.latency * 1000:g} ms per answer, "
                f"--concurrency {args.concurrency}, --per-host {args.per_host}; "
                f"each post's page answers 404 at once"
                + (f"; each post has a {PICTURE_SIZE[0]}x{PICTURE_SIZE[1]} photo" * args.pictures)
            )
            print(f"before: {load_average()}")
            pool = ("--concurrency", str(args.concurrency), "--per-host", str(args.per_host))
            small = paired_runs(farm, folder, "small", urls, trees, args.repeat, pool)
            print_size(args.urls, ideal_of(args.urls), small)
            large: dict[str, list[Run]] = {}
            if args.large_urls:
                large = paired_runs(
                    farm,
                    folder,
                    "large",
                    farm.urls(args.large_urls),
                    trees,
                    args.large_repeat,
                    pool,
                )
                print_size(args.large_urls, ideal_of(args.large_urls), large)
            print(f"after: {load_average()}")

            ours = small["this tree"]
            first = min(ours, key=lambda run: run.wall)
            baseline = 0.0
            if not args.no_contenders:
                baseline = sequential(farm, urls)
                row("sequential baseline (requests.get, one after another)", f"{baseline:6.2f} s")
                contenders = micawber_runs(farm, urls, args.concurrency)
                for label, seconds in contenders:
                    row(label, f"{seconds:6.2f} s")
                if not contenders:
                    row("micawber", "not installed (pip install micawber)")

            story = farm.write_story(folder, "again", urls)
            storyboard_fetch(farm, story, *pool)
            seconds = [storyboard_fetch(farm, story, *pool) for _ in range(args.repeat)]
            second = min(seconds, key=lambda run: run.wall)
            requests_made = sum(run.requests for run in seconds)
            all_runs = ", ".join(f"{run.wall:.2f}" for run in seconds)
            row("second fetch, all in snapshots: requests made", f"{requests_made}")
            row(
                f"second fetch, all in snapshots: whole command, best of {args.repeat}",
                f"{second.wall:6.2f} s  (runs: {all_runs})",
            )

            memory = None
            if args.memory_urls:
                farm.set_latency(0.005)
                many = farm.write_story(folder, "memory", farm.urls(args.memory_urls))
                memory = storyboard_fetch(farm, many, *pool)
                row(
                    f"peak memory (max RSS), fetch of {args.memory_urls} URLs at 5 ms",
                    f"{memory.peak_rss_mb:6.1f} MB  ({memory.summary}, {memory.wall:.2f} s)",
                )
            row(f"peak memory (max RSS), fetch of {args.urls} URLs", f"{first.peak_rss_mb:6.1f} MB")

            print("targets")
            small_ratio = statistics.median(run.wall for run in ours) / ideal_of(args.urls)
            results.append(
                check(
                    f"{args.urls} URLs, whole command within 1.25x the ideal "
                    f"(median {small_ratio:.2f}x)",
                    small_ratio <= 1.25,
                )
            )
            if large:
                large_ratio = statistics.median(run.wall for run in large["this tree"]) / ideal_of(
                    args.large_urls
                )
                results.append(
                    check(
                        f"{args.large_urls} URLs, whole command within 1.15x the ideal "
                        f"(median {large_ratio:.2f}x)",
                        large_ratio <= 1.15,
                    )
                )
            most = args.hosts * args.per_host * 2  # the oEmbed and the page requests
            results.append(
                check(
                    f"connections reused per host: at most {most} opened "
                    f"({max(run.connections for run in ours)})",
                    max(run.connections for run in ours) <= most,
                )
            )
            if baseline:
                results.append(
                    check(
                        f"at least 6x faster than sequential: {baseline / first.wall:.1f}x",
                        baseline >= 6 * first.wall,
                    )
                )
            results.append(
                check(
                    f"second fetch makes no request ({requests_made}) "
                    f"and takes under 0.5 s ({second.wall:.2f} s)",
                    requests_made == 0 and second.wall < 0.5,
                )
            )
            if memory is not None:
                results.append(
                    check(
                        f"{args.memory_urls} URLs in under 200 MB ({memory.peak_rss_mb:.0f} MB)",
                        memory.peak_rss_mb < 200,
                    )
                )
    finally:
        farm.stop()
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
