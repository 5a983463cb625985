"""Where `validate`'s valid contacts go: the clean CSV written as they come, or only counted.

An import keeps its contacts (`spool.ContactSpool`, JSON lines) to send them in
chunks; `validate` only writes them out, so it writes them once, as the CSV rows
they become, instead of spooling JSON and reading it back. The header names every
data key any contact has, which is known at the end only: rows are written with
the keys known so far (keys are only ever added after them), and the rows written
before a key was first seen get their empty cells when the file is put together.
Without --output the contacts are counted, not kept.
"""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
from collections.abc import Mapping
from typing import TextIO

from audience_cli.contacts.model import FIRST_NAME_KEY, LAST_NAME_KEY, PHONE_KEY
from audience_cli.model import csv_writer, members_header

MEMORY_LIMIT = 1 << 20  # bytes kept in memory before the rows move to disk
WRITE_BATCH = 512  # rows encoded at once
COPY_SIZE = 1 << 16
# The members CSV's first three columns; a data key of one of these names is a copy of it.
_NAME_AND_PHONE = {FIRST_NAME_KEY: 0, LAST_NAME_KEY: 1, PHONE_KEY: 2}


class ContactCount:
    """Valid contacts counted, not kept: how many, and every data key they use."""

    def __init__(self) -> None:
        self.count = 0
        self._keys: dict[str, None] = {}

    def add(
        self, phone: str, first: str, last: str, fields: Mapping[str, str], line: int | None
    ) -> None:
        if fields and not self._keys.keys() >= fields.keys():
            self._keys.update(dict.fromkeys(fields))
        self.count += 1

    def keys(self) -> list[str]:
        return list(self._keys)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


class CleanCsvSpool(ContactCount):
    """The clean CSV's rows (`model.write_members_csv`'s layout) in a temporary file; its
    header and any cells missing from the first rows are added by `write_to`."""

    def __init__(self) -> None:
        super().__init__()
        self._file = tempfile.SpooledTemporaryFile(max_size=MEMORY_LIMIT, mode="w+b")  # noqa: SIM115
        self._buffer = io.StringIO(newline="")
        self._writer = csv_writer(self._buffer)
        self._key_list: list[str] = []
        self._named = False  # a data key named like the first three columns
        self._pending = 0
        self._size = 0
        # (offset of the first row written with this many keys, how many)
        self._widths: list[tuple[int, int]] = [(0, 0)]

    def add(
        self, phone: str, first: str, last: str, fields: Mapping[str, str], line: int | None
    ) -> None:
        keys = self._keys
        if fields and not keys.keys() >= fields.keys():
            self.flush()
            for key in fields:
                if key not in keys:
                    keys[key] = None
                    self._key_list.append(key)
                    self._named = self._named or key in _NAME_AND_PHONE
            self._widths.append((self._size, len(self._key_list)))
        row = [first, last, phone]
        if self._named:
            row += [_cell(row, fields, key) for key in self._key_list]
        elif self._key_list:
            row += [fields.get(key, "") for key in self._key_list]
        self._writer.writerow(row)
        self.count += 1
        self._pending += 1
        if self._pending >= WRITE_BATCH:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            data = self._buffer.getvalue().encode("utf-8")
            self._file.write(data)
            self._size += len(data)
            self._buffer.seek(0)
            self._buffer.truncate()
            self._pending = 0

    def write_to(self, stream: TextIO) -> None:
        """The whole CSV: the header, then every row with a cell for every key."""
        self.flush()
        keys = self._key_list
        writer = csv_writer(stream)
        writer.writerow(members_header(PHONE_KEY, keys))
        ends = [offset for offset, _ in self._widths[1:]] + [self._size]
        for (start, width), end in zip(self._widths, ends, strict=True):
            if start == end:
                continue
            if width == len(keys):
                self._copy(stream, start, end)
                continue
            # Rows written before the last keys were seen: their cells, then the missing ones.
            self._file.seek(start)
            text = self._file.read(end - start).decode("utf-8")
            for row in csv.reader(io.StringIO(text, newline="")):
                writer.writerow([*row, *(_cell(row, {}, key) for key in keys[width:])])

    def _copy(self, stream: TextIO, start: int, end: int) -> None:
        self._file.seek(start)
        left = end - start
        decoder = codecs.getincrementaldecoder("utf-8")()
        while left > 0:
            block = self._file.read(min(COPY_SIZE, left))
            if not block:
                break
            left -= len(block)
            stream.write(decoder.decode(block, final=left <= 0))

    def close(self) -> None:
        self._file.close()


def _cell(row: list[str], fields: Mapping[str, str], key: str) -> str:
    """A data key's cell; one named like the first three columns repeats that column."""
    position = _NAME_AND_PHONE.get(key)
    return row[position] if position is not None else fields.get(key, "")
