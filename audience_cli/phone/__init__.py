"""Phone numbers: E.164 via phonenumbers, with reason codes.

    normalize.py          normalize_phone, phone_details: the one normaliser, with reasons
    number_plan.py        validity and type from the number plan's patterns (no parser)
    other_regions.py      where a number not valid in its region is valid instead
    countries.py          a country cell (code, name, calling code) to its region
    zones_and_carrier.py  a number's time zones and carrier
    pool_worker.py        many numbers at once, in a process pool's worker

The names below are the package's public ones; import them from here.
"""

from __future__ import annotations

from audience_cli.phone.countries import country_key, region_for_country
from audience_cli.phone.normalize import (
    PhoneDetails,
    PhoneNumberError,
    normalize_phone,
    normalize_region,
    phone_details,
    phone_or_reason,
)
from audience_cli.phone.number_plan import NUMBER_TYPES, PREMIUM_RATE, SHARED_COST
from audience_cli.phone.other_regions import (
    MAX_OTHER_REGIONS,
    MIN_BARE_DIGITS,
    WRONG_REGION_REASONS,
    valid_elsewhere,
)
from audience_cli.phone.pool_worker import NumberAnswer, NumberQuery, details_of_chunk
from audience_cli.phone.zones_and_carrier import number_extras
from audience_cli.reasons import REASON_TEXT, PhoneReason

__all__ = [
    "MAX_OTHER_REGIONS",
    "MIN_BARE_DIGITS",
    "NUMBER_TYPES",
    "PREMIUM_RATE",
    "REASON_TEXT",
    "SHARED_COST",
    "WRONG_REGION_REASONS",
    "NumberAnswer",
    "NumberQuery",
    "PhoneDetails",
    "PhoneNumberError",
    "PhoneReason",
    "country_key",
    "details_of_chunk",
    "normalize_phone",
    "normalize_region",
    "number_extras",
    "phone_details",
    "phone_or_reason",
    "region_for_country",
    "valid_elsewhere",
]
