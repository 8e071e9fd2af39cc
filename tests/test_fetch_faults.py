"""Every fault a provider can throw, through ``storyboard fetch`` end to end.

Each case runs the real CLI against a loopback server that misbehaves for two items of
a four-item story. One of them (X) had a good snapshot before, the other (Y) is new.
For each fault: one ``failed:`` line per faulty item that names it and the cause, exit
status 1, the two good items fetched fine, and X's good snapshot byte-identical after
the ``--refresh`` apart from the failure recorded beside it (a refresh keeps the good
snapshot and records the failure beside it). 404, 410 and 401 say the post is gone:
X keeps every byte of its data and is marked ``gone``.

Provider faults run directly against 127.0.0.1 (``--allow-private-network``). The guard
cases run with the guard on: the server then also acts as the HTTP proxy, so names
like ``provider.example`` reach it without DNS while literal private addresses are
still checked and refused.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from PIL import Image

from storyboard.cli.progress import FetchProgress
from storyboard.errors import FetchError
from storyboard.fetch.first_request import server_of
from storyboard.fetch.pool import FetchOutcome, FetchReport, PoolSettings, failure_line, fetch_urls
from storyboard.fetch.resolver import Resolution
from storyboard.model.card import Card, CardKind
from storyboard.model.snapshot import Snapshot, SnapshotStatus
from storyboard.snapshots import SnapshotStore
from tests.faultserver import Exchange, FaultServer, Route

from .cli_runner import Result, invoke

GOOD_A = "https://social.example/@good/a"
GOOD_B = "https://social.example/@good/b"
X = "http://social.example/@x/1"  # had a good snapshot before the fault
Y = "http://social.example/@x/2"  # new in the story when the fault hits
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def _no_proxy_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with FaultServer() as fault:
        yield fault
    assert fault.errors == []


def oembed_for(url: str) -> dict[str, object]:
    """Return a good oEmbed answer for ``url``, shaped like a Mastodon post's."""
    return {
        "type": "rich",
        "version": "1.0",
        "author_name": "Anna",
        "author_url": "https://social.example/@anna",
        "provider_name": "Example Social",
        "html": f"<blockquote><p>Post {url.rsplit('/', 1)[-1]}</p></blockquote>",
        "width": 400,
    }


def asked_about(ex: Exchange) -> str:
    """Return the post URL an endpoint request asks about (its ``url`` parameter)."""
    return parse_qs(urlsplit(ex.path).query).get("url", [""])[0]


def good_endpoint(ex: Exchange) -> None:
    ex.respond(200, json.dumps(oembed_for(asked_about(ex))).encode())


def page_with_link(endpoint: str) -> Route:
    """A post page whose oEmbed discovery link points at ``endpoint``."""

    def route(ex: Exchange) -> None:
        page = f"http://social.example{ex.route_path}"
        href = f"{endpoint}?url={quote(page, safe='')}&amp;format=json"
        body = (
            "<!doctype html><html><head><title>A post</title>"
            f'<link rel="alternate" type="application/json+oembed" href="{href}">'
            "</head><body></body></html>"
        )
        ex.respond(200, body.encode(), content_type="text/html; charset=utf-8")

    return route


@dataclass
class Refresh:
    """What a ``fetch --refresh`` into a fault left: its output and X before and after."""

    result: Result
    before: str  # the snapshot file after the good fetch
    after: str
    seconds: float
    hits: dict[str, int] = field(default_factory=dict)  # endpoint requests per post URL

    @property
    def failed_lines(self) -> list[str]:
        return [line for line in self.result.stderr.splitlines() if line.startswith("failed:")]

    def data(self) -> dict[str, dict[str, object]]:
        snapshots: dict[str, dict[str, object]] = json.loads(self.after)["snapshots"]
        return snapshots


@dataclass
class Rig:
    """A story of four items against the fault server; routes change between fetches."""

    server: FaultServer
    folder: Path
    proxy: bool = False  # guard on, the fault server as HTTP proxy
    pages: bool = False  # X and Y are pages with discovery, not provider URLs
    hits: dict[str, int] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return "http://provider.example" if self.proxy else self.server.url("")

    @property
    def story(self) -> Path:
        return self.folder / "story.yaml"

    @property
    def snapshots(self) -> Path:
        return self.folder / "story.snapshots.json"

    def write(self, urls: list[str], fault_base: str | None = None) -> None:
        """Write the story with ``urls`` and a providers file for this rig."""

        def provider(name: str, scheme: str, endpoint: str) -> dict[str, object]:
            return {
                "provider_name": name,
                "provider_url": "https://social.example/",
                "endpoints": [{"schemes": [scheme], "url": endpoint}],
            }

        providers = [provider("Good", "https://social.example/@good/*", f"{self.base}/good")]
        if not self.pages:  # else X and Y match no provider: their pages are fetched
            fault = f"{fault_base or self.base}/fault"
            providers.append(provider("Faulty", "http://social.example/@x/*", fault))
        (self.folder / "providers.json").write_text(json.dumps(providers), encoding="utf-8")
        items = "".join(f"  - url: {url}\n" for url in urls)
        self.story.write_text(f"title: Faults\nitems:\n{items}", encoding="utf-8")

    def counted(self, route: Route) -> Route:
        """Count each request ``route`` answers, by the post URL it is about."""

        def counting(ex: Exchange) -> None:
            about = asked_about(ex) or f"http://social.example{ex.route_path}"
            self.hits[about] = self.hits.get(about, 0) + 1
            route(ex)

        return counting

    def serve(self, fault: Route) -> None:
        self.server.routes["/good"] = good_endpoint
        if self.pages:
            self.server.routes["/@x/1"] = self.server.routes["/@x/2"] = self.counted(fault)
        else:
            self.server.routes["/fault"] = self.counted(fault)

    def fetch(self, *args: str) -> Result:
        env = {"HTTP_PROXY": self.server.url(""), "NO_PROXY": ""} if self.proxy else {}
        options = ["--timeout", "1", "--providers", str(self.folder / "providers.json")]
        if not self.proxy:
            options.append("--allow-private-network")
        return invoke(["fetch", str(self.story), *options, *args], env=env)

    def good_then(self, fault: Route, *, fault_base: str | None = None) -> Refresh:
        """Fetch A, X, B while all is well; then refresh A, X, Y, B into ``fault``."""
        good = page_with_link(f"{self.base}/good") if self.pages else good_endpoint
        self.serve(good)
        self.write([GOOD_A, X, GOOD_B])
        first = self.fetch()
        assert first.exit_code == 0, first.stderr
        before = self.snapshots.read_text(encoding="utf-8")
        assert json.loads(before)["snapshots"][X]["status"] == "ok"

        self.hits.clear()
        self.serve(fault)
        self.write([GOOD_A, X, Y, GOOD_B], fault_base)
        started = time.monotonic()
        result = self.fetch("--refresh")
        seconds = time.monotonic() - started
        return Refresh(
            result=result,
            before=before,
            after=self.snapshots.read_text(encoding="utf-8"),
            seconds=seconds,
            hits=dict(self.hits),
        )


@pytest.fixture
def rig(server: FaultServer, tmp_path: Path) -> Iterator[Rig]:
    yield Rig(server, tmp_path)
    server.routes.clear()


@pytest.fixture
def guarded(server: FaultServer, tmp_path: Path) -> Iterator[Rig]:
    yield Rig(server, tmp_path, proxy=True)
    server.routes.clear()


# -- what the file must look like --------------------------------------------------------------


def entry(text: str, key: str) -> str:
    """Return the lines of one snapshot entry exactly as they stand in the file."""
    lines = text.splitlines(keepends=True)
    start = lines.index(f"    {json.dumps(key)}: {{\n")
    end = next(i for i in range(start + 1, len(lines)) if re.match(r"    \}", lines[i]))
    return "".join(lines[start : end + 1]).rstrip(",\n")


def fields(entry_text: str) -> dict[str, str]:
    """Split an entry into its top-level fields, each block of lines byte for byte."""
    blocks: dict[str, list[str]] = {}
    name = ""
    for line in entry_text.splitlines()[1:-1]:
        match = re.match(r' {6}"(\w+)": ', line)
        if match:
            name = match.group(1)
            blocks[name] = []
        blocks[name].append(line)
    # Only the comma that separates a block from the next one depends on its neighbours.
    return {key: "\n".join(lines).removesuffix(",") for key, lines in blocks.items()}


def assert_fault(
    refresh: Refresh, cause: str, *, gone: bool = False, retried: int | None = None
) -> None:
    """Check output, exit status and the file after a refresh whose X and Y meet a fault.

    ``cause`` is a regular expression for the cause part of the failure line.
    """
    result = refresh.result
    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = refresh.failed_lines
    assert len(lines) == 2, result.stderr
    for url in (X, Y):
        [line] = [line for line in lines if url in line]
        kept = ""
        if url == X:
            kept = (
                r" \(kept the earlier snapshot, marked gone\)"
                if gone
                else r" \(kept the earlier snapshot\)"
            )
        assert re.fullmatch(rf"failed: ({re.escape(url)}: )?{cause}{kept}", line), line
    summary = result.stderr.splitlines()[-1]
    assert re.fullmatch(r"fetched 2 of 4, 2 failed in \d+\.\d s", summary), summary

    data = refresh.data()
    for good in (GOOD_A, GOOD_B):
        assert data[good]["status"] == "ok"
        assert "last_error" not in data[good]
    assert data[Y]["status"] == "error"
    assert "card" not in data[Y]

    before, after = fields(entry(refresh.before, X)), fields(entry(refresh.after, X))
    error = after.pop("last_error")
    assert re.search(cause, json.loads("{" + error + "}")["last_error"]["message"])
    if gone:
        assert json.loads("{" + after.pop("status") + "}")["status"] == "gone"
        assert json.loads("{" + after.pop("gone_since") + "}")["gone_since"]
        before.pop("status")
    assert after == before  # every other byte of the good snapshot is unchanged
    if retried is not None:
        assert refresh.hits == {X: retried, Y: retried}


# -- HTTP statuses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "phrase"), [(404, "Not Found"), (410, "Gone"), (401, "Unauthorized")]
)
def test_gone_statuses_mark_the_good_snapshot_gone_and_keep_its_data(
    rig: Rig, status: int, phrase: str
) -> None:
    refresh = rig.good_then(lambda ex: ex.respond(status, b'{"error": "no"}'))
    cause = rf"{status} {phrase} from {re.escape(rig.base)}/fault\?url=\S+"
    assert_fault(refresh, cause, gone=True)
    line = next(line for line in refresh.failed_lines if X in line)
    assert line.startswith(f"failed: {X}: {status} {phrase} from {rig.base}/fault?url=")


def test_429_is_retried_after_retry_after_then_reported(rig: Rig) -> None:
    refresh = rig.good_then(
        lambda ex: ex.respond(429, b"", headers=[("Retry-After", "1")], content_type=None)
    )
    assert_fault(refresh, r"429 Too Many Requests from \S+", retried=3)
    assert refresh.seconds >= 2  # two waits of the one second the server asked for


def test_500_is_reported_once_without_retry(rig: Rig) -> None:
    refresh = rig.good_then(lambda ex: ex.respond(500, b"oops", content_type="text/plain"))
    assert_fault(refresh, r"500 Internal Server Error from \S+", retried=1)


def test_503_then_200_is_retried_into_a_fresh_snapshot(rig: Rig) -> None:
    answered: set[str] = set()

    def route(ex: Exchange) -> None:
        about = asked_about(ex)
        if about in answered:
            good_endpoint(ex)
        else:
            answered.add(about)
            ex.respond(503, b"", content_type=None)

    refresh = rig.good_then(route)
    assert refresh.result.exit_code == 0, refresh.result.stderr
    assert refresh.failed_lines == []
    assert refresh.result.stderr.splitlines()[-1].startswith("fetched 4 of 4 in ")
    assert refresh.hits == {X: 2, Y: 2}
    data = refresh.data()
    assert all(data[url]["status"] == "ok" for url in (GOOD_A, X, Y, GOOD_B))
    before = json.loads(refresh.before)["snapshots"][X]
    assert data[X]["card"] == before["card"]
    assert "last_error" not in data[X]


# -- the connection ----------------------------------------------------------------------------


def test_connection_refused(rig: Rig) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    refresh = rig.good_then(good_endpoint, fault_base=closed)
    assert_fault(refresh, rf"connection refused: {re.escape(closed)}/fault\?url=\S+")


def test_reset_mid_body(rig: Rig) -> None:
    def route(ex: Exchange) -> None:
        ex.send_head(200, length=1000)
        ex.wfile.write(b'{"type": "rich", "html": "' + b"x" * 100)
        ex.reset()

    refresh = rig.good_then(route)
    assert_fault(refresh, r"connection (reset|closed before the whole response arrived): \S+")
    assert refresh.hits == {X: 3, Y: 3}


def test_slow_drip_is_cut_at_the_deadline(rig: Rig) -> None:
    def route(ex: Exchange) -> None:
        ex.send_head(200, length=200)
        ex.drip(b" " * 200, 0.2)  # every read succeeds; only a total deadline ends this

    refresh = rig.good_then(route)
    assert_fault(refresh, r"timed out after 1 s: \S+", retried=1)
    assert refresh.seconds < 5


# -- what the body says ------------------------------------------------------------------------


def test_truncated_json(rig: Rig) -> None:
    refresh = rig.good_then(lambda ex: ex.respond(200, b'{"type": "rich", "html": "<p>Po'))
    assert_fault(refresh, r"invalid JSON from \S+: Unterminated string .*")


def test_invalid_json(rig: Rig) -> None:
    refresh = rig.good_then(lambda ex: ex.respond(200, b"{'type': 'rich'}"))
    assert_fault(refresh, r"invalid JSON from \S+: Expecting property name .*")


def test_html_instead_of_json(rig: Rig) -> None:
    html = b"<!doctype html><html><body>Sign in to continue</body></html>"
    refresh = rig.good_then(lambda ex: ex.respond(200, html, content_type="text/html"))
    assert_fault(refresh, r"expected JSON but got HTML from \S+")


def test_json_that_is_not_an_object(rig: Rig) -> None:
    refresh = rig.good_then(lambda ex: ex.respond(200, b'["type", "rich"]'))
    assert_fault(refresh, r"unusable oEmbed answer from \S+: a JSON array, not an object")


def test_json_with_a_wrong_content_type_is_accepted(rig: Rig) -> None:
    def route(ex: Exchange) -> None:
        ex.respond(200, json.dumps(oembed_for(asked_about(ex))).encode(), content_type="text/plain")

    refresh = rig.good_then(route)
    assert refresh.result.exit_code == 0, refresh.result.stderr
    assert refresh.data()[Y]["status"] == "ok"


# -- size --------------------------------------------------------------------------------------


def test_50_mb_body_stops_at_the_cap(rig: Rig, server: FaultServer) -> None:
    def route(ex: Exchange) -> None:
        ex.send_head(200, headers=[("Transfer-Encoding", "chunked")])  # no length to refuse early
        ex.stream(50_000_000, chunked=True)

    sent_before = server.sent
    refresh = rig.good_then(route)
    assert_fault(refresh, r"response larger than 1 MB: \S+")
    assert server.sent - sent_before < 20_000_000  # both stopped far before 50 MB each


def test_gzip_bomb_stops_at_the_cap(rig: Rig) -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = b"".join(
        [*(compressor.compress(bytes(1_000_000)) for _ in range(100)), compressor.flush()]
    )
    assert len(bomb) < 200_000  # 100 MB of zeros once unpacked

    refresh = rig.good_then(
        lambda ex: ex.respond(200, bomb, headers=[("Content-Encoding", "gzip")])
    )
    assert_fault(refresh, r"response larger than 1 MB: \S+")


# -- redirects ---------------------------------------------------------------------------------


def redirect(location: str) -> Route:
    return lambda ex: ex.respond(302, content_type=None, headers=[("Location", location)])


def test_redirect_loop(rig: Rig, server: FaultServer) -> None:
    server.routes["/loop-a"] = redirect("/loop-b")
    server.routes["/loop-b"] = redirect("/loop-a")
    refresh = rig.good_then(redirect("/loop-a"))
    loop = re.escape(f" -> {rig.base}/loop-a -> {rig.base}/loop-b -> {rig.base}/loop-a")
    assert_fault(refresh, rf"redirect loop: \S+{loop}")


def test_six_redirects(rig: Rig, server: FaultServer) -> None:
    for hop in range(1, 6):
        server.routes[f"/hop{hop}"] = redirect(f"/hop{hop + 1}")
    server.routes["/hop6"] = good_endpoint
    refresh = rig.good_then(redirect("/hop1"))
    assert_fault(refresh, r"too many redirects \(more than 5\): \S+")
    assert server.hits["/hop6"] == 0


# -- the address guard -------------------------------------------------------------------------


def test_redirect_to_loopback_is_refused_with_the_guard_on(
    guarded: Rig, server: FaultServer
) -> None:
    server.routes["/secret"] = good_endpoint
    secret = server.url("/secret")
    hits = server.hits["/secret"]
    refresh = guarded.good_then(redirect(secret))
    cause = rf"refused: 127\.0\.0\.1 is a loopback address \({re.escape(secret)}\)"
    assert_fault(refresh, cause)
    assert server.hits["/secret"] == hits  # never connected to


def test_discovery_link_to_the_metadata_address_is_refused(
    guarded: Rig, server: FaultServer
) -> None:
    # The page itself is fine: the item keeps a card, and the refusal is told, not hidden.
    guarded.pages = True
    metadata = "http://169.254.169.254/latest/meta-data"
    server.routes["/latest/meta-data"] = good_endpoint
    refresh = guarded.good_then(page_with_link(metadata))
    result = refresh.result
    assert result.exit_code == 0, result.stderr
    assert refresh.failed_lines == []
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    refused = rf"refused: 169\.254\.169\.254 is a link-local address \({re.escape(metadata)}\S+\)"
    assert len(notes) == 2, result.stderr
    assert re.fullmatch(
        rf"note: {re.escape(X)}: oEmbed discovery failed \({refused}\); kept the earlier snapshot",
        next(line for line in notes if X in line),
    )
    assert re.fullmatch(
        rf"note: {re.escape(Y)}: oEmbed discovery failed \({refused}\); used page metadata",
        next(line for line in notes if Y in line),
    )
    assert result.stderr.splitlines()[-1].startswith("fetched 4 of 4, 2 with a note in ")
    assert server.hits["/latest/meta-data"] == 0
    data = refresh.data()
    assert data[Y]["source"]["kind"] == "page-metadata"  # type: ignore[index]
    before, after = fields(entry(refresh.before, X)), fields(entry(refresh.after, X))
    after.pop("last_error")
    assert after == before


def test_media_at_a_private_address_is_never_fetched(
    guarded: Rig, server: FaultServer, tmp_path: Path
) -> None:
    def route(ex: Exchange) -> None:
        answer = {**oembed_for(asked_about(ex)), "type": "photo", "width": 1, "height": 1}
        private = asked_about(ex) == Y
        answer["url"] = "http://10.0.0.5/photo.png" if private else "http://media.example/ok.png"
        ex.respond(200, json.dumps(answer).encode())

    png = io.BytesIO()
    Image.new("RGB", (2, 2), "teal").save(png, "PNG")
    server.routes["/photo.png"] = server.routes["/ok.png"] = lambda ex: ex.respond(
        200, png.getvalue(), content_type="image/png"
    )
    refresh = guarded.good_then(route)
    assert refresh.result.exit_code == 0, refresh.result.stderr
    data = refresh.data()
    assert data[X]["card"]["image"]["path"]  # type: ignore[index]
    assert "path" not in data[Y]["card"]["image"]  # type: ignore[index]
    assert server.hits["/photo.png"] == 0
    assert server.hits["/ok.png"] >= 1


# -- text --------------------------------------------------------------------------------------


def test_a_page_that_is_not_utf8(guarded: Rig) -> None:
    guarded.pages = True

    def page(ex: Exchange) -> None:
        # windows-1252 without a declared charset, and 0x81, which no codec maps.
        body = (
            "<html><head>"
            '<meta property="og:title" content="Café på Åbo torg \x81">'
            "</head><body>Smörgåsbord</body></html>"
        ).encode("latin-1")
        ex.respond(200, body, content_type="text/html")

    refresh = guarded.good_then(page)
    assert refresh.result.exit_code == 0, refresh.result.stderr
    card = refresh.data()[Y]["card"]
    assert card["title"].startswith("Café på Åbo torg")  # type: ignore[index]


# -- the run as a whole ------------------------------------------------------------------------


def test_the_fetch_takes_about_the_slowest_deadline_not_their_sum(
    rig: Rig, server: FaultServer
) -> None:
    def route(ex: Exchange) -> None:
        ex.send_head(200, length=100)
        ex.drip(b" " * 100, 0.2)

    server.routes["/fault"] = route
    urls = [f"http://social.example/@x/{i}" for i in range(8)]
    rig.write(urls)
    started = time.monotonic()
    result = rig.fetch("--concurrency", "8", "--per-host", "8")
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert len([line for line in result.stderr.splitlines() if "timed out after 1 s" in line]) == 8
    assert elapsed < 3  # one deadline, not eight


def test_per_host_limit_is_an_option(rig: Rig, server: FaultServer) -> None:
    active = [0, 0]  # now, peak
    lock = threading.Lock()

    def route(ex: Exchange) -> None:
        with lock:
            active[0] += 1
            active[1] = max(active)
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        good_endpoint(ex)

    server.routes["/fault"] = route
    rig.write([f"http://social.example/@x/{i}" for i in range(12)])
    assert rig.fetch("--per-host", "3").exit_code == 0
    assert active[1] == 3
    assert "--per-host" in invoke(["fetch", "--help"]).stdout


class SleepyResolver:
    """Stands in for ``UrlResolver``: every URL takes ``delay`` seconds to answer."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.started: list[str] = []  # the host of each URL, in the order resolving began
        self._lock = threading.Lock()

    def request_host(self, url: str) -> str:
        return server_of(url)

    def resolve(self, url: str) -> Resolution:
        with self._lock:
            self.started.append(server_of(url))
        time.sleep(self.delay)
        card = Card(kind=CardKind.LINK, url=url)
        return Resolution(Snapshot(url=url, status=SnapshotStatus.OK, card=card))


def test_no_host_is_left_for_last(tmp_path: Path) -> None:
    # 5 hosts x 20 URLs, 4 at a time, 2 per host. A fair pool keeps every host going:
    # each has about half its URLs started by the time half of all URLs have started.
    # A pool that let the fifth host wait until the others were done would start none
    # of its URLs in the first 80. Order, not time, is measured: load cannot flake it.
    urls = [f"https://h{h}.example/p/{i}" for i in range(20) for h in range(5)]
    store = SnapshotStore(tmp_path / "s.snapshots.json")
    resolver = SleepyResolver(0.01)
    fetch_urls(urls, store, resolver, pool=PoolSettings(concurrency=4, per_host=2))  # type: ignore[arg-type]
    first_half = resolver.started[: len(urls) // 2]
    assert len(resolver.started) == len(urls)
    assert {host: first_half.count(host) >= 5 for host in set(first_half)} == {
        f"h{h}.example": True for h in range(5)
    }


def test_hosts_are_told_apart_by_port() -> None:
    assert server_of("https://social.example/@a/1") == "social.example"
    assert server_of("https://Social.Example:443/@a/1") == "social.example"
    assert server_of("http://127.0.0.1:8080/oembed") == "127.0.0.1:8080"
    assert server_of("http://127.0.0.1:8081/oembed") == "127.0.0.1:8081"
    assert server_of("http://[::1]:8080/") == "[::1]:8080"


# -- the lines a user reads --------------------------------------------------------------------


def test_failure_line_names_the_item_once() -> None:
    endpoint = "https://oembed.example/?url=https%3A%2F%2Fsocial.example%2F%40a%2F1"
    item = "https://social.example/@a/1"
    assert (
        failure_line(item, FetchError(f"404 Not Found from {endpoint}"))
        == f"{item}: 404 Not Found from {endpoint}"
    )
    assert failure_line(item, FetchError(f"timed out after 15 s: {item}")) == (
        f"timed out after 15 s: {item}"
    )
    assert failure_line(item, FetchError("refused:\n10.0.0.5 is a private address")) == (
        f"{item}: refused: 10.0.0.5 is a private address"
    )


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def outcome(url: str, error: str | None = None) -> FetchOutcome:
    card = None if error else Card(kind=CardKind.LINK, url=url)
    status = SnapshotStatus.ERROR if error else SnapshotStatus.OK
    return FetchOutcome(url=url, snapshot=Snapshot(url=url, status=status, card=card), error=error)


def test_progress_bar_on_a_terminal_shows_done_failures_and_hosts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    terminal = FakeTerminal()
    progress = FetchProgress(terminal)
    progress(outcome("https://a.example/1"), 1, 4, ["b.example", "c.example:8080"])
    assert terminal.getvalue().endswith("\r[#####---------------] 1/4  b.example, c.example:8080")
    progress(outcome("https://b.example/2", "https://b.example/2: 500 from x"), 2, 4, ["c.example"])
    assert "2/4, 1 failed  c.example" in terminal.getvalue()
    progress.finish(FetchReport(outcomes=[outcome("https://a.example/1")] * 4, seconds=1.25))
    assert terminal.getvalue().endswith("\r" + " " * 79 + "\r")  # the bar is wiped at the end
    err = capsys.readouterr().err
    assert "failed: https://b.example/2: 500 from x" in err
    assert err.splitlines()[-1] == "fetched 4 of 4 in 1.2 s"


def test_no_bar_when_not_a_terminal_but_always_the_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stream = io.StringIO()
    progress = FetchProgress(stream)
    progress(outcome("https://a.example/1"), 1, 1, [])
    progress.finish(FetchReport(outcomes=[outcome("https://a.example/1")], skipped=2, seconds=0.3))
    assert stream.getvalue() == ""
    assert capsys.readouterr().err == "fetched 1 of 1, 2 already in snapshots in 0.3 s\n"


def test_progress_bar_through_a_real_terminal(rig: Rig, server: FaultServer) -> None:
    pty = pytest.importorskip("pty")

    def route(ex: Exchange) -> None:
        time.sleep(0.02)
        good_endpoint(ex)

    rig.write([f"http://social.example/@x/{i}" for i in range(7)])
    server.routes["/fault"] = lambda ex: (
        ex.respond(404, b"{}") if asked_about(ex).endswith("/6") else route(ex)
    )
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / "src")
    command = [sys.executable, "-m", "storyboard", "fetch", str(rig.story), "--per-host", "2"]
    options = ["--providers", str(rig.folder / "providers.json"), "--allow-private-network"]
    with subprocess.Popen(
        [*command, *options], stdout=subprocess.DEVNULL, stderr=follower, env=env
    ) as process:
        os.close(follower)
        output = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        os.close(leader)
        assert process.wait(timeout=30) == 1
    text = re.sub(r"\x1b\[[0-9;]*m", "", output.decode())  # colours are on for a terminal
    host = f"127.0.0.1:{server.port}"
    assert re.search(rf"\r\[#+-*\] \d/7  {re.escape(host)}", text), text  # the host in flight
    assert re.search(r"\r\[#+-*\] \d/7, 1 failed", text), text
    assert "failed: http://social.example/@x/6: 404 Not Found from" in text
    last = text.replace("\r\n", "\n").rsplit("\r", 1)[-1]
    assert re.fullmatch(r"\s*fetched 6 of 7, 1 failed in \d+\.\d s\n", last), repr(last)
