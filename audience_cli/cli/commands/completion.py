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


# Zsh takes the program's answer as lines (type, value, description: `ZshCompletion`) and
# adds the values with compadd, which quotes each as the word being completed is quoted:
# `O'Brien VIP` goes in as `O\'Brien\ VIP`. (Typer's script evals the answer, which lost
# quotes and spaces: it completed `OBrien\ VIP`.) No candidates: file names.
ZSH_SCRIPT = r"""#compdef audience

_audience_completion() {
    local -a response completions described
    local type key descr
    response=("${(@f)$(env COMP_WORDS="${words[*]}" COMP_CWORD=$((CURRENT-1)) \
                           _AUDIENCE_COMPLETE=complete_zsh audience)}")
    for type key descr in "${response[@]}"; do
        [[ "$type" == plain ]] || continue
        if [[ "$descr" == _ ]]; then
            completions+=("$key")
        else
            described+=("$key:$descr")
        fi
    done
    if (( ! ${#completions} && ! ${#described} )); then
        _files
        return
    fi
    (( ${#described} )) && _describe -V unsorted described -U
    (( ${#completions} )) && compadd -U -V unsorted -a completions
    return 0
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _audience_completion "$@"
else
    compdef _audience_completion audience
fi
"""


def use_zsh_completion() -> None:
    """Answer `_AUDIENCE_COMPLETE=complete_zsh` the way ZSH_SCRIPT reads it (Typer
    registers its own class, which answers Typer's script)."""
    import click.shell_completion

    class ZshCompletion(click.shell_completion.ZshComplete):
        def format_completion(self, item: click.shell_completion.CompletionItem) -> str:
            # One line each: a description is the first paragraph of a help.
            described = " ".join((item.help or "").split()) or "_"
            value = item.value.replace(":", r"\:") if described != "_" else item.value
            return f"{item.type}\n{value}\n{described}"

    click.shell_completion.add_completion_class(ZshCompletion, "zsh")


def completion_script(shell: str) -> str:
    if shell == "bash":
        return BASH_SCRIPT
    if shell == "zsh":
        return ZSH_SCRIPT
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
    from audience_cli.cli.output import emit_text

    emit_text(completion_script(shell.value))
