"""What to do next, for each error: the one place where hints name commands and flags.

The client and the core raise errors that carry facts; the CLI adds the hint
here, just before it prints the error (`cli.report_error`), and the flags a
message or a report line or note names (`message_for`, `REPORT_WORDS`).
"""

from __future__ import annotations

from audience_cli.config import (
    BACKUP_SUFFIX,
    ENV_API_KEY,
    ENV_PROFILE,
)
from audience_cli.errors import (
    AmbiguousCampaignError,
    AmbiguousNameError,
    ApiConnectionError,
    ApiTimeoutError,
    AudienceError,
    AudienceNotFoundError,
    AuthenticationError,
    BadDelimiterError,
    BomMismatchError,
    CampaignInUseError,
    CampaignNotFoundError,
    CampaignStillGoingError,
    CreateUncertainError,
    CredentialsFieldError,
    CsvTooLargeError,
    DncReadError,
    EmptySheetError,
    InsecureTransportError,
    InvalidCredentialsError,
    InvalidPhoneError,
    KeyAsProfileNameError,
    LinkRefusedError,
    MemberLimitError,
    MemberLimitReachedError,
    NameInUseError,
    NameTakenError,
    NoPhoneColumnError,
    NoRoomError,
    NotTextError,
    PartialUploadError,
    PermissionDeniedError,
    ProfileWithoutKeyError,
    RowsRejectedError,
    RunDeadlineError,
    SheetOfTextFileError,
    ShortExportError,
    TooManyRemovalsError,
    UndecodableError,
    UnexpectedAnswerError,
    UnknownColumnError,
    UnknownColumnsError,
    UnknownProfileError,
    UnknownRegionError,
    UnknownSheetError,
    UnknownSnapshotError,
    UnpairedNamesError,
    UsageError,
)
from audience_cli.reasons import CHECK_REGION, PhoneReason, ReportWords, RowReason
from audience_cli.sandbox.errors import SandboxDatabaseError, SandboxError
from audience_cli.state.locks import LockedByOtherRun


def flag(option: str) -> str:
    """The flag of a setting: "phone_column" -> "--phone-column"."""
    return "--" + option.replace("_", "-")


# What a reject reason's text gains at the CLI: the options that change the outcome.
REPORT_WORDS = ReportWords(
    after_reason={
        PhoneReason.MISSING_REGION: " or pass --region",
        RowReason.PREMIUM_RATE: " (--allow-type premium_rate to keep it)",
        RowReason.SHARED_COST: " (--allow-type shared_cost to keep it)",
        RowReason.EXCLUDED: " (--exclude, --exclude-audience)",
    },
    more="see --rejects",
    setting=flag,
    in_detail={CHECK_REGION: "check --region"},
)


# The error of a command that needs a key when none is set.
NO_KEY_MESSAGE = (
    "No API key. Provide one in any of three ways: "
    "run `audience auth login` (stores ~/.smallestai/credentials.json), "
    f"set {ENV_API_KEY}, "
    "or use the local sandbox with `audience --sandbox …`."
)


def sandbox_hint(exc: SandboxError) -> str | None:
    """The hint of the sandbox's own error, with the CLI's option where one helps."""
    if isinstance(exc, SandboxDatabaseError):
        return "Point AUDIENCE_SANDBOX_DB (or --db) at a new or existing sandbox file."
    return exc.hint


def message_for(exc: AudienceError) -> str:
    """`exc`'s message as the CLI prints it: the facts, with the flags they are about."""
    message = exc.message
    if isinstance(exc, InvalidPhoneError):
        text = REPORT_WORDS.reason_text(exc.reason)
        message = f"invalid phone number {exc.value!r}: {text} ({exc.reason})"
    elif isinstance(exc, LinkRefusedError):
        message += "; --force writes through it" if exc.forcible else ", even with --force"
    elif isinstance(exc, UnknownColumnError):
        where = f"{exc.source}: no column {exc.wanted!r} ({flag(exc.setting)})"
        message = f"{where}; the header has: {exc.header}"
    elif isinstance(exc, UnknownColumnsError):
        message = f"{exc.source}: unknown column(s) {exc.listed} in --columns; {exc.rest}"
    elif isinstance(exc, UnknownSheetError):
        message = f"{exc.source}: no sheet {exc.wanted!r} (--sheet); the workbook has {exc.listed}"
    elif isinstance(exc, UnknownSnapshotError):
        message += ": `audience snapshots` lists them (a path to a .csv.gz works too)"
    elif isinstance(exc, LockedByOtherRun):
        message += " (--wait sets how long)"
    elif isinstance(exc, UnpairedNamesError):
        numbers = f"{exc.phones} phone number{'' if exc.phones == 1 else 's'}"
        message = (
            f"{exc.names} names for {numbers}: each --name belongs to the --phone at the "
            "same position"
        )
    elif isinstance(exc, SheetOfTextFileError):
        message = (
            f"{exc.source}: --sheet {exc.sheet!r} names a sheet of an .xlsx workbook, "
            "and this is a text file"
        )
    elif isinstance(exc, BomMismatchError):
        message = message.replace(
            f"but the encoding {exc.requested} was asked for",
            f"but --encoding {exc.requested} was given",
        )
    else:
        from audience_cli.core.callability import NoSuchColumnError

        if isinstance(exc, NoSuchColumnError):  # named by a calling option
            name = {"timezone": "tz"}.get(exc.kind, exc.kind)
            message = message.replace(f"{exc.name!r}:", f"{exc.name!r} (--{name}-column):", 1)
    if isinstance(exc, UsageError) and exc.option:
        message = f"{flag(exc.option)} {message}"
    return message


def dnc_skipped(why: str) -> str:
    """The warning of a command that works without a key (validate) when it cannot
    check the do-not-call list."""
    return (
        f"the do-not-call list was not checked ({why}): numbers on it are not rejected. "
        "Check it with a key (`audience auth login`, SMALLEST_API_KEY) or --sandbox; "
        "--no-dnc says you mean to skip it."
    )


def sync_without_create(exc: AudienceNotFoundError) -> str:
    """The hint of `sync NAME` when no audience has that name and --create was not given."""
    if exc.suggestions:
        close = ", ".join(repr(s) for s in exc.suggestions)
        return f"Did you mean {close}? Or add --create to create {exc.ref!r} from the file."
    return (
        "Add --create to create it from the file (the first run of a nightly sync), "
        "or see `audience list` for ids and names."
    )


def _dnc_read_hint(exc: DncReadError) -> str:
    underneath = hint_for(exc.cause)
    if not exc.during_import:
        return underneath or "Run it again later."
    stop = (
        "Nothing was done: the do-not-call check is never skipped unasked. Run it again "
        "once the list can be read, or add --no-dnc to go without the check (numbers on "
        "the list may then be called)."
    )
    return f"{underneath}\n{stop}" if underneath else stop


# Errors of the plain side whose hint is always the same: the option that fixes them.
FIXED_HINTS: dict[type[AudienceError], str] = {
    UndecodableError: "pass the file's encoding, e.g. --encoding cp1252 or --encoding latin-1",
    BomMismatchError: "drop --encoding (or pass --encoding utf-8)",
    NotTextError: "give a CSV file; for UTF-16 text pass --encoding utf-16",
    SheetOfTextFileError: "drop --sheet for a CSV file",
    EmptySheetError: "give a sheet with a header row (--sheet NAME picks another)",
    UnknownRegionError: "--region takes an ISO 3166 country code",
    NoPhoneColumnError: "name it with --phone-column, e.g. --phone-column 'Mobile'",
    BadDelimiterError: "e.g. --delimiter ';' or --delimiter tab",
    CampaignStillGoingError: "Wait until it is completed, or pass --include-running to call "
    "again now whoever is not reached yet (the members still being called included).",
}


def hint_for(exc: AudienceError, *, sandbox: bool = False) -> str | None:
    """The hint to print under `exc`'s message (its own, when it brings one).

    `sandbox`: the run is on the embedded sandbox, where some fixes are commands."""
    if exc.hint:
        return exc.hint
    if isinstance(exc, DncReadError):
        return _dnc_read_hint(exc)
    fixed = FIXED_HINTS.get(type(exc))
    if fixed is not None:
        return fixed
    config_hint = _config_hint(exc)
    if config_hint:
        return config_hint
    if isinstance(exc, NameInUseError):
        return "Restore it under another name with --to NAME, or into that audience with --to ID."
    if isinstance(exc, TooManyRemovalsError):
        return (
            "Check that the file is complete (--dry-run --json lists who would go); if it is, "
            "raise the limit: --max-remove 100% or a number."
        )
    if isinstance(exc, AudienceNotFoundError):
        if exc.suggestions:
            return "Did you mean " + ", ".join(repr(s) for s in exc.suggestions) + "?"
        if "(Atoms:" in exc.message:
            return (
                "See `audience list` for ids and names; an audience of another "
                "workspace is not found either."
            )
        return "See `audience list` for ids and names."
    if isinstance(exc, AmbiguousNameError | AmbiguousCampaignError):
        return "Pass the id of the one you mean."
    if isinstance(exc, CampaignNotFoundError):
        return "Name a campaign by its id or its exact name, as the Atoms dashboard shows them."
    if isinstance(exc, ShortExportError):
        return "Try again in a while: Atoms may still be writing the export."
    if isinstance(exc, RowsRejectedError):
        if exc.strict:
            return "Fix the rows (--rejects FILE writes them out) or drop --strict."
        return None
    if isinstance(exc, MemberLimitError):
        return (
            f"Add --split to create {exc.parts} audiences named '{exc.name} (1/{exc.parts})'… "
            "each within the limit, or send a smaller list."
        )
    if isinstance(exc, NoRoomError):
        return (
            f"Make room with `audience remove {exc.name!r} …`, or put the new numbers in a new "
            f"audience: `audience create NAME --csv FILE --exclude-audience {exc.name!r}` "
            "(--split over the limit); if your account allows more than "
            f"{exc.limit:,} members an audience, raise --member-limit."
        )
    if isinstance(exc, MemberLimitReachedError):
        return _limit_reached_hint(exc)
    if isinstance(exc, NameTakenError):
        return (
            f"Add to it with `audience add {exc.ids[0]} --csv FILE`, make it equal to a file "
            f"with `audience sync {exc.ids[0]} --csv FILE`, or pass --allow-duplicate-name "
            "to make another audience of the same name."
        )
    if isinstance(exc, CsvTooLargeError):
        return "Shorten the member's data (--columns keeps only the columns you name)."
    if isinstance(exc, CampaignInUseError) and sandbox:
        return (
            "On the sandbox, complete it: `audience sandbox campaign add AUDIENCE --name NAME "
            "--status completed` (or --id CAMPAIGN_ID), then run the delete again."
        )
    if isinstance(exc, CampaignInUseError):
        return (
            "Complete or delete the campaign in the Atoms dashboard first, "
            "then run the delete again."
        )
    if isinstance(exc, CreateUncertainError):
        return (
            f"It may have been created anyway: check `audience list` for {exc.name!r} "
            "before running the command again."
        )
    if isinstance(exc, PartialUploadError):
        return _partial_upload_hint(exc)
    if isinstance(exc, UnexpectedAnswerError):
        return (
            "Check that the base URL is the Atoms API (`audience auth status`); if it is, "
            "its answer has changed: please report it."
        )
    if isinstance(exc, RunDeadlineError) and exc.given:
        return "Check the network, or give the run more time: --deadline SECONDS."
    if isinstance(exc, RunDeadlineError):
        return (
            f"list and auth give up after {exc.seconds:g} s by default: check the network "
            "and the base URL (`audience auth status`), or give the run more time: "
            "--deadline SECONDS."
        )
    if isinstance(exc, ApiTimeoutError):
        return "Check the network or try again later."
    if isinstance(exc, ApiConnectionError):
        return "Check the network and the base URL (`audience auth status`)."
    if isinstance(exc, AuthenticationError):
        return (
            "The API key was refused. Authenticate with `audience auth login`, "
            "or set SMALLEST_API_KEY to a valid key (keys start with sk_)."
        )
    if isinstance(exc, PermissionDeniedError):
        return "The key is valid but not allowed here: check the workspace and its usage limits."
    return None


def _config_hint(exc: AudienceError) -> str | None:
    """The hint of an error about the key, the profile or the credentials file."""
    if isinstance(exc, InvalidCredentialsError):
        return (
            "Fix the file, or run `audience auth login` to replace it "
            f"(the old one is kept as {exc.path.name}{BACKUP_SUFFIX})."
        )
    if isinstance(exc, CredentialsFieldError) and exc.field == "access_token":
        return "Run `audience auth login` to store the key again."
    if isinstance(exc, KeyAsProfileNameError):
        return (
            "Name the profile (e.g. --profile acme); the key goes to the hidden prompt "
            "of `audience auth login --profile NAME`, or to its stdin with --with-token."
        )
    if isinstance(exc, UnknownProfileError):
        return f"Create it with `audience auth login --profile {exc.profile}`."
    if isinstance(exc, ProfileWithoutKeyError):
        return (
            f"Store its key with `audience auth login --profile {exc.profile}`, or leave "
            f"the profile out (no --profile, no {ENV_PROFILE}) to use {ENV_API_KEY}."
        )
    if isinstance(exc, InsecureTransportError):
        return "Use https://, or pass --allow-insecure-http if a trusted proxy terminates TLS."
    return None


def _limit_reached_hint(exc: MemberLimitReachedError) -> str:
    """An add refused by the server's member limit: running it again hits the same limit."""
    ref = exc.audience_id or repr(exc.name)
    fits = f"send at most {exc.room:,} more, " if exc.room else ""
    hint = (
        f"Running the same command again hits the same limit: {fits}make room with "
        f"`audience remove {ref} …`, or put the rest in a new audience: `audience create "
        f"NAME --csv FILE --exclude-audience {ref}` leaves out the numbers already there "
        "(--split if they are over the limit too)."
    )
    if exc.limit is not None and exc.our_limit is not None and exc.limit < exc.our_limit:
        hint += (
            f" Atoms' limit here is {exc.limit:,}, below --member-limit {exc.our_limit:,}: "
            f"with --member-limit {exc.limit:,} (or AUDIENCE_MEMBER_LIMIT) add checks the "
            "room before it sends anything."
        )
    return hint


def _partial_upload_hint(exc: PartialUploadError) -> str:
    if exc.pending:
        return (
            f"{exc.pending:,} members taken out for an update are not back yet: they are kept "
            "in the journal, and the next write to this audience adds them back first "
            f"(or now: `audience restore --pending {exc.audience_id}`)."
        )
    if exc.split_made is not None:
        if exc.created:
            return (
                "This was one part of a --split import, which created "
                f"{', '.join(exc.split_made)}: delete them and run the same command again."
            )
        return (
            "Import the rest into a new audience, or delete those and run the same command again."
        )
    if exc.created:
        return (
            f"Run the same import with `audience add {exc.audience_id} …`: "
            "numbers already in the audience are skipped."
        )
    return "Run the same command again: numbers already added are skipped."
