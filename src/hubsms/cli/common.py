"""What every command shares: output on stdout and stderr, errors said as lines (and as
JSON), the config path.

Kept free of typer and rich at import time so that the fast path of ``hubsms.cli.fast``
can use it too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from hubsms.errors import HubsmsError, InvalidValue, UsageError, hide_tokens

DEBUG_ENV = "HUBSMS_DEBUG"
QUIET_ENV = "HUBSMS_QUIET"
QUIET_FLAGS = ("--quiet", "-q")
QUIET_HELP = "No warnings on stderr (errors still print), for cron and CI; or HUBSMS_QUIET=1."


def _use_colour(stream: IO[str]) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


def _say(label: str, colour: str, text: str) -> None:
    stream = sys.stderr
    if _use_colour(stream):
        label = f"\x1b[{colour}m{label}\x1b[0m"
    stream.write(f"{label} {text}\n")
    stream.flush()


def warn(text: str) -> None:
    """A warning on stderr: never mixed into data on stdout; none with ``--quiet``."""
    if not is_quiet():
        _say("warning:", "33", text)


_quiet = False


def set_quiet(value: bool = True) -> None:
    """``--quiet`` was given: warnings are not said (errors and notes still are)."""
    global _quiet
    _quiet = value


def is_quiet() -> bool:
    """``--quiet``, or HUBSMS_QUIET set to anything but empty or 0."""
    return _quiet or os.environ.get(QUIET_ENV, "") not in ("", "0")


def note(text: str) -> None:
    """A status message on stderr."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def report(warnings: Iterable[str] = (), notes: Iterable[str] = ()) -> None:
    """What a change has to say: its warnings, then its notes, on stderr."""
    for text in warnings:
        warn(text)
    for text in notes:
        note(text)


def examples(*lines: str) -> str:
    """A command's help epilog: "Examples:" and each example on a line of its own, kept as
    typed (Click's \\b marker: not rewrapped)."""
    return "\b\nExamples:\n" + "\n".join("  " + line for line in lines)


def one_of(hint: str, **flags: object) -> None:
    """Two options that exclude each other, given as keywords (the option's name with
    underscores for dashes, NAME for an argument) with what was given: both given is a usage
    error, said the same way by every command ("give either --a or --b, not both")."""
    given = [option_name(key) for key, value in flags.items() if value]
    if len(given) > 1:
        raise UsageError(f"give either {' or '.join(given)}, not both", hint)


def is_interactive(no_input: bool) -> bool:
    """Whether to ask: stdin is a terminal and --no-input was not given."""
    return not no_input and sys.stdin is not None and sys.stdin.isatty()


def option_name(key: str) -> str:
    """How a parameter is written on the command line: ``from_`` is --from, ``NAME`` NAME."""
    return key if key.isupper() else "--" + key.rstrip("_").replace("_", "-")


def active_choice(active: bool, inactive: bool, hint: str) -> bool | None:
    """``--active`` True, ``--inactive`` False, neither None; both is a usage error (Click's
    --x/--no-x pair would silently let the last one win)."""
    one_of(hint, active=active, inactive=inactive)
    return True if active else False if inactive else None


def report_error(err: HubsmsError) -> None:
    """Print an error and its hint as two lines on stderr (``error:``, ``hint:``), tokens
    hidden; a stop (Ctrl-C, SIGTERM, Cancel) too, its hint saying what was sent."""
    _say("error:", "1;31", hide_tokens(err.message))
    hint = error_hint(err)
    if hint:
        _say("hint:", "36", hide_tokens(hint))


_NOTHING = object()
_held: Any = _NOTHING  # the run's JSON document, printed when the run ends (end_output)
_holding = False
_missing_config: str | None = None  # the config file the command reads does not exist


def start_output() -> None:
    """A new run of hubsms (in-process tests run many): the JSON document it prints is held
    until :func:`end_output`, so that a failure can add its error to it; no config read yet."""
    global _held, _holding, _missing_config
    _held, _holding, _missing_config = _NOTHING, True, None
    set_quiet(False)


def end_output(err: HubsmsError | None = None, as_json: bool = False) -> None:
    """The run ends: print its JSON document. On a failure (``err``) the document carries the
    error object (:meth:`HubsmsError.as_json`, its hint as :func:`error_hint` says it) as its
    ``"error"`` key, or is ``{"error": ...}`` alone when the command printed none and
    ``as_json`` was asked for: with --json, every exit path leaves one JSON document on
    stdout, its error the same as the error: and hint: lines. A document that is a list
    (``apply --json``'s changes) is printed as it is."""
    global _held, _holding
    held, _held, _holding = _held, _NOTHING, False
    if err is None:
        if held is not _NOTHING:
            _write_json(held)
        return
    hint = error_hint(err)
    error = {**err.as_json(), "hint": hide_tokens(hint) if hint else None}
    if isinstance(held, dict):
        _write_json({**held, "error": error})
    elif held is not _NOTHING:  # a list (apply's changes) has no place for it: stderr says it
        _write_json(held)
    elif as_json:
        _write_json({"error": error})


def error_hint(err: HubsmsError) -> str | None:
    """The error's hint, after what explains it first: the config file read does not exist."""
    return "; ".join(text for text in (_missing_config, err.hint) if text) or None


def print_json(data: Any) -> None:
    """Data for scripts: stdout holds only this JSON document (within a run of ``main``,
    printed when the run ends: see :func:`end_output`)."""
    global _held
    if not _holding:
        _write_json(data)
        return
    if _held is not _NOTHING:  # a second document: the first goes out as it is
        _write_json(_held)
    _held = data


def _write_json(data: Any) -> None:
    import json

    write_out(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_out(text: str) -> None:
    """Text on stdout; a character its encoding lacks (a cp1252 console, say) becomes '?'
    rather than an error."""
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        encoding = sys.stdout.encoding or "ascii"
        sys.stdout.write(text.encode(encoding, "replace").decode(encoding))
    sys.stdout.flush()


def stdout_console() -> Any:
    """A rich console on stdout; colour only on a terminal, NO_COLOR honoured by rich."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, emoji=False)


def stderr_console() -> Any:
    """A rich console on stderr (a status line while waiting): never mixed into stdout."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, emoji=False)


def resolve_config_path(option: Path | None, ctx: Any = None) -> Path:
    """The config file (``hubsms.paths.config_path``), ``--config`` given on the command
    (``option``) or before it (the root context's)."""
    from hubsms.paths import config_path

    root = ctx.find_root().obj if ctx is not None and option is None else None
    if isinstance(root, dict) and root.get("config") is not None:
        option = Path(root["config"])
    path = config_path(option).path
    if path.is_file():  # a file hubsms is pointed at is one whose tokens others keep
        from hubsms import registry

        registry.remember(path)
    return path


def read_config_path(option: Path | None, ctx: Any = None) -> Path:
    """The config file of a command that reads it (:func:`resolve_config_path`). When it
    does not exist, that is said (:func:`missing_config`): first in the hint of an error the
    command ends with, else as a warning once it is done (:func:`warn_missing_config`)."""
    global _missing_config
    path = resolve_config_path(option, ctx)
    _missing_config = missing_config(path)
    return path


def warn_missing_config() -> None:
    """After a command that succeeded: the warning :func:`read_config_path` kept, if any."""
    if _missing_config:
        warn(_missing_config)


def missing_config(path: Path) -> str | None:
    """What to say when the config file ``path`` does not exist: the path looked at and what
    chose it (``hubsms.paths.config_origin``), so that a mistyped --config or HUBSMS_CONFIG
    shows; None when it exists."""
    if path.exists():
        return None
    from hubsms.paths import CONFIG_ENV, FLAG, config_origin

    origin = config_origin(path)
    chosen = {
        FLAG: f"given by {FLAG}", CONFIG_ENV: f"from ${CONFIG_ENV}",
    }.get(origin, f"the per-user default; {FLAG} or ${CONFIG_ENV} choose another")
    return f"the config file {path} does not exist yet ({chosen})"


def twilio_access(auth_token_stdin: bool, connect_timeout: float | None, read_timeout: float | None) -> tuple[str | None, Any]:
    """The token on stdin (if ``--auth-token-stdin``) and the connect/read limits, from the
    options of ``hubsms.cli.params.TWILIO``."""
    from hubsms.service.sending import Limits

    return stdin_token(auth_token_stdin), Limits(connect_timeout, read_timeout)


def stdin_token(flag: bool) -> str | None:
    """The token on stdin when ``--auth-token-stdin`` was given."""
    return read_token_from_stdin() if flag else None


def read_token_from_stdin(prompt: str = "Auth token (hidden): ") -> str:
    """The one reader of a token on stdin: see ``read_token_stream``."""
    return read_token_stream(sys.stdin, prompt)


def read_token_stream(stream: Any, prompt: str = "Auth token (hidden): ") -> str:
    """A token piped on ``stream``: its first line, surrounding whitespace removed. At a
    terminal it is asked for without echo, so that it never shows on the screen; Ctrl-D
    there raises EOFError (the entry point says "cancelled", exit 130). Empty is a usage
    error."""
    if stream.isatty():
        import getpass

        text = getpass.getpass(prompt, stream=sys.stderr)
    else:
        text = stream.readline()
    token = text.strip() if isinstance(text, str) else text.decode().strip()
    if not token:
        raise InvalidValue(
            "auth_token",
            "--auth-token-stdin was given but stdin is empty",
            "pipe the token in: printf '%s\\n' \"$TOKEN\" | hubsms ...",
        )
    return token



def warn_plaintext_keyring() -> None:
    """Once a token was stored: say so when the keyring keeps it unencrypted and nobody chose
    that backend (installing keyrings.alt alone makes it the default)."""
    from hubsms.keyring_choice import plaintext_warning

    text = plaintext_warning()
    if text:
        warn(text)
