"""A workbook cell's value as its cell shows it: numbers by their format code, dates, TRUE.

A phone number stored as a number keeps its digits (14155550102, never 1.4155550102E10),
and a format code of digit placeholders shows it as formatted: `00000000000` gives
07700900123 back its leading zero, `(###) ###-####` gives (415) 555-0102, `#,##0.00`
gives 1,234.50, `0%` gives 45%. Dates follow their code (`dd/mm/yyyy`, `h:mm AM/PM`);
the short date and date-time Excel shows in the reader's own locale (built-in formats
14 and 22) are written as ISO 8601 (2024-03-14, 2024-03-14 09:30), which no reader can
take for another day. What a code does that this module does not know (fractions,
fill characters, text sections) falls back to the number's digits: the value is never
lost for want of a format.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

GENERAL = "General"
# Built-in formats whose display depends on the reader's locale: written as ISO 8601.
_LOCALE_DATES = frozenset({"mm-dd-yy", "m/d/yy h:mm"})
_LARGEST_INTEGER = 10**15  # Excel keeps 15 significant digits: integers below are exact
_CONDITION = re.compile(r"\[(<=|>=|<>|<|>|=)(-?\d+(?:\.\d+)?)\]")
_BRACKET = re.compile(r"\[[^\]]*\]")
_CURRENCY = re.compile(r"\[\$([^\]-]*)(?:-[^\]]*)?\]")
_DATE_TOKEN = re.compile(
    r"yyyy|yy|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|\.0+", re.IGNORECASE
)


def cell_text(value: object, number_format: str | None) -> str:
    """What a cell of `value` (as openpyxl reads it) with `number_format` shows."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    fmt = number_format or GENERAL
    if isinstance(value, int | float):
        try:
            return _number_text(value, fmt)
        except (ValueError, ArithmeticError):  # a code or a size not shown: the digits
            return _general(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return _date_text(value, fmt)
    if isinstance(value, dt.timedelta):
        return _duration_text(value, fmt)
    return str(value)


# --- numbers ---------------------------------------------------------------------------


def _general(value: float) -> str:
    """A number as Excel's General format shows it: integers whole, others to 15 digits."""
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if value.is_integer() and abs(value) < _LARGEST_INTEGER:
        return str(int(value))
    return format(value, ".15g").replace("e", "E")


def _sections(fmt: str) -> list[str]:
    """The sections of a format code (positive;negative;zero;text), split at `;` outside
    quotes and escapes."""
    sections, current, quoted, escaped = [], [], False, False
    for ch in fmt:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            current.append(ch)
            escaped = True
        elif ch == '"':
            current.append(ch)
            quoted = not quoted
        elif ch == ";" and not quoted:
            sections.append("".join(current))
            current = []
        else:
            current.append(ch)
    sections.append("".join(current))
    return sections


def _pick_section(value: float, sections: list[str]) -> tuple[str, bool]:
    """(the section that shows `value`, whether it writes the minus sign itself)."""
    conditional = [_CONDITION.search(s) for s in sections[:2]]
    if any(conditional):
        for section, condition in zip(sections, conditional, strict=False):
            if condition is None or _holds(value, condition[1], float(condition[2])):
                return section, False
        return sections[min(2, len(sections) - 1)], False
    if value < 0 and len(sections) > 1 and sections[1]:
        return sections[1], True
    if value == 0 and len(sections) > 2 and sections[2]:
        return sections[2], True
    return sections[0], False


def _holds(value: float, op: str, limit: float) -> bool:
    checks: dict[str, Callable[[float, float], bool]] = {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
        "=": lambda a, b: a == b,
        "<>": lambda a, b: a != b,
    }
    return checks[op](value, limit)


def _tokens(section: str) -> list[tuple[str, str]]:
    """A section as (kind, text) tokens: "lit" for text shown as it is, "ph" for a digit
    placeholder (0 # ?), and "." "," "%" "E" for those signs."""
    section = _CURRENCY.sub(lambda m: '"' + m[1].replace('"', "") + '"', section)
    section = _BRACKET.sub("", section)  # colours, conditions, locales
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(section):
        ch = section[i]
        literal = _literal_at(section, i)
        if literal is not None:
            tokens.append(("lit", literal[0]))
            i = literal[1]
            continue
        if ch == "_" and i + 1 < len(section):  # the width of the next character
            tokens.append(("lit", " "))
            i += 2
            continue
        if ch == "*" and i + 1 < len(section):  # fill to the cell's width: nothing here
            i += 2
            continue
        if ch in "0#?":
            tokens.append(("ph", ch))
        elif ch in ".,%":
            tokens.append((ch, ch))
        elif ch in "Ee" and section[i + 1 : i + 2] in ("+", "-"):
            tokens.append(("E", section[i : i + 2]))
            i += 2
            continue
        elif ch == "@":
            tokens.append(("@", ch))
        elif ch == "/" and any(kind == "ph" for kind, _ in tokens):
            raise ValueError("fractions are not shown")  # -> the general format
        else:
            tokens.append(("lit", ch))
        i += 1
    return tokens


def _number_text(value: float, fmt: str) -> str:
    import math

    if fmt == GENERAL or fmt == "@" or not math.isfinite(value):
        return _general(value)
    section, signed = _pick_section(value, _sections(fmt))
    tokens = _tokens(section)
    if not any(kind == "ph" for kind, _ in tokens):
        # No digit placeholder: literal text (a zero section "-"), or General inside.
        text = "".join(t for kind, t in tokens if kind in ("lit", "%"))
        if "general" in text.lower():  # `"Tel: "General`
            digits = _general(abs(value) if signed else value)
            return re.sub("general", lambda _: digits, text, flags=re.IGNORECASE)
        return text or _general(value)
    if any(kind == "E" for kind, _ in tokens):
        return _scientific(value, tokens, signed)
    number = abs(value)
    percent = sum(1 for kind, _ in tokens if kind == "%")
    number *= 100**percent
    point = next((i for i, (kind, _) in enumerate(tokens) if kind == "."), len(tokens))
    integer_part, fraction_part = tokens[:point], tokens[point + 1 :]
    last_ph = max((i for i, (kind, _) in enumerate(integer_part) if kind == "ph"), default=-1)
    # Commas right after the last integer placeholder divide by 1,000 each; commas
    # between placeholders group the thousands.
    scaling = 0
    for kind, _ in integer_part[last_ph + 1 :]:
        if kind != ",":
            break
        scaling += 1
    number /= 1000**scaling
    grouping = any(kind == "," for kind, _ in integer_part[: last_ph + 1])
    decimals = sum(1 for kind, _ in fraction_part if kind == "ph")
    rounded = _rounded(number, decimals)
    whole, _, fraction = rounded.partition(".")
    text = _fill_integer(whole, integer_part, grouping)
    if point < len(tokens):
        text += "." + _fill_fraction(fraction, fraction_part)
    negative = value < 0 and not signed and float(rounded) != 0
    return ("-" if negative else "") + text


def _rounded(number: float, decimals: int) -> str:
    """`number` with `decimals` decimals, halves rounded away from zero as Excel does
    (Python's format rounds 2.5 to 2)."""
    from decimal import ROUND_HALF_UP, Decimal

    step = Decimal(1).scaleb(-decimals)
    return format(Decimal(repr(number)).quantize(step, rounding=ROUND_HALF_UP), "f")


def _fill_integer(digits: str, tokens: list[tuple[str, str]], grouping: bool) -> str:
    """The integer digits laid into the placeholders from the right; digits beyond them go
    before the first one, and placeholders beyond the digits show per kind (0: a zero,
    ?: a space, #: nothing)."""
    digits = digits.lstrip("0")
    placeholders = [i for i, (kind, _) in enumerate(tokens) if kind == "ph"]
    if grouping:
        minimum = sum(1 for i in placeholders if tokens[i][1] == "0")
        digits = digits.rjust(minimum, "0")
        grouped = f"{int(digits):,}" if digits else ""
        first, last = placeholders[0], placeholders[-1]
        before = "".join(t for kind, t in tokens[:first] if kind != ",")
        after = "".join(t for kind, t in tokens[last + 1 :] if kind != ",")
        return before + grouped + after
    out: list[str] = []
    left = list(digits)
    for index in range(len(tokens) - 1, -1, -1):
        kind, text = tokens[index]
        if kind == "ph":
            if left:
                out.append(left.pop())
            elif text == "0":
                out.append("0")
            elif text == "?":
                out.append(" ")
            if index == placeholders[0] and left:
                out.append("".join(left)[::-1])
                left = []
        elif kind != ",":
            out.append(text[::-1])
    return "".join(out)[::-1]


def _fill_fraction(digits: str, tokens: list[tuple[str, str]]) -> str:
    """The decimals laid into the placeholders after the point: trailing zeros show for a
    0 placeholder only (# drops them, ? turns them into spaces)."""
    kinds = [text for kind, text in tokens if kind == "ph"]
    shown = list(digits)
    for position in range(len(shown) - 1, -1, -1):
        if shown[position] != "0" or kinds[position] == "0":
            break
        shown[position] = " " if kinds[position] == "?" else ""
    out: list[str] = []
    position = 0
    for kind, text in tokens:
        if kind == "ph":
            out.append(shown[position])
            position += 1
        elif kind != ",":
            out.append(text)
    return "".join(out)


def _scientific(value: float, tokens: list[tuple[str, str]], signed: bool) -> str:
    at = next(i for i, (kind, _) in enumerate(tokens) if kind == "E")
    mantissa, exponent = tokens[:at], tokens[at + 1 :]
    point = next((i for i, (kind, _) in enumerate(mantissa) if kind == "."), len(mantissa))
    decimals = sum(1 for kind, _ in mantissa[point + 1 :] if kind == "ph")
    width = sum(1 for kind, _ in exponent if kind == "ph")
    number = abs(value) if signed else value
    text = f"{number:.{decimals}E}"
    head, _, power = text.partition("E")
    sign = "-" if power.startswith("-") else ("+" if tokens[at][1][1] == "+" else "")
    return f"{head}E{sign}{power.lstrip('+-').lstrip('0').rjust(width, '0')}"


# --- dates and times ---------------------------------------------------------------------

_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _date_text(value: dt.date | dt.time, fmt: str) -> str:
    if fmt in _LOCALE_DATES or fmt == GENERAL:
        return _iso(value, fmt)
    section = _sections(fmt)[0]
    section = _CURRENCY.sub(lambda m: '"' + m[1] + '"', section)
    section = _BRACKET.sub("", section)
    twelve = bool(re.search(r"am/pm|a/p", section, re.IGNORECASE))
    pieces: list[tuple[str, str]] = []  # (kind, text): "lit" or a token
    i = 0
    while i < len(section):
        ch = section[i]
        literal = _literal_at(section, i)
        if literal is not None:
            pieces.append(("lit", literal[0]))
            i = literal[1]
            continue
        match = _DATE_TOKEN.match(section, i)
        if match:
            pieces.append(("tok", match.group()))
            i = match.end()
            continue
        pieces.append(("lit", ch))
        i += 1
    out: list[str] = []
    for index, (kind, text) in enumerate(pieces):
        if kind == "lit":
            out.append(text)
            continue
        out.append(_date_token(value, text, _is_minute(pieces, index), twelve))
    return "".join(out)


def _iso(value: dt.date | dt.time, fmt: str) -> str:
    """A date or time in ISO 8601: for the locale's own formats, and General."""
    if isinstance(value, dt.datetime):
        if fmt == "mm-dd-yy" or (fmt == GENERAL and value.time() == dt.time()):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M" if fmt != GENERAL else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return value.isoformat()


def _is_minute(pieces: list[tuple[str, str]], index: int) -> bool:
    """An `m`/`mm` after an hour or before seconds is minutes, not the month."""
    token = pieces[index][1].lower()
    if token not in ("m", "mm"):
        return False
    before = [t.lower() for kind, t in pieces[:index] if kind == "tok"]
    after = [t.lower() for kind, t in pieces[index + 1 :] if kind == "tok"]
    return bool(before and before[-1] in ("h", "hh")) or bool(after and after[0] in ("s", "ss"))


def _date_token(value: dt.date | dt.time, token: str, minute: bool, twelve: bool) -> str:
    low = token.lower()
    date = value if isinstance(value, dt.date) else None
    time = (
        value.time()
        if isinstance(value, dt.datetime)
        else (value if isinstance(value, dt.time) else dt.time())
    )
    if low in ("m", "mm") and minute:
        return f"{time.minute:02d}" if low == "mm" else str(time.minute)
    if low in ("h", "hh"):
        hour = time.hour % 12 or 12 if twelve else time.hour
        return f"{hour:02d}" if low == "hh" else str(hour)
    if low in ("s", "ss"):
        return f"{time.second:02d}" if low == "ss" else str(time.second)
    if low in ("am/pm", "a/p"):
        mark = "AM" if time.hour < 12 else "PM"
        mark = mark if low == "am/pm" else mark[0]
        return mark.lower() if token[0].islower() else mark
    if low.startswith("."):
        digits = len(low) - 1
        return "." + f"{time.microsecond:06d}"[:digits].ljust(digits, "0")
    if date is None:
        return ""
    if low == "yyyy":
        return f"{date.year:04d}"
    if low == "yy":
        return f"{date.year % 100:02d}"
    if low.startswith("m"):
        names = {"m": str(date.month), "mm": f"{date.month:02d}"}
        month = _MONTHS[date.month - 1]
        names.update({"mmm": month[:3], "mmmm": month, "mmmmm": month[0]})
        return names[low]
    day = _DAYS[date.weekday()]
    names = {"d": str(date.day), "dd": f"{date.day:02d}", "ddd": day[:3], "dddd": day}
    return names[low]


def _duration_text(value: dt.timedelta, fmt: str) -> str:
    """An elapsed time ([h]:mm:ss): hours beyond a day keep counting."""
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if "[m" in fmt.lower():
        return f"{sign}{hours * 60 + minutes}:{secs:02d}"
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}"


def _literal_at(section: str, i: int) -> tuple[str, int] | None:
    """The text shown as it is that starts at `i` ("quoted", or \\x one character) and
    where the scan goes on; None when none starts there."""
    if section[i] == '"':
        end = section.find('"', i + 1)
        end = len(section) if end < 0 else end
        return section[i + 1 : end], end + 1
    if section[i] == "\\" and i + 1 < len(section):
        return section[i + 1], i + 2
    return None
