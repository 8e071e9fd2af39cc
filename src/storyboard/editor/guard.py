"""Who may talk to the editor: this machine's browser, holding the token, on our own origin.

The editor writes the story file, so a request it serves must come from the page it
printed, not from another site open in the same browser. Every request names the
random token in its path; the ``Host`` must be the loopback address and port we
listen on (a DNS-rebinding page has its own host name there); a request that says
where it comes from (``Origin``, ``Sec-Fetch-Site``) must come from us; and changes
are JSON POSTs, which a page on another origin cannot send without a CORS preflight
that is refused like everything else.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

#: The only address the editor listens on.
LOOPBACK = "127.0.0.1"


def new_token() -> str:
    """Return a fresh random token (about 190 bits), safe in a URL path."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused, and with which status."""

    status: int
    reason: str


@dataclass(frozen=True)
class Guard:
    """The checks every request to one editor passes before anything else happens."""

    token: str
    port: int

    @property
    def hosts(self) -> frozenset[str]:
        """Return the ``Host`` values a browser on this machine sends to us."""
        return frozenset({f"{LOOPBACK}:{self.port}", f"localhost:{self.port}"})

    @property
    def origins(self) -> frozenset[str]:
        """Return the origins of the editor's own page."""
        return frozenset(f"http://{host}" for host in self.hosts)

    @property
    def prefix(self) -> str:
        """Return the path every request starts with: ``/TOKEN/``."""
        return f"/{self.token}/"

    def strip_token(self, path: str) -> str | None:
        """Return the path after ``/TOKEN/`` (without the query), None without the token."""
        path = path.split("?", 1)[0].split("#", 1)[0]
        head, slash, rest = path.lstrip("/").partition("/")
        given = head.encode("utf-8", "replace")
        # Constant time: the answer's timing must not tell how much of a guess was right.
        if not slash or not hmac.compare_digest(given, self.token.encode()):
            return None
        return rest

    def check(self, method: str, path: str, headers: Mapping[str, str]) -> Refusal | None:
        """Return why the request is refused, or None when it may be served."""
        host = (headers.get("Host") or "").strip().lower()
        if host not in self.hosts:
            return Refusal(421, "wrong host: open the address the editor printed")
        if self.strip_token(path) is None:
            return Refusal(403, "missing or wrong token: open the address the editor printed")
        return self._check_origin(headers) or self._check_method(method, headers)

    def _check_origin(self, headers: Mapping[str, str]) -> Refusal | None:
        origin = headers.get("Origin")
        if origin is not None and origin.strip().lower() not in self.origins:
            return Refusal(403, "request from another origin")
        site = headers.get("Sec-Fetch-Site")
        if site is not None and site.strip().lower() not in ("same-origin", "none"):
            return Refusal(403, "request from another site")
        return None

    @staticmethod
    def _check_method(method: str, headers: Mapping[str, str]) -> Refusal | None:
        if method in ("GET", "HEAD"):
            return None
        if method != "POST":
            return Refusal(405, "method not allowed")
        if headers.get("Origin") is None:
            return Refusal(403, "a change must say its origin")
        mime = (headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if mime != "application/json":
            return Refusal(415, "changes are JSON (Content-Type: application/json)")
        return None


__all__ = ["LOOPBACK", "Guard", "Refusal", "new_token"]
