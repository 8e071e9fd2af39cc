"""Reuse the view of a card between two renders of the preview.

A card's view (``CardView``) is made from its story item, its snapshot, its number and
heading level, its embed mode, and things that hold for the whole run: the page
language and time zone, the provider registry and the archived pictures. Building one
runs Markdown, the sanitizer and the provider lookup; an unchanged card gets the view
it had last time instead.

Building a card also records, for the page, the provider scripts, player hosts and
unresolved URLs it needs, and the pictures it shows. Each card is therefore built on
its own (a fresh builder) so that what it records is exactly its own, and that record is
added to the page's builder every time the card is used, new or reused, in story order:
the page gets what a single fresh build would have given it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from storyboard.model.snapshot import Snapshot
from storyboard.model.story import EmbedMode, Story, TextItem, UrlItem
from storyboard.providers import ProviderRegistry
from storyboard.render.context import StoryViewBuilder, effective_embed_mode
from storyboard.render.media import AssetLinker
from storyboard.render.views import CardView, TextView
from storyboard.urls import normalize_url


@dataclass(frozen=True)
class _BuiltCard:
    """A card's view and what building it recorded for the page."""

    snapshot: Snapshot | None
    view: CardView
    scripts: tuple[str, ...]
    player_hosts: tuple[str, ...]
    unresolved: tuple[str, ...]
    pictures: tuple[str, ...]


@dataclass
class CardViewCache:
    """Views of cards and text items from the last render, for the next one.

    Only for outputs whose pictures are copied (``serve``'s page): an inlined picture's
    CSS rule would belong to the page's builder, not to one card.
    """

    _run_key: Hashable = None
    _cards: dict[Hashable, _BuiltCard] = field(default_factory=dict)
    _texts: dict[str, TextView] = field(default_factory=dict)
    _used_cards: set[Hashable] = field(default_factory=set)
    _used_texts: set[str] = field(default_factory=set)
    hits: int = 0
    misses: int = 0

    def builder(
        self,
        story: Story,
        snapshots: Mapping[str, Snapshot],
        registry: ProviderRegistry,
        linker: AssetLinker,
        embed_override: EmbedMode | None,
        *,
        pictures_version: Hashable,
    ) -> ReusingViewBuilder:
        """Return a builder for one render; the cache empties when the run's context changed.

        ``pictures_version`` names the state of the assets folder: a picture fetched or
        removed changes what every card shows.
        """
        if linker.mode != "copy" or linker.share_inline:
            raise ValueError("card views are reused only for pages with copied pictures")
        run_key = (
            story.lang,
            story.timezone,
            story.options,
            embed_override,
            id(registry),
            linker.assets_dir,
            pictures_version,
        )
        if run_key != self._run_key:
            self._cards.clear()
            self._texts.clear()
            self._run_key = run_key
        self._used_cards.clear()
        self._used_texts.clear()
        self.hits = self.misses = 0
        builder = ReusingViewBuilder(story, snapshots, registry, linker, embed_override)
        builder.cache = self
        builder.pictures = {}
        return builder

    def finish_render(self) -> None:
        """Forget the views this render did not use (removed or changed items)."""
        self._cards = {key: self._cards[key] for key in self._used_cards}
        self._texts = {key: self._texts[key] for key in self._used_texts}


class ReusingViewBuilder(StoryViewBuilder):
    """A ``StoryViewBuilder`` that takes unchanged cards from a ``CardViewCache``."""

    cache: CardViewCache
    #: The archived pictures the page shows, in first-use order (to copy next to it).
    pictures: dict[str, None]

    def text_view(self, item: TextItem) -> TextView:
        """Return a text item's view, the same text's last one if there is one."""
        cache = self.cache
        cache._used_texts.add(item.text)
        view = cache._texts.get(item.text)
        if view is None:
            view = cache._texts[item.text] = super().text_view(item)
        return view

    def card_view(self, item: UrlItem, number: int, *, title_level: int = 2) -> CardView:
        """Return a card's view, reused when nothing it is made from changed."""
        cache = self.cache
        snapshot = self.snapshots.get(normalize_url(item.url))
        mode = effective_embed_mode(self.story, item, self.embed_override)
        key = (item, number, title_level, mode)
        built = cache._cards.get(key)
        # The same snapshot object: the snapshot file's loader keeps unchanged ones.
        if built is None or built.snapshot is not snapshot:
            cache.misses += 1
            built = cache._cards[key] = self._build_alone(item, number, title_level, snapshot)
        else:
            cache.hits += 1
        cache._used_cards.add(key)
        # What a fresh build of this card records on the page's builder (see the module).
        self._scripts.update(dict.fromkeys(built.scripts))
        self._player_hosts.update(built.player_hosts)
        self._unresolved.update(dict.fromkeys(built.unresolved))
        self.pictures.update(dict.fromkeys(built.pictures))
        return built.view

    def _build_alone(
        self, item: UrlItem, number: int, title_level: int, snapshot: Snapshot | None
    ) -> _BuiltCard:
        linker = AssetLinker(self.linker.assets_dir, self.linker.mode)
        alone = StoryViewBuilder(
            self.story, self.snapshots, self.registry, linker, self.embed_override
        )
        view = alone.card_view(item, number, title_level=title_level)
        return _BuiltCard(
            snapshot=snapshot,
            view=view,
            scripts=tuple(alone._scripts),
            player_hosts=tuple(sorted(alone._player_hosts)),
            unresolved=tuple(alone._unresolved),
            pictures=tuple(linker.used),
        )
