"""``storyboard edit``: open the story in the browser editor until Ctrl-C.

Like ``serve``, a server that runs until stopped rather than a ``commands`` workflow
that returns a result: it sits above ``commands`` and uses them.
"""

from __future__ import annotations

import signal
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path

from storyboard.commands.network import NetworkOptions
from storyboard.editor.server import EditorServer
from storyboard.editor.session import EditorSession, EditorSettings
from storyboard.storyfile.loader import load_story


def edit_story(
    story_path: Path,
    *,
    network: NetworkOptions,
    port: int = 0,
    output_dir: Path | None = None,
    theme_dir: Path | None = None,
    open_browser: bool = True,
    say: Callable[[str], None],
    report: Callable[[str], None],
) -> None:
    """Serve the editor for ``story_path`` until interrupted; print (and open) its address."""
    loaded = load_story(story_path)  # a file that does not load is reported before serving
    for warning in loaded.warnings:
        report(str(warning))
    settings = EditorSettings(
        story_path=story_path, network=network, output_dir=output_dir, theme_dir=theme_dir
    )
    server = EditorServer(EditorSession(settings, report=report), port=port)
    # A plain flag, not a threading.Event: the handler runs in the main thread between two
    # bytecodes, possibly while that thread holds the Event's own lock inside ``wait``,
    # and setting the Event would then wait for that lock for ever (seen under load).
    stopping: list[int] = []

    def interrupt(signum: int, _frame: object) -> None:
        stopping.append(signum)

    # Ctrl-C and a plain kill both stop cleanly: the fetch in progress saves what it has.
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    with server:
        say(f"Editing {story_path} at {server.url} (Ctrl-C to stop)")
        if open_browser:
            webbrowser.open(server.url)
        # Woken now and then: a signal the kernel gave to another thread is only handled
        # when this (main) thread runs again, and a wait without end would never return.
        while not stopping:
            time.sleep(0.25)
    report("Stopped.")
