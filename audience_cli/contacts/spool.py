"""Records spooled to a temporary file as JSON lines: in memory while small, then on disk.

Valid contacts and rejected rows both go through here, so an import's memory
does not grow with the size of its input.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, overload

from audience_cli.contacts.model import Contact, Reject

MEMORY_LIMIT = 1 << 20  # bytes kept in memory before a spool moves to disk
READ_SIZE = 1 << 16
WRITE_BATCH = 512  # records joined into one write

# One encoder and decoder for every record (json.dumps with options builds a new one per call).
_encode = json.JSONEncoder(separators=(",", ":")).encode
_decode = json.JSONDecoder().decode


class JsonLines:
    """Append-only JSON lines (ASCII: other characters are escaped) in a spooled temporary file."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=MEMORY_LIMIT, mode="w+b")  # noqa: SIM115
        self._pending: list[str] = []
        self.count = 0

    def add(self, record: object) -> None:
        self._pending.append(_encode(record))
        self.count += 1
        if len(self._pending) >= WRITE_BATCH:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self._pending.append("")
            self._file.write("\n".join(self._pending).encode("ascii"))
            self._pending.clear()

    def close(self) -> None:
        self._pending.clear()
        self._file.close()

    def __iter__(self) -> Iterator[Any]:
        """The records in the order added; several iterations may run side by side."""
        self.flush()
        offset = 0
        pending: list[str] = []  # the start of a record longer than a block, in pieces
        while True:
            if self._file.closed:
                raise ValueError("the spooled records are closed")
            self._file.seek(offset)
            block = self._file.read(READ_SIZE)
            if not block:
                return
            offset += len(block)
            text = block.decode("ascii")
            pending.append(text)
            if "\n" not in text:  # joined once at its end, not again with every block
                continue
            lines = "".join(pending).split("\n")
            pending = [lines.pop()]
            for line in lines:
                yield _decode(line)


class ContactSpool:
    """The valid contacts of an import, and every data key they use (in first-seen order)."""

    def __init__(self) -> None:
        self._lines = JsonLines()
        self._keys: dict[str, None] = {}

    @property
    def count(self) -> int:
        return self._lines.count

    def append(self, contact: Contact) -> None:
        self.add(contact.phone, contact.first_name, contact.last_name, contact.fields, contact.line)

    def add(
        self, phone: str, first: str, last: str, fields: Mapping[str, str], line: int | None
    ) -> None:
        if fields and not self._keys.keys() >= fields.keys():
            self._keys.update(dict.fromkeys(fields))
        self._lines.add([phone, first, last, line, fields])

    def keys(self) -> list[str]:
        return list(self._keys)

    def flush(self) -> None:
        self._lines.flush()

    def close(self) -> None:
        self._lines.close()

    def __iter__(self) -> Iterator[Contact]:
        for phone, first, last, line, fields in self._lines:
            yield Contact(phone, first, last, fields, line)


class RejectLog(Sequence[Reject]):
    """Rejected rows, spooled: a sequence that reads them back from a temporary file.

    Supports `len`, iteration, indexing and slicing; `list(log)` loads them all.
    """

    def __init__(self) -> None:
        self._lines = JsonLines()

    def append(self, reject: Reject) -> None:
        record: list[object] = [reject.line, reject.value, reject.reason, reject.row]
        if reject.detail:
            record.append(reject.detail)
        self._lines.add(record)

    def __len__(self) -> int:
        return self._lines.count

    def __iter__(self) -> Iterator[Reject]:
        for line, value, reason, row, *detail in self._lines:
            yield Reject(line, value, reason, row, *detail)

    @overload
    def __getitem__(self, index: int) -> Reject: ...
    @overload
    def __getitem__(self, index: slice) -> list[Reject]: ...
    def __getitem__(self, index: int | slice) -> Reject | list[Reject]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step < 0:
                return list(self)[index]
            return list(islice(self, start, stop, step))
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError("reject index out of range")
        return next(islice(self, position, None))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def close(self) -> None:
        self._lines.close()

    def __repr__(self) -> str:
        return f"<RejectLog of {len(self)} rejected rows>"
