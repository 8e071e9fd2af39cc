"""A loopback server playing real hosts (providers, platforms' APIs, news sites) at once.

storyboard is pointed at it by ``STORYBOARD_HOST_MAP``: every mapped host's requests
arrive here with their real ``Host`` header, and the answer is looked up by host and
path (and, for an oEmbed endpoint serving several posts, the ``url`` asked about).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

REAL_WORLD_CASES = Path(__file__).parent / "fixtures" / "real_world" / "cases.json"


def png_bytes() -> bytes:
    """Return a small real PNG: archived pictures are checked to be images."""
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 80, 40)).save(out, format="PNG")
    return out.getvalue()


@dataclass
class World:
    """Answers by (host, path); ``requests`` logs ``host path?query`` of every request."""

    server: HTTPServer
    answers: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def add(self, answer: dict[str, Any]) -> None:
        """Serve ``answer`` (a case response: host, path, status, headers, body...)."""
        self.answers.setdefault((answer["host"], answer["path"]), []).insert(0, answer)

    def add_cases(self, cases: list[dict[str, Any]]) -> None:
        for case in cases:
            for answer in case["responses"]:
                self.add(answer)

    def host_map(self) -> str:
        """Return the ``STORYBOARD_HOST_MAP`` value sending every known host here."""
        origin = f"http://{self.server.host}:{self.server.port}"
        hosts = sorted({host for host, _ in self.answers})
        return ",".join(f"{host}={origin}" for host in hosts)

    def handle(self, request: Request) -> Response:
        host = (request.headers.get("Host") or "").split(":")[0].lower()
        query = request.query_string.decode()
        self.requests.append(f"{host} {request.path}" + (f"?{query}" if query else ""))
        for answer in self.answers.get((host, request.path), []):
            about = answer.get("about")
            if about is None or about == request.args.get("url"):
                return answer_response(answer)
        return Response("not found", 404, content_type="text/plain")


def answer_response(answer: dict[str, Any]) -> Response:
    """Return the HTTP response an answer describes, its body in its own encoding."""
    if answer.get("image"):
        body = png_bytes()
    else:
        body = answer.get("body", "").encode(answer.get("encoding", "utf-8"))
    headers = dict(answer.get("headers", {}))
    return Response(body, answer["status"], headers=headers, content_type=answer["content_type"])


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(REAL_WORLD_CASES.read_text(encoding="utf-8"))
    return cases


def start_world(server: HTTPServer) -> World:
    world = World(server)
    server.expect_request(re.compile(".*")).respond_with_handler(world.handle)
    return world
