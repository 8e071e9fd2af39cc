"""The editor's server: only this machine's page, with the token, on our origin, may talk to it."""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyboard.editor.guard import Guard
from storyboard.editor.pasted import urls_in
from storyboard.editor.server import EditorServer
from storyboard.editor.session import EditorSession, EditorSettings
from storyboard.fsio import locked

STORY = """\
# Kept as written.
title: Server test
items:
  - heading: One   # first
  - text: 'Quoted text'
"""


@pytest.fixture
def editor(tmp_path: Path) -> Iterator[EditorServer]:
    path = tmp_path / "story.yaml"
    path.write_text(STORY, encoding="utf-8")
    server = EditorServer(EditorSession(EditorSettings(story_path=path)))
    with server:
        yield server


def request(
    editor: EditorServer,
    method: str,
    path: str,
    *,
    body: Any = None,
    headers: dict[str, str] | None = None,
    token: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    own = f"127.0.0.1:{editor.port}"
    sent = {"Host": own}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent |= {"Content-Type": "application/json", "Origin": f"http://{own}"}
    sent |= headers or {}
    sent = {key: value for key, value in sent.items() if value}
    prefix = f"/{editor.guard.token if token is None else token}/"
    connection = http.client.HTTPConnection("127.0.0.1", editor.port, timeout=10)
    try:
        connection.putrequest(method, prefix + path, skip_host=True)
        for key, value in sent.items():
            connection.putheader(key, value)
        if data is not None:
            connection.putheader("Content-Length", str(len(data)))
        connection.endheaders(data)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def version(editor: EditorServer) -> str:
    status, _, body = request(editor, "GET", "api/version")
    assert status == 200
    return str(json.loads(body)["version"])


def test_the_page_and_the_api_answer_with_the_token(editor: EditorServer) -> None:
    status, headers, body = request(editor, "GET", "")
    assert status == 200
    assert b'<script src="editor.js"' in body
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "no-referrer"
    status, _, body = request(
        editor, "GET", "api/state", headers={"Host": f"localhost:{editor.port}"}
    )
    state = json.loads(body)
    assert status == 200
    assert [item["kind"] for item in state["items"]] == ["heading", "text"]
    assert editor.url == f"http://127.0.0.1:{editor.port}/{editor.guard.token}/"


@pytest.mark.parametrize("token", ["", "wrong", "x" * 32])
def test_without_the_right_token_nothing_is_served(editor: EditorServer, token: str) -> None:
    for path in ("", "api/state", "editor.js"):
        status, _, body = request(editor, "GET", path, token=token)
        assert status == 403, path
        assert b"token" in body
    status, _, _ = request(editor, "POST", "api/edit", body={"op": "delete"}, token=token)
    assert status == 403


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "localhost", "[::1]:{port}", ""]
)
def test_a_foreign_host_is_refused_dns_rebinding(editor: EditorServer, host: str) -> None:
    status, _, _ = request(
        editor, "GET", "api/state", headers={"Host": host.format(port=editor.port)}
    )
    assert status == 421


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Origin": "http://evil.example"}, 403),
        ({"Origin": "http://127.0.0.1:1"}, 403),
        ({"Origin": "null"}, 403),
        ({"Origin": ""}, 403),  # a change must say where it comes from
        ({"Sec-Fetch-Site": "cross-site"}, 403),
        ({"Content-Type": "text/plain"}, 415),  # what a cross-site form could send
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
    ],
)
def test_changes_only_from_our_own_page_as_json(
    editor: EditorServer, headers: dict[str, str], status: int
) -> None:
    path = editor.session.path
    body = {"op": "delete", "index": 0, "version": version(editor)}
    got, _, _ = request(editor, "POST", "api/edit", body=body, headers=headers)
    assert got == status
    assert path.read_text(encoding="utf-8") == STORY


def test_reads_from_another_origin_and_other_methods_are_refused(editor: EditorServer) -> None:
    status, _, _ = request(editor, "GET", "api/state", headers={"Origin": "http://evil.example"})
    assert status == 403
    status, _, _ = request(editor, "GET", "api/state", headers={"Sec-Fetch-Site": "cross-site"})
    assert status == 403
    for method in ("OPTIONS", "PUT", "DELETE"):
        status, _, _ = request(editor, method, "api/edit")
        assert status == 405, method


def test_a_change_on_a_stale_version_is_refused_and_the_hand_edit_kept(
    editor: EditorServer,
) -> None:
    path = editor.session.path
    seen = version(editor)
    hand_edited = STORY + "  - heading: Added by hand  # keep me\n"
    path.write_text(hand_edited, encoding="utf-8")
    status, _, body = request(
        editor, "POST", "api/edit", body={"op": "move", "index": 0, "to": 1, "version": seen}
    )
    assert status == 409
    reply = json.loads(body)
    assert "changed on disk" in reply["error"]
    assert [item.get("heading") for item in reply["state"]["items"]] == [
        "One",
        None,
        "Added by hand",
    ]
    assert path.read_text(encoding="utf-8") == hand_edited
    # On the version it now has, the change goes through and keeps the hand edit.
    status, _, body = request(
        editor,
        "POST",
        "api/edit",
        body={"op": "move", "index": 0, "to": 1, "version": reply["state"]["version"]},
    )
    assert status == 200
    assert path.read_text(encoding="utf-8") == (
        "# Kept as written.\ntitle: Server test\nitems:\n  - text: 'Quoted text'\n"
        "  - heading: One   # first\n  - heading: Added by hand  # keep me\n"
    )


def test_bad_changes_say_why_and_write_nothing(editor: EditorServer) -> None:
    path = editor.session.path
    cases = [
        ({"op": "nonsense"}, "unknown change"),
        ({"op": "delete", "index": 7}, "no item 8"),
        ({"op": "update", "index": 0, "changes": {"url": "https://a.example/"}}, "heading item"),
        ({"op": "add_urls", "index": 0, "text": "no links here"}, "no http(s) URL"),
        ({"op": "insert", "index": 0, "items": [{"heading": ""}]}, "heading"),
    ]
    for body, message in cases:
        status, _, reply = request(
            editor, "POST", "api/edit", body={**body, "version": version(editor)}
        )
        assert status == 400, body
        assert message in json.loads(reply)["error"], body
    assert path.read_text(encoding="utf-8") == STORY
    status, _, _ = request(editor, "POST", "api/edit", body=[1, 2])
    assert status == 400


def test_urls_are_found_in_pasted_text() -> None:
    pasted = "See https://social.example/@a/1, and (https://social.example/@b/2).\nftp://x.example/"
    assert urls_in(pasted + " https://social.example/@a/1") == [
        "https://social.example/@a/1",
        "https://social.example/@b/2",
    ]


def test_the_guard_compares_the_whole_token() -> None:
    guard = Guard("abc", 8000)
    assert guard.strip_token("/abc/api/state?x=1") == "api/state"
    assert guard.strip_token("/abcd/api/state") is None
    assert guard.strip_token("/ab/") is None
    assert guard.strip_token("/abc") is None


def test_the_command_prints_its_address_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    path = tmp_path / "story.yaml"
    path.write_text(STORY, encoding="utf-8")
    command = [sys.executable, "-m", "storyboard", "edit", str(path), "--no-open"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            match = re.search(
                r"at (http://127\.0\.0\.1:(\d+)/[\w-]{20,}/) \(Ctrl-C to stop\)", line
            )
            assert match, line
            url = match.group(1)
            with urllib.request.urlopen(url + "api/state", timeout=10) as answer:
                assert json.loads(answer.read())["title"] == "Server test"
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(url.rsplit("/", 2)[0] + "/api/state", timeout=10)
            assert refused.value.code == 403
            refused.value.close()
        finally:
            proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Stopped." in err
    assert path.read_text(encoding="utf-8") == STORY


def test_the_command_reports_a_broken_story_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "story.yaml"
    path.write_text("titel: x\nitems: []\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "storyboard", "edit", str(path), "--no-open"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {path}:1:1: ")
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_a_crlf_file_with_a_byte_order_mark_keeps_both(tmp_path: Path) -> None:
    path = tmp_path / "story.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + STORY.replace("\n", "\r\n").encode("utf-8"))
    with EditorServer(EditorSession(EditorSettings(story_path=path))) as server:
        body = {"op": "move", "index": 1, "to": 0, "version": version(server)}
        status, _, _ = request(server, "POST", "api/edit", body=body)
        assert status == 200
    moved = STORY.replace(
        "  - heading: One   # first\n  - text: 'Quoted text'\n",
        "  - text: 'Quoted text'\n  - heading: One   # first\n",
    )
    assert path.read_bytes() == b"\xef\xbb\xbf" + moved.replace("\n", "\r\n").encode("utf-8")


def test_a_story_file_gone_meanwhile_is_a_problem_not_a_crash(editor: EditorServer) -> None:
    path = editor.session.path
    path.unlink()
    status, _, body = request(editor, "GET", "api/state")
    assert status == 200
    assert "cannot read" in json.loads(body)["problems"][0]
    status, _, body = request(editor, "GET", "api/version")
    assert (status, json.loads(body)["version"]) == (200, "")
    path.write_text(STORY, encoding="utf-8")
    status, _, body = request(editor, "GET", "api/state")
    assert json.loads(body)["problems"] == []


def test_a_change_waits_for_the_story_lock_and_never_overwrites_that_write(
    editor: EditorServer,
) -> None:
    path = editor.session.path
    seen = version(editor)
    replies: list[int] = []
    body = {"op": "move", "index": 0, "to": 1, "version": seen}
    change = threading.Thread(
        target=lambda: replies.append(request(editor, "POST", "api/edit", body=body)[0])
    )
    by_add = STORY + "  - heading: Added by add\n"
    with locked(path):  # what add, collect and fetch hold while they write
        change.start()
        time.sleep(0.5)
        assert change.is_alive()  # waiting for the lock
        path.write_text(by_add, encoding="utf-8")
    change.join(timeout=30)
    assert replies == [409]
    assert path.read_text(encoding="utf-8") == by_add


def test_a_paste_names_what_only_looks_like_an_address_and_writes_none_of_it(
    editor: EditorServer,
) -> None:
    path = editor.session.path
    pasted = (
        "javascript:alert(document.cookie) htps://social.example/@a/1 "
        "https//social.example/@b/2 www.social.example/@c/3 data:text/html,x note:this 12:30"
    )
    status, _, body = request(
        editor,
        "POST",
        "api/edit",
        body={"op": "add_urls", "index": 0, "text": pasted, "version": version(editor)},
    )
    assert status == 400
    assert json.loads(body)["refused"] == [
        {"given": "javascript:alert(document.cookie)", "fixed": None},
        {"given": "htps://social.example/@a/1", "fixed": "https://social.example/@a/1"},
        {"given": "https//social.example/@b/2", "fixed": "https://social.example/@b/2"},
        {"given": "www.social.example/@c/3", "fixed": "https://www.social.example/@c/3"},
        {"given": "data:text/html,x", "fixed": None},
    ]
    assert path.read_text(encoding="utf-8") == STORY
    # With one good address among them: that one is added, the others are named.
    status, _, body = request(
        editor,
        "POST",
        "api/edit",
        body={
            "op": "add_urls",
            "index": 2,
            "text": "https://social.example/@ok/1, javascript:void(0)",
            "version": version(editor),
        },
    )
    assert status == 200
    reply = json.loads(body)
    assert reply["added"] == ["https://social.example/@ok/1"]
    assert reply["refused"] == [{"given": "javascript:void(0)", "fixed": None}]
    assert path.read_text(encoding="utf-8") == STORY + "  - url: https://social.example/@ok/1\n"


def test_an_assets_folder_that_is_a_link_serves_nothing(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.jpg").write_bytes(b"\xff\xd8\xff\xe0 not for the editor")
    path = tmp_path / "story.yaml"
    path.write_text(STORY, encoding="utf-8")
    own = tmp_path / "story.assets"
    own.mkdir()
    (own / "own.jpg").write_bytes(b"\xff\xd8\xff\xe0 the story's own")
    with EditorServer(EditorSession(EditorSettings(story_path=path))) as server:
        status, _, body = request(server, "GET", "assets/own.jpg")
        assert (status, body) == (200, b"\xff\xd8\xff\xe0 the story's own")
        own.rename(tmp_path / "was.assets")
        own.symlink_to(elsewhere, target_is_directory=True)
        status, _, body = request(server, "GET", "assets/secret.jpg")
        assert status == 404
        assert b"not for the editor" not in body
