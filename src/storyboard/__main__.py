"""Allow ``python -m storyboard``."""

from storyboard.cli.main import run

if __name__ == "__main__":
    run(prog="python -m storyboard")  # what the help and the errors name, as typed
