"""An AUDIENCE|FILE argument (`dnc check`, `check-hours`, `split`): a file when it names
stdin or a file that exists, else an audience's id or name; and what to say when it is
neither."""

from __future__ import annotations

from pathlib import Path, PurePath

from audience_cli.errors import UsageError

# Suffixes of the files these arguments read: a name ending so is taken for a path.
FILE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")


def is_file_source(source: str) -> bool:
    """Whether AUDIENCE|FILE names a file: stdin ("-"), or a path that exists. Anything
    else is an audience's id or name."""
    return source == "-" or Path(source).is_file()


def looks_like_a_path(source: str) -> bool:
    """Whether a source that is no audience was meant as a file (a folder in it, or a
    contacts file's suffix)."""
    suffix = PurePath(source).suffix.lower()
    return "/" in source or "\\" in source or suffix in FILE_SUFFIXES


def neither_file_nor_audience(source: str) -> UsageError:
    """The error for a path-like source that is no file, and no audience's name either."""
    return UsageError(f"{source}: no such file, and no audience has that name")
