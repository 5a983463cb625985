"""Whether a number is valid, and its type, from the number plan's own patterns.

phonenumbers' metadata holds, for each region, a pattern per number type; this module
compiles them (a region at a time, on first use) into one pattern per national number
length that matches exactly what `phonenumbers.is_valid_number` accepts, its named
group the type `phonenumbers.number_type` gives. `normalize.py` asks it first and the
parser only when it cannot answer; tests compare both on every region's example numbers.
"""

from __future__ import annotations

import re

from audience_cli.reasons import RowReason

# Number types as phonenumbers names them (`PhoneNumberType`), in the order it tests
# them: the first that matches is the number's type.
PREMIUM_RATE: str = RowReason.PREMIUM_RATE
SHARED_COST: str = RowReason.SHARED_COST
_SPECIAL_TYPES = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
    "voicemail",
)  # fmt: skip
NUMBER_TYPES: tuple[str, ...] = (
    *(t.upper() for t in _SPECIAL_TYPES),
    "FIXED_LINE_OR_MOBILE",
    "FIXED_LINE",
    "MOBILE",
)


def _valid_e164(text: str) -> str | None:
    """`text` itself when it is a valid E.164 number that parsing would leave unchanged
    (see `_fast_e164`), else None."""
    return text if _fast_e164(text) else None


def _fast_e164(text: str) -> tuple[str, str] | None:
    """(region, type) of `text` when it is a valid E.164 number that parsing would
    leave unchanged.

    Reads the country code and national number straight from the digits and
    checks them with `_plan` (the number plan's patterns, compiled once per
    country code) instead of `phonenumbers.parse` and `is_valid_number`.
    Returns None whenever the full path could answer differently (a leading
    zero, a national prefix the parser might strip, no match), so the caller
    falls back to it: the fast path only ever says yes.
    """
    import phonenumbers

    if len(text) > 16:  # past E.164's 15 digits: the full path says TOO_LONG
        return None
    digits = text[1:]
    for size in (1, 2, 3):  # country codes are prefix-free: the first known one is it
        country_code = int(digits[:size])
        if country_code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return None
    plan = _plan(country_code)
    if plan is None:
        return None
    national = digits[size:]
    if not national or national[0] == "0":
        return None
    prefix, regions = plan
    if prefix is not None and prefix.match(national):
        return None
    return _classify_in(regions, national)


def _classify(country_code: int, national: str) -> tuple[str, str] | None:
    """(region, type) of a parsed number (its national significant number), or None."""
    plan = _plan(country_code)
    return None if plan is None else _classify_in(plan[1], national)


def _classify_in(regions: tuple[_Region, ...], national: str) -> tuple[str, str] | None:
    """The region that `national` belongs to, as phonenumbers picks it, and its type there.

    With several regions, the first whose leading digits match decides (valid
    there or not); a region without leading digits is picked when the number is
    valid in it.
    """
    length = len(national)
    for region in regions:
        by_length = region.by_length
        if by_length is None:  # the first number that gets this far in this region
            by_length = region.compile()
        leading = region.leading
        if leading is not None and not leading.match(national):
            continue
        pattern = by_length.get(length)
        match = pattern.fullmatch(national) if pattern is not None else None
        if match is not None:
            return region.code, match.lastgroup or ""
        if leading is not None:
            return None
    return None


class _Region:
    """A region of a country code: its code, the leading-digits pattern that picks it
    (None: no picking), and per national number length one pattern that matches exactly
    the valid numbers, with a named group per number type.

    Compiled when a number first gets to it: +1 has 25 regions, and a file of US
    numbers needs the US's patterns only (compiling them all took 40-60 ms).
    """

    __slots__ = ("by_length", "code", "country_code", "leading", "picked")

    def __init__(self, code: str, country_code: int, picked: bool) -> None:
        self.code = code
        self.country_code = country_code
        self.picked = picked  # one of several regions: picked by leading digits
        self.leading: re.Pattern[str] | None = None
        self.by_length: dict[int, re.Pattern[str]] | None = None

    def compile(self) -> dict[int, re.Pattern[str]]:
        import phonenumbers

        metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
            self.country_code, self.code
        )
        by_length = _typed_patterns(metadata) if metadata is not None else {}
        # With several regions, phonenumbers picks one by leading digits (or by
        # validity) and validates in it; with one region there is nothing to pick.
        leading = metadata.leading_digits if metadata is not None and self.picked else None
        self.leading = re.compile(leading) if leading else None
        self.by_length = by_length
        return by_length


_Plan = tuple["re.Pattern[str] | None", tuple[_Region, ...]]
_PLANS: dict[int, _Plan | None] = {}  # compiled on first use, a region at a time


def _plan(country_code: int) -> _Plan | None:
    """The number plan of a country code, compiled: (national prefix, regions in order)."""
    if country_code not in _PLANS:
        _PLANS[country_code] = _compile_plan(country_code)
    return _PLANS[country_code]


def _compile_plan(country_code: int) -> _Plan | None:
    import phonenumbers

    region_codes = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not region_codes:
        return None
    main = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        country_code, phonenumbers.region_code_for_country_code(country_code)
    )
    if main is None:
        return None
    several = len(region_codes) > 1
    regions = [_Region(code, country_code, several) for code in region_codes]
    prefix = main.national_prefix_for_parsing
    return (re.compile(prefix) if prefix else None), tuple(regions)


def _typed_patterns(metadata: object) -> dict[int, re.Pattern[str]]:
    """Length -> pattern that matches what `phonenumbers.is_valid_number` accepts, the
    matching group named after the number type `phonenumbers.number_type` gives.

    phonenumbers calls a national number valid when it matches the general
    description and the description of at least one number type, each checked
    against its list of possible lengths (an empty list allows any length). Its
    type is the first that matches, special types first; a fixed-line pattern
    that the mobile pattern matches too (or one region-wide flag) makes
    FIXED_LINE_OR_MOBILE. Alternatives are tried in that order, so the group
    that matched (`Match.lastgroup`) is the type.
    """
    general = _desc(getattr(metadata, "general_desc", None))
    if general is None:
        return {}
    general_lengths, general_pattern = general
    special = [(name.upper(), _desc(getattr(metadata, name, None))) for name in _SPECIAL_TYPES]
    fixed = _desc(getattr(metadata, "fixed_line", None))
    mobile = _desc(getattr(metadata, "mobile", None))
    same = bool(getattr(metadata, "same_mobile_and_fixed_line_pattern", False))
    result: dict[int, re.Pattern[str]] = {}
    for length in range(1, 18):
        if general_lengths and length not in general_lengths:
            continue

        def fits(desc: tuple[frozenset[int], str] | None, n: int = length) -> bool:
            return desc is not None and (not desc[0] or n in desc[0])

        alternatives = [f"(?P<{name}>{d[1]})" for name, d in special if d and fits(d)]
        mobile_fits = mobile is not None and fits(mobile)
        if fixed is not None and fits(fixed):
            if same:
                alternatives.append(f"(?P<FIXED_LINE_OR_MOBILE>{fixed[1]})")
            elif mobile is not None and mobile_fits:
                # A fixed-line number is FIXED_LINE_OR_MOBILE when the mobile pattern
                # matches it too: each pattern is tried once unless it is fixed only.
                alternatives.append(
                    f"(?=(?:{fixed[1]})\\Z)"
                    f"(?:(?P<FIXED_LINE_OR_MOBILE>{mobile[1]})|(?P<FIXED_LINE>{fixed[1]}))"
                )
            else:
                alternatives.append(f"(?P<FIXED_LINE>{fixed[1]})")
        if mobile is not None and not same and mobile_fits:
            alternatives.append(f"(?P<MOBILE>{mobile[1]})")
        if alternatives:
            any_type = "|".join(alternatives)
            result[length] = re.compile(f"(?=(?:{general_pattern})\\Z)(?:{any_type})")
    return result


def _desc(desc: object) -> tuple[frozenset[int], str] | None:
    pattern = getattr(desc, "national_number_pattern", None)
    if not pattern:
        return None
    return frozenset(getattr(desc, "possible_length", None) or ()), pattern
