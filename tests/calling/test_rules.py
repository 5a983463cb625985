"""The rules file: the package's own, resolution by state and country, and mistakes as one
line naming the file and the key."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from audience_cli.calling.rules import ENV_RULES, Rules, load_rules
from audience_cli.errors import RulesFileError

GOOD = '[default]\nwindows = [["08:00", "21:00"]]\ndays = ["mon", "tue"]\n'


def test_the_package_rules_resolve_state_over_country_over_default(rules: Rules) -> None:
    default = rules.window_for(None, None)
    assert default.windows == ((time(8), time(21)),)
    assert default.days == frozenset(range(7)) and not default.holidays
    florida = rules.window_for("US", "FL")
    assert (florida.windows, florida.max_calls_per_24h) == (((time(8), time(20)),), 3)
    assert rules.window_for("US", "TX") == rules.window_for("US", None)
    france = rules.window_for("FR", None)
    assert france.windows == ((time(10), time(13)), (time(14), time(20)))
    assert france.days == frozenset(range(5))
    assert france.holiday_calendars == (("FR", None),)
    # A US state's rule is not applied to another country's "FL".
    assert rules.window_for("FR", "FL") == france
    louisiana = rules.window_for("US", "LA")
    assert louisiana.holiday_calendars == (("US", "LA"),)
    assert 6 not in louisiana.days


def test_the_rules_file_from_the_argument_then_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD)
    assert load_rules(str(path)).window_for(None, None).days == {0, 1}
    monkeypatch.setenv(ENV_RULES, str(path))
    assert load_rules().source == str(path)
    monkeypatch.delenv(ENV_RULES)
    assert load_rules().source == "rules.toml (built in)"


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        (
            '[default]\nwindows = [["08:00", "25:00"]]\ndays = ["mon"]\n',
            "default.windows",
            "'25:00'",
        ),
        (
            '[default]\nwindows = [["21:00", "08:00"]]\ndays = ["mon"]\n',
            "default.windows",
            "ends before",
        ),
        ('[default]\nwindows = [["08:00"]]\ndays = ["mon"]\n', "default.windows", "pair"),
        (GOOD + '[countries.FR]\ndays = ["mon", "funday"]\n', "countries.FR.days", "'funday'"),
        (GOOD + "[countries.FR]\nholidays = 1\n", "countries.FR.holidays", "true or false"),
        (GOOD + "[countries.FR]\nhours = 3\n", "countries.FR.hours", "unknown key"),
        (GOOD + "[countries.fr]\nholidays = true\n", "countries.fr", "two-letter"),
        (
            GOOD + "[us_states.FL]\nmax_calls_per_24h = 0\n",
            "us_states.FL.max_calls_per_24h",
            "1 or more",
        ),
        (
            GOOD + '[split_area_codes]\n"850" = ["America/Nowhere"]\n',
            "split_area_codes.850",
            "'America/Nowhere'",
        ),
        (
            GOOD + '[split_area_codes]\n"85" = ["America/Chicago"]\n',
            "split_area_codes.85",
            "area code",
        ),
        (GOOD + '[us_zip3]\n"369-350" = ["America/Chicago"]\n', "us_zip3.369-350", "range"),
        (GOOD + '[us_state_zones]\nTX = "America/Chicago"\n', "us_state_zones.TX", "list"),
        (GOOD + "[whatever]\n", "whatever", "unknown table"),
        ('[default]\ndays = ["mon"]\n', "default.windows", "missing"),
        ("[default\n", "(syntax)", "line 1"),
    ],
)
def test_a_mistake_is_one_line_naming_the_file_and_the_key(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text)
    with pytest.raises(RulesFileError) as caught:
        load_rules(str(path))
    message = caught.value.message
    assert message.startswith(f"{path}: {key}: ")
    assert problem in message
    assert "\n" not in message


def test_a_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match=r"nope\.toml: \(file\): cannot read it"):
        load_rules(str(tmp_path / "nope.toml"))


def test_the_package_rules_ship_in_the_wheel_tree() -> None:
    """Hatch packs every file under audience_cli/: the rules sit beside their reader."""
    assert (Path(__file__).parents[2] / "audience_cli" / "calling" / "rules.toml").is_file()
