"""Read an export file and tell by its content which of Storify's formats it is.

People kept their stories under any name (``story.json`` that is JSONP, ``export.txt``
that is XML, ``Story.htm``), so the file name decides nothing: the first bytes do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from storyboard.errors import Problem, UsageError
from storyboard.fsio import FileTooLargeError, read_bounded
from storyboard.importers.storify.html_export import read_html
from storyboard.importers.storify.json_export import decode_json
from storyboard.importers.storify.xml_export import read_xml

MAX_EXPORT_BYTES = 100_000_000
_BOMS = (b"\xef\xbb\xbf",)
_JSONP_RE = re.compile(rb"[A-Za-z_$][\w$.]*\s*\(\s*[\[{]")
_HTML_RE = re.compile(rb"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
_SNIFF_BYTES = 4096


@dataclass(frozen=True)
class ExportDocument:
    """An export decoded into the API's JSON shape, whatever format it came in."""

    format: str  # "JSON", "JSONP", "XML" or "HTML"
    document: object
    warnings: list[Problem] = field(default_factory=list)
    #: For a saved page: picture references -> the files saved beside it.
    local_pictures: dict[str, Path] = field(default_factory=dict)


def read_export_file(path: Path) -> ExportDocument:
    """Read ``path`` and decode it by its content; raise ``UsageError`` naming the problem."""
    where = str(path)
    try:
        data = read_bounded(path, MAX_EXPORT_BYTES)
    except FileTooLargeError as exc:
        raise UsageError(f"{where}: larger than {MAX_EXPORT_BYTES:,} bytes") from exc
    except OSError as exc:
        raise UsageError(f"{where}: cannot read: {exc.strerror or exc}") from exc
    return decode_export(data, where, page_path=path)


def decode_export(data: bytes, source: str, *, page_path: Path | None = None) -> ExportDocument:
    """Decode the bytes of an export; ``page_path`` locates pictures saved beside a page."""
    kind = sniff_format(data)
    if kind == "HTML":
        page = read_html(data, source, page_path)
        return ExportDocument("HTML", page.document, page.warnings, page.local_pictures)
    if kind == "XML":
        return ExportDocument("XML", read_xml(data, source))
    if kind is None:
        raise UsageError(f"{source}: {_what_it_is(data)}, not a Storify export")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{source}: not UTF-8 text (byte {exc.start})") from exc
    decoded = decode_json(text, source)
    name = "JSONP" if decoded.wrapped_in else "JSON"
    return ExportDocument(name, decoded.document, decoded.warnings)


def sniff_format(data: bytes) -> str | None:
    """Return "JSON", "JSONP", "XML" or "HTML" from how ``data`` begins, else None."""
    start = data[:_SNIFF_BYTES]
    for bom in _BOMS:
        start = start.removeprefix(bom)
    start = start.lstrip()
    if start.startswith((b"{", b"[")):
        return "JSON"
    if _JSONP_RE.match(start):
        return "JSONP"
    if start.startswith(b"<"):
        return "HTML" if _HTML_RE.search(start) else "XML"
    return None


def _what_it_is(data: bytes) -> str:
    if not data.strip():
        return "an empty file"
    start = data[:_SNIFF_BYTES].lstrip()
    if start.startswith(b"%PDF"):
        return "a PDF document"
    if start.startswith(b"PK\x03\x04"):
        return "a ZIP archive (unpack it and import the story file inside)"
    shown = start[:16].decode("utf-8", "replace")
    printable = "".join(c if c.isprintable() else "?" for c in shown)
    return f"neither JSON, XML nor HTML (it begins {printable!r})"
