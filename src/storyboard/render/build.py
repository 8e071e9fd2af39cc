"""``render_story``: story + snapshots + theme + options in, output files out. No network."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from storyboard.model.snapshot import Snapshot
from storyboard.model.story import EmbedMode, Story
from storyboard.providers import ProviderRegistry
from storyboard.render.context import StoryViewBuilder
from storyboard.render.files import copy_assets, replacing_with_text, write_text_atomic
from storyboard.render.json_output import StoryJsonWriter
from storyboard.render.markdown_output import STYLESHEET, markdown_pieces
from storyboard.render.markdown_text import markdown_budget
from storyboard.render.media import AssetLinker
from storyboard.render.options import OutputFormat, RenderOptions, RenderResult
from storyboard.render.page import (
    EMBED_TEMPLATE,
    FRAGMENT_TEMPLATE,
    PAGE_TEMPLATE,
    entry_renderer,
    html_pieces,
    pictures_style,
    render_html,
)
from storyboard.render.sharing import (
    EMBED_FOLDER,
    OEMBED_FILE,
    embed_items,
    oembed_document,
    sharing_view,
)
from storyboard.render.themes import make_environment, raw_theme_file


def render_story(
    story: Story,
    snapshots: Mapping[str, Snapshot],
    options: RenderOptions,
    *,
    assets_dir: Path,
    registry: ProviderRegistry | None = None,
) -> RenderResult:
    """Write the output ``options.format`` asks for; items without a snapshot become links.

    ``snapshots`` is keyed by normalized URL; ``assets_dir`` is the story's archive
    (``STORY.assets/``). Media files are copied into ``assets/`` (and linked from there
    or from ``asset_url``) or inlined, only when the output shows them.
    """
    with markdown_budget():  # the curator's Markdown, bounded per run
        return _render(story, snapshots, options, assets_dir=assets_dir, registry=registry)


def _render(
    story: Story,
    snapshots: Mapping[str, Snapshot],
    options: RenderOptions,
    *,
    assets_dir: Path,
    registry: ProviderRegistry | None,
) -> RenderResult:
    registry = registry if registry is not None else ProviderRegistry.builtin()
    # Pages, fragments and Markdown have a <style> to define each inlined picture once in.
    linker = AssetLinker(
        assets_dir,
        options.assets,
        options.asset_url,
        share_inline=options.format is not OutputFormat.JSON,
    )
    extra: dict[Path, str] = {}
    # The main output is written as it is made, never whole in memory.
    pieces: Iterable[str]
    json_writer = None
    view = None
    if options.format is OutputFormat.JSON:
        json_writer = StoryJsonWriter(story, snapshots, linker, options.embed)
        pieces = json_writer.pieces()
    else:
        env = make_environment(options.theme_dir)
        # Markdown goes through other people's site generators: cards only, no scripts.
        # So do blog posts whose editor removes scripts (--for).
        static = options.format is OutputFormat.MARKDOWN or options.blog is not None
        embed = EmbedMode.STATIC if static else options.embed
        builder = StoryViewBuilder(story, snapshots, registry, linker, embed)
        page_url = options.page_url
        sharing = options.format is OutputFormat.PAGE and page_url is not None
        # The cards' views are made as the output is written, and dropped: a long story's
        # are never all in memory. Sharing data and a blog's rewriting need them all first.
        view = builder.build() if sharing or options.blog is not None else builder.stream()
        if sharing and page_url is not None:
            view = replace(view, sharing=sharing_view(story, view, page_url))
            # The embed page lives in another site's iframe: cards only, no players.
            embed_view = StoryViewBuilder(
                story, snapshots, registry, linker, EmbedMode.STATIC
            ).build()
            embed_view = replace(
                embed_view,
                items=embed_items(embed_view.items),
                sharing=view.sharing,
                is_embed=True,
            )
            extra[options.output_dir / EMBED_FOLDER / "index.html"] = render_html(
                env, EMBED_TEMPLATE, embed_view
            )
            assert view.sharing is not None
            oembed = oembed_document(view, view.sharing)
            extra[options.output_dir / OEMBED_FILE] = json.dumps(oembed, indent=2) + "\n"
        if options.format is OutputFormat.MARKDOWN:
            pieces = markdown_pieces(
                story, view, entry_renderer(env, view), pictures_style(env, view)
            )
            extra[options.output_dir / STYLESHEET] = str(raw_theme_file(env, "storyboard.css"))
        elif options.blog is not None:
            # the rewriting needs bs4: loaded only for a blog's fragment
            from storyboard.render.blog_post import blog_post_fragment  # noqa: PLC0415

            # The rewriting needs the whole fragment; its pictures are links, so it is small.
            pieces = [blog_post_fragment(render_html(env, FRAGMENT_TEMPLATE, view))]
        else:
            template = PAGE_TEMPLATE if options.format is OutputFormat.PAGE else FRAGMENT_TEMPLATE
            pieces = html_pieces(env, template, view)
    # Media first, so the page never points at a file that is not there yet: they are
    # copied once the output is made (it names them) and before it replaces the old one.
    # With an asset URL the folder is still written: it is what the user uploads to that URL.
    with replacing_with_text(options.output_file, pieces) as output_file:
        copied = []
        if options.assets in ("copy", "url"):
            copied = copy_assets(linker.used, assets_dir, options.output_dir)
    # Known once the output is written.
    unresolved = json_writer.unresolved if json_writer is not None else []
    if view is not None:
        unresolved = list(view.unresolved)
    written = [output_file, *copied]
    written += [write_text_atomic(path, content) for path, content in extra.items()]
    return RenderResult(written=written, unresolved=unresolved)
