"""``storyboard serve``: a local preview that renders again whenever its inputs change.

The server listens on loopback only and serves nothing but the output folder. It
renders like ``render --offline``: it never fetches, so items without a snapshot
show as plain links until ``storyboard fetch`` runs. A watcher thread polls the
story file, its snapshot file, its assets folder and the theme folder; after each
render the served pages reload themselves. A story that does not load is shown as
a page listing its problems, and the server keeps going.
"""

from __future__ import annotations

import errno
import re
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from storyboard.commands.opened import OpenedStory
from storyboard.errors import StoryboardError, StoryError, UsageError
from storyboard.i18n import resolve_language
from storyboard.model.story import EmbedMode
from storyboard.preview.handler import PreviewRequestHandler
from storyboard.preview.rebuild import PreviewRenderer
from storyboard.preview.watch import ChangeWatcher, Fingerprint, fingerprint
from storyboard.render import OutputFormat, RenderOptions
from storyboard.storyfile.loader import load_story
from storyboard.workspace import Workspace

#: The only address the preview listens on: it is for the person at this machine.
LOOPBACK = "127.0.0.1"

#: The longest a page's request for the next render version is held open, in seconds.
VERSION_WAIT = 25.0


@dataclass(frozen=True)
class PreviewSettings:
    """What to serve, where to render it, and how often to look for changes."""

    story_path: Path
    output_dir: Path
    port: int = 8000
    #: A theme folder that wins over the story's ``options.theme``.
    theme_dir: Path | None = None
    embed: EmbedMode | None = None
    #: Extra provider registries, as for ``render --providers`` (player and script hosts).
    providers_files: tuple[Path, ...] = ()
    #: Seconds between two looks at the watched files when there are no file events.
    poll_interval: float = 0.1  # a stat of a few paths: cheap enough to look often
    #: Wake on file events (``watchfiles``) where the system has them; False: poll only.
    file_events: bool = True

    @classmethod
    def for_story(
        cls,
        story_path: Path,
        *,
        port: int = 8000,
        output_dir: Path | None = None,
        embed: EmbedMode | None = None,
        theme_dir: Path | None = None,
        providers_files: tuple[Path, ...] = (),
    ) -> PreviewSettings:
        """Return the settings of ``serve``: unset folders are the story's defaults."""
        return cls(
            story_path=story_path,
            output_dir=Workspace(story_path).output_dir(output_dir),
            port=port,
            theme_dir=theme_dir.resolve() if theme_dir else None,
            embed=embed,
            providers_files=providers_files,
        )

    @property
    def workspace(self) -> Workspace:
        """Return where the story's files live."""
        return Workspace(self.story_path)


#: The story's top-level ``lang:`` line (the error page speaks it even when nothing else parses).
_LANG_LINE = re.compile(r"^lang:[ \t]*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)", re.MULTILINE)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # A stopped preview must free its port at once for the next one.
    allow_reuse_address = True

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        """Say nothing when a browser hangs up mid-answer (a reload, a closed tab).

        socketserver prints a traceback for each; anything else is a bug and keeps it.
        """
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class PreviewServer:
    """Render a story, serve its output folder on loopback, and render again on change."""

    def __init__(
        self, settings: PreviewSettings, *, report: Callable[[str], None] | None = None
    ) -> None:
        """Bind the port (0 picks a free one); nothing is rendered until ``start``."""
        self.settings = settings
        self._report = report or (lambda _message: None)
        self._lock = threading.Lock()
        self._rendered = threading.Condition(self._lock)
        self._version = 0
        self._problems: list[str] | None = None
        self._theme_dir = settings.theme_dir
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._renderer = PreviewRenderer(settings.providers_files)
        self._watcher = ChangeWatcher(
            self.watched_paths,
            poll_interval=settings.poll_interval,
            use_events=settings.file_events,
            report=self._report,
        )
        handler = type("Handler", (PreviewRequestHandler,), {"state": self})
        try:
            self._httpd = _Server((LOOPBACK, settings.port), handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(f"port {settings.port} is in use; try another --port") from exc
            raise UsageError(f"cannot listen on port {settings.port}: {exc.strerror}") from exc

    @property
    def port(self) -> int:
        """Return the port the server listens on."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Return the address of the preview page."""
        return f"http://{LOOPBACK}:{self.port}/"

    @property
    def root(self) -> Path:
        """Return the output folder, the only place files are served from."""
        return self.settings.output_dir

    @property
    def version(self) -> int:
        """Return how many renders have run; pages reload when it changes."""
        with self._lock:
            return self._version

    @property
    def lang(self) -> str:
        """Return the story's ``lang``, read from the file even when it does not validate."""
        try:
            text = self.settings.workspace.story_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return "en"
        found = _LANG_LINE.search(text)
        return resolve_language(found.group(1)) if found else "en"

    def snapshot(self) -> tuple[int, list[str] | None]:
        """Return the render version and the problems of the last render (None if it worked)."""
        with self._lock:
            return self._version, self._problems

    def wait_for_version(self, seen: int, timeout: float = VERSION_WAIT) -> int:
        """Return the render version once it is not ``seen`` (or after ``timeout`` seconds).

        A page asks with the version it was served with and gets the answer the moment
        the next render is written: it reloads then, not at its next poll.
        """
        with self._rendered:
            self._rendered.wait_for(
                lambda: self._version != seen or self._stopping.is_set(), timeout
            )
            return self._version

    @property
    def uses_file_events(self) -> bool:
        """Tell whether file events wake the watcher (else it polls)."""
        return self._watcher.uses_events

    def watched_paths(self) -> list[Path]:
        """Return the files and folders whose change starts a new render."""
        workspace = self.settings.workspace
        paths = [workspace.story_path, workspace.snapshot_path, workspace.assets_dir]
        paths.extend(self.settings.providers_files)
        if self._theme_dir is not None:
            paths.append(self._theme_dir)
        return paths

    def render(self) -> list[str] | None:
        """Render the story once, offline; return its problems, or None when it worked."""
        problems: list[str] | None = None
        started = time.perf_counter()
        try:
            self._render()
        except StoryError as exc:
            problems = [str(problem) for problem in exc.problems]
        except StoryboardError as exc:
            problems = [str(exc)]
        except Exception as exc:  # a bug must not stop the preview; show it and go on
            self._report("".join(traceback.format_exception(exc)).rstrip())
            problems = [f"internal error: {type(exc).__name__}: {exc}"]
        with self._rendered:
            self._version += 1
            self._problems = problems
            self._rendered.notify_all()
        for problem in problems or ():
            self._report(f"error: {problem}")
        if problems is None:
            took = time.perf_counter() - started
            self._report(f"rendered {self._output_file} in {took:.2f} s{self._reuse_note()}")
        return problems

    def _reuse_note(self) -> str:
        stats = self._renderer.stats
        cards = stats.cards_reused + stats.cards_built
        if not stats.entries_reused and not stats.cards_reused:
            return ""
        return f" ({stats.cards_built} of {cards} cards built again)"

    def _render(self) -> None:
        workspace = self.settings.workspace
        loaded = load_story(workspace.story_path)
        for warning in loaded.warnings:
            self._report(str(warning))
        opened = OpenedStory(loaded, workspace)
        self._theme_dir = opened.theme_dir(self.settings.theme_dir)
        options = RenderOptions(
            output_dir=self.settings.output_dir,
            format=OutputFormat.PAGE,
            embed=self.settings.embed,
            theme_dir=self._theme_dir,
        )
        result = self._renderer.render(opened, options)
        for url in result.unresolved:
            self._report(f"unresolved: {url}: no snapshot (run storyboard fetch)")

    @property
    def _output_file(self) -> Path:
        return RenderOptions(output_dir=self.settings.output_dir).output_file

    def start(self) -> None:
        """Render once, then serve and watch in background threads."""
        # Taken before rendering: a save made during the first render renders again.
        watched = self._fingerprint()
        self.render()
        self._watcher.start()
        self._threads = [
            # A short poll interval makes stop() quick; an idle check costs next to nothing.
            threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="preview-http"
            ),
            threading.Thread(target=self._watch, args=(watched,), name="preview-watch"),
        ]
        for thread in self._threads:
            thread.start()

    def _fingerprint(self) -> Fingerprint:
        return fingerprint(self.watched_paths(), ignore=self.settings.output_dir)

    def _watch(self, last: Fingerprint) -> None:
        # One render at a time: saves made during a render are one change for the next
        # look, so a burst of saves never piles up renders and the last save always wins.
        while self._watcher.wait(self._stopping):
            current = self._fingerprint()
            if current == last:
                continue
            # Taken before rendering: a save made while rendering starts one more render.
            last, theme = current, self._theme_dir
            self.render()
            if self._theme_dir != theme:  # the story named another theme: watch that one
                last = self._fingerprint()
            self._watcher.refresh()  # a folder that appeared (pictures, theme) is watched too

    def stop(self) -> None:
        """Stop serving and watching, wait for the threads, and free the port."""
        self._stopping.set()
        with self._rendered:
            self._rendered.notify_all()  # pages waiting for a version get their answer
        self._watcher.stop()
        if any(thread.is_alive() for thread in self._threads):
            self._httpd.shutdown()
        for thread in self._threads:
            thread.join()
        self._httpd.server_close()

    def serve_until_interrupted(self) -> None:
        """Run until Ctrl-C (KeyboardInterrupt), then stop cleanly."""
        try:
            self.start()
            self._stopping.wait()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> PreviewServer:
        """Start the preview."""
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        """Stop the preview."""
        self.stop()
