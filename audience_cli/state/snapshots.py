"""Snapshots: an audience's settings and every member with all its fields, kept before
the tool removes or replaces members (Atoms has no undo).

A snapshot is two files in `<state>/<api>/snapshots/<audience id>/`: `<stamp>.csv.gz`,
the members as CSV (the phone column first, every field a column; gzip), and
`<stamp>.json`, what the audience was (name, description, phone column), how many
members the CSV holds and why it was taken. Both are written whole (a temporary
file, synced, renamed) and are private (0600). The last `keep` of an audience are kept.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audience_cli.errors import UnknownSnapshotError, UsageError
from audience_cli.model import NAME_KEYS, csv_writer
from audience_cli.state.journal import file_stem

ENV_KEEP = "AUDIENCE_SNAPSHOTS_KEEP"
DEFAULT_KEEP = 20
SETTINGS = ("_id", "name", "description", "phoneNumberColumnName", "identifierColumnName")


@dataclass(frozen=True)
class SnapshotInfo:
    """One snapshot, as its sidecar describes it."""

    id: str  # the stamp: 20261207T193012123456Z
    path: Path  # the .csv.gz
    audience: dict[str, Any]
    members: int
    columns: list[str]
    taken_at: str  # ISO 8601, UTC
    reason: str

    @property
    def audience_id(self) -> str:
        return str(self.audience.get("_id", ""))

    @property
    def phone_column(self) -> str:
        return str(self.audience.get("phoneNumberColumnName") or "phoneNumber")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "audienceId": self.audience_id,
            "name": self.audience.get("name"),
            "members": self.members,
            "takenAt": self.taken_at,
            "reason": self.reason,
            "path": str(self.path),
        }


def read_keep(env: Mapping[str, str]) -> int:
    """How many snapshots of an audience to keep (`AUDIENCE_SNAPSHOTS_KEEP`, default 20)."""
    from audience_cli.config import read_count

    return read_count(env, ENV_KEEP, DEFAULT_KEEP, "a number of snapshots", 100_000)


def columns_of(rows: Sequence[Mapping[str, Any]], phone_column: str) -> list[str]:
    """The phone column, the names, then every other field in the order first seen."""
    seen: dict[str, None] = {phone_column: None}
    seen.update((k, None) for k in NAME_KEYS if any(k in r for r in rows))
    for row in rows:
        seen.update((str(k), None) for k in row)
    return list(seen)


def take_snapshot(
    api_folder: Path,
    audience: Mapping[str, Any],
    members: Iterable[Mapping[str, Any]],
    *,
    reason: str,
    keep: int = DEFAULT_KEEP,
    now: datetime | None = None,
) -> SnapshotInfo:
    """Write a snapshot of `audience` holding `members` (their data) and prune old ones."""
    from audience_cli.files import write_private
    from audience_cli.state import private_folder
    from audience_cli.text import cell_text

    phone_column = str(audience.get("phoneNumberColumnName") or "phoneNumber")
    rows = [{str(k): cell_text(v) for k, v in m.items()} for m in members]
    columns = columns_of(rows, phone_column)
    text = io.StringIO(newline="")
    writer = csv_writer(text)
    writer.writerow(columns)
    writer.writerows([row.get(c, "") for c in columns] for row in rows)
    body = gzip.compress(text.getvalue().encode("utf-8"), mtime=0)

    folder = private_folder(api_folder / "snapshots" / file_stem(str(audience.get("_id"))))
    when = now or datetime.now(UTC)
    stamp = when.strftime("%Y%m%dT%H%M%S%fZ")
    while (folder / f"{stamp}.json").exists():  # two in one microsecond: the next one
        when = when.replace(microsecond=(when.microsecond + 1) % 1_000_000)
        stamp = when.strftime("%Y%m%dT%H%M%S%fZ")
    meta = {
        "version": 1,
        "audience": {k: audience.get(k) for k in SETTINGS if audience.get(k) is not None},
        "members": len(rows),
        "columns": columns,
        "takenAt": when.isoformat().replace("+00:00", "Z"),
        "reason": reason,
    }
    csv_path = folder / f"{stamp}.csv.gz"
    write_private(csv_path, body)
    # The sidecar last: a snapshot without one is unfinished and is never listed.
    write_private(folder / f"{stamp}.json", json.dumps(meta, indent=1).encode())
    prune(folder, keep)
    return _info(folder / f"{stamp}.json", meta)


def prune(folder: Path, keep: int) -> None:
    """Keep the newest `keep` snapshots of the folder's audience."""
    stamps = sorted(p.name.removesuffix(".json") for p in folder.glob("*.json"))
    for stamp in stamps[: max(0, len(stamps) - keep)]:
        for suffix in (".json", ".csv.gz"):
            (folder / f"{stamp}{suffix}").unlink(missing_ok=True)


def _info(sidecar: Path, meta: Mapping[str, Any]) -> SnapshotInfo:
    stamp = sidecar.name.removesuffix(".json")
    return SnapshotInfo(
        id=stamp,
        path=sidecar.with_name(f"{stamp}.csv.gz"),
        audience=dict(meta.get("audience") or {}),
        members=int(meta.get("members") or 0),
        columns=[str(c) for c in meta.get("columns") or []],
        taken_at=str(meta.get("takenAt") or ""),
        reason=str(meta.get("reason") or ""),
    )


def list_snapshots(api_folder: Path, audience_id: str | None = None) -> list[SnapshotInfo]:
    """The API's snapshots (of one audience, when given), newest first."""
    root = api_folder / "snapshots"
    if not root.is_dir():
        return []
    folders = [root / file_stem(audience_id)] if audience_id else sorted(root.iterdir())
    found: list[SnapshotInfo] = []
    for folder in folders:
        for sidecar in folder.glob("*.json") if folder.is_dir() else []:
            try:
                meta = json.loads(sidecar.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            info = _info(sidecar, meta)
            if info.path.exists():
                found.append(info)
    return sorted(found, key=lambda s: s.id, reverse=True)


def find_snapshot(api_folder: Path, ref: str) -> SnapshotInfo:
    """The snapshot `ref` names: its id (from the listing), or its file's path."""
    ref = ref.strip()
    path = Path(ref).expanduser()
    if ref.endswith((".csv.gz", ".json")) or os.sep in ref:
        stamp = path.name.removesuffix(".csv.gz").removesuffix(".json")
        sidecar = path.with_name(f"{stamp}.json")
        try:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UsageError(f"no snapshot at {ref}: {sidecar} does not exist") from None
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read the snapshot {sidecar}: {exc}") from None
        return _info(sidecar, meta)
    matches = [s for s in list_snapshots(api_folder) if s.id == ref]
    if not matches:
        raise UnknownSnapshotError(f"no snapshot {ref!r} for this API")
    if len(matches) > 1:
        raise UsageError(f"{len(matches)} snapshots are named {ref!r}: give the path instead")
    return matches[0]


def read_rows(info: SnapshotInfo) -> list[dict[str, str]]:
    """The members of a snapshot, every field as text; a damaged file is an error."""
    try:
        with gzip.open(info.path, "rt", encoding="utf-8", newline="") as stream:
            rows = [
                {k: v for k, v in row.items() if k is not None and v}
                for row in csv.DictReader(stream)
            ]
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"the snapshot {info.path} cannot be read: {exc}") from None
    if len(rows) != info.members:
        raise UsageError(
            f"the snapshot {info.path} holds {len(rows):,} members, not the {info.members:,} "
            "it was written with: it is damaged"
        )
    return rows
