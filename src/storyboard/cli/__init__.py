"""The ``storyboard`` command line, on argparse; each command calls one ``commands`` function."""

from storyboard.cli.main import main, run

__all__ = ["main", "run"]
