"""The request a story URL's resolving begins with, known before any answer, and asked early.

For a URL a provider answers for, the first request is the provider's oEmbed endpoint
(with the story's sizes): known from the URL and the registry alone. So are the server
it goes to (the per-host limit's key) and, while the rest of ``fetch`` still loads,
the answer itself: ``EarlyAnswers`` asks it and hands it to the resolver when it asks
the same request. Light: no models, no HTML parsers.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from storyboard.model.embed_sizes import DEFAULT_MAXWIDTH
from storyboard.net.limits import JSON_LIMIT
from storyboard.providers import Endpoint, Provider, ProviderRegistry, StoragePolicy

if TYPE_CHECKING:
    from storyboard.net import HttpClient, HttpResponse

JSON_ACCEPT = "application/json, text/javascript;q=0.5, */*;q=0.1"
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class ResolveSettings:
    """What the curator asked of the embeds: sizes passed to every provider."""

    maxwidth: int | None = DEFAULT_MAXWIDTH
    maxheight: int | None = None
    #: Keep the content of providers whose terms forbid it (``options.archive_restricted``).
    archive_restricted: bool = False


def server_of(url: str) -> str:
    """Return ``host`` or ``host:port`` (a port other than the scheme's default) of ``url``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None or _DEFAULT_PORTS.get(parts.scheme.lower()) == port:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class RequestHosts:
    """The server the first request for each URL goes to, for the per-host limits.

    The key is the host, with its port when the URL names one that is not the scheme's
    default: two ports are two servers, as browsers count connections.
    """

    def __init__(self, registry: ProviderRegistry) -> None:
        self._registry = registry
        #: An endpoint's server is the same for every URL it answers: worked out once.
        self._endpoint_servers: dict[str, str] = {}

    def __call__(self, url: str) -> str:
        """Return the server of ``url``'s first request."""
        match = self._registry.match(url)
        if match is None:
            return server_of(url)
        endpoint_url = match[1].url
        server = self._endpoint_servers.get(endpoint_url)
        if server is None:
            server = server_of(match[1].request_url(url, maxwidth=None, maxheight=None))
            self._endpoint_servers[endpoint_url] = server
        return server


def endpoint_request_url(
    provider: Provider, endpoint: Endpoint, key: str, settings: ResolveSettings
) -> str:
    """Return the oEmbed request for the story URL ``key`` (normalized) at ``endpoint``."""
    return endpoint.request_url(
        provider.endpoint_form(key), maxwidth=settings.maxwidth, maxheight=settings.maxheight
    )


def access_token(provider: Provider) -> str | None:
    """Return the user's access token for ``provider`` from the environment, if any."""
    token = os.environ.get(provider.token_variable, "") if provider.token_variable else ""
    return token or None


class EarlyAnswers:
    """Endpoint answers asked before the resolver wanted them; each handed over once.

    Only the plain case is asked early: a URL a provider's endpoint answers for, no
    short link to follow first, no access token, a provider whose answers may be kept.
    The resolver takes an answer only for the very request it would send (the same
    URL, hence the same sizes), so a guess that turns out wrong costs a request, never
    a different card.
    """

    def __init__(
        self, registry: ProviderRegistry, client: HttpClient, settings: ResolveSettings
    ) -> None:
        self._registry = registry
        self._client = client
        self._settings = settings
        self._lock = threading.Lock()
        self._answers: dict[str, Future[HttpResponse]] = {}

    def ask(self, key: str) -> None:
        """GET the endpoint request of the story URL ``key`` and keep its answer or error."""
        request = self._request_of(key)
        if request is None:
            return
        answer: Future[HttpResponse] = Future()
        try:
            answer.set_result(self._client.get(request, max_bytes=JSON_LIMIT, accept=JSON_ACCEPT))
        except Exception as exc:  # raised again where the resolver asks
            answer.set_exception(exc)
        with self._lock:
            self._answers[request] = answer

    def take(self, request: str) -> HttpResponse | None:
        """Return the answer to ``request`` (or raise its error) if it was asked; else None."""
        with self._lock:
            answer = self._answers.pop(request, None)
        return None if answer is None else answer.result()

    def _request_of(self, key: str) -> str | None:
        if self._registry.is_short_link(key):
            return None
        match = self._registry.match(key)
        if match is None:
            return None
        provider, endpoint = match
        if provider.storage is StoragePolicy.LINK_ONLY and not self._settings.archive_restricted:
            return None
        if access_token(provider) is not None:
            return None
        return endpoint_request_url(provider, endpoint, key, self._settings)
