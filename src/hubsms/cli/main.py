"""The console entry point. Imports nothing heavy until it knows what to run."""

from __future__ import annotations

import os
import sys
from typing import Any

from hubsms.cli.common import DEBUG_ENV


def main(argv: list[str] | None = None) -> None:
    """The fast path for the hot commands, else the Typer app. A bug is one line unless
    ``--debug`` (or HUBSMS_DEBUG) asks for the traceback."""
    args = sys.argv[1:] if argv is None else argv
    try:
        from hubsms.cli import fast

        code = fast.try_run(args)
        if code is None:
            code = _run_typer(args)
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        code = 130
    except EOFError:  # Ctrl-D at a prompt, as Typer's own prompts say it
        sys.stderr.write("\ncancelled, nothing written\n")
        code = 130
    except Exception as exc:
        if "--debug" in args or os.environ.get(DEBUG_ENV):
            raise
        sys.stderr.write(
            f"error: internal error: {type(exc).__name__}: {exc}\n"
            "hint: run again with --debug for the traceback, and report it\n"
        )
        code = 1
    sys.exit(code)


def _run_typer(args: list[str]) -> int:
    """Run the Typer app; its usage errors are said as ours are: one error line, one hint."""
    import typer

    from hubsms.cli.app import app

    exceptions = _click_exceptions()
    try:
        result = app(args=args, prog_name="hubsms", standalone_mode=False)
    except exceptions.NoArgsIsHelpError as err:
        err.show()
        return int(err.exit_code)
    except exceptions.UsageError as err:
        path = err.ctx.command_path if err.ctx is not None else _command_path(args)
        _say_error(err.format_message(), f"see '{path} -h' for what it takes")
        return int(err.exit_code)
    except exceptions.ClickException as err:
        _say_error(err.format_message(), None)
        return int(err.exit_code)
    except typer.Abort:
        sys.stderr.write("cancelled, nothing written\n")
        return 130
    return result if isinstance(result, int) else 0


def _command_path(args: list[str]) -> str:
    """``hubsms`` and the words before the first option: the command a usage error is about."""
    words = []
    for arg in args:
        if arg.startswith("-"):
            break
        words.append(arg)
    return " ".join(["hubsms", *words[:2]])


def _say_error(message: str, hint: str | None) -> None:
    from hubsms.cli.common import report_error
    from hubsms.errors import MissingValue

    report_error(MissingValue(message.rstrip("."), hint))


def _click_exceptions() -> Any:
    # Typer 0.28 carries its own copy of Click; earlier versions use Click itself.
    try:
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - depends on the installed Typer
        from click import exceptions
    return exceptions
