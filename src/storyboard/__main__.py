"""Allow ``python -m storyboard``."""

from storyboard.cli.main import main

if __name__ == "__main__":
    main()
