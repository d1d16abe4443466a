"""File sizes and SHA-256 checksums, computed on another thread while records are converted.

A dump's description gives its size and SHA-256, and those of its input files (DCAT,
PROV). Reading a dump back to hash it took a sixth of a conversion's time. hashlib
releases the GIL while it hashes, so with a second core a dump is hashed as it is
written and its inputs while they are converted, at no cost in time.
"""

from __future__ import annotations

import hashlib
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

_BLOCK = 1 << 20


@dataclass
class FileFacts:
    """A file's name, size and SHA-256 (inputs and dumps)."""

    name: str
    byte_size: int | None
    sha256: str | None

    @classmethod
    def of(cls, path: str) -> FileFacts:
        if path == "-":
            return cls("stdin", None, None)
        digest = hashlib.sha256()
        size = 0
        with open(path, "rb") as stream:
            while chunk := stream.read(_BLOCK):
                digest.update(chunk)
                size += len(chunk)
        return cls(Path(path).name, size, digest.hexdigest())


class HashingFile(io.RawIOBase):
    """A file opened for writing whose size and SHA-256 are computed, on a thread, as it is written."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self._file = open(path, "wb", buffering=0)
        self._digest = hashlib.sha256()
        self._size = 0
        self._hasher = ThreadPoolExecutor(1, thread_name_prefix="kg-sha256")

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = bytes(data)  # the caller reuses its buffer once this returns
        self._hasher.submit(self._digest.update, chunk)
        self._size += len(chunk)
        view = memoryview(chunk)
        try:
            while view:
                written = self._file.write(view)
                view = view[written or 0 :]
        except OSError as exc:  # a full disk: said of the dump, not of a nameless write
            raise OSError(exc.errno, exc.strerror, exc.filename or self.path) from exc
        return len(chunk)

    def close(self) -> None:
        if not self.closed:
            self._hasher.shutdown(wait=True)
            self._file.close()
        super().close()

    def facts(self) -> FileFacts:
        """Name, size and SHA-256 of what was written (once closed)."""
        if not self.closed:
            raise ValueError("the file is still being written")
        return FileFacts(Path(self.path).name, self._size, self._digest.hexdigest())
