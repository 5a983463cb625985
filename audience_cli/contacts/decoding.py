"""Bytes to text lines: encoding and BOMs, binary files, decode errors with positions.

`TextLines` reads a binary stream in fixed-size chunks and yields physical
lines with their endings (`\\n`, `\\r\\n` or `\\r`), so memory stays flat and a
decode error can name the line, column and byte where it happened.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from audience_cli.contacts.report import Note, Setting, note
from audience_cli.errors import BomMismatchError, NotTextError, UndecodableError, UsageError

CHUNK_SIZE = 1 << 16
MAX_LINE_BYTES = 16 << 20  # a "line" this long means the file is not a CSV


# Signatures of files people pick by mistake, checked before anything else.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another ZIP archive"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"%PDF-", "a PDF document"),
)
# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
ENCODING = Setting("encoding")  # the setting the warnings name (the CLI shows its flag)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ASCII_PROBE = '\r\n,;\t|"abcXYZ0189+'


class TextLines:
    """The decoded physical lines of `stream`, read lazily.

    `encoding=None` means UTF-8, with or without a byte-order mark; a UTF-16
    or UTF-32 byte-order mark is honoured too. `lines` counts the lines
    decoded so far; `warnings` holds what the report should say about the
    decoding (one line each).

    A UTF-8 byte-order mark with another `encoding` is refused when the first
    chunk after it is UTF-8 beyond ASCII (the encoding would garble it);
    otherwise the mark is dropped and a warning says so.
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        source: str,
        encoding: str | None = None,
        head: bytes | None = None,
    ) -> None:
        self.source = source
        self.lines = 0
        self.warnings: list[Note] = []
        self._stream = stream
        if head is None:  # else the caller read the start already (`read_head`)
            head = read_head(stream, source)
        _refuse_known_binary(head, source)
        self.encoding, bom = _choose_encoding(head, encoding)
        if encoding is not None and self.encoding != "utf-8" and head.startswith(codecs.BOM_UTF8):
            bom = self._foreign_utf8_bom(head, encoding)
        self._offset = len(bom)
        self._head = head[len(bom) :]
        self._ascii = _ascii_compatible(self.encoding)

    def __iter__(self) -> Iterator[str]:
        return self._ascii_lines() if self._ascii else self._wide_lines()

    def _foreign_utf8_bom(self, head: bytes, requested: str) -> bytes:
        """The UTF-8 mark to skip in a file read with another encoding (or a UsageError).

        Refused when the first chunk holds UTF-8 beyond ASCII: `requested` would
        garble it. Otherwise the mark is dropped, with a warning, and `requested`
        is used as asked: the text so far reads the same either way, or is not UTF-8.
        """
        text = head[len(codecs.BOM_UTF8) :]
        try:
            codecs.getincrementaldecoder("utf-8")().decode(text, final=False)
        except UnicodeDecodeError:
            self.warnings.append(
                note(
                    "the file starts with a UTF-8 byte-order mark but is not UTF-8: "
                    f"read as {requested} (",
                    ENCODING,
                    "), without the mark",
                )
            )
            return codecs.BOM_UTF8
        if text.isascii():
            self.warnings.append(
                note(
                    "the file starts with a UTF-8 byte-order mark but ",
                    ENCODING,
                    f" {requested} was given; the file is probably UTF-8 (the mark was dropped)",
                )
            )
            return codecs.BOM_UTF8
        raise BomMismatchError(
            f"{self.source}: the file starts with a UTF-8 byte-order mark but the encoding "
            f"{requested} was asked for; the file is UTF-8",
            requested=requested,
        )

    def _read(self) -> bytes:
        return _read_chunk(self._stream, self.source)

    # -- ASCII-compatible encodings (UTF-8, Latin-1, cp1252...): split on bytes ------------

    def _ascii_lines(self) -> Iterator[str]:
        pending = bytearray()
        chunk = self._head
        first = True
        while chunk:
            if b"\x00" in chunk:
                raise _not_text(self.source)
            pending += chunk
            cut = _last_break(pending)
            if cut:
                block = bytes(pending[:cut])
                del pending[:cut]
                yield from self._decode_block(block, first)
                first = False
            if len(pending) > MAX_LINE_BYTES:
                raise self._too_long()
            chunk = self._read()
        if pending:
            yield from self._decode_block(bytes(pending), first)

    def _decode_block(self, block: bytes, first: bool) -> Iterator[str]:
        try:
            text = block.decode(self.encoding)
        except UnicodeDecodeError as exc:
            raise self._decode_error(block, exc) from None
        if first and text.startswith("\ufeff"):
            text = text[1:]
        lines = io.StringIO(text, newline="").readlines()
        self.lines += len(lines)
        self._offset += len(block)
        yield from lines

    def _decode_error(self, block: bytes, exc: UnicodeDecodeError) -> UndecodableError:
        start = exc.start if exc.object == block else 0
        before = block[:start].decode(self.encoding, errors="replace")
        breaks = list(_LINE_BREAK.finditer(before))
        line = self.lines + len(breaks) + 1
        column = len(before) - (breaks[-1].end() if breaks else 0) + 1
        bad = block[start : start + 1].hex().upper()
        return UndecodableError(
            f"{self.source}: line {line}, column {column}: byte 0x{bad} "
            f"(offset {self._offset + start}) is not valid {self.encoding}"
        )

    # -- UTF-16 / UTF-32: decode incrementally, split the text -----------------------------

    def _wide_lines(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder(self.encoding)()
        # Text not yet split into lines: a line's start, in pieces while no break comes
        # (joined once when one does, not again with every chunk of a long line).
        pending: list[str] = []
        pending_chars = 0
        started = False
        chunk = self._head
        while True:
            final = not chunk
            try:
                text = decoder.decode(chunk, final=final)
            except UnicodeError:
                where = f"after line {self.lines}" if self.lines else "at the start"
                raise UndecodableError(
                    f"{self.source}: {where}: bytes near offset "
                    f"{self._offset} are not valid {self.encoding}"
                ) from None
            self._offset += len(chunk)
            if text and not started:
                started = True
                if text.startswith("\ufeff"):
                    text = text[1:]
            pending.append(text)
            pending_chars += len(text)
            if not final and "\n" not in text and "\r" not in text:
                if pending_chars > MAX_LINE_BYTES:  # characters: at least as many bytes
                    raise self._too_long()
                chunk = self._read()
                continue
            lines = io.StringIO("".join(pending), newline="").readlines()
            pending, pending_chars = [], 0
            if not final and lines and not lines[-1].endswith("\n"):
                tail = lines.pop()  # incomplete, or a CR whose LF may follow
                pending, pending_chars = [tail], len(tail)
            self.lines += len(lines)
            yield from lines
            if final:
                return
            chunk = self._read()

    def _too_long(self) -> UsageError:
        return UsageError(
            f"{self.source}: line {self.lines + 1} is longer than "
            f"{MAX_LINE_BYTES >> 20} MB: this is not a CSV file"
        )


def read_head(stream: BinaryIO, source: str) -> bytes:
    """The first chunk of `stream`: at least the 4 bytes that say what a file is (a
    workbook, a PDF…), unless the file is shorter."""
    head = _read_chunk(stream, source)
    while head and len(head) < 4:  # short reads from pipes
        more = _read_chunk(stream, source)
        if not more:
            break
        head += more
    return head


def _read_chunk(stream: BinaryIO, source: str) -> bytes:
    try:
        return stream.read(CHUNK_SIZE)
    except OSError as exc:
        raise UsageError(f"{source}: cannot read: {exc.strerror or exc}") from None


def _last_break(data: bytearray) -> int:
    """Where to cut `data` so the first part ends with a complete line break (0: nowhere)."""
    cut = data.rfind(b"\n") + 1
    if cut:
        return cut
    cr = data.rfind(b"\r", 0, len(data) - 1)  # a final CR may be the first half of CRLF
    return cr + 1


def _choose_encoding(head: bytes, requested: str | None) -> tuple[str, bytes]:
    """(codec name, byte-order mark to skip)."""
    if requested is None:
        for bom, name in _BOMS:
            if head.startswith(bom):
                return name, bom if name == "utf-8" else b""
        return "utf-8", b""
    try:
        info = codecs.lookup(requested)
    except LookupError:
        raise UsageError(
            f"unknown encoding {requested!r}", hint="e.g. utf-8, cp1252, latin-1, utf-16"
        ) from None
    if not getattr(info, "_is_text_encoding", True):
        raise UsageError(f"{requested!r} is not a text encoding", hint="e.g. utf-8, cp1252")
    name = info.name
    if name in ("utf-8", "utf-8-sig"):
        return "utf-8", codecs.BOM_UTF8 if head.startswith(codecs.BOM_UTF8) else b""
    if name in ("utf-16", "utf-32") and not any(head.startswith(b) for b, _ in _BOMS):
        # No byte-order mark to say which end comes first: the NUL bytes of ASCII text do.
        return _wide_without_bom(name, head), b""
    return name, b""


def _wide_without_bom(name: str, head: bytes) -> str:
    width = 2 if name == "utf-16" else 4
    sample = head[: width * 64]
    low_first = sum(1 for i in range(0, len(sample) - width + 1, width) if sample[i] != 0)
    high_first = sum(1 for i in range(width - 1, len(sample), width) if sample[i] != 0)
    return f"{name}-le" if low_first >= high_first else f"{name}-be"


def _ascii_compatible(encoding: str) -> bool:
    try:
        return _ASCII_PROBE.encode(encoding) == _ASCII_PROBE.encode("ascii")
    except (UnicodeError, LookupError):
        return False


def _refuse_known_binary(head: bytes, source: str) -> None:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            # Workbooks are read as .xlsx (`xlsx_reader`): an .xls only needs saving as one.
            workbook = "workbook" in what
            raise UsageError(
                f"{source}: this is {what}, not a CSV file",
                hint="save it as an .xlsx workbook or as CSV (UTF-8) first"
                if workbook
                else "export or save it as CSV (UTF-8) first",
            )


def _not_text(source: str) -> NotTextError:
    return NotTextError(f"{source}: not a text file (it contains NUL bytes)")
