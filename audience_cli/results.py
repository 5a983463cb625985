"""Printing the result of a write command: JSON on request, else nothing on stdout."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from audience_cli.output import OutputFormat, write_json

if TYPE_CHECKING:
    from audience_cli.context import AppContext


def print_result(app: AppContext, result: dict[str, Any], fmt: OutputFormat) -> None:
    """Write commands speak on stderr; stdout carries the result only when asked for."""
    if fmt is OutputFormat.json:
        write_json(sys.stdout, result)
    elif fmt is OutputFormat.jsonl:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
