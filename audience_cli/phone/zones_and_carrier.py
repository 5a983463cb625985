"""What else the number plan knows of a valid number: its time zones and its carrier
(phonenumbers' prefix data, loaded on first use)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)
def number_extras(e164: str) -> tuple[str, str]:
    """(IANA time zones of a valid E.164 number joined with ";", its carrier's name in
    English): "" where phonenumbers does not know. Loads phonenumbers' prefix data
    (a few MB) on first use."""
    import phonenumbers
    from phonenumbers import carrier, timezone

    parsed = phonenumbers.parse(e164)
    zones = [z for z in timezone.time_zones_for_number(parsed) if z != "Etc/Unknown"]
    return ";".join(zones), carrier.name_for_number(parsed, "en") or ""
