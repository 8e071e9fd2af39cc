"""The ``storyboard`` command: parse options, call one ``commands`` function, print its result.

Errors are turned into one line and an exit status in one place, ``StoryboardGroup``.

``storyboard --help`` is answered from click and this module alone: everything else
(the error classes, the output and progress helpers, pathlib, the commands) is imported
by the command that uses it. ``tests/test_import_graph.py`` holds it to that.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from storyboard import __version__
from storyboard.model.embed_mode import EmbedMode  # not model.story: --help skips pydantic

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

    from storyboard.cli.progress import FetchProgress
    from storyboard.clock import Clock
    from storyboard.commands.feedback import Outcome
    from storyboard.commands.network import NetworkOptions
    from storyboard.errors import StoryboardError

F = TypeVar("F", bound=Callable[..., Any])

#: The (sub)commands this process ran (the root group's name, and the names of those
#: that say so); none when click answered ``--help`` itself.
_commands_run: list[str] = []
#: Set by ``run``: this process is the program, and ends when the command does.
_whole_process = False
#: Commands that, once returned, have saved and closed all they opened (a fetch saves
#: its snapshot file, under its lock and atomically, before it returns; its workers
#: are joined or, after Ctrl-C, left by ``_leave_now_if_threads_would_hold``).
#: Python's teardown of the modules is then skipped, as after ``--help``.
_NOTHING_LEFT_OPEN = frozenset({"fetch"})

#: How each kind of note is shown on stderr.
_NOTE_COLOURS = {"error": "red", "warning": "yellow", "note": "yellow", "unresolved": "yellow"}


def echo(text: str, *, err: bool = False, label: str = "", colour: str | None = None) -> None:
    """Print through ``cli.output.echo`` (control characters removed), loaded when used."""
    from storyboard.cli.output import echo as print_line

    print_line(text, err=err, label=label, colour=colour)


def _progress(*, saving: bool = True) -> FetchProgress:
    from storyboard.cli.progress import FetchProgress

    return FetchProgress(saving=saving)


class _LocalPath(click.Path):
    """click's ``Path`` giving a ``pathlib.Path``, with pathlib loaded when a path is given."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Check the path as click does, and return it as a ``pathlib.Path``."""
        from pathlib import Path

        return Path(os.fsdecode(super().convert(value, param, ctx)))


def _settled() -> None:
    """Tell the garbage collector that what is loaded so far stays until the process ends.

    A long render makes the collector go over every object a few times, many of them the
    modules' (pydantic's, the models'); frozen, they are left out of those rounds.
    Only in the program itself (``run``): a caller of ``main`` goes on living after it.
    """
    if _whole_process:
        import gc

        gc.freeze()


def _report(error: StoryboardError) -> None:
    from storyboard.errors import StoryError

    problems = error.problems if isinstance(error, StoryError) else [error]
    for problem in problems:
        echo(str(problem), err=True, label=f"{error.label}: ", colour="red")


def _leave_now_if_threads_would_hold(status: int) -> None:
    """Exit at once when worker threads still wait on a slow server after Ctrl-C.

    Python waits for every worker at exit, which can be a whole request timeout;
    whatever those workers would still bring is not saved anyway, and all that was
    finished is saved already.
    """
    import threading

    main_thread = threading.main_thread()
    if any(t is not main_thread and not t.daemon and t.is_alive() for t in threading.enumerate()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


class StoryboardGroup(click.Group):
    """The root command: a command returns its exit status; an error becomes one line.

    Only here are errors caught: a ``StoryboardError`` is printed (each problem of a
    story on its own line) and exits with its class's code; an ``OSError`` that reached
    this far is the filesystem refusing a write; Ctrl-C exits with 130, after the
    workflow saved what it finished. ``--debug`` shows the traceback instead.
    """

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; exit with the status it returned or its error's status."""
        from storyboard.errors import InterruptError, StoryboardError, WriteError

        _commands_run.append(ctx.info_name or "")
        try:
            status = super().invoke(ctx)
        except KeyboardInterrupt:
            if ctx.params.get("debug"):
                raise
            stopped = InterruptError()
            _report(stopped)
            _leave_now_if_threads_would_hold(stopped.exit_code)
            ctx.exit(stopped.exit_code)
        except InterruptError as error:
            _report(error)
            _leave_now_if_threads_would_hold(error.exit_code)
            ctx.exit(error.exit_code)
        except StoryboardError as error:
            if ctx.params.get("debug"):
                raise
            _report(error)
            ctx.exit(error.exit_code)
        except OSError as exc:
            if ctx.params.get("debug"):
                raise
            failure = WriteError.from_os_error(exc)
            _report(failure)
            ctx.exit(failure.exit_code)
        if isinstance(status, int):
            ctx.exit(status)
        return status


def show(outcome: Outcome) -> int:
    """Print a command's result (output to stdout, notes to stderr); return its exit status."""
    for line in outcome.lines:
        echo(line)
    for note in outcome.notes:
        label = f"{note.kind}: " if note.kind else ""
        echo(note.text, err=True, label=label, colour=_NOTE_COLOURS.get(note.kind))
    return outcome.exit_code


#: ``--providers``: also read by commands that only need the registry (render, serve).
providers_option = click.option(
    "--providers",
    "providers_files",
    multiple=True,
    type=_LocalPath(exists=True, dir_okay=False),
    envvar="STORYBOARD_PROVIDERS",
    help="An extra provider registry in oembed.com's providers.json format; "
    "its entries win over the built-in ones (and say which hosts may serve players). "
    "Repeatable.",
)

theme_option = click.option(
    "--theme",
    "theme_dir",
    type=_LocalPath(exists=True, file_okay=False),
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


def _network(kwargs: dict[str, Any]) -> NetworkOptions:
    """Build the network options from the ``network_options`` flags."""
    from storyboard.commands.network import NetworkOptions
    from storyboard.errors import UsageError
    from storyboard.fetch.pool import PoolSettings
    from storyboard.net import FetchSettings
    from storyboard.net.host_map import host_map_from_environment

    try:
        host_map = host_map_from_environment()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return NetworkOptions(
        providers_files=tuple(kwargs["providers_files"]),
        http=FetchSettings(
            timeout=kwargs["timeout"],
            connect_timeout=min(5.0, kwargs["timeout"]),
            allow_private_network=kwargs["allow_private_network"],
            host_map=host_map,
        ),
        pool=PoolSettings(concurrency=kwargs["concurrency"], per_host=kwargs["per_host"]),
    )


def run_clock() -> Clock:
    """Return the clock stamps come from: the system's, unless the caller of ``main`` gave one.

    A program (or a test) running the CLI in-process passes a ``Clock`` as click's ``obj``.
    """
    from storyboard.clock import utc_now

    given = click.get_current_context().find_root().obj
    return given if callable(given) else utc_now


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def _pick(kwargs: dict[str, Any], fields_of: Any) -> dict[str, Any]:
    """Return the options that are fields of the dataclass ``fields_of``."""
    import dataclasses

    return {f.name: kwargs[f.name] for f in dataclasses.fields(fields_of) if f.name in kwargs}


def _embed_mode(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> EmbedMode | None:
    return EmbedMode(value) if value else None


story_argument = click.argument("story_path", metavar="STORY.yaml", type=_LocalPath(dir_okay=False))
embed_option = click.option(
    "--embed",
    type=click.Choice([mode.value for mode in EmbedMode]),
    callback=_embed_mode,
    help="How posts are shown [default: the story's options.embed, else static].",
)
output_option = click.option(
    "-o",
    "--output",
    "output_dir",
    type=_LocalPath(file_okay=False),
    help="Output folder [default: site/<story name>/].",
)
lang_option = click.option(
    "--lang", default="en", show_default=True, help="Page language (en, fi, sv)."
)


@click.group(cls=StoryboardGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="storyboard")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
def main(debug: bool) -> None:
    """Turn a curated list of social-media URLs into a durable story page."""


@main.command()
@story_argument
@click.option("--links", is_flag=True, help="Also check every URL at its source now.")
@click.option("--update", is_flag=True, help="With --links: save what was found.")
@network_options
def check(story_path: Path, links: bool, update: bool, **kwargs: Any) -> int:
    """Validate STORY.yaml without touching the network (unless --links)."""
    from storyboard.commands.check import check as run

    feedback = _progress(saving=update)
    network = _network(kwargs)
    return show(run(story_path, network, feedback, links=links, update=update, clock=run_clock()))


@main.command()
@story_argument
@click.option("--refresh", is_flag=True, help="Fetch every URL again, not only new ones.")
@network_options
def fetch(story_path: Path, refresh: bool, **kwargs: Any) -> int:
    """Resolve the story's URLs into its snapshot file."""
    from storyboard.commands.fetch import fetch as run

    _commands_run.append("fetch")
    network = _network(kwargs)
    return show(run(story_path, network, _progress(), refresh=refresh, clock=run_clock()))


@main.command()
@story_argument
@output_option
@click.option(
    "--format",
    "output_format",
    default="page",
    show_default=True,
    type=click.Choice(["page", "fragment", "markdown", "json"]),
    help="page: index.html; fragment: embed.html to paste into a blog; story.md; story.json.",
)
@embed_option
@click.option("--offline", is_flag=True, help="Never touch the network; render from snapshots.")
@theme_option
@click.option(
    "--assets",
    type=click.Choice(["copy", "inline", "url"]),
    help="copy media into assets/ (default for a page), inline them as data: URIs "
    "(default for a fragment), or link to --asset-url.",
)
@click.option("--asset-url", help="Base URL where you will upload the assets/ folder.")
@click.option(
    "--for",
    "blog",
    type=click.Choice(["wordpress"]),
    help="A fragment that survives the blog's post filters (inline styles, no script; "
    "needs --asset-url).",
)
@click.option(
    "--base-url",
    help="Where the page will be published: absolute links for sharing and oEmbed discovery.",
)
@network_options
def render(story_path: Path, **kwargs: Any) -> int:
    """Build the story page (fetching URLs that have no snapshot yet, unless --offline)."""
    from storyboard.commands.render import RenderRequest
    from storyboard.commands.render import render as run

    _settled()
    request = RenderRequest(**_pick(kwargs, RenderRequest))
    return show(run(story_path, request, _network(kwargs), _progress(), clock=run_clock()))


@main.group(cls=click.Group)
def providers() -> None:
    """Inspect the provider registry, or update its copy of oembed.com's."""


@providers.command("list")
@providers_option
def providers_list(providers_files: tuple[Path, ...]) -> int:
    """List the providers storyboard knows, with their URL schemes."""
    from storyboard.commands.providers import list_providers

    return show(list_providers(providers_files))


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
def providers_update(url: str | None, allow_private_network: bool) -> int:
    """Download oembed.com's current provider registry; later commands use it."""
    from storyboard.commands.providers import update_registry
    from storyboard.net import FetchSettings

    settings = FetchSettings(allow_private_network=allow_private_network)
    return show(update_registry(url, settings) if url else update_registry(settings=settings))


@main.command()
@click.argument("story_path", metavar="STORY.yaml", type=_LocalPath(exists=True, dir_okay=False))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@output_option
@embed_option
@theme_option
@providers_option
def serve(story_path: Path, **kwargs: Any) -> None:
    """Preview the page on this machine; it renders again when the story changes.

    Never fetches (like render --offline): run storyboard fetch for new URLs.
    """
    import signal

    from storyboard.preview.server import PreviewServer, PreviewSettings

    settings = PreviewSettings.for_story(story_path, **kwargs)
    server = PreviewServer(settings, report=lambda message: echo(message, err=True))
    # Ctrl-C and a plain kill both stop cleanly, even where the shell ignored SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    echo(f"Serving {server.url} (Ctrl-C to stop)")
    server.serve_until_interrupted()
    echo("Stopped.", err=True)


@main.command()
@click.argument("story_path", metavar="STORY.yaml", type=_LocalPath(exists=True, dir_okay=False))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option("--no-open", is_flag=True, help="Print the editor's address; do not open it.")
@output_option
@theme_option
@network_options
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
    from storyboard.editor.run import edit_story

    edit_story(
        story_path,
        network=_network(kwargs),
        port=port,
        output_dir=output_dir,
        theme_dir=theme_dir.resolve() if theme_dir else None,
        open_browser=not no_open,
        say=echo,
        report=lambda line: echo(line, err=True),
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
    type=_LocalPath(exists=True, dir_okay=False),
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
def collect(story_path: Path, yes: bool, dry_run: bool, heading: str | None, **kwargs: Any) -> int:
    """Add the posts of a hashtag (Mastodon, Bluesky) or a URL list to STORY.yaml.

    Posts come oldest first; URLs already in the story are skipped; only public posts
    are collected. Their snapshots are seeded from the API, so the story renders at once.
    """
    from storyboard.collect import CollectSource
    from storyboard.commands.collect import Window, add_posts, find_posts

    network, source = _network(kwargs), CollectSource(**_pick(kwargs, CollectSource))
    window = Window(_day(kwargs["since"]), _day(kwargs["until"]), kwargs["limit"])
    found = find_posts(story_path, source, window, network, _progress(), dry_run=dry_run)
    show(found)
    if not found.posts or dry_run:
        return found.exit_code
    if not yes and not click.confirm(
        f"Add {found.count} to {story_path}?", default=False, err=True
    ):
        echo("Nothing written.", err=True)
        return 0
    return show(add_posts(story_path, found, network, heading=heading, clock=run_clock()))


@main.command()
@story_argument
@click.option(
    "--url", "page_url", help="The address of the published story page, for the messages."
)
def quoted(story_path: Path, page_url: str | None) -> int:
    """List the people the story quotes, by network, with messages to tell them.

    Reads the story and its snapshots only; posting the messages is up to you.
    """
    from storyboard.commands.quoted import quoted as run

    return show(run(story_path, _progress(), page_url=page_url))


@main.command()
@story_argument
@click.option("--title", help="The story's title [default: from the file name].")
@lang_option
@click.option(
    "--date",
    "story_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day the story tells about, YYYY-MM-DD [default: today].",
)
def new(story_path: Path, title: str | None, lang: str, story_date: dt.datetime | None) -> int:
    """Write a commented skeleton STORY.yaml (never overwrites a file)."""
    from storyboard.commands.new import new as run

    date, clock = _day(story_date), run_clock()
    return show(run(story_path, title=title, lang=lang, date=date, clock=clock))


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
def add(story_path: Path, urls: tuple[str, ...], **kwargs: Any) -> int:
    """Add URLs to STORY.yaml, leaving every other line of the file as it is."""
    from storyboard.commands.add import add as run

    options = {name: kwargs[name] for name in ("note", "after", "heading", "fetch_now")}
    network, feedback = _network(kwargs), _progress()
    return show(run(story_path, list(urls), network, feedback, clock=run_clock(), **options))


@main.command("mv")
@click.argument("old", metavar="OLD.yaml", type=_LocalPath())
@click.argument("new", metavar="NEW.yaml", type=_LocalPath())
def move(old: Path, new: Path) -> int:
    """Move a story with its snapshot file and assets folder (NEW may be a folder).

    Never overwrites. If OLD.yaml was already moved to NEW.yaml by hand, brings its
    snapshots and assets along.
    """
    from storyboard.commands.move import move_story

    return show(move_story(old, new))


@main.group("import", cls=click.Group)
def import_() -> None:
    """Import a story from another tool's export."""


@import_.command("storify")
@click.argument("export_path", metavar="EXPORT", type=_LocalPath(dir_okay=False))
@click.option(
    "-o",
    "--output",
    "story_path",
    type=_LocalPath(dir_okay=False),
    help="The story file to write [default: <export name>.yaml here]; never overwritten.",
)
@click.option(
    "--lang",
    default=None,
    help="Page language (en, fi, sv) [default: guessed from the story's and posts' words].",
)
def import_storify(export_path: Path, story_path: Path | None, lang: str | None) -> int:
    """Turn a Storify export (JSON, JSONP, XML or HTML) into a story that renders offline."""
    from storyboard.commands.import_storify import import_storify as run

    return show(run(export_path, story_path, lang=lang, clock=run_clock()))


def run() -> None:
    """The ``storyboard`` program: ``main``, and an exit without teardown where nothing is open.

    ``--help``, ``--version`` and a mistyped option end in click's parsing, before any
    command opened a file or started a thread, and the commands of ``_NOTHING_LEFT_OPEN``
    close what they opened before they return: there is nothing left to close, and
    Python's teardown of the modules (a sixth of a ``--help``) is skipped. The output is flushed
    first; if that fails (a closed pipe), the exit takes Python's usual way.
    """
    global _whole_process  # noqa: PLW0603 (one flag for the one program a process runs)
    _whole_process = True
    try:
        main()
    except SystemExit as done:
        status = done.code
        finished_cleanly = not _commands_run or _NOTHING_LEFT_OPEN.intersection(_commands_run)
        if not finished_cleanly or not (status is None or isinstance(status, int)):
            raise
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:
            raise done from None
        os._exit(status or 0)
