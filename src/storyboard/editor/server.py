"""The editor's HTTP server: loopback only, every request checked by the guard first.

The standard library's threading server is enough for one curator's browser, keeps
storyboard free of a web framework, and is what ``serve`` already uses. It serves the
editor page and its scripts (``templates/editor/``), the story's archived pictures, and
the JSON API of ``EditorSession``.
"""

from __future__ import annotations

import errno
import functools
import json
import mimetypes
import threading
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from storyboard.editor import later
from storyboard.editor.guard import LOOPBACK, Guard, new_token
from storyboard.editor.session import EditorSession, Json, Reply
from storyboard.errors import StoryboardError, StoryError, UsageError
from storyboard.preview.handler import resolve_in_root
from storyboard.render.themes import builtin_templates_dir

#: The largest JSON body a change may send (a pasted list of URLs, a long text).
MAX_BODY = 2_000_000
#: The page may run its own scripts and talk to its own origin; nothing else.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
_STATIC = {"editor.js": "text/javascript", "editor.css": "text/css"}


@functools.cache
def editor_assets_dir() -> Path:
    """Return the folder of the editor's page, script and stylesheet (beside the themes)."""
    return builtin_templates_dir().parent / "editor"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class EditorServer:
    """Serve one ``EditorSession`` on 127.0.0.1 behind a fresh token."""

    def __init__(self, session: EditorSession, *, port: int = 0, token: str | None = None) -> None:
        """Bind ``port`` (0: a free one); nothing is served until ``start``."""
        self.session = session
        self._page: bytes | None = None
        handler = type("Handler", (EditorRequestHandler,), {"editor": self})
        try:
            self._httpd = _Server((LOOPBACK, port), handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(f"port {port} is in use; try another --port") from exc
            raise UsageError(f"cannot listen on port {port}: {exc.strerror}") from exc
        self.guard = Guard(token or new_token(), self.port)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """Return the port the editor listens on."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Return the editor's address, token included: the one to open."""
        return f"http://{LOOPBACK}:{self.port}{self.guard.prefix}"

    def page(self) -> bytes:
        """Return the editor page in the story's language (built once: it never changes)."""
        if self._page is None:
            session = self.session
            strings = {k: v for k, v in session.strings.items() if k.startswith("editor_")}
            env = Environment(
                loader=FileSystemLoader(editor_assets_dir()),
                autoescape=select_autoescape(enabled_extensions=("html",)),
            )
            html = env.get_template("editor.html").render(
                lang=session.lang,
                strings=strings,
                strings_json=json.dumps(strings, ensure_ascii=False),
            )
            self._page = html.encode("utf-8")
        return self._page

    def start(self) -> None:
        """Serve in a background thread."""
        self.page()  # built before the address is printed: the first answer is at once
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="editor-http"
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, let a fetch in progress end, and free the port."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()
        self.session.close()

    def __enter__(self) -> EditorServer:
        """Start the editor."""
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        """Stop the editor."""
        self.stop()


class EditorRequestHandler(BaseHTTPRequestHandler):
    """Answer the editor page's requests; refuse everyone else's."""

    server_version = "storyboard-edit"
    editor: EditorServer  # set on the subclass the server makes

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the console for saves and fetches, not one line per request."""

    def do_GET(self) -> None:
        """Answer a GET request."""
        self._answer("GET")

    def do_HEAD(self) -> None:
        """Answer a HEAD request."""
        self._answer("HEAD")

    def do_POST(self) -> None:
        """Answer a POST request (a change, as JSON)."""
        self._answer("POST")

    def do_PUT(self) -> None:
        """Refuse: changes are POSTs."""
        self._answer("PUT")

    def do_DELETE(self) -> None:
        """Refuse: changes are POSTs."""
        self._answer("DELETE")

    def do_OPTIONS(self) -> None:
        """Refuse a CORS preflight: no other origin may talk to the editor."""
        self._answer("OPTIONS")

    def _answer(self, method: str) -> None:
        guard = self.editor.guard
        headers = dict(self.headers.items())
        refusal = guard.check(method, self.path, headers)
        if refusal is not None:
            self._send(refusal.status, (refusal.reason + "\n").encode(), "text/plain")
            return
        route = guard.strip_token(self.path) or ""
        try:
            if method == "POST":
                self._post(route)
            else:
                self._get(route, send_body=method == "GET")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page went away mid-answer

    def _get(self, route: str, *, send_body: bool) -> None:
        editor = self.editor
        if route in ("", "index.html"):
            self._send(200, editor.page(), "text/html", send_body=send_body)
        elif route in _STATIC:
            body = (editor_assets_dir() / route).read_bytes()
            self._send(200, body, _STATIC[route], send_body=send_body)
        elif route == "theme.css":
            body = editor.session.stylesheet().encode("utf-8")
            self._send(200, body, "text/css", send_body=send_body)
        elif route == "api/state":
            self._json(*self._call(lambda _p: (200, editor.session.state())), send_body=send_body)
            later.warm_up()  # the story is on screen: now what the next steps need
        elif route == "api/version":
            self._json(200, editor.session.version(), send_body=send_body)
        elif route.startswith("assets/"):
            try:
                assets: Path | None = editor.session.workspace.checked_assets_dir()
            except UsageError:
                assets = None  # a linked folder shows nothing here, as render publishes none of it
            name = route.removeprefix("assets/")
            file = None if assets is None else resolve_in_root(assets, name)
            if file is None:
                self._send(404, b"not found\n", "text/plain", send_body=send_body)
                return
            mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            self._send(200, file.read_bytes(), mime, send_body=send_body)
        else:
            self._send(404, b"not found\n", "text/plain", send_body=send_body)

    def _post(self, route: str) -> None:
        session = self.editor.session
        handlers: dict[str, Callable[[dict[str, Any]], Reply]] = {
            "api/edit": session.edit,
            "api/retry": session.retry,
            "api/markdown": session.markdown,
            "api/render": session.render,
            "api/collect": session.collect,
        }
        handler = handlers.get(route)
        if handler is None:
            self._json(404, {"error": "no such endpoint"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY:
            self._json(413, {"error": f"a change is 1 to {MAX_BODY} bytes of JSON"})
            return
        try:
            payload = json.loads(self.rfile.read(length))
        except (ValueError, UnicodeDecodeError):
            self._json(400, {"error": "not valid JSON"})
            return
        if not isinstance(payload, dict):
            self._json(400, {"error": "a JSON object is needed"})
            return
        self._json(*self._call(handler, payload))

    def _call(
        self, handler: Callable[[dict[str, Any]], Reply], payload: Json | None = None
    ) -> Reply:
        """Run a handler: a user's error is a 400 with its line, a bug a 500 (and a report)."""
        try:
            return handler(payload or {})
        except StoryError as exc:
            return 400, {"error": str(exc.problems[0]) if exc.problems else str(exc)}
        except StoryboardError as exc:
            return 400, {"error": str(exc)}
        except Exception as exc:
            self.editor.session.report("".join(traceback.format_exception(exc)).rstrip())
            return 500, {"error": f"internal error: {type(exc).__name__}: {exc}"}

    def _json(self, status: int, body: Json, *, send_body: bool = True) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self._send(status, data, "application/json", send_body=send_body)

    def _send(self, status: int, body: bytes, mime: str, *, send_body: bool = True) -> None:
        self.send_response(HTTPStatus(status))
        charset = "; charset=utf-8" if mime.startswith("text/") or mime.endswith("json") else ""
        self.send_header("Content-Type", mime + charset)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        # The token is in the path: no link on the page may send it on as a referrer.
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.end_headers()
        if send_body:
            self.wfile.write(body)


__all__ = ["EditorServer", "editor_assets_dir"]
