"""What the editor's JSON API does: the story as the page shows it, and each change to it.

Every handler takes the request's JSON and returns ``(status, JSON)``; the HTTP server
around it only checks who asks and moves bytes. Changes go through ``StoryDocument``
(refused when the file changed on disk) and the in-place item edits, so the file is
written the way ``add`` writes it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storyboard.commands.network import NetworkOptions, build_registry
from storyboard.editor import later
from storyboard.editor.document import ChangedOnDiskError, Revision, StoryDocument
from storyboard.editor.fetching import BackgroundFetches
from storyboard.editor.pasted import read_pasted
from storyboard.editor.preview import ItemPreviews
from storyboard.errors import StoryboardError, StoryError, UsageError
from storyboard.i18n import resolve_language, ui_strings
from storyboard.model.story import ITEM_KINDS, Item, UrlItem
from storyboard.render.safe import markdown_html
from storyboard.snapshots import SnapshotStore
from storyboard.storyfile.insert import insert_items
from storyboard.storyfile.item_edits import (
    delete_item,
    move_item,
    replace_item,
    restore_item,
    update_item,
)
from storyboard.storyfile.loader import LoadedStory, parse_story
from storyboard.storyfile.story_text import EditResult
from storyboard.urls import check_http_url, normalize_url
from storyboard.workspace import Workspace

if TYPE_CHECKING:
    from storyboard.collect.model import CollectedPost

Json = dict[str, Any]
Reply = tuple[int, Json]


def _int(payload: Mapping[str, Any], key: str) -> int:
    value = payload.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise UsageError(f"{key}: a whole number is needed")
    return value


def _str(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str):
        raise UsageError(f"{key}: text is needed")
    return value


def _new_item(entry: object) -> Item:
    if not isinstance(entry, dict):
        raise UsageError('an item is an object such as {"heading": "..."}')
    kind = next((key for key in ITEM_KINDS if key in entry), None)
    if kind is None:
        raise UsageError("an item needs a heading, a text or a url")
    try:
        return ITEM_KINDS[kind].model_validate(entry)
    except ValueError as exc:
        raise UsageError(f"the new {kind}: {exc}") from exc


@dataclass(frozen=True)
class EditorSettings:
    """What the editor edits and how it fetches and renders."""

    story_path: Path
    network: NetworkOptions = field(default_factory=NetworkOptions)
    output_dir: Path | None = None
    theme_dir: Path | None = None


class EditorSession:
    """One story open in the editor: its file, its background fetches, its previews."""

    def __init__(
        self, settings: EditorSettings, *, report: Callable[[str], None] | None = None
    ) -> None:
        """Open the story of ``settings`` (it must load: problems are raised, located)."""
        self.settings = settings
        self.path = settings.story_path
        self.workspace = Workspace(settings.story_path)
        self.report = report or (lambda _line: None)
        self.document = StoryDocument(self.path)
        self.registry = build_registry(settings.network.providers_files)
        self.fetches = BackgroundFetches(self.path, settings.network, report=self.report)
        self._collected: dict[str, CollectedPost] = {}
        self._lock = threading.Lock()
        self._render_lock = threading.Lock()
        loaded = self._parse(self.document.read())
        self.lang = resolve_language(loaded.story.lang)
        theme = self.workspace.theme_dir(loaded.story.options.theme, settings.theme_dir)
        self._previews = ItemPreviews(theme, self.registry)

    def _parse(self, revision: Revision) -> LoadedStory:
        try:
            text = revision.text
        except UnicodeDecodeError as exc:
            raise UsageError(f"{self.path}: not UTF-8 text ({exc.reason})") from exc
        return parse_story(text, path=str(self.path))

    @property
    def strings(self) -> Mapping[str, str]:
        """Return the UI strings in the story's language."""
        return ui_strings(self.lang)

    def stylesheet(self) -> str:
        """Return the theme's stylesheet for the previews."""
        return self._previews.stylesheet()

    @property
    def assets_dir(self) -> Path:
        """Return the story's media archive, served to the previews."""
        return self.workspace.assets_dir

    # -- reading ----------------------------------------------------------------------

    def version(self) -> Json:
        """Return what tells the page to load the story again: file version, fetch count."""
        try:
            version = self.document.read().version
        except StoryboardError:
            version = ""  # unreadable: the page loads the story, which says why
        busy, total = self.fetches.progress()
        return {
            "version": version,
            "fetches": self.fetches.generation,
            "busy": busy,
            "total": total,
        }

    def state(self, revision: Revision | None = None) -> Json:
        """Return the story as the editor shows it: each item's fields, preview and fetch state."""
        busy, total = self.fetches.progress()
        base: Json = {
            "version": "",
            "fetches": self.fetches.generation,
            "busy": busy,
            "total": total,
            "file": str(self.path),
        }
        try:
            revision = revision or self.document.read()
            base["version"] = revision.version
            loaded = self._parse(revision)
            store = SnapshotStore.load(self.workspace.snapshot_path)
            story = loaded.story
            previews = self._previews.render(story, store.as_mapping(), self.assets_dir)
        except StoryError as exc:
            return {**base, "problems": [str(p) for p in exc.problems], "items": []}
        except StoryboardError as exc:
            return {**base, "problems": [str(exc)], "items": []}
        items = []
        for item, html in zip(story.items, previews, strict=True):
            entry: Json = {"html": html, **item.model_dump(mode="json", exclude_none=True)}
            entry["kind"] = next(key for key in ITEM_KINDS if key in entry)
            if isinstance(item, UrlItem):
                state, reason = self.fetches.state(item.url)
                snapshot = store.get(item.url)
                if state == "idle":
                    if snapshot is None:
                        state = "missing"
                    elif snapshot.card is None:
                        state = "failed"
                        reason = snapshot.last_error.message if snapshot.last_error else ""
                    else:
                        state = "ok"
                entry["fetch"] = state
                entry["reason"] = reason
            items.append(entry)
        return {**base, "title": story.title, "items": items, "problems": []}

    # -- changing ---------------------------------------------------------------------

    def edit(self, payload: Mapping[str, Any]) -> Reply:
        """Apply one change; 409 with the story as it is now when the file changed on disk."""
        version = _str(payload, "version")
        op = _str(payload, "op")
        after_write: Callable[[], None] = lambda: None  # noqa: E731
        path = str(self.path)
        if op == "move":
            index, to = _int(payload, "index"), _int(payload, "to")

            def run(text: str) -> EditResult:
                return move_item(text, path=path, index=index, to=to)

        elif op == "delete":
            index = _int(payload, "index")
            count = _int(payload, "count") if "count" in payload else 1

            def run(text: str) -> EditResult:
                return delete_item(text, path=path, index=index, count=count)

        elif op == "restore":
            index, chunk = _int(payload, "index"), _str(payload, "chunk")
            count = _int(payload, "count") if "count" in payload else 1

            def run(text: str) -> EditResult:
                return restore_item(text, path=path, index=index, chunk=chunk, count=count)

        elif op == "replace":
            index, chunk = _int(payload, "index"), _str(payload, "chunk")

            def run(text: str) -> EditResult:
                return replace_item(text, path=path, index=index, chunk=chunk)

        elif op == "update":
            index = _int(payload, "index")
            raw = payload.get("changes")
            if not isinstance(raw, dict) or not all(
                isinstance(v, str | None) for v in raw.values()
            ):
                raise UsageError("changes: an object of texts is needed")
            changes: dict[str, str | None] = dict(raw)
            new_url: list[str] = []

            def run(text: str) -> EditResult:
                result = update_item(text, path=path, index=index, changes=changes)
                new_url[:] = self._changed_url(text, result.text, index)
                return result

            # A corrected address (a typo fixed) is fetched as a pasted one is.
            after_write = lambda: self.fetches.fetch(new_url)  # noqa: E731

        elif op == "insert":
            index = _int(payload, "index")
            raw_items = payload.get("items")
            if not isinstance(raw_items, list):
                raise UsageError("items: a list is needed")
            new = [_new_item(entry) for entry in raw_items]

            def run(text: str) -> EditResult:
                return insert_items(text, path=path, index=index, items=new)

            fresh = [item.url for item in new if isinstance(item, UrlItem)]
            after_write = lambda: self.fetches.fetch(fresh)  # noqa: E731
        elif op in ("add_urls", "add_collected"):
            return self._add_urls(version, payload, collected=op == "add_collected")
        else:
            raise UsageError(f"unknown change {op!r}")
        return self._change(version, run, after_write)

    def _changed_url(self, before: str, after: str, index: int) -> list[str]:
        """Return item ``index``'s new URL when an update changed it (refused if a duplicate)."""
        old = parse_story(before, path=str(self.path)).story.items[index]
        items = parse_story(after, path=str(self.path)).story.items
        new = items[index]
        if not isinstance(new, UrlItem) or not isinstance(old, UrlItem) or new.url == old.url:
            return []
        others = [item for number, item in enumerate(items) if number != index]
        present = {normalize_url(i.url) for i in others if isinstance(i, UrlItem)}
        if normalize_url(new.url) in present:
            raise UsageError(f"{new.url}: already in the story")
        return [new.url]

    def _change(
        self,
        version: str,
        run: Callable[[str], EditResult],
        after_write: Callable[[], None],
        extra: Json | None = None,
    ) -> Reply:
        try:
            revision, result = self.document.change(version, run)
        except ChangedOnDiskError as exc:
            return 409, {"error": str(exc), "state": self.state()}
        self.report(f"saved {self.path}")
        after_write()
        return 200, {"state": self.state(revision), "undo": result.undo, **(extra or {})}

    def _add_urls(self, version: str, payload: Mapping[str, Any], *, collected: bool) -> Reply:
        index = _int(payload, "index")
        if collected:
            raw = payload.get("urls")
            if not isinstance(raw, list) or not all(isinstance(u, str) for u in raw):
                raise UsageError("urls: a list of URLs is needed")
            urls = [url for url in raw if normalize_url(url) in self._collected]
            refused: list[Json] = []
        else:
            pasted = read_pasted(_str(payload, "text"))
            urls = pasted.urls
            refused = [asdict(word) for word in pasted.refused]
        if not urls:
            return 400, {"error": "no http(s) URL found in what was pasted", "refused": refused}
        skipped: list[str] = []
        added: list[str] = []

        with later.IMPORTS:
            from storyboard.collect import seed_snapshots, story_urls  # noqa: PLC0415

        def run(text: str) -> EditResult:
            present = story_urls(parse_story(text, path=str(self.path)).story)
            skipped[:] = [url for url in urls if normalize_url(url) in present]
            added[:] = [url for url in urls if normalize_url(url) not in present]
            if not added:
                raise UsageError("every URL pasted is already in the story")
            items = [UrlItem(url=url) for url in added]
            return insert_items(text, path=str(self.path), index=index, items=items)

        def after_write() -> None:
            if not collected:
                self.fetches.fetch(added)
                return
            posts = [self._collected[normalize_url(url)] for url in added]
            http = self.settings.network.http
            self.fetches.seed(added, lambda: seed_snapshots(self.path, posts, http))

        extra = {"added": added, "skipped": skipped, "refused": refused}
        return self._change(version, run, after_write, extra)

    def retry(self, payload: Mapping[str, Any]) -> Reply:
        """Fetch one URL again."""
        url = check_http_url(_str(payload, "url"))
        self.fetches.fetch([url], refresh=True)
        return 200, self.version()

    # -- helpers of the page ----------------------------------------------------------

    def markdown(self, payload: Mapping[str, Any]) -> Reply:
        """Return Markdown as the page shows it, for the live preview of a text or note."""
        return 200, {"html": str(markdown_html(_str(payload, "text")))}

    def render(self, payload: Mapping[str, Any]) -> Reply:
        """Write one output through ``storyboard render --offline`` itself; the fragment's text too.

        The same workflow as the command (its checks, its notes), so what the editor
        publishes is byte for byte what ``render`` writes for the story.
        """
        with later.IMPORTS:
            from storyboard.commands.feedback import SILENT  # noqa: PLC0415
            from storyboard.commands.render import RenderRequest, render  # noqa: PLC0415
            from storyboard.render import OutputFormat  # noqa: PLC0415

        try:
            output_format = OutputFormat(_str(payload, "format"))
        except ValueError as exc:
            raise UsageError(f"format: {exc}") from exc
        request = RenderRequest(
            output_dir=self.settings.output_dir,
            output_format=output_format.value,
            theme_dir=self.settings.theme_dir,
            offline=True,
        )
        with self._render_lock:  # two clicks at once would write the same files
            outcome = render(self.path, request, self.settings.network, SILENT)
        output = outcome.written[0]
        reply: Json = {
            "written": [str(path) for path in outcome.written],
            "unresolved": list(outcome.unresolved),
            "notes": [
                note.text for note in outcome.notes if note.kind in ("warning", "unresolved")
            ],
        }
        if output_format is OutputFormat.FRAGMENT:
            reply["fragment"] = output.read_text(encoding="utf-8")
        self.report(f"rendered {output}")
        return 200, reply

    def collect(self, payload: Mapping[str, Any]) -> Reply:
        """Collect a hashtag's posts (Mastodon or Bluesky) into the review list."""
        with later.IMPORTS:
            from storyboard.collect import (  # noqa: PLC0415
                CollectFilter,
                CollectSource,
                collect_posts,
                story_urls,
            )

        network = _str(payload, "network")
        tag = _str(payload, "tag").strip()
        loaded = self._parse(self.document.read())
        source = CollectSource(
            mastodon=_str(payload, "instance").strip() if network == "mastodon" else None,
            bluesky=network == "bluesky",
            tag=tag or None,
        )
        limit = payload.get("limit", 40)
        filt = CollectFilter(
            limit=limit if isinstance(limit, int) and limit > 0 else 40,
            exclude=story_urls(loaded.story),
        )
        result = collect_posts(source, filt, self.settings.network.http)
        with self._lock:
            for post in result.posts:
                self._collected[normalize_url(post.url)] = post
        posts = [
            {
                "url": post.url,
                "author": post.author,
                "date": post.published.date().isoformat() if post.published else "",
                "text": post.first_line,
            }
            for post in result.posts
        ]
        warnings = [*result.warnings, *([result.stopped_early] if result.stopped_early else [])]
        return 200, {"posts": posts, "warnings": warnings}

    def close(self) -> None:
        """Let the fetch in progress finish; drop the ones waiting."""
        self.fetches.close()


__all__ = ["EditorSession", "EditorSettings"]
