"""The doctor's checks: each a small function returning a `Check` (ok, warn or fail, what
was found, what to do), run in order by `run_checks`.

Read-only: the API is only read (GETs, each tried once: `AtomsClient.probe`), the
credentials file and the state folder are only looked at, never made or changed.
A fix that names a command is left to the CLI: a check gives the `action` it means
(`ACTION_LOGIN`, `ACTION_RESTORE_PENDING`) and a plain `fix` for a library's caller.
"""

from __future__ import annotations

import os
import platform
import stat
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from audience_cli import __version__
from audience_cli.errors import AudienceError, AuthenticationError, PermissionDeniedError
from audience_cli.redaction import redact_key, url_without_userinfo

if TYPE_CHECKING:
    from audience_cli.client import AtomsClient, Probe

Status = Literal["ok", "warn", "fail"]
STATUSES: tuple[Status, ...] = ("ok", "warn", "fail")

LATENCY_PROBES = 3  # small GETs whose median is the latency shown
SLOW_SECONDS = 2.0  # a median above this is a warning
CLOCK_SKEW_LIMIT = 60.0  # seconds between the server's clock and this machine's, at most
ACTION_LOGIN = "login"  # store or replace the API key
ACTION_RESTORE_PENDING = "restore-pending"  # put back the members a journal holds

DNC_PROBE = ("dnc", {"page": 1, "offset": 1})  # the smallest read there is: one entry
AUDIENCE_PROBE = ("audience", None)
# The operations doctor calls, whose answers are checked against the spec's schemas
# (scripts/generate.py writes contract/answer_schemas.json for these).
SPEC_OPERATIONS = (f"GET /{AUDIENCE_PROBE[0]}", f"GET /{DNC_PROBE[0]}")


@dataclass(frozen=True)
class Check:
    """One thing checked: its status, what was found, and what to do when not ok."""

    name: str
    status: Status
    detail: str
    fix: str = ""  # in plain words, for warn and fail
    action: str | None = None  # a remedy the CLI words with the command that does it

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "fix": self.fix}


@dataclass(frozen=True)
class Target:
    """What is checked: the settings in effect."""

    api_key: str | None
    key_source: str
    base_url: str
    url_source: str
    embedded: bool = False  # the embedded sandbox: in this process, nothing to reach
    credentials_file: Path | None = None  # the credentials file in effect (None: not used)


@dataclass(frozen=True)
class Answered:
    """A probe and the time on this machine's wall clock when its answer came."""

    probe: Probe
    wall_time: float


def summary(checks: Sequence[Check]) -> dict[str, int]:
    """How many checks ended in each status."""
    return {status: sum(1 for c in checks if c.status == status) for status in STATUSES}


# --- credentials ---------------------------------------------------------------------


def check_key(target: Target) -> Check:
    """Where the key comes from, shown redacted, and whether it looks like a Smallest key."""
    name = "API key"
    if target.embedded:
        return Check(name, "ok", "the embedded sandbox's own (no key is needed)")
    key = target.api_key
    if not key:
        return Check(
            name,
            "fail",
            "no API key: none in the environment nor in the credentials file",
            fix="Store a key in the credentials file, or set SMALLEST_API_KEY.",
            action=ACTION_LOGIN,
        )
    detail = f"{redact_key(key)} from {target.key_source}"
    if not key.startswith("sk_") or len(key) < 16:
        return Check(
            name,
            "warn",
            f"{detail}: it does not look like a Smallest key (sk_ and at least 13 more)",
            fix="Copy the key again from the Smallest dashboard (keys start with sk_).",
        )
    return Check(name, "ok", detail)


def check_credentials_file(path: Path) -> Check:
    """The credentials file's mode: 0600, else who else can read or change the key."""
    name = "credentials file"
    try:
        info = path.stat()
    except FileNotFoundError:
        return Check(name, "ok", f"none at {path}")
    except OSError as exc:
        return Check(name, "fail", f"{path}: cannot look at it ({exc.strerror})")
    if os.name != "posix":
        return Check(name, "ok", str(path))
    mode = stat.S_IMODE(info.st_mode)
    fix = f"Make it private: chmod 600 {path}"
    if mode & (stat.S_IROTH | stat.S_IWOTH):
        return Check(
            name, "fail", f"{path} has mode {mode:04o}: anyone on this machine can read it", fix
        )
    if mode & (stat.S_IRGRP | stat.S_IWGRP):
        return Check(
            name, "warn", f"{path} has mode {mode:04o}: members of its group can read it", fix
        )
    folder = stat.S_IMODE(path.parent.stat().st_mode)
    if folder & (stat.S_IWOTH | stat.S_IWGRP):
        return Check(
            name,
            "warn",
            f"{path.parent} has mode {folder:04o}: others could replace the file",
            fix=f"Make the folder private: chmod 700 {path.parent}",
        )
    return Check(name, "ok", f"{path} (mode {mode:04o})")


# --- where the API is ----------------------------------------------------------------


def check_base_url(target: Target) -> Check:
    """https, except to this machine (plain http elsewhere is refused unless allowed on
    purpose: then a warning)."""
    from audience_cli.config import is_loopback_host

    name = "base URL"
    if target.embedded:
        return Check(name, "ok", "the embedded sandbox: nothing leaves this machine")
    parts = urlsplit(target.base_url)
    detail = f"{target.base_url} from {target.url_source}"
    if parts.scheme == "https":
        return Check(name, "ok", f"{detail} · TLS, certificates verified")
    if is_loopback_host(parts.hostname or ""):
        return Check(name, "ok", f"{detail} · plain http to this machine")
    return Check(  # allowed on purpose (the insecure-http option), so a warning only
        name,
        "warn",
        f"{detail}: plain http to {parts.hostname}, the key crosses the network unencrypted",
        fix="Use the API's https:// address.",
    )


def check_proxy(target: Target, env: Mapping[str, str]) -> Check:
    """The proxy from the environment that carries the requests, if any."""
    from audience_cli.config import choose_proxy

    name = "proxy"
    if target.embedded:
        return Check(name, "ok", "none: the embedded sandbox is in this process")
    proxy, unused = choose_proxy(target.base_url, env)
    if unused:
        return Check(
            name,
            "warn",
            f"{unused} from the environment is not used: over plain http it would read the key",
            fix="Use the API's https:// address, or a proxy on this machine.",
        )
    if proxy:
        return Check(name, "ok", f"{url_without_userinfo(proxy)} (from the environment)")
    return Check(name, "ok", "none")


# --- the API, read -------------------------------------------------------------------


def probe_api(
    client: AtomsClient, wall_clock: Callable[[], float] = time.time
) -> tuple[list[Answered], Answered | None]:
    """The latency probes (a one-entry page of the do-not-call list, `LATENCY_PROBES`
    times), then the list of audiences. When the first gets no answer at all, nothing
    more is sent: a host that does not answer is waited for once."""
    path, params = DNC_PROBE
    latency: list[Answered] = []
    for _ in range(LATENCY_PROBES):
        latency.append(Answered(client.probe(path, params), wall_clock()))
        if latency[0].probe.status is None:
            return latency, None
    audiences = Answered(client.probe(AUDIENCE_PROBE[0]), wall_clock())
    return latency, audiences


def check_reachable(latency: Sequence[Answered]) -> Check:
    """Any answer at all, and the median time of the answers."""
    name = "reachable"
    answered = [a.probe for a in latency if a.probe.status is not None]
    if not answered:
        error = latency[0].probe.error
        return Check(
            name,
            "fail",
            _one_line(error.message if error else "no answer"),
            fix="Check the address, this machine's network and any proxy; "
            "the API may also be down.",
        )
    median = statistics.median(p.seconds for p in answered)
    detail = f"answered in {median * 1000:.0f} ms (median of {len(answered)})"
    if median > SLOW_SECONDS:
        return Check(name, "warn", detail + ": slow", fix="Large reads will take long.")
    return Check(name, "ok", detail)


def check_audiences(answered: Answered) -> Check:
    """The key can list audiences (`GET /audience`)."""
    probe = answered.probe
    if probe.error is not None:
        return _read_failed("list audiences", probe, "GET /audience")
    count = len(probe.data) if isinstance(probe.data, list) else 0
    return Check("list audiences", "ok", f"{count} visible (GET /audience)")


def check_dnc(answered: Answered) -> Check:
    """The key can read the do-not-call list (`GET /dnc`): imports screen against it."""
    probe = answered.probe
    if probe.error is not None:
        failed = _read_failed("do-not-call list", probe, "GET /dnc")
        return Check(
            failed.name,
            "fail",
            f"{failed.detail}: numbers cannot be screened against it",
            fix=failed.fix or "Ask the account's owner whether the key may read it.",
            action=failed.action,
        )
    return Check("do-not-call list", "ok", "readable (GET /dnc)")


def _read_failed(name: str, probe: Probe, what: str) -> Check:
    error = probe.error
    message = _one_line(error.message if error else "no answer")
    if isinstance(error, (AuthenticationError, PermissionDeniedError)):
        return Check(
            name,
            "fail",
            f"{what}: the key was refused (HTTP {error.status_code}: {message})",
            fix="Copy the key again from the Smallest dashboard (keys start with sk_).",
            action=ACTION_LOGIN,
        )
    status = f"HTTP {probe.status}: " if probe.status and str(probe.status) not in message else ""
    return Check(name, "fail", f"{what}: {status}{message}")


def check_spec(reads: Sequence[tuple[str, Answered]]) -> Check | None:
    """Each answer against the vendor's published schema for its status (`contract/`):
    matched, or the first mismatch with its path. A warning, not a failure: the API
    departing from its spec is worth reporting, and whether this tool can still read the
    answer is `check_answers`' to say. Answers of a status the spec lists no body for (a
    proxy's 502, a 429) are not counted; None when no answer was checked."""
    from audience_cli.contract import answer_schema, first_mismatch

    name = "answer shapes"
    checked = 0
    for what, answered in reads:
        probe = answered.probe
        if probe.status is None:
            continue
        schema = answer_schema(what, probe.status)
        if schema is None:
            continue
        if probe.body is None:
            if 200 <= probe.status < 300:
                detail = f"{what}: HTTP {probe.status}: the answer is not JSON"
                return Check(name, "warn", detail, fix=SPEC_FIX)
            continue  # an error page that is not JSON: the read's own check says so
        mismatch = first_mismatch(schema, probe.body)
        if mismatch is not None:
            return Check(name, "warn", f"{what}: {mismatch}", fix=SPEC_FIX)
        checked += 1
    if not checked:
        return None
    return Check(name, "ok", f"matched the spec ({checked} answer{'s' if checked != 1 else ''})")


SPEC_FIX = (
    "The API answered outside its published spec: report this line; "
    "the next check says whether this tool still reads the answer."
)


def check_answers(reads: Sequence[tuple[str, Answered, Callable[[Any], Any]]]) -> Check | None:
    """Each successful answer read with the client's own checks (`answers.py`): matched,
    or the first field that is not what the tool reads. Stricter than the spec where the
    tool needs more (a member count is a whole number) and looser where it tolerates more
    (null in any field). None when nothing succeeded."""
    from audience_cli.answers import AnswerShapeError

    name = "answers read"
    checked = []
    for what, answered, read in reads:
        if answered.probe.error is not None:
            continue
        try:
            read(answered.probe.data)
        except AnswerShapeError as exc:
            return Check(
                name,
                "fail",
                f"{what}: {exc}",
                fix="The API answers in a form this tool does not read: report this line.",
            )
        checked.append(what)
    if not checked:
        return None
    return Check(name, "ok", f"as this tool reads them ({', '.join(checked)})")


def check_clock(answers: Sequence[Answered], *, embedded: bool = False) -> Check:
    """This machine's clock against the server's `Date` header: calling windows depend
    on it."""
    name = "clock"
    if embedded:
        return Check(name, "ok", "the embedded sandbox runs on this machine's clock")
    dated = [a for a in answers if a.probe.date]
    if not dated:
        return Check(
            name,
            "warn",
            "the answers have no Date header: the offset is unknown",
            fix="Check that this machine's clock is set by NTP.",
        )
    first = dated[0]
    try:
        server = parsedate_to_datetime(first.probe.date or "").timestamp()
    except (TypeError, ValueError):
        return Check(name, "warn", f"unreadable Date header {first.probe.date!r}")
    offset = server - first.wall_time
    detail = f"within {abs(offset):.0f} s of the server's (its Date header)"
    if abs(offset) > CLOCK_SKEW_LIMIT:
        return Check(
            name,
            "warn",
            f"this machine's clock is {-offset:+.0f} s off the server's: calling windows "
            "are read on it",
            fix="Set the clock by NTP (timedatectl set-ntp true).",
        )
    return Check(name, "ok", detail)


# --- this machine --------------------------------------------------------------------


def check_versions() -> Check:
    return Check(
        "versions",
        "ok",
        f"audience-cli {__version__} · Python {platform.python_version()} "
        f"({platform.python_implementation()})",
    )


def check_state_folder(env: Mapping[str, str], base_url: str) -> Check:
    """The state folder: writable, private, and the snapshots this API's state keeps."""
    from audience_cli.state import ENV_STATE_DIR, api_folder_path, state_root
    from audience_cli.state.snapshots import list_snapshots

    name = "state folder"
    root = state_root(env)
    fix = f"Set {ENV_STATE_DIR} to a private folder this user can write."
    if not root.exists():
        return Check(name, "ok", f"{root}: made at the first change (no snapshots yet)")
    if not root.is_dir():
        return Check(name, "fail", f"{root} is not a folder", fix)
    if not os.access(root, os.W_OK | os.X_OK):
        return Check(name, "fail", f"{root} is not writable by this user", fix)
    mode = stat.S_IMODE(root.stat().st_mode)
    if os.name == "posix" and mode & 0o022:
        return Check(
            name,
            "fail",
            f"{root} has mode {mode:04o}: others can write where contact data is kept",
            fix=f"Make it private: chmod 700 {root}",
        )
    try:
        kept = len(list_snapshots(api_folder_path(env, base_url)))
    except OSError as exc:
        return Check(name, "fail", f"{root}: cannot read it ({exc.strerror})", fix)
    snapshots = "1 snapshot" if kept == 1 else f"{kept:,} snapshots"
    return Check(name, "ok", f"{root} · writable · {snapshots} kept for this API")


def check_journal(env: Mapping[str, str], base_url: str) -> Check:
    """Members removed for an update and not added back (a run interrupted)."""
    from audience_cli.state import api_folder_path
    from audience_cli.state.journal import journals_in

    name = "pending journal"
    try:
        journals = journals_in(api_folder_path(env, base_url))
    except (AudienceError, OSError) as exc:
        return Check(name, "fail", _one_line(str(exc)))
    if not journals:
        return Check(name, "ok", "nothing pending")
    members = sum(len(j) for j in journals)
    names = ", ".join(repr(str(j.audience.get("name") or j.audience_id)) for j in journals)
    return Check(
        name,
        "warn",
        f"{members:,} member{'s' if members != 1 else ''} of {names} removed for an update "
        "and not added back (an interrupted run)",
        fix="Put them back before anything else changes those audiences.",
        action=ACTION_RESTORE_PENDING,
    )


# --- all of them ---------------------------------------------------------------------


def run_checks(
    target: Target,
    env: Mapping[str, str],
    client: AtomsClient,
    *,
    wall_clock: Callable[[], float] = time.time,
) -> list[Check]:
    """Every check, in the order a person fixes things: the key, where the API is, the
    API read, the clock, then this machine."""
    from audience_cli import answers

    checks = [check_key(target)]
    if target.credentials_file is not None:
        checks.append(check_credentials_file(target.credentials_file))
    checks += [check_base_url(target), check_proxy(target, env)]
    latency, audiences = probe_api(client, wall_clock)
    checks.append(check_reachable(latency))
    if audiences is not None:
        dnc = latency[0]
        checks += [check_audiences(audiences), check_dnc(dnc)]
        audience_op, dnc_op = SPEC_OPERATIONS
        spec = check_spec([*((dnc_op, a) for a in latency), (audience_op, audiences)])
        if spec is not None:
            checks.append(spec)
        shapes = check_answers(
            [
                ("GET /audience", audiences, answers.audience_list),
                ("GET /dnc", dnc, answers.dnc_page),
            ]
        )
        if shapes is not None:
            checks.append(shapes)
        checks.append(check_clock([*latency, audiences], embedded=target.embedded))
    checks += [
        check_versions(),
        check_state_folder(env, target.base_url),
        check_journal(env, target.base_url),
    ]
    return checks


def _one_line(text: str) -> str:
    return " ".join(text.split())
