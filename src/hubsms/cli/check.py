"""hubsms connector test: what Twilio will check, checked without sending (registered on the
connector group by ``hubsms.cli.app``)."""


import socket
import time
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from hubsms.cli import params
from hubsms.cli.common import note, one_of, print_json, resolve_config_path, twilio_access, write_out
from hubsms.cli.options import ConfigOption, typer_params
from hubsms.errors import ExitCode, HubsmsError, UsageError

if TYPE_CHECKING:
    from hubsms.service.checks import ConnectorReport, SweepReport


class Format(str, Enum):
    """What stdout holds (``--format``)."""

    table = "table"
    json = "json"
    prometheus = "prometheus"


@typer_params(params.TWILIO)
def test_connector(
    ctx: typer.Context,
    name: Annotated[Optional[str], typer.Argument(metavar="NAME", help="The connector to check (or --all).", show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="Check every connector at once: a health sweep.")] = False,
    active: Annotated[bool, typer.Option("--active", help="With --all: only the active connectors.")] = False,
    to: Annotated[Optional[str], typer.Option("--to", help="Also check sending to this number (E.164).", show_default=False)] = None,
    format_: Annotated[Format, typer.Option(
        "--format", help="table; json (as --json); prometheus: a gauge per connector and check, for "
        "node_exporter's textfile collector.")] = Format.table,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", metavar="FILE", show_default=False,
        help="With --format prometheus: write FILE atomically instead of stdout (a NAME.prom in the textfile folder).")] = None,
    junit: Annotated[Optional[Path], typer.Option(
        "--junit", metavar="FILE", show_default=False,
        help="Also write a JUnit XML report to FILE (atomically): a testcase per connector and check, for CI.")] = None,
    config: ConfigOption = None,
    **access: Any,
) -> None:
    """Check what Twilio will check, without sending: the credentials, the account's status
    and type, the sender (and with --to the recipient). Exit 0 ok or warnings, 4 credentials
    refused, 5 a check failed, 6 network; with --all the worst of the connectors
    (6 > 4 > 5 > 0). --junit and --format prometheus report the same checks for CI and
    monitoring (docs/ci.md, docs/monitoring.md)."""
    from hubsms.credentials import Keyring
    from hubsms.service import checks

    _check_choice(name, all_, active, access["auth_token_stdin"])
    _check_outputs(format_, access["json"], output, junit)
    path, json_ = resolve_config_path(config, ctx), access["json"] or format_ is Format.json
    token, limits = twilio_access(access)
    started = time.time()
    try:
        if all_:
            sweep = checks.check_all(path, Keyring(), active_only=active, to=to, limits=limits)
        else:
            report = checks.check_connector(path, str(name), Keyring(), to=to, stdin_token=token, limits=limits)
            sweep = checks.SweepReport([report], seconds=report.seconds)
    except HubsmsError as err:
        if format_ is Format.prometheus and err.exit_code != ExitCode.USAGE:  # the alert sees a broken config too
            _emit_prometheus(None, int(err.exit_code), started, output)
        raise
    failure = checks.failure(sweep if all_ else sweep.reports[0])
    if junit is not None:
        from hubsms.cli.reports import junit_xml, write_report

        write_report(junit, junit_xml(sweep, started, socket.gethostname()), "--junit")
    if format_ is Format.prometheus:
        _emit_prometheus(sweep, int(sweep.exit_code), started, output)
    elif all_:
        _show_sweep(sweep, json_)
    else:
        _show_report(sweep.reports[0], json_, failure.hint if failure else None)
    _raise_failure(failure)


def _check_outputs(format_: Format, json_: bool, output: Path | None, junit: Path | None) -> None:
    """--json goes with --format json only; --output with --format prometheus; the report
    files can be written (checked before any check runs, so that nothing is wasted)."""
    from hubsms.cli.reports import check_target, warn_unless_prom

    if json_ and format_ not in (Format.table, Format.json):
        raise UsageError(f"give either --json or --format {format_.value}, not both",
                         "--json is the same as --format json")
    if output is not None:
        if format_ is not Format.prometheus:
            raise UsageError("--output goes with --format prometheus",
                             "hubsms connector test --all --format prometheus --output FILE.prom (JSON: redirect stdout)")
        check_target(output, "--output")
        warn_unless_prom(output)
    if junit is not None:
        check_target(junit, "--junit")


def _emit_prometheus(sweep: "SweepReport | None", exit_code: int, started: float, output: Path | None) -> None:
    from hubsms.cli.reports import prometheus_text, write_report

    text = prometheus_text(sweep, exit_code, started)
    if output is None:
        write_out(text)
    else:
        write_report(output, text.encode("utf-8"), "--output")


def _check_choice(name: str | None, all_: bool, active: bool, auth_token_stdin: bool) -> None:
    """A NAME or --all, not both; --active goes with --all, --auth-token-stdin with a NAME."""
    hint = "hubsms connector test NAME checks one connector; --all checks every one"
    one_of(hint, NAME=name is not None, all=all_)
    if name is None and not all_:
        raise UsageError("give a connector NAME or --all", hint)
    if active and not all_:
        raise UsageError("--active goes with --all", "hubsms connector test --all --active")
    if auth_token_stdin and all_:
        raise UsageError("--auth-token-stdin checks one connector, not --all",
                         "give the connector's NAME, or store the tokens: hubsms connector edit NAME --auth-token-stdin")


def _raise_failure(failure: Exception | None) -> None:
    if failure is not None:
        raise failure


def _show_report(report: "ConnectorReport", as_json: bool, raised_hint: str | None) -> None:
    """The rows on stdout; the hints of the rows the error will not say, on stderr."""
    from hubsms.cli.render import Column, print_table

    if as_json:
        print_json(report.as_json())
        return
    columns = [Column("Check", no_wrap=True), Column("Status", no_wrap=True), Column("Code", no_wrap=True),
               Column("Detail", overflow="fold")]
    print_table(columns, [[c.name.replace("_", " "), c.status, c.code, c.detail] for c in report.checks])
    for check in report.checks:
        if check.status in ("warning", "failed") and check.hint and check.hint != raised_hint:
            note(f"hint ({check.name.replace('_', ' ')}): {check.hint}")
    if report.test_credentials:
        note("These are Twilio test credentials: they are valid, but they can only send "
             "(Twilio answers 20008 to anything else). Try: hubsms otp send --to +15005550006")
    elif report.ok:
        note(f'"{report.connector.name}": {report.summary()}, nothing sent.')


def _show_sweep(sweep: "SweepReport", as_json: bool) -> None:
    from hubsms.cli.render import Column, print_table

    if as_json:
        print_json(sweep.as_json())
        return
    if not sweep.reports:
        note("No connectors to check. Add one: hubsms connector add NAME --account-sid AC... --from +1... --auth-token-stdin")
        return
    columns = [Column("Name", min_width=6), Column("Active", no_wrap=True), Column("Used by"),
               Column("Account"), Column("Sender", no_wrap=True), Column("Result", min_width=8),
               Column("Time", no_wrap=True, justify="right")]
    print_table(columns, [_sweep_row(row) for row in sweep.rows()])
    note(f"{len(sweep.reports)} connectors checked in {sweep.seconds:.2f} s, nothing sent.")


def _sweep_row(row: dict[str, Any]) -> list[Any]:
    """Used by and Sender as ``connector list`` shows them."""
    from hubsms.cli.render import shown, uses
    from hubsms.model import mask_sid

    account = row["friendly_name"] or mask_sid(row["account_sid"])
    return [row["connector"], row["active"], uses(row), account, shown(row, "from"), row["result"], f"{row['seconds']:.2f}s"]
