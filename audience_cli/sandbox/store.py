"""SQLite storage for the sandbox: audiences, members, campaigns, the do-not-call list.

One connection per operation keeps the threaded server safe; WAL lets
readers and a writer overlap. No HTTP knowledge here: the app module turns
these rows into the API's envelopes and messages.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audience_cli.sandbox.errors import SandboxDatabaseError

SCHEMA = """
CREATE TABLE IF NOT EXISTS audiences (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    phone_column TEXT NOT NULL,
    identifier_column TEXT,
    organization TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS members (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    audience_id TEXT NOT NULL REFERENCES audiences(id) ON DELETE CASCADE,
    phone TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (audience_id, phone)
);
CREATE INDEX IF NOT EXISTS members_by_audience ON members(audience_id, seq);
CREATE TABLE IF NOT EXISTS campaigns (
    id TEXT PRIMARY KEY,
    audience_id TEXT NOT NULL REFERENCES audiences(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dnc (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    phone TEXT NOT NULL,
    agent_id TEXT,
    source TEXT NOT NULL,
    call_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS dnc_by_phone ON dnc(phone, IFNULL(agent_id, ''));
"""

DNC_SORT_COLUMNS = {"createdAt": "created_at", "phoneNumber": "phone"}

SANDBOX_ORGANIZATION = "0123456789abcdef01234567"
SANDBOX_USER = "89abcdef0123456789abcdef"


def new_id() -> str:
    """A 24-hex id, the shape of the API's MongoDB ObjectIds."""
    return secrets.token_hex(12)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class AddResult:
    added: int
    skipped: int


class SandboxStore:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._memory: sqlite3.Connection | None = None
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                if self.path != ":memory:":
                    db.execute("PRAGMA journal_mode=WAL")
                db.executescript(SCHEMA)
        except (OSError, sqlite3.DatabaseError) as exc:
            raise SandboxDatabaseError(
                f"{self.path}: cannot use this file as the sandbox database ({exc})",
                hint="Point AUDIENCE_SANDBOX_DB at a new or existing sandbox file.",
            ) from None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if self.path == ":memory:":
            if self._memory is None:
                self._memory = sqlite3.connect(":memory:", check_same_thread=False)
                self._memory.row_factory = sqlite3.Row
            db = self._memory
        else:
            db = sqlite3.connect(self.path, timeout=30)
            db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA foreign_keys=ON")
            with db:
                yield db
        finally:
            if db is not self._memory:
                db.close()

    # --- audiences ---------------------------------------------------------

    def create_audience(
        self,
        *,
        name: str,
        description: str,
        phone_column: str,
        identifier_column: str | None,
        members: Sequence[Mapping[str, str]],
    ) -> dict[str, Any]:
        audience_id = new_id()
        stamp = now_iso()
        with self._connect() as db:
            db.execute(
                "INSERT INTO audiences VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    audience_id,
                    name,
                    description,
                    phone_column,
                    identifier_column,
                    SANDBOX_ORGANIZATION,
                    SANDBOX_USER,
                    stamp,
                    stamp,
                ),
            )
            db.executemany(
                "INSERT INTO members (id, audience_id, phone, data) VALUES (?,?,?,?)",
                ((new_id(), audience_id, m[phone_column], json.dumps(m)) for m in members),
            )
        return self.get_audience(audience_id) or {}

    def get_audience(self, audience_id: str) -> dict[str, Any] | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM audiences WHERE id = ?", (audience_id,)).fetchone()
        return _audience(row) if row else None

    def list_audiences(self) -> list[dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT a.*, (SELECT COUNT(*) FROM members m WHERE m.audience_id = a.id) AS n "
                "FROM audiences a ORDER BY a.created_at DESC, a.rowid DESC"
            ).fetchall()
            campaigns = db.execute("SELECT * FROM campaigns ORDER BY created_at").fetchall()
        by_audience: dict[str, list[dict[str, Any]]] = {}
        for c in campaigns:
            by_audience.setdefault(c["audience_id"], []).append(
                {
                    "_id": c["id"],
                    "name": c["name"],
                    "status": c["status"],
                    "createdAt": c["created_at"],
                }
            )
        out = []
        for row in rows:
            item = _audience(row)
            item["memberCount"] = row["n"]
            item["campaigns"] = by_audience.get(row["id"], [])
            item["hasCampaigns"] = bool(item["campaigns"])
            out.append(item)
        return out

    def delete_audience(self, audience_id: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM audiences WHERE id = ?", (audience_id,))

    def active_campaigns(self, audience_id: str) -> list[dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM campaigns WHERE audience_id = ? AND status != 'completed'",
                (audience_id,),
            ).fetchall()
        return [dict(r) for r in rows]

    def add_campaign(self, audience_id: str, *, name: str, status: str) -> dict[str, Any]:
        campaign = {"_id": new_id(), "name": name, "status": status, "createdAt": now_iso()}
        with self._connect() as db:
            db.execute(
                "INSERT INTO campaigns VALUES (?,?,?,?,?)",
                (campaign["_id"], audience_id, name, status, campaign["createdAt"]),
            )
        return campaign

    def campaigns_of(self, audience_id: str) -> list[dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM campaigns WHERE audience_id = ? ORDER BY created_at, rowid",
                (audience_id,),
            ).fetchall()
        return [
            {"_id": r["id"], "name": r["name"], "status": r["status"], "createdAt": r["created_at"]}
            for r in rows
        ]

    def set_campaign_status(self, campaign_id: str, status: str) -> None:
        with self._connect() as db:
            db.execute("UPDATE campaigns SET status = ? WHERE id = ?", (status, campaign_id))

    # --- members -----------------------------------------------------------

    def count_members(self, audience_id: str) -> int:
        with self._connect() as db:
            (n,) = db.execute(
                "SELECT COUNT(*) FROM members WHERE audience_id = ?", (audience_id,)
            ).fetchone()
        return int(n)

    def page_members(self, audience_id: str, *, limit: int, skip: int) -> list[dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, data FROM members WHERE audience_id = ? ORDER BY seq LIMIT ? OFFSET ?",
                (audience_id, limit, skip),
            ).fetchall()
        return [_member(r) for r in rows]

    def all_members(self, audience_id: str) -> Iterable[dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, data FROM members WHERE audience_id = ? ORDER BY seq", (audience_id,)
            ).fetchall()
        return [_member(r) for r in rows]

    def existing_phones(self, audience_id: str, phones: Iterable[str]) -> set[str]:
        wanted = list(set(phones))
        found: set[str] = set()
        with self._connect() as db:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT phone FROM members WHERE audience_id = ? AND phone IN ({marks})",
                    (audience_id, *chunk),
                ).fetchall()
                found.update(r[0] for r in rows)
        return found

    def add_members(
        self, audience_id: str, phone_column: str, members: Sequence[Mapping[str, Any]]
    ) -> AddResult:
        """Insert members whose number is new to the audience; skip the rest."""
        added = 0
        with self._connect() as db:
            for m in members:
                cur = db.execute(
                    "INSERT OR IGNORE INTO members (id, audience_id, phone, data) VALUES (?,?,?,?)",
                    (new_id(), audience_id, str(m[phone_column]), json.dumps(dict(m))),
                )
                added += cur.rowcount
            if added:
                db.execute(
                    "UPDATE audiences SET updated_at = ? WHERE id = ?", (now_iso(), audience_id)
                )
        return AddResult(added=added, skipped=len(members) - added)

    def remove_members(self, audience_id: str, member_ids: Sequence[str]) -> int:
        deleted = 0
        with self._connect() as db:
            for i in range(0, len(member_ids), 500):
                chunk = list(member_ids[i : i + 500])
                marks = ",".join("?" * len(chunk))
                cur = db.execute(
                    f"DELETE FROM members WHERE audience_id = ? AND id IN ({marks})",
                    (audience_id, *chunk),
                )
                deleted += cur.rowcount
        return deleted

    # --- the do-not-call list -------------------------------------------------

    def add_dnc(
        self,
        phone: str,
        *,
        agent_id: str | None = None,
        source: str = "manual",
        call_id: str | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """Put `phone` (stored as given) on the list, for one agent or (None) the whole
        organisation; returns the entry and whether it is new (an entry for the same
        number and agent is left as it was)."""
        stamp = now_iso()
        with self._connect() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO dnc (id, phone, agent_id, source, call_id, created_at, "
                "updated_at) VALUES (?,?,?,?,?,?,?)",
                (new_id(), phone, agent_id, source, call_id, stamp, stamp),
            )
            row = db.execute(
                "SELECT * FROM dnc WHERE phone = ? AND IFNULL(agent_id, '') = ?",
                (phone, agent_id or ""),
            ).fetchone()
        return _dnc_entry(row), bool(cur.rowcount)

    def remove_dnc(self, phone: str, *, agent_id: str | None = None) -> int:
        """Take `phone` off the list: every entry of it, or (`agent_id`) that agent's only."""
        sql, args = "DELETE FROM dnc WHERE phone = ?", [phone]
        if agent_id is not None:
            sql += " AND agent_id = ?"
            args.append(agent_id)
        with self._connect() as db:
            return int(db.execute(sql, args).rowcount)

    def _dnc_where(self, search: str | None, agent_id: str | None) -> tuple[str, list[str]]:
        clauses: list[str] = []
        args: list[str] = []
        if search:
            # Free text on numbers: "415555" and "+1415555" both find +14155550100.
            needle = search.strip().lstrip("+")
            clauses.append("INSTR(LTRIM(phone, '+'), ?) > 0")
            args.append(needle)
        if agent_id is not None:
            clauses.append("agent_id = ?")
            args.append(agent_id)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), args

    def count_dnc(self, *, search: str | None = None, agent_id: str | None = None) -> int:
        where, args = self._dnc_where(search, agent_id)
        with self._connect() as db:
            (n,) = db.execute(f"SELECT COUNT(*) FROM dnc{where}", args).fetchone()
        return int(n)

    def page_dnc(
        self,
        *,
        limit: int,
        skip: int,
        search: str | None = None,
        agent_id: str | None = None,
        sort_field: str = "createdAt",
        sort_order: str = "desc",
    ) -> list[dict[str, Any]]:
        """One page of entries, sorted by `sort_field` ("createdAt" or "phoneNumber"),
        ties in the order they were added, so pages never overlap."""
        column = DNC_SORT_COLUMNS[sort_field]
        order = "DESC" if sort_order == "desc" else "ASC"
        where, args = self._dnc_where(search, agent_id)
        with self._connect() as db:
            rows = db.execute(
                f"SELECT * FROM dnc{where} ORDER BY {column} {order}, seq {order} LIMIT ? OFFSET ?",
                (*args, limit, skip),
            ).fetchall()
        return [_dnc_entry(r) for r in rows]

    def reset(self) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM dnc")
            db.execute("DELETE FROM campaigns")
            db.execute("DELETE FROM members")
            db.execute("DELETE FROM audiences")


def _audience(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "_id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "phoneNumberColumnName": row["phone_column"],
        "identifierColumnName": row["identifier_column"],
        "organization": row["organization"],
        "createdBy": row["created_by"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def _dnc_entry(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "agentId": row["agent_id"],
        "orgId": SANDBOX_ORGANIZATION,
        "phoneNumber": row["phone"],
        "source": row["source"],
        "detectedInCallId": row["call_id"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def _member(row: sqlite3.Row) -> dict[str, Any]:
    return {"_id": row["id"], "data": json.loads(row["data"])}


def matches_query(data: Mapping[str, Any], term: str) -> bool:
    """General search: the term appears in any field, case-insensitively.

    Phone numbers also match without their `+` (the API takes them unquoted,
    so a `+` in a query string may arrive as a space)."""
    needle = term.strip().lower()
    bare = needle.lstrip("+")
    for value in data.values():
        text = str(value).lower()
        if needle in text or (bare and bare in text.lstrip("+")):
            return True
    return False


def matches_filters(data: Mapping[str, Any], filters: Mapping[str, str]) -> bool:
    """Field search: every named field contains its value, case-insensitively."""
    for field, wanted in filters.items():
        value = data.get(field)
        if value is None:
            return False
        needle = wanted.strip().lower()
        text = str(value).lower()
        if needle not in text and needle.lstrip("+") not in text.lstrip("+"):
            return False
    return True
