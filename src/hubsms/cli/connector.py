"""hubsms connector: add, list, show, edit, activate, deactivate, remove."""


from pathlib import Path
from typing import Annotated, Optional

import typer

from hubsms.cli import params
from hubsms.cli.common import examples, read_config_path, report, resolve_config_path
from hubsms.cli.editing import confirm_forced, report_change, run_add, run_edit, run_remove
from hubsms.cli.options import (
    ConfigOption,
    ForceOption,
    JsonOption,
    NoInputOption,
    YesOption,
    command_group,
    options_of,
)

app = command_group("Add, list, show, edit, (de)activate and remove SMS-gateway connectors.")

NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The connector's name (unique, case-insensitive).", show_default=False)]
NewNameArg = Annotated[
    Optional[str],
    typer.Argument(metavar="NAME", help="The connector's name (unique, case-insensitive); asked at a terminal when left out.", show_default=False),
]
# The fast path parses the same definitions (hubsms.cli.params)
_ADD = options_of(params.ADD)
_EDIT = options_of(params.EDIT)


@app.command("add", epilog=examples(
    'hubsms connector add "My Twilio" --account-sid AC0123456789abcdef0123456789abcdef --from +12345678987 --auth-token-stdin < token.txt',
    'hubsms connector add "My Twilio" --account-sid AC… --from +12345678987 --auth-token-env TWILIO_AUTH_TOKEN --exist-ok',
))
def add(
    ctx: typer.Context,
    name: NewNameArg = None,
    account_sid: Annotated[Optional[str], _ADD["--account-sid"]] = None,
    from_: Annotated[Optional[str], _ADD["--from"]] = None,
    logo: Annotated[Optional[Path], _ADD["--logo"]] = None,
    server_address: Annotated[Optional[str], _ADD["--server-address"]] = None,
    active: Annotated[bool, _ADD["--active"]] = False,
    inactive: Annotated[bool, _ADD["--inactive"]] = False,
    auth_token_stdin: Annotated[bool, _ADD["--auth-token-stdin"]] = False,
    auth_token_env: Annotated[Optional[str], _ADD["--auth-token-env"]] = None,
    replace_token: Annotated[bool, _ADD["--replace-token"]] = False,
    exist_ok: Annotated[bool, _ADD["--exist-ok"]] = False,
    no_input: Annotated[bool, _ADD["--no-input"]] = False,
    config: ConfigOption = None,
) -> None:
    """Add a Twilio connector. At a terminal, a two-step dialog (Basic Information, then
    Details) asks for every value not given as a flag."""
    run_add(
        resolve_config_path(config, ctx), name=name, account_sid=account_sid, from_=from_, logo=logo,
        server_address=server_address, active=active, inactive=inactive, auth_token_stdin=auth_token_stdin,
        auth_token_env=auth_token_env, replace_token=replace_token, exist_ok=exist_ok, no_input=no_input,
    )


_LIST = options_of(params.LIST)  # the fast path parses the same definitions


@app.command("list", epilog=examples("hubsms connector list", "hubsms connector list --inactive --json"))
def list_(
    ctx: typer.Context,
    active: Annotated[bool, _LIST["--active"]] = False,
    inactive: Annotated[bool, _LIST["--inactive"]] = False,
    wide: Annotated[bool, _LIST["--wide"]] = False,
    json_: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """List connectors: name, active, from, used by (the default SMS connector, plans) and
    where the token comes from (env:VAR, keyring, missing; never the token). Without --wide
    the keyring is not asked: a token it would give shows as keyring?."""
    from hubsms.cli.listing import run_list

    run_list(resolve_config_path(config, ctx), active=active, inactive=inactive, wide=wide, json=json_)


@app.command("show", epilog=examples('hubsms connector show "My Twilio"', 'hubsms connector show "My Twilio" --json'))
def show(ctx: typer.Context, name: NameArg, json_: JsonOption = False, config: ConfigOption = None) -> None:
    """Show every field of a connector, its purpose and where its token comes from."""
    from hubsms.cli.render import print_record
    from hubsms.credentials import Keyring
    from hubsms.service import views

    record, warnings = views.show_connector(read_config_path(config, ctx), name, Keyring())
    report(warnings)
    print_record(record, json_)


@app.command("edit", epilog=examples(
    'hubsms connector edit "My Twilio" --from +12345678987 --logo logo.png',
    'hubsms connector edit "My Twilio" --auth-token-stdin < new-token.txt',
))
def edit(
    ctx: typer.Context,
    name: NameArg,
    new_name: Annotated[Optional[str], _EDIT["--name"]] = None,
    account_sid: Annotated[Optional[str], _EDIT["--account-sid"]] = None,
    from_: Annotated[Optional[str], _EDIT["--from"]] = None,
    logo: Annotated[Optional[Path], _EDIT["--logo"]] = None,
    no_logo: Annotated[bool, _EDIT["--no-logo"]] = False,
    server_address: Annotated[Optional[str], _EDIT["--server-address"]] = None,
    active: Annotated[bool, _EDIT["--active"]] = False,
    inactive: Annotated[bool, _EDIT["--inactive"]] = False,
    auth_token_stdin: Annotated[bool, _EDIT["--auth-token-stdin"]] = False,
    auth_token_env: Annotated[Optional[str], _EDIT["--auth-token-env"]] = None,
    force: ForceOption = False,
    yes: YesOption = False,
    no_input: NoInputOption = False,
    config: ConfigOption = None,
) -> None:
    """Change a connector's fields; only the given ones change (none that differ: nothing is
    written). At a terminal and without change flags, the two-step dialog asks for every
    field, prefilled with its value."""
    run_edit(
        read_config_path(config, ctx), name=name, new_name=new_name, account_sid=account_sid, from_=from_,
        logo=logo, no_logo=no_logo, server_address=server_address, active=active, inactive=inactive,
        auth_token_stdin=auth_token_stdin, auth_token_env=auth_token_env, force=force, yes=yes, no_input=no_input,
    )


@app.command("activate", epilog=examples('hubsms connector activate "My Twilio"'))
def activate(ctx: typer.Context, name: NameArg, config: ConfigOption = None) -> None:
    """Make a connector active: it can be chosen in Global Settings and plans, and send."""
    _set_active(read_config_path(config, ctx), name, True, False)


@app.command("deactivate", epilog=examples('hubsms connector deactivate "My Twilio"', 'hubsms connector deactivate "My Twilio" --force --yes'))
def deactivate(
    ctx: typer.Context,
    name: NameArg,
    force: ForceOption = False,
    yes: YesOption = False,
    no_input: NoInputOption = False,
    config: ConfigOption = None,
) -> None:
    """Make a connector inactive (refused while the default or a plan uses it, unless --force;
    at a terminal --force asks first, unless --yes)."""
    path = read_config_path(config, ctx)
    if force and not yes:
        confirm_forced(path, name, no_input)
    _set_active(path, name, False, force)


def _set_active(path: Path, name: str, active: bool, force: bool) -> None:
    from hubsms.service import connectors

    outcome = connectors.set_active(path, name, active, force=force)
    report_change(outcome, f'"{outcome.connector.name}" is {"active" if active else "inactive"}.')


@app.command("remove", epilog=examples('hubsms connector remove "My Twilio"', 'hubsms connector remove "My Twilio" --yes'))
def remove(
    ctx: typer.Context,
    name: NameArg,
    yes: YesOption = False,
    force: ForceOption = False,
    no_input: NoInputOption = False,
    config: ConfigOption = None,
) -> None:
    """Remove a connector, and its account's token when no other connector uses it."""
    run_remove(read_config_path(config, ctx), name=name, yes=yes, force=force, no_input=no_input)
