"""A fast path for the hot read-only command ``connector list``.

Scripts call ``hubsms connector list`` often, and importing Typer costs more than the whole
command. When the arguments are exactly that command with its own flags, it runs here with
the same service and rendering functions as the Typer command; anything else (``--help``,
an unknown flag, a typo) goes to Typer, which parses and reports as usual.
"""

from __future__ import annotations

from pathlib import Path

from hubsms.errors import HubsmsError

_FLAGS = {"--json": ("json", True), "--active": ("active", True), "--inactive": ("active", False)}


def _parse(args: list[str]) -> dict[str, object] | None:
    options: dict[str, object] = {"json": False, "active": None, "config": None}
    words: list[str] = []
    rest = iter(args)
    for arg in rest:
        if arg == "--config":
            options["config"] = next(rest, None)
            if options["config"] is None:
                return None
        elif arg.startswith("--config="):
            options["config"] = arg.split("=", 1)[1]
        elif arg in _FLAGS and words == ["connector", "list"]:
            key, value = _FLAGS[arg]
            options[key] = value
        elif arg.startswith("-") or len(words) >= 2:
            return None
        else:
            words.append(arg)
    if words != ["connector", "list"] or options["config"] == "":
        return None
    if options["config"] and Path(str(options["config"])).is_dir():
        return None  # Typer refuses a folder as --config (a usage error): let it say so
    return options


def try_run(args: list[str]) -> int | None:
    """Run ``args`` without Typer when they are a plain ``connector list``; None means
    'not handled here'."""
    options = _parse(args)
    if options is None:
        return None
    from hubsms import service
    from hubsms.cli.common import report_error, resolve_config_path
    from hubsms.cli.render import print_connector_list

    config = Path(str(options["config"])) if options["config"] else None
    try:
        rows = service.list_connectors(resolve_config_path(config), options["active"])  # type: ignore[arg-type]
        print_connector_list(rows, bool(options["json"]))
    except HubsmsError as err:
        return report_error(err)
    return 0
