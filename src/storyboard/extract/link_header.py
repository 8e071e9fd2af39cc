"""The HTTP ``Link`` header (RFC 8288): oEmbed discovery and API paging both read it."""

from __future__ import annotations


def parse_link_header(value: str) -> list[tuple[str, dict[str, str]]]:
    """Parse an HTTP ``Link`` header (RFC 8288) into (target, lowercase-named params).

    Tolerant: a malformed link is skipped, not fatal. Commas and semicolons inside
    ``<...>`` and quoted strings do not split links.
    """
    links: list[tuple[str, dict[str, str]]] = []
    pos, end = 0, len(value)
    while pos < end:
        start = value.find("<", pos)
        if start < 0:
            break
        close = value.find(">", start + 1)
        if close < 0:
            break
        target = value[start + 1 : close].strip()
        params, pos = _link_params(value, close + 1)
        if target:
            links.append((target, params))
    return links


def _link_params(value: str, pos: int) -> tuple[dict[str, str], int]:
    """Read ``; name=value`` pairs after a link target, up to the comma ending the link."""
    params: dict[str, str] = {}
    end = len(value)
    while pos < end:
        char = value[pos]
        if char == ",":
            return params, pos + 1
        if char in " \t;":
            pos += 1
            continue
        if char == "<":  # a new link without the comma before it
            return params, pos
        name_end = pos
        while name_end < end and value[name_end] not in "=;,< \t":
            name_end += 1
        name = value[pos:name_end].lower().rstrip("*")
        pos = name_end
        while pos < end and value[pos] in " \t":
            pos += 1
        param = ""
        if pos < end and value[pos] == "=":
            param, pos = _param_value(value, pos + 1)
        if name and name not in params:  # RFC 8288: the first occurrence wins
            params[name] = param
    return params, pos


def _param_value(value: str, pos: int) -> tuple[str, int]:
    end = len(value)
    while pos < end and value[pos] in " \t":
        pos += 1
    if pos < end and value[pos] == '"':
        chars: list[str] = []
        pos += 1
        while pos < end and value[pos] != '"':
            if value[pos] == "\\" and pos + 1 < end:
                pos += 1
            chars.append(value[pos])
            pos += 1
        return "".join(chars), pos + 1
    start = pos
    while pos < end and value[pos] not in ";,< \t":  # a token has no spaces
        pos += 1
    return value[start:pos], pos


def link_with_rel(value: str, rel: str) -> str | None:
    """Return the first target of a ``Link`` header whose ``rel`` names ``rel``, or None.

    ``rel`` holds space-separated relation types, compared without regard to case
    (``rel="next last"`` is a ``next`` link).
    """
    wanted = rel.lower()
    for target, params in parse_link_header(value):
        if wanted in params.get("rel", "").lower().split():
            return target
    return None
