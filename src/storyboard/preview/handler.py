"""What the preview server answers: files of the output folder only, with live reload.

Pure helpers (path checks, script injection, the error page) and the request
handler that uses them. The handler reads its state from a ``PreviewState``, so it
never renders anything itself.
"""

from __future__ import annotations

import html
import mimetypes
import re
from collections.abc import Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path, PurePosixPath
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from storyboard.i18n import translate

#: The endpoint the reload script asks; never a file name an output can have. With
#: ``?after=N`` the answer waits until the render version is not N any more.
VERSION_PATH = "/__storyboard__/version"
#: Host names a browser on this machine uses; anything else is a rebinding attempt.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
_BODY_END_RE = re.compile(r"</body\s*>", re.IGNORECASE)

# Asks the version endpoint to answer once the server has rendered again (a long poll),
# and reloads then. While the server is down it keeps trying, more slowly, and picks up
# where it left off.
_RELOAD_SCRIPT = """<script>/* storyboard serve: live reload */
(() => {{
  const seen = "{version}";
  const ask = () => fetch("{path}?after=" + seen, {{cache: "no-store"}})
    .then((r) => r.text())
    .then((v) => {{ if (v.trim() !== seen) location.reload(); else ask(); }},
          () => setTimeout(ask, 2000));
  ask();
}})();
</script>
"""

_ERROR_PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>storyboard: {title}</title>
<style>
body{{margin:0;padding:2rem 1rem;font:1rem/1.5 system-ui,sans-serif;background:#fff5f5}}
h1,p,li{{color:#1f2328}}
main{{max-width:48rem;margin:0 auto}}
h1{{color:#b42318;font-size:1.5rem}}
li{{margin:.5rem 0;font-family:ui-monospace,monospace;white-space:pre-wrap;overflow-wrap:anywhere}}
</style>
</head>
<body>
<main class="sb-preview-error">
<h1>{title}</h1>
<p>{help}</p>
<ul>
{items}
</ul>
</main>
</body>
</html>
"""


class PreviewState(Protocol):
    """What the handler needs to know about the server's last render."""

    @property
    def lang(self) -> str:
        """Return the language the story's pages are written in (for the error page)."""
        ...

    @property
    def root(self) -> Path:
        """Return the output folder, the only place files are served from."""
        ...

    def snapshot(self) -> tuple[int, list[str] | None]:
        """Return the render version and the problems of the last render (None if it worked)."""
        ...

    def wait_for_version(self, seen: int) -> int:
        """Return the render version once it is not ``seen`` (or when the wait times out)."""
        ...


def request_path(target: str) -> str:
    """Return the decoded path of a request target (origin or absolute form)."""
    if "://" in target.split("?", 1)[0]:
        target = urlsplit(target).path or "/"
    # Not urlsplit for the origin form: it would read "//etc/passwd" as a host name.
    return unquote(target.split("?", 1)[0].split("#", 1)[0], errors="strict")


def resolve_in_root(root: Path, path: str) -> Path | None:
    """Return the file ``path`` names inside ``root``; None for anything outside or absent.

    ``..`` segments are refused before any lookup, and so is any symbolic link on the
    way: only the regular files written into ``root`` are served, never what a link
    (committed beside a story, say) points at. A folder serves its ``index.html``;
    there are no directory listings.
    """
    if "\x00" in path or "\\" in path:
        return None
    parts = PurePosixPath("/" + path).parts[1:]
    if ".." in parts:
        return None
    base = root.resolve()
    candidate = base.joinpath(*parts)
    if path.endswith("/") or not parts or candidate.is_dir():
        candidate = candidate / "index.html"
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if resolved != candidate or not resolved.is_file():
        return None
    return resolved


def with_reload_script(page: str, version: int) -> str:
    """Return ``page`` with the live-reload script before its closing body tag."""
    script = _RELOAD_SCRIPT.format(version=version, path=VERSION_PATH)
    ends = list(_BODY_END_RE.finditer(page))
    if not ends:
        return page + script
    at = ends[-1].start()
    return page[:at] + script + page[at:]


def error_page(problems: Sequence[str], lang: str = "en") -> str:
    """Return the page that lists why the story could not be rendered (escaped).

    Its own words are in the story's language; the problems are the curator's messages
    (file:line:col), exactly as the console prints them.
    """
    items = "\n".join(f"<li>{html.escape(problem)}</li>" for problem in problems)
    return _ERROR_PAGE.format(
        lang=html.escape(lang),
        title=html.escape(translate(lang, "preview_error_title")),
        help=html.escape(translate(lang, "preview_error_help")),
        items=items,
    )


def host_is_local(host_header: str | None) -> bool:
    """Tell whether a ``Host`` header names this machine (no header: an old client, fine)."""
    if not host_header:
        return True
    host = host_header.strip().lower()
    # "[::1]:8000" keeps its brackets; "localhost:8000" loses its port.
    bracketed = host.startswith("[")
    return (host.split("]", 1)[0] + "]" if bracketed else host.rsplit(":", 1)[0]) in LOCAL_HOSTS


class PreviewRequestHandler(BaseHTTPRequestHandler):
    """Serve the output folder of a ``PreviewServer``; GET and HEAD only."""

    server_version = "storyboard-preview"
    state: PreviewState  # set on the subclass the server makes

    def do_GET(self) -> None:
        """Answer a GET request."""
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        """Answer a HEAD request."""
        self._answer(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the console for render events, not one line per request."""

    def _answer(self, *, send_body: bool) -> None:
        # A page on another site must not read the preview through DNS rebinding.
        if not host_is_local(self.headers.get("Host")):
            self._send(HTTPStatus.FORBIDDEN, b"forbidden host\n", "text/plain", send_body)
            return
        try:
            path = request_path(self.path)
        except UnicodeDecodeError:
            path = "\x00"  # not a name any output file has
        if path == VERSION_PATH:
            version = self._version_after(self.path)
            self._send(HTTPStatus.OK, f"{version}\n".encode(), "text/plain", send_body)
            return
        version, problems = self.state.snapshot()
        if problems is not None and path in ("/", "/index.html"):
            page = with_reload_script(error_page(problems, self.state.lang), version)
            status = HTTPStatus.INTERNAL_SERVER_ERROR
            self._send(status, page.encode(), "text/html", send_body)
            return
        file = resolve_in_root(self.state.root, path)
        if file is None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", send_body)
            return
        self._send_file(file, version, send_body)

    def _version_after(self, target: str) -> int:
        """Return the render version; with ``?after=N``, once it is not N any more."""
        query = parse_qs(urlsplit(target).query)
        seen = query.get("after", [""])[0]
        if seen.isdigit() and len(seen) < 20:
            return self.state.wait_for_version(int(seen))
        return self.state.snapshot()[0]

    def _send_file(self, file: Path, version: int, send_body: bool) -> None:
        mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        try:
            body = file.read_bytes()
        except OSError:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", send_body)
            return
        if mime == "text/html":
            # Only what is served gets the script; the file on disk stays publishable.
            body = with_reload_script(body.decode("utf-8", "replace"), version).encode()
        self._send(HTTPStatus.OK, body, mime, send_body)

    def _send(self, status: HTTPStatus, body: bytes, mime: str, send_body: bool) -> None:
        self.send_response(status)
        charset = "; charset=utf-8" if mime.startswith("text/") else ""
        self.send_header("Content-Type", mime + charset)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if send_body:
            self.wfile.write(body)
