"""Allowlist sanitizing of provider HTML: the one place untrusted markup becomes safe.

Two policies: ``sanitize_post_text`` for the text of a static card (paragraphs, line
breaks, links) and ``sanitize_embed_html`` for ``live`` mode (the provider's markup,
with iframes only from the provider's own hosts, sandboxed). Scripts never pass; the
render layer adds the few allowlisted provider scripts itself.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import nh3

from storyboard.providers.model import iframe_host_allowed
from storyboard.urls import absolute_http_url

#: ``rel`` forced on every link: third-party links get no referrer, no opener, no rank.
LINK_REL = "nofollow noopener noreferrer ugc"

#: Attributes every kept iframe gets, whatever the provider sent.
IFRAME_SANDBOX = "allow-scripts allow-same-origin allow-popups allow-presentation"
IFRAME_REFERRER_POLICY = "strict-origin-when-cross-origin"
IFRAME_ALLOW = "fullscreen; encrypted-media; picture-in-picture"
_IFRAME_FORCED = {
    "sandbox": IFRAME_SANDBOX,
    "referrerpolicy": IFRAME_REFERRER_POLICY,
    "loading": "lazy",
    "allow": IFRAME_ALLOW,
}

#: Elements dropped together with everything inside them (never shown as text either).
_DROP_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "svg",
        "math",
        "noscript",
        "template",
        "object",
        "embed",
        "title",
        "textarea",
        "select",
        "head",
    }
)

_POST_TAGS = frozenset({"p", "br", "a", "strong", "em"})
_EMBED_TAGS = frozenset(
    {
        "blockquote",
        "p",
        "a",
        "br",
        "div",
        "span",
        "img",
        "iframe",
        "strong",
        "em",
        "b",
        "i",
        "figure",
        "figcaption",
        "section",
        "time",
        "small",
        "cite",
        "ul",
        "ol",
        "li",
    }
)

#: Blockquote classes of the providers whose embeds are social posts (their text is inside).
POST_BLOCKQUOTE_CLASSES = frozenset(
    {
        "twitter-tweet",
        "twitter-video",
        "bluesky-embed",
        "mastodon-embed",
        "tiktok-embed",
        "instagram-media",
        "text-post-media",
        "reddit-embed-bq",
    }
)

#: Classes and data attributes the providers' own embed scripts look for in ``live`` mode.
_EMBED_CLASSES = {
    "blockquote": {*POST_BLOCKQUOTE_CLASSES, "tumblr-post"},
}
_EMBED_DATA_ATTRIBUTES = frozenset(
    {
        "data-lang",
        "data-dnt",
        "data-theme",
        "data-conversation",
        "data-cards",
        "data-bluesky-uri",
        "data-bluesky-cid",
        "data-bluesky-embed-color-mode",
        "data-embed-url",
        "data-video-id",
        "data-embed-from",
        "data-instgrm-permalink",
        "data-instgrm-version",
        "data-instgrm-captioned",
        "data-text-post-permalink",
        "data-text-post-version",
        "data-flickr-embed",
        "data-embed-theme",
        "data-embed-height",
    }
)
_EMBED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"lang", "dir"},
    "a": {"href", "title", *_EMBED_DATA_ATTRIBUTES},
    "blockquote": {"cite", *_EMBED_DATA_ATTRIBUTES},
    "img": {"src", "alt", "width", "height"},
    # The forced attributes are listed so that a second pass keeps them where they are:
    # nh3 appends missing ones in an arbitrary order, and pages must be reproducible.
    "iframe": {"src", "width", "height", "title", *_IFRAME_FORCED},
    "time": {"datetime"},
}
_POST_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}, "p": {"lang", "dir"}}

#: Attributes whose value is a URL that may only be http(s).
_URL_ATTRIBUTES = frozenset(
    {"href", "src", "cite", "data-embed-url", "data-instgrm-permalink", "data-text-post-permalink"}
)
_LANG_RE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
_DIMENSION_RE = re.compile(r"^\d{1,5}$")
_AT_URI_RE = re.compile(r"^at://[A-Za-z0-9:._/-]+$")
_SAFE_TOKEN_RE = re.compile(r"^[A-Za-z0-9 ._:/+-]{0,200}$")

#: Host names of YouTube's player, mapped to the privacy-enhanced one.
YOUTUBE_PLAYER_HOSTS = frozenset(
    {
        "www.youtube.com",
        "youtube.com",
        "m.youtube.com",
        "www.youtube-nocookie.com",
        "youtube-nocookie.com",
    }
)
YOUTUBE_NOCOOKIE_HOST = "www.youtube-nocookie.com"
_YOUTUBE_KEPT_PARAMETERS = ("start", "end", "list")
_YOUTUBE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
_VIMEO_PLAYER_HOST = "player.vimeo.com"

AttributeFilter = Callable[[str, str, str], "str | None"]


def youtube_nocookie(url: str) -> str:
    """Map a YouTube player URL to ``https://www.youtube-nocookie.com/embed/ID``; else return it."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    if (parts.hostname or "").lower() not in YOUTUBE_PLAYER_HOSTS:
        return url
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) != 2 or segments[0] != "embed" or not _YOUTUBE_ID_RE.match(segments[1]):
        return url
    # Only parameters that change what plays are kept; the rest (feature=oembed...) track.
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k in _YOUTUBE_KEPT_PARAMETERS]
    return urlunsplit(
        ("https", YOUTUBE_NOCOOKIE_HOST, f"/embed/{segments[1]}", urlencode(kept), "")
    )


def _with_vimeo_dnt(url: str) -> str:
    # Vimeo's player honours dnt=1: no session tracking or cookies for the reader.
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "dnt"]
    query.append(("dnt", "1"))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _effective_hosts(iframe_hosts: Iterable[str]) -> frozenset[str]:
    return _effective_host_set(frozenset(iframe_hosts))


@functools.lru_cache(maxsize=256)  # a provider's hosts, asked again for each of its cards
def _effective_host_set(iframe_hosts: frozenset[str]) -> frozenset[str]:
    hosts = frozenset(h.strip().lower() for h in iframe_hosts if h.strip())
    if any(iframe_host_allowed(youtube, hosts) for youtube in YOUTUBE_PLAYER_HOSTS):
        # Our own rewrite target must stay allowed wherever YouTube's player is.
        hosts |= {YOUTUBE_NOCOOKIE_HOST}
    return hosts


def allowed_player_url(url: str, *, iframe_hosts: Iterable[str]) -> str | None:
    """Return the https player URL if ``iframe_host_allowed`` lets its host in, else None."""
    absolute = absolute_http_url(url)
    if absolute is None:
        return None
    parts = urlsplit(absolute)
    host = (parts.hostname or "").lower()
    if parts.username or parts.password:
        return None
    if not iframe_host_allowed(host, _effective_hosts(iframe_hosts)):
        return None
    # An http player inside an https page is blocked as mixed content; ask for https.
    secure = urlunsplit(("https", parts.netloc.lower(), parts.path, parts.query, ""))
    secure = youtube_nocookie(secure)
    if host == _VIMEO_PLAYER_HOST:
        secure = _with_vimeo_dnt(secure)
    return secure


def _common_value(attribute: str, value: str) -> str | None:
    """Check the attributes both policies share; None drops the attribute."""
    if attribute in _URL_ATTRIBUTES:
        return absolute_http_url(value)
    if attribute == "lang":
        return value if _LANG_RE.match(value) else None
    if attribute == "dir":
        return value.lower() if value.lower() in ("ltr", "rtl", "auto") else None
    if attribute == "rel":
        return value  # set by ``link_rel``, never taken from the input
    return None


def _post_filter(element: str, attribute: str, value: str) -> str | None:
    del element  # the same rules hold on every allowed tag
    return _common_value(attribute, value)


def _free_text(value: str) -> str | None:
    return value  # nh3 escapes it; any text is harmless in alt and title


def _token(value: str) -> str | None:
    return value if _SAFE_TOKEN_RE.match(value) else None


def _dimension(value: str) -> str | None:
    return value.strip() if _DIMENSION_RE.match(value.strip()) else None


def _at_uri(value: str) -> str | None:
    return value if _AT_URI_RE.match(value) else None


#: Checks of the embed-only attributes that are not URLs, by attribute name.
_EMBED_VALUE_CHECKS: dict[str, Callable[[str], str | None]] = {
    "alt": _free_text,
    "title": _free_text,
    "class": _token,
    "datetime": _token,
    "width": _dimension,
    "height": _dimension,
    "data-bluesky-uri": _at_uri,
    **dict.fromkeys(_EMBED_DATA_ATTRIBUTES - _URL_ATTRIBUTES - {"data-bluesky-uri"}, _token),
}


def _embed_filter(iframe_hosts: frozenset[str]) -> AttributeFilter:
    def check(element: str, attribute: str, value: str) -> str | None:
        if element == "iframe" and attribute == "src":
            return allowed_player_url(value, iframe_hosts=iframe_hosts)
        if element == "iframe" and attribute in _IFRAME_FORCED:
            return _IFRAME_FORCED[attribute]
        value_check = _EMBED_VALUE_CHECKS.get(attribute)
        if value_check is not None:
            return value_check(value)
        return _common_value(attribute, value)

    return check


@functools.cache
def _post_cleaner() -> nh3.Cleaner:
    # Built once: setting up the allowlist cost as much as cleaning a post with it.
    return nh3.Cleaner(
        tags=set(_POST_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT | {"iframe"}),
        attributes={tag: set(attrs) for tag, attrs in _POST_ATTRIBUTES.items()},
        attribute_filter=_post_filter,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def sanitize_post_text(html: str) -> str:
    """Keep only paragraphs, line breaks, emphasis and http(s) links of a post's text."""
    return _post_cleaner().clean(html).strip()


def _clean_embed(html: str, hosts: frozenset[str]) -> str:
    return nh3.clean(
        html,
        tags=set(_EMBED_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in _EMBED_ATTRIBUTES.items()},
        allowed_classes={tag: set(names) for tag, names in _EMBED_CLASSES.items()},
        attribute_filter=_embed_filter(hosts),
        set_tag_attribute_values={"iframe": dict(_IFRAME_FORCED)},
        link_rel=LINK_REL,
        strip_comments=True,
    )


def sanitize_embed_html(html: str, *, iframe_hosts: Iterable[str]) -> str:
    """Return a provider's HTML for ``live`` mode: small allowlist, iframes from its hosts only."""
    hosts = _effective_hosts(iframe_hosts)
    cleaned = _clean_embed(html, hosts)
    if "<iframe" not in cleaned:
        return cleaned.strip()
    # nh3 can drop a bad src but not the iframe that carried it; an iframe without src
    # is an empty box, so drop it here. Fallback content inside an iframe is never shown
    # (and is raw text to the HTML parser), so it goes too. Serializing here also puts
    # attributes in a stable order. A second nh3 pass keeps the result inside the
    # allowlist whatever this parser made of the markup.
    # bs4 (and soupsieve) load only when live-mode markup is actually cleaned
    from bs4 import BeautifulSoup  # noqa: PLC0415

    soup = BeautifulSoup(cleaned, "html.parser")
    for frame in soup.find_all("iframe"):
        if frame.get("src"):
            frame.clear()
        else:
            frame.decompose()
    return _clean_embed(str(soup), hosts).strip()
