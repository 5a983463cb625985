"""JSON text exactly as `json.dumps(value, indent=2, ensure_ascii=False)` writes it, faster.

The standard library's C encoder does not indent (before Python 3.14), so an
indented dump runs the pure-Python encoder: the largest cost of streaming 10,000
members as JSON. Records from the API are dicts, lists, strings, numbers, booleans
and nulls; anything else falls back to `json.dumps` itself.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

STEP = "  "


class _Other(Exception):
    """A value this module does not write itself."""


def indented(value: Any, level: str = "") -> str:
    """`value` as `json.dumps(value, indent=2, ensure_ascii=False)` writes it, every line
    after the first prefixed with `level` (the indentation of where it is placed)."""
    try:
        return _write(value, level)
    except _Other:
        text = json.dumps(value, indent=2, ensure_ascii=False)
        return text.replace("\n", "\n" + level) if level else text


def _write(value: Any, level: str) -> str:
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = level + STEP
        items = []
        for key, item in value.items():
            if type(key) is not str:
                raise _Other
            items.append(f"{inner}{encode_basestring(key)}: {_write(item, inner)}")
        return "{\n" + ",\n".join(items) + "\n" + level + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = level + STEP
        items = [inner + _write(item, inner) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + level + "]"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return json.dumps(value)
    raise _Other
