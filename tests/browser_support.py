"""What every browser test shares: Chromium through Playwright, a loopback web server, and a
record of every request a page attempts.

Pages are served over HTTP on 127.0.0.1 (never ``file://``), so "the page's own origin"
means what it means on a real site. Every request to any other origin is recorded and
aborted: offline it would fail anyway, and a test must see the attempt, not its result.

Without Chromium or Playwright the browser tests skip with a loud reason on a developer's
machine, and fail in CI (``CI=true``), where ``.ci/run`` installs Chromium first.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Request, Route

REPO = Path(__file__).resolve().parents[1]
#: Screenshots land here (ignored by git), named by test and viewport width.
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
#: Debian's Chromium as a headless test browser: no sandbox (containers), no GPU, and
#: none of its own background traffic (updates, safe browsing), which would blur the
#: count of requests a page makes.
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
)
PHONE_WIDTH = 375
DESKTOP_WIDTH = 1280
#: Schemes that never leave the browser: not requests to any origin.
_LOCAL_SCHEMES = ("data:", "blob:", "about:")
#: Chromium logs each failed (here: aborted) load on the console; that is not a script error.
_RESOURCE_FAILURE = re.compile(r"^Failed to load resource\b")


def browser_unavailable_reason() -> str | None:
    """Return why browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return (
            "browser tests skipped: the playwright Python package is not installed; "
            "pip install -e '.[test]'"
        )
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        return (
            f"browser tests skipped: Chromium not found at {CHROMIUM}; apt-get install -y chromium"
        )
    return None


def require_browser() -> None:
    """Skip (locally) or fail (in CI) when Chromium or Playwright is missing."""
    reason = browser_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason.replace("skipped", "cannot run in CI"), pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Return a headless Chromium for one test module (Debian's, never a downloaded one)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(LAUNCH_ARGS)
        )
        try:
            yield chromium
        finally:
            chromium.close()


# -- a web server on loopback ----------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serve files without logging each request to stderr, never cached."""

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing: the tests keep their own record of requests."""

    def end_headers(self) -> None:
        """Ask the browser not to cache, so each page load makes its requests again."""
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@dataclass
class SiteServer:
    """A threaded ``http.server`` serving one folder on 127.0.0.1 at a random port."""

    root: Path
    _server: ThreadingHTTPServer | None = field(default=None, init=False, repr=False)
    _thread: threading.Thread | None = field(default=None, init=False, repr=False)

    @property
    def origin(self) -> str:
        """Return ``http://127.0.0.1:PORT``: the only origin a page may request from."""
        assert self._server is not None, "the server is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        """Return the absolute URL of ``path`` (relative to the served folder)."""
        return f"{self.origin}/{path.lstrip('/')}"

    def start(self) -> SiteServer:
        """Start serving in a background thread."""
        handler = functools.partial(_QuietHandler, directory=str(self.root))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None


@contextlib.contextmanager
def serve(root: Path) -> Iterator[SiteServer]:
    """Serve ``root`` on loopback for the duration of a ``with`` block."""
    server = SiteServer(root).start()
    try:
        yield server
    finally:
        server.stop()


# -- what a page does ------------------------------------------------------------------


@dataclass
class PageLog:
    """What a page did: every request it attempted, and the script errors it raised."""

    origin: str
    #: Every request the browser attempted, in order (successful, failed or aborted).
    attempted: list[str] = field(default_factory=list)
    #: Requests to another origin, aborted by the route before leaving the machine.
    blocked: list[str] = field(default_factory=list)
    #: Uncaught exceptions and console errors (failed resource loads excepted).
    errors: list[str] = field(default_factory=list)

    def is_own(self, url: str) -> bool:
        """Tell whether ``url`` is on the page's own origin (or never leaves the browser)."""
        return (
            url.startswith(_LOCAL_SCHEMES)
            or url == self.origin
            or url.startswith(self.origin + "/")
        )

    @property
    def third_party(self) -> list[str]:
        """Return the attempted requests to any origin but the page's own."""
        return [url for url in self.attempted if not self.is_own(url)]

    @property
    def own(self) -> list[str]:
        """Return the attempted requests to the page's own origin."""
        return [url for url in self.attempted if self.is_own(url)]

    def clear(self) -> None:
        """Forget what was recorded so far (before an interaction)."""
        self.attempted.clear()
        self.blocked.clear()


@dataclass
class WatchedPage:
    """A page in its own browser context, with its log."""

    context: BrowserContext
    page: Page
    log: PageLog


@contextlib.contextmanager
def watched_page(
    browser: Browser, origin: str, *, width: int = DESKTOP_WIDTH, javascript: bool = True
) -> Iterator[WatchedPage]:
    """Open a page whose requests are all recorded and, off ``origin``, aborted."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=javascript
    )
    log = PageLog(origin)

    def route(route: Route) -> None:
        url = route.request.url
        if log.is_own(url):
            route.continue_()
        else:
            log.blocked.append(url)
            route.abort("blockedbyclient")

    def on_request(request: Request) -> None:
        log.attempted.append(request.url)

    context.route("**/*", route)
    # The context sees the requests of every frame and popup, not only the main page's.
    context.on("request", on_request)
    page = context.new_page()
    page.on("pageerror", lambda error: log.errors.append(f"uncaught: {error}"))
    page.on(
        "console",
        lambda message: (
            log.errors.append(f"console: {message.text}")
            if message.type == "error" and not _RESOURCE_FAILURE.match(message.text)
            else None
        ),
    )
    try:
        yield WatchedPage(context, page, log)
    finally:
        context.close()


def load(watched: WatchedPage, url: str) -> None:
    """Navigate to ``url`` and wait until the page and its images have loaded."""
    watched.page.goto(url, wait_until="load")
    # Lazy images below the fold load only when scrolled to; ask for all of them.
    watched.page.evaluate(
        "Promise.all(Array.from(document.images, img => "
        "(img.loading = 'eager', img.decode().catch(() => null))))"
    )


def screenshot(page: Page, request: pytest.FixtureRequest, label: str = "") -> Path:
    """Save a full-page screenshot under ``test-artifacts/``, named by test and width."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    node = request.node
    params = getattr(node, "callspec", None)
    # The test's name, its parameters but the width (which ends the name), and the label.
    parts = [getattr(node, "originalname", None) or node.name]
    parts += [str(v) for k, v in (params.params.items() if params else ()) if k != "width"]
    parts += [label] if label else []
    name = re.sub(r"[^\w.-]+", "-", "-".join(parts)).strip("-")
    path = ARTIFACTS / f"{name}-{width}px.png"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


#: Elements wider than the viewport (the ones not clipped by an ancestor), for messages.
_OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'hidden' || o === 'clip' || o === 'auto' || o === 'scroll') return true;
    }
    return false;
  };
  return Array.from(document.querySelectorAll('body *'))
    .filter(el => el.getBoundingClientRect().right > width + 0.5 && !clipped(el))
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
}"""


def horizontal_overflow(page: Page) -> dict[str, Any]:
    """Return how far the page scrolls sideways, and which elements stick out."""
    return {
        "viewport": page.evaluate("document.documentElement.clientWidth"),
        "scroll_width": page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        ),
        "overflowing": page.evaluate(_OVERFLOWING),
    }


def assert_no_horizontal_overflow(page: Page) -> None:
    """Fail if anything makes the page scroll sideways."""
    found = horizontal_overflow(page)
    assert found["scroll_width"] <= found["viewport"], found
    assert found["overflowing"] == [], found
