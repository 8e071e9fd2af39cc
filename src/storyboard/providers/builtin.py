"""The built-in provider table: one entry per provider, from each provider's documented facts.

Adding a provider is adding one entry. Schemes list ``https`` only: ``http`` URLs
match too (see ``providers``). Every scheme must fit both the URL a curator pastes
and its normal form (``urls.normalize_url``: ``x.com`` becomes ``twitter.com``,
``youtu.be/ID`` becomes ``www.youtube.com/watch?v=ID``, ``youtube.com`` gains ``www.``).
Providers that have no central endpoint (Mastodon, Pixelfed, PeerTube, WordPress
sites) are found through discovery and are not listed here.
"""

from __future__ import annotations

from storyboard.providers.model import Endpoint, Provider

BUILTIN_PROVIDERS: tuple[Provider, ...] = (
    Provider(
        name="X",
        url="https://x.com/",
        slug="twitter",
        endpoints=(
            Endpoint(
                url="https://publish.twitter.com/oembed",
                schemes=(
                    "https://twitter.com/*/status/*",
                    "https://twitter.com/*/statuses/*",
                    "https://*.twitter.com/*/status/*",
                    "https://*.twitter.com/*/statuses/*",
                    "https://x.com/*/status/*",
                    "https://*.x.com/*/status/*",
                ),
                # The page loads widgets.js once itself (live mode only); dnt asks X
                # not to use the embed for personalisation.
                params={"omit_script": "1", "dnt": "true"},
            ),
        ),
        iframe_hosts=frozenset({"platform.twitter.com"}),
        script_urls=("https://platform.twitter.com/widgets.js",),
    ),
    Provider(
        name="YouTube",
        url="https://www.youtube.com/",
        slug="youtube",
        endpoints=(
            Endpoint(
                url="https://www.youtube.com/oembed",
                schemes=(
                    "https://*.youtube.com/watch*",
                    "https://youtube.com/watch*",
                    "https://youtu.be/*",
                    "https://*.youtube.com/shorts/*",
                    "https://youtube.com/shorts/*",
                    "https://*.youtube.com/live/*",
                    "https://youtube.com/live/*",
                    "https://*.youtube.com/embed/*",
                    "https://youtube.com/embed/*",
                    "https://*.youtube.com/v/*",
                    "https://*.youtube.com/playlist?*",
                    "https://youtube.com/playlist?*",
                ),
                discovery=True,
            ),
        ),
        iframe_hosts=frozenset({"www.youtube.com", "www.youtube-nocookie.com"}),
    ),
    Provider(
        name="Vimeo",
        url="https://vimeo.com/",
        slug="vimeo",
        endpoints=(
            Endpoint(
                url="https://vimeo.com/api/oembed.{format}",
                schemes=(
                    "https://vimeo.com/*",
                    "https://www.vimeo.com/*",
                    "https://player.vimeo.com/video/*",
                ),
                formats=("json", "xml"),
                discovery=True,
            ),
        ),
        iframe_hosts=frozenset({"player.vimeo.com"}),
    ),
    Provider(
        name="SlideShare",
        url="https://www.slideshare.net/",
        slug="slideshare",
        endpoints=(
            Endpoint(
                url="https://www.slideshare.net/api/oembed/2",
                # Language editions live on subdomains: fr., de., es., pt.
                schemes=("https://slideshare.net/*/*", "https://*.slideshare.net/*/*"),
                formats=("json", "xml"),
                discovery=True,
            ),
        ),
        iframe_hosts=frozenset({"www.slideshare.net"}),
    ),
    Provider(
        name="Speaker Deck",
        url="https://speakerdeck.com/",
        slug="speakerdeck",
        endpoints=(
            Endpoint(
                url="https://speakerdeck.com/oembed.json",
                schemes=("https://speakerdeck.com/*/*",),
                discovery=True,
            ),
        ),
        iframe_hosts=frozenset({"speakerdeck.com"}),
    ),
    Provider(
        name="Flickr",
        url="https://www.flickr.com/",
        slug="flickr",
        endpoints=(
            Endpoint(
                url="https://www.flickr.com/services/oembed/",
                schemes=(
                    "https://*.flickr.com/photos/*",
                    "https://flickr.com/photos/*",
                    "https://flic.kr/p/*",
                    "https://flic.kr/s/*",
                ),
                formats=("json", "xml"),
                discovery=True,
            ),
        ),
        iframe_hosts=frozenset({"embedr.flickr.com"}),
        script_urls=("https://embedr.flickr.com/assets/client-code.js",),
    ),
    Provider(
        name="SoundCloud",
        url="https://soundcloud.com/",
        slug="soundcloud",
        endpoints=(
            Endpoint(
                url="https://soundcloud.com/oembed",
                schemes=(
                    "https://soundcloud.com/*",
                    "https://m.soundcloud.com/*",
                    "https://on.soundcloud.com/*",
                ),
            ),
        ),
        iframe_hosts=frozenset({"w.soundcloud.com"}),
    ),
    Provider(
        name="Spotify",
        url="https://spotify.com/",
        slug="spotify",
        endpoints=(
            Endpoint(
                url="https://open.spotify.com/oembed",
                schemes=("https://open.spotify.com/*", "https://spotify.link/*"),
                discovery=True,
            ),
        ),
        iframe_hosts=frozenset({"open.spotify.com"}),
    ),
    Provider(
        name="TikTok",
        url="https://www.tiktok.com/",
        slug="tiktok",
        endpoints=(
            Endpoint(
                url="https://www.tiktok.com/oembed",
                # Videos (/@user/video/ID), photo posts and creator profiles (/@user).
                schemes=("https://www.tiktok.com/@*", "https://m.tiktok.com/v/*"),
            ),
        ),
        iframe_hosts=frozenset({"www.tiktok.com"}),
        script_urls=("https://www.tiktok.com/embed.js",),
    ),
    Provider(
        name="Reddit",
        url="https://www.reddit.com/",
        slug="reddit",
        endpoints=(
            Endpoint(
                url="https://www.reddit.com/oembed",
                schemes=(
                    "https://reddit.com/r/*/comments/*",
                    "https://*.reddit.com/r/*/comments/*",
                ),
            ),
        ),
        iframe_hosts=frozenset({"embed.reddit.com"}),
        script_urls=("https://embed.reddit.com/widgets.js",),
    ),
    Provider(
        name="Bluesky",
        url="https://bsky.app/",
        slug="bluesky",
        endpoints=(
            Endpoint(
                url="https://embed.bsky.app/oembed",
                schemes=("https://bsky.app/profile/*/post/*",),
                formats=("json",),  # XML is answered with 501
                discovery=True,
            ),
        ),
        iframe_hosts=frozenset({"embed.bsky.app"}),
        script_urls=("https://embed.bsky.app/static/embed.js",),
    ),
    Provider(
        name="Dailymotion",
        url="https://www.dailymotion.com/",
        slug="dailymotion",
        endpoints=(
            Endpoint(
                url="https://www.dailymotion.com/services/oembed",
                schemes=(
                    "https://www.dailymotion.com/video/*",
                    "https://dailymotion.com/video/*",
                    "https://dai.ly/*",
                    "https://geo.dailymotion.com/player.html?video=*",
                ),
                formats=("json", "xml"),
                discovery=True,
            ),
        ),
        iframe_hosts=frozenset({"www.dailymotion.com", "geo.dailymotion.com"}),
    ),
    Provider(
        name="TED",
        url="https://www.ted.com/",
        slug="ted",
        endpoints=(
            Endpoint(
                url="https://www.ted.com/services/v1/oembed.{format}",
                schemes=(
                    "https://www.ted.com/talks/*",
                    "https://ted.com/talks/*",
                    "https://embed.ted.com/talks/*",
                ),
                formats=("json", "xml"),
                discovery=True,
            ),
        ),
        iframe_hosts=frozenset({"embed.ted.com"}),
    ),
    Provider(
        name="GIPHY",
        url="https://giphy.com/",
        slug="giphy",
        endpoints=(
            Endpoint(
                url="https://giphy.com/services/oembed",
                schemes=(
                    "https://giphy.com/gifs/*",
                    "https://giphy.com/clips/*",
                    "https://gph.is/*",
                    "https://media.giphy.com/media/*/giphy.gif",
                ),
                discovery=True,
            ),
        ),
        iframe_hosts=frozenset({"giphy.com"}),
    ),
)
