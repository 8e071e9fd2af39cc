"""Render the preview page again, reusing what did not change since the last render.

``serve`` renders the same story over and over, each time after a small edit. A fresh
``render`` reads the snapshot file, compiles the theme, and builds and renders every
card; here the snapshots stay loaded until their file changes, the theme stays compiled
until one of its files changes, and a card whose item and snapshot are unchanged keeps
its view (``card_cache``) and its HTML (``entry_cache``). What is written is the page a
fresh ``render --offline`` writes, byte for byte (a test renders both and compares).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment

from storyboard.commands.network import build_registry
from storyboard.commands.opened import OpenedStory
from storyboard.model.snapshot import Snapshot
from storyboard.model.story import TextItem, UrlItem
from storyboard.preview.card_cache import CardViewCache
from storyboard.preview.entry_cache import EntryCache
from storyboard.preview.watch import fingerprint
from storyboard.providers import ProviderRegistry
from storyboard.render import OutputFormat, RenderOptions, RenderResult
from storyboard.render.context import StoryViewBuilder
from storyboard.render.files import copy_assets, write_text_atomic
from storyboard.render.markdown_text import fits_markdown_budget, markdown_budget
from storyboard.render.media import AssetLinker
from storyboard.render.page import PAGE_TEMPLATE, render_html
from storyboard.render.themes import builtin_templates_dir, make_environment
from storyboard.snapshots import SnapshotStore


@dataclass(frozen=True)
class _Theme:
    key: Hashable
    env: Environment
    entries: EntryCache


@dataclass
class RenderStats:
    """How much of the last render was reused (the console says so)."""

    cards_reused: int = 0
    cards_built: int = 0
    entries_reused: int = 0
    entries_rendered: int = 0
    snapshots_reloaded: bool = False
    theme_reloaded: bool = False


class PreviewRenderer:
    """Write ``serve``'s page (``render --offline``'s page output), keeping what it can reuse."""

    def __init__(self, providers_files: Sequence[Path] = ()) -> None:
        """Render with the provider registries of ``providers_files`` (as ``--providers``)."""
        self.providers_files = tuple(providers_files)
        self._snapshots: tuple[Hashable, dict[str, Snapshot]] | None = None
        self._registry: tuple[Hashable, ProviderRegistry] | None = None
        self._theme: _Theme | None = None
        self._cards = CardViewCache()
        self.stats = RenderStats()

    @staticmethod
    def handles(options: RenderOptions) -> bool:
        """Tell whether ``options`` are of the page this renderer writes (serve's)."""
        return (
            options.format is OutputFormat.PAGE
            and options.assets == "copy"
            and options.base_url is None
            and options.blog is None
        )

    def render(self, opened: OpenedStory, options: RenderOptions) -> RenderResult:
        """Write the page of ``opened`` into ``options.output_dir``, reusing what it can."""
        if not self.handles(options):
            raise ValueError("the preview renders a page with copied pictures only")
        self.stats = RenderStats()
        story, workspace = opened.story, opened.workspace
        snapshots = self._load_snapshots(workspace.snapshot_path)
        registry = self._provider_registry()
        theme = self._theme_for(options.theme_dir)
        assets_dir = workspace.checked_assets_dir()  # never a linked folder
        # As render_story makes it for a page: pictures copied, none shared inline.
        linker = AssetLinker(assets_dir, options.assets, options.asset_url, share_inline=True)
        with markdown_budget():
            texts = [item.text for item in story.items if isinstance(item, TextItem)]
            texts += [item.note for item in story.items if isinstance(item, UrlItem) and item.note]
            # Over the budget, which text falls back to plain depends on the order of the
            # Markdown work: then nothing is reused, and the page is exactly a fresh one.
            if fits_markdown_budget(texts):
                builder = self._cards.builder(
                    story,
                    snapshots,
                    registry,
                    linker,
                    options.embed,
                    pictures_version=fingerprint([assets_dir]),
                )
                view = builder.build()
                pictures = list(builder.pictures)
                self.stats.cards_reused, self.stats.cards_built = (
                    self._cards.hits,
                    self._cards.misses,
                )
            else:
                view = StoryViewBuilder(story, snapshots, registry, linker, options.embed).build()
                pictures = linker.used
            theme.entries.start_render()
            text = render_html(theme.env, PAGE_TEMPLATE, view)
            theme.entries.finish_render()
            self.stats.entries_reused = theme.entries.hits
            self.stats.entries_rendered = theme.entries.misses
        self._cards.finish_render()
        # Media first, so the page never points at a file that is not there yet.
        copied = copy_assets(pictures, assets_dir, options.output_dir)
        written = [write_text_atomic(options.output_file, text), *copied]
        return RenderResult(written=written, unresolved=list(view.unresolved))

    def _load_snapshots(self, path: Path) -> dict[str, Snapshot]:
        """Return the snapshots, read again only when the file is another one than last time.

        Every save (``fetch``'s, ``add``'s) replaces the file, so its identity on disk
        changes. A snapshot equal to the one read last time stays the same object: the
        card cache knows an unchanged card by it.
        """
        signature = file_signature(path)
        if self._snapshots is not None and self._snapshots[0] == signature:
            return self._snapshots[1]
        fresh = SnapshotStore.load(path).as_mapping()
        previous = self._snapshots[1] if self._snapshots is not None else {}
        for url, snapshot in fresh.items():
            old = previous.get(url)
            if old is not None and old == snapshot:
                fresh[url] = old
        self._snapshots = (signature, fresh)
        self.stats.snapshots_reloaded = True
        return fresh

    def _provider_registry(self) -> ProviderRegistry:
        key = fingerprint(self.providers_files)
        if self._registry is None or self._registry[0] != key:
            self._registry = (key, build_registry(self.providers_files))
        return self._registry[1]

    def _theme_for(self, theme_dir: Path | None) -> _Theme:
        """Return the compiled theme, compiled again when one of its files changed."""
        folders = [builtin_templates_dir()] + ([theme_dir] if theme_dir is not None else [])
        # A missing theme folder is make_environment's error to word, every time.
        key = (theme_dir, fingerprint(folders) if all(f.is_dir() for f in folders) else None)
        if self._theme is None or self._theme.key != key:
            env = make_environment(theme_dir)
            self._theme = _Theme(key, env, EntryCache(env))
            self.stats.theme_reloaded = True
        return self._theme


def file_signature(path: Path) -> tuple[int, int, int, int] | None:
    """Return what identifies the current content of ``path`` on disk, None if absent."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
