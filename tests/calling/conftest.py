"""Calling tests: the package's rules, and a frozen instant built from UTC parts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from audience_cli.calling.rules import Rules, load_rules


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load_rules()


def utc(*parts: int) -> datetime:
    """A frozen `now`: datetime(*parts) in UTC."""
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]
