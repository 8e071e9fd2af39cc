"""What the editor loads only when first used: collecting, fetching, publishing.

The editor opens without them (they are most of storyboard's imports), and loads
them once the story is on screen, in the background. Every such import takes one
lock: two threads importing at once (a package half imported by one, a module in it
by the other) can deadlock in Python's import system.
"""

from __future__ import annotations

import importlib
import threading

#: Held around every import the editor makes after it started.
IMPORTS = threading.Lock()
#: What collecting, fetching and publishing bring in.
LATER_MODULES = ("storyboard.collect", "storyboard.commands.fetch", "storyboard.commands.render")

_started = threading.Event()


def warm_up() -> None:
    """Import ``LATER_MODULES`` in a background thread (once), so the first use is quick."""
    if _started.is_set():
        return
    _started.set()

    def load() -> None:
        for name in LATER_MODULES:
            with IMPORTS:
                try:
                    importlib.import_module(name)
                except Exception:
                    # An import that fails here (one racing a test's or a library's own
                    # lazy import, say) is left to the first real use, which imports it
                    # again under the same lock and reports what is wrong where it matters.
                    return

    threading.Thread(target=load, name="editor-warm-up", daemon=True).start()


__all__ = ["IMPORTS", "LATER_MODULES", "warm_up"]
