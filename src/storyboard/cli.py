"""The ``storyboard`` command: parse options, call the library, map errors to exit codes."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from storyboard import __version__
from storyboard.errors import StoryboardError, StoryError

F = TypeVar("F", bound=Callable[..., Any])

#: Exit statuses (DESIGN.md): all rendered from snapshots; some fell back to links; bad input.
EXIT_OK, EXIT_PARTIAL, EXIT_INVALID = 0, 1, 2


def _fail(error: StoryboardError) -> NoReturn:
    if isinstance(error, StoryError):
        for problem in error.problems:
            click.echo(click.style("error: ", fg="red") + str(problem), err=True)
    else:
        click.echo(click.style("error: ", fg="red") + str(error), err=True)
    sys.exit(error.exit_code)


def reports_errors(command: F) -> F:
    """Turn library errors into one red line each and the error's exit status."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except StoryboardError as error:
            if click.get_current_context().find_root().params.get("debug"):
                raise
            _fail(error)

    return wrapper  # type: ignore[return-value]


def network_options(command: F) -> F:
    """Add the options shared by every command that touches the network."""
    decorators = [
        click.option(
            "--providers",
            "providers_files",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            envvar="STORYBOARD_PROVIDERS",
            help="An extra provider registry in oembed.com's providers.json format; "
            "its entries win over the built-in ones. Repeatable.",
        ),
        click.option(
            "--allow-private-network",
            is_flag=True,
            envvar="STORYBOARD_ALLOW_PRIVATE_NETWORK",
            help="Let URLs resolve to loopback or private addresses (off by default).",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(1, 64),
            default=8,
            show_default=True,
            help="How many requests run at once.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(0.1, 600),
            default=15.0,
            show_default=True,
            help="Total seconds allowed for one request.",
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _network(kwargs: dict[str, Any]) -> Any:
    from storyboard.fetching import PoolSettings
    from storyboard.http import FetchSettings
    from storyboard.pipeline import NetworkOptions

    return NetworkOptions(
        providers_files=tuple(kwargs["providers_files"]),
        http=FetchSettings(
            timeout=kwargs["timeout"],
            connect_timeout=min(5.0, kwargs["timeout"]),
            allow_private_network=kwargs["allow_private_network"],
        ),
        pool=PoolSettings(concurrency=kwargs["concurrency"]),
    )


def _load(path: Path) -> Any:
    from storyboard.story_loader import load_story

    loaded = load_story(path)
    for warning in loaded.warnings:
        click.echo(str(warning), err=True)  # the problem's text already says "warning"
    return loaded


story_argument = click.argument(
    "story_path", metavar="STORY.yaml", type=click.Path(dir_okay=False, path_type=Path)
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="storyboard")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
def main(debug: bool) -> None:
    """Turn a curated list of social-media URLs into a durable story page."""


@main.command()
@story_argument
@click.option("--links", is_flag=True, help="Also check every URL at its source now.")
@click.option("--update", is_flag=True, help="With --links: save what was found.")
@network_options
@reports_errors
def check(story_path: Path, links: bool, update: bool, **kwargs: Any) -> None:
    """Validate STORY.yaml without touching the network (unless --links)."""
    from storyboard.cli_progress import FetchProgress
    from storyboard.pipeline import fetch_story, link_states, open_store

    loaded = _load(story_path)
    story = loaded.story
    count = len(story.url_items())
    if not links:
        click.echo(f"{story_path}: ok ({len(story.items)} items, {count} URLs)", err=True)
        return
    store = open_store(story)
    if not update:
        store = store.detached()
    progress = FetchProgress()
    report = fetch_story(story, store, _network(kwargs), refresh=True, progress=progress)
    progress.finish(report)
    bad = 0
    for state in link_states(story, store):
        bad += state.state != "ok"
        detail = f"  {state.detail}" if state.detail else ""
        click.echo(f"{state.state:13} {state.url}{detail}")
    if bad:
        sys.exit(EXIT_PARTIAL)


@main.command()
@story_argument
@click.option("--refresh", is_flag=True, help="Fetch every URL again, not only new ones.")
@network_options
@reports_errors
def fetch(story_path: Path, refresh: bool, **kwargs: Any) -> None:
    """Resolve the story's URLs into its snapshot file."""
    from storyboard.cli_progress import FetchProgress
    from storyboard.pipeline import fetch_story, open_store

    loaded = _load(story_path)
    store = open_store(loaded.story)
    progress = FetchProgress()
    report = fetch_story(loaded.story, store, _network(kwargs), refresh=refresh, progress=progress)
    progress.finish(report)
    if report.failures:
        sys.exit(EXIT_PARTIAL)


@main.command()
@story_argument
@click.option(
    "-o",
    "--output",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder [default: site/<story name>/].",
)
@click.option(
    "--format",
    "output_format",
    default="page",
    show_default=True,
    type=click.Choice(["page", "fragment", "markdown", "json"]),
    help="page: index.html; fragment: embed.html to paste into a blog; story.md; story.json.",
)
@click.option(
    "--embed",
    type=click.Choice(["static", "click", "live"]),
    help="How posts are shown [default: the story's options.embed, else static].",
)
@click.option("--offline", is_flag=True, help="Never touch the network; render from snapshots.")
@click.option(
    "--theme",
    "theme_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of templates searched before the built-in theme.",
)
@click.option(
    "--assets",
    "assets_mode",
    type=click.Choice(["copy", "inline", "url"]),
    help="copy media into assets/ (default), inline them as data: URIs, or link to --asset-url.",
)
@click.option("--asset-url", help="Base URL where you will upload the assets/ folder.")
@network_options
@reports_errors
def render(  # click passes every option by name
    *,
    story_path: Path,
    output_dir: Path | None,
    output_format: str,
    embed: str | None,
    offline: bool,
    theme_dir: Path | None,
    assets_mode: str | None,
    asset_url: str | None,
    **kwargs: Any,
) -> None:
    """Build the story page (fetching URLs that have no snapshot yet, unless --offline)."""
    from storyboard.cli_progress import FetchProgress
    from storyboard.pipeline import default_output_dir, fetch_story, open_store, render_story_file
    from storyboard.render import OutputFormat, RenderOptions
    from storyboard.story import EmbedMode

    if asset_url and assets_mode not in (None, "url"):
        raise click.BadParameter("--asset-url goes with --assets url", param_hint="--asset-url")
    if assets_mode == "url" and not asset_url:
        raise click.BadParameter("--assets url needs --asset-url", param_hint="--assets")
    loaded = _load(story_path)
    story = loaded.story
    store = open_store(story)
    if not offline and any(store.needs_fetch(item.url) for item in story.url_items()):
        progress = FetchProgress()
        report = fetch_story(story, store, _network(kwargs), progress=progress)
        progress.finish(report)
    theme = theme_dir
    if theme is None and story.options.theme:
        theme = (story_path.parent / story.options.theme).resolve()
    options = RenderOptions(
        output_dir=output_dir or default_output_dir(story_path),
        format=OutputFormat(output_format),
        embed=EmbedMode(embed) if embed else None,
        theme_dir=theme,
        assets=assets_mode or ("url" if asset_url else "copy"),  # type: ignore[arg-type]
        asset_url=asset_url,
    )
    result = render_story_file(loaded, store, options=options)
    for url in result.unresolved:
        snapshot = store.get(url)
        reason = (
            snapshot.last_error.message
            if snapshot and snapshot.last_error
            else ("no snapshot (run storyboard fetch)" if offline else "could not be resolved")
        )
        click.echo(click.style("unresolved: ", fg="yellow") + f"{url}: {reason}", err=True)
    for path in result.written:
        click.echo(str(path))
    if result.unresolved:
        sys.exit(EXIT_PARTIAL)


@main.group()
def providers() -> None:
    """Inspect the provider registry."""


@providers.command("list")
@click.option(
    "--providers",
    "providers_files",
    multiple=True,
    envvar="STORYBOARD_PROVIDERS",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An extra registry in providers.json format, listed first.",
)
@reports_errors
def providers_list(providers_files: tuple[Path, ...]) -> None:
    """List the providers storyboard knows, with their URL schemes."""
    from storyboard.pipeline import build_registry

    for provider in build_registry(providers_files):
        endpoints = ", ".join(e.url for e in provider.endpoints)
        click.echo(f"{provider.name}  ({provider.slug})  {endpoints}")
        for endpoint in provider.endpoints:
            for scheme in endpoint.schemes:
                click.echo(f"    {scheme}")
