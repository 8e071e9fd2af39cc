"""The command line's grammar on the standard library's argparse, built only where it is used.

A command is declared where its body is (``Group.command``, with its ``Arg``s); the
parsers are built while the words are read, one for each level on the way to the chosen
command: ``storyboard --help`` builds one, ``storyboard render ...`` two, and none of
the other commands' options. A usage error is one line on stderr and exit status 2,
suggesting the nearest command or option for a mistyped one (Python 3.11's argparse
does not). An option can fall back to an environment variable, and the value checks
(``path``, ``IntRange``, ``FloatRange``, ``day``) say what is wrong with the value
given, naming it.

``storyboard --help`` loads this module, argparse and little else: not ``typing``
(``TYPE_CHECKING`` is the name mypy knows), nor ``shutil`` for the terminal's width.
"""

from __future__ import annotations

import argparse
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Sequence
    from pathlib import Path
    from typing import Any, NoReturn, TypeVar

    #: A command's body: the parsed options in, the exit status out (None is 0).
    Body = Callable[[argparse.Namespace], int | None]
    B = TypeVar("B", bound=Body)

#: How an environment variable switches a flag (click's words, kept for the variables
#: people already set).
_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


class Arg:
    """One option or argument: ``add_argument``'s words, and where an unset value comes from."""

    __slots__ = ("default", "env", "names", "options")

    def __init__(
        self, names: tuple[str, ...], options: dict[str, Any], env: str | None, default: Any
    ) -> None:
        self.names = names
        self.options = options
        #: An environment variable read when the option is not given (empty counts as unset).
        self.env = env
        #: The value when neither the option nor ``env`` gives one.
        self.default = default

    @property
    def dest(self) -> str:
        """The name the value is kept under, as argparse derives it."""
        if "dest" in self.options:
            return str(self.options["dest"])
        long = next((name for name in self.names if name.startswith("--")), self.names[0])
        return long.lstrip("-").replace("-", "_")

    @property
    def variadic(self) -> bool:
        """True for an argument that takes any number of words (``URL...``)."""
        return self.options.get("nargs") in ("+", "*")


def arg(*names: str, env: str | None = None, show_default: bool = False, **options: Any) -> Arg:
    """Declare an option or argument; ``show_default`` ends its help with the default."""
    default = options.pop("default", () if options.get("action") == "append" else None)
    if options.get("action") == "store_true" and default is None:
        default = False
    shown = [f"default: {default}"] if show_default else []
    shown += [options["type"].bounds] if hasattr(options.get("type"), "bounds") else []
    if shown and "help" in options:
        options["help"] += f" [{'; '.join(shown)}]"
    return Arg(names, options, env, default)


def flag(*names: str, help: str, env: str | None = None) -> Arg:
    """Declare an on/off option."""
    return arg(*names, action="store_true", help=help, env=env)


class _Layout(argparse.HelpFormatter):
    """argparse's help, but each paragraph of a description wrapped on its own.

    (The default joins them into one.) A paragraph under a heading (``commands:``)
    keeps its lines, each wrapped under its own text.
    """

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_columns() - 2)  # argparse's own margin

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import re
        import textwrap

        paragraphs = []
        for paragraph in re.split(r"\n\s*\n", text.strip("\n")):
            heading, *lines = paragraph.splitlines()
            if heading.endswith(":") and not heading.startswith(" "):
                paragraphs.append("\n".join([heading, *(_hanging(line, width) for line in lines)]))
            else:
                words = " ".join(paragraph.split())
                paragraphs.append(
                    textwrap.fill(words, width, initial_indent=indent, subsequent_indent=indent)
                )
        return "\n\n".join(paragraphs)


def _columns() -> int:
    """The terminal's width, as ``shutil.get_terminal_size`` finds it, without loading shutil.

    (shutil loads the compression modules, a tenth of a ``--help``.)
    """
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _hanging(line: str, width: int) -> str:
    """Wrap ``line`` ("  name   text") with its next lines starting under the text."""
    import textwrap

    text = line.split(maxsplit=1)[1]
    return textwrap.fill(line, width, subsequent_indent=" " * (len(line) - len(text)))


class Parser(argparse.ArgumentParser):
    """An argparse parser whose usage errors are one line naming the command, and exit 2."""

    def __init__(self, prog: str, description: str, specs: Sequence[Arg], epilog: str = "") -> None:
        super().__init__(
            prog=prog,
            description=description,
            epilog=epilog or None,
            formatter_class=_Layout,
            add_help=False,
            allow_abbrev=False,  # click took no abbreviations: a shortened option stays an error
        )
        self.specs = tuple(specs)
        self.add_argument("-h", "--help", action="help", help="Show this message and exit.")
        for spec in specs:
            options = dict(spec.options)
            if spec.env or spec.default is not None:
                options["default"] = None  # unset: the environment's value or the default
            self.add_argument(*spec.names, **options)
        #: What a mistyped option is compared with.
        self.option_names = ["--help", *(n for spec in specs for n in spec.names if n[0] == "-")]

    def error(self, message: str) -> NoReturn:
        """Print the problem as one line (no usage block) and exit with status 2."""
        from storyboard.cli.output import echo

        echo(f"{self.prog}: {message}", err=True, label="error: ", colour="red")
        self.exit(2)

    def read(self, words: list[str], namespace: argparse.Namespace) -> None:
        """Parse ``words`` into ``namespace``; anything not understood is a usage error."""
        # Positional words may come between options (``add S.yaml URL --note N URL``) as in
        # every shell tool; Python 3.11's intermixed parse refuses a "--" before them, and
        # after a "--" every word is an argument anyway, so the plain parse reads those.
        intermixed = any(spec.variadic for spec in self.specs) and "--" not in words
        parse = self.parse_known_intermixed_args if intermixed else self.parse_known_args
        _, extra = parse(words, namespace)
        if extra:
            self.error(self.unexpected(extra))
        for spec in self.specs:
            if (spec.env or spec.default is not None) and getattr(namespace, spec.dest) is None:
                setattr(namespace, spec.dest, self.unset_value(spec))

    def unexpected(self, extra: list[str]) -> str:
        """Say what was not understood, with the nearest option for a mistyped one."""
        unknown = next((word for word in extra if word.startswith("-") and word != "-"), None)
        if unknown is None:
            return f"unexpected extra argument{'s' * (len(extra) > 1)}: {' '.join(extra)}"
        return f"no such option {unknown!r}" + suggestion(unknown.split("=")[0], self.option_names)

    def unset_value(self, spec: Arg) -> Any:
        """Return the value of an option not given: its environment variable's, or its default."""
        raw = os.environ.get(spec.env) if spec.env else None
        if not raw:
            return spec.default
        try:
            return _from_environment(spec, raw)
        except argparse.ArgumentTypeError as problem:
            self.error(f"argument {'/'.join(spec.names)} (from {spec.env}): {problem}")


def _from_environment(spec: Arg, raw: str) -> Any:
    if spec.options.get("action") == "store_true":
        word = raw.strip().lower()
        if word not in _TRUE | _FALSE:
            raise argparse.ArgumentTypeError(f"{raw!r} is not a valid boolean")
        return word in _TRUE
    convert = spec.options.get("type", str)
    if spec.options.get("action") == "append":  # a list of paths, as PATH lists them
        return [convert(part) for part in raw.split(os.pathsep) if part]
    return convert(raw)


def suggestion(word: str, known: Sequence[str]) -> str:
    """Return "; did you mean 'X'?" for the known word nearest to ``word``, else ""."""
    import difflib

    nearest = difflib.get_close_matches(word, known, n=1)
    return f"; did you mean {nearest[0]!r}?" if nearest else ""


class Command:
    """A command that runs: its options and its body (whose docstring is its help)."""

    __slots__ = ("body", "name", "specs")

    def __init__(self, name: str, body: Body, specs: tuple[Arg, ...]) -> None:
        self.name, self.body, self.specs = name, body, specs


class Group:
    """A command made of commands (``storyboard``, ``storyboard providers``)."""

    def __init__(self, description: str, *specs: Arg) -> None:
        self.description = description
        self.specs = specs
        self.commands: dict[str, Command | Group] = {}

    def command(self, *specs: Arg, name: str = "") -> Callable[[B], B]:
        """Register the decorated function as the command ``name`` (default: its own name)."""

        def register(body: B) -> B:
            command_name = name or body.__name__
            self.commands[command_name] = Command(command_name, body, specs)
            return body

        return register

    def group(self, name: str, description: str) -> Group:
        """Add a group of commands under ``name``."""
        group = Group(description)
        self.commands[name] = group
        return group

    def parser(self, prog: str) -> Parser:
        """Build this level's parser: its own options, then a command and that command's words."""
        listing = "\n".join(
            f"  {name:{max(map(len, self.commands))}}  {_summary(command)}"
            for name, command in sorted(self.commands.items())
        )
        parser = Parser(prog, self.description, self.specs, epilog=f"commands:\n{listing}")
        parser.usage = f"{prog} [OPTIONS] COMMAND [ARGS]..."
        # One argument for the command and its words: a separate optional COMMAND would
        # also swallow a "--" after it, which belongs to the command.
        parser.add_argument("command_words", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
        return parser


def _summary(command: Command | Group) -> str:
    """The first paragraph of a command's help, for the list of commands."""
    text = command.description if isinstance(command, Group) else command.body.__doc__ or ""
    return " ".join(text.split("\n\n")[0].split())


class Invocation:
    """The command the words name, and its options (with the groups' on the way)."""

    __slots__ = ("args", "command")

    def __init__(self, command: Command, args: argparse.Namespace) -> None:
        self.command, self.args = command, args


def parse(root: Group, words: Sequence[str], prog: str) -> Invocation:
    """Read the command line; raise SystemExit once help, the version or a usage error is out.

    A group named without a command prints its help on stderr and exits with status 2.
    """
    namespace = argparse.Namespace()
    node: Command | Group = root
    rest = list(words)
    while isinstance(node, Group):
        parser = node.parser(prog)
        parser.read(rest, namespace)
        name, *rest = namespace.command_words or [None]
        del namespace.command_words
        if name is None:
            parser.print_help(sys.stderr)
            parser.exit(2)
        if name not in node.commands:
            parser.error(f"no such command {name!r}" + suggestion(name, list(node.commands)))
        node, prog = node.commands[name], f"{prog} {name}"
    Parser(prog, node.body.__doc__ or "", node.specs).read(rest, namespace)
    return Invocation(node, namespace)


def path(
    *, exists: bool = False, file_okay: bool = True, dir_okay: bool = True
) -> Callable[[str], Path]:
    """Return a check that turns a word into a ``Path``, refusing what the option cannot take.

    As click's ``Path`` did: a path that is there must be of the right kind and
    readable; with ``exists`` it must be there.
    """
    kind = "file" if not dir_okay else "directory" if not file_okay else "path"

    def checked(word: str) -> Path:
        from pathlib import Path

        try:
            found = Path(word).stat()
        except OSError:
            if exists:
                raise argparse.ArgumentTypeError(f"{kind} {word!r} does not exist") from None
            return Path(word)
        import stat

        if not file_okay and stat.S_ISREG(found.st_mode):
            raise argparse.ArgumentTypeError(f"{kind} {word!r} is a file")
        if not dir_okay and stat.S_ISDIR(found.st_mode):
            raise argparse.ArgumentTypeError(f"{kind} {word!r} is a directory")
        if not os.access(word, os.R_OK):
            raise argparse.ArgumentTypeError(f"{kind} {word!r} is not readable")
        return Path(word)

    return checked


class IntRange:
    """A whole number from ``low`` to ``high`` (``high`` None: no upper end)."""

    def __init__(self, low: float, high: float | None = None) -> None:
        self.low, self.high = low, high
        #: Shown in the help, as click did.
        self.bounds = f"{low}<=x<={high}" if high is not None else f"x>={low}"

    def read(self, word: str) -> float:
        """Return the number ``word`` says."""
        try:
            return int(word)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{word!r} is not a valid integer") from None

    def __call__(self, word: str) -> Any:
        """Return the number, or say why it is refused."""
        value = self.read(word)
        if value < self.low or (self.high is not None and value > self.high):
            raise argparse.ArgumentTypeError(f"{value} is not in the range {self.bounds}")
        return value


class FloatRange(IntRange):
    """A number from ``low`` to ``high``."""

    def read(self, word: str) -> float:
        try:
            return float(word)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{word!r} is not a valid float") from None


def day(word: str) -> dt.date:
    """Read a day written YYYY-MM-DD."""
    import datetime as dt

    try:
        return dt.datetime.strptime(word, "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{word!r} is not a day (YYYY-MM-DD)") from None
