"""The embed width asked of providers when the story sets none (``options.maxwidth``).

Apart from ``model.story`` so that what reads the story before its models load
(``storyfile.quick_read``, ``fetch.first_request``) takes the same default without pydantic.
"""

from __future__ import annotations

#: In CSS pixels: the story column's width in the built-in theme.
DEFAULT_MAXWIDTH = 550
