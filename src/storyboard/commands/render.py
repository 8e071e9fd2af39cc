"""``storyboard render``: fetch what has no snapshot yet (unless offline), then build the output."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from storyboard.clock import Clock, utc_now
from storyboard.commands.feedback import Feedback, Note, Outcome
from storyboard.commands.network import NetworkOptions, build_registry
from storyboard.commands.opened import OpenedStory, open_story
from storyboard.commands.orphans import refuse_if_orphaned
from storyboard.errors import EXIT_OK, EXIT_PARTIAL, UsageError
from storyboard.model.story import EmbedMode
from storyboard.snapshots import SnapshotStore

if TYPE_CHECKING:
    from storyboard.fetch.local_copies import PicturesSeen
    from storyboard.model.snapshot import Snapshot
    from storyboard.render import RenderOptions, RenderResult
    from storyboard.render.media import AssetsMode

#: Above this size an output with inlined pictures gets a warning: blog editors grow slow
#: or refuse the paste, and every reader downloads it whole (README, "Embedding").
INLINE_SIZE_WARNING = 2 * 1024 * 1024


def human_size(size: int) -> str:
    """Return ``size`` bytes as people read it ("840 KB", "13.2 MB")."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def size_notes(options: RenderOptions) -> list[Note]:
    """Say how big the main output is, and what to do when inlined pictures make it heavy."""
    try:
        size = options.output_file.stat().st_size
    except OSError:
        return []
    notes = [Note(f"{options.output_file}: {human_size(size)}", "note")]
    if options.assets == "inline" and size > INLINE_SIZE_WARNING:
        notes.append(
            Note(
                f"{options.output_file.name} is {human_size(size)} with its pictures inside;"
                " upload the assets folder and give --asset-url URL to link them instead",
                "warning",
            )
        )
    return notes


# The render layer loads the template code; it is imported where it is used, so a
# command that fails early (a broken story) answers fast.


@dataclass(frozen=True)
class RenderRequest:
    """What the person asked ``render`` for; unset fields take the story's or the default."""

    output_dir: Path | None = None
    output_format: str = "page"
    embed: EmbedMode | None = None
    theme_dir: Path | None = None
    assets: AssetsMode | None = None
    asset_url: str | None = None
    #: A blog whose post filters the fragment must survive (``--for wordpress``).
    blog: str | None = None
    #: Where the page will be published (``--base-url``).
    base_url: str | None = None
    #: Never touch the network: render from the snapshots there are.
    offline: bool = False

    def check(self) -> None:
        """Refuse option combinations that cannot work, before anything is read or written."""
        if self.asset_url and self.assets not in (None, "url"):
            raise UsageError("--asset-url goes with --assets url")
        if self.assets == "url" and not self.asset_url:
            raise UsageError("--assets url needs --asset-url")
        if self.blog is not None:
            from storyboard.render.blog_target import BlogTarget, check_blog_target

            check_blog_target(
                BlogTarget(self.blog),
                fragment=self.output_format == "fragment",
                asset_url=self.asset_url,
            )


def render_options(opened: OpenedStory, request: RenderRequest) -> RenderOptions:
    """Resolve ``request`` against the story: its theme, the default output folder."""
    from storyboard.render import OutputFormat, RenderOptions, default_assets_mode
    from storyboard.render.blog_target import BlogTarget

    output_format = OutputFormat(request.output_format)
    return RenderOptions(
        output_dir=opened.workspace.output_dir(request.output_dir),
        format=output_format,
        embed=request.embed,
        theme_dir=opened.theme_dir(request.theme_dir),
        assets=request.assets or default_assets_mode(output_format, request.asset_url),
        asset_url=request.asset_url,
        blog=BlogTarget(request.blog) if request.blog else None,
        base_url=request.base_url,
    )


def render_story_file(
    opened: OpenedStory,
    store: SnapshotStore | Mapping[str, Snapshot],
    options: RenderOptions,
    *,
    providers_files: Sequence[Path] = (),
) -> RenderResult:
    """Render an opened story from its snapshots (no network).

    ``store``: the story's snapshots, or a mapping of them to read from (the
    ``PicturesSeen`` of ``render``). ``providers_files`` are the registries the
    snapshots were fetched with: they say which hosts a provider's player and scripts
    may come from.
    """
    from storyboard.render import render_story

    return render_story(
        opened.story,
        store.for_reading() if isinstance(store, SnapshotStore) else store,
        options,
        assets_dir=opened.workspace.checked_assets_dir(),
        registry=build_registry(providers_files),
    )


@dataclass(kw_only=True)
class RenderOutcome(Outcome):
    """The files written and the URLs that fell back to a plain link."""

    written: list[Path] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)


def render(
    story_path: Path,
    request: RenderRequest,
    network: NetworkOptions,
    feedback: Feedback,
    *,
    clock: Clock = utc_now,
) -> RenderOutcome:
    """Fetch the URLs without a snapshot (unless ``request.offline``), then render."""
    request.check()
    opened = open_story(story_path, feedback, clock=clock)
    opened.workspace.checked_assets_dir()  # before fetching writes anything through it
    refuse_if_orphaned(
        opened.workspace,
        opened.story,
        doing="rendering every item as unresolved"
        if request.offline
        else "fetching every URL again (posts deleted since would be lost)",
    )
    # Offline, nothing is recorded: thousands of snapshots need not be models at once.
    store = opened.load_snapshots(packed=request.offline)
    urls = [item.url for item in opened.story.url_items()]
    if not request.offline and any(store.needs_fetch(url) for url in urls):
        from storyboard.commands.fetch import fetch_story  # the HTTP stack loads only here

        fetch_story(opened, store, network, feedback)
    options = render_options(opened, request)
    from storyboard.fetch.local_copies import PicturesSeen

    snapshots = PicturesSeen(store.for_reading())
    result = render_story_file(opened, snapshots, options, providers_files=network.providers_files)
    notes = size_notes(options)
    if options.format.value == "page" and options.base_url is None:
        notes.append(
            Note(
                "no oembed.json, embed/ page or share links: give --base-url URL (where the"
                " page will be published) to make the story embeddable and previewable by its URL",
                "note",
            )
        )
    for url in result.unresolved:
        snapshot = store.get(url)
        reason = (
            snapshot.last_error.message
            if snapshot and snapshot.last_error
            else (
                "no snapshot (run storyboard fetch)" if request.offline else "could not be resolved"
            )
        )
        notes.append(Note(f"{url}: {reason}", "unresolved"))
    notes += missing_picture_notes(opened, snapshots)
    return RenderOutcome(
        written=result.written,
        unresolved=result.unresolved,
        lines=[str(path) for path in result.written],
        notes=notes,
        exit_code=EXIT_PARTIAL if result.unresolved else EXIT_OK,
    )


#: How many missing pictures are named one by one; the rest are counted.
MISSING_LISTED = 20


def missing_picture_notes(opened: OpenedStory, snapshots: PicturesSeen) -> list[Note]:
    """Warn about archived pictures gone from (or damaged in) the assets folder.

    ``snapshots``: what the render read, with the pictures of the cards it made. The
    page renders without them (their cards are still there, so the exit status stays
    as it is); a plain ``storyboard fetch`` archives them again from their source.
    """
    assets_dir = opened.workspace.assets_dir
    missing = snapshots.missing(assets_dir)
    if not missing:
        return []
    where = f"{assets_dir}/" + ("" if assets_dir.is_dir() else " (the folder is missing)")
    notes = [
        Note(
            f"{len(missing)} archived picture{'s' if len(missing) != 1 else ''} missing "
            f"from {where}, shown without them; storyboard fetch {opened.workspace.story_path} "
            "archives them again where their source still has them",
            "warning",
        )
    ]
    for picture in missing[:MISSING_LISTED]:
        asset = picture.asset
        text = f"{asset.path}: {picture.why}; the picture {asset.url} of {picture.item_url}"
        notes.append(Note(text, "warning"))
    if len(missing) > MISSING_LISTED:
        notes.append(Note(f"and {len(missing) - MISSING_LISTED} more", "warning"))
    return notes
