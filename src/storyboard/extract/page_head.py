"""The part of a page worth parsing for its metadata: its head, and its tags elsewhere.

What a page says about itself for discovery and cards (``<link>``, ``<meta>``,
``<title>``, ``<base>``) is in its head, apart from JSON-LD scripts and the odd
``<link>`` or ``<meta>`` a template puts in the body. The standard library's parser
takes microseconds per tag, so a hostile 2 MB page of unclosed tags would take half a
minute and hundreds of megabytes. Only the head (up to ``HEAD_LIMIT``) and those tags
from the rest (up to ``BODY_TAGS_LIMIT`` in all) are parsed, found with searches that
stay linear whatever the bytes are.
"""

from __future__ import annotations

import re
from typing import Final

#: The most of a page's head that is parsed, in characters.
HEAD_LIMIT: Final = 128_000
#: The most taken from the rest of the page (JSON-LD, links, metas), in characters.
BODY_TAGS_LIMIT: Final = 128_000

_HEAD_END = re.compile(r"</head\s*>|<body[\s>]", re.IGNORECASE)
_TAG = re.compile(r"<(script|link|meta)\b[^<>]{0,2000}>", re.IGNORECASE)
_SCRIPT_CLOSE = re.compile(r"</script", re.IGNORECASE)
_JSON_LD = re.compile(r"application/ld\+json", re.IGNORECASE)


def page_head_markup(html: str) -> str:
    """Return the page's head, and its JSON-LD, links and metas from elsewhere."""
    head_end = _HEAD_END.search(html, 0, HEAD_LIMIT)
    end = head_end.start() if head_end else min(len(html), HEAD_LIMIT)
    parts = [html[:end]]
    taken = 0
    position = end
    while (tag := _TAG.search(html, position)) is not None:
        block = tag.group(0)
        position = tag.end()
        if tag.group(1).lower() == "script":
            closing = _SCRIPT_CLOSE.search(html, position)
            if closing is None:
                break
            # A script's text is never markup; only JSON-LD is kept.
            is_json_ld = _JSON_LD.search(block) is not None
            block = html[tag.start() : closing.start()] + "</script>" if is_json_ld else ""
            position = closing.end()
        taken += len(block)
        if taken > BODY_TAGS_LIMIT:
            break
        parts.append(block)
    return "".join(parts)
