"""The oEmbed answer: lenient on what real providers send, strict on what cannot be used.

Real answers bend the spec: ``version`` as a number or missing, sizes as strings
(``"500"``, ``"100%"``) or ``null``, ``cache_age`` as a string. Such values are
normalized or dropped, never fatal. An answer is refused only when nothing can be
built from it: not an object, no known ``type``, a photo without ``url``, a video or
rich answer without ``html``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from storyboard import loose
from storyboard.errors import OEmbedError

OEmbedType = Literal["photo", "video", "rich", "link"]
OEMBED_TYPES: tuple[str, ...] = get_args(OEmbedType)

#: The fields whose values are URLs: relative ones are resolved against the endpoint.
URL_FIELDS = ("url", "thumbnail_url", "author_url", "provider_url")

# A DOCTYPE is how entity bombs and external entities get in; no oEmbed answer needs one.
_DOCTYPE = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _markup(value: object) -> str | None:
    """Keep a non-blank string as it is; anything else is no markup."""
    return value if isinstance(value, str) and value.strip() else None


def _oembed_type(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


Text = Annotated[str | None, BeforeValidator(loose.text)]
Count = Annotated[int | None, BeforeValidator(loose.count)]
Markup = Annotated[str | None, BeforeValidator(_markup)]
HttpUrl = Annotated[str | None, BeforeValidator(loose.http_url)]


class OEmbed(BaseModel):
    """The normalized fields of one oEmbed answer (the raw answer is kept by the caller)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    type: Annotated[OEmbedType, BeforeValidator(_oembed_type)]
    version: Text = None
    title: Text = None
    author_name: Text = None
    author_url: HttpUrl = None
    provider_name: Text = None
    provider_url: HttpUrl = None
    #: Seconds the answer may be cached (X says about 100 years, as a string).
    cache_age: Count = None
    thumbnail_url: HttpUrl = None
    thumbnail_width: Count = None
    thumbnail_height: Count = None
    #: The image of a ``photo`` answer.
    url: HttpUrl = None
    #: The embed markup of a ``video`` or ``rich`` answer: untrusted, sanitize before use.
    html: Markup = None
    width: Count = None
    height: Count = None
    # Not in the spec, but sent by Vimeo, SoundCloud and others; a card shows them.
    description: Text = None
    # When the item was published, under whichever name its provider uses (Vimeo's
    # ``upload_date``...). Named here rather than kept as free extras: an answer's
    # other fields stay in the snapshot's raw data, not in this model.
    upload_date: Text = None
    published_at: Text = None
    published: Text = None
    created_at: Text = None
    date: Text = None
    timestamp: Text = None

    def dates(self) -> list[str]:
        """Return the provider's publication dates as sent, most specific name first."""
        values = (self.upload_date, self.published_at, self.published, self.created_at)
        return [value for value in (*values, self.date, self.timestamp) if value]


def _unusable(source: str, reason: str) -> OEmbedError:
    return OEmbedError(f"unusable oEmbed answer from {source}: {reason}", url=source)


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, str):
        return "a JSON string"
    if value is None:
        return "JSON null"
    return "a JSON value"


def _provider_says(data: dict[str, Any]) -> str:
    # Mastodon answers {"error": "Record not found"}; others use "message".
    for key in ("error", "message", "error_message"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return f" (the provider says: {value.strip()[:200]})"
    return ""


def parse_oembed(data: object, *, source: str) -> OEmbed:
    """Validate an oEmbed answer received from ``source`` (the endpoint URL)."""
    if not isinstance(data, dict):
        raise _unusable(source, f"{_json_kind(data)}, not an object")
    kind = _oembed_type(data.get("type"))
    if kind is None:
        raise _unusable(source, "no type" + _provider_says(data))
    if kind not in OEMBED_TYPES:
        raise _unusable(source, f"unknown type {str(kind)[:40]!r}" + _provider_says(data))
    fields = dict(data)
    if urlsplit(source).scheme in ("http", "https"):
        for key in URL_FIELDS:
            value = fields.get(key)
            if isinstance(value, str) and value.strip():
                fields[key] = urljoin(source, value.strip())
    try:
        oembed = OEmbed.model_validate(fields)
    except ValidationError as exc:  # the validators are lenient; this is a safety net
        raise _unusable(source, str(exc.errors()[0]["msg"])) from exc
    if oembed.type == "photo" and oembed.url is None:
        raise _unusable(source, "a photo needs a url")
    if oembed.type == "video" and oembed.html is None:
        raise _unusable(source, "a video needs html")
    if oembed.type == "rich" and oembed.html is None:
        raise _unusable(source, "a rich embed needs html")
    return oembed


def parse_oembed_xml(text: str, *, source: str) -> dict[str, object]:
    """Read a ``text/xml+oembed`` answer into the dict a JSON answer would have been."""
    if _DOCTYPE.search(text):
        raise _unusable(source, "XML with a DOCTYPE or entity declaration is refused")
    try:
        root = ET.fromstring(text.lstrip("\ufeff \t\r\n"))  # noqa: S314 (see _DOCTYPE)
    except ET.ParseError as exc:
        raise _unusable(source, f"not well-formed XML ({exc})") from exc
    if _local_name(root.tag) != "oembed":
        raise _unusable(source, f"the XML root is <{_local_name(root.tag)}>, not <oembed>")
    result: dict[str, object] = {}
    for child in root:
        name = _local_name(child.tag)
        if name and name not in result:
            result[name] = "".join(child.itertext()).strip()
    return result


def _local_name(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
