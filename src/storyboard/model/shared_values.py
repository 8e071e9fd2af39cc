"""One object for each value that repeats across the models read from a big file.

A snapshot file of thousands of posts repeats the same author names, provider names,
picture records and sets of filled fields in every entry, and the JSON parser makes a
new object for each. Read models are frozen, so equal parts can be one object: each
short text is kept once, each picture record (``MediaAsset``) once, and each set of
filled field names (pydantic keeps one per model instance, the largest part of a
small model) once; a story's items share theirs too. The values stay equal, so
nothing that reads them can tell; only frozen models may share (a changed one is a copy).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from storyboard.model.card import MediaAsset
from storyboard.model.snapshot import Snapshot

#: Longer text (a post's HTML) rarely repeats: hashing it would cost more than it saves.
_SHORT_TEXT = 200

_Frozen = TypeVar("_Frozen", bound=BaseModel)


class SharedValues:
    """Replace the repeated parts of read snapshots by one shared object each."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._field_sets: dict[frozenset[str], set[str]] = {}
        self._assets: dict[tuple[Any, ...], MediaAsset] = {}

    def text(self, value: str) -> str:
        """Return the one object kept for ``value`` when it is short."""
        if len(value) > _SHORT_TEXT:
            return value
        return self._texts.setdefault(value, value)

    def model(self, model: _Frozen) -> _Frozen:
        """Return a frozen ``model`` with its short texts and set of filled fields shared."""
        self._share_fields(model)
        return model

    def snapshot(self, snapshot: Snapshot) -> Snapshot:
        """Return ``snapshot`` with its repeated parts shared (changed in place: it is new)."""
        self._share_fields(snapshot)
        for model in (snapshot.source, snapshot.last_error):
            if model is not None:
                self._share_fields(model)
        for mapping in (snapshot.raw, snapshot.oembed, snapshot.field_sources):
            if mapping is not None:
                for key, value in mapping.items():
                    if type(value) is str:
                        mapping[key] = self.text(value)
        card = snapshot.card
        if card is not None:
            self._share_fields(card, same_url=snapshot.url)
            for name in ("image", "avatar"):
                asset = card.__dict__[name]
                if asset is not None:
                    card.__dict__[name] = self._asset(asset)
        return snapshot

    def _share_fields(self, model: BaseModel, same_url: str | None = None) -> None:
        """Share ``model``'s short texts and its set of filled field names."""
        values = model.__dict__
        for name, value in values.items():
            if type(value) is str:
                values[name] = same_url if value == same_url else self.text(value)
        filled = model.__pydantic_fields_set__
        shared = self._field_sets.setdefault(frozenset(filled), filled)
        object.__setattr__(model, "__pydantic_fields_set__", shared)

    def _asset(self, asset: MediaAsset) -> MediaAsset:
        filled = frozenset(asset.__pydantic_fields_set__)
        key = (asset.url, asset.path, asset.width, asset.height, asset.mime, filled)
        kept = self._assets.get(key)
        if kept is None:
            self._share_fields(asset)
            kept = self._assets[key] = asset
        return kept
