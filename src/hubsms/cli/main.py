"""The console entry point. Imports nothing heavy until it knows what to run."""

from __future__ import annotations

import os
import sys

from hubsms.cli.common import DEBUG_ENV


def main(argv: list[str] | None = None) -> None:
    """The fast path for ``connector list``, else the Typer app. A bug is one line unless
    ``--debug`` (or HUBSMS_DEBUG) asks for the traceback."""
    args = sys.argv[1:] if argv is None else argv
    try:
        from hubsms.cli import fast

        code = fast.try_run(args)
        if code is None:
            from hubsms.cli.app import app

            app(args=args, prog_name="hubsms")
            code = 0
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
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
