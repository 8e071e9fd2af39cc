"""The built-in templates with their partials written in, where that renders the same.

Every ``{% include %}`` costs Jinja a new context, copied from the including one, and
a card goes through eight of them (``entry.html``, ``card_head.html``, ...): a quarter
of the time a long page takes to render. The built-in theme's loader therefore puts
the text of a partial in place of its include, before Jinja compiles the template,
wherever that gives the same output:

- the include is written as the built-in templates write them
  (``{% include "partials/NAME.html" %}``), at the start of a line or after other text
  on it (``lstrip_blocks`` would treat an indented one differently);
- the theme in use has no template of that name (if it has, the include stays, and the
  theme's partial is what the page gets, as the themes guide says);
- the partial is a plain piece of markup: no blocks, ``set``, macros, ``loop`` or
  ``super()`` (whose meaning depends on where they are written), and no whitespace
  control or whitespace at its edges (which would reach into the including text).

The newline after an include (eaten by ``trim_blocks``) goes with it, so the partial's
own last newline is what follows, as it was. A test renders stories both ways and
compares the bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from jinja2 import BaseLoader, Environment

#: An include of a built-in partial, with what is before it on its line and the newline after.
_INCLUDE = re.compile(r'(?P<before>[^\n]*?)\{% include "(?P<name>partials/[\w-]+\.html)" %\}\n?')
#: What a partial must not contain to be written into another template.
_NOT_PLAIN = re.compile(
    r"\{%-?\s*(?:block|extends|set|macro|call|filter|with|import)\b|\bloop\b|\bsuper\b"
)
#: Whitespace control on a partial's first or last tag strips the including text around it.
_EDGE_CONTROL = re.compile(r"\A\{[{%#]-|-[}%#]\}\s*\Z")


def is_plain_partial(source: str) -> bool:
    """Tell whether ``source`` renders the same written into another template as included."""
    return (
        bool(source)
        and not source[0].isspace()
        and not _NOT_PLAIN.search(source)
        and not _EDGE_CONTROL.search(source)
    )


class InliningLoader(BaseLoader):
    """The templates of ``base`` with their includes of plain partials written in (see above).

    ``overridden(environment, name)`` tells whether the theme searched before ``base``
    has a template ``name``: such a partial stays included, so the theme's is used.
    """

    def __init__(
        self,
        base: BaseLoader,
        overridden: Callable[[Environment, str], bool],
        kept: frozenset[str] = frozenset(),
    ) -> None:
        """Serve the templates of ``base``; includes of ``overridden`` or ``kept`` names stay."""
        self.base = base
        self._overridden = overridden
        self._kept = kept

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        """Return the template's source with its plain partials written in."""
        source, filename, uptodate = self.base.get_source(environment, template)
        return self._inline(environment, source, {template}), filename, uptodate

    def list_templates(self) -> list[str]:
        """Return the names of the templates, as ``base`` lists them."""
        return self.base.list_templates()

    def _inline(self, environment: Environment, source: str, open_names: set[str]) -> str:
        def replace(match: re.Match[str]) -> str:
            before, name = match["before"], match["name"]
            if before.isspace() or name in open_names | self._kept:
                return match[0]
            if self._overridden(environment, name):
                return match[0]
            partial, _, _ = self.base.get_source(environment, name)
            if not is_plain_partial(partial):
                return match[0]
            return before + self._inline(environment, partial, open_names | {name})

        return _INCLUDE.sub(replace, source)
