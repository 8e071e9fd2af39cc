"""URLs that requests would send exactly as they are written, told apart without its work.

``PreparedRequest.prepare_url`` parses every URL with urllib3, percent-encodes it
byte by byte, IDNA-checks the host and re-quotes the whole: about half of a GET's own
CPU time on a near server, for URLs that almost always come out unchanged (endpoint
requests built with ``urlencode``, normalized post URLs). A URL made only of what that
work keeps as it is (a lowercase scheme and host, a port without leading zeros, a
path and a non-empty query of characters no step encodes, upper-case percent escapes of
characters only an escape may stand for, no dot segments, no fragment) is passed as
it is; any other takes requests' way. ``tests/test_prepared_url.py`` compares the two.
"""

from __future__ import annotations

import re
import string
from typing import Any

from requests import PreparedRequest

_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_SAFE = r"A-Za-z0-9\-._~!$&'()*+,;=:@/"
_AS_PREPARED = re.compile(
    r"https?://"
    r"[a-z0-9-]+(?:\.[a-z0-9-]+)*"  # a lowercase name or IPv4 address, no IDNA, no dots around
    r"(?::[1-9][0-9]{0,4})?"
    rf"/(?:[{_SAFE}]|%[0-9A-F]{{2}})*"
    rf"(?:\?(?:[{_SAFE}?]|%[0-9A-F]{{2}})+)?"  # an empty query ("?") is dropped
)
_ESCAPE = re.compile(r"%([0-9A-F]{2})")
_PORT = re.compile(r"//[^/]*:([0-9]+)/")


def sent_as_written(url: str) -> bool:
    """Tell whether requests would send ``url`` unchanged (False: it may change it)."""
    if not _AS_PREPARED.fullmatch(url) or "/." in url:
        return False  # "/." : a dot segment urllib3 would remove, or a dot after a slash
    if any(chr(int(code, 16)) in _UNRESERVED for code in _ESCAPE.findall(url)):
        return False  # requests would write the escaped character itself
    port = _PORT.match(url, url.index("//"))
    return port is None or int(port.group(1)) <= 65535


class CheckedRequest(PreparedRequest):
    """A ``PreparedRequest`` that skips requests' URL work where it would change nothing."""

    def prepare_url(self, url: Any, params: Any) -> None:
        """Keep ``url`` if requests would send it as it is; else prepare it as requests does."""
        if params is None and isinstance(url, str) and sent_as_written(url):
            self.url = url
            return
        super().prepare_url(url, params)
