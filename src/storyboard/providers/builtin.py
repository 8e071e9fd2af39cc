"""The built-in provider table: one entry per provider, from each provider's documented facts.

Adding a provider is adding one entry. Schemes list ``https`` only: ``http`` URLs
match too (see ``providers``). Every scheme must fit both the URL a curator pastes
and its normal form (``urls.normalize_url``: ``x.com`` becomes ``twitter.com``,
``youtu.be/ID`` becomes ``www.youtube.com/watch?v=ID``, ``youtube.com`` gains ``www.``).
Providers that have no central endpoint (Mastodon, Pixelfed, PeerTube, WordPress
sites) are found through discovery and are not listed here.
"""

from __future__ import annotations

from storyboard.providers.model import Endpoint, PlayerRule, Provider, StoragePolicy

#: Short and share links that only redirect to a post: resolved (their redirects
#: followed) before a URL is matched, since no endpoint answers for them.
SHORT_LINK_SCHEMES: tuple[str, ...] = (
    "https://vm.tiktok.com/*",
    "https://vt.tiktok.com/*",
    "https://www.tiktok.com/t/*",
    "https://tiktok.com/t/*",
    "https://redd.it/*",
    "https://*.reddit.com/r/*/s/*",
    "https://reddit.com/r/*/s/*",
    "https://fb.watch/*",
    "https://*.facebook.com/share/*",
    "https://facebook.com/share/*",
    "https://spotify.link/*",
    "https://on.soundcloud.com/*",
)
#: Meta's Graph API version of the oEmbed endpoints (tokenless since 2026-06-15).
_META_GRAPH = "https://graph.facebook.com/v23.0"
_META_TOKEN = "STORYBOARD_META_TOKEN"  # noqa: S105  (the variable's name, not a token)
_HOST = r"(?i:https?://(?:www\.|m\.)?{})"

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
        # Its current pages (/slideshow/SLUG/ID) get a 404 from the endpoint, which
        # answers for the embed-code form of the same deck.
        endpoint_forms=(
            PlayerRule(
                r"(?i:https?://(?:[a-z]{2,3}\.|www\.)?slideshare\.net)"
                r"/slideshow/(?!embed_code/)[^/?#]+/(?P<id>\d+)/?(?:[?#].*)?",
                "https://www.slideshare.net/slideshow/embed_code/{id}",
            ),
        ),
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
        # The official player (click mode): the oEmbed html is a blockquote and a script.
        players=(
            PlayerRule(
                _HOST.format(r"tiktok\.com") + r"/@[^/]+/video/(?P<id>\d+)/?(?:[?#].*)?",
                "https://www.tiktok.com/player/v1/{id}",
            ),
        ),
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
        name="Instagram",
        url="https://www.instagram.com/",
        slug="instagram",
        endpoints=(
            Endpoint(
                url=f"{_META_GRAPH}/instagram_oembed",
                schemes=(
                    "https://www.instagram.com/p/*",
                    "https://www.instagram.com/reel/*",
                    "https://www.instagram.com/tv/*",
                    "https://www.instagram.com/*/p/*",
                    "https://www.instagram.com/*/reel/*",
                    "https://instagr.am/p/*",
                ),
            ),
        ),
        iframe_hosts=frozenset({"www.instagram.com"}),
        storage=StoragePolicy.LINK_ONLY,
        token_variable=_META_TOKEN,
        players=(
            PlayerRule(
                _HOST.format(r"instagram\.com")
                + r"/(?:[^/?#]+/)?(?P<kind>p|reel|tv)/(?P<id>[\w-]+)/?(?:[?#].*)?",
                "https://www.instagram.com/{kind}/{id}/embed/",
            ),
        ),
    ),
    Provider(
        name="Facebook",
        url="https://www.facebook.com/",
        slug="facebook",
        endpoints=(
            Endpoint(
                url=f"{_META_GRAPH}/oembed_video",
                schemes=(
                    "https://www.facebook.com/*/videos/*",
                    "https://www.facebook.com/video.php?*",
                    "https://www.facebook.com/watch/?v=*",
                    "https://www.facebook.com/reel/*",
                    "https://fb.watch/*",
                ),
            ),
            Endpoint(
                url=f"{_META_GRAPH}/oembed_post",
                schemes=(
                    "https://www.facebook.com/*/posts/*",
                    "https://www.facebook.com/*/photos/*",
                    "https://www.facebook.com/permalink.php?*",
                    "https://www.facebook.com/story.php?*",
                    "https://www.facebook.com/photo.php?*",
                    "https://www.facebook.com/photo?*",
                    "https://www.facebook.com/*/activity/*",
                    "https://www.facebook.com/groups/*/permalink/*",
                ),
            ),
        ),
        iframe_hosts=frozenset({"www.facebook.com"}),
        storage=StoragePolicy.LINK_ONLY,
        token_variable=_META_TOKEN,
        players=(
            PlayerRule(
                _HOST.format(r"facebook\.com")
                + r"/(?:[^?#]+/videos/|video\.php\?|watch/?\?v=|reel/).*",
                "https://www.facebook.com/plugins/video.php?href={quoted_url}",
            ),
            PlayerRule(
                _HOST.format(r"facebook\.com") + r"/.+",
                "https://www.facebook.com/plugins/post.php?href={quoted_url}",
            ),
        ),
    ),
    Provider(
        name="Threads",
        url="https://www.threads.com/",
        slug="threads",
        endpoints=(
            Endpoint(
                url="https://graph.threads.net/v1.0/oembed",
                schemes=("https://www.threads.net/@*/post/*", "https://www.threads.com/@*/post/*"),
            ),
        ),
        iframe_hosts=frozenset({"www.threads.net", "www.threads.com"}),
        storage=StoragePolicy.LINK_ONLY,
        token_variable=_META_TOKEN,
        players=(
            PlayerRule(
                _HOST.format(r"threads\.(?:net|com)")
                + r"/@(?P<user>[\w.]+)/post/(?P<id>[\w-]+)/?(?:[?#].*)?",
                "https://www.threads.net/@{user}/post/{id}/embed",
            ),
        ),
    ),
    # Providers without oEmbed: the card comes from the page's metadata, the player
    # (click mode) from the page's URL.
    Provider(
        name="LinkedIn",
        url="https://www.linkedin.com/",
        slug="linkedin",
        endpoints=(),
        iframe_hosts=frozenset({"www.linkedin.com"}),
        refusal_statuses=frozenset({999}),
        players=(
            PlayerRule(
                _HOST.format(r"linkedin\.com")
                + r"/(?:feed|embed/feed)/update/(?P<urn>urn:li:(?:activity|share|ugcPost):\d+)/?"
                r"(?:[?#].*)?",
                "https://www.linkedin.com/embed/feed/update/{urn}",
            ),
            PlayerRule(
                _HOST.format(r"linkedin\.com")
                + r"/posts/[^/?#]*?-(?P<kind>activity|share|ugcPost)-(?P<id>\d+)-[^/?#]*/?"
                r"(?:[?#].*)?",
                "https://www.linkedin.com/embed/feed/update/urn:li:{kind}:{id}",
            ),
        ),
    ),
    Provider(
        name="Google Docs",
        url="https://docs.google.com/",
        slug="googledocs",
        endpoints=(),
        iframe_hosts=frozenset({"docs.google.com"}),
        players=(
            # Published (/d/e/ID/pub) and shared (/d/ID/edit) presentations both embed.
            PlayerRule(
                r"(?i:https://docs\.google\.com)/presentation/d/(?P<id>e/[\w-]+|[\w-]+)"
                r"(?:/(?:pub|edit|embed|view|present)[^#]*)?(?:#.*)?",
                "https://docs.google.com/presentation/d/{id}/embed",
            ),
            PlayerRule(
                r"(?i:https://docs\.google\.com)/document/d/e/(?P<id>[\w-]+)/pub\S*",
                "https://docs.google.com/document/d/e/{id}/pub?embedded=true",
            ),
            PlayerRule(
                r"(?i:https://docs\.google\.com)/document/d/(?P<id>[\w-]+)"
                r"(?:/(?:edit|view|preview)[^#]*)?(?:#.*)?",
                "https://docs.google.com/document/d/{id}/preview",
            ),
        ),
    ),
    Provider(
        name="Prezi",
        url="https://prezi.com/",
        slug="prezi",
        endpoints=(),  # Prezi Video answers oEmbed through oembed.com's registry
        iframe_hosts=frozenset({"prezi.com"}),
        players=(
            PlayerRule(
                _HOST.format(r"prezi\.com")
                + r"/(?:p/)?(?!v/|view/|embed/)(?P<id>[\w-]{8,})/[^?#]*(?:[?#].*)?",
                "https://prezi.com/embed/{id}/",
            ),
        ),
    ),
    Provider(
        name="PowerPoint for the web",
        url="https://www.microsoft.com/microsoft-365/powerpoint",
        slug="powerpoint",
        endpoints=(),
        iframe_hosts=frozenset({"onedrive.live.com", "*.sharepoint.com", "1drv.ms"}),
        players=(
            # The "Embed" menu gives addresses that are the player already.
            PlayerRule(r"(?P<url>(?i:https://onedrive\.live\.com)/embed\?\S+)", "{url}"),
            PlayerRule(
                r"(?P<url>(?i:https://[\w-]+\.sharepoint\.com)/\S*action=embedview\S*)", "{url}"
            ),
        ),
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
