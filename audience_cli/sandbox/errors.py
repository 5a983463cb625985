"""The sandbox's own error: the package imports nothing from the CLI around it.

The CLI turns a `SandboxError` into its usage error (exit code 2) at its edge,
keeping `message` and `hint`.
"""

from __future__ import annotations


class SandboxError(Exception):
    """The sandbox cannot run as asked, e.g. its database file is unusable.

    `message` says what went wrong (naming the file); `hint`, when set, says
    what the user can do about it.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class SandboxDatabaseError(SandboxError):
    """The file given as the sandbox's database cannot be used as one."""
