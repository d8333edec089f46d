"""The console entry point, and the one place where errors become messages and exit codes.

``run()`` is what the console script and ``python -m hubsms`` call: :func:`main` in a process
of its own (the garbage collector set for a short life). ``main(argv)`` is the boundary (as
httpie's ``core.main``): it runs :func:`program` and turns whatever escapes it into output
and an exit status. ``program`` does the work and handles nothing: the fast path for the hot
commands, else the Typer app. Commands and services raise :class:`~hubsms.errors.HubsmsError`;
Click's usage errors are said as :class:`UsageError`. Imports nothing heavy until it knows
what to run.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any, NoReturn

from hubsms.cli.click_api import COMPLETE_ENV, click_module
from hubsms.cli.common import (
    DEBUG_ENV,
    end_output,
    report_error,
    start_output,
    warn_missing_config,
)
from hubsms.errors import (
    Cancelled,
    ExitCode,
    HubsmsError,
    Interrupted,
    Terminated,
    UsageError,
)


def main(argv: list[str] | None = None) -> int:
    """Run hubsms with ``argv`` (default: the process's arguments) and return its exit code.
    A bug is one line unless ``--debug`` (or HUBSMS_DEBUG) asks for the traceback."""
    args = sys.argv[1:] if argv is None else list(argv)
    start_output()
    try:
        code = program(args)
        warn_missing_config()
    except HubsmsError as err:
        return _fail(err, args, blank_line=isinstance(err, Interrupted))
    except KeyboardInterrupt as stop:
        return _fail(Interrupted(terminated=isinstance(stop, Terminated)), args, blank_line=True)
    except EOFError:  # Ctrl-D at a prompt
        return _fail(Cancelled(), args, blank_line=True)
    except Exception as exc:
        if "--debug" in args or os.environ.get(DEBUG_ENV):
            raise
        internal = HubsmsError(
            f"internal error: {type(exc).__name__}: {exc}", "run again with --debug for the traceback, and report it"
        )
        return _fail(internal, args)
    end_output()
    return code


# The collector's thresholds while a command runs (Python's are 700, 10, 10): start-up imports
# make some 100,000 objects that live until the exit, and at 700 new objects a collection the
# young ones, and every so often all of them, are walked again for nothing: 7 ms of an
# `otp send` here. Cyclic garbage is still collected, every 50,000 new objects.
THRESHOLDS = (50_000, 20, 20)


def run() -> NoReturn:
    """The console script and ``python -m hubsms``: :func:`main` with the collector set for a
    command's life (:data:`THRESHOLDS`), then the process's exit without the collector's walks
    over every object the command left.

    Python's shutdown runs full garbage collections over everything still alive (requests
    and its imports alone are some 17 ms of collections here, more than most commands' own
    work: benchmarks/send.py). The process is ending, so nothing is gained: ``gc.freeze()``
    takes those objects out of the collector's sight (https://docs.python.org/3/library/gc.html#gc.freeze).
    Nothing that frees a resource is skipped: files hubsms writes are closed (and fsynced)
    before ``main`` returns, stdout and stderr are still flushed, atexit handlers still run,
    and objects are still freed as their last reference goes. ``main`` itself (what tests and
    callers in the same process run) leaves the collector as it is."""
    gc.set_threshold(*THRESHOLDS)
    code = main()
    gc.freeze()
    sys.exit(code)


def _fail(err: HubsmsError, args: list[str], blank_line: bool = False) -> int:
    """Say ``err`` on stderr, and with ``--json`` (or ``--format json``) in the JSON document
    on stdout (the one the command printed, or one of its own); its exit code.
    ``blank_line``: after a ^C at a terminal, the error starts on a line of its own."""
    if blank_line and sys.stderr.isatty():
        sys.stderr.write("\n")
    report_error(err)
    end_output(err, _wants_json(args))
    return int(err.exit_code)


def _wants_json(args: list[str]) -> bool:
    return "--json" in args or "--format=json" in args or ["--format", "json"] in map(list, zip(args, args[1:]))


def program(args: list[str]) -> int:
    """The work: a shell's completion request, the fast path when ``args`` are plainly a hot
    command, else Typer."""
    if os.environ.get(COMPLETE_ENV):  # before Typer, whose own (older) protocol would answer
        from hubsms.cli.completion import complete

        return complete(os.environ[COMPLETE_ENV])
    from hubsms.cli import fast

    if fast.try_run(args):
        return 0
    return _run_typer(args)


def _run_typer(args: list[str]) -> int:
    """Run the Typer app; Click's own usage errors become UsageError, its Abort (Ctrl-D at
    a prompt) Cancelled, and Ctrl-C inside a command Interrupted."""
    import typer

    from hubsms.cli.command import build_command

    exceptions = click_module("exceptions")
    command = build_command()
    try:
        result = command.main(args=args, prog_name="hubsms", standalone_mode=False)
    except exceptions.NoArgsIsHelpError as err:
        err.show()
        return int(err.exit_code)
    except exceptions.MissingParameter as err:
        if err.param is None or err.ctx is None:  # pragma: no cover - Click always sets both here
            raise UsageError(err.format_message().rstrip(".")) from None
        raise _missing(err.param, err.ctx.command_path, err.ctx) from None
    except exceptions.UsageError as err:
        path = err.ctx.command_path if err.ctx is not None else _command_path(args)
        raise UsageError(err.format_message().rstrip("."), f"see '{path} -h' for what it takes") from None
    except exceptions.ClickException as err:
        raise UsageError(err.format_message().rstrip(".")) from None
    except typer.Abort:
        raise Cancelled() from None
    if result == ExitCode.INTERRUPTED:  # Typer says a KeyboardInterrupt as Exit(130), silently
        raise Interrupted()
    return result if isinstance(result, int) else 0


def _missing(param: Any, path: str, ctx: Any) -> UsageError:
    """A required option or argument left out, said as hubsms's own checks say it
    ("missing --sms-connector", "missing NAME")."""
    name = max(param.opts, key=len) if param.param_type_name == "option" else param.make_metavar(ctx)
    return UsageError(f"missing {name}", f"give {name}; see '{path} -h' for what it takes")


def _command_path(args: list[str]) -> str:
    """``hubsms`` and the words before the first option: the command a usage error is about."""
    words = []
    for arg in args:
        if arg.startswith("-"):
            break
        words.append(arg)
    return " ".join(["hubsms", *words[:2]])
