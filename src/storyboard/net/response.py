"""A complete HTTP response and the decoding of its body as text or JSON."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import charset_normalizer
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
#: Where browsers look for ``<meta charset>``: the first 1024 bytes.
_SNIFF_BYTES = 1024
#: Enough of a body for charset-normalizer to tell, without reading a whole page.
_DETECT_BYTES = 64 * 1024
#: Fewer non-ASCII bytes than this give detection too little to go on.
_DETECT_MIN_BYTES = 16
#: Python codecs whose labels are no web charset (``<meta charset=idna>`` is a mistake).
_NOT_CHARSETS = frozenset({"idna", "punycode", "raw_unicode_escape", "unicode_escape", "undefined"})
#: Labels browsers read as a superset, as servers mean them (WHATWG Encoding).
_BROWSER_SUPERSETS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
    "gb2312": "gbk",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}
_SINGLE_BYTE_GUESSES = frozenset({"cp1252", "iso8859-15"})


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
    """Decode a body as browsers would, repairing a missing or wrong declaration; never raise.

    The order is the HTML standard's: a BOM, the HTTP ``charset``, then (not for JSON,
    which is UTF-8 unless the header says otherwise) ``<meta charset>`` or
    ``http-equiv`` in the first 1024 bytes. A declaration the bytes contradict (they
    do not decode, or a legacy single-byte label over valid multi-byte UTF-8) is
    wrong and ignored; without a usable one the bytes are UTF-8 if they decode as
    UTF-8, else what charset-normalizer detects, else windows-1252.
    """
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return content.decode(encoding, errors="replace")
    for declared in _declared_encodings(content, content_type):
        if _fits(content, declared):
            return content.decode(declared)
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    detected = _detected_encoding(content)
    if detected is not None:
        return content.decode(detected, errors="replace")
    # What browsers assume for legacy pages; replace keeps its 5 unmapped bytes from raising.
    return content.decode("cp1252", errors="replace")


def _declared_encodings(content: bytes, content_type: str) -> Iterator[str]:
    mime, *params = content_type.split(";")
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and (declared := _text_codec(value.strip(" \"'"))):
            yield declared
    if _JSON_MIME.match(mime.strip().lower()):
        return  # JSON is UTF-8; an oEmbed "html" field may quote a <meta charset> of its own
    head = content[:_SNIFF_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if match and (sniffed := _text_codec(match.group(1).decode("ascii"))):
        # A document that can declare itself in ASCII is not UTF-16, whatever it says.
        yield "utf-8" if sniffed.startswith("utf-16") else sniffed


def _fits(content: bytes, encoding: str) -> bool:
    """Tell whether ``content`` reads as ``encoding`` without contradicting it."""
    try:
        content.decode(encoding)
    except UnicodeDecodeError:
        return False
    if encoding in _SINGLE_BYTE_GUESSES and not content.isascii():
        # Latin-1 over UTF-8 decodes without an error, as mojibake: multi-byte UTF-8
        # that decodes cleanly is far likelier UTF-8 than a label someone forgot.
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False
    return True


def _detected_encoding(content: bytes) -> str | None:
    sample = content[:_DETECT_BYTES]
    if sum(byte >= 0x80 for byte in sample) < _DETECT_MIN_BYTES:
        return None  # a word or two of Latin text: any guess is noise, windows-1252 is not
    best = charset_normalizer.from_bytes(sample).best()
    if best is None:
        return None
    return _text_codec(best.encoding)


def _text_codec(label: str) -> str | None:
    """Return the Python codec a charset label stands for as browsers read it, or None."""
    try:
        name = codecs.lookup(label).name
        # Rejects codecs that are not text encodings ("base64", "zlib", "undefined").
        b"\x00".decode(name, errors="replace")
    except (LookupError, UnicodeError, TypeError, ValueError):
        return None
    if name in _NOT_CHARSETS:
        return None
    return _BROWSER_SUPERSETS.get(name, name)
