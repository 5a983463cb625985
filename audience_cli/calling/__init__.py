"""Calling windows and consent: each member's time zones (from the number, or the
address), whether a time is inside their local calling window by the rules (rules.toml),
the next safe time, and consent values. Plain functions; every one that depends on the
time is given `now`: nothing here reads the clock."""
