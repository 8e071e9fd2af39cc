"""The ``storyboard`` command: parse options, call the library, map errors to exit codes."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from storyboard import __version__
from storyboard.clock import Clock, utc_now
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


#: ``--providers``: also read by commands that only need the registry (render, serve).
providers_option = click.option(
    "--providers",
    "providers_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="STORYBOARD_PROVIDERS",
    help="An extra provider registry in oembed.com's providers.json format; "
    "its entries win over the built-in ones (and say which hosts may serve players). "
    "Repeatable.",
)

theme_option = click.option(
    "--theme",
    "theme_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of templates searched before the built-in theme.",
)


def network_options(command: F) -> F:
    """Add the options shared by every command that touches the network."""
    decorators = [
        providers_option,
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
            "--per-host",
            type=click.IntRange(1, 64),
            default=2,
            show_default=True,
            help="How many requests run at once against one server, so none is hammered.",
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
    from storyboard.commands.pipeline import NetworkOptions
    from storyboard.fetch.pool import PoolSettings
    from storyboard.net import FetchSettings

    return NetworkOptions(
        providers_files=tuple(kwargs["providers_files"]),
        http=FetchSettings(
            timeout=kwargs["timeout"],
            connect_timeout=min(5.0, kwargs["timeout"]),
            allow_private_network=kwargs["allow_private_network"],
        ),
        pool=PoolSettings(concurrency=kwargs["concurrency"], per_host=kwargs["per_host"]),
    )


def _load(path: Path) -> Any:
    from storyboard.storyfile.loader import load_story

    loaded = load_story(path)
    for warning in loaded.warnings:
        click.echo(str(warning), err=True)  # the problem's text already says "warning"
    return loaded


def run_clock() -> Clock:
    """Return the clock stamps come from: the system's, unless the caller of ``main`` gave one.

    A program (or a test) running the CLI in-process passes a ``Clock`` as click's ``obj``.
    """
    given = click.get_current_context().find_root().obj
    return given if callable(given) else utc_now


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
    from storyboard.cli.progress import FetchProgress
    from storyboard.commands.pipeline import fetch_story, link_states, open_store

    loaded = _load(story_path)
    story = loaded.story
    count = len(story.url_items())
    if not links:
        click.echo(f"{story_path}: ok ({len(story.items)} items, {count} URLs)", err=True)
        return
    store = open_store(story, clock=run_clock())
    # Without --update nothing is saved, so URLs without a snapshot stay "never fetched".
    unfetched = [] if update else [i.url for i in story.url_items() if i.url not in store]
    if not update:
        store = store.detached()
    progress = FetchProgress(saving=update)
    report = fetch_story(story, store, _network(kwargs), refresh=True, progress=progress)
    progress.finish(report)
    bad = 0
    for state in link_states(story, store, report, unfetched=unfetched):
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
    from storyboard.cli.progress import FetchProgress
    from storyboard.commands.pipeline import fetch_story, open_store

    loaded = _load(story_path)
    store = open_store(loaded.story, clock=run_clock())
    progress = FetchProgress()
    report = fetch_story(loaded.story, store, _network(kwargs), refresh=refresh, progress=progress)
    progress.finish(report)
    _archive_imported_media(loaded.story, store, kwargs)
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
@theme_option
@click.option(
    "--assets",
    "assets_mode",
    type=click.Choice(["copy", "inline", "url"]),
    help="copy media into assets/ (default for a page), inline them as data: URIs "
    "(default for a fragment), or link to --asset-url.",
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
    from storyboard.cli.progress import FetchProgress
    from storyboard.commands.pipeline import (
        default_output_dir,
        fetch_story,
        open_store,
        render_story_file,
        theme_dir_for,
    )
    from storyboard.model.story import EmbedMode
    from storyboard.render import OutputFormat, RenderOptions, default_assets_mode

    if asset_url and assets_mode not in (None, "url"):
        raise click.BadParameter("--asset-url goes with --assets url", param_hint="--asset-url")
    if assets_mode == "url" and not asset_url:
        raise click.BadParameter("--assets url needs --asset-url", param_hint="--assets")
    loaded = _load(story_path)
    story = loaded.story
    store = open_store(story, clock=run_clock())
    if not offline and any(store.needs_fetch(item.url) for item in story.url_items()):
        progress = FetchProgress()
        report = fetch_story(story, store, _network(kwargs), progress=progress)
        progress.finish(report)
    theme = theme_dir_for(story, theme_dir)
    fmt = OutputFormat(output_format)
    options = RenderOptions(
        output_dir=output_dir or default_output_dir(story_path),
        format=fmt,
        embed=EmbedMode(embed) if embed else None,
        theme_dir=theme,
        assets=assets_mode or default_assets_mode(fmt, asset_url),  # type: ignore[arg-type]
        asset_url=asset_url,
    )
    result = render_story_file(
        loaded, store, options=options, providers_files=kwargs["providers_files"]
    )
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
    """Inspect the provider registry, or update its copy of oembed.com's."""


@providers.command("list")
@providers_option
@reports_errors
def providers_list(providers_files: tuple[Path, ...]) -> None:
    """List the providers storyboard knows, with their URL schemes."""
    from storyboard.commands.providers import list_providers

    listing = list_providers(providers_files)
    for provider in listing.providers:
        endpoints = ", ".join(e.url for e in provider.endpoints)
        click.echo(f"{provider.name}  ({provider.slug})  {endpoints}  [{provider.source}]")
        for endpoint in provider.endpoints:
            for scheme in endpoint.schemes:
                click.echo(f"    {scheme}")
    copy = listing.registry
    click.echo(f"oembed.com registry: {copy.kind}, {copy.date}, from {copy.origin} ({copy.path})")


@providers.command("update")
@click.option(
    "--url",
    help="Where to download the registry from, in oembed.com's providers.json format "
    "[default: https://oembed.com/providers.json].",
)
@click.option(
    "--allow-private-network",
    is_flag=True,
    envvar="STORYBOARD_ALLOW_PRIVATE_NETWORK",
    help="Let the URL resolve to loopback or private addresses (off by default).",
)
@reports_errors
def providers_update(url: str | None, allow_private_network: bool) -> None:
    """Download oembed.com's current provider registry; later commands use it."""
    from storyboard.commands.providers import update_registry
    from storyboard.net import FetchSettings

    settings = FetchSettings(allow_private_network=allow_private_network)
    update = update_registry(url, settings) if url else update_registry(settings=settings)
    copy = update.registry
    click.echo(f"{update.provider_count} providers from {copy.origin}, saved to {copy.path}")


@main.command()
@click.argument(
    "story_path", metavar="STORY.yaml", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option(
    "-o",
    "--output",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder [default: site/<story name>/].",
)
@click.option(
    "--embed",
    type=click.Choice(["static", "click", "live"]),
    help="How posts are shown [default: the story's options.embed, else static].",
)
@theme_option
@providers_option
@reports_errors
def serve(
    *,
    story_path: Path,
    port: int,
    output_dir: Path | None,
    embed: str | None,
    theme_dir: Path | None,
    providers_files: tuple[Path, ...],
) -> None:
    """Preview the page on this machine; it renders again when the story changes.

    Never fetches (like render --offline): run storyboard fetch for new URLs.
    """
    import signal

    from storyboard.commands.pipeline import default_output_dir
    from storyboard.model.story import EmbedMode
    from storyboard.preview.server import PreviewServer, PreviewSettings

    settings = PreviewSettings(
        story_path=story_path,
        output_dir=output_dir or default_output_dir(story_path),
        port=port,
        theme_dir=theme_dir.resolve() if theme_dir else None,
        embed=EmbedMode(embed) if embed else None,
        providers_files=providers_files,
    )
    server = PreviewServer(settings, report=lambda message: click.echo(message, err=True))

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # Ctrl-C and a plain kill both stop cleanly, even where the shell ignored SIGINT.
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    click.echo(f"Serving {server.url} (Ctrl-C to stop)")
    server.serve_until_interrupted()
    click.echo("Stopped.", err=True)


@main.command()
@click.argument(
    "story_path", metavar="STORY.yaml", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option("--no-open", is_flag=True, help="Print the editor's address; do not open it.")
@click.option(
    "-o",
    "--output",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where Publish writes [default: site/<story name>/].",
)
@theme_option
@network_options
@reports_errors
def edit(
    *,
    story_path: Path,
    port: int,
    no_open: bool,
    output_dir: Path | None,
    theme_dir: Path | None,
    **kwargs: Any,
) -> None:
    """Edit STORY.yaml in the browser: paste URLs, reorder, write text, publish.

    Every change is written to the file at once, in place, as storyboard add does.
    The editor listens on 127.0.0.1 only, behind a random token in its address.
    """
    from storyboard.commands.edit import edit_story

    edit_story(
        story_path,
        network=_network(kwargs),
        port=port,
        output_dir=output_dir,
        theme_dir=theme_dir.resolve() if theme_dir else None,
        open_browser=not no_open,
        say=click.echo,
        report=lambda line: click.echo(line, err=True),
    )


@main.command()
@story_argument
@click.option(
    "--mastodon",
    metavar="URL",
    help="Read the public hashtag timeline of this Mastodon instance (https://social.example).",
)
@click.option(
    "--bluesky", is_flag=True, help="Search Bluesky's public posts (by --tag or --query)."
)
@click.option(
    "--from-file",
    "from_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Add the URLs listed in this file, one a line (# starts a comment).",
)
@click.option("--tag", help="The hashtag to collect, with or without #.")
@click.option("--query", help="With --bluesky: search text (with or instead of --tag).")
@click.option(
    "--since", type=click.DateTime(["%Y-%m-%d"]), help="Only posts from this day on (UTC)."
)
@click.option(
    "--until", type=click.DateTime(["%Y-%m-%d"]), help="Only posts up to this day, inclusive (UTC)."
)
@click.option(
    "--limit",
    type=click.IntRange(1, 10_000),
    default=200,
    show_default=True,
    help="Add at most N posts: the most recent ones that match.",
)
@click.option("--heading", help="Add the posts under this heading (a new one at the end if none).")
@click.option(
    "--bluesky-api",
    default="https://public.api.bsky.app/xrpc/",
    show_default=True,
    envvar="STORYBOARD_BLUESKY_API",
    help="The Bluesky AppView's XRPC base URL.",
)
@click.option("-y", "--yes", is_flag=True, help="Add the posts without asking.")
@click.option("--dry-run", is_flag=True, help="Only list the posts; write nothing.")
@network_options
@reports_errors
def collect(  # click passes every option by name
    *,
    story_path: Path,
    mastodon: str | None,
    bluesky: bool,
    from_file: Path | None,
    tag: str | None,
    query: str | None,
    since: Any,
    until: Any,
    limit: int,
    heading: str | None,
    bluesky_api: str,
    yes: bool,
    dry_run: bool,
    **kwargs: Any,
) -> None:
    """Add the posts of a hashtag (Mastodon, Bluesky) or a URL list to STORY.yaml.

    Posts come oldest first; URLs already in the story are skipped; only public posts
    are collected. Their snapshots are seeded from the API, so the story renders at once.
    """
    from storyboard.collect import (
        CollectFilter,
        CollectSource,
        collect_posts,
        describe_post,
        save_collected,
        story_urls,
    )

    loaded = _load(story_path)
    try:
        filt = CollectFilter(
            since=since.date() if since else None,
            until=until.date() if until else None,
            limit=limit,
            exclude=story_urls(loaded.story),
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since/--until") from exc
    source = CollectSource(
        mastodon=mastodon,
        bluesky=bluesky,
        from_file=from_file,
        tag=tag,
        query=query,
        bluesky_api=bluesky_api,
    )
    network = _network(kwargs)
    result = collect_posts(
        source, filt, network.http, notify=lambda line: click.echo(line, err=True)
    )
    for warning in result.warnings:
        click.echo(click.style("warning: ", fg="yellow") + warning, err=True)
    if result.stopped_early:
        click.echo(click.style("note: ", fg="yellow") + result.stopped_early, err=True)
    posts = result.posts
    if not posts:
        click.echo("No new posts to add.", err=True)
        sys.exit(EXIT_PARTIAL if result.incomplete else EXIT_OK)
    for post in posts:
        click.echo("\n".join(describe_post(post)))
    count = f"{len(posts)} post{'s' if len(posts) != 1 else ''}"
    if dry_run:
        click.echo(f"Dry run: {count} found; nothing written.", err=True)
        sys.exit(EXIT_PARTIAL if result.incomplete else EXIT_OK)
    if not yes and not click.confirm(f"Add {count} to {story_path}?", default=False, err=True):
        click.echo("Nothing written.", err=True)
        return
    report = save_collected(
        story_path,
        posts,
        network.http,
        heading=heading,
        concurrency=network.pool.concurrency,
    )
    for failure in report.media_failed:
        click.echo(
            click.style("warning: ", fg="yellow") + f"picture not archived: {failure}", err=True
        )
    if report.seeded:
        done = f"{report.seeded} snapshots from the API, {report.media_archived} pictures archived"
    else:
        done = f"run storyboard fetch {story_path} for their snapshots"
    click.echo(f"Added {count} to {story_path} ({done}).", err=True)
    if result.incomplete:
        sys.exit(EXIT_PARTIAL)


@main.command()
@story_argument
@click.option(
    "--url",
    "page_url",
    help="The address of the published story page, for the messages.",
)
@reports_errors
def quoted(story_path: Path, page_url: str | None) -> None:
    """List the people the story quotes, by network, with messages to tell them.

    Reads the story and its snapshots only; posting the messages is up to you.
    """
    from storyboard.commands.pipeline import open_store
    from storyboard.commands.quoted import URL_PLACEHOLDER, quoted_people, report_lines
    from storyboard.urls import check_http_url

    if page_url is not None:
        try:
            page_url = check_http_url(page_url)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--url") from exc
    loaded = _load(story_path)
    story = loaded.story
    report = quoted_people(story, open_store(story).as_mapping())
    if not report.groups:
        click.echo("No quoted people found (run storyboard fetch first?).", err=True)
    for line in report_lines(report, title=story.title, url=page_url):
        click.echo(line)
    for url in report.unknown:
        click.echo(
            click.style("note: ", fg="yellow") + f"no author known for {url} (no snapshot yet)",
            err=True,
        )
    if page_url is None and report.groups:
        click.echo(
            click.style("note: ", fg="yellow")
            + f"no --url given: replace {URL_PLACEHOLDER} with your page's address",
            err=True,
        )


# -- curating: new, add, import ----------------------------------------------------------


def _archive_imported_media(story: Any, store: Any, kwargs: dict[str, Any]) -> None:
    """Download the pictures of imported posts; a failed one is a note, not a failure."""
    from storyboard.commands.pipeline import archive_imported_media

    media = archive_imported_media(story, store, _network(kwargs))
    if media.archived:
        click.echo(f"archived {media.archived} pictures of imported posts", err=True)
    for url, reason in media.failures:
        message = reason if url in reason else f"{url}: {reason}"
        click.echo(
            click.style("note: ", fg="yellow") + f"picture not archived: {message}", err=True
        )


@main.command()
@story_argument
@click.option("--title", help="The story's title [default: from the file name].")
@click.option("--lang", default="en", show_default=True, help="Page language (en, fi, sv).")
@click.option(
    "--date",
    "story_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day the story tells about, YYYY-MM-DD [default: today].",
)
@reports_errors
def new(story_path: Path, title: str | None, lang: str, story_date: Any) -> None:
    """Write a commented skeleton STORY.yaml (never overwrites a file)."""
    from storyboard.fsio import write_new_file
    from storyboard.storyfile.skeleton import new_story_text, title_from_file_name

    text = new_story_text(
        title=title if title is not None else title_from_file_name(story_path),
        lang=lang,
        date=story_date.date() if story_date else None,
        file_name=story_path.name,
        clock=run_clock(),
    )
    write_new_file(story_path, text.encode("utf-8"))
    click.echo(str(story_path))
    click.echo(f"next: storyboard add {story_path} URL --note TEXT", err=True)


@main.command()
@story_argument
@click.argument("urls", metavar="URL...", nargs=-1, required=True)
@click.option("--note", help="A Markdown caption shown with each new item.")
@click.option(
    "--after",
    type=click.IntRange(min=0),
    help="Insert after item N (1 = the first item; 0 = before every item) [default: at the end].",
)
@click.option(
    "--heading",
    help="Add at the end of the section under this heading (a new section if none is close).",
)
@click.option("--fetch", "fetch_now", is_flag=True, help="Resolve the new items right away.")
@network_options
@reports_errors
def add(
    *,
    story_path: Path,
    urls: tuple[str, ...],
    note: str | None,
    after: int | None,
    heading: str | None,
    fetch_now: bool,
    **kwargs: Any,
) -> None:
    """Add URLs to STORY.yaml, leaving every other line of the file as it is."""
    from storyboard.storyfile.insert import add_items

    if after is not None and heading is not None:
        raise click.UsageError("use --after or --heading, not both")
    result = add_items(story_path, list(urls), note=note, after=after, heading=heading)
    if result.new_heading is not None:
        click.echo(f"added the heading {result.new_heading!r} at the end", err=True)
    first = result.index + 1
    count = len(result.added)
    where = f"item {first}" if count == 1 else f"items {first}-{first + count - 1}"
    click.echo(f"{story_path}: added {where}", err=True)
    if not fetch_now:
        return
    from storyboard.cli.progress import FetchProgress
    from storyboard.commands.pipeline import fetch_story, open_store

    loaded = _load(story_path)
    story = loaded.story.model_copy(update={"items": result.added})
    store = open_store(story, clock=run_clock())
    progress = FetchProgress()
    report = fetch_story(story, store, _network(kwargs), progress=progress)
    progress.finish(report)
    if report.failures:
        sys.exit(EXIT_PARTIAL)


@main.group("import")
def import_() -> None:
    """Import a story from another tool's export."""


@import_.command("storify")
@click.argument("export_path", metavar="EXPORT", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "story_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The story file to write [default: <export name>.yaml here]; never overwritten.",
)
@click.option("--lang", default="en", show_default=True, help="Page language (en, fi, sv).")
@reports_errors
def import_storify(export_path: Path, story_path: Path | None, lang: str) -> None:
    """Turn a Storify export (JSON, JSONP, XML or HTML) into a story that renders offline."""
    from storyboard.importers.storify import import_storify as run_import

    target = story_path or Path(f"{export_path.stem}.yaml")
    result = run_import(export_path, target, lang=lang, clock=run_clock())
    for warning in result.warnings:
        click.echo(str(warning), err=True)  # the problem's text already says "warning"
    click.echo(str(result.story_path))
    click.echo(str(result.snapshots_path))
    click.echo(
        f"imported {result.items} items and {result.snapshots} snapshots; "
        f"next: storyboard render {result.story_path} --offline",
        err=True,
    )
