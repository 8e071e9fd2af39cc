"""Opening a story for a command: load the file (its warnings shown at once), find its files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storyboard.clock import Clock, utc_now
from storyboard.commands.feedback import Feedback
from storyboard.errors import Problem, StoryError
from storyboard.model.story import Story
from storyboard.snapshots import SnapshotStore
from storyboard.storyfile.loader import LoadedStory, load_story
from storyboard.workspace import Workspace


@dataclass(frozen=True)
class OpenedStory:
    """A loaded story file, where its other files live, and the clock its stamps use."""

    loaded: LoadedStory
    workspace: Workspace
    clock: Clock = utc_now

    @property
    def story(self) -> Story:
        """Return the validated story."""
        return self.loaded.story

    def theme_dir(self, override: Path | None = None) -> Path | None:
        """Return the theme folder: ``override`` (``--theme``), else the story's ``theme:``.

        A theme is code, and a story folder pulled from someone else must not run
        templates from elsewhere on the machine: the story's ``theme:`` must be a folder
        inside the story's folder (no absolute path, no ``..``, no link out). A theme from
        anywhere else is the user's own choice, made with ``--theme``.
        """
        theme = self.workspace.theme_dir(self.story.options.theme, override)
        if override is not None or theme is None or self.story.options.theme is None:
            return theme
        named = Path(self.story.options.theme)
        folder = self.workspace.story_path.parent.resolve()
        line, column = self.loaded.theme_pos or (None, None)

        def refuse(message: str) -> StoryError:
            where = str(self.workspace.story_path)
            return StoryError([Problem(where, line, column, "options.theme", message)])

        if named.is_absolute() or ".." in named.parts or not theme.is_relative_to(folder):
            raise refuse(
                f"the theme {self.story.options.theme!r} is outside the story's folder; "
                "put it in a folder beside the story, or name it with --theme"
            )
        if not theme.is_dir():
            raise refuse(f"theme folder not found: {theme}")
        return theme

    def load_snapshots(self, *, packed: bool = False) -> SnapshotStore:
        """Load the story's snapshot file (empty if there is none yet).

        ``packed``: for a command that only reads each snapshot once or twice (an
        offline render): the entries stay JSON until looked up (``PackedSnapshots``).
        """
        return SnapshotStore.load(self.workspace.snapshot_path, clock=self.clock, packed=packed)


def open_story(story_path: Path, feedback: Feedback, *, clock: Clock = utc_now) -> OpenedStory:
    """Load ``story_path``; raise ``StoryError`` with every problem it has."""
    loaded = load_story(story_path)
    for warning in loaded.warnings:
        feedback.message(str(warning))  # the problem's text already says "warning"
    return OpenedStory(loaded, Workspace(story_path), clock)
