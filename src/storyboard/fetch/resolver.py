"""Resolve one URL into a snapshot: provider registry, then discovery, then page metadata."""

from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from storyboard.clock import Clock, utc_now
from storyboard.errors import FetchError, OEmbedError
from storyboard.extract.oembed import OEmbed, parse_oembed, parse_oembed_xml
from storyboard.fetch.assets import AssetArchive, archive_card_media
from storyboard.fetch.first_request import (
    JSON_ACCEPT,
    EarlyAnswers,
    RequestHosts,
    ResolveSettings,
    access_token,
    endpoint_request_url,
)
from storyboard.fetch.platform_apis import bluesky_post, mastodon_status
from storyboard.model.card import Card, CardKind, MediaAsset
from storyboard.model.card_gaps import fill_card_gaps
from storyboard.model.snapshot import Snapshot, SnapshotStatus, Source, SourceKind
from storyboard.net import JSON_LIMIT, PAGE_LIMIT, HttpClient, HttpResponse
from storyboard.providers import Provider, ProviderRegistry, StoragePolicy
from storyboard.urls import host_of, normalize_url

if TYPE_CHECKING:
    from storyboard.extract.discovery import DiscoveredEndpoint
    from storyboard.extract.page_metadata import PageMetadata

_XML_ACCEPT = "text/xml, application/xml;q=0.9, */*;q=0.1"
_PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
#: Card fields a page's metadata can fill when the oEmbed answer lacks them.
_GAP_FIELDS = ("title", "description", "author_name", "image", "published")


@dataclass(frozen=True)
class Resolution:
    """What resolving one URL found: its snapshot, and what could not be kept of it."""

    snapshot: Snapshot
    #: Why each picture of the card that could not be archived was lost (never fatal:
    #: the card still renders, with the remote picture or without it).
    unarchived: tuple[str, ...] = ()
    #: Fallbacks worth telling the curator (a short link that did not resolve, an
    #: endpoint that failed, a login wall), one phrase each.
    notes: tuple[str, ...] = ()


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
        early: EarlyAnswers | None = None,
    ) -> None:
        self.registry = registry
        self.clock = clock
        self.client = client
        self.archive = archive
        self.settings = settings or ResolveSettings()
        #: Endpoint answers asked while the story loaded (``fetch``'s head start).
        self.early = early
        self._request_hosts = RequestHosts(registry)

    def request_host(self, url: str) -> str:
        """Return the server the first request for ``url`` goes to (for per-host limits)."""
        return self._request_hosts(url)

    def resolve(self, url: str) -> Resolution:
        """Fetch what can be learned of ``url`` and archive its pictures.

        Raises ``FetchError`` if nothing can be learned.
        """
        key = normalize_url(url)
        notes: list[str] = []
        target = self._expand_short_link(key, notes)
        target_key = normalize_url(target)
        snapshot = self._snapshot_of(target_key, target, notes)
        if target_key != key:
            # Stored under the story's URL; the card links to the post it leads to.
            snapshot = snapshot.model_copy(update={"url": key})
        resolution = self._archive_media(snapshot)
        return replace(resolution, notes=(*notes, *resolution.notes))

    def _expand_short_link(self, url: str, notes: list[str]) -> str:
        """Follow a short or share link's redirects to the post it stands for."""
        if not self.registry.is_short_link(url):
            return url
        try:
            response = self.client.get(url, max_bytes=PAGE_LIMIT, accept=_PAGE_ACCEPT)
        except FetchError as exc:
            if exc.gone:
                raise
            notes.append(f"short link not resolved ({exc})")
            return url
        return response.url

    def _snapshot_of(self, key: str, url: str, notes: list[str]) -> Snapshot:
        match = self.registry.match(key) or self.registry.match(url)
        if match is None:
            return self._without_endpoint(key, notes)
        provider, endpoint = match
        if provider.storage is StoragePolicy.LINK_ONLY and not self.settings.archive_restricted:
            return self._link_only(key, provider)
        endpoint_url = endpoint_request_url(provider, endpoint, key, self.settings)
        try:
            snapshot = self._from_endpoint(
                key,
                endpoint_url,
                fmt="json",
                kind=SourceKind.PROVIDER,
                provider=provider,
                iframe_hosts=provider.iframe_hosts,
                token=access_token(provider),
            )
        except FetchError as exc:
            if not (_worth_a_fallback(exc) or endpoint.discovery or provider.from_oembed_registry):
                raise
            return self._after_endpoint_failure(key, exc, notes)
        snapshot = self._with_api_data(snapshot, provider)
        snapshot = self._with_player(snapshot, provider)
        return self._with_page_gaps(snapshot, key)

    def _after_endpoint_failure(self, key: str, exc: FetchError, notes: list[str]) -> Snapshot:
        """Fall back to discovery and page metadata when the endpoint fails.

        401, 403 and 410 mean private or removed: final. A 404 from an endpoint is
        checked against the page (endpoints 404 on URL forms they do not know); the
        page's own 404 or 410 then calls the item gone.
        """
        if exc.status in (401, 403, 410):
            raise exc
        try:
            snapshot = self._from_page(key)
        except FetchError as page_error:
            raise (page_error if page_error.gone else exc) from None
        if exc.status == 404 and snapshot.not_the_content:
            raise exc  # the page does not show the item either
        notes.append(f"the provider's endpoint failed ({_one_line(exc)}); used the page")
        return snapshot

    def _without_endpoint(self, key: str, notes: list[str]) -> Snapshot:
        """Resolve a URL no endpoint answers for: a platform API, a player, the page."""
        found = mastodon_status(self.client, key)
        if found is not None:
            card, api_url, status = found
            snapshot = self._snapshot(
                key,
                Source(
                    kind=SourceKind.PROVIDER, provider_name=card.provider_name, endpoint=api_url
                ),
                raw=dict(status),
                card=card,
            )
            return _sourced(snapshot, "api")
        player = self.registry.player_provider(key)
        if player is None:
            return self._from_page(key)
        provider, player_url = player
        try:
            snapshot = self._from_page(key)
        except FetchError as exc:
            if exc.status in provider.refusal_statuses:
                raise FetchError(
                    f"{provider.name} refused to show the page to storyboard (status "
                    f"{exc.status}); it needs a signed-in browser: {key}",
                    url=key,
                    status=exc.status,
                ) from None
            if exc.status in (401, 403) or (exc.status == 404 and provider.slug == "googledocs"):
                raise FetchError(
                    f"the {provider.name} file is not public (status {exc.status}): publish "
                    f"it or share it with anyone who has the link: {key}",
                    url=key,
                    status=exc.status,
                ) from None
            raise
        if snapshot.not_the_content is not None and provider.slug == "googledocs":
            raise FetchError(
                f"the {provider.name} file is not public (it asks to sign in): publish it "
                f"or share it with anyone who has the link: {key}",
                url=key,
            )
        return self._with_player(snapshot, provider, player_url=player_url)

    def _link_only(self, key: str, provider: Provider) -> Snapshot:
        """Return the card a provider whose answers may not be kept allows: link and player."""
        from storyboard.extract.walls import title_from_slug

        card = Card(
            kind=CardKind.RICH,
            url=key,
            provider_name=provider.name,
            provider_url=provider.url,
            title=title_from_slug(key),
            player_url=provider.player_url(key),
        )
        snapshot = self._snapshot(
            key,
            Source(kind=SourceKind.PROVIDER, provider_name=provider.name),
            raw={"storage": provider.storage.value},
            card=card,
        )
        return _sourced(snapshot, "url")

    def _with_api_data(self, snapshot: Snapshot, provider: Provider) -> Snapshot:
        """Complete a Bluesky post (text from oEmbed) with its pictures, avatar and date."""
        if provider.slug != "bluesky" or snapshot.card is None:
            return snapshot
        found = bluesky_post(self.client, snapshot.card.url)
        if found is None:
            return snapshot
        card, _, post = found
        raw = {**(snapshot.raw or {}), "api": dict(post)}
        merged = snapshot.model_copy(update={"raw": raw})
        return _filled(merged, card, "api")

    def _with_player(
        self, snapshot: Snapshot, provider: Provider, *, player_url: str | None = None
    ) -> Snapshot:
        """Give the card the provider's official player (click mode) when it has none."""
        card = snapshot.card
        if card is None or card.player_url:
            return snapshot
        player_url = player_url or provider.player_url(card.url)
        if player_url is None:
            return snapshot
        kind = CardKind.RICH if card.kind in (CardKind.LINK, CardKind.POST) else card.kind
        update: dict[str, Any] = {"player_url": player_url, "kind": kind}
        if card.provider_name is None:
            update["provider_name"] = provider.name
        source = snapshot.source
        if source is not None and source.provider_name is None:
            source = source.model_copy(update={"provider_name": provider.name})
        sources = {**(snapshot.field_sources or {}), "player_url": "url"}
        return snapshot.model_copy(
            update={
                "card": card.model_copy(update=update),
                "source": source,
                "field_sources": sources,
            }
        )

    def _with_page_gaps(self, snapshot: Snapshot, key: str) -> Snapshot:
        """Fill what the oEmbed answer lacks from the page's own metadata (one bounded GET)."""
        card = snapshot.card
        if card is None or not _has_gaps(card):
            return snapshot
        try:
            response = self.client.get(key, max_bytes=PAGE_LIMIT, accept=_PAGE_ACCEPT)
        except FetchError:
            return snapshot  # the answer stands on its own
        if response.content_type not in _HTML_TYPES:
            return snapshot
        return _with_page_metadata(snapshot, key, response.text(), response.url)

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
        token: str | None = None,
    ) -> Snapshot:
        accept = JSON_ACCEPT if fmt == "json" else _XML_ACCEPT
        response = self._get_endpoint(endpoint_url, accept=accept, token=token)
        from storyboard.extract.oembed_card import card_from_oembed

        try:
            raw = _decode_oembed(response, fmt)
            oembed = parse_oembed(raw, source=endpoint_url)
        except OEmbedError:
            raise
        except FetchError as exc:  # HTML, broken JSON: an answer, but no oEmbed one
            raise OEmbedError(str(exc), url=exc.url) from exc
        card = card_from_oembed(oembed, url=url, provider=provider, iframe_hosts=iframe_hosts)
        name = provider.name if provider else oembed.provider_name
        snapshot = self._snapshot(
            url,
            Source(kind=kind, provider_name=name, endpoint=endpoint_url),
            raw=raw,
            oembed=oembed,
            card=card,
        )
        return _sourced(snapshot, "oembed")

    def _get_endpoint(self, endpoint_url: str, *, accept: str, token: str | None) -> HttpResponse:
        """GET an endpoint, with the user's access token if any, never naming it after.

        The snapshot keeps the endpoint URL without the token, and a failure's message
        (printed, and kept in the snapshot file) has it masked.
        """
        if token is None:
            early = self.early.take(endpoint_url) if self.early and accept == JSON_ACCEPT else None
            return early or self.client.get(endpoint_url, max_bytes=JSON_LIMIT, accept=accept)
        secret = urlencode({"access_token": token})
        try:
            response = self.client.get(
                f"{endpoint_url}&{secret}", max_bytes=JSON_LIMIT, accept=accept
            )
        except FetchError as exc:
            masked = str(exc).replace(secret, "access_token=***")
            raise type(exc)(masked, url=endpoint_url, status=exc.status) from None
        return _as_fetched_from(response, endpoint_url)

    def _from_page(self, url: str) -> Snapshot:
        from storyboard.extract.discovery import find_oembed_links
        from storyboard.extract.page_card import card_from_page_metadata
        from storyboard.extract.page_metadata import extract_page_metadata
        from storyboard.extract.walls import not_the_content, title_from_slug

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
                return _with_page_metadata(snapshot, url, html, response.url)
            except FetchError as exc:
                if exc.gone:
                    raise
                discovery_error = discovery_error or exc
        meta = extract_page_metadata(html, base_url=response.url)
        wall = not_the_content(url, response.url, meta)
        raw = meta.model_dump(mode="json", exclude_none=True)
        if wall is not None:
            # Nothing the wall says is about the item: a link card named by its URL.
            card = Card(kind=CardKind.LINK, url=url, title=title_from_slug(url))
            raw["not_the_content"] = wall.value
        else:
            card = card_from_page_metadata(meta, url=url)
        if discovery_error is not None:
            raw["discovery_error"] = str(discovery_error)
        snapshot = self._snapshot(
            url,
            Source(
                kind=SourceKind.PAGE_METADATA,
                provider_name=None if wall else meta.site_name,
                endpoint=response.url,
            ),
            raw=raw,
            card=card,
        )
        return _sourced(snapshot, "url" if wall else "page")

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


def _has_gaps(card: Card) -> bool:
    fields = _GAP_FIELDS if card.kind is not CardKind.POST else ("author_name", "published")
    return any(getattr(card, name) is None for name in fields)


def _card_fields(card: Card) -> list[str]:
    return [
        name
        for name in Card.model_fields
        if name not in ("kind", "url") and getattr(card, name) is not None
    ]


def _sourced(snapshot: Snapshot, source: str) -> Snapshot:
    """Record ``source`` as the origin of every card field that has none recorded yet."""
    if snapshot.card is None:
        return snapshot
    sources = dict(snapshot.field_sources or {})
    for name in _card_fields(snapshot.card):
        sources.setdefault(name, source)
    return snapshot.model_copy(update={"field_sources": sources})


def _filled(snapshot: Snapshot, other: Card, source: str) -> Snapshot:
    """Fill the card's empty fields from ``other``, recording them as ``source``'s."""
    if snapshot.card is None:
        return snapshot
    before = set(_card_fields(snapshot.card))
    card = fill_card_gaps(snapshot.card, other)
    sources = dict(snapshot.field_sources or {})
    for name in _card_fields(card):
        if name not in before:
            sources[name] = source
    return snapshot.model_copy(update={"card": card, "field_sources": sources})


def _as_fetched_from(response: HttpResponse, url: str) -> HttpResponse:
    """Return ``response`` as if fetched from ``url`` (the request's URL held a secret)."""
    return HttpResponse(
        url=url, status=response.status, headers=response.headers, content=response.content
    )


def _worth_a_fallback(error: FetchError) -> bool:
    """Tell whether the page may still know what a failed endpoint did not say.

    An unusable answer, a 404 (checked against the page), another 4xx but 401, 403
    and 410 (private, removed), or a 5xx. Not a timeout or a refused address: the
    page is behind the same network.
    """
    if isinstance(error, OEmbedError):
        return True
    status = error.status or 0
    return status == 404 or (400 <= status < 600 and not error.gone)


def _one_line(error: FetchError) -> str:
    return " ".join(str(error).split())


def _with_page_metadata(snapshot: Snapshot, key: str, html: str, page_url: str) -> Snapshot:
    """Fill the gaps of an oEmbed card from its page's metadata, unless the page is a wall."""
    from storyboard.extract.page_card import card_from_page_metadata
    from storyboard.extract.page_metadata import extract_page_metadata
    from storyboard.extract.walls import not_the_content

    card = snapshot.card
    if card is None:
        return snapshot
    meta = extract_page_metadata(html, base_url=page_url)
    if not_the_content(key, page_url, meta) is not None:
        return snapshot  # a login wall's title is nobody's post
    page_card = card_from_page_metadata(meta, url=key)
    if card.kind is CardKind.POST:
        # A post's text is the post; the page's title and description only summarize it.
        page_card = page_card.model_copy(update={"title": None, "description": None})
        snapshot = _with_page_text(snapshot, meta)
    return _filled(snapshot, page_card, "page")


def _with_page_text(snapshot: Snapshot, meta: PageMetadata) -> Snapshot:
    """Fill a post's text from the page when its oEmbed answer carries none.

    Mastodon (4.3+) and Threads answer with a blockquote that only says "Post by
    @user"; the post's own page has the text in ``og:description``.
    """
    from storyboard.extract.sanitize import sanitize_post_text

    card = snapshot.card
    if card is None or card.kind is not CardKind.POST or card.text_html:
        return snapshot
    if not meta.description:
        return snapshot
    text = sanitize_post_text(f"<p>{escape(meta.description)}</p>")
    return _filled(snapshot, Card(kind=card.kind, url=card.url, text_html=text), "page")


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
