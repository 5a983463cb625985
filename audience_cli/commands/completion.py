from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from audience_cli.config import COMPLETE_VAR


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


# Bash inserts what a completion function returns as it is: the function quotes each
# value the way the word being completed is quoted. A bare word gets its spaces and
# quotes escaped (`hubspot\ import`); inside "…" or '…' the value goes in as it is and
# bash closes the quote ("hubspot import"). The program returns plain names.
BASH_SCRIPT = r"""_audience_completion() {
    local IFS=$'\n' cur="${COMP_WORDS[COMP_CWORD]}" word
    local -a found
    found=( $( env COMP_WORDS="${COMP_WORDS[*]}" \
                   COMP_CWORD=$COMP_CWORD \
                   _AUDIENCE_COMPLETE=complete_bash $1 ) )
    COMPREPLY=()
    for word in "${found[@]}"; do
        case "$cur" in
            \"*|\'*) COMPREPLY+=( "$word" ) ;;
            *) COMPREPLY+=( "$(printf '%q' "$word")" ) ;;
        esac
    done
    return 0
}

complete -o default -F _audience_completion audience
"""


def completion_script(shell: str) -> str:
    if shell == "bash":
        return BASH_SCRIPT
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
