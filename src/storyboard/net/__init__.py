"""The only package that talks HTTP: the address guard, the bounded transport, the client."""

from storyboard.net.client import HttpClient, parse_retry_after
from storyboard.net.guard import check_address_allowed
from storyboard.net.limits import IMAGE_LIMIT, JSON_LIMIT, PAGE_LIMIT, RETRY_STATUSES, FetchSettings
from storyboard.net.response import HttpResponse, decode_text

__all__ = [
    "IMAGE_LIMIT",
    "JSON_LIMIT",
    "PAGE_LIMIT",
    "RETRY_STATUSES",
    "FetchSettings",
    "HttpClient",
    "HttpResponse",
    "check_address_allowed",
    "decode_text",
    "parse_retry_after",
]
