"""Allow ``python -m storyboard``."""

from storyboard.cli import main

if __name__ == "__main__":
    main()
