"""Pages that are not the content asked for: login and consent walls, home pages, soft 404s.

A site that wants a visitor to sign in or accept cookies answers 200 with its own
page (often after a redirect); a removed post often answers 200 with "this content is
no longer available"; a parked domain answers 200 with an ad page. None of them says
anything true about the URL in the story, so none may give the card its title.
"""

from __future__ import annotations

import re
from enum import StrEnum
from urllib.parse import SplitResult, urlsplit

from storyboard.extract.page_metadata import PageMetadata


class NotTheContent(StrEnum):
    """Why a page that answered is not the content of the URL asked for."""

    LOGIN = "the page asks to log in"
    CONSENT = "the page asks for consent to cookies"
    HOME_PAGE = "the page is the site's home page, not the item"
    GONE = "the page says the content is no longer available"
    PARKED = "the domain is parked"


_LOGIN_PATH = re.compile(
    r"/(?:[a-z-]+/)?(?:log-?in|sign-?in|signin|auth|authwall|uas/login|accounts/login|"
    r"checkpoint|session/new|i/flow/login)(?:[/?#.]|$)",
    re.IGNORECASE,
)
_CONSENT_HOSTS = re.compile(r"^(?:consent\.[\w.-]+|[\w.-]*cookielaw\.org|guce\.[\w.-]+)$")
_CONSENT_PATH = re.compile(r"/(?:consent|cookie-?consent|gdpr|privacy-?gate)(?:[/?#.]|$)", re.I)
# Titles are matched whole or at their start: "How to sign in safely" is an article.
_LOGIN_TITLE = re.compile(
    r"^\s*(?:log\s?in|sign\s?in|sign\s?up|login|anmelden|connexion|iniciar sesión|accedi|"
    r"войти|вход|登录|ログイン)\b(?:\s*(?:to|on|or|[|•·–—:-]).{0,60})?$|"
    r"^[^|•·–—]{1,40}\s[|•·–—]\s*(?:log\s?in|sign\s?in|login)\s*$",
    re.IGNORECASE,
)
_CONSENT_TITLE = re.compile(
    r"^\s*(?:before you continue|bevor sie fortfahren|avant d'accéder|we value your privacy|"
    r"(?:your )?privacy choices|cookie (?:consent|settings|preferences))\b",
    re.IGNORECASE,
)
_GONE_TEXT = re.compile(
    r"^\s*(?:page not found|404\b|not found\b|error 404|sorry, this page|nothing (?:was )?found)|"
    r"\b(?:this )?(?:content|page|post|video|tweet) (?:is )?(?:no longer|not|isn't) available\b|"
    r"\bthis (?:page|content|post|video) (?:doesn't|does not) exist\b|"
    r"\bthis (?:page|content|post|video) (?:has been|was) (?:removed|deleted)\b",
    re.IGNORECASE,
)
_PARKED_TEXT = re.compile(
    r"this domain (?:is|may be) for sale|buy this domain|domain (?:is )?parked|"
    r"parked (?:free|domain)|sedoparking|the domain .{1,60} is for sale",
    re.IGNORECASE,
)


def not_the_content(asked_url: str, final_url: str, meta: PageMetadata) -> NotTheContent | None:
    """Tell why the page at ``final_url`` (asked as ``asked_url``) is not the item, or None."""
    asked = urlsplit(asked_url)
    final = urlsplit(final_url)
    return _wall(asked, final, meta.title or "") or _not_the_item(asked, final, meta)


def _wall(asked: SplitResult, final: SplitResult, title: str) -> NotTheContent | None:
    redirected = (final.hostname, final.path) != (asked.hostname, asked.path)
    consent_redirect = redirected and (
        _CONSENT_HOSTS.match((final.hostname or "").lower()) or _CONSENT_PATH.search(final.path)
    )
    if consent_redirect or _CONSENT_TITLE.search(title):
        return NotTheContent.CONSENT
    if _LOGIN_PATH.search(asked.path):
        return None  # the curator links a login page itself
    if (redirected and _LOGIN_PATH.search(final.path)) or _LOGIN_TITLE.search(title):
        return NotTheContent.LOGIN
    return None


def _not_the_item(
    asked: SplitResult, final: SplitResult, meta: PageMetadata
) -> NotTheContent | None:
    if _PARKED_TEXT.search(" ".join(filter(None, (meta.title, meta.description)))):
        return NotTheContent.PARKED
    if meta.title and _GONE_TEXT.search(meta.title):
        return NotTheContent.GONE
    if _is_root(asked.path):
        return None
    canonical = urlsplit(meta.url)
    same_site = (canonical.hostname or "").removeprefix("www.") == (
        asked.hostname or ""
    ).removeprefix("www.")
    # Redirected to the front page, or every page of the site says it is the front page.
    if _is_root(final.path) or (same_site and _is_root(canonical.path) and not canonical.query):
        return NotTheContent.HOME_PAGE
    return None


def _is_root(path: str) -> bool:
    return (
        path in ("", "/")
        or re.fullmatch(r"/(?:[a-z]{2}(?:-[a-z]{2})?|index\.\w+)/?", path, re.I) is not None
    )


def title_from_slug(url: str) -> str | None:
    """Return a title made of the URL's last readable path segment (``my-first-post``).

    Ids, dates and file names without words give None: only a slug says something.
    """
    for segment in reversed([part for part in urlsplit(url).path.split("/") if part]):
        words = re.sub(r"\.[a-z0-9]{2,5}$", "", segment, flags=re.IGNORECASE)
        words = re.sub(r"[-_+]+", " ", words).strip()
        letters = sum(ch.isalpha() for ch in words)
        if " " in words and letters >= 6 and letters > sum(ch.isdigit() for ch in words):
            text = " ".join(w for w in words.split() if not (w.isdigit() and len(w) > 4))
            return text[:1].upper() + text[1:]
    return None
