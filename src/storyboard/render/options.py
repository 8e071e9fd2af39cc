"""What a render run is asked to produce, and what it reports back."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from storyboard.errors import UsageError
from storyboard.model.story import EmbedMode
from storyboard.render.blog_target import BlogTarget, check_blog_target
from storyboard.render.media import AssetsMode


class OutputFormat(StrEnum):
    """The kinds of output ``render`` writes."""

    PAGE = "page"
    FRAGMENT = "fragment"
    MARKDOWN = "markdown"
    JSON = "json"


#: The file each format writes inside the output directory.
OUTPUT_FILES = {
    OutputFormat.PAGE: "index.html",
    OutputFormat.FRAGMENT: "embed.html",
    OutputFormat.MARKDOWN: "story.md",
    OutputFormat.JSON: "story.json",
}

#: Where each format's media go unless the user says otherwise: a page ships its
#: ``assets/`` folder beside it; a fragment carries its pictures inside (``data:`` URIs),
#: so it pastes into a blog post with nothing to upload.
DEFAULT_ASSETS: dict[OutputFormat, AssetsMode] = {
    OutputFormat.PAGE: "copy",
    OutputFormat.FRAGMENT: "inline",
    OutputFormat.MARKDOWN: "copy",
    OutputFormat.JSON: "copy",
}


def default_assets_mode(output_format: OutputFormat, asset_url: str | None = None) -> AssetsMode:
    """Return the assets mode of a run that did not name one (``url`` when given a base URL)."""
    return "url" if asset_url else DEFAULT_ASSETS[output_format]


@dataclass(frozen=True)
class RenderOptions:
    """Options of one render run."""

    output_dir: Path
    format: OutputFormat = OutputFormat.PAGE
    #: Overrides the story's and every item's embed mode.
    embed: EmbedMode | None = None
    #: A folder of templates searched before the built-in theme.
    theme_dir: Path | None = None
    assets: AssetsMode = "copy"
    #: Base URL of the uploaded assets folder (``assets="url"``).
    asset_url: str | None = None
    #: A blog whose post filters a fragment must pass unchanged (``--for``).
    blog: BlogTarget | None = None
    #: Where the page will be published: absolute URLs for sharing and oEmbed discovery.
    base_url: str | None = None

    def __post_init__(self) -> None:
        if self.assets == "url" and not self.asset_url:
            raise UsageError("assets mode 'url' needs an asset URL (--asset-url)")
        if self.assets not in ("copy", "inline", "url"):
            raise UsageError(f"unknown assets mode: {self.assets!r}")
        # Every image's src starts with it: an https address or a path on the blog, never
        # another scheme (javascript:, data:) that a typo or a paste could bring in.
        if urlsplit((self.asset_url or "").strip()).scheme.lower() not in ("", "http", "https"):
            raise UsageError(f"--asset-url must be an http(s) URL or a path: {self.asset_url}")
        if self.base_url is not None:
            parts = urlsplit(self.base_url.strip())
            if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
                raise UsageError(f"--base-url must be an absolute http(s) URL: {self.base_url}")
        check_blog_target(
            self.blog,
            fragment=self.format is OutputFormat.FRAGMENT,
            asset_url=self.asset_url if self.assets == "url" else None,
        )

    @property
    def page_url(self) -> str | None:
        """Return the published address of the page (ending in ``/``), None without a base URL."""
        if self.base_url is None:
            return None
        return self.base_url.strip().rstrip("/") + "/"

    @property
    def output_file(self) -> Path:
        """Return the main file this run writes."""
        return self.output_dir / OUTPUT_FILES[self.format]


@dataclass(frozen=True)
class RenderResult:
    """What a render run wrote, and which URLs fell back to a plain link."""

    written: list[Path]
    unresolved: list[str]
