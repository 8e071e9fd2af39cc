"""oembed.com's registry: the shipped copy, `providers update`, precedence and lenient matching."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from storyboard.commands.network import build_registry
from storyboard.providers import ProviderRegistry, StoragePolicy
from storyboard.providers.oembed_registry import (
    PACKAGED_DIR,
    RegistryTable,
    load_registry,
    packaged_copy,
)

from .cli_runner import Result, invoke
from .conftest import ProviderPlayground

REPO = Path(__file__).resolve().parents[1]
PACKAGED_LABEL = "registry (packaged, 2026-06-04)"


def run(*args: str | Path) -> Result:
    return invoke(args)


def registry_json(name: str, scheme: str, endpoint: str) -> str:
    entry = {
        "provider_name": name,
        "provider_url": "https://social.example/",
        "endpoints": [{"schemes": [scheme], "url": endpoint}],
    }
    return json.dumps([entry])


# -- the shipped copy ---------------------------------------------------------------------


def test_shipped_copy_is_the_whole_registry_with_its_license() -> None:
    copy, providers = load_registry()
    assert copy.kind == "packaged"
    assert copy.label == PACKAGED_LABEL
    assert copy.origin == "npm oembed-providers@1.0.20260604"
    assert len(providers) > 350
    assert {"Canva", "MixCloud", "hearthis.at", "YouTube"} <= {p.name for p in providers}
    notice = (PACKAGED_DIR / "NOTICE").read_text(encoding="utf-8")
    assert "MIT License" in notice
    assert "Copyright (c) 2016 Cal Henderson" in notice
    assert "oembed.com" in notice


def test_default_registry_reads_the_registry_only_for_urls_the_table_does_not_know(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import storyboard.providers.oembed_registry as copies
    import storyboard.providers.registry as registry_module

    copies._table_cached.cache_clear()  # earlier tests built the whole shared table
    tables: list[RegistryTable] = []
    real = registry_module.current_table

    def counting() -> RegistryTable:
        tables.append(real())
        return tables[-1]

    monkeypatch.setattr(registry_module, "current_table", counting)
    registry = ProviderRegistry.default()
    found = registry.match("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    assert found is not None
    assert found[0].source == "built-in"
    assert registry.by_name("YouTube") is found[0]
    assert tables == []
    found = registry.match("https://www.canva.com/design/DAFa1b2c3/view")
    assert found is not None
    assert found[0].name == "Canva"
    assert len(tables) == 1
    # Only the providers a URL or name asked for were built.
    built = [p for p in tables[0]._built.values() if p is not None]
    assert 0 < len(built) < 10
    assert registry.by_name("mixcloud") is not None
    assert registry.match("https://www.mixcloud.com/someone/show/") is not None
    assert tables[0] is tables[-1]  # the same table, read once


# -- precedence ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://x.com/jack/status/20", "twitter"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube"),
        ("https://bsky.app/profile/a.example/post/3k", "bluesky"),
        ("https://vimeo.com/76979871", "vimeo"),
    ],
)
def test_built_in_table_wins_for_the_providers_it_knows(url: str, slug: str) -> None:
    found = ProviderRegistry.default().match(url)
    assert found is not None
    provider, _ = found
    assert provider.slug == slug
    assert provider.source == "built-in"
    assert provider is ProviderRegistry.builtin().by_name(slug)


def test_x_keeps_its_parameters_behind_the_registry() -> None:
    found = ProviderRegistry.default().match("https://twitter.com/jack/status/20")
    assert found is not None
    assert found[1].params == {"omit_script": "1", "dnt": "true"}


def test_registry_twins_of_built_in_providers_are_left_out() -> None:
    providers = list(ProviderRegistry.default())
    names = [p.name for p in providers]
    # oembed.com's own entries for these are shadowed by the curated ones.
    assert "Twitter" not in names
    assert "Bluesky Social" not in names
    assert "SpeakerDeck" not in names
    assert names.count("YouTube") == 1
    assert [p.slug for p in providers].count("vimeo") == 1


def test_providers_files_win_over_table_and_registry(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(
        registry_json("Canva", "https://www.canva.com/design/*", "http://127.0.0.1:1/oembed"),
        encoding="utf-8",
    )
    registry = build_registry([path])
    found = registry.match("https://www.canva.com/design/DAF/view")
    assert found is not None
    assert found[0].source == str(path)
    assert found[1].url == "http://127.0.0.1:1/oembed"
    assert [p.name for p in registry].count("Canva") == 1


def test_meta_links_go_to_the_builtin_entries_not_the_registrys_token_endpoints() -> None:
    registry = ProviderRegistry.default()
    for url in (
        "https://www.instagram.com/p/Cabc123/",
        "https://www.facebook.com/someone/posts/123",
    ):
        found = registry.match(url)
        assert found is not None
        assert found[0].source == "built-in"
        assert found[0].storage is StoragePolicy.LINK_ONLY


# -- lenient matching, on real registry entries -------------------------------------------


@pytest.mark.parametrize(
    ("url", "name"),
    [
        # https://www.canva.com/design/*/view
        ("https://www.canva.com/design/DAF1/view", "Canva"),
        ("https://canva.com/design/DAF1/view", "Canva"),
        ("http://www.canva.com/design/DAF1/view?utm_source=x", "Canva"),
        ("https://www.canva.com/design/DAF1/view/", "Canva"),
        ("https://www.canva.com/design/DAF1/view#page-2", "Canva"),
        # http://www.mixcloud.com/*/*/ (and its https twin)
        ("https://mixcloud.com/someone/show/", "MixCloud"),
        ("https://www.mixcloud.com/someone/show", "MixCloud"),
        ("https://www.mixcloud.com/someone/show/?utm_source=x&utm_medium=y", "MixCloud"),
        # https://hearthis.at/*/*/
        ("https://www.hearthis.at/artist/track/", "hearthis.at"),
        ("https://hearthis.at/artist/track?utm_source=x", "hearthis.at"),
        # https://blackfire.io/profiles/*/graph
        ("https://blackfire.io/profiles/abc-123/graph?settings=1", "Blackfire.io"),
        ("https://www.blackfire.io/profiles/abc-123/graph/", "Blackfire.io"),
    ],
)
def test_registry_schemes_take_real_links(url: str, name: str) -> None:
    found = ProviderRegistry.default().match(url)
    assert found is not None, url
    assert found[0].name == name
    assert found[0].source == PACKAGED_LABEL


@pytest.mark.parametrize(
    "url",
    [
        "https://www.canva.com/design/DAF1/viewer",  # not the literal segment
        "https://www.canva.com/design/DAF1/view/more",
        "https://wwwcanva.com/design/DAF1/view",
        "https://blackfire.io/profiles/abc/graphs",
    ],
)
def test_leniency_stops_at_the_literal_path(url: str) -> None:
    found = ProviderRegistry.default().match(url)
    assert found is None or found[0].name not in ("Canva", "Blackfire.io")


# -- providers update ---------------------------------------------------------------------


def test_update_downloads_the_registry_and_later_commands_use_it(
    playground: ProviderPlayground, private_cache_dir: Path, tmp_path: Path
) -> None:
    playground.pages["/providers.json"] = registry_json(
        "Loopback Social", "https://social.example/*", playground.endpoint
    )
    playground.oembed["https://social.example/@anna/1"] = {
        "type": "rich",
        "version": "1.0",
        "author_name": "Anna",
        "html": "<blockquote><p>Hej</p></blockquote>",
        "provider_name": "Loopback Social",
    }
    url = playground.url("/providers.json")
    result = run("providers", "update", "--url", url, "--allow-private-network")
    assert result.exit_code == 0, result.output
    assert "1 providers" in result.stdout
    assert (private_cache_dir / "providers.json").is_file()

    listing = run("providers", "list")
    assert listing.exit_code == 0
    assert "Loopback Social  (loopbacksocial)" in listing.stdout
    assert "[registry (downloaded, " in listing.stdout
    assert "[built-in]" in listing.stdout
    assert "Canva" not in listing.stdout  # the downloaded copy replaces the shipped one
    assert "oembed.com registry: downloaded, 20" in listing.stdout
    assert url in listing.stdout

    # fetch finds the endpoint through the downloaded registry, no --providers given.
    story = tmp_path / "story.yaml"
    story.write_text("title: T\nitems:\n  - url: https://social.example/@anna/1\n")
    fetched = run("fetch", story, "--allow-private-network")
    assert fetched.exit_code == 0, fetched.output
    assert any(r.startswith("/oembed?url=") for r in playground.requests)
    snapshots = json.loads((tmp_path / "story.snapshots.json").read_text(encoding="utf-8"))
    assert "Loopback Social" in json.dumps(snapshots)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "not valid JSON"),
        ("<!doctype html><html><body>Maintenance</body></html>", "not valid JSON"),
        ("[]", "lists no providers"),
        ('[{"provider_name": "Broken", "endpoints": [{"url": "ftp://x/"}]}]', "Broken"),
    ],
)
def test_a_broken_download_never_replaces_the_copy_in_use(
    playground: ProviderPlayground, private_cache_dir: Path, body: str, message: str
) -> None:
    good = registry_json("Good Social", "https://social.example/*", playground.endpoint)
    playground.pages["/good.json"] = good
    playground.pages["/bad.json"] = body
    assert (
        run(
            "providers", "update", "--url", playground.url("/good.json"), "--allow-private-network"
        ).exit_code
        == 0
    )
    before = (private_cache_dir / "providers.json").read_bytes()

    result = run(
        "providers", "update", "--url", playground.url("/bad.json"), "--allow-private-network"
    )
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert (private_cache_dir / "providers.json").read_bytes() == before
    assert not list(private_cache_dir.glob(".*.tmp"))
    assert "Good Social" in run("providers", "list").stdout


def test_a_failed_download_says_why_and_keeps_the_shipped_copy(
    playground: ProviderPlayground, private_cache_dir: Path
) -> None:
    playground.pages["/gone.json"] = (500, "oops")
    result = run(
        "providers", "update", "--url", playground.url("/gone.json"), "--allow-private-network"
    )
    assert result.exit_code == 1
    assert "500" in result.stderr
    assert not (private_cache_dir / "providers.json").exists()
    assert f"[{PACKAGED_LABEL}]" in run("providers", "list").stdout


def test_update_refuses_loopback_without_allow_private_network(
    playground: ProviderPlayground, private_cache_dir: Path
) -> None:
    playground.pages["/providers.json"] = registry_json(
        "Loopback Social", "https://social.example/*", playground.endpoint
    )
    result = run("providers", "update", "--url", playground.url("/providers.json"))
    assert result.exit_code == 1
    assert playground.requests == []
    assert not (private_cache_dir / "providers.json").exists()


def test_an_unreadable_downloaded_copy_falls_back_to_the_shipped_one(
    private_cache_dir: Path,
) -> None:
    (private_cache_dir / "providers.json").write_text("[{", encoding="utf-8")
    copy, providers = load_registry()
    assert copy == packaged_copy()
    assert "Canva" in {p.name for p in providers}


# -- providers list -----------------------------------------------------------------------


def test_list_names_the_source_of_every_entry(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(
        registry_json("Mine", "https://mine.example/*", "https://mine.example/oembed"),
        encoding="utf-8",
    )
    result = run("providers", "list", "--providers", path)
    assert result.exit_code == 0
    lines = [line for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert lines[0] == f"Mine  (mine)  https://mine.example/oembed  [{path}]"
    assert lines[1].startswith("X  (twitter)  https://publish.twitter.com/oembed  [built-in]")
    assert any(
        line.startswith("Canva  (canva)") and line.endswith(f"[{PACKAGED_LABEL}]") for line in lines
    )
    assert lines[-1].startswith(
        "oembed.com registry: packaged, 2026-06-04, from npm oembed-providers@1.0.20260604"
    )


# -- the refresh script -------------------------------------------------------------------


def _tarball(path: Path, providers: str, version: str) -> Path:
    files = {
        "package/providers.json": providers.encode(),
        "package/LICENSE": b"The MIT License (MIT)\n\nCopyright (c) 2016 Cal Henderson\n",
        "package/package.json": json.dumps(
            {"name": "oembed-providers", "version": version}
        ).encode(),
    }
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_refresh_script_writes_registry_notice_and_date(tmp_path: Path) -> None:
    tgz = _tarball(
        tmp_path / "oembed-providers.tgz",
        registry_json("Mine", "https://mine.example/*", "https://mine.example/oembed"),
        "1.0.20270102",
    )
    out = tmp_path / "data"
    proc = subprocess.run(
        [
            sys.executable,
            REPO / "scripts" / "refresh_registry.py",
            "--tarball",
            tgz,
            "--output",
            out,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    meta = json.loads((out / "providers.meta.json").read_text(encoding="utf-8"))
    assert meta == {
        "origin": "npm oembed-providers@1.0.20270102",
        "version": "1.0.20270102",
        "date": "2027-01-02",
        "providers": 1,
    }
    assert "Copyright (c) 2016 Cal Henderson" in (out / "NOTICE").read_text(encoding="utf-8")
    assert (
        json.loads((out / "providers.json").read_text(encoding="utf-8"))[0]["provider_name"]
        == "Mine"
    )


def test_refresh_script_refuses_a_broken_registry(tmp_path: Path) -> None:
    tgz = _tarball(tmp_path / "bad.tgz", '{"not": "a list"}', "1.0.20270102")
    out = tmp_path / "data"
    proc = subprocess.run(
        [
            sys.executable,
            REPO / "scripts" / "refresh_registry.py",
            "--tarball",
            tgz,
            "--output",
            out,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "expected a JSON list" in proc.stderr
    assert not (out / "providers.json").exists()


def test_a_dead_registry_endpoint_falls_back_to_the_page(
    playground: ProviderPlayground, tmp_path: Path
) -> None:
    post = playground.url("/post/1")
    registry = registry_json("Stale Video", playground.url("/post/*"), playground.endpoint)
    playground.pages["/providers.json"] = registry
    playground.oembed[post] = (500, '{"error": "gone away"}')
    playground.pages["/post/1"] = (
        '<html><head><meta property="og:title" content="Seen on the page">'
        "</head><body></body></html>"
    )
    url = playground.url("/providers.json")
    assert run("providers", "update", "--url", url, "--allow-private-network").exit_code == 0
    story = tmp_path / "story.yaml"
    story.write_text(f"title: T\nitems:\n  - url: {post}\n", encoding="utf-8")

    fetched = run("fetch", story, "--allow-private-network")
    assert fetched.exit_code == 0, fetched.output
    assert any(r.startswith("/oembed?url=") for r in playground.requests)
    snapshots = (tmp_path / "story.snapshots.json").read_text(encoding="utf-8")
    assert "Seen on the page" in snapshots

    # The same entry from a --providers file falls back too (a 5xx is no verdict on
    # the post), and says so.
    mine = tmp_path / "mine.json"
    mine.write_text(registry, encoding="utf-8")
    refetched = run("fetch", story, "--refresh", "--allow-private-network", "--providers", mine)
    assert refetched.exit_code == 0, refetched.output
    assert "the provider's endpoint failed (500 Internal Server Error" in refetched.stderr
