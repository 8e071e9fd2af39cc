"""What storyboard allows any request: byte caps by kind, time, tries, redirects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from storyboard import __version__

#: Caps on decompressed response bytes, by what is fetched.
JSON_LIMIT: Final = 1_000_000
PAGE_LIMIT: Final = 2_000_000
IMAGE_LIMIT: Final = 10_000_000

#: Statuses worth another try: the server asks to come back later.
RETRY_STATUSES: Final = frozenset({429, 503})

_USER_AGENT = f"storyboard/{__version__} (+https://pypi.org/project/storyboard/)"


@dataclass(frozen=True)
class FetchSettings:
    """Limits and identity of every request storyboard makes."""

    timeout: float = 15.0  # total deadline per try (connect + all bytes + redirects), seconds
    connect_timeout: float = 5.0
    allow_private_network: bool = False
    max_redirects: int = 5
    max_tries: int = 3  # retries only on 429, 503 and connection errors
    retry_after_cap: float = 60.0
    backoff_base: float = 0.5
    user_agent: str = _USER_AGENT
    #: Hosts whose requests go to another server (see ``net.host_map``); empty in real use.
    host_map: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.timeout <= 0 or self.connect_timeout <= 0:
            raise ValueError("timeouts must be positive")
        if self.max_tries < 1 or self.max_redirects < 0:
            raise ValueError("max_tries must be at least 1 and max_redirects at least 0")
