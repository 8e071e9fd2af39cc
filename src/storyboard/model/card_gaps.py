"""Filling a card's gaps from another card of the same post: the one merge rule for cards.

A field the card already has always wins; only empty ones are taken from the other
source (an older snapshot, an imported oEmbed answer, a page's metadata). ``kind``
and ``url`` are never empty, so a card keeps what it is and where it points.
"""

from __future__ import annotations

from storyboard.model.card import Card


def fill_card_gaps(card: Card, source: Card) -> Card:
    """Return ``card`` with its empty fields taken from ``source``."""
    missing = {
        name: getattr(source, name)
        for name in Card.model_fields
        if getattr(card, name) is None and getattr(source, name) is not None
    }
    return card.model_copy(update=missing) if missing else card
