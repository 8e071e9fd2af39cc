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
    pass_eval_context,
    select_autoescape,
)
from jinja2.nodes import EvalContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from storyboard.errors import RenderError
from storyboard.render.safe import escape_text, theme_file_text

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


def make_environment(theme_dir: Path | None = None) -> Environment:
    """Return the Jinja environment: ``theme_dir`` first, then the built-in theme.

    The built-in templates are also reachable as ``default:<name>``, so a theme's
    ``page.html`` can ``{% extends "default:page.html" %}`` and change one block.

    A theme is someone else's code (a story folder pulled from elsewhere, re-rendered by
    ``serve`` on every change): it runs in Jinja's immutable sandbox, which refuses
    ``__globals__``-style escapes and changing the data it is given.
    """
    if theme_dir is not None and not theme_dir.is_dir():
        raise RenderError(f"theme folder not found: {theme_dir}")
    builtin = FileSystemLoader(builtin_templates_dir())
    loaders: list[FileSystemLoader | PrefixLoader] = [
        _ThemeLoader(path) for path in theme_search_path(theme_dir)
    ]
    loaders.append(PrefixLoader({BUILTIN_PREFIX: builtin}, delimiter=":"))
    return ImmutableSandboxedEnvironment(
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
