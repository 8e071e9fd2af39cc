#!/usr/bin/env python3
"""Refresh the copy of oembed.com's provider registry shipped in storyboard's package data.

    python scripts/refresh_registry.py                  # the npm package oembed-providers
    python scripts/refresh_registry.py --tarball FILE   # an oembed-providers-*.tgz at hand
    python scripts/refresh_registry.py --url URL        # a providers.json at a URL

The npm package (``npm pack oembed-providers``, needs ``npm``) is the default because
it carries the registry's license with it and a version that dates the registry
(``1.0.YYYYMMDD``). ``--url`` keeps the NOTICE there is and dates the copy by today.
The new file is checked with storyboard's own providers.json reader before anything
is replaced. Writes ``src/storyboard/providers/data/`` (or ``--output DIR``): ``providers.json``,
``providers.meta.json`` and ``NOTICE``. Review the diff and commit it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "storyboard" / "providers" / "data"
PACKAGE = "oembed-providers"
MAX_BYTES = 8 * 1024 * 1024

sys.path.insert(0, str(ROOT / "src"))
from storyboard.errors import ProviderRegistryError  # noqa: E402
from storyboard.providers.json_file import parse_providers_json  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--tarball", type=Path, help="an oembed-providers .tgz already at hand")
    source.add_argument("--url", help="download providers.json from this URL instead of npm")
    parser.add_argument(
        "--output", type=Path, default=DATA, help="the folder to write (%(default)s)"
    )
    args = parser.parse_args(argv)
    output: Path = args.output

    license_text: str | None = None
    if args.url:
        content = _download(args.url)
        origin, version = args.url, ""
        date = dt.datetime.now(dt.UTC).date().isoformat()
    else:
        tarball = args.tarball or _npm_pack()
        content, license_text, version = _read_tarball(tarball)
        origin = f"npm {PACKAGE}@{version}"
        date = _version_date(version) or dt.datetime.now(dt.UTC).date().isoformat()

    try:
        providers = parse_providers_json(content, origin)
    except ProviderRegistryError as exc:
        print(f"{exc}; nothing replaced", file=sys.stderr)
        return 1
    if not providers:
        print(f"{origin}: the registry lists no providers; nothing replaced", file=sys.stderr)
        return 1
    output.mkdir(parents=True, exist_ok=True)
    (output / "providers.json").write_bytes(content)
    meta = {"origin": origin, "version": version, "date": date, "providers": len(providers)}
    (output / "providers.meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    if license_text is not None:
        (output / "NOTICE").write_text(_notice(license_text), encoding="utf-8")
    print(f"{len(providers)} providers from {origin}, dated {date}, written to {output}")
    return 0


def _npm_pack() -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is not installed; use --tarball FILE or --url URL")
    work = Path(tempfile.mkdtemp(prefix="oembed-providers-"))
    result = subprocess.run(  # noqa: S603  (fixed arguments, npm from PATH)
        [npm, "pack", PACKAGE, "--json"], cwd=work, capture_output=True, text=True, check=True
    )
    name = json.loads(result.stdout)[0]["filename"]
    return work / name


def _read_tarball(path: Path) -> tuple[bytes, str, str]:
    with tarfile.open(path, "r:gz") as archive:

        def member(name: str) -> bytes:
            handle = archive.extractfile(f"package/{name}")
            if handle is None:
                raise SystemExit(f"{path}: no package/{name}")
            return handle.read()

        content = member("providers.json")
        license_text = member("LICENSE").decode("utf-8")
        version = str(json.loads(member("package.json"))["version"])
    return content, license_text, version


def _download(url: str) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise SystemExit(f"not an http(s) URL: {url}")
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310  (checked above)
        buffer = io.BytesIO()
        while chunk := response.read(65536):
            buffer.write(chunk)
            if buffer.tell() > MAX_BYTES:
                raise SystemExit(f"{url}: larger than {MAX_BYTES} bytes; not the registry")
    return buffer.getvalue()


def _version_date(version: str) -> str:
    # The package is versioned by the registry's build date: 1.0.20260604.
    found = re.fullmatch(r"\d+\.\d+\.(\d{4})(\d{2})(\d{2})", version)
    return "-".join(found.groups()) if found else ""


def _notice(license_text: str) -> str:
    return (
        "providers.json is the oEmbed provider registry of https://oembed.com/\n"
        "(https://github.com/iamcal/oembed), as published in the npm package\n"
        f"{PACKAGE}. It is distributed under the following license:\n\n{license_text}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
