"""Many numbers at once, in a process pool's worker: what it runs needs this package
and phonenumbers, no more."""

from __future__ import annotations

from audience_cli.phone.normalize import PhoneDetails, phone_details
from audience_cli.phone.other_regions import WRONG_REGION_REASONS, valid_elsewhere
from audience_cli.reasons import PhoneReason

NumberQuery = tuple[str, "str | None", bool]  # value, region, whether it may need a hint
NumberAnswer = tuple["PhoneDetails | PhoneReason", "tuple[str, ...] | None"]


def details_of_chunk(
    queries: list[NumberQuery], hint_region: str | None, hints: int
) -> tuple[list[NumberAnswer], int]:
    """(answers, hint candidates): `phone_details` of each (value, region) and, for at
    most `hints` of the queries that may need a hint (read in `hint_region`, rejected as
    too short, too long or invalid), `valid_elsewhere`; None where it was not asked. The
    candidates are all such queries, `hints` or not.

    What a process pool's worker runs: it needs this module and phonenumbers, no more.
    """
    answers: list[NumberAnswer] = []
    candidates = 0
    for value, region, may_hint in queries:
        result = phone_details(value, region)
        elsewhere = None
        if (
            may_hint
            and hint_region is not None
            and region == hint_region
            and isinstance(result, PhoneReason)
            and result in WRONG_REGION_REASONS
        ):
            candidates += 1
            if candidates <= hints:
                elsewhere = valid_elsewhere(value, hint_region)
        answers.append((result, elsewhere))
    return answers, candidates
