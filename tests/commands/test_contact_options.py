"""The contact options declared once: --country-column, --allow-type and --enrich reach
`CsvOptions`; a command that takes numbers out (screen=False) has no screening."""

from __future__ import annotations

import inspect

import pytest

from audience_cli.cli.commands.contact_options import ContactInput, contact_input, contact_options
from audience_cli.cli.hints import message_for
from audience_cli.errors import UsageError


def test_contact_input_carries_the_new_options() -> None:
    inp = contact_input(
        csv="leads.csv",
        country_column="Mailing Country",
        allow_type=["premium_rate", "SHARED-COST"],
        enrich=True,
    )
    options = inp.options
    assert options.country_column == "Mailing Country"
    assert options.allow_types == frozenset({"PREMIUM_RATE", "SHARED_COST"})
    assert options.barred_types == frozenset()
    assert options.enrich is True
    assert options.screen is True
    defaults = contact_input(csv="leads.csv").options
    assert (defaults.country_column, defaults.enrich) == (None, False)
    assert defaults.barred_types == frozenset({"PREMIUM_RATE", "SHARED_COST"})
    with pytest.raises(UsageError) as caught:
        contact_input(allow_type=["voip"])
    assert message_for(caught.value).startswith("--allow-type 'voip'")


def test_a_command_that_takes_numbers_out_is_not_screened() -> None:
    received: list[ContactInput] = []

    @contact_options(names=False, screen=False)
    def remove_like(contacts: ContactInput) -> None:
        received.append(contacts)

    @contact_options()
    def add_like(contacts: ContactInput) -> None:
        received.append(contacts)

    taking_out = set(inspect.signature(remove_like).parameters)
    assert "country_column" in taking_out
    assert not {"allow_type", "enrich", "person"} & taking_out
    assert {"allow_type", "enrich", "country_column"} <= set(inspect.signature(add_like).parameters)

    remove_like(csv="optouts.csv")
    add_like(csv="leads.csv", allow_type=["premium_rate"], enrich=True)
    taken_out, added = received
    assert (taken_out.options.screen, taken_out.options.barred_types) == (False, frozenset())
    assert added.options.screen is True
    assert added.options.barred_types == frozenset({"SHARED_COST"})
    assert added.options.enrich is True


@pytest.mark.parametrize("command", ["create", "add", "validate", "sync", "diff"])
def test_the_options_are_in_the_help_of_every_command_that_imports(cli, command: str) -> None:
    result = cli(command, "--help")
    assert result.exit_code == 0
    for option in ("--country-column", "--allow-type", "--enrich"):
        assert option in result.stdout, (command, option)
