"""Typed errors and the exit codes they map to: the one place both are defined.

The API client raises the `ApiError` family (mapped from HTTP status in
`error_for_status`); the CLI layer raises `UsageError`/`CliError` for user
mistakes. `exit_code_for` turns any of them into the documented exit code.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    UNEXPECTED = 1
    USAGE = 2
    ROWS_REJECTED = 3
    AUTH = 4
    NOT_FOUND = 5
    REFUSED = 6
    UNAVAILABLE = 7
    INTERRUPTED = 130


EXIT_CODE_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "success",
    ExitCode.UNEXPECTED: "unexpected error, or the system refused (disk full, permissions)",
    ExitCode.USAGE: "usage error: bad option, bad number, bad file, ambiguous name, no --yes",
    ExitCode.ROWS_REJECTED: "done, but some input rows were rejected (see the report)",
    ExitCode.AUTH: "authentication: no API key, key refused (401) or not allowed (403)",
    ExitCode.NOT_FOUND: "audience or member not found (404)",
    ExitCode.REFUSED: "refused by a server rule (400), e.g. member limit, active campaign",
    ExitCode.UNAVAILABLE: "network error or server unavailable after retries",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C)",
}


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
    """Bad input from the user: options, numbers, files, names."""

    exit_code = ExitCode.USAGE


class ConfigError(AudienceError):
    """No usable API key or base URL."""

    exit_code = ExitCode.AUTH


# --- API errors -----------------------------------------------------------


class ApiError(AudienceError):
    """An error answer (or no answer) from the Atoms API."""

    exit_code = ExitCode.UNEXPECTED
    status_code: int | None = None

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        body: object = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        if status_code is not None:
            self.status_code = status_code
        self.body = body


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
    """The server could not be reached."""

    exit_code = ExitCode.UNAVAILABLE


class ApiTimeoutError(ApiConnectionError):
    """The server did not answer in time."""


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


def error_for_status(status_code: int, message: str, body: object = None) -> ApiError:
    """The typed error for an HTTP error status, carrying the server's message."""
    if status_code >= 500:
        cls: type[ApiError] = ServerError
    else:
        cls = _BY_STATUS.get(status_code, ApiError)
    return cls(message, status_code=status_code, body=body)


def exit_code_for(error: BaseException) -> ExitCode:
    if isinstance(error, AudienceError):
        return error.exit_code
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    return ExitCode.UNEXPECTED
