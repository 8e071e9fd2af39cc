"""Read a snapshot file one entry at a time, and keep entries packed until they are used.

A snapshot file of thousands of posts parsed whole (``json.loads``) is several times
its size in memory at once, and the models made of it about twice its size. Here the
file is decoded and parsed a piece at a time: each entry's JSON is handed on as soon as
it is read (``entries``), so only one entry and a small buffer are ever held beside
what the caller keeps.

Only the layout storyboard writes is taken this way: one object holding ``"format"``
(this version) and then ``"snapshots"``, an object of entries. Anything else, and any
file that is not valid JSON, raises ``NotStreamableError``: the caller then reads the
file whole, as it always has, and words the problem as it always has. Every value is
parsed by the standard library's own JSON scanner (``raw_decode``), so each entry is the
object ``json.loads`` makes of it.

``pack`` and ``unpack`` keep an entry's JSON in ``marshal``'s form, for readers that look
each snapshot up once (an offline render) and so need not keep every model at once:
unpacked, it is the very object the file's reading gave (dicts, lists, strings, numbers,
``NaN`` and lone surrogates included), in a third to a half of the time parsing the
entry's text again takes, and in fewer bytes. The bytes never leave the process, so
``marshal``'s format changing between Python versions does not matter.
"""

from __future__ import annotations

import codecs
import json
import marshal
import re
from collections.abc import Iterator
from typing import IO, Any

#: Bytes read at a time; a value that does not fit is read with twice as much, and so on.
_CHUNK = 1 << 16
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class NotStreamableError(Exception):
    """The file is not in the layout read here, or not valid: read it whole instead."""


class _Reader:
    """The decoded text of a binary file, a buffer at a time, with a read position."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.text = ""
        self.pos = 0
        self.ended = False

    def read_more(self, size: int = _CHUNK) -> None:
        """Add at least ``size`` more bytes' text to the buffer, dropping what was read."""
        data = self.handle.read(size)
        self.ended = not data
        try:
            more = self.decoder.decode(data, final=self.ended)
        except UnicodeDecodeError as exc:
            raise NotStreamableError from exc
        self.text = self.text[self.pos :] + more
        self.pos = 0

    def next_char(self) -> str:
        """Return the next character that is not whitespace ("" at the end), without taking it."""
        while True:
            self.pos = _WHITESPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text) or self.ended:
                return self.text[self.pos : self.pos + 1]
            self.read_more()

    def expect(self, char: str) -> None:
        if self.next_char() != char:
            raise NotStreamableError
        self.pos += 1

    def value(self) -> Any:
        """Parse the next JSON value, reading on until the buffer holds all of it."""
        self.next_char()
        size = _CHUNK
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError:
                if self.ended:
                    raise NotStreamableError from None
            except RecursionError:
                raise NotStreamableError from None
            else:
                # A number at the buffer's end may go on in the bytes not read yet.
                if end < len(self.text) or self.ended:
                    self.pos = end
                    return value
            self.read_more(size)
            size *= 2


def entries(handle: IO[bytes], version: int) -> Iterator[tuple[str, Any]]:
    """Yield the ``(key, entry JSON)`` of ``handle``'s snapshots, in the file's order.

    Raises ``NotStreamableError`` (possibly after yielding some) unless the file is
    ``{"format": version, "snapshots": {...}}`` in that order, valid, and nothing else.
    A key may come twice: as with ``json.loads``, the last one counts.
    """
    reader = _Reader(handle)
    reader.expect("{")
    if reader.value() != "format":
        raise NotStreamableError
    reader.expect(":")
    found = reader.value()
    if type(found) is not int or found != version:
        raise NotStreamableError
    reader.expect(",")
    if reader.value() != "snapshots":
        raise NotStreamableError
    reader.expect(":")
    reader.expect("{")
    if reader.next_char() == "}":
        reader.pos += 1
    else:
        while True:
            key = reader.value()
            if type(key) is not str:
                raise NotStreamableError
            reader.expect(":")
            yield key, reader.value()
            after = reader.next_char()
            reader.pos += 1
            if after == "}":
                break
            if after != ",":
                raise NotStreamableError
    reader.expect("}")
    if reader.next_char() != "":
        raise NotStreamableError


def pack(entry: Any) -> bytes:
    """Return an entry's JSON (as ``entries`` gives it) in a compact form, to keep."""
    return marshal.dumps(entry)  # ValueError if nested beyond marshal's limit


def unpack(packed: bytes) -> Any:
    """Return the entry JSON of a ``pack``ed entry: equal to what the file's reading gave."""
    return marshal.loads(packed)  # noqa: S302 (bytes ``pack`` made in this process)
