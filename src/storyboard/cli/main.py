"""The ``storyboard`` command: parse options, call one ``commands`` function, print its result.

Errors are turned into one line and an exit status in one place, ``_execute``.

``storyboard --help`` is answered from argparse and the ``cli`` modules alone:
everything else (the error classes, the output and progress helpers, pathlib, the
commands) is imported by the command that uses it, and only the parsers on the way to
the command named are built (``cli.parsing``). ``tests/test_import_graph.py`` holds
it to that.
"""

from __future__ import annotations

import os
import sys

from storyboard import __version__
from storyboard.cli.parsing import (
    Arg,
    FloatRange,
    Group,
    IntRange,
    Invocation,
    arg,
    day,
    flag,
    parse,
    path,
)
from storyboard.model.embed_mode import EmbedMode  # not model.story: --help skips pydantic

TYPE_CHECKING = False  # typing itself is not loaded for --help
if TYPE_CHECKING:
    from argparse import Namespace
    from collections.abc import Sequence
    from typing import Any, NoReturn

    from storyboard.cli.progress import FetchProgress
    from storyboard.clock import Clock
    from storyboard.commands.feedback import Outcome
    from storyboard.commands.network import NetworkOptions
    from storyboard.errors import StoryboardError

#: Set by ``run``: this process is the program, and ends when the command does.
_whole_process = False
#: Commands that, once returned, have saved and closed all they opened (a fetch saves
#: its snapshot file, under its lock and atomically, before it returns; its workers
#: are joined or, after Ctrl-C, left by ``_leave_now_if_threads_would_hold``; a render
#: has moved its outputs into place; a check only reads, or fetches as a fetch does).
#: Python's teardown of the modules is then skipped, as after ``--help``: with pydantic's
#: and Jinja's loaded, it took a fifth of a short render.
_NOTHING_LEFT_OPEN = frozenset({"fetch", "render", "check"})

#: How each kind of note is shown on stderr.
_NOTE_COLOURS = {"error": "red", "warning": "yellow", "note": "yellow", "unresolved": "yellow"}


def echo(text: str, *, err: bool = False, label: str = "", colour: str | None = None) -> None:
    """Print through ``cli.output.echo`` (control characters removed), loaded when used."""
    from storyboard.cli.output import echo as print_line

    print_line(text, err=err, label=label, colour=colour)


def _progress(*, saving: bool = True) -> FetchProgress:
    from storyboard.cli.progress import FetchProgress

    return FetchProgress(saving=saving)


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


def _execute(invocation: Invocation, clock: Clock | None) -> int:
    """Run the command; return the status it returned or its error's status.

    Only here are errors caught: a ``StoryboardError`` is printed (each problem of a
    story on its own line) and exits with its class's code; an ``OSError`` that reached
    this far is the filesystem refusing a write; Ctrl-C exits with 130, after the
    workflow saved what it finished. ``--debug`` shows the traceback instead.
    """
    from storyboard.cli.output import Aborted
    from storyboard.errors import InterruptError, StoryboardError, WriteError

    args = invocation.args
    args.clock = clock
    try:
        return invocation.command.body(args) or 0
    except KeyboardInterrupt:
        if args.debug:
            raise
        stopped = InterruptError()
        _report(stopped)
        _leave_now_if_threads_would_hold(stopped.exit_code)
        return stopped.exit_code
    except InterruptError as error:
        _report(error)
        _leave_now_if_threads_would_hold(error.exit_code)
        return error.exit_code
    except StoryboardError as error:
        if args.debug:
            raise
        _report(error)
        return error.exit_code
    except Aborted:
        echo("Aborted!", err=True)
        return 1
    except OSError as exc:
        if args.debug:
            raise
        failure = WriteError.from_os_error(exc)
        _report(failure)
        return failure.exit_code


def show(outcome: Outcome) -> int:
    """Print a command's result (output to stdout, notes to stderr); return its exit status."""
    for line in outcome.lines:
        echo(line)
    for note in outcome.notes:
        label = f"{note.kind}: " if note.kind else ""
        echo(note.text, err=True, label=label, colour=_NOTE_COLOURS.get(note.kind))
    return outcome.exit_code


#: ``--providers``: also read by commands that only need the registry (render, serve).
providers_option = arg(
    "--providers",
    dest="providers_files",
    action="append",
    type=path(exists=True, dir_okay=False),
    metavar="FILE",
    env="STORYBOARD_PROVIDERS",
    help="An extra provider registry in oembed.com's providers.json format; "
    "its entries win over the built-in ones (and say which hosts may serve players). "
    "Repeatable.",
)

theme_option = arg(
    "--theme",
    dest="theme_dir",
    type=path(exists=True, file_okay=False),
    metavar="DIR",
    help="A folder of templates searched before the built-in theme.",
)


def _at_once(name: str, default: int, help_text: str) -> Arg:
    """An option saying how many requests may run at the same time."""
    return arg(
        name, type=IntRange(1, 64), default=default, show_default=True, metavar="N", help=help_text
    )


#: The options shared by every command that touches the network.
network_options = (
    providers_option,
    flag(
        "--allow-private-network",
        env="STORYBOARD_ALLOW_PRIVATE_NETWORK",
        help="Let URLs resolve to loopback or private addresses (off by default).",
    ),
    _at_once("--concurrency", 8, "How many requests run at once."),
    _at_once(
        "--per-host",
        2,
        "How many requests run at once against one server, so none is hammered.",
    ),
    arg(
        "--timeout",
        type=FloatRange(0.1, 600),
        default=15.0,
        show_default=True,
        metavar="SECONDS",
        help="Total seconds allowed for one request.",
    ),
)


def _network(args: Namespace) -> NetworkOptions:
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
        providers_files=tuple(args.providers_files),
        http=FetchSettings(
            timeout=args.timeout,
            connect_timeout=min(5.0, args.timeout),
            allow_private_network=args.allow_private_network,
            host_map=host_map,
        ),
        pool=PoolSettings(concurrency=args.concurrency, per_host=args.per_host),
    )


def run_clock(args: Namespace) -> Clock:
    """Return the clock stamps come from: the system's, unless the caller of ``main`` gave one."""
    from storyboard.clock import utc_now

    given: Clock | None = args.clock
    return given or utc_now


def _pick(args: Namespace, fields_of: Any) -> dict[str, Any]:
    """Return the options that are fields of the dataclass ``fields_of``."""
    import dataclasses

    given = vars(args)
    return {f.name: given[f.name] for f in dataclasses.fields(fields_of) if f.name in given}


def _embed_mode(word: str) -> EmbedMode:
    from argparse import ArgumentTypeError

    try:
        return EmbedMode(word)
    except ValueError:
        choices = ", ".join(repr(mode.value) for mode in EmbedMode)
        raise ArgumentTypeError(f"invalid choice: {word!r} (choose from {choices})") from None


story_argument = arg("story_path", metavar="STORY.yaml", type=path(dir_okay=False))
existing_story_argument = arg(
    "story_path", metavar="STORY.yaml", type=path(exists=True, dir_okay=False)
)
embed_option = arg(
    "--embed",
    type=_embed_mode,
    metavar="{" + ",".join(EmbedMode) + "}",
    help="How posts are shown [default: the story's options.embed, else static].",
)
output_option = arg(
    "-o",
    "--output",
    dest="output_dir",
    type=path(file_okay=False),
    metavar="DIR",
    help="Output folder [default: site/<story name>/].",
)
lang_option = arg(
    "--lang", default="en", show_default=True, metavar="L", help="Page language (en, fi, sv)."
)

main_group = Group(
    "Turn a curated list of social-media URLs into a durable story page.",
    arg(
        "--version",
        action="version",
        version=f"storyboard, version {__version__}",
        help="Show the version and exit.",
    ),
    flag("--debug", help="Show tracebacks instead of one-line errors."),
)


@main_group.command(
    story_argument,
    flag("--links", help="Also check every URL at its source now."),
    flag("--update", help="With --links: save what was found."),
    *network_options,
)
def check(args: Namespace) -> int:
    """Validate STORY.yaml without touching the network (unless --links)."""
    from storyboard.commands.check import check as run

    feedback = _progress(saving=args.update)
    network, clock = _network(args), run_clock(args)
    return show(
        run(args.story_path, network, feedback, links=args.links, update=args.update, clock=clock)
    )


@main_group.command(
    story_argument,
    flag("--refresh", help="Fetch every URL again, not only new ones."),
    *network_options,
)
def fetch(args: Namespace) -> int:
    """Resolve the story's URLs into its snapshot file."""
    from storyboard.commands.fetch import fetch as run

    network, clock = _network(args), run_clock(args)
    return show(run(args.story_path, network, _progress(), refresh=args.refresh, clock=clock))


@main_group.command(
    story_argument,
    output_option,
    arg(
        "--format",
        dest="output_format",
        default="page",
        show_default=True,
        choices=["page", "fragment", "markdown", "json"],
        help="page: index.html; fragment: embed.html to paste into a blog; story.md; story.json.",
    ),
    embed_option,
    flag("--offline", help="Never touch the network; render from snapshots."),
    theme_option,
    arg(
        "--assets",
        choices=["copy", "inline", "url"],
        help="copy media into assets/ (default for a page), inline them as data: URIs "
        "(default for a fragment), or link to --asset-url.",
    ),
    arg("--asset-url", metavar="URL", help="Base URL where you will upload the assets/ folder."),
    arg(
        "--for",
        dest="blog",
        choices=["wordpress"],
        help="A fragment that survives the blog's post filters (inline styles, no script; "
        "needs --asset-url).",
    ),
    arg(
        "--base-url",
        metavar="URL",
        help="Where the page will be published: absolute links for sharing and oEmbed discovery.",
    ),
    *network_options,
)
def render(args: Namespace) -> int:
    """Build the story page (fetching URLs that have no snapshot yet, unless --offline)."""
    from storyboard.commands.render import RenderRequest
    from storyboard.commands.render import render as run

    _settled()
    request, clock = RenderRequest(**_pick(args, RenderRequest)), run_clock(args)
    return show(run(args.story_path, request, _network(args), _progress(), clock=clock))


providers = main_group.group(
    "providers", "Inspect the provider registry, or update its copy of oembed.com's."
)


@providers.command(providers_option, name="list")
def providers_list(args: Namespace) -> int:
    """List the providers storyboard knows, with their URL schemes."""
    from storyboard.commands.providers import list_providers

    return show(list_providers(tuple(args.providers_files)))


@providers.command(
    arg(
        "--url",
        help="Where to download the registry from, in oembed.com's providers.json format "
        "[default: https://oembed.com/providers.json].",
    ),
    flag(
        "--allow-private-network",
        env="STORYBOARD_ALLOW_PRIVATE_NETWORK",
        help="Let the URL resolve to loopback or private addresses (off by default).",
    ),
    name="update",
)
def providers_update(args: Namespace) -> int:
    """Download oembed.com's current provider registry; later commands use it."""
    from storyboard.commands.providers import update_registry
    from storyboard.net import FetchSettings

    settings = FetchSettings(allow_private_network=args.allow_private_network)
    url = args.url
    return show(update_registry(url, settings) if url else update_registry(settings=settings))


def _port(default: int) -> Arg:
    return arg(
        "--port",
        type=IntRange(0, 65535),
        default=default,
        show_default=True,
        metavar="N",
        help="Port on 127.0.0.1 (0 picks a free one).",
    )


@main_group.command(
    existing_story_argument,
    _port(8000),
    output_option,
    embed_option,
    theme_option,
    providers_option,
)
def serve(args: Namespace) -> None:
    """Preview the page on this machine; it renders again when the story changes.

    Never fetches (like render --offline): run storyboard fetch for new URLs.
    """
    import signal

    from storyboard.preview.server import PreviewServer, PreviewSettings

    options = {name: getattr(args, name) for name in ("port", "output_dir", "embed", "theme_dir")}
    settings = PreviewSettings.for_story(
        args.story_path, providers_files=tuple(args.providers_files), **options
    )
    server = PreviewServer(settings, report=lambda message: echo(message, err=True))
    # Ctrl-C and a plain kill both stop cleanly, even where the shell ignored SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    echo(f"Serving {server.url} (Ctrl-C to stop)")
    server.serve_until_interrupted()
    echo("Stopped.", err=True)


@main_group.command(
    existing_story_argument,
    _port(0),
    flag("--no-open", help="Print the editor's address; do not open it."),
    output_option,
    theme_option,
    *network_options,
)
def edit(args: Namespace) -> None:
    """Edit STORY.yaml in the browser: paste URLs, reorder, write text, publish.

    Every change is written to the file at once, in place, as storyboard add does.
    The editor listens on 127.0.0.1 only, behind a random token in its address.
    """
    from storyboard.editor.run import edit_story

    edit_story(
        args.story_path,
        network=_network(args),
        port=args.port,
        output_dir=args.output_dir,
        theme_dir=args.theme_dir.resolve() if args.theme_dir else None,
        open_browser=not args.no_open,
        say=echo,
        report=lambda line: echo(line, err=True),
    )


@main_group.command(
    story_argument,
    arg(
        "--mastodon",
        metavar="URL",
        help="Read the public hashtag timeline of this Mastodon instance (https://social.example).",
    ),
    flag("--bluesky", help="Search Bluesky's public posts (by --tag or --query)."),
    arg(
        "--from-file",
        dest="from_file",
        type=path(exists=True, dir_okay=False),
        metavar="FILE",
        help="Add the URLs listed in this file, one a line (# starts a comment).",
    ),
    arg("--tag", metavar="T", help="The hashtag to collect, with or without #."),
    arg("--query", metavar="Q", help="With --bluesky: search text (with or instead of --tag)."),
    arg("--since", type=day, metavar="DAY", help="Only posts from this day on (UTC)."),
    arg("--until", type=day, metavar="DAY", help="Only posts up to this day, inclusive (UTC)."),
    arg(
        "--limit",
        type=IntRange(1, 10_000),
        default=200,
        show_default=True,
        metavar="N",
        help="Add at most N posts: the most recent ones that match.",
    ),
    arg(
        "--heading",
        metavar="H",
        help="Add the posts under this heading (a new one at the end if none).",
    ),
    arg(
        "--bluesky-api",
        default="https://public.api.bsky.app/xrpc/",
        show_default=True,
        env="STORYBOARD_BLUESKY_API",
        metavar="URL",
        help="The Bluesky AppView's XRPC base URL.",
    ),
    flag("-y", "--yes", help="Add the posts without asking."),
    flag("--dry-run", help="Only list the posts; write nothing."),
    *network_options,
)
def collect(args: Namespace) -> int:
    """Add the posts of a hashtag (Mastodon, Bluesky) or a URL list to STORY.yaml.

    Posts come oldest first; URLs already in the story are skipped; only public posts
    are collected. Their snapshots are seeded from the API, so the story renders at once.
    """
    from storyboard.cli.output import confirm
    from storyboard.collect import CollectSource
    from storyboard.commands.collect import Window, add_posts, find_posts

    story = args.story_path
    network, source = _network(args), CollectSource(**_pick(args, CollectSource))
    window = Window(args.since, args.until, args.limit)
    found = find_posts(story, source, window, network, _progress(), dry_run=args.dry_run)
    show(found)
    if not found.posts or args.dry_run:
        return found.exit_code
    if not args.yes and not confirm(f"Add {found.count} to {story}?"):
        echo("Nothing written.", err=True)
        return 0
    return show(add_posts(story, found, network, heading=args.heading, clock=run_clock(args)))


@main_group.command(
    story_argument,
    arg(
        "--url",
        dest="page_url",
        metavar="PAGE",
        help="The address of the published story page, for the messages.",
    ),
)
def quoted(args: Namespace) -> int:
    """List the people the story quotes, by network, with messages to tell them.

    Reads the story and its snapshots only; posting the messages is up to you.
    """
    from storyboard.commands.quoted import quoted as run

    return show(run(args.story_path, _progress(), page_url=args.page_url))


@main_group.command(
    story_argument,
    arg("--title", metavar="T", help="The story's title [default: from the file name]."),
    lang_option,
    arg(
        "--date",
        dest="story_date",
        type=day,
        metavar="DAY",
        help="The day the story tells about, YYYY-MM-DD [default: today].",
    ),
)
def new(args: Namespace) -> int:
    """Write a commented skeleton STORY.yaml (never overwrites a file)."""
    from storyboard.commands.new import new as run

    options = {"title": args.title, "lang": args.lang, "date": args.story_date}
    return show(run(args.story_path, clock=run_clock(args), **options))


@main_group.command(
    story_argument,
    arg("urls", metavar="URL", nargs="+"),
    arg("--note", metavar="TEXT", help="A Markdown caption shown with each new item."),
    arg(
        "--after",
        type=IntRange(0),
        metavar="N",
        help="Insert after item N (1 = the first item; 0 = before every item) "
        "[default: at the end].",
    ),
    arg(
        "--heading",
        metavar="TEXT",
        help="Add at the end of the section under this heading (a new section if none is close).",
    ),
    arg("--fetch", dest="fetch_now", action="store_true", help="Resolve the new items right away."),
    *network_options,
)
def add(args: Namespace) -> int:
    """Add URLs to STORY.yaml, leaving every other line of the file as it is."""
    from storyboard.commands.add import add as run

    options = {name: getattr(args, name) for name in ("note", "after", "heading", "fetch_now")}
    network, feedback, clock = _network(args), _progress(), run_clock(args)
    return show(run(args.story_path, args.urls, network, feedback, clock=clock, **options))


@main_group.command(
    arg("old", metavar="OLD.yaml", type=path()),
    arg("new", metavar="NEW.yaml", type=path()),
    name="mv",
)
def move(args: Namespace) -> int:
    """Move a story with its snapshot file and assets folder (NEW may be a folder).

    Never overwrites. If OLD.yaml was already moved to NEW.yaml by hand, brings its
    snapshots and assets along.
    """
    from storyboard.commands.move import move_story

    return show(move_story(args.old, args.new))


import_ = main_group.group("import", "Import a story from another tool's export.")


@import_.command(
    arg("export_path", metavar="EXPORT", type=path(dir_okay=False)),
    arg(
        "-o",
        "--output",
        dest="story_path",
        type=path(dir_okay=False),
        metavar="STORY.yaml",
        help="The story file to write [default: <export name>.yaml here]; never overwritten.",
    ),
    arg(
        "--lang",
        metavar="L",
        help="Page language (en, fi, sv) [default: guessed from the story's and posts' words].",
    ),
    name="storify",
)
def import_storify(args: Namespace) -> int:
    """Turn a Storify export (JSON, JSONP, XML or HTML) into a story that renders offline."""
    from storyboard.commands.import_storify import import_storify as run

    return show(run(args.export_path, args.story_path, lang=args.lang, clock=run_clock(args)))


def _read(words: Sequence[str] | None, prog: str) -> Invocation | int:
    """Return the command the words name, or the exit status once argparse answered itself.

    Help, the version and a usage error are printed while parsing, before any command
    opened a file or started a thread.
    """
    try:
        return parse(main_group, sys.argv[1:] if words is None else words, prog)
    except SystemExit as answered:
        return answered.code if isinstance(answered.code, int) else int(answered.code is not None)


def main(
    args: Sequence[str] | None = None, *, prog: str = "storyboard", clock: Clock | None = None
) -> int:
    """Run ``storyboard ARGS`` (default: this process's arguments); return its exit status.

    ``clock`` stamps what the command records (default: the system's); a program (or a
    test) running the CLI in-process passes its own.
    """
    invocation = _read(args, prog)
    return invocation if isinstance(invocation, int) else _execute(invocation, clock)


def run(prog: str = "storyboard") -> None:
    """The ``storyboard`` program: ``main``, and an exit without teardown where nothing is open.

    ``--help``, ``--version`` and a mistyped option end in the parsing, before any
    command opened a file or started a thread, and the commands of ``_NOTHING_LEFT_OPEN``
    close what they opened before they return: there is nothing left to close, and
    Python's teardown of the modules (a sixth of a ``--help``) is skipped. The output is flushed
    first; if that fails (a closed pipe), the exit takes Python's usual way.
    """
    global _whole_process  # noqa: PLW0603 (one flag for the one program a process runs)
    _whole_process = True
    invocation = _read(None, prog)
    if isinstance(invocation, int):
        _exit_at_once(invocation)
    status = _execute(invocation, None)
    if invocation.command.name in _NOTHING_LEFT_OPEN:
        _exit_at_once(status)
    sys.exit(status)


def _exit_at_once(status: int) -> NoReturn:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        sys.exit(status)
    os._exit(status)
