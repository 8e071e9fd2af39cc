"""Run ``storyboard ARGS`` in-process, its streams captured, as the tests call the command line.

``invoke`` runs the real entry point (``storyboard.cli.main.main``) with stdin, stdout and
stderr replaced for the call and the environment changed as asked, and returns what
came out: each stream apart, and both as a terminal would show them (``output``).
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from storyboard.cli.main import main

if TYPE_CHECKING:
    from collections.abc import Iterator

    from storyboard.clock import Clock


@dataclass(frozen=True)
class Result:
    """What one run of the command gave."""

    exit_code: int
    stdout: str
    stderr: str
    #: stdout and stderr as they were written, interleaved.
    output: str
    #: The exception the command raised, with ``catch_exceptions``.
    exception: BaseException | None = None


class _Stream(io.StringIO):
    """A captured stream that also writes into the shared, interleaved ``output``."""

    def __init__(self, output: io.StringIO) -> None:
        super().__init__()
        self._output = output

    def write(self, text: str) -> int:
        self._output.write(text)
        return super().write(text)


@contextmanager
def _environment(changes: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for None, remove) the variables for the run; restore them after."""
    before = {name: os.environ.get(name) for name in changes}

    def apply(values: Mapping[str, str | None]) -> None:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    apply(changes)
    try:
        yield
    finally:
        apply(before)


def invoke(
    args: Sequence[str | Path],
    *,
    input: str | None = None,
    env: Mapping[str, str | None] | None = None,
    clock: Clock | None = None,
    catch_exceptions: bool = False,
) -> Result:
    """Run ``storyboard ARGS`` with ``input`` on stdin; return its status and output.

    An exception the command lets out (``--debug``) is raised, or with
    ``catch_exceptions`` returned in ``Result.exception`` with exit status 1.
    """
    output = io.StringIO()
    stdout, stderr = _Stream(output), _Stream(output)
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(input or ""), stdout, stderr
    exception: BaseException | None = None
    try:
        with _environment(env or {}):
            status = main([str(arg) for arg in args], clock=clock)
    except Exception as error:
        if not catch_exceptions:
            raise
        status, exception = 1, error
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return Result(status, stdout.getvalue(), stderr.getvalue(), output.getvalue(), exception)
