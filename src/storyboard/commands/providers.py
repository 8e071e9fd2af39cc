"""``storyboard providers list``: the providers storyboard knows, with their URL schemes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from storyboard.commands.feedback import Outcome
from storyboard.commands.network import build_registry


def list_providers(providers_files: Sequence[Path] = ()) -> Outcome:
    """Return one line per provider (name, slug, endpoints), then its schemes indented."""
    lines = []
    for provider in build_registry(providers_files):
        endpoints = ", ".join(e.url for e in provider.endpoints)
        lines.append(f"{provider.name}  ({provider.slug})  {endpoints}")
        lines.extend(f"    {scheme}" for e in provider.endpoints for scheme in e.schemes)
    return Outcome(lines=lines)
