"""Provider table, scheme matching, request URLs and providers.json loading."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from storyboard.errors import ProviderRegistryError
from storyboard.providers import (
    Endpoint,
    Provider,
    ProviderRegistry,
    compile_scheme,
    derive_iframe_hosts,
    iframe_host_allowed,
    provider_slug,
    registrable_domain,
)
from storyboard.providers.builtin import BUILTIN_PROVIDERS
from storyboard.urls import normalize_url

FIXTURES = Path(__file__).parent / "fixtures" / "providers"

#: Real post URLs of every built-in provider, as curators paste them.
EXAMPLES = [
    ("https://twitter.com/BarackObama/status/266031293945503744", "twitter"),
    ("https://x.com/BarackObama/status/266031293945503744", "twitter"),
    ("https://x.com/BarackObama/status/266031293945503744/photo/1", "twitter"),
    ("https://mobile.twitter.com/jack/status/20", "twitter"),
    ("https://www.x.com/jack/status/20?s=20&t=abc", "twitter"),
    ("http://twitter.com/jack/statuses/20", "twitter"),
    ("https://twitter.com/i/web/status/20", "twitter"),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube"),
    ("https://youtube.com/watch?v=dQw4w9WgXcQ&t=42", "youtube"),
    ("https://m.youtube.com/watch?v=dQw4w9WgXcQ", "youtube"),
    ("https://youtu.be/dQw4w9WgXcQ", "youtube"),
    ("https://youtu.be/dQw4w9WgXcQ?si=tracking", "youtube"),
    ("https://www.youtube.com/shorts/aqz-KE-bpKQ", "youtube"),
    ("https://youtube.com/shorts/aqz-KE-bpKQ", "youtube"),
    ("https://www.youtube.com/live/jfKfPfyJRdk", "youtube"),
    ("https://www.youtube.com/embed/dQw4w9WgXcQ", "youtube"),
    ("https://www.youtube.com/playlist?list=PL590L5WQmH8fJ54F369BLDSqIwcs-TCfs", "youtube"),
    ("http://www.youtube.com/watch?v=qrO4YZeyl0I", "youtube"),
    ("https://vimeo.com/76979871", "vimeo"),
    ("https://www.vimeo.com/76979871", "vimeo"),
    ("https://vimeo.com/channels/staffpicks/76979871", "vimeo"),
    ("https://player.vimeo.com/video/76979871", "vimeo"),
    ("https://www.slideshare.net/haraldf/business-quotes-for-2011", "slideshare"),
    ("https://de.slideshare.net/slideshow/some-talk/12345", "slideshare"),
    ("https://speakerdeck.com/holman/how-github-uses-github-to-build-github", "speakerdeck"),
    ("https://www.flickr.com/photos/hansjuul/7899334594", "flickr"),
    ("http://www.flickr.com/photos/hansjuul/7899334594/", "flickr"),
    ("https://flic.kr/p/d339Y3", "flickr"),
    ("https://soundcloud.com/coltonprovias/rush", "soundcloud"),
    ("https://on.soundcloud.com/AbCdEf", "soundcloud"),
    ("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", "spotify"),
    ("https://open.spotify.com/episode/512ojhOuo1ktJprKbVcKyQ", "spotify"),
    ("https://www.tiktok.com/@scout2015/video/6718335390845095173", "tiktok"),
    ("https://www.tiktok.com/@scout2015", "tiktok"),
    ("https://www.reddit.com/r/Python/comments/1abc23/some_title/", "reddit"),
    ("https://old.reddit.com/r/Python/comments/1abc23/some_title/", "reddit"),
    ("https://reddit.com/r/Python/comments/1abc23", "reddit"),
    ("https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l", "bluesky"),
    ("https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3l6oveex3ii2l", "bluesky"),
    ("https://www.dailymotion.com/video/x8abcd1", "dailymotion"),
    ("https://dai.ly/x8abcd1", "dailymotion"),
    ("https://www.ted.com/talks/ken_robinson_do_schools_kill_creativity", "ted"),
    ("https://embed.ted.com/talks/ken_robinson_do_schools_kill_creativity", "ted"),
    ("https://giphy.com/gifs/cat-funny-JIX9t2j0ZTN9S", "giphy"),
    ("https://gph.is/g/ZdxQQJ5", "giphy"),
    ("https://media.giphy.com/media/JIX9t2j0ZTN9S/giphy.gif", "giphy"),
    ("https://www.instagram.com/p/C1a2B3c4D5e/", "instagram"),
    ("https://instagram.com/reel/C1a2B3c4D5e/?igsh=abc", "instagram"),
    ("https://www.facebook.com/NASA/posts/pfbid02abc", "facebook"),
    ("https://www.facebook.com/NASA/videos/1234567890/", "facebook"),
    ("https://www.facebook.com/watch/?v=1234567890", "facebook"),
    ("https://www.threads.net/@zuck/post/C8abcDEF", "threads"),
    ("https://www.threads.com/@zuck/post/C8abcDEF", "threads"),
]

#: Page URLs of providers without oEmbed, and the official player each gives click mode.
PLAYER_EXAMPLES = [
    (
        "https://www.linkedin.com/posts/jane-doe_launch-activity-7123456789012345678-AbCd",
        "linkedin",
        "https://www.linkedin.com/embed/feed/update/urn:li:activity:7123456789012345678",
    ),
    (
        "https://www.linkedin.com/feed/update/urn:li:share:7123456789012345678/",
        "linkedin",
        "https://www.linkedin.com/embed/feed/update/urn:li:share:7123456789012345678",
    ),
    (
        "https://docs.google.com/presentation/d/e/2PACX-1vRabc/pub?start=false&loop=false",
        "googledocs",
        "https://docs.google.com/presentation/d/e/2PACX-1vRabc/embed",
    ),
    (
        "https://docs.google.com/presentation/d/1AbCdEf/edit?usp=sharing",
        "googledocs",
        "https://docs.google.com/presentation/d/1AbCdEf/embed",
    ),
    (
        "https://docs.google.com/document/d/e/2PACX-1vXyz/pub",
        "googledocs",
        "https://docs.google.com/document/d/e/2PACX-1vXyz/pub?embedded=true",
    ),
    (
        "https://prezi.com/p/abcdefgh1234/my-talk/",
        "prezi",
        "https://prezi.com/embed/abcdefgh1234/",
    ),
    (
        "https://onedrive.live.com/embed?resid=ABC%21123&authkey=%21XYZ&em=2",
        "powerpoint",
        "https://onedrive.live.com/embed?resid=ABC%21123&authkey=%21XYZ&em=2",
    ),
    (
        "https://www.tiktok.com/@scout2015/video/6718335390845095173",
        "tiktok",
        "https://www.tiktok.com/player/v1/6718335390845095173",
    ),
    (
        "https://www.instagram.com/p/C1a2B3c4D5e/",
        "instagram",
        "https://www.instagram.com/p/C1a2B3c4D5e/embed/",
    ),
    (
        "https://www.threads.net/@zuck/post/C8abcDEF",
        "threads",
        "https://www.threads.net/@zuck/post/C8abcDEF/embed",
    ),
]

#: Short and share links, followed before any matching.
SHORT_LINKS = [
    "https://vm.tiktok.com/ZMabc123/",
    "https://vt.tiktok.com/ZSabc123/",
    "https://www.tiktok.com/t/ZTabc123/",
    "https://redd.it/1abc23",
    "https://www.reddit.com/r/Python/s/AbCdEf1234",
    "https://fb.watch/abcDEF12/",
    "https://www.facebook.com/share/p/1AbCdEf/",
    "https://spotify.link/AbCdEf",
    "https://on.soundcloud.com/AbCdEf",
]

#: URLs that no built-in provider may claim.
NOT_MATCHING = [
    "https://twitter.com/jack",  # a profile, not a post
    "https://x.com/home",
    "https://twitter.com/search?q=status",
    "https://www.youtube.com/@channel",
    "https://www.youtube.com/",
    "https://evil.example/www.youtube.com/watch?v=x",  # the host is evil.example
    "https://www.youtube.com.evil.example/watch?v=x",
    "https://www.youtube.com@evil.example/watch?v=x",  # userinfo, not host
    "https://notyoutube.com/watch?v=x",
    "https://vimeo.com.evil.example/76979871",
    "https://bsky.app/profile/bsky.app",
    "https://social.example/@anna/109876543210",
    "https://video.example/watch/abc",
    "ftp://www.youtube.com/watch?v=x",
    "not a url at all",
    "",
]


@pytest.fixture(scope="module")
def builtin() -> ProviderRegistry:
    return ProviderRegistry.builtin()


# -- the built-in table ----------------------------------------------------------------


@pytest.mark.parametrize(("url", "slug"), EXAMPLES)
def test_builtin_matches_real_urls(builtin: ProviderRegistry, url: str, slug: str) -> None:
    found = builtin.match(url)
    assert found is not None, url
    provider, endpoint = found
    assert provider.slug == slug
    # The resolver matches the normalized URL first: the schemes fit both forms.
    assert endpoint.matches(url)
    assert endpoint.matches(normalize_url(url))


@pytest.mark.parametrize("url", NOT_MATCHING)
def test_builtin_does_not_claim_other_urls(builtin: ProviderRegistry, url: str) -> None:
    assert builtin.match(url) is None


def test_every_builtin_provider_has_examples() -> None:
    examples = {slug for _, slug in EXAMPLES} | {slug for _, slug, _ in PLAYER_EXAMPLES}
    assert examples == {p.slug for p in BUILTIN_PROVIDERS}


@pytest.mark.parametrize(("url", "slug", "player"), PLAYER_EXAMPLES)
def test_builtin_players_from_page_urls(
    builtin: ProviderRegistry, url: str, slug: str, player: str
) -> None:
    found = builtin.player_provider(url)
    assert found is not None, url
    assert (found[0].slug, found[1]) == (slug, player)
    assert iframe_host_allowed(urlsplit(player).hostname or "", found[0].iframe_hosts)


@pytest.mark.parametrize("url", SHORT_LINKS)
def test_short_links_are_known(url: str) -> None:
    assert ProviderRegistry.is_short_link(url)
    assert ProviderRegistry.is_short_link(url.replace("https://", "http://"))


@pytest.mark.parametrize(
    "url",
    [
        "https://www.tiktok.com/@scout2015/video/6718335390845095173",
        "https://www.reddit.com/r/Python/comments/1abc23/",
        "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
    ],
)
def test_full_links_are_not_short_links(url: str) -> None:
    assert not ProviderRegistry.is_short_link(url)


def test_builtin_table_is_consistent() -> None:
    slugs = [p.slug for p in BUILTIN_PROVIDERS]
    assert len(slugs) == len(set(slugs))
    for provider in BUILTIN_PROVIDERS:
        assert re.fullmatch(r"[a-z0-9]+", provider.slug)
        assert provider.endpoints or provider.players, provider.name  # oEmbed, or a player
        assert provider.iframe_hosts, provider.name
        assert all(url.startswith("https://") for url in provider.script_urls)
        for endpoint in provider.endpoints:
            assert endpoint.url.startswith("https://")
            assert endpoint.schemes
            assert "json" in endpoint.formats


def test_x_endpoint_asks_for_no_script_and_no_tracking(builtin: ProviderRegistry) -> None:
    found = builtin.match("https://x.com/jack/status/20")
    assert found is not None
    provider, endpoint = found
    query = dict(
        parse_qsl(
            urlsplit(
                endpoint.request_url(
                    "https://twitter.com/jack/status/20", maxwidth=550, maxheight=None
                )
            ).query
        )
    )
    assert urlsplit(endpoint.url).netloc == "publish.twitter.com"
    assert query == {
        "url": "https://twitter.com/jack/status/20",
        "format": "json",
        "maxwidth": "550",
        "omit_script": "1",
        "dnt": "true",
    }
    assert provider.script_urls == ("https://platform.twitter.com/widgets.js",)


@pytest.mark.parametrize(
    ("slug", "hosts"),
    [
        ("youtube", {"www.youtube.com", "www.youtube-nocookie.com"}),
        ("vimeo", {"player.vimeo.com"}),
        ("soundcloud", {"w.soundcloud.com"}),
        ("spotify", {"open.spotify.com"}),
        ("ted", {"embed.ted.com"}),
        ("bluesky", {"embed.bsky.app"}),
    ],
)
def test_builtin_iframe_hosts(builtin: ProviderRegistry, slug: str, hosts: set[str]) -> None:
    provider = builtin.by_name(slug)
    assert provider is not None
    assert hosts <= provider.iframe_hosts


def test_bluesky_is_json_only(builtin: ProviderRegistry) -> None:
    found = builtin.match("https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l")
    assert found is not None
    assert found[1].url == "https://embed.bsky.app/oembed"
    assert found[1].formats == ("json",)


def test_builtin_registry_is_shared(builtin: ProviderRegistry) -> None:
    assert ProviderRegistry.builtin() is builtin
    assert len(builtin) == len(BUILTIN_PROVIDERS)
    assert list(builtin) == list(BUILTIN_PROVIDERS)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("YouTube", "youtube"),
        ("youtube", "youtube"),
        ("Speaker Deck", "speakerdeck"),
        ("speakerdeck", "speakerdeck"),
        ("Twitter", "twitter"),
        ("X", "twitter"),
    ],
)
def test_by_name_accepts_name_or_slug(builtin: ProviderRegistry, name: str, slug: str) -> None:
    provider = builtin.by_name(name)
    assert provider is not None
    assert provider.slug == slug


def test_by_name_unknown(builtin: ProviderRegistry) -> None:
    assert builtin.by_name("Nonexistent Video") is None


# -- scheme globs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "url", "matches"),
    [
        ("https://*.youtube.com/watch*", "https://www.youtube.com/watch?v=1", True),
        ("https://*.youtube.com/watch*", "https://m.youtube.com/watch?v=1", True),
        ("https://*.youtube.com/watch*", "https://WWW.YouTube.COM/watch?v=1", True),
        ("https://*.youtube.com/watch*", "https://youtube.com/watch?v=1", False),
        ("https://*.youtube.com/watch*", "https://a.b/.youtube.com/watch", False),
        ("https://*.*.flickr.com/*/*", "https://farm1.static.flickr.com/a/b", True),
        # http and https schemes are the same page today.
        ("http://photos.example/*", "https://photos.example/1", True),
        ("https://photos.example/*", "http://photos.example/1", True),
        ("HTTPS://photos.example/*", "https://photos.example/1", True),
        # Paths keep their case; ``*`` in a path spans slashes; ``?`` is literal.
        ("https://video.example/Watch/*", "https://video.example/watch/1", False),
        ("https://video.example/v/*", "https://video.example/v/a/b/c", True),
        ("https://video.example/p?id=*", "https://video.example/pXid=1", False),
        ("https://video.example/p?id=*", "https://video.example/p?id=1", True),
        # Anchored at both ends.
        ("https://video.example/v/*", "https://video.example/x/v/1", False),
        ("https://video.example/v/1", "https://video.example/v/10", False),
        # As lenient as real links: www. either way, a trailing slash, a query, a fragment.
        ("https://www.video.example/v/*", "https://video.example/v/1", True),
        ("https://video.example/v/*", "https://www.video.example/v/1", True),
        ("https://video.example/v/*", "https://wwwvideo.example/v/1", False),
        ("https://video.example/v/*", "https://www2.video.example/v/1", False),
        ("https://video.example/v/1", "https://video.example/v/1/", True),
        ("https://video.example/v/1/", "https://video.example/v/1", True),
        ("https://video.example/v/1", "https://video.example/v/1?utm_source=x", True),
        ("https://video.example/v/1", "https://video.example/v/1/?utm_source=x", True),
        ("https://video.example/v/1", "https://video.example/v/1#t=3", True),
        ("https://video.example/v/1", "https://video.example/v/1/2", False),
        ("https://video.example/p?id=1", "https://video.example/p?id=1&utm_source=x", True),
        ("https://video.example/p?id=1", "https://video.example/p?id=10", False),
        # Regex metacharacters in a scheme are literal.
        ("https://video.example/a+b/*", "https://video.example/aab/1", False),
        ("https://video.example/a+b/*", "https://video.example/a+b/1", True),
        ("spotify:*", "spotify:track:1", True),
        ("spotify:*", "https://spotify.example/track/1", False),
    ],
)
def test_scheme_globs(scheme: str, url: str, matches: bool) -> None:
    endpoint = Endpoint(url="https://oembed.example/", schemes=(scheme,))
    assert endpoint.matches(url) is matches
    assert (re.fullmatch(compile_scheme(scheme), url) is not None) is matches


def test_endpoint_without_schemes_matches_nothing() -> None:
    assert not Endpoint(url="https://social.example/api/oembed", schemes=()).matches(
        "https://social.example/@anna/1"
    )


def test_endpoint_accepts_lists() -> None:
    endpoint = Endpoint(
        url="https://video.example/oembed",
        schemes=["https://video.example/*"],  # type: ignore[arg-type]
        formats=["json"],  # type: ignore[arg-type]
    )
    assert endpoint.schemes == ("https://video.example/*",)
    assert endpoint.formats == ("json",)
    assert endpoint.matches("https://video.example/1")


# -- request URLs ---------------------------------------------------------------------


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def test_request_url_substitutes_format_placeholder() -> None:
    endpoint = Endpoint(url="https://vimeo.com/api/oembed.{format}", schemes=())
    url = endpoint.request_url("https://vimeo.com/1", maxwidth=640, maxheight=360)
    assert url.startswith("https://vimeo.com/api/oembed.json?")
    assert _query(url) == [
        ("url", "https://vimeo.com/1"),
        ("maxwidth", "640"),
        ("maxheight", "360"),
    ]
    xml = endpoint.request_url("https://vimeo.com/1", maxwidth=None, maxheight=None, fmt="xml")
    assert xml == "https://vimeo.com/api/oembed.xml?url=https%3A%2F%2Fvimeo.com%2F1"


def test_request_url_adds_format_when_the_endpoint_does_not_say_it() -> None:
    endpoint = Endpoint(url="http://photos.example/oembed/", schemes=())
    url = endpoint.request_url("http://photos.example/p/1?a=b&c=d", maxwidth=None, maxheight=None)
    assert url == (
        "http://photos.example/oembed/?url=http%3A%2F%2Fphotos.example%2Fp%2F1%3Fa%3Db%26c%3Dd"
        "&format=json"
    )


def test_request_url_leaves_format_out_when_the_path_says_it() -> None:
    endpoint = Endpoint(url="https://speakerdeck.com/oembed.json", schemes=())
    url = endpoint.request_url("https://speakerdeck.com/a/b", maxwidth=None, maxheight=None)
    assert _query(url) == [("url", "https://speakerdeck.com/a/b")]


def test_request_url_keeps_the_endpoints_own_query() -> None:
    endpoint = Endpoint(
        url="https://slides.example/api/oembed/?format=json&key=public",
        schemes=(),
        params={"theme": "light", "url": "ignored"},
    )
    url = endpoint.request_url("https://slides.example/deck/1", maxwidth=500, maxheight=0)
    assert _query(url) == [
        ("format", "json"),
        ("key", "public"),
        ("url", "https://slides.example/deck/1"),
        ("maxwidth", "500"),
        ("theme", "light"),
    ]


# -- providers.json files ---------------------------------------------------------------


def test_load_file_reads_every_entry() -> None:
    providers = ProviderRegistry.load_file(FIXTURES / "extra.json")
    assert [p.name for p in providers] == [
        "Video Example",
        "Old Photos (beta)",
        "Slides Example",
        "Discovery Only",
        "YouTube",
    ]
    video, photos, slides, discovery_only, _ = providers
    assert video.slug == "videoexample"
    assert video.url == "https://video.example/"
    assert video.endpoints[0].formats == ("json", "xml")
    assert video.endpoints[0].discovery is True
    assert photos.slug == "oldphotosbeta"
    assert photos.endpoints[0].formats == ("json",)
    assert photos.endpoints[0].discovery is False
    assert slides.url == ""
    assert discovery_only.endpoints[0].schemes == ()


def test_loaded_providers_match_and_build_request_urls() -> None:
    registry = ProviderRegistry(ProviderRegistry.load_file(FIXTURES / "extra.json"))
    found = registry.match("https://video.example/watch/abc")
    assert found is not None
    assert (
        found[1].request_url("https://video.example/watch/abc", maxwidth=None, maxheight=None)
        == "https://api.video.example/oembed.json?url=https%3A%2F%2Fvideo.example%2Fwatch%2Fabc"
    )
    assert registry.match("https://clips.video.example/v/1") is not None
    # An http endpoint stays http; an http scheme also fits the https URL.
    found = registry.match("https://photos.example.co.uk/anna/photo/7")
    assert found is not None
    assert (
        found[1]
        .request_url("x", maxwidth=None, maxheight=None)
        .startswith("http://photos.example.co.uk/oembed/?")
    )
    assert registry.match("https://social.example/@anna/1") is None


def test_loaded_providers_get_their_own_domain_as_iframe_hosts() -> None:
    providers = {p.name: p for p in ProviderRegistry.load_file(FIXTURES / "extra.json")}
    assert providers["Video Example"].iframe_hosts == {
        "video.example",
        "*.video.example",
        "api.video.example",
    }
    assert providers["Old Photos (beta)"].iframe_hosts == {
        "photos.example.co.uk",
        "example.co.uk",
        "*.example.co.uk",
    }


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bad-json.json", r"bad-json\.json:1:\d+: not valid JSON: "),
        ("not-a-list.json", r"not-a-list\.json: expected a JSON list of providers, got an object"),
        (
            "endpoint-without-url.json",
            r'endpoint-without-url\.json: \[1\] "Video Example": endpoints\[0\]: no "url"',
        ),
        (
            "entry-without-name.json",
            r'entry-without-name\.json: \[0\]: "provider_name" must be a non-empty string',
        ),
        (
            "entry-not-object.json",
            r"entry-not-object\.json: \[0\]: expected an object, got a string",
        ),
        (
            "endpoints-not-list.json",
            r'endpoints-not-list\.json: \[0\] "Video Example": "endpoints" must be a list',
        ),
        (
            "endpoint-url-not-http.json",
            r'\[0\] "Video Example": endpoints\[0\]\.url: not an http\(s\) URL: ftp://',
        ),
        (
            "scheme-not-string.json",
            r'\[0\] "Video Example": endpoints\[0\]\.schemes\[1\]: must be a string, got a number',
        ),
        (
            "discovery-not-bool.json",
            r'\[0\] "Video Example": endpoints\[0\]\.discovery: must be true or false',
        ),
    ],
)
def test_load_file_errors_name_file_and_entry(name: str, message: str) -> None:
    path = FIXTURES / "errors" / name
    with pytest.raises(ProviderRegistryError) as caught:
        ProviderRegistry.load_file(path)
    text = str(caught.value)
    assert text.startswith(str(path))
    assert re.search(message, text), text
    assert caught.value.exit_code == 2


def test_load_file_missing(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(ProviderRegistryError, match=r"cannot read providers file .*nope\.json"):
        ProviderRegistry.load_file(path)


def test_load_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'[{"provider_name": "Caf\xe9", "endpoints": []}]')
    with pytest.raises(ProviderRegistryError, match="not UTF-8"):
        ProviderRegistry.load_file(path)


def test_load_file_tolerates_bom_and_empty_list(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("\ufeff[]", encoding="utf-8")
    assert ProviderRegistry.load_file(path) == []


def test_registry_of_hundreds_of_providers(tmp_path: Path) -> None:
    # The size of oembed.com's registry: each URL must still find its own provider.
    entries = [
        {
            "provider_name": f"Site {n}",
            "provider_url": f"https://site{n}.example/",
            "endpoints": [
                {
                    "schemes": [f"https://site{n}.example/v/*", f"https://*.site{n}.example/p/*"],
                    "url": f"https://site{n}.example/oembed",
                }
            ],
        }
        for n in range(400)
    ]
    entries.append(
        {
            "provider_name": "Anywhere",
            "endpoints": [
                {"schemes": ["https://*/anywhere/*"], "url": "https://any.example/oembed"}
            ],
        }
    )
    path = tmp_path / "providers.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    registry = ProviderRegistry.builtin().with_extra(ProviderRegistry.load_file(path))
    assert len(registry) == 401 + len(BUILTIN_PROVIDERS)
    for n in (0, 17, 399):
        found = registry.match(f"https://site{n}.example/v/{n}")
        assert found is not None
        assert found[0].name == f"Site {n}"
        found = registry.match(f"https://cdn.site{n}.example/p/{n}")
        assert found is not None
        assert found[0].name == f"Site {n}"
    found = registry.match("https://site5.example/anywhere/1")
    assert found is not None
    assert found[0].name == "Anywhere"
    assert registry.match("https://site400.example/v/1") is None
    assert registry.match("https://x.com/jack/status/20") is not None


# -- extra registries ---------------------------------------------------------------------


def test_extra_providers_win_over_builtin(builtin: ProviderRegistry) -> None:
    extra = ProviderRegistry.load_file(FIXTURES / "extra.json")
    registry = builtin.with_extra(extra)
    found = registry.match("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    assert found is not None
    provider, endpoint = found
    assert endpoint.url == "https://tube-proxy.example/oembed"
    # Same name: the built-in YouTube is replaced, not shadowed.
    youtubes = [p for p in registry if p.slug == "youtube"]
    assert youtubes == [provider]
    # providers.json cannot name player hosts, so the built-in ones are kept.
    assert {"www.youtube.com", "www.youtube-nocookie.com"} <= provider.iframe_hosts
    # youtu.be is not in the extra schemes; its normalized form is.
    assert registry.match("https://youtu.be/dQw4w9WgXcQ") == found
    # Other built-ins are untouched and come after the extra ones.
    names = [p.name for p in registry]
    assert names[:5] == [p.name for p in extra]
    assert registry.by_name("Vimeo") is builtin.by_name("Vimeo")
    assert builtin.match("https://www.youtube.com/watch?v=1") != found  # builtin unchanged


def test_replacing_x_keeps_its_parameters_and_script(builtin: ProviderRegistry) -> None:
    registry = builtin.with_extra(ProviderRegistry.load_file(FIXTURES / "x-override.json"))
    found = registry.match("https://x.com/jack/status/20")
    assert found is not None
    provider, endpoint = found
    assert provider.name == "Twitter"
    assert provider.slug == "twitter"
    assert endpoint.params == {"omit_script": "1", "dnt": "true"}
    assert provider.script_urls == ("https://platform.twitter.com/widgets.js",)
    assert registry.by_name("X") is None


def test_later_extra_registries_win() -> None:
    first = Provider(
        name="One",
        url="",
        slug="one",
        endpoints=(Endpoint(url="https://one.example/oembed", schemes=("https://v.example/*",)),),
    )
    second = Provider(
        name="Two",
        url="",
        slug="two",
        endpoints=(Endpoint(url="https://two.example/oembed", schemes=("https://v.example/*",)),),
    )
    registry = ProviderRegistry([]).with_extra([first]).with_extra([second])
    found = registry.match("https://v.example/1")
    assert found is not None
    assert found[0] is second


# -- helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("YouTube", "youtube"),
        ("Speaker Deck", "speakerdeck"),
        ("23HQ", "23hq"),
        ("Old Photos (beta)", "oldphotosbeta"),
        ("Ωmega", "mega"),
        ("世界", "provider"),
    ],
)
def test_provider_slug(name: str, slug: str) -> None:
    assert provider_slug(name) == slug


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("www.flickr.com", "flickr.com"),
        ("flickr.com", "flickr.com"),
        ("a.b.c.video.example", "video.example"),
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("player.example.com.au", "example.com.au"),
        ("user.github.io", "user.github.io"),
        ("deep.user.github.io", "user.github.io"),
        ("localhost", "localhost"),
        ("127.0.0.1", "127.0.0.1"),
    ],
)
def test_registrable_domain(host: str, domain: str) -> None:
    assert registrable_domain(host) == domain


def test_derive_iframe_hosts_ignores_missing_urls() -> None:
    assert derive_iframe_hosts("", ["https://api.video.example/oembed.{format}"]) == {
        "api.video.example",
        "video.example",
        "*.video.example",
    }


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("player.video.example", True),
        ("PLAYER.video.example.", True),
        ("video.example", True),
        ("a.b.video.example", True),
        ("evilvideo.example", False),
        ("video.example.evil", False),
        ("", False),
    ],
)
def test_iframe_host_allowed(host: str, allowed: bool) -> None:
    assert iframe_host_allowed(host, {"video.example", "*.video.example"}) is allowed


@pytest.mark.parametrize(
    ("url", "asked"),
    [
        (
            "https://www.slideshare.net/slideshow/climate-data-pipelines/267123456",
            "https://www.slideshare.net/slideshow/embed_code/267123456",
        ),
        (
            "https://de.slideshare.net/slideshow/some-talk/12345/",
            "https://www.slideshare.net/slideshow/embed_code/12345",
        ),
        # The forms the endpoint answers already stay as they are.
        (
            "https://www.slideshare.net/haraldf/business-quotes-for-2011",
            "https://www.slideshare.net/haraldf/business-quotes-for-2011",
        ),
        (
            "https://www.slideshare.net/slideshow/embed_code/12345",
            "https://www.slideshare.net/slideshow/embed_code/12345",
        ),
    ],
)
def test_slideshare_pages_are_asked_in_the_form_its_endpoint_answers(
    builtin: ProviderRegistry, url: str, asked: str
) -> None:
    found = builtin.match(url)
    assert found is not None
    assert found[0].endpoint_form(url) == asked
