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
CREATE TABLE IF NOT EXISTS campaign_results (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    member_id TEXT NOT NULL,
    phone TEXT NOT NULL,
    data TEXT NOT NULL,
    final_status TEXT,
    attempts INTEGER NOT NULL,
    duration REAL NOT NULL,
    cost REAL NOT NULL,
    original_call TEXT,
    retry_attempts TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS results_by_campaign ON campaign_results(campaign_id, seq);
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

# Columns the campaigns table gained after its first version (id, audience_id, name,
# status, created_at): a sandbox file made before gets them added when opened.
CAMPAIGN_COLUMNS = {
    "description": "TEXT NOT NULL DEFAULT ''",
    "agent_id": "TEXT",
    "phone_number_ids": "TEXT NOT NULL DEFAULT '[]'",
    "scheduled_at": "TEXT",
    "paused_at": "TEXT",
    "max_retries": "INTEGER NOT NULL DEFAULT 3",
    "retry_delay": "INTEGER NOT NULL DEFAULT 15",
    "retry_attempts": "INTEGER NOT NULL DEFAULT 0",
    "participants_count": "INTEGER NOT NULL DEFAULT 0",
    "events": "TEXT NOT NULL DEFAULT '[]'",
    "updated_at": "TEXT",
}
CAMPAIGN_SORT_COLUMNS = {"createdAt": "created_at", "updatedAt": "updated_at"}
DNC_SORT_COLUMNS = {"createdAt": "created_at", "phoneNumber": "phone"}

SANDBOX_ORGANIZATION = "0123456789abcdef01234567"
SANDBOX_USER = "89abcdef0123456789abcdef"
SANDBOX_AGENT_ID = "abcdef0123456789abcdef01"  # the agent of campaigns the CLI runs


def new_id() -> str:
    """A 24-hex id, the shape of the API's MongoDB ObjectIds."""
    return secrets.token_hex(12)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class CampaignResult:
    """One member's outcome in a campaign run: its data as it was when the campaign ran."""

    member_id: str
    phone: str
    data: dict[str, Any]
    final_status: str | None  # None: never dialled
    attempts: int
    duration: float  # seconds, all attempts
    cost: float  # USD, all attempts
    original_call: dict[str, Any] | None
    retry_attempts: list[dict[str, Any]]


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
                _migrate_campaigns(db)
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
        """The audience's campaigns that are not completed (they block its deletion)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM campaigns WHERE audience_id = ? AND status != 'completed'",
                (audience_id,),
            ).fetchall()
        return [dict(r) for r in rows]

    def delete_campaign(self, campaign_id: str) -> bool:
        """Delete a campaign and its results; False when there was none."""
        with self._connect() as db:
            db.execute("DELETE FROM campaign_results WHERE campaign_id = ?", (campaign_id,))
            deleted = db.execute("DELETE FROM campaigns WHERE id = ?", (campaign_id,)).rowcount
        return deleted > 0

    def add_campaign(self, audience_id: str, *, name: str, status: str) -> dict[str, Any]:
        """Attach a campaign in `status` to the audience (no agent, never run)."""
        campaign = self.create_campaign(audience_id, name=name, agent_id=None, status=status)
        return {k: campaign[k] for k in ("_id", "name", "status", "createdAt")}

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

    def set_campaign_status(
        self, campaign_id: str, status: str, *, event: str | None = None, paused: bool = False
    ) -> None:
        """Change the status; `event` adds an entry to its history, `paused` stamps it."""
        stamp = now_iso()
        with self._connect() as db:
            row = db.execute("SELECT events FROM campaigns WHERE id = ?", (campaign_id,)).fetchone()
            if row is None:
                return
            events = json.loads(row["events"])
            if event is not None:
                events.append(_event(event, stamp))
            db.execute(
                "UPDATE campaigns SET status = ?, updated_at = ?, events = ?, "
                "paused_at = CASE WHEN ? THEN ? ELSE paused_at END WHERE id = ?",
                (status, stamp, json.dumps(events), paused, stamp, campaign_id),
            )

    # --- campaigns ---------------------------------------------------------

    def create_campaign(
        self,
        audience_id: str,
        *,
        name: str,
        agent_id: str | None,
        description: str = "",
        phone_number_ids: Sequence[str] = (),
        scheduled_at: str | None = None,
        max_retries: int = 3,
        retry_delay: int = 15,
        status: str = "draft",
    ) -> dict[str, Any]:
        """A new campaign (the raw document: `agentId`, `audienceId` as ids)."""
        campaign_id = new_id()
        stamp = now_iso()
        with self._connect() as db:
            (members,) = db.execute(
                "SELECT COUNT(*) FROM members WHERE audience_id = ?", (audience_id,)
            ).fetchone()
            db.execute(
                "INSERT INTO campaigns (id, audience_id, name, status, created_at, description, "
                "agent_id, phone_number_ids, scheduled_at, max_retries, retry_delay, "
                "participants_count, events, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    campaign_id,
                    audience_id,
                    name,
                    status,
                    stamp,
                    description,
                    agent_id,
                    json.dumps(list(phone_number_ids)),
                    scheduled_at,
                    max_retries,
                    retry_delay,
                    members,
                    json.dumps([_event("created", stamp)]),
                    stamp,
                ),
            )
        return self.get_campaign_document(campaign_id) or {}

    def _campaign_row(self, campaign_id: str) -> sqlite3.Row | None:
        with self._connect() as db:
            row: sqlite3.Row | None = db.execute(
                "SELECT c.*, a.name AS audience_name FROM campaigns c "
                "LEFT JOIN audiences a ON a.id = c.audience_id WHERE c.id = ?",
                (campaign_id,),
            ).fetchone()
        return row

    def get_campaign_document(self, campaign_id: str) -> dict[str, Any] | None:
        """The campaign as stored: `agentId` and `audienceId` plain ids."""
        row = self._campaign_row(campaign_id)
        return _campaign_document(row) if row else None

    def get_campaign(self, campaign_id: str) -> dict[str, Any] | None:
        """The campaign as GET answers it: `agent` and `audience` nested; `events` too."""
        row = self._campaign_row(campaign_id)
        return _campaign_view(row) if row else None

    def _campaign_where(self, status: str | None, search: str | None) -> tuple[str, list[str]]:
        clauses: list[str] = []
        args: list[str] = []
        if status:
            clauses.append("c.status = ?")
            args.append(status)
        if search:
            clauses.append("INSTR(LOWER(c.name), ?) > 0")
            args.append(search.lower())
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), args

    def count_campaigns(self, *, status: str | None = None, search: str | None = None) -> int:
        where, args = self._campaign_where(status, search)
        with self._connect() as db:
            (n,) = db.execute(f"SELECT COUNT(*) FROM campaigns c{where}", args).fetchone()
        return int(n)

    def page_campaigns(
        self,
        *,
        limit: int,
        skip: int,
        status: str | None = None,
        search: str | None = None,
        sort_field: str = "createdAt",
        sort_order: str = "desc",
    ) -> list[dict[str, Any]]:
        """One page of campaigns as GET answers them, ties in the order they were made."""
        column = CAMPAIGN_SORT_COLUMNS[sort_field]
        order = "DESC" if sort_order == "desc" else "ASC"
        where, args = self._campaign_where(status, search)
        with self._connect() as db:
            rows = db.execute(
                "SELECT c.*, a.name AS audience_name FROM campaigns c "
                f"LEFT JOIN audiences a ON a.id = c.audience_id{where} "
                f"ORDER BY c.{column} {order}, c.rowid {order} LIMIT ? OFFSET ?",
                (*args, limit, skip),
            ).fetchall()
        return [_campaign_view(r) for r in rows]

    def record_run(
        self, campaign_id: str, results: Sequence[CampaignResult], *, status: str
    ) -> None:
        """Store the outcome of every member (replacing any earlier run) and the new status."""
        stamp = now_iso()
        retries = sum(max(0, r.attempts - 1) for r in results)
        with self._connect() as db:
            row = db.execute("SELECT events FROM campaigns WHERE id = ?", (campaign_id,)).fetchone()
            events = json.loads(row["events"]) if row else []
            events.append(_event("started", stamp))
            if status == "completed":
                events.append(_event("completed", stamp))
            db.execute("DELETE FROM campaign_results WHERE campaign_id = ?", (campaign_id,))
            db.executemany(
                "INSERT INTO campaign_results (campaign_id, member_id, phone, data, final_status, "
                "attempts, duration, cost, original_call, retry_attempts) "
                "VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    (
                        campaign_id,
                        r.member_id,
                        r.phone,
                        json.dumps(r.data),
                        r.final_status,
                        r.attempts,
                        r.duration,
                        r.cost,
                        None if r.original_call is None else json.dumps(r.original_call),
                        json.dumps(r.retry_attempts),
                    )
                    for r in results
                ),
            )
            db.execute(
                "UPDATE campaigns SET status = ?, participants_count = ?, retry_attempts = ?, "
                "events = ?, updated_at = ? WHERE id = ?",
                (status, len(results), retries, json.dumps(events), stamp, campaign_id),
            )

    def has_results(self, campaign_id: str) -> bool:
        with self._connect() as db:
            row = db.execute(
                "SELECT 1 FROM campaign_results WHERE campaign_id = ? LIMIT 1", (campaign_id,)
            ).fetchone()
        return row is not None

    def campaign_results(self, campaign_id: str) -> list[CampaignResult]:
        """Every member's outcome, in the audience's order at run time."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM campaign_results WHERE campaign_id = ? ORDER BY seq",
                (campaign_id,),
            ).fetchall()
        return [
            CampaignResult(
                member_id=r["member_id"],
                phone=r["phone"],
                data=json.loads(r["data"]),
                final_status=r["final_status"],
                attempts=r["attempts"],
                duration=r["duration"],
                cost=r["cost"],
                original_call=None
                if r["original_call"] is None
                else json.loads(r["original_call"]),
                retry_attempts=json.loads(r["retry_attempts"]),
            )
            for r in rows
        ]

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
            db.execute("DELETE FROM campaign_results")
            db.execute("DELETE FROM campaigns")
            db.execute("DELETE FROM members")
            db.execute("DELETE FROM audiences")


def _migrate_campaigns(db: sqlite3.Connection) -> None:
    """Add the columns a campaigns table made by an earlier sandbox lacks."""
    have = {r[1] for r in db.execute("PRAGMA table_info(campaigns)")}
    for column, decl in CAMPAIGN_COLUMNS.items():
        if column not in have:
            db.execute(f"ALTER TABLE campaigns ADD COLUMN {column} {decl}")
    db.execute("UPDATE campaigns SET updated_at = created_at WHERE updated_at IS NULL")


def _event(action: str, stamp: str) -> dict[str, Any]:
    return {
        "_id": new_id(),
        "triggerSource": "api",
        "eventAction": action,
        "createdAt": stamp,
        "updatedAt": stamp,
    }


SANDBOX_AGENT_NAME = "Sandbox agent"
SANDBOX_WORKFLOW = "single_prompt"


def _campaign_common(row: sqlite3.Row) -> dict[str, Any]:
    out = {
        "_id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "organization": SANDBOX_ORGANIZATION,
        "createdBy": SANDBOX_USER,
        "participantsCount": row["participants_count"],
        "status": row["status"],
        "maxRetries": row["max_retries"],
        "retryDelay": row["retry_delay"],
        "retryAttempts": row["retry_attempts"],
        "phoneNumberIds": json.loads(row["phone_number_ids"]),
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"] or row["created_at"],
    }
    if row["scheduled_at"]:
        out["scheduledAt"] = row["scheduled_at"]
    if row["paused_at"]:
        out["pausedAt"] = row["paused_at"]
    return out


def _campaign_document(row: sqlite3.Row) -> dict[str, Any]:
    out = _campaign_common(row)
    if row["agent_id"]:  # the spec's `agentId` is a string: absent, never null
        out["agentId"] = row["agent_id"]
    out["audienceId"] = row["audience_id"]
    return out


def _campaign_view(row: sqlite3.Row) -> dict[str, Any]:
    out = _campaign_common(row)
    agent_id = row["agent_id"]
    if agent_id:  # the spec's `agent` is an object: absent, never null
        out["agent"] = {
            "_id": agent_id,
            "name": SANDBOX_AGENT_NAME,
            "workflowType": SANDBOX_WORKFLOW,
        }
    out["audience"] = {"_id": row["audience_id"], "name": row["audience_name"]}
    out["events"] = json.loads(row["events"])
    return out


def _audience(row: sqlite3.Row) -> dict[str, Any]:
    out = {
        "_id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "phoneNumberColumnName": row["phone_column"],
        "organization": row["organization"],
        "createdBy": row["created_by"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }
    # The spec declares `identifierColumnName` a string and nothing shows the API sending
    # null: an audience created without one has no such field (as a stored document).
    if row["identifier_column"] is not None:
        out["identifierColumnName"] = row["identifier_column"]
    return out


def _dnc_entry(row: sqlite3.Row) -> dict[str, Any]:
    out = {
        "id": row["id"],
        "orgId": SANDBOX_ORGANIZATION,
        "phoneNumber": row["phone"],
        "source": row["source"],
        "detectedInCallId": row["call_id"],  # the one field the spec declares nullable
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }
    # `agentId` is a string in the spec: an organisation-wide entry has none (absent).
    if row["agent_id"] is not None:
        out["agentId"] = row["agent_id"]
    return dict(sorted(out.items(), key=lambda kv: _DNC_ORDER.index(kv[0])))


_DNC_ORDER = ("id", "agentId", "orgId", "phoneNumber", "source", "detectedInCallId",
              "createdAt", "updatedAt")  # fmt: skip


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
