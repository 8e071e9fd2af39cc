"""Read Storify's XML export: the API's story object, spelled in XML.

The export menu's XML is the JSON answer written as elements: ``<title>``,
``<description>``, ``<author><username>...``, ``<date><published>...`` and an
``<elements>`` holding one ``<element>`` per item, each with ``<type>`` (or
``<elementClass>``), ``<permalink>``, ``<data><quote><text>``... This reader turns it
back into the JSON shape (repeated children become lists, attributes become fields,
every value stays text), so the one element mapper reads both. A text block's HTML is
kept as it came: escaped or in CDATA, or as XHTML elements, which are serialized back.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from storyboard.errors import UsageError

#: Containers whose children are a list even when there is only one.
_LIST_CONTAINERS = frozenset({"elements", "items", "editors", "topics"})
#: Tags that mean markup inside a text field, not structure.
_XHTML_TAGS = frozenset(
    {"p", "a", "br", "b", "i", "em", "strong", "span", "div", "ul", "ol", "li", "blockquote"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "u", "s", "img"}
)
_STORY_ROOTS = frozenset({"story", "content"})
# A document type declaration is where XML bombs and external entities begin; an
# export never has one, so refusing it leaves the parser nothing dangerous to do.
_DOCTYPE_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def read_xml(data: bytes, source: str) -> dict[str, object]:
    """Parse an XML export into the JSON shape; raise ``UsageError`` naming what is wrong."""
    if _DOCTYPE_RE.search(data):
        raise UsageError(
            f"{source}: the XML has a document type declaration; refused (an export has none)"
        )
    try:
        root = ET.fromstring(data)  # noqa: S314 (no DTD: checked above)
    except ET.ParseError as exc:
        line, column = exc.position
        message = str(exc).split(":")[0]
        raise UsageError(f"{source}:{line}:{column + 1}: not well-formed XML ({message})") from exc
    except RecursionError as exc:
        raise UsageError(f"{source}: the XML is nested too deeply") from exc
    tag = _local(root.tag)
    value = _value(root)
    if tag in _STORY_ROOTS and isinstance(value, dict):
        return {"content": value}
    if isinstance(value, dict) and ("content" in value or "elements" in value):
        return value
    raise UsageError(f"{source}: an XML document (<{tag}>), but not a Storify story: no <elements>")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _value(node: ET.Element) -> object:
    children = list(node)
    tag = _local(node.tag)
    if children and all(_local(child.tag).lower() in _XHTML_TAGS for child in children):
        return _inner_markup(node)
    if not children and not node.attrib:
        return (node.text or "").strip()
    if tag in _LIST_CONTAINERS:
        return [_value(child) for child in children]
    fields: dict[str, object] = {_local(name): value for name, value in node.attrib.items()}
    for child in children:
        name = _local(child.tag)
        value = _value(child)
        if name in fields:
            existing = fields[name]
            if isinstance(existing, list) and name in _repeated(node):
                existing.append(value)
            else:
                fields[name] = [existing, value]
        else:
            fields[name] = value
    if len(fields) == 1 and len(children) > 1:
        (only,) = fields.values()
        if isinstance(only, list):  # <elements><element/><element/></elements>
            return only
    return fields


def _repeated(node: ET.Element) -> set[str]:
    names = [_local(child.tag) for child in node]
    return {name for name in names if names.count(name) > 1}


def _inner_markup(node: ET.Element) -> str:
    parts = [node.text or ""]
    for child in node:
        for element in child.iter():
            element.tag = _local(element.tag)
        parts.append(ET.tostring(child, encoding="unicode", short_empty_elements=True))
    return "".join(parts).strip()
