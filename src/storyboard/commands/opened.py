"""Opening a story for a command: load the file (its warnings shown at once), find its files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storyboard.clock import Clock, utc_now
from storyboard.commands.feedback import Feedback
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

    def load_snapshots(self) -> SnapshotStore:
        """Load the story's snapshot file (empty if there is none yet)."""
        return SnapshotStore.load(self.workspace.snapshot_path, clock=self.clock)


def open_story(story_path: Path, feedback: Feedback, *, clock: Clock = utc_now) -> OpenedStory:
    """Load ``story_path``; raise ``StoryError`` with every problem it has."""
    loaded = load_story(story_path)
    for warning in loaded.warnings:
        feedback.message(str(warning))  # the problem's text already says "warning"
    return OpenedStory(loaded, Workspace(story_path), clock)
