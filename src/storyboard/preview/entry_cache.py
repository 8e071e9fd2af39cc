"""Reuse the HTML of a card's entry between two renders of the preview.

A page renders ``partials/entry.html`` once per card (``{% include %}`` in the items
loop). When the theme's entry templates read nothing but the card's view (``item``), a
few attributes of the story (``story.is_embed``) and the run's helpers, which depend only
on the page language and the theme, the entry's HTML is a function of those values: an
unchanged card needs no template work at all. Whether that holds is read from the
templates themselves (their syntax trees), so a theme whose entry reads anything else
(``loop``, a variable of its own page) is simply rendered afresh every time.

The reuse sits under Jinja's own ``include``: the entry template's render function is
wrapped, so the page template, and what a fresh ``render`` writes, stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator

from jinja2 import Environment, Template, TemplateError, meta, nodes
from jinja2.runtime import Context

#: The template the page includes once per card.
ENTRY_TEMPLATE = "partials/entry.html"
#: Where ``item_template(item)`` picks a card's template from.
ITEM_TEMPLATES_PREFIX = "items/"
#: Context names whose values depend only on the page language and the theme (see
#: ``render.page.template_context``); ``item`` and ``story`` are keyed on separately.
LANGUAGE_HELPERS = frozenset({"ui", "tr", "item_template", "iframe_policy", "static_file"})

_RenderFunc = Callable[[Context], Iterator[str]]


def _declared_names(tree: nodes.Template) -> set[str]:
    """Return the names a template defines itself: sets, loops, macros, imports."""
    names = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
    names |= {node.name for node in tree.find_all(nodes.Macro)}
    for imported in tree.find_all(nodes.FromImport):
        for name in imported.names:
            names.add(name[1] if isinstance(name, tuple) else name)
    names |= {node.target for node in tree.find_all(nodes.Import)}
    return names


def _is_item_template_call(include: nodes.Include) -> bool:
    call = include.template
    return (
        isinstance(call, nodes.Call)
        and isinstance(call.node, nodes.Name)
        and call.node.name == "item_template"
    )


def story_attributes_read(env: Environment) -> tuple[str, ...] | None:
    """Return the ``story`` attributes a card's entry reads, or None if it may read more.

    None means the entry's HTML may depend on something no key can name: a variable
    of the including template, the whole ``story`` object, a template chosen by an
    expression other than ``item_template(item)``, or a template that does not compile.
    """
    item_templates = sorted(
        name for name in env.list_templates() if name.startswith(ITEM_TEMPLATES_PREFIX)
    )
    pending, seen = [ENTRY_TEMPLATE], set()
    undeclared: set[str] = set()
    declared: set[str] = set()
    attributes: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            assert env.loader is not None  # make_environment always sets one
            source, _, _ = env.loader.get_source(env, name)
            tree = env.parse(source)
        except TemplateError:
            return None
        undeclared |= meta.find_undeclared_variables(tree)
        declared |= _declared_names(tree)
        for include in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport)):
            assert isinstance(include, nodes.Include | nodes.Import | nodes.FromImport)
            if isinstance(include.template, nodes.Const):
                pending.append(str(include.template.value))
            elif isinstance(include, nodes.Include) and _is_item_template_call(include):
                pending.extend(item_templates)
            else:
                return None
        for extends in tree.find_all(nodes.Extends):
            if not isinstance(extends.template, nodes.Const):
                return None
            pending.append(str(extends.template.value))
        story_reads = [n for n in tree.find_all(nodes.Name) if n.name == "story"]
        story_getattrs = [
            node
            for node in tree.find_all(nodes.Getattr)
            if isinstance(node.node, nodes.Name) and node.node.name == "story"
        ]
        if len(story_reads) != len(story_getattrs):
            return None  # ``story`` itself is passed on or indexed: no attribute list covers it
        attributes |= {node.attr for node in story_getattrs}
    known = {"item", "story"} | LANGUAGE_HELPERS | declared | set(env.globals)
    if not undeclared <= known:
        return None
    return tuple(sorted(attributes))


class EntryCache:
    """The HTML of each card's entry, kept for the next render of the same environment."""

    def __init__(self, env: Environment) -> None:
        """Wrap ``env``'s entry template when the theme lets its HTML be reused."""
        self.env = env
        self._html: dict[Hashable, str] = {}
        self._used: set[Hashable] = set()
        self.hits = 0
        self.misses = 0
        self.attributes = story_attributes_read(env)
        # Held here too: Jinja's template cache could drop it, and with it the wrapper.
        self._template: Template | None = None
        if self.attributes is not None:
            self._template = env.get_template(ENTRY_TEMPLATE)
            self._template.root_render_func = self._wrap(self._template.root_render_func)

    @property
    def enabled(self) -> bool:
        """Tell whether this theme's entries are reused at all."""
        return self._template is not None

    def _key(self, context: Context) -> Hashable | None:
        item, story = context.get("item"), context.get("story")
        assert self.attributes is not None
        try:
            key = (item, story.lang, *(getattr(story, name) for name in self.attributes))
            hash(key)
        except (AttributeError, TypeError):
            return None  # an unhashable value: render it, keep nothing
        return key

    def _wrap(self, render: _RenderFunc) -> _RenderFunc:
        def render_or_reuse(context: Context) -> Iterator[str]:
            key = self._key(context)
            if key is None:
                yield from render(context)
                return
            html = self._html.get(key)
            if html is None:
                self.misses += 1
                html = "".join(render(context))
                self._html[key] = html
            else:
                self.hits += 1
            self._used.add(key)
            yield html

        return render_or_reuse

    def start_render(self) -> None:
        """Count this render's use of the cache from zero."""
        self._used.clear()
        self.hits = self.misses = 0

    def finish_render(self) -> None:
        """Forget the entries this render did not show (removed or changed cards)."""
        self._html = {key: self._html[key] for key in self._used}


__all__ = ["ENTRY_TEMPLATE", "EntryCache", "story_attributes_read"]
