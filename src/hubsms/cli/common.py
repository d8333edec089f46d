"""What every command shares: options, output, and errors turned into exit codes.

Kept free of typer and rich at import time so that the fast path of ``hubsms.cli.fast``
can use it too.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from hubsms.errors import ExitCode, HubsmsError

DEBUG_ENV = "HUBSMS_DEBUG"


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
    """A warning on stderr: never mixed into data on stdout."""
    _say("warning:", "33", text)


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


def report_error(err: HubsmsError) -> int:
    """Print an error (and its hint) as one or two lines on stderr; return its exit code."""
    _say("error:", "1;31", hide_tokens(err.message))
    if err.hint:
        _say("hint:", "36", hide_tokens(err.hint))
    return int(err.exit_code)


def hide_tokens(text: str) -> str:
    """Replace what looks like an auth token (exactly 32 hex digits standing alone: not part
    of an AC…/SM… SID, a longer hex run or a NAME_LIKE_THIS) with <hidden>: a last guard for
    text that repeats what a user typed."""
    import re

    return re.sub(r"(?<![0-9A-Za-z_])[0-9a-fA-F]{32}(?![0-9A-Za-z_])", "<hidden>", text)


def print_json(data: Any) -> None:
    """Data for scripts: stdout holds only this JSON document."""
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
    from rich.console import Console

    return Console(stderr=True, highlight=False, emoji=False)


def resolve_config_path(option: Path | None, ctx: Any = None) -> Path:
    """``--config`` (on the command or before it), else ``HUBSMS_CONFIG``, else the
    per-user default (DESIGN.md)."""
    if option is not None:
        return option
    root = ctx.find_root().obj if ctx is not None else None
    if isinstance(root, dict) and root.get("config") is not None:
        return Path(root["config"])
    env = os.environ.get("HUBSMS_CONFIG")
    if env:
        return Path(env)
    from hubsms.store import default_config_path

    return default_config_path()


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn a HubsmsError into its message and exit code; Ctrl-C into 130."""
    import typer

    try:
        yield
    except HubsmsError as err:
        raise typer.Exit(report_error(err)) from None
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
