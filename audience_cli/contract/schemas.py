"""`answer_schemas.json` read: the JSON Schema of each status's body of each operation
`doctor` calls, as the spec copy gives them (package data, generated)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMAS_FILE = Path(__file__).with_name("answer_schemas.json")


@cache
def answer_schemas() -> dict[str, dict[str, Any]]:
    """Operation (`"GET /dnc"`) to status (`"200"`) to the JSON Schema of its body."""
    with SCHEMAS_FILE.open(encoding="utf-8") as f:
        document = json.load(f)
    operations: dict[str, dict[str, Any]] = document["operations"]
    return operations


def answer_schema(operation: str, status: int) -> dict[str, Any] | None:
    """The schema of `operation`'s body under `status`; None when the spec lists no body
    for it (a status it does not list, an operation not in the file)."""
    schema: dict[str, Any] | None = answer_schemas().get(operation, {}).get(str(status))
    return schema
