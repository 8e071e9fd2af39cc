"""Who a provider is comes from the registry entry that matched, never from its answer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from .cli_runner import Result, invoke
from .conftest import ProviderPlayground

X_SCRIPT = "platform.twitter.com"


def run(*args: str | Path) -> Result:
    return invoke(args)


def claims_to_be_x(url: str) -> dict[str, object]:
    return {
        "type": "rich",
        "version": "1.0",
        "author_name": "Not X",
        "provider_name": "Twitter",
        "provider_url": "https://twitter.com/",
        "html": f'<blockquote class="twitter-tweet"><p>Hi</p><a href="{url}">link</a></blockquote>',
    }


def test_an_answer_naming_twitter_never_loads_x_script_in_live_mode(
    playground: ProviderPlayground, write_story: Callable[..., Path], tmp_path: Path
) -> None:
    registered = "https://social.example/@anna/1"  # a registry entry of its own
    discovered = playground.url("/blog/post")  # no registry entry: found by discovery
    playground.oembed[registered] = claims_to_be_x(registered)
    playground.oembed[discovered] = claims_to_be_x(discovered)
    link = f"{playground.endpoint}?url={quote(discovered, safe='')}&amp;format=json"
    playground.pages["/blog/post"] = (
        '<!doctype html><html><head><title>Post</title><link rel="alternate" '
        f'type="application/json+oembed" href="{link}"></head><body></body></html>'
    )
    story = write_story(f"title: T\nitems:\n  - url: {registered}\n  - url: {discovered}\n")
    network = ["--providers", playground.providers_file(tmp_path), "--allow-private-network"]
    fetched = run("fetch", story, *network)
    assert fetched.exit_code == 0, fetched.stderr
    for fmt in ("page", "fragment"):
        out = tmp_path / fmt
        result = run("render", story, "-o", out, "--offline", "--embed", "live", "--format", fmt)
        assert result.exit_code == 0, result.stderr
        (html,) = [p for p in out.iterdir() if p.suffix == ".html"]
        text = html.read_text(encoding="utf-8")
        assert X_SCRIPT not in text
        assert "<script async src=" not in text
        assert "Not X" in text or "Hi" in text
