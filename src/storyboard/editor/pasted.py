"""What a paste (or a drop) holds: the http(s) addresses in it, and what only looks like one.

Curators paste whole messages, lists copied from a spreadsheet, a link with a comma
after it, and now and then an address with a typo (``htps://``, ``https//``, a bare
``www.``) or one that is no web page at all (``javascript:``, ``file:``). The good
addresses become items; the others are named back to the curator, with the address
meant when that is clear, and never written to the story.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from storyboard.urls import check_http_url, normalize_url

#: What a pasted text's URLs look like: http(s) up to the next space or angle bracket.
_URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
#: Characters that end a sentence rather than a URL pasted with it.
_TRAILING = ".,;:!?)]}"
#: A word that tries to be an address: a scheme (maybe misspelt) and slashes, or "www.".
_SCHEME_LIKE_RE = re.compile(
    r"^(?P<scheme>[a-z][a-z0-9+.\-]{0,15})(?P<sep>:/*|;/*|/+)(?P<rest>.*)$"
)
#: Schemes that are addresses but never of a post: refused as they are.
_OTHER_SCHEMES = frozenset(
    {"javascript", "data", "vbscript", "file", "ftp", "mailto", "blob", "about", "chrome"}
)


@dataclass(frozen=True)
class NotAnAddress:
    """A pasted word that looks like an address but is not an http(s) one."""

    given: str
    fixed: str | None = None  # the address it probably means, when that is clear


@dataclass
class Pasted:
    """The addresses in a paste, each once, in order; and the words refused."""

    urls: list[str] = field(default_factory=list)
    refused: list[NotAnAddress] = field(default_factory=list)


def urls_in(text: str) -> list[str]:
    """Return the http(s) URLs in pasted text, in order, each once."""
    return read_pasted(text).urls


def read_pasted(text: str) -> Pasted:
    """Return the http(s) URLs in ``text`` and the words that only look like addresses."""
    pasted = Pasted()
    seen: set[str] = set()
    for raw in re.split(r"[\s<>\"']+", text):
        word = raw.strip("([{").rstrip(_TRAILING)
        if not word:
            continue
        found = _URL_RE.search(word)
        if found:
            word = word[found.start() :]  # "see:https://..." pastes the address after it
            try:
                url = check_http_url(word)
            except ValueError:
                pasted.refused.append(NotAnAddress(raw))
                continue
            key = normalize_url(url)
            if key not in seen:
                seen.add(key)
                pasted.urls.append(url)
            continue
        refused = _not_an_address(word)
        if refused is not None:
            pasted.refused.append(NotAnAddress(raw, refused.fixed))
    return pasted


def _not_an_address(word: str) -> NotAnAddress | None:
    """Return ``word`` as a refused address if it tries to be one; None for plain words."""
    lower = word.lower()
    if lower.startswith("www.") and "." in lower[4:]:
        return NotAnAddress(word, _checked("https://" + word))
    match = _SCHEME_LIKE_RE.match(lower)
    if match is None:
        return None
    scheme, rest = match["scheme"], word[match.start("rest") :]
    if scheme in _OTHER_SCHEMES:
        return NotAnAddress(word)
    # "note:this" is a word with a colon; "htps://host.example/x" an address misspelt.
    has_host = "." in rest.lstrip("/").split("/", 1)[0]
    close = difflib.get_close_matches(scheme, ["https", "http"], n=1, cutoff=0.6)
    if close and has_host:
        return NotAnAddress(word, _checked(f"{close[0]}://{rest.lstrip('/')}"))
    return NotAnAddress(word) if "://" in word else None


def _checked(url: str) -> str | None:
    try:
        return check_http_url(url)
    except ValueError:
        return None


__all__ = ["NotAnAddress", "Pasted", "read_pasted", "urls_in"]
