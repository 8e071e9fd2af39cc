"""Guess which of the page languages a text is written in, from its commonest words.

An import (a Storify export) says nothing of its language, and a Swedish story rendered
with English labels is wrong for every reader. Babel knows how each language writes
dates, not which language a text is in; a full language detector is a large dependency
for three languages whose everyday words barely overlap. So: count the short function
words ("och", "ja", "the") of each language, and fall back when the text says too little.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Frequent words that are rare in the other two languages (none shared between lists).
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "the",
            "and",
            "of",
            "to",
            "is",
            "in",
            "that",
            "it",
            "for",
            "was",
            "are",
            "with",
            "as",
            "this",
            "be",
            "at",
            "by",
            "have",
            "from",
            "or",
            "not",
            "but",
            "what",
            "all",
            "were",
            "we",
            "when",
            "your",
            "can",
            "there",
            "been",
            "has",
            "our",
            "you",
            "they",
            "their",
        ]
    ),
    "sv": frozenset(
        [
            "och",
            "att",
            "det",
            "som",
            "är",
            "för",
            "på",
            "med",
            "av",
            "den",
            "till",
            "inte",
            "har",
            "de",
            "ett",
            "om",
            "jag",
            "var",
            "men",
            "så",
            "vi",
            "kan",
            "när",
            "från",
            "också",
            "eller",
            "här",
            "nu",
            "mycket",
            "hur",
            "vad",
            "efter",
            "under",
            "alla",
            "vår",
        ]
    ),
    "fi": frozenset(
        [
            "ja",
            "on",
            "ei",
            "se",
            "että",
            "oli",
            "kun",
            "mutta",
            "niin",
            "myös",
            "hän",
            "ovat",
            "tämä",
            "sen",
            "jo",
            "vain",
            "tai",
            "kuin",
            "ole",
            "olla",
            "nyt",
            "mitä",
            "joka",
            "siitä",
            "ovat",
            "meidän",
            "tänään",
            "täällä",
            "kanssa",
            "sekä",
        ]
    ),
}
#: Fewer hits than this is no evidence: keep the fallback.
MIN_HITS = 3
_WORD = re.compile(r"[^\W\d_]+")


def guess_language(texts: Iterable[str], fallback: str = "en") -> str:
    """Return the language code whose common words occur most in ``texts``, else ``fallback``."""
    counts = dict.fromkeys(STOPWORDS, 0)
    for text in texts:
        for word in _WORD.findall(re.sub(r"<[^>]*>", " ", text).casefold()):
            for code, words in STOPWORDS.items():
                if word in words:
                    counts[code] += 1
    best = max(counts, key=lambda code: counts[code])
    if counts[best] < MIN_HITS:
        return fallback
    return best
