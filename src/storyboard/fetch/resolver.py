"""Resolve one URL into a snapshot: provider registry, then discovery, then page metadata."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlsplit

from storyboard.clock import Clock, utc_now
from storyboard.errors import FetchError
from storyboard.extract.discovery import DiscoveredEndpoint, find_oembed_links
from storyboard.extract.oembed import OEmbed, parse_oembed, parse_oembed_xml
from storyboard.extract.oembed_card import card_from_oembed
from storyboard.extract.page_card import card_from_page_metadata
from storyboard.extract.page_metadata import extract_page_metadata
from storyboard.extract.sanitize import sanitize_post_text
from storyboard.fetch.assets import AssetArchive, archive_card_media
from storyboard.model.card import Card, CardKind, MediaAsset
from storyboard.model.card_gaps import fill_card_gaps
from storyboard.model.snapshot import Snapshot, SnapshotStatus, Source, SourceKind
from storyboard.net import JSON_LIMIT, PAGE_LIMIT, HttpClient, HttpResponse
from storyboard.providers import Provider, ProviderRegistry
from storyboard.urls import host_of, normalize_url

_JSON_ACCEPT = "application/json, text/javascript;q=0.5, */*;q=0.1"
_XML_ACCEPT = "text/xml, application/xml;q=0.9, */*;q=0.1"
_PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class ResolveSettings:
    """What the curator asked of the embeds: sizes passed to every provider."""

    maxwidth: int | None = 550
    maxheight: int | None = None


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


@dataclass(frozen=True)
class Resolution:
    """What resolving one URL found: its snapshot, and what could not be kept of it."""

    snapshot: Snapshot
    #: Why each picture of the card that could not be archived was lost (never fatal:
    #: the card still renders, with the remote picture or without it).
    unarchived: tuple[str, ...] = ()


class UrlResolver:
    """Turn a URL into a ``Snapshot``; one instance serves every worker thread."""

    def __init__(
        self,
        *,
        registry: ProviderRegistry,
        client: HttpClient,
        archive: AssetArchive | None,
        settings: ResolveSettings | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.registry = registry
        self.clock = clock
        self.client = client
        self.archive = archive
        self.settings = settings or ResolveSettings()

    def request_host(self, url: str) -> str:
        """Return the server the first request for ``url`` goes to (for per-host limits).

        The key is the host, with its port when the URL names one that is not the
        scheme's default: two ports are two servers, as browsers count connections.
        """
        match = self.registry.match(url)
        if match is not None:
            return server_of(match[1].request_url(url, maxwidth=None, maxheight=None))
        return server_of(url)

    def resolve(self, url: str) -> Resolution:
        """Fetch what can be learned of ``url`` and archive its pictures.

        Raises ``FetchError`` if nothing can be learned.
        """
        return self._archive_media(self._snapshot_of(normalize_url(url), url))

    def _snapshot_of(self, key: str, url: str) -> Snapshot:
        match = self.registry.match(key) or self.registry.match(url)
        if match is not None:
            provider, endpoint = match
            endpoint_url = endpoint.request_url(
                key, maxwidth=self.settings.maxwidth, maxheight=self.settings.maxheight
            )
            try:
                return self._from_endpoint(
                    key,
                    endpoint_url,
                    fmt="json",
                    kind=SourceKind.PROVIDER,
                    provider=provider,
                    iframe_hosts=provider.iframe_hosts,
                )
            except FetchError as exc:
                # oembed.com's registry lists endpoints that have since gone away.
                if exc.gone or not (endpoint.discovery or provider.from_oembed_registry):
                    raise
                # The endpoint is down or odd; the page may still name one or carry metadata.
                try:
                    return self._from_page(key)
                except FetchError:
                    raise exc from None
        return self._from_page(key)

    # -- the three sources --------------------------------------------------------

    def _from_endpoint(
        self,
        url: str,
        endpoint_url: str,
        *,
        fmt: str,
        kind: SourceKind,
        provider: Provider | None,
        iframe_hosts: frozenset[str],
    ) -> Snapshot:
        accept = _JSON_ACCEPT if fmt == "json" else _XML_ACCEPT
        response = self.client.get(endpoint_url, max_bytes=JSON_LIMIT, accept=accept)
        raw = _decode_oembed(response, fmt)
        oembed = parse_oembed(raw, source=endpoint_url)
        card = card_from_oembed(oembed, url=url, provider=provider, iframe_hosts=iframe_hosts)
        name = provider.name if provider else oembed.provider_name
        return self._snapshot(
            url,
            Source(kind=kind, provider_name=name, endpoint=endpoint_url),
            raw=raw,
            oembed=oembed,
            card=card,
        )

    def _from_page(self, url: str) -> Snapshot:
        response = self.client.get(url, max_bytes=PAGE_LIMIT, accept=_PAGE_ACCEPT)
        if response.content_type in _IMAGE_TYPES:
            card = Card(kind=CardKind.PHOTO, url=url, image=MediaAsset(url=response.url))
            return self._snapshot(
                url, Source(kind=SourceKind.PAGE_METADATA, endpoint=response.url), card=card
            )
        html = response.text()
        links = find_oembed_links(
            html, base_url=response.url, link_header=response.headers.get("Link")
        )
        discovery_error: FetchError | None = None
        for link in links:
            try:
                snapshot = self._from_discovered(url, link, page_host=host_of(response.url))
                return _with_page_text(snapshot, html, response.url)
            except FetchError as exc:
                if exc.gone:
                    raise
                discovery_error = discovery_error or exc
        meta = extract_page_metadata(html, base_url=response.url)
        card = card_from_page_metadata(meta, url=url)
        raw = meta.model_dump(mode="json", exclude_none=True)
        if discovery_error is not None:
            raw["discovery_error"] = str(discovery_error)
        return self._snapshot(
            url,
            Source(
                kind=SourceKind.PAGE_METADATA, provider_name=meta.site_name, endpoint=response.url
            ),
            raw=raw,
            card=card,
        )

    def _from_discovered(self, url: str, link: DiscoveredEndpoint, *, page_host: str) -> Snapshot:
        # A discovered endpoint is trusted for iframes from its own host and the page's
        # (a Mastodon server embeds its posts from itself), never from anywhere else.
        provider = self.registry.match(link.url)
        hosts = frozenset({page_host, host_of(link.url)})
        return self._from_endpoint(
            url,
            link.url,
            fmt=link.fmt,
            kind=SourceKind.DISCOVERY,
            provider=provider[0] if provider else None,
            iframe_hosts=hosts | (provider[0].iframe_hosts if provider else frozenset()),
        )

    # -- assembling ---------------------------------------------------------------

    def _snapshot(
        self,
        url: str,
        source: Source,
        *,
        card: Card,
        raw: dict[str, Any] | None = None,
        oembed: OEmbed | None = None,
    ) -> Snapshot:
        return Snapshot(
            url=url,
            status=SnapshotStatus.OK,
            source=source,
            fetched_at=self.clock(),
            raw=raw,
            oembed=oembed.model_dump(mode="json", exclude_none=True) if oembed else None,
            card=card,
        )

    def _archive_media(self, snapshot: Snapshot) -> Resolution:
        """Keep local copies of the card's images; a failed download keeps the remote URL."""
        if self.archive is None or snapshot.card is None:
            return Resolution(snapshot)
        result = archive_card_media(snapshot.card, self.archive)
        return Resolution(
            snapshot.model_copy(update={"card": result.card}),
            unarchived=tuple(reason for _, reason in result.failures),
        )


def _with_page_text(snapshot: Snapshot, html: str, page_url: str) -> Snapshot:
    """Fill a post's text from the page when its oEmbed answer carries none.

    Mastodon (4.3+) and Threads answer with a blockquote that only says "Post by
    @user"; the post's own page has the text in ``og:description``.
    """
    card = snapshot.card
    if card is None or card.kind is not CardKind.POST or card.text_html:
        return snapshot
    meta = extract_page_metadata(html, base_url=page_url)
    if not meta.description:
        return snapshot
    text = sanitize_post_text(f"<p>{escape(meta.description)}</p>")
    from_page = Card(kind=card.kind, url=card.url, text_html=text)
    return snapshot.model_copy(update={"card": fill_card_gaps(card, from_page)})


def _decode_oembed(response: HttpResponse, fmt: str) -> dict[str, Any]:
    if fmt == "xml" or response.content_type in ("text/xml", "application/xml"):
        return parse_oembed_xml(response.text(), source=response.url)
    data = response.json()
    if not isinstance(data, dict):
        kind = type(data).__name__.replace("list", "array").replace("str", "string")
        raise FetchError(
            f"unusable oEmbed answer from {response.url}: a JSON {kind}, not an object",
            url=response.url,
        )
    return data
