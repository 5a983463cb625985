"""Typed errors and the exit codes they map to: the one place both are defined.

The API client raises the `ApiError` family (mapped from HTTP status in
`error_for_status`); the core raises the errors below it, each carrying the facts
(names, ids, counts) a message needs; the CLI raises `UsageError`/`CliError` for
user mistakes. None of them names a command or a flag: the hints that do are
added at the CLI edge (`hints.py`). `exit_code_for` turns any of them into the
documented exit code.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    OK = 0
    UNEXPECTED = 1
    USAGE = 2
    ROWS_REJECTED = 3
    AUTH = 4
    NOT_FOUND = 5
    REFUSED = 6
    UNAVAILABLE = 7
    CHECKS_FAILED = 8  # `doctor`: a check failed (or warned, when warnings count)
    NOT_CALLABLE = 9  # check-hours: some members may not be called at the time asked
    INTERRUPTED = 130
    TERMINATED = 143


class Terminated(KeyboardInterrupt):
    """The run was sent SIGTERM: it stops as Ctrl-C stops it (what was done is reported,
    members taken out for an update are put back or journaled), with exit 143."""


def stop_word(exc: BaseException) -> str:
    """How a run was stopped by a signal, for a message."""
    return "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted"


class AudienceError(Exception):
    """Base of every error this tool reports without a traceback."""

    exit_code: ExitCode = ExitCode.UNEXPECTED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class CliError(AudienceError):
    """A failure the user can act on, with an explicit exit code."""

    def __init__(
        self, message: str, *, exit_code: ExitCode = ExitCode.UNEXPECTED, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.exit_code = exit_code


class UsageError(AudienceError):
    """Bad input from the user: options, numbers, files, names.

    `option` names the setting the message is about, as the options call it
    ("phone_column"): the CLI puts its flag before the message."""

    exit_code = ExitCode.USAGE

    def __init__(self, message: str, *, hint: str | None = None, option: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.option = option


class UndecodableError(UsageError):
    """A file's bytes are not valid in the encoding read (the CLI's hint names the option
    that sets it)."""


class BomMismatchError(UsageError):
    """A file starts with a UTF-8 byte-order mark, but another encoding was asked for."""

    def __init__(self, message: str, *, requested: str) -> None:
        super().__init__(message)
        self.requested = requested


class NotTextError(UsageError):
    """A file holds NUL bytes: not text in any one-byte encoding (UTF-16, or binary)."""


class UnpairedNamesError(UsageError):
    """More names than numbers were given one by one: a name pairs with the number at its
    position."""

    def __init__(self, *, names: int, phones: int) -> None:
        numbers = f"{phones} phone number{'' if phones == 1 else 's'}"
        super().__init__(
            f"{names} names for {numbers}: each name belongs to the number at the same position"
        )
        self.names = names
        self.phones = phones


class SheetOfTextFileError(UsageError):
    """A sheet was named for a file that is text, not a workbook."""

    def __init__(self, *, source: str, sheet: str) -> None:
        super().__init__(
            f"{source}: the sheet {sheet!r} was asked for, and this is a text file, "
            "not an .xlsx workbook"
        )
        self.source = source
        self.sheet = sheet


class EmptySheetError(UsageError):
    """The sheet read of a workbook holds no row, not even a header."""


class InvalidPhoneError(UsageError):
    """A number given one by one (not in a file) is not valid: `reason` is its reject
    reason, `text` what the reason means."""

    def __init__(self, value: str, reason: str, text: str) -> None:
        super().__init__(f"invalid phone number {value!r}: {text} ({reason})")
        self.value = value
        self.reason = reason


class UnknownRegionError(UsageError):
    """A region (for national numbers) that the number plan does not know."""


class LinkRefusedError(UsageError):
    """An output path that is a symbolic link, not written through. `forcible`: writing
    through it can be asked for (it is not in a folder others can write to)."""

    def __init__(self, message: str, *, forcible: bool) -> None:
        super().__init__(message)
        self.forcible = forcible


class ConfigError(AudienceError):
    """No usable API key or base URL."""

    exit_code = ExitCode.AUTH


class InvalidCredentialsError(ConfigError):
    """The credentials file is there but is not a JSON object: `auth login` replaces it
    (keeping a copy) and `auth logout` removes it; every other command stops on it."""

    def __init__(self, path: Path, problem: str, where: str = "") -> None:
        super().__init__(f"{path}{where}: {problem}")
        self.path = path
        self.problem = problem  # "not valid JSON (…)", "not a JSON object"…


class CredentialsFieldError(ConfigError):
    """A field of the credentials file (`field`) is not a string."""

    def __init__(self, message: str, *, field: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.field = field


class ProfileWithoutKeyError(ConfigError):
    """The profile chosen (`profile`) has no key, while the environment has one: the key
    and the base URL would come from two places."""

    def __init__(self, message: str, *, profile: str) -> None:
        super().__init__(message)
        self.profile = profile


class KeyAsProfileNameError(UsageError):
    """A profile name that looks like an API key (never shown, never a file name)."""


class UnknownProfileError(UsageError):
    """No profile of that name (`profile`) has a file."""

    def __init__(self, message: str, *, profile: str) -> None:
        super().__init__(message)
        self.profile = profile


class BadDelimiterError(UsageError):
    """A delimiter that is not one character (or is one that cannot be)."""


class UnknownSheetError(UsageError):
    """A workbook (`source`) has no sheet `wanted`; `listed` names the ones it has."""

    def __init__(self, source: str, wanted: str, listed: str) -> None:
        super().__init__(f"{source}: no sheet {wanted!r}; the workbook has {listed}")
        self.source = source
        self.wanted = wanted
        self.listed = listed


class UnknownColumnError(UsageError):
    """A column named by a setting (`setting`, as the options call it: "phone_column") is
    not in the header of `source`; `header` lists the columns it has."""

    def __init__(self, source: str, wanted: str, setting: str, header: str) -> None:
        super().__init__(f"{source}: no column {wanted!r}; the header has: {header}")
        self.source = source
        self.wanted = wanted
        self.setting = setting
        self.header = header


class UnknownColumnsError(UsageError):
    """Columns asked to be kept (`listed`) that `source` does not have; `rest` says which
    it has."""

    def __init__(self, source: str, listed: str, rest: str) -> None:
        super().__init__(f"{source}: unknown column(s) {listed}; {rest}")
        self.source = source
        self.listed = listed
        self.rest = rest


class NoPhoneColumnError(UsageError):
    """No column of the header is a phone column by its name."""


class BadZoneValueError(UsageError):
    """A time-zone, ZIP/postal code or state value of a contact that cannot be read
    (`kind`: "timezone", "zip" or "state"; `value`: as written). The import pipeline
    turns it into a reject (`RowReason.BAD_TIMEZONE`) with the line."""

    def __init__(self, kind: str, value: str) -> None:
        super().__init__(f"cannot read the {kind} {value!r}")
        self.kind = kind
        self.value = value


class BadInstantError(UsageError):
    """A planned time (`text`) that cannot be read, and why (`problem`)."""

    def __init__(self, text: str, problem: str) -> None:
        super().__init__(f"cannot read the time {text!r}: {problem}")
        self.text = text
        self.problem = problem


class RulesFileError(UsageError):
    """The calling rules file `source` has a `key` whose value is wrong (`problem`)."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: {key}: {problem}")
        self.source = source
        self.key = key
        self.problem = problem


class UnknownSnapshotError(UsageError):
    """No snapshot of that name for this API."""


class InsecureTransportError(UsageError):
    """The API key would go over plain http to another machine."""


# --- API errors -----------------------------------------------------------


class ApiError(AudienceError):
    """An error answer (or no answer) from the Atoms API.

    `maybe_processed`: the request may have reached the server and been carried
    out although no good answer came back (a dropped connection after sending,
    a 5xx, a malformed answer). Callers that must not do a thing twice (create)
    check what happened before trying again.
    """

    exit_code = ExitCode.UNEXPECTED
    status_code: int | None = None

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        body: object = None,
        hint: str | None = None,
        maybe_processed: bool = False,
    ) -> None:
        super().__init__(message, hint=hint)
        if status_code is not None:
            self.status_code = status_code
        self.body = body
        self.maybe_processed = maybe_processed
        self.after_ambiguous = False  # an earlier attempt of the same call may have been done


class BadRequestError(ApiError):
    """400: the server refused the request by one of its rules."""

    exit_code = ExitCode.REFUSED
    status_code = 400


class AuthenticationError(ApiError):
    """401: missing or invalid API key."""

    exit_code = ExitCode.AUTH
    status_code = 401


class PermissionDeniedError(ApiError):
    """403: the key is valid but not allowed (other workspace, usage limit)."""

    exit_code = ExitCode.AUTH
    status_code = 403


class NotFoundError(ApiError):
    """404: no such audience or member (or one of another organization)."""

    exit_code = ExitCode.NOT_FOUND
    status_code = 404


class ConflictError(ApiError):
    """409: conflicts with the current state."""

    exit_code = ExitCode.REFUSED
    status_code = 409


class UnprocessableEntityError(ApiError):
    """422: well-formed but semantically wrong."""

    exit_code = ExitCode.REFUSED
    status_code = 422


class LockedError(ApiError):
    """423: the resource is locked."""

    exit_code = ExitCode.REFUSED
    status_code = 423


class RateLimitError(ApiError):
    """429: too many requests (after the client's own retries)."""

    exit_code = ExitCode.UNAVAILABLE
    status_code = 429


class ServerError(ApiError):
    """5xx: the server failed (after the client's own retries)."""

    exit_code = ExitCode.UNAVAILABLE


class ApiConnectionError(ApiError):
    """The server could not be reached, or the connection broke before an answer."""

    exit_code = ExitCode.UNAVAILABLE


class BadResponseError(ApiError):
    """An answer that is not the API's: invalid JSON, an HTML page, another envelope."""

    exit_code = ExitCode.UNAVAILABLE


class PagingError(ApiError):
    """The server's pages do not add up (a page repeats, more members than it counted)."""

    exit_code = ExitCode.UNAVAILABLE


class ApiTimeoutError(ApiConnectionError):
    """The server did not answer in time."""


class RunDeadlineError(ApiTimeoutError):
    """The run's deadline passed: no attempt starts after it, and the one under way was cut.

    `seconds` is the deadline's length; `given` says whether the user set it (else it is
    the command's default)."""

    def __init__(
        self, message: str, *, seconds: float, given: bool, maybe_processed: bool = False
    ) -> None:
        super().__init__(message, maybe_processed=maybe_processed)
        self.seconds = seconds
        self.given = given


class UnexpectedAnswerError(BadResponseError):
    """An answer in the API's envelope whose content is not what the API documents (a
    field of another type, an id that is not one, JSON nested absurdly deep). Not tried
    again, unlike other bad answers: the same server answers the same way."""


class AnswerTooLargeError(ApiError):
    """An answer larger than the body size setting allows: reading stopped at the limit."""

    exit_code = ExitCode.UNAVAILABLE


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: ApiTimeoutError,  # retried like a 5xx; after the retries, a timeout (exit 7)
    409: ConflictError,
    422: UnprocessableEntityError,
    423: LockedError,
    429: RateLimitError,
}


# Answers after which the server may have done the work although it reports a failure.
MAYBE_PROCESSED_STATUS = frozenset({408, 500, 502, 504})


def error_for_status(status_code: int, message: str, body: object = None) -> ApiError:
    """The typed error for an HTTP error status, carrying the server's message."""
    if status_code >= 500:
        cls: type[ApiError] = ServerError
    else:
        cls = _BY_STATUS.get(status_code, ApiError)
    maybe = status_code in MAYBE_PROCESSED_STATUS or status_code > 504
    return cls(message, status_code=status_code, body=body, maybe_processed=maybe)


# --- the core's errors -------------------------------------------------------


class AudienceNotFoundError(CliError):
    """No audience has this id or exact name."""

    def __init__(self, ref: str, *, suggestions: Sequence[str] = (), server: str = "") -> None:
        what = f"id {ref} (Atoms: {server})" if server else f"id or name {ref!r}"
        super().__init__(f"no audience with {what}", exit_code=ExitCode.NOT_FOUND)
        self.ref = ref
        self.suggestions = list(suggestions)


class AmbiguousNameError(UsageError):
    """Several audiences have the name the user gave."""

    def __init__(self, ref: str, ids: Sequence[str]) -> None:
        super().__init__(f"{len(ids)} audiences are named {ref!r}: {', '.join(ids)}")
        self.ref = ref
        self.ids = list(ids)


class CampaignNotFoundError(CliError):
    """No campaign has this id or exact name (exit 5, as for an unknown audience)."""

    def __init__(self, ref: str, *, server: str = "") -> None:
        what = f"id {ref} (Atoms: {server})" if server else f"id or name {ref!r}"
        super().__init__(f"no campaign with {what}", exit_code=ExitCode.NOT_FOUND)
        self.ref = ref


class AmbiguousCampaignError(UsageError):
    """Several campaigns have the name the user gave: `matches` holds (id, status,
    created) of each."""

    def __init__(self, ref: str, matches: Sequence[tuple[str, str, str]]) -> None:
        listed = "; ".join(f"{i} ({status or 'no status'}, created {created or '?'})"
                           for i, status, created in matches)  # fmt: skip
        super().__init__(f"{len(matches)} campaigns are named {ref!r}: {listed}")
        self.ref = ref
        self.matches = list(matches)


class CampaignStillGoingError(UsageError):
    """The campaign may still call its members: a retry audience made now could call
    them twice. (Exit 2: the caller decides to wait, or to go ahead.)"""

    def __init__(self, name: str, campaign_id: str, status: str) -> None:
        super().__init__(
            f"campaign {name!r} ({campaign_id}) is {status}: its members may still be "
            "called; wait until it is completed"
        )
        self.status = status


class ShortExportError(ApiError):
    """A campaign's outcome export holds fewer records than the count it states: the read
    is incomplete, so nothing is made of it (exit 7, as for pages that do not add up)."""

    exit_code = ExitCode.UNAVAILABLE

    def __init__(self, message: str, *, read: int, stated: int) -> None:
        super().__init__(message)
        self.read = read
        self.stated = stated


class RowsRejectedError(CliError):
    """Rejected input rows stop the upload (strict mode, or nothing valid left)."""

    def __init__(self, message: str, *, strict: bool) -> None:
        super().__init__(message, exit_code=ExitCode.ROWS_REJECTED)
        self.strict = strict


class MemberLimitError(UsageError):
    """More contacts than one audience may hold."""

    def __init__(self, total: int, limit: int, *, name: str) -> None:
        super().__init__(f"{total:,} contacts exceed the {limit:,}-member limit of one audience")
        self.total, self.limit, self.name = total, limit, name
        self.parts = -(-total // limit)


class NoRoomError(UsageError):
    """The new numbers would take an existing audience over its member limit."""

    def __init__(self, name: str, present: int, new: int, limit: int) -> None:
        room = max(0, limit - present)
        super().__init__(
            f"audience {name!r} has {present:,} members; adding {new:,} new would exceed "
            f"the {limit:,}-member limit (room for {room:,}); nothing was sent"
        )
        self.name, self.present, self.new, self.limit, self.room = name, present, new, limit, room


class NameTakenError(UsageError):
    """A create would give an audience a name another one already has."""

    def __init__(self, names: Sequence[str], ids: Sequence[str]) -> None:
        shown = ", ".join(f"{n!r} ({i})" for n, i in zip(names, ids, strict=True))
        super().__init__(f"an audience with that name already exists: {shown}; nothing was sent")
        self.names = list(names)
        self.ids = list(ids)


class TooManyRemovalsError(UsageError):
    """A sync would take out more members than the guard allows (a truncated export?).

    Updates count: Atoms cannot edit a member, so an update removes it and adds it again."""

    def __init__(
        self, out: int, size: int, limit: int, given: str, *, removed: int = 0, updated: int = 0
    ) -> None:
        parts = f" ({removed:,} to remove, {updated:,} to replace)" if updated else ""
        super().__init__(
            f"this sync would take out {out:,} of the audience's {size:,} members{parts}, "
            f"more than the {given} allowed ({limit:,}): nothing was changed"
        )
        self.remove, self.size, self.limit, self.given = out, size, limit, given


class NameInUseError(UsageError):
    """The snapshot's audience is gone and another audience has its name now."""

    def __init__(self, name: str, other_id: str) -> None:
        super().__init__(
            f"the snapshot's audience was deleted, and another audience ({other_id}) is "
            f"named {name!r} now: nothing was changed"
        )
        self.name, self.other_id = name, other_id


class CsvTooLargeError(UsageError):
    """One member alone makes the create upload's CSV larger than the API accepts."""


class CampaignInUseError(CliError):
    """Atoms refused a delete because a campaign that is not completed uses the audience."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=ExitCode.REFUSED)


class CreateUncertainError(CliError):
    """A create failed in a way that may have reached the server."""

    def __init__(self, message: str, *, name: str, exit_code: ExitCode) -> None:
        super().__init__(message, exit_code=exit_code)
        self.name = name


class PartialUploadError(CliError):
    """An upload stopped half way: the message says what was done.

    `audience_id` is the audience being filled; `split_made` the audiences a
    split import made (None: not a split); `created` whether this run created it.
    """

    def __init__(
        self,
        message: str,
        *,
        exit_code: ExitCode,
        audience_id: str,
        created: bool,
        split_made: Sequence[str] | None = None,
    ) -> None:
        super().__init__(message, exit_code=exit_code)
        self.audience_id = audience_id
        self.created = created
        self.split_made = None if split_made is None else list(split_made)
        self.pending = 0  # members taken out for an update that wait in the journal


class MemberLimitReachedError(PartialUploadError):
    """Atoms refused an add by its member limit (400), after `sent` of `total` went in.

    `limit` is the server's limit as its message says it (None: not said), `members` the
    audience's count now (None: not known), `room` how many more it takes, `our_limit`
    the limit this run checked against (--member-limit)."""

    def __init__(
        self,
        message: str,
        *,
        audience_id: str,
        name: str,
        sent: int,
        total: int,
        limit: int | None,
        members: int | None,
        room: int | None,
        our_limit: int | None = None,
    ) -> None:
        super().__init__(
            message, exit_code=ExitCode.REFUSED, audience_id=audience_id, created=False
        )
        self.name, self.sent, self.total = name, sent, total
        self.limit, self.members, self.room, self.our_limit = limit, members, room, our_limit


class DncReadError(CliError):
    """The do-not-call list could not be read, so nothing that depends on it was done.

    Carries the error underneath (`cause`) and its exit code; `during_import` says
    the list was read to screen an import (which never goes ahead without it)."""

    def __init__(self, cause: AudienceError, *, during_import: bool) -> None:
        super().__init__(
            f"cannot read the organisation's do-not-call list: {cause.message}",
            exit_code=cause.exit_code,
        )
        self.cause = cause
        self.during_import = during_import


class NothingRemovedError(CliError):
    """None of the members named for removal is in the audience."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=ExitCode.NOT_FOUND)


def exit_code_for(error: BaseException) -> ExitCode:
    if isinstance(error, AudienceError):
        return error.exit_code
    if isinstance(error, Terminated):
        return ExitCode.TERMINATED
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    return ExitCode.UNEXPECTED
