"""read: LibreCat exports → a stream of records, one at a time.

Accepts JSON array files, JSON Lines, either gzip-compressed, ``-`` for stdin,
several files or folders. Nothing is loaded whole: arrays are cut into their
elements by a small scanner and each element is parsed on its own, so one
malformed element becomes a reject and reading goes on with the next.
"""

from __future__ import annotations

import gzip
import io
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

import orjson

RECORD_SUFFIXES: Final = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")
_CHUNK = 1 << 20


# Not frozen: compiled (mypyc) frozen dataclasses cannot be unpickled,
# and items cross process boundaries (--jobs, dask).
@dataclass
class Item:
    """One element of the input: a record, or why it could not be read."""

    source: str
    position: str  # "element 3" / "line 7"
    record: dict[str, Any] | None = None
    error: str | None = None
    # Unparsed JSON text (read_records(..., raw=True)); parse_item turns it into a record.
    raw: bytes | None = None

    # Written out (see kg.mapping.model.RecordGraph): compiled, it runs natively.
    def __init__(
        self,
        source: str,
        position: str,
        record: dict[str, Any] | None = None,
        error: str | None = None,
        raw: bytes | None = None,
    ) -> None:
        self.source = source
        self.position = position
        self.record = record
        self.error = error
        self.raw = raw

    def __reduce__(self) -> tuple:
        # Through the constructor: a compiled dataclass otherwise pickles field by field (slowly).
        return (Item, (self.source, self.position, self.record, self.error, self.raw))


class InputError(Exception):
    """An input that cannot be opened at all (missing file, unreadable folder)."""


def expand_sources(sources: Iterable[str]) -> list[str]:
    """Files as given; folders replaced by the record files inside them, sorted."""
    out: list[str] = []
    for source in sources:
        if source == "-":
            out.append(source)
            continue
        path = Path(source)
        if path.is_dir():
            found = sorted(str(p) for p in path.rglob("*") if p.is_file() and p.name.endswith(RECORD_SUFFIXES))
            if not found:
                raise InputError(f"{source}: folder holds no .json/.jsonl(.gz) files")
            out.extend(found)
        elif path.is_file():
            out.append(source)
        else:
            raise InputError(f"{source}: no such file or folder")
    return out


def read_records(sources: Iterable[str], raw: bool = False) -> Iterator[Item]:
    """Every element of every source, in order.

    With *raw*, elements come unparsed (``Item.raw``), so that the parsing can be
    done by the worker process that maps the record; ``parse_item`` does it.
    """
    for source in expand_sources(sources):
        yield from read_source(source, raw)


def parse_item(item: Item) -> Item:
    """An item with its JSON text parsed into a record (or the reason it cannot be)."""
    if item.raw is None:
        return item
    try:
        value = orjson.loads(item.raw)
    except orjson.JSONDecodeError as exc:
        return Item(item.source, item.position, error=f"invalid JSON: {exc}")
    return _as_record(value, item.source, item.position)


def _open_binary(source: str) -> IO[bytes]:
    raw: Any = getattr(sys.stdin.buffer, "raw", sys.stdin.buffer) if source == "-" else open(source, "rb", buffering=0)
    # A large buffer lets the format sniffing peek at a whole first line.
    buffered = io.BufferedReader(raw, _CHUNK)
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        unpacked: Any = gzip.GzipFile(fileobj=buffered)
        return io.BufferedReader(unpacked, _CHUNK)
    return buffered


def read_source(source: str, raw: bool = False) -> Iterator[Item]:
    name = "<stdin>" if source == "-" else source
    stream = _open_binary(source)
    try:
        first = _first_significant_byte(stream)
        if first == b"[":
            yield from _read_elements(stream, name, True, raw)
        elif first == b"":
            return
        elif name.endswith((".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")) or _first_line_is_json(stream):
            yield from _read_lines(stream, name, raw)
        else:
            # Pretty-printed objects one after another (or one big object).
            yield from _read_elements(stream, name, False, raw)
    except (OSError, EOFError) as exc:
        yield Item(name, "file", error=f"cannot read: {exc}")
    finally:
        if source != "-":
            stream.close()


def _first_significant_byte(stream: IO[bytes]) -> bytes:
    peek = getattr(stream, "peek", None)
    head = peek(64) if peek else b""
    # A UTF-8 byte order mark is harmless; skip it.
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return stripped[:1]


def _first_line_is_json(stream: IO[bytes]) -> bool:
    head = stream.peek(_CHUNK)  # type: ignore[attr-defined]
    line = head.split(b"\n", 1)[0].removeprefix(b"\xef\xbb\xbf")
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def _as_record(value: Any, name: str, position: str) -> Item:
    if isinstance(value, dict):
        return Item(name, position, record=value)
    kind = "an array" if isinstance(value, list) else type(value).__name__
    return Item(name, position, error=f"expected a record (JSON object), got {kind}")


def _read_lines(stream: IO[bytes], name: str, raw: bool = False) -> Iterator[Item]:
    for number, line in enumerate(stream, start=1):
        if number == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if not line or line.isspace():  # a blank line (stops at a record's "{"; strip() copied it)
            continue
        position = f"line {number}"
        if raw:
            yield Item(name, position, raw=line)
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield Item(name, position, error=f"invalid JSON: {exc}")
            continue
        yield _as_record(value, name, position)


# Strings (with escapes) or structural characters: enough to find where an
# array element ends without parsing it.
_TOKEN: Final = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|"|[\[\]{},]')


def _read_elements(stream: IO[bytes], name: str, in_array: bool, raw: bool = False) -> Iterator[Item]:
    """Cut a top-level JSON array (or a run of JSON values) into elements; parse each alone."""
    buffer = stream.read(_CHUNK).removeprefix(b"\xef\xbb\xbf")
    pos = buffer.index(b"[") + 1 if in_array else 0
    eof = False
    label = "element" if in_array else "object"
    index = 0
    while True:
        # Skip whitespace and separators between elements.
        while True:
            while pos < len(buffer) and buffer[pos] in b" \t\r\n,":
                pos += 1
            if pos < len(buffer) or eof:
                break
            buffer, pos, eof = _refill(stream, buffer, pos)
        if pos >= len(buffer):
            if in_array:
                yield Item(name, f"element {index + 1}", error="file ends before the closing ']'")
            return
        if in_array and buffer[pos : pos + 1] == b"]":
            return
        start = pos
        end = None
        while end is None:
            end = _element_end(buffer, start)
            if end is None:
                if eof:
                    yield Item(
                        name,
                        f"{label} {index + 1}",
                        error="file ends inside this element (truncated or unbalanced brackets)",
                    )
                    return
                buffer, start, eof = _refill(stream, buffer, start)
        index += 1
        position = f"{label} {index}"
        if raw:
            yield Item(name, position, raw=buffer[start:end])
            pos = end
            continue
        try:
            value = orjson.loads(buffer[start:end])
        except orjson.JSONDecodeError as exc:
            yield Item(name, position, error=f"invalid JSON: {exc}")
        else:
            yield _as_record(value, name, position)
        pos = end


def _refill(stream: IO[bytes], buffer: bytes, keep_from: int) -> tuple[bytes, int, bool]:
    chunk = stream.read(_CHUNK)
    return buffer[keep_from:] + chunk, 0, not chunk


def _element_end(buffer: bytes, start: int) -> int | None:
    """Index just past the element starting at *start*, or None if the buffer ends first."""
    depth = 0
    for match in _TOKEN.finditer(buffer, start):
        token = match.group()
        if token == b'"':  # a string that goes on past the buffer
            return None
        if token[0] == 34:  # a complete string
            continue
        if token in (b"{", b"["):
            depth += 1
        elif token in (b"}", b"]"):
            if depth == 0:
                return match.start()  # a bare scalar ended by the array's ']'
            depth -= 1
            if depth == 0:
                return match.end()
        elif depth == 0:  # a ',' after a bare scalar
            return match.start()
    return None
