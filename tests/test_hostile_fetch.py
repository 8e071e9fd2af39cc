"""Hostile bytes from a provider fail one item, with one line, and never the whole fetch.

A loopback server plays a provider and some pages. Every hostile item is a ``failed:``
line (or a ``note:`` for a picture) naming it; the good items are fetched and saved, and
the snapshot file stays valid UTF-8 that later runs can load and save again.
"""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from storyboard.errors import FetchError
from storyboard.net.response import HttpResponse
from tests.faultserver import Exchange, FaultServer

from .cli_runner import Result, invoke

#: A host name no IDNA codec accepts: a label longer than 63 characters.
BAD_HOST = "a" * 64 + ".example"


def run(*args: str | Path) -> Result:
    return invoke(args)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as fault:
        yield fault


def answer(title: str, **fields: object) -> dict[str, object]:
    return {
        "type": "rich",
        "version": "1.0",
        "title": title,
        "author_name": "Anna",
        "html": f"<blockquote><p>{title}</p></blockquote>",
        **fields,
    }


def endpoint(ex: Exchange) -> None:
    post = parse_qs(urlsplit(ex.path).query).get("url", [""])[0].rsplit("/", 1)[-1]
    json_type = "application/json"
    if post == "surrogate":
        # A lone surrogate is valid JSON text, but no UTF-8 file can hold it.
        body = b'{"type": "rich", "version": "1.0", "html": "<p>x</p>",'
        body += b' "author_name": "Anna \\ud800", "title": "T \\udfff"}'
        ex.respond(200, body)
    elif post.startswith("charset-"):
        body = json.dumps(answer("charset")).encode()
        ex.respond(200, body, content_type=f"{json_type}; charset={post[8:]}")
    elif post == "picture":
        thumbnail = f"http://{BAD_HOST}/a.png"
        ex.respond(200, json.dumps(answer("picture", thumbnail_url=thumbnail)).encode())
    else:
        ex.respond(200, json.dumps(answer(post)).encode())


def html_page(ex: Exchange, head: str, content_type: str = "text/html; charset=utf-8") -> None:
    body = f"<!doctype html><html><head><title>Page</title>{head}</head><body></body></html>"
    ex.respond(200, body.encode(), content_type=content_type)


def test_one_hostile_item_fails_alone_and_the_rest_are_saved(
    server: FaultServer, tmp_path: Path
) -> None:
    base = server.url("/")
    server.route("/oembed", endpoint)
    server.route(
        "/page/redirect",
        # Raw bytes that are not UTF-8 in the Location header.
        lambda ex: ex.respond(302, b"", headers=[("Location", "/page/\xff\xfe")]),
    )
    server.route(
        "/page/redirect-host",
        lambda ex: ex.respond(302, b"", headers=[("Location", f"http://{BAD_HOST}/x")]),
    )
    server.route(
        "/page/discovery",
        lambda ex: html_page(
            ex,
            '<link rel="alternate" type="application/json+oembed" '
            f'href="http://{BAD_HOST}/oembed?url={quote(base, safe="")}">',
        ),
    )
    for label in ("undefined", "idna", "punycode"):
        server.route(
            f"/page/meta-{label}",
            lambda ex, label=label: html_page(ex, f'<meta charset="{label}">'),
        )
        server.route(
            f"/page/header-{label}",
            lambda ex, label=label: html_page(ex, "", f"text/html; charset={label}"),
        )
    providers = tmp_path / "providers.json"
    providers.write_text(
        json.dumps(
            [
                {
                    "provider_name": "Example Social",
                    "provider_url": base,
                    "endpoints": [{"schemes": [f"{base}post/*"], "url": f"{base}oembed"}],
                }
            ]
        ),
        encoding="utf-8",
    )
    posts = ["good1", "surrogate", "charset-undefined", "charset-idna", "charset-punycode"]
    posts += ["picture", "good2"]
    pages = ["redirect", "redirect-host", "discovery"]
    pages += [
        f"{where}-{label}"
        for where in ("meta", "header")
        for label in ("undefined", "idna", "punycode")
    ]
    urls = [f"{base}post/{p}" for p in posts] + [f"{base}page/{p}" for p in pages]
    story = tmp_path / "story.yaml"
    story.write_text(
        "title: T\nitems:\n" + "".join(f"  - url: {url}\n" for url in urls), encoding="utf-8"
    )
    args = ["--providers", providers, "--allow-private-network"]
    result = run("fetch", story, *args)
    assert "Traceback" not in result.stderr
    assert result.exit_code in (0, 1), result.stderr
    reported = [
        line for line in result.stderr.splitlines() if line.startswith(("failed:", "note:"))
    ]
    assert len(reported) >= 4
    assert all(len(line) < 400 for line in reported), reported
    snapshot_file = tmp_path / "story.snapshots.json"
    text = snapshot_file.read_bytes().decode("utf-8")  # strict: valid UTF-8
    saved = json.loads(text)["snapshots"]
    for good in ("good1", "good2", "picture", "charset-undefined", "charset-idna"):
        assert saved[f"{base}post/{good}"]["status"] == "ok", good
    surrogate = saved[f"{base}post/surrogate"]
    assert surrogate["status"] == "ok"
    assert surrogate["card"]["author_name"] == "Anna \ufffd"
    assert "picture not archived" in result.stderr
    # Every page is there: fetched, or failed with its reason recorded.
    assert all(f"{base}page/{page}" in saved for page in pages)
    # And the next run can load what was saved and save again.
    again = run("fetch", story, "--refresh", *args)
    assert "Traceback" not in again.stderr
    assert again.exit_code in (0, 1), again.stderr
    snapshot_file.read_bytes().decode("utf-8")


@pytest.mark.parametrize("seed", range(3))
def test_random_bytes_decode_and_parse_without_raising(seed: int) -> None:
    """Fuzz the response decoders: any bytes, any declared charset, never an exception."""
    from storyboard.extract.discovery import find_oembed_links
    from storyboard.extract.page_metadata import extract_page_metadata

    rng = random.Random(seed)
    charsets = ["utf-8", "undefined", "idna", "punycode", "utf-16", "base64", "x-nope", ""]
    for _ in range(200):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(300)))
        if rng.random() < 0.5:
            data = b"<html><head><meta charset=" + rng.choice(charsets).encode() + b">" + data
        charset = rng.choice(charsets)
        response = HttpResponse(
            url="https://social.example/p",
            status=200,
            headers={"content-type": f"text/html; charset={charset}"},
            content=data,
        )
        text = response.text()
        assert isinstance(text, str)
        text.encode("utf-8")  # no lone surrogates
        extract_page_metadata(text, base_url=response.url)
        find_oembed_links(text, base_url=response.url)
        with contextlib.suppress(FetchError):  # the one error type fetch reports
            response.json()


def test_a_storify_export_with_lone_surrogates_imports_and_saves(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    # Written as JSON escapes: the file itself is valid UTF-8 and valid JSON.
    export.write_text(
        '{"content": {"title": "Imported \\ud800", "elements": [{"type": "quote",'
        ' "permalink": "https://social.example/@anna/1",'
        ' "attribution": {"name": "Anna \\udfff"},'
        ' "data": {"quote": {"text": "Words \\ud83d"}}}]}}',
        encoding="utf-8",
    )
    story = tmp_path / "story.yaml"
    result = run("import", "storify", export, "-o", story)
    assert result.exit_code == 0, result.stderr
    assert "Imported \ufffd" in story.read_bytes().decode("utf-8")
    snapshots = (tmp_path / "story.snapshots.json").read_bytes().decode("utf-8")
    assert "Anna \ufffd" in snapshots
    assert "Words \ufffd" in snapshots
    rendered = run("render", story, "--offline", "-o", tmp_path / "site")
    assert rendered.exit_code == 0, rendered.stderr
