"""Which blog editor a fragment is made for (``--for``), apart from the rewriting itself.

The rewriting (``blog_post``) needs an HTML parser; the options and the command line
only need these names, and load nothing heavy for them.
"""

from __future__ import annotations

from enum import StrEnum

from storyboard.errors import UsageError


class BlogTarget(StrEnum):
    """Blog editors that get a fragment of their own."""

    WORDPRESS = "wordpress"


def check_blog_target(target: BlogTarget | None, *, fragment: bool, asset_url: str | None) -> None:
    """Refuse a ``--for`` that cannot work: not a fragment, or pictures with no address."""
    if target is None:
        return
    if not fragment:
        raise UsageError(f"--for {target} goes with --format fragment")
    if not asset_url:
        raise UsageError(
            f"--for {target} needs --asset-url URL: {target.title()} removes pictures put inside"
            " a post (data: URLs); upload the assets folder and give its address"
        )
