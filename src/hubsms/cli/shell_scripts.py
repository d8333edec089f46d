"""The shell completion scripts that ``hubsms completion SHELL`` prints, for bash, zsh and fish.
Each runs ``hubsms`` with ``{COMPLETE_ENV}={shell}_complete`` and the command line in the
environment; ``hubsms.cli.completion`` answers. Printing a script needs nothing of the app."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from hubsms.cli.click_api import COMPLETE_ENV
from hubsms.cli.common import write_out

PROG = "hubsms"
FUNCTION = f"_{PROG}_completion"


class Shell(str, Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def show_script(
    shell: Annotated[Shell, typer.Argument(metavar="SHELL", help="bash, zsh or fish.", show_default=False)],
) -> None:
    """Print the shell completion script for SHELL (commands, options, connector and plan
    names). Load it now with: eval "$(hubsms completion bash)"; see the README to install it."""
    write_out(script(shell.value))


def script(shell: str) -> str:
    """The completion script of ``shell``, ending with a newline."""
    names = {"complete_func": FUNCTION, "complete_var": COMPLETE_ENV, "prog_name": PROG}
    return (_TEMPLATES[shell] % names).strip("\n") + "\n"


# Bash sends the line up to the cursor and readline's word ($2: what a candidate replaces, after
# an open quote too); hubsms answers each candidate quoted to continue that word.
_BASH = r"""
%(complete_func)s() {
    local IFS=$'\n' response type value
    response=$(env COMP_LINE="${COMP_LINE:0:COMP_POINT}" COMP_WORD="$2" %(complete_var)s=bash_complete %(prog_name)s)
    COMPREPLY=()
    for completion in $response; do
        IFS=',' read -r type value <<< "$completion"
        if [[ $type == dir ]]; then
            compopt -o dirnames
        elif [[ $type == file ]]; then
            compopt -o default
        elif [[ $type == plain ]]; then
            COMPREPLY+=("$value")
        fi
    done
    return 0
}

complete -o nosort -F %(complete_func)s %(prog_name)s 2>/dev/null || complete -F %(complete_func)s %(prog_name)s
"""

_ZSH = r"""
#compdef %(prog_name)s

%(complete_func)s() {
    local -a completions completions_with_descriptions response
    (( ! $+commands[%(prog_name)s] )) && return 1
    response=("${(@f)$(env COMP_WORDS="${words[*]}" COMP_CWORD=$((CURRENT-1)) %(complete_var)s=zsh_complete %(prog_name)s)}")
    for type key descr in ${response}; do
        if [[ "$type" == "plain" ]]; then
            if [[ "$descr" == "_" ]]; then
                completions+=("$key")
            else
                completions_with_descriptions+=("$key":"$descr")
            fi
        elif [[ "$type" == "dir" ]]; then
            _path_files -/
        elif [[ "$type" == "file" ]]; then
            _path_files -f
        fi
    done
    if [ -n "$completions_with_descriptions" ]; then
        _describe -V unsorted completions_with_descriptions -U
    fi
    if [ -n "$completions" ]; then
        compadd -U -V unsorted -a completions
    fi
}

if [[ $zsh_eval_context[-1] == loadautoload ]]; then
    %(complete_func)s "$@"  # autoloaded from $fpath
else
    compdef %(complete_func)s %(prog_name)s  # eval or source
fi
"""

_FISH = r"""
function %(complete_func)s
    set -l response (env %(complete_var)s=fish_complete COMP_WORDS=(commandline -cp) COMP_CWORD=(commandline -t) %(prog_name)s)
    for completion in $response
        set -l metadata (string split -m 1 "," -- $completion)
        if test "$metadata[1]" = dir
            __fish_complete_directories $metadata[2]
        else if test "$metadata[1]" = file
            __fish_complete_path $metadata[2]
        else if test "$metadata[1]" = plain
            echo $metadata[2]
        end
    end
end

complete --no-files --command %(prog_name)s --arguments "(%(complete_func)s)"
"""

_TEMPLATES = {"bash": _BASH, "zsh": _ZSH, "fish": _FISH}
