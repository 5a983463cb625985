"""The journal of members removed for an update and not yet added back.

Atoms cannot edit a member: an update removes it and adds it again. Between the two
the member exists only on this machine, so before the removal is sent its new row
is written here (synced to disk); once the add is answered, it is crossed out. A run
killed in between (SIGKILL, a power cut, an add that failed five times) leaves the
rows here, and the next write to that audience adds them back first.

One JSON file per audience: `{"audience": {...}, "rows": {phone: row}}`, mode 0600.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from audience_cli.errors import UsageError

_SAFE_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


def file_stem(audience_id: str) -> str:
    """An audience id as a file name: ids are 24 hex digits, anything else is digested."""
    if _SAFE_ID.fullmatch(audience_id):
        return audience_id
    import hashlib

    return "id-" + hashlib.sha256(audience_id.encode()).hexdigest()[:24]


class Journal:
    """The members of one audience that were removed for an update and are not back yet."""

    def __init__(self, api_folder: Path, audience_id: str) -> None:
        self.folder = api_folder / "journal"
        self.audience_id = audience_id
        self.path = self.folder / f"{file_stem(audience_id)}.json"
        self._audience: dict[str, Any] = {"_id": audience_id}
        self._rows: dict[str, dict[str, str]] = {}
        self._loaded = False

    # --- reading ---------------------------------------------------------------------

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except OSError as exc:
            raise UsageError(f"cannot read the journal {self.path}: {exc.strerror}") from None
        try:
            body = json.loads(text)
            audience, rows = body["audience"], body["rows"]
            if not isinstance(audience, dict) or not isinstance(rows, dict):
                raise TypeError("not a journal")
        except (ValueError, KeyError, TypeError):
            raise UsageError(
                f"the journal {self.path} is damaged: it holds members removed for an update "
                "that were not added back; add them from it by hand, then delete it"
            ) from None
        self._audience = audience
        self._rows = {str(k): {str(f): str(v) for f, v in r.items()} for k, r in rows.items()}

    def pending(self) -> list[dict[str, str]]:
        """The rows still to add back, in the order they were removed."""
        self._load()
        return [dict(row) for row in self._rows.values()]

    @property
    def audience(self) -> Mapping[str, Any]:
        """What the journal knows of the audience (id, name, phone column)."""
        self._load()
        return self._audience

    def __len__(self) -> int:
        self._load()
        return len(self._rows)

    # --- writing ---------------------------------------------------------------------

    def record(
        self, audience: Mapping[str, Any], phone_column: str, rows: Sequence[Mapping[str, str]]
    ) -> None:
        """Write `rows` down before the members they replace are removed (durably: the
        removal is not sent until the file is on disk)."""
        self._load()
        self._audience = {
            "_id": self.audience_id,
            "name": audience.get("name"),
            "phoneNumberColumnName": phone_column,
        }
        for row in rows:
            self._rows[str(row.get(phone_column, ""))] = dict(row)
        self._save()

    def settle(self, phones: Iterable[str]) -> None:
        """Cross out the rows of `phones`: they are in the audience again."""
        self._load()
        before = len(self._rows)
        for phone in phones:
            self._rows.pop(phone, None)
        if len(self._rows) != before:
            self._save()

    def _save(self) -> None:
        from audience_cli.files import write_private
        from audience_cli.state import private_folder

        if not self._rows:
            self.path.unlink(missing_ok=True)
            return
        private_folder(self.folder)
        body = {"audience": self._audience, "rows": self._rows}
        data = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
        write_private(self.path, data)


def journals_in(api_folder: Path) -> list[Journal]:
    """Every journal of one API that still holds rows."""
    folder = api_folder / "journal"
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            audience_id = str(json.loads(path.read_text(encoding="utf-8"))["audience"]["_id"])
        except (OSError, ValueError, KeyError, TypeError):
            audience_id = path.stem
        journal = Journal(api_folder, audience_id)
        if len(journal):
            found.append(journal)
    return found
