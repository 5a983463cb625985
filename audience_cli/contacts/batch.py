"""The result of an import: checked, valid, unique contacts (spooled) and the report."""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType
from typing import TYPE_CHECKING

from audience_cli.contacts.model import Contact
from audience_cli.contacts.report import ImportReport
from audience_cli.contacts.spool import ContactSpool

if TYPE_CHECKING:
    from audience_cli.contacts.clean_csv import ContactCount


class ContactBatch:
    """The checked, valid, de-duplicated contacts of an import, and its report.

    The contacts live in a temporary file (in memory while small): iterate
    them as often as needed, or in chunks for upload. Close it when done
    (or use it as a context manager). The report stays usable after closing.
    """

    def __init__(self, report: ImportReport, spool: ContactSpool | ContactCount) -> None:
        self.report = report
        # A ContactSpool, or for `validate` the clean CSV's rows or a count only
        # (`clean_csv`): those cannot be read back as contacts.
        self.sink = spool

    @property
    def _spool(self) -> ContactSpool:
        if not isinstance(self.sink, ContactSpool):
            raise TypeError("these contacts were counted or written out, not kept")
        return self.sink

    def __len__(self) -> int:
        return self.sink.count

    def __iter__(self) -> Iterator[Contact]:
        return iter(self._spool)

    def chunks(self, size: int) -> Iterator[list[Contact]]:
        if size < 1:
            raise ValueError("chunk size must be at least 1")
        chunk: list[Contact] = []
        for contact in self._spool:
            chunk.append(contact)
            if len(chunk) == size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def csv_header_keys(self) -> list[str]:
        """Every data key any contact has, in first-seen order."""
        return self.sink.keys()

    def close(self) -> None:
        self.sink.close()

    def __enter__(self) -> ContactBatch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<ContactBatch of {len(self)} contacts from {self.report.source}>"
