"""Templates: the theme search path, the Jinja environment and the per-item cascade."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, distribution
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    TemplatesNotFound,
    TemplateSyntaxError,
    nodes,
    pass_eval_context,
    select_autoescape,
)
from jinja2.compiler import CodeGenerator, Frame
from jinja2.nodes import EvalContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from storyboard.errors import RenderError
from storyboard.render.inlined_partials import InliningLoader
from storyboard.render.safe import escape_text, theme_file_text
from storyboard.render.views import PLAIN_VALUE_TYPES, TEMPLATE_VIEW_FIELDS

#: The prefix that always reaches a built-in template, so a theme can extend it.
BUILTIN_PREFIX = "default"
_BUILTIN_THEME = "default"


def builtin_templates_dir() -> Path:
    """Return the folder of the built-in theme: inside the installed package, else the checkout.

    A wheel carries the repository's ``templates/`` as package data
    (``storyboard/templates``, force-included by hatch). An editable install leaves
    it where it is, so the install record (``direct_url.json``) names the checkout.
    """
    packaged = files("storyboard") / "templates"
    if packaged.is_dir():
        return Path(str(packaged)) / _BUILTIN_THEME
    checkout = _editable_checkout()
    if checkout is not None and (checkout / "templates").is_dir():
        return checkout / "templates" / _BUILTIN_THEME
    raise RenderError("the built-in theme is missing from this install: reinstall storyboard")


def _editable_checkout() -> Path | None:
    """Return the source folder of an editable install of storyboard, or None."""
    try:
        record = distribution("storyboard").read_text("direct_url.json")
        direct = json.loads(record or "null")
    except (PackageNotFoundError, ValueError):
        return None
    if not isinstance(direct, dict) or not (direct.get("dir_info") or {}).get("editable"):
        return None
    url = direct.get("url")
    if not isinstance(url, str) or not url.startswith("file:"):
        return None
    return Path(unquote(urlsplit(url).path))


def theme_search_path(theme_dir: Path | None) -> list[Path]:
    """Return the folders searched for a template, first match wins."""
    builtin = builtin_templates_dir()
    return [theme_dir, builtin] if theme_dir is not None else [builtin]


class _ThemeLoader(FileSystemLoader):
    """Templates from one folder, never through a link to a file outside it.

    A theme's ``page.html`` linking to ``~/.ssh/id_rsa`` would print that file into the
    page: a template must really live in its theme folder.
    """

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        """Return the template's source, refusing one whose real file is elsewhere."""
        source, filename, uptodate = super().get_source(environment, template)
        real = Path(filename).resolve()
        if not any(real.is_relative_to(Path(root).resolve()) for root in self.searchpath):
            raise RenderError(f"{filename}: a link to a file outside the theme folder; refusing it")
        return source, filename, uptodate


#: Partials that stay templates of their own: a card's entry is the unit the preview
#: renders again (and reuses) card by card.
_OWN_TEMPLATES = frozenset({"partials/entry.html"})


class _StoryCodeGenerator(CodeGenerator):
    """Jinja's code for templates, with two shortcuts that print the same text.

    Values are escaped once, by ``escape_text`` called directly. Jinja writes
    ``{{ value }}`` as ``escape(finalize(value))``. Where autoescape is on (and cannot
    change at run time), this environment's ``finalize`` (``_finalize``) only calls
    ``escape_text``, which returns ``Markup``, and ``escape`` of ``Markup`` only copies
    it: a tenth of a long page's time, for the same text. Elsewhere (autoescape off, or
    set by a variable), Jinja's own code is written.

    An include hands its output on as one piece where it is a loop's (a card of the
    list): Jinja passes each of a card's thirty-odd pieces up through every template
    above it (the entry, the list, the page's block, the page, the base, the writer),
    one Python loop or generator step a level; joined, a card goes up once. Any other
    include delegates with ``yield from`` instead of a loop of its own, so a long
    page is still written as it is made.
    """

    def visit_Include(self, node: nodes.Include, frame: Frame) -> None:  # noqa: N802 (Jinja's name)
        # Jinja's own code where nothing is passed up: an include into a buffer (``set``,
        # a macro) outside a loop, one without context, one that may be missing.
        buffered = frame.buffer is not None and not frame.loop_frame
        if buffered or not node.with_context or node.ignore_missing or self.environment.is_async:
            super().visit_Include(node, frame)
            return
        # A name, a list of names or a template, as ``{% include %}`` takes them.
        self.writeline("template = environment.get_or_select_template(", node)
        self.visit(node.template, frame)
        self.write(f", {self.name!r})")
        self.writeline(
            "gen = template.root_render_func(template.new_context(context.get_all(), True,"
            f" {self.dump_local_context(frame)}))"
        )
        self.writeline("try:")
        self.indent()
        if frame.loop_frame:
            self.simple_write("concat(gen)", frame)
        else:
            self.writeline("yield from gen")
        self.outdent()
        self.writeline("finally: gen.close()")

    def _output_child_pre(
        self, node: nodes.Expr, frame: Frame, finalize: CodeGenerator._FinalizeInfo
    ) -> None:
        if self._escapes_in_finalize(frame, finalize):
            # What ``_finalize`` does where autoescape is on, without its call around it.
            self.write("environment.escape_text(")
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(
        self, node: nodes.Expr, frame: Frame, finalize: CodeGenerator._FinalizeInfo
    ) -> None:
        if self._escapes_in_finalize(frame, finalize):
            self.write(")")  # closes escape_text's call
        else:
            super()._output_child_post(node, frame, finalize)

    def _escapes_in_finalize(self, frame: Frame, finalize: CodeGenerator._FinalizeInfo) -> bool:
        return (
            self.environment.finalize is _finalize
            and finalize.src is not None
            and frame.eval_ctx.autoescape is True
            and not frame.eval_ctx.volatile
        )


class _StorySandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, quicker where templates read the story's view records.

    A page reads some thirty fields of every card. For a view record (a frozen dataclass
    of ``views``) and a public field holding plain data, the sandbox's checks always let
    the value through: the object is no function, frame or type, not a mutable container,
    and the value is no ``str.format``. Those reads skip the checks; anything else (a
    ``_`` name, a method, any other object) takes the sandbox's own path.

    Printed values are escaped once, by ``escape_text`` (``_StoryCodeGenerator``).
    """

    code_generator_class = _StoryCodeGenerator
    #: Called by the templates' code where ``finalize`` would escape (``_finalize``).
    escape_text = staticmethod(escape_text)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Return ``obj.attribute`` as the sandbox would, without re-checking view fields."""
        public = TEMPLATE_VIEW_FIELDS.get(type(obj))
        if public is not None and attribute in public:
            value = obj.__dict__[attribute]
            if type(value) in PLAIN_VALUE_TYPES:
                return value
        return super().getattr(obj, attribute)


def make_environment(theme_dir: Path | None = None, *, plain: bool = False) -> Environment:
    """Return the Jinja environment: ``theme_dir`` first, then the built-in theme.

    The built-in templates are also reachable as ``default:<name>``, so a theme's
    ``page.html`` can ``{% extends "default:page.html" %}`` and change one block.

    A theme is someone else's code (a story folder pulled from elsewhere, re-rendered by
    ``serve`` on every change): it runs in Jinja's immutable sandbox, which refuses
    ``__globals__``-style escapes and changing the data it is given.

    ``plain``: Jinja's own sandbox, and every include as written (no ``inlined_partials``),
    which the quicker default must render byte for byte the same (tests compare them).
    """
    if theme_dir is not None and not theme_dir.is_dir():
        raise RenderError(f"theme folder not found: {theme_dir}")
    *theme_dirs, builtin_dir = theme_search_path(theme_dir)
    themes: list[BaseLoader] = [_ThemeLoader(path) for path in theme_dirs]

    def overridden(environment: Environment, name: str) -> bool:
        # A partial the theme has stays an include, so the theme's own is rendered.
        return any(_has_template(theme, environment, name) for theme in themes)

    def built_in(loader: BaseLoader) -> BaseLoader:
        return loader if plain else InliningLoader(loader, overridden, kept=_OWN_TEMPLATES)

    loaders = [
        *themes,
        built_in(_ThemeLoader(builtin_dir)),
        PrefixLoader({BUILTIN_PREFIX: built_in(FileSystemLoader(builtin_dir))}, delimiter=":"),
    ]
    sandbox = ImmutableSandboxedEnvironment if plain else _StorySandbox
    return sandbox(
        loader=ChoiceLoader(loaders),
        # Every printed value is escaped, and made inert for blogs' template languages.
        finalize=_finalize,
        # "default:page.html" ends with .html too, so prefixed names are escaped alike.
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # One environment serves one render: a template cannot change under it, and
        # checking (a stat per include, several includes per card) cost more than the card.
        auto_reload=False,
    )


def _has_template(loader: BaseLoader, environment: Environment, name: str) -> bool:
    try:
        loader.get_source(environment, name)
    except TemplateNotFound:
        return False
    return True


@pass_eval_context
def _finalize(eval_ctx: EvalContext, value: Any) -> Any:
    # Only where autoescape is on (HTML): CSS and scripts print their values as they are.
    return escape_text(value) if eval_ctx.autoescape else value


def check_theme(theme_dir: Path) -> None:
    """Compile every template of the theme in ``theme_dir``; RenderError at the first broken one."""
    env = make_environment(theme_dir)
    for path in sorted(theme_dir.rglob("*")):
        # Scripts are static files (``raw_theme_file``), never compiled as templates.
        if path.is_file() and path.suffix in (".html", ".css"):
            name = path.relative_to(theme_dir).as_posix()
            try:
                env.get_template(name)
            except TemplateError as exc:
                raise RenderError(describe_template_error(exc, fallback=name)) from exc


def raw_theme_file(env: Environment, name: str) -> Markup:
    """Return a theme file (``storyboard.js``) as it is: static, never run as a template.

    It comes from the theme's folder or the built-in one, both trusted like templates.
    """
    assert env.loader is not None  # make_environment always sets one
    source, _, _ = env.loader.get_source(env, name)
    return theme_file_text(source)


def item_template_names(provider_slug: str | None, card_kind: str) -> list[str]:
    """Return the templates tried for one card, most specific first."""
    names = []
    if provider_slug:
        names.append(f"items/{provider_slug}.html")
    names.append(f"items/{card_kind}.html")
    names.append("items/default.html")
    return list(dict.fromkeys(names))


def select_template(env: Environment, names: Sequence[str]) -> Template:
    """Return the first template of ``names`` that exists; RenderError if none does."""
    try:
        return env.select_template(list(names))
    except TemplatesNotFound as exc:
        raise RenderError(f"no template found among: {', '.join(names)}") from exc
    except TemplateError as exc:
        raise RenderError(describe_template_error(exc)) from exc


def render_template(env: Environment, name: str, context: Mapping[str, Any]) -> str:
    """Render template ``name``; any template failure becomes a RenderError naming it."""
    try:
        return env.get_template(name).render(context)
    except TemplateError as exc:
        raise RenderError(describe_template_error(exc, fallback=name)) from exc


def generate_template(env: Environment, name: str, context: Mapping[str, Any]) -> Iterator[str]:
    """Yield template ``name``'s output piece by piece, failures as ``render_template``'s."""
    try:
        yield from env.get_template(name).generate(context)
    except TemplateError as exc:
        raise RenderError(describe_template_error(exc, fallback=name)) from exc


def describe_template_error(exc: TemplateError, *, fallback: str = "template") -> str:
    """Return ``exc`` as one line naming the template (and line) where it happened."""
    if isinstance(exc, TemplateSyntaxError):
        where = exc.filename or exc.name or fallback
        return f"{where}:{exc.lineno}: {exc.message}"
    if isinstance(exc, TemplateNotFound):
        return f"{fallback}: template not found: {exc.name}"
    # Jinja rewrites tracebacks so template frames carry the template's file name.
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not frame.filename.endswith(".py") and frame.filename != "<template>"
    ]
    if frames:
        last = frames[-1]
        return f"{last.filename}:{last.lineno}: {exc.message or type(exc).__name__}"
    return f"{fallback}: {exc.message or type(exc).__name__}"
