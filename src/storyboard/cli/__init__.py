"""The ``storyboard`` command line: click only; each command calls one ``commands`` function."""

from storyboard.cli.main import main, run

__all__ = ["main", "run"]
