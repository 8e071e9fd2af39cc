"""A complete HTTP response and the decoding of its body as text or JSON."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from requests.structures import CaseInsensitiveDict

from storyboard.errors import FetchError

_JSON_MIME = re.compile(r"^application/(.+\+)?json$|^text/json$")
_HTML_MIMES = frozenset({"text/html", "application/xhtml+xml"})
_HTML_START = re.compile(r"\s*(<!doctype\s+html|<html[\s>])", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([a-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SNIFF_BYTES = 4096


@dataclass(frozen=True)
class HttpResponse:
    """A complete response: final URL after redirects, status, headers and body."""

    url: str
    status: int
    headers: Mapping[str, str]  # case-insensitive
    content: bytes

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", CaseInsensitiveDict(self.headers))

    @property
    def content_type(self) -> str:
        """Return the lowercase media type without parameters ('' if none was sent)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def text(self) -> str:
        """Decode the body by BOM, header charset, then <meta>/XML declaration; never raise."""
        return decode_text(self.content, self.headers.get("content-type", ""))

    def json(self) -> Any:
        """Parse the body as JSON whatever its content type, or raise FetchError naming the URL."""
        text = self.text()
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as exc:
            if self.content_type in _HTML_MIMES or _HTML_START.match(text):
                raise FetchError(
                    f"expected JSON but got HTML from {self.url}", url=self.url
                ) from exc
            if not text.strip():
                reason = "empty body"
            elif isinstance(exc, RecursionError):
                reason = "nested too deeply"
            else:
                reason = str(exc)
            raise FetchError(f"invalid JSON from {self.url}: {reason}", url=self.url) from exc


def decode_text(content: bytes, content_type: str = "") -> str:
    """Decode a body as its BOM, Content-Type or markup declares; fall back without raising."""
    declared = _declared_encoding(content, content_type)
    if declared is not None:
        return content.decode(declared, errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        # What browsers assume for legacy pages; replace keeps its 5 unmapped bytes from raising.
        return content.decode("cp1252", errors="replace")


def _declared_encoding(content: bytes, content_type: str) -> str | None:
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return encoding
    mime, *params = content_type.split(";")
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and (declared := _text_codec(value.strip(" \"'"))):
            return declared
    mime = mime.strip().lower()
    if _JSON_MIME.match(mime):
        return None  # JSON is UTF-8; an oEmbed "html" field may quote a <meta charset> of its own
    head = content[:_SNIFF_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if match and (sniffed := _text_codec(match.group(1).decode("ascii"))):
        # A document that can declare itself in ASCII is not UTF-16, whatever it says.
        return "utf-8" if sniffed.startswith("utf-16") else sniffed
    return None


def _text_codec(label: str) -> str | None:
    try:
        name = codecs.lookup(label).name
        # Rejects codecs that are not text encodings ("base64", "zlib"); empty input would not.
        b"\x00".decode(name, errors="replace")
    except LookupError:
        return None
    # Browsers read these labels as windows-1252, a superset; servers mean it too.
    return "cp1252" if name in {"ascii", "iso8859-1"} else name
