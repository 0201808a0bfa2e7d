"""One streamed pass over a landing file: content hash, size, UTF-8 validity, blank lines."""

from __future__ import annotations

import codecs
import gzip
import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path

CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    size: int
    # Set when the (decompressed) text is not UTF-8: where and what.
    utf8_error: str | None = None
    # Set when a .gz file cannot be decompressed.
    gzip_error: str | None = None
    # True when the text has an empty line before its end (CSV line accounting needs to
    # know, JSON lines skips them); only looked for when fingerprint(blank_lines=True).
    has_blank_lines: bool = False
    # True when the text holds nothing but whitespace (or a BOM).
    is_blank: bool = True


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def fingerprint(
    path: Path, *, text: bool, compressed: bool = False, blank_lines: bool = True
) -> Fingerprint:
    """Hash the bytes of `path`; for text formats also check UTF-8 and, with `blank_lines`,
    look for blank lines (only CSV needs them: the search doubled the time of this pass)."""
    if not text:
        sha, size = _sha256(path)
        return Fingerprint(sha, size, is_blank=size == 0)
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0  # decompressed bytes seen
    tail = b""
    has_blank = pending_blank = False
    is_blank = True
    utf8_error = gzip_error = None
    raw = path.open("rb")
    try:
        stream = (
            gzip.GzipFile(fileobj=_HashingReader(raw, digest), mode="rb") if compressed else None
        )
        while True:
            if compressed:
                try:
                    chunk = stream.read(CHUNK)
                except (OSError, EOFError, zlib.error) as exc:
                    gzip_error = f"cannot decompress: {exc}"
                    break
            else:
                chunk = raw.read(CHUNK)
                digest.update(chunk)
            if not chunk:
                break
            pending = decoder.getstate()[0]  # a character's first bytes, held back
            if utf8_error is None and not (chunk.isascii() and not pending):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    # exc.start counts from the held-back bytes, not from this chunk
                    at = offset - len(pending) + exc.start
                    utf8_error = (
                        f"byte 0x{(pending + chunk)[exc.start]:02x} at byte offset {at} "
                        f"(line {_line_at(path, at, compressed)}) is not valid UTF-8"
                    )
            if is_blank and chunk.strip(b" \t\r\n\xef\xbb\xbf"):
                is_blank = False
            if blank_lines and not has_blank:
                # an empty line only counts when more content follows it
                if pending_blank and chunk.strip(b"\r\n"):
                    has_blank = True
                joined = tail + chunk
                stripped = joined.rstrip(b"\r\n")
                if b"\n\n" in stripped or b"\n\r\n" in stripped:
                    has_blank = True
                elif stripped:
                    ending = joined[len(stripped) - 1 :]
                    pending_blank = b"\n\n" in ending or b"\n\r\n" in ending
                tail = chunk[-2:]
            offset += len(chunk)
        if compressed:
            # drain what the gzip reader did not need to hash the whole file
            while data := raw.read(CHUNK):
                digest.update(data)
        if utf8_error is None and gzip_error is None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8_error = f"the file ends inside a UTF-8 sequence (byte offset {offset})"
    finally:
        raw.close()
    size = path.stat().st_size
    return Fingerprint(
        digest.hexdigest(),
        size,
        utf8_error=utf8_error,
        gzip_error=gzip_error,
        has_blank_lines=has_blank,
        is_blank=is_blank,
    )


def _line_at(path: Path, offset: int, compressed: bool) -> int:
    """The line number of the (decompressed) byte at `offset`: read again, only for an
    error message, so the pass above does not count lines."""
    lines = 1
    with gzip.open(path, "rb") if compressed else path.open("rb") as f:
        while offset > 0 and (chunk := f.read(min(CHUNK, offset))):
            lines += chunk.count(b"\n")
            offset -= len(chunk)
    return lines


class _HashingReader:
    """A file wrapper that hashes every byte read through it (for .gz files)."""

    def __init__(self, raw, digest) -> None:
        self._raw = raw
        self._digest = digest

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        self._digest.update(data)
        return data

    def readable(self) -> bool:
        return True
