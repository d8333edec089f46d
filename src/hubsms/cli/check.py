"""hubsms connector test: what Twilio will check, checked without sending (registered on the
connector group by ``hubsms.cli.app``)."""


from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from hubsms.cli import params
from hubsms.cli.common import note, one_of, print_json, resolve_config_path, twilio_access
from hubsms.cli.options import ConfigOption, typer_params
from hubsms.errors import UsageError

if TYPE_CHECKING:
    from hubsms.service.checks import ConnectorReport, SweepReport


@typer_params(params.TWILIO)
def test_connector(
    ctx: typer.Context,
    name: Annotated[Optional[str], typer.Argument(metavar="NAME", help="The connector to check (or --all).", show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="Check every connector at once: a health sweep.")] = False,
    active: Annotated[bool, typer.Option("--active", help="With --all: only the active connectors.")] = False,
    to: Annotated[Optional[str], typer.Option("--to", help="Also check sending to this number (E.164).", show_default=False)] = None,
    config: ConfigOption = None,
    **access: Any,
) -> None:
    """Check what Twilio will check, without sending: the credentials, the account's status
    and type, the sender (and with --to the recipient). Exit 0 ok or warnings, 4 credentials
    refused, 5 a check failed, 6 network; with --all the worst of the connectors
    (6 > 4 > 5 > 0)."""
    from hubsms.credentials import Keyring
    from hubsms.service import checks

    _check_choice(name, all_, active, access["auth_token_stdin"])
    path, json_ = resolve_config_path(config, ctx), access["json"]
    token, limits = twilio_access(access)
    if all_:
        sweep = checks.check_all(path, Keyring(), active_only=active, to=to, limits=limits)
        _show_sweep(sweep, json_)
        _raise_failure(checks.failure(sweep))
        return
    report = checks.check_connector(path, str(name), Keyring(), to=to, stdin_token=token, limits=limits)
    failure = checks.failure(report)
    _show_report(report, json_, failure.hint if failure else None)
    _raise_failure(failure)


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
