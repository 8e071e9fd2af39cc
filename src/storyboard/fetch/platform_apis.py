"""Complete posts from the platforms' public APIs, where oEmbed gives too little.

Mastodon (4.3+) answers oEmbed with a blockquote without the post's text; its
server's ``GET /api/v1/statuses/:id`` has the text with its links, the content
warning, pictures, avatar and date. Bluesky's oEmbed has the text but no pictures,
avatar or date; the public AppView's ``app.bsky.feed.getPosts`` has them. The
request URLs and the reading of the answers are ``networks``' (the same code as
``collect``); this module only asks and hands back cards. They load on first use: they read HTML
(BeautifulSoup, nh3), which a fetch loads while its first requests are on their way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from storyboard.errors import FetchError
from storyboard.model.card import Card
from storyboard.net import JSON_LIMIT, HttpClient
from storyboard.urls import host_of

_JSON_ACCEPT = "application/json"


def mastodon_status(client: HttpClient, url: str) -> tuple[Card, str, Mapping[str, Any]] | None:
    """Return the card, the API URL and the status of a Mastodon post page, or None.

    None when the URL is not a status page's or its server does not answer as
    Mastodon does (a site with ``/@user/123`` pages that is no Mastodon server).
    """
    from storyboard.networks import mastodon
    from storyboard.networks.api_fields import mapping_field

    parsed = mastodon.parse_status_url(url)
    if parsed is None:
        return None
    base, status_id = parsed
    api_url = mastodon.status_api_url(base, status_id)
    try:
        status = client.get(api_url, max_bytes=JSON_LIMIT, accept=_JSON_ACCEPT).json()
    except FetchError:
        return None
    if not isinstance(status, dict) or not isinstance(status.get("content"), str):
        return None
    original = mastodon.original_status(status)
    handle = mastodon.mastodon_handle(
        mapping_field(original.get("account")), instance_host=host_of(url)
    )
    return mastodon.mastodon_card(original, url=url, handle=handle), api_url, status


def bluesky_post(
    client: HttpClient, url: str, *, appview: str | None = None
) -> tuple[Card, str, Mapping[str, Any]] | None:
    """Return the card, the request URL and the post view of a bsky.app post page, or None.

    ``appview`` defaults to Bluesky's public AppView.
    """
    from storyboard.networks import bluesky

    appview = appview or bluesky.DEFAULT_APPVIEW
    at_uri = bluesky.parse_post_url(url)
    if at_uri is None:
        return None
    api_url = bluesky.get_posts_url(appview, [at_uri])
    try:
        answer = client.get(api_url, max_bytes=JSON_LIMIT, accept=_JSON_ACCEPT).json()
    except FetchError:
        return None
    posts = answer.get("posts") if isinstance(answer, dict) else None
    if not isinstance(posts, list) or not posts or not isinstance(posts[0], dict):
        return None
    post = posts[0]
    if bluesky.bluesky_labels(post) & bluesky.HIDDEN_LABELS:
        return None  # the author asked not to be shown to logged-out viewers
    return bluesky.bluesky_card(post, url=url), api_url, post
