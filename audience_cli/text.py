"""Text for people and for spreadsheets: printable data, plurals, cells, formula protection.

A leaf module: it imports nothing of the tool, so anything may import it.
"""

from __future__ import annotations

import json
import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def printable(text: str) -> str:
    """Data shown on a terminal: control characters (escape sequences that could
    retitle, clear or recolour it) are shown as visible escapes, not obeyed."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def plural(n: int, word: str, words: str | None = None) -> str:
    """`1 member`, `1,234 members`: the count with thousands separators and the noun."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def protect_formula(text: str) -> str:
    """OWASP CSV injection: a leading = + - @ tab or CR is made inert with a quote."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def cell_text(value: Any) -> str:
    """One value as the text of a table, TSV or CSV cell (JSON for lists and objects)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)
