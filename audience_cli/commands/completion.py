from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

COMPLETE_VAR = "_AUDIENCE_COMPLETE"


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def completion_script(shell: str) -> str:
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name="audience", complete_var=COMPLETE_VAR, shell=shell)


def completion(
    shell: Annotated[Shell, typer.Argument(help="bash, zsh or fish.", show_default=False)],
) -> None:
    """Print the shell completion script for SHELL.

    AUDIENCE arguments complete names and ids from a cache that `audience
    list` refreshes; completing never waits on the network.

    [bold]Examples[/bold]

      eval "$(audience completion bash)"        (in ~/.bashrc)

      audience completion zsh > "${fpath[1]}/_audience"

      audience completion fish > ~/.config/fish/completions/audience.fish
    """
    typer.echo(completion_script(shell.value))
