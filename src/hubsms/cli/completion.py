"""Shell completion's answers: what hubsms prints when a shell's completion script (see
``hubsms.cli.shell_scripts``) asks for the candidates, connector and plan names read from the
config included.

The protocol is Click 8's: the script runs ``hubsms`` with ``_HUBSMS_COMPLETE={shell}_complete``
and the command line in the environment (bash: ``COMP_LINE`` up to the cursor and readline's word
in ``COMP_WORD``; zsh: ``COMP_WORDS`` and ``COMP_CWORD``; fish: the line and the token); hubsms
prints the candidates, one ``type,value`` a line (zsh: type, value and help on three lines). Typer 0.28 carries only an
older protocol of its own, so the shell classes are here. Only ``main.program`` imports this
module, when the variable is set.

Completion never fails loudly: a config that cannot be read gives no names, and a bug gives no
candidates (``--debug`` or HUBSMS_DEBUG shows it), never a message in the middle of a prompt.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, NamedTuple

from hubsms.cli.click_api import COMPLETE_ENV, click_module
from hubsms.cli.command import build_command
from hubsms.cli.common import DEBUG_ENV, write_out
from hubsms.cli.shell_scripts import PROG, script

_click = click_module("shell_completion")
CompletionItem, ShellComplete, split_arg_string = _click.CompletionItem, _click.ShellComplete, _click.split_arg_string


def complete(instruction: str) -> int:
    """Answer the shell's request ``{shell}_complete`` (or ``{shell}_source``: the script)."""
    shell, _, action = instruction.partition("_")
    if shell not in _SHELLS or action not in ("complete", "source"):
        sys.stderr.write(f"\nhubsms: unknown completion request {instruction!r}; load the script again: hubsms completion bash|zsh|fish\n")
        return 1
    try:
        write_out(script(shell) if action == "source" else _answer(shell))
    except Exception:
        if os.environ.get(DEBUG_ENV):
            raise
        return 1
    return 0


def _answer(shell: str) -> str:
    comp = _SHELLS[shell](_cli(), {}, PROG, COMPLETE_ENV)
    answer = comp.complete()
    return answer + "\n" if answer else ""


def _cli() -> Any:
    """The Click command tree of the app, its name parameters given their completers."""
    command = build_command()
    _attach(command, ())
    return command


# --- connector and plan names -------------------------------------------------------------


def _config(ctx: Any) -> Any:
    """The config that the command line names (``--config`` before or after the command, else
    HUBSMS_CONFIG, else the default); None when it cannot be read."""
    from hubsms import store
    from hubsms.paths import config_path  # found, not recorded: a TAB writes nothing

    option = None
    while ctx is not None and option is None:
        option = ctx.params.get("config")
        ctx = ctx.parent
    try:
        return store.load(config_path(option).path)
    except Exception:  # a half-written file, a bad path: no names, and no noise at the prompt
        return None


def _names(kind: str, active: bool | None = None) -> Callable[[Any, Any, str], list[CompletionItem]]:
    """Completes the names of ``kind`` (connector or plan) that start with what was typed;
    only active or only inactive connectors when ``active`` says so."""

    def complete(ctx: Any, param: Any, incomplete: str) -> list[CompletionItem]:
        config = _config(ctx)
        if config is None:
            return []
        return [
            CompletionItem(name, help=help_text)
            for name, help_text, is_active in _candidates(config, kind)
            if _starts(name, incomplete) and active in (None, is_active)
        ]

    return complete


def _candidates(config: Any, kind: str) -> list[tuple[str, str, bool]]:
    """(name, what it is, active) of each connector or plan: zsh and fish show the second."""
    if kind == "plan":
        return [(p.name, f"SMS connector {p.sms_connector}", True) for p in config.plans.values()]
    return [(c.name, f"{'active' if c.active else 'inactive'}, from {c.from_}", c.active) for c in config.connectors.values()]


def _starts(name: str, incomplete: str) -> bool:
    """Whether ``name`` starts with what was typed, compared as names are (names.name_key:
    case and Unicode normalisation ignored). A typed trailing space stays ("My\\ " is not
    "Myriad"): name_key trims, so a sentinel character ends what is keyed."""
    from hubsms.names import name_key

    return name_key(name).startswith(name_key(incomplete + "\0")[:-1])


# What completes which parameter: options by their flag, the NAME argument by its command
# (``connector add`` takes a new name: nothing to complete).
_OPTIONS = {"--connector": _names("connector", True), "--sms-connector": _names("connector", True), "--plan": _names("plan")}
_ARGUMENTS = {
    ("connector", "show"): _names("connector"),
    ("connector", "edit"): _names("connector"),
    ("connector", "remove"): _names("connector"),
    ("connector", "test"): _names("connector"),
    ("connector", "activate"): _names("connector", False),
    ("connector", "deactivate"): _names("connector", True),
    ("settings", "set-default-sms"): _names("connector", True),
    ("plan", "set"): _names("plan"),
    ("plan", "remove"): _names("plan"),
}


def _attach(command: Any, path: tuple[str, ...]) -> None:
    """Give each parameter of the tree under ``command`` (at ``path``) its completer."""
    for param in command.params:
        completer = _ARGUMENTS.get(path) if param.name == "name" else next(
            (_OPTIONS[flag] for flag in getattr(param, "opts", []) if flag in _OPTIONS), None
        )
        if completer is not None:
            param._custom_shell_complete = completer  # what Click's shell_complete= sets
    for name, sub in getattr(command, "commands", {}).items():
        _attach(sub, (*path, name))


# --- the shells -----------------------------------------------------------------------------


class _Shell(ShellComplete):
    def source_vars(self) -> dict[str, Any]:  # abstract in Click; the scripts are shell_scripts'
        return {"complete_func": self.func_name, "complete_var": self.complete_var, "prog_name": self.prog_name}

    def get_completion_args(self) -> tuple[list[str], str]:
        """The words before the one being completed, and that one (COMP_CWORD its index)."""
        words = split_arg_string(os.environ.get("COMP_WORDS", ""))
        index = int(os.environ.get("COMP_CWORD", len(words)))
        return words[1:index], words[index] if index < len(words) else ""

    def format_completion(self, item: CompletionItem) -> str:
        return f"{item.type},{item.value}"


class _Bash(_Shell):
    """Bash gives the line up to the cursor (COMP_LINE) and readline's word (COMP_WORD: what
    a candidate replaces; after an open quote, or after a ':' or '=' outside quotes). Each
    candidate is quoted to continue what was typed: escaped with backslashes, or inside the
    open quote (readline then closes it)."""

    word: _Word

    def get_completion_args(self) -> tuple[list[str], str]:
        words, self.word = _lex(os.environ.get("COMP_LINE", ""))
        return words[1:-1], self.word.value

    def format_completion(self, item: CompletionItem) -> str:
        if item.type != "plain":
            return f"{item.type},{item.value}"
        replaced = os.environ.get("COMP_WORD", "")
        raw = self.word.raw
        kept = raw[: len(raw) - len(replaced)] if raw.endswith(replaced) else ""
        _, kept_word = _lex(kept)
        value = self.word.value
        if "=" in value and value.startswith("-") and not item.value.startswith("-"):  # --option=VALUE
            value = value.partition("=")[0] + "=" + item.value
        else:
            value = item.value
        if value[: len(kept_word.value)].casefold() != kept_word.value.casefold():
            return ""  # cannot continue what readline keeps: not offered
        return f"plain,{_quote(value[len(kept_word.value):], kept_word.quote)}"

    def complete(self) -> str:
        return "\n".join(filter(None, super().complete().split("\n")))


class _Word(NamedTuple):
    """The last word of a command line: as typed, its value, and the quote left open in it."""

    raw: str
    value: str
    quote: str | None


def _lex(line: str) -> tuple[list[str], _Word]:
    """The words of a bash command line, quotes and backslashes undone, the last one being
    the word under the cursor (empty after a space); and that word as typed. An open quote or a
    trailing backslash ends the line without an error."""
    words: list[str] = []
    value: list[str] = []
    quote: str | None = None
    start, i = 0, 0
    while i < len(line):
        char = line[i]
        if quote is None and char in " \t\n":
            if i > start or value:
                words.append("".join(value))
            value, start = [], i + 1
        elif quote is None and char == "\\" or quote == '"' and char == "\\" and line[i + 1 : i + 2] in ('"', "\\", "$", "`"):
            value.append(line[i + 1 : i + 2])
            i += 1
        elif quote is None and char in "'\"" or char == quote:
            quote = char if quote is None else None
        else:
            value.append(char)
        i += 1
    words.append("".join(value))
    return words, _Word(line[start:], words[-1], quote)


def _quote(text: str, quote: str | None) -> str:
    """``text`` written to be read as it is after what was typed, inside ``quote`` if one is open."""
    if quote == "'":
        return text.replace("'", "'\\''")
    if quote == '"':
        return "".join("\\" + c if c in '"\\$`' else c for c in text)
    return "".join(c if c.isalnum() or c in "_@%+=:,./-" else "\\" + c for c in text)


class _Zsh(_Shell):
    def format_completion(self, item: CompletionItem) -> str:
        """Three lines: the type, the value (a colon escaped for _describe), the help or _."""
        value = item.value.replace(":", "\\:")
        help_text = " ".join((item.help or "_").split())
        return f"{item.type}\n{value}\n{help_text}"


class _Fish(_Shell):
    def get_completion_args(self) -> tuple[list[str], str]:
        """Fish gives the line up to the cursor, and the word being completed on its own."""
        words = split_arg_string(os.environ.get("COMP_WORDS", ""))
        partial = os.environ.get("COMP_CWORD", "")
        incomplete = split_arg_string(partial)[0] if partial.strip() else ""
        args = words[1:]
        if incomplete and args and args[-1] == incomplete:
            args.pop()
        return args, incomplete

    def format_completion(self, item: CompletionItem) -> str:
        help_text = " ".join((item.help or "").split())
        return f"{item.type},{item.value}" + (f"\t{help_text}" if help_text else "")


_SHELLS: dict[str, type[_Shell]] = {"bash": _Bash, "zsh": _Zsh, "fish": _Fish}
