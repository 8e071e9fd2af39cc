"""The URLs the client sends as written are exactly those requests would not change."""

from __future__ import annotations

import random

import pytest
from requests import PreparedRequest
from requests.exceptions import InvalidURL

from storyboard.net.prepared_url import CheckedRequest, sent_as_written

ENDPOINT = "http://127.0.0.1:8080/oembed?url=https%3A%2F%2Fsocial.example%2F%40a%2F1&format=json"

TRICKY = [
    ENDPOINT,
    "https://social.example/@anna/109876543210",
    "https://Social.example/a",  # the host is lowercased
    "HTTPS://social.example/a",
    "https://social.example",  # no path: "/" is added
    "https://social.example/a/./b",
    "https://social.example/a/../b",
    "https://social.example/a/..",
    "https://social.example/.hidden",
    "https://social.example/%41",  # an unreserved character, unescaped
    "https://social.example/%2f",  # a lowercase escape, uppercased
    "https://social.example/%2F",
    "https://social.example/%zz",
    "https://social.example/%",
    "https://social.example/a b",
    "https://social.example/a#top",
    "https://social.example/a|b^c`d{e}f\\g",
    "https://social.example/[x]",
    "https://social.example/ä",
    "https://bücher.example/",
    "https://*.example/",
    "https://.example/",
    "https://example./",
    "https://a_b.example/",
    "https://user:pass@social.example/",
    "https://social.example:443/a",
    "https://social.example:0443/a",
    "https://social.example:65536/a",
    "https://social.example:0/a",
    "http://[::1]:8080/a",
    "https://social.example/a?b=c?d&e=%20",
    "https://social.example/a?q=%7e",
    " https://social.example/a",
]

ALPHABET = "abcXYZ019-._~!$&'()*+,;=:@/?#%[]| \"<>\\^`{}" + "\u00e4\u00e9"


def prepared(url: str) -> str | None:
    request = PreparedRequest()
    try:
        request.prepare_url(url, None)
    except (InvalidURL, ValueError):
        return None
    return request.url


def fuzzed(count: int) -> list[str]:
    rng = random.Random(14)  # the same URLs every run
    hosts = ["social.example", "127.0.0.1:8080", "a.example:443", "x.example:08"]
    urls = []
    for _ in range(count):
        path = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))
        escape = f"%{rng.randrange(256):02{rng.choice('xX')}}" if rng.random() < 0.5 else ""
        urls.append(f"http://{rng.choice(hosts)}/{path[:6]}{escape}{path[6:]}")
    return urls


@pytest.mark.parametrize("url", TRICKY)
def test_a_tricky_url_is_sent_as_written_only_if_requests_would_not_change_it(url: str) -> None:
    if sent_as_written(url):
        assert prepared(url) == url


def test_random_urls_are_sent_as_written_only_if_requests_would_not_change_them() -> None:
    urls = fuzzed(20_000)
    taken = [url for url in urls if sent_as_written(url)]
    assert len(taken) > 500  # the check is not simply always False
    assert [url for url in taken if prepared(url) != url] == []


def test_the_usual_requests_skip_the_work_and_the_rest_are_prepared_as_before() -> None:
    assert sent_as_written(ENDPOINT)
    assert sent_as_written("https://social.example/@anna/109876543210")
    for url in TRICKY:
        request = CheckedRequest()
        try:
            request.prepare_url(url, None)
        except (InvalidURL, ValueError):
            assert prepared(url) is None
            continue
        assert request.url == prepared(url)
