"""hubsms connector: add, list, show, edit, activate, deactivate, remove."""


import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from hubsms.cli import params
from hubsms.cli.common import (
    active_choice,
    examples,
    note,
    one_of,
    option_name,
    report,
    resolve_config_path,
    stdin_token,
    warn_plaintext_keyring,
)
from hubsms.cli.options import (
    ConfigOption,
    JsonOption,
    NoInputOption,
    command_group,
    typer_params,
)
from hubsms.errors import UsageError

if TYPE_CHECKING:
    from hubsms.service.connectors import ConnectorInput
    from hubsms.service.transaction import Outcome

app = command_group("Add, list, show, edit, (de)activate and remove SMS-gateway connectors.")

NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The connector's name (unique, case-insensitive).", show_default=False)]
NewNameArg = Annotated[
    Optional[str],
    typer.Argument(metavar="NAME", help="The connector's name (unique, case-insensitive); asked at a terminal when left out.", show_default=False),
]
SidOption = Annotated[Optional[str], typer.Option("--account-sid", help="Twilio Account SID: AC + 32 hex digits.", show_default=False)]
FromOption = Annotated[
    Optional[str],
    typer.Option("--from", help="Sender: E.164 number (00 read as +), short code, alphanumeric ID or Messaging Service SID (MG…).", show_default=False),
]
LogoOption = Annotated[Optional[Path], typer.Option("--logo", help="Logo image: jpeg, jpg, gif or png, at most 1 MiB.", show_default=False)]
ServerOption = Annotated[
    Optional[str],
    typer.Option("--server-address", help="Twilio API base URL (default https://api.twilio.com/2010-04-01/Accounts; changing it is not recommended).", show_default=False),
]
ActiveOption = Annotated[bool, typer.Option("--active", help="The connector can be chosen and send (the default for a new one).")]
InactiveOption = Annotated[bool, typer.Option("--inactive", help="The connector cannot be chosen nor send.")]
_ACTIVE_HINT = "--active: it can be chosen and send; --inactive: it cannot"  # both given
TokenStdinOption = Annotated[bool, typer.Option("--auth-token-stdin", help="Read the auth token from stdin and store it in the keyring.")]
TokenEnvOption = Annotated[
    Optional[str],
    typer.Option("--auth-token-env", metavar="VAR", help="Read the auth token from this environment variable when needed (stored as a reference, not the token).", show_default=False),
]
ForceOption = Annotated[
    bool,
    typer.Option("--force", help="Also clear Global Settings' default and remove the service plans that use it (asked first at a terminal, unless --yes)."),
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


@app.command("add", epilog=examples(
    'hubsms connector add "My Twilio" --account-sid AC0123456789abcdef0123456789abcdef --from +12345678987 --auth-token-stdin < token.txt',
    'hubsms connector add "My Twilio" --account-sid AC… --from +12345678987 --auth-token-env TWILIO_AUTH_TOKEN --exist-ok',
))
def add(
    ctx: typer.Context,
    name: NewNameArg = None,
    account_sid: SidOption = None,
    from_: FromOption = None,
    logo: LogoOption = None,
    server_address: ServerOption = None,
    active: ActiveOption = False,
    inactive: InactiveOption = False,
    auth_token_stdin: TokenStdinOption = False,
    auth_token_env: TokenEnvOption = None,
    replace_token: Annotated[bool, typer.Option("--replace-token", help="Replace a different token already stored for the account (every connector of the account uses the new one).")] = False,
    exist_ok: Annotated[bool, typer.Option("--exist-ok", help="For set-up scripts: a connector of that name with the same fields is not an error (exit 0, unchanged); with other fields it is, naming them. Never prompts.")] = False,
    no_input: NoInputOption = False,
    config: ConfigOption = None,
) -> None:
    """Add a Twilio connector. At a terminal, a two-step dialog (Basic Information, then
    Details) asks for every value not given as a flag."""
    from hubsms.cli import dialog
    from hubsms.service import connectors

    _check_one_token_source(auth_token_stdin, auth_token_env)
    values = connectors.ConnectorInput(
        name=name, logo=logo, server_address=server_address, account_sid=account_sid,
        from_=from_, active=active_choice(active, inactive, _ACTIVE_HINT), auth_token_env=auth_token_env,
    )
    path = resolve_config_path(config, ctx)
    interactive = dialog.is_interactive(no_input or exist_ok)
    if interactive:
        outcome = dialog.run_add(path, values, _dialog_token(auth_token_stdin))
    else:
        outcome = _add_from_flags(path, values, auth_token_stdin, replace_token, exist_ok)
    c = outcome.connector
    _report_change(outcome, f'Added connector "{c.name}" ({c.provider_info.label}, {c.purpose}, {"active" if c.active else "inactive"}).')
    if auth_token_stdin or interactive or (auth_token_env is None and connectors.env_token() is not None):
        warn_plaintext_keyring()


def _report_change(outcome: "Outcome", done: str) -> None:
    """The outcome's warnings and notes, then ``done`` unless nothing changed (its note says so)."""
    from hubsms.service.connectors import Unchanged

    report(outcome.warnings, outcome.notes)
    if not isinstance(outcome, Unchanged):
        note(done)


def _check_one_token_source(auth_token_stdin: bool, auth_token_env: Optional[str]) -> None:
    # An empty --auth-token-env (edit: drop the reference) goes well with a new token on stdin.
    one_of(
        "--auth-token-stdin stores the token in the keyring; --auth-token-env VAR reads it from VAR when needed",
        auth_token_stdin=auth_token_stdin, auth_token_env=auth_token_env,
    )


def _add_from_flags(path: Path, values: "ConnectorInput", auth_token_stdin: bool, replace_token: bool, exist_ok: bool) -> "Outcome":
    from hubsms.credentials import Keyring
    from hubsms.service import connectors

    _require_values(NAME=values.name, account_sid=values.account_sid, from_=values.from_)
    token = stdin_token(auth_token_stdin)
    if token is None and values.auth_token_env is None:
        token = connectors.env_token()
    return connectors.add_connector(path, values, Keyring(), token=token, replace_token=replace_token, exist_ok=exist_ok)


def _dialog_token(auth_token_stdin: bool) -> Optional[str]:
    # On a terminal "stdin" is the person: the dialog's hidden prompt reads the token, never echoed.
    return None if sys.stdin.isatty() else stdin_token(auth_token_stdin)


def _require_values(**values: Optional[str]) -> None:
    for key, value in values.items():
        if value is None:
            flag = option_name(key)
            raise UsageError(f"missing {flag}", f"give {flag}, e.g. {_EXAMPLES[flag]}")


_EXAMPLES = {
    "NAME": 'hubsms connector add "My Twilio" --account-sid AC… --from +12345678987 (or run it at a terminal to be asked)',
    "--account-sid": "--account-sid AC0123456789abcdef0123456789abcdef",
    "--from": "--from +12345678987",
}


@app.command("list", epilog=examples("hubsms connector list", "hubsms connector list --inactive --json"))
@typer_params(params.LIST)
def list_(ctx: typer.Context, config: ConfigOption = None, **options: Any) -> None:
    """List connectors: name, active, from, used by (the default SMS connector, plans) and
    where the token comes from (env:VAR, keyring, missing; never the token). Without --wide
    the keyring is not asked: a token it would give shows as keyring?."""
    from hubsms.cli.listing import run_list

    run_list(resolve_config_path(config, ctx), **options)


@app.command("show", epilog=examples('hubsms connector show "My Twilio"', 'hubsms connector show "My Twilio" --json'))
def show(ctx: typer.Context, name: NameArg, json_: JsonOption = False, config: ConfigOption = None) -> None:
    """Show every field of a connector, its purpose and where its token comes from."""
    from hubsms.cli.render import print_record
    from hubsms.credentials import Keyring
    from hubsms.service import views

    record, warnings = views.show_connector(resolve_config_path(config, ctx), name, Keyring())
    report(warnings)
    print_record(record, json_)


@app.command("edit", epilog=examples(
    'hubsms connector edit "My Twilio" --from +12345678987 --logo logo.png',
    'hubsms connector edit "My Twilio" --auth-token-stdin < new-token.txt',
))
def edit(
    ctx: typer.Context,
    name: NameArg,
    new_name: Annotated[Optional[str], typer.Option("--name", help="A new name; the default and plans follow it.", show_default=False)] = None,
    account_sid: SidOption = None,
    from_: FromOption = None,
    logo: LogoOption = None,
    no_logo: Annotated[bool, typer.Option("--no-logo", help="Remove the connector's logo.")] = False,
    server_address: ServerOption = None,
    active: ActiveOption = False,
    inactive: InactiveOption = False,
    auth_token_stdin: TokenStdinOption = False,
    auth_token_env: TokenEnvOption = None,
    force: ForceOption = False,
    yes: YesOption = False,
    no_input: NoInputOption = False,
    config: ConfigOption = None,
) -> None:
    """Change a connector's fields; only the given ones change (none that differ: nothing is
    written). At a terminal and without change flags, the two-step dialog asks for every
    field, prefilled with its value."""
    from hubsms.cli import dialog
    from hubsms.credentials import Keyring
    from hubsms.service import connectors

    _check_one_token_source(auth_token_stdin, auth_token_env)
    values = connectors.ConnectorInput(
        name=new_name, logo=logo, server_address=server_address, account_sid=account_sid,
        from_=from_, active=active_choice(active, inactive, _ACTIVE_HINT), auth_token_env=auth_token_env,
    )
    one_of("--logo FILE sets a new logo; --no-logo removes the current one", logo=logo is not None, no_logo=no_logo)
    path = resolve_config_path(config, ctx)
    if not values.given() and not (auth_token_stdin or no_logo) and dialog.is_interactive(no_input):
        outcome = dialog.run_edit(path, name, force)
    else:
        if inactive and force and not yes:
            _confirm_forced(path, name, no_input)
        token = stdin_token(auth_token_stdin)
        outcome = connectors.edit_connector(path, name, values, Keyring(), token=token, force=force, clear_logo=no_logo)
    _report_change(outcome, f'Saved connector "{outcome.connector.name}".')
    if auth_token_stdin:
        warn_plaintext_keyring()


@app.command("activate", epilog=examples('hubsms connector activate "My Twilio"'))
def activate(ctx: typer.Context, name: NameArg, config: ConfigOption = None) -> None:
    """Make a connector active: it can be chosen in Global Settings and plans, and send."""
    _set_active(resolve_config_path(config, ctx), name, True, False)


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
    path = resolve_config_path(config, ctx)
    if force and not yes:
        _confirm_forced(path, name, no_input)
    _set_active(path, name, False, force)


def _set_active(path: Path, name: str, active: bool, force: bool) -> None:
    from hubsms.service import connectors

    outcome = connectors.set_active(path, name, active, force=force)
    _report_change(outcome, f'"{outcome.connector.name}" is {"active" if active else "inactive"}.')


def _confirm_forced(path: Path, name: str, no_input: bool) -> None:
    """At a terminal, ask before ``deactivate --force`` (or ``edit --inactive --force``) takes
    the connector from the default and the plans that use it; a script (no terminal, or
    --no-input) gets what it asked for."""
    from hubsms.cli.dialog import is_interactive
    from hubsms.service import connectors

    if not is_interactive(no_input):
        return
    connector, uses = connectors.uses_taken(path, name, "deactivate")
    if uses:
        _confirm(f'Deactivate connector "{connector.name}"{_forced_text(uses)}?', "cancelled, nothing changed")


def _forced_text(uses: list[str]) -> str:
    return f', clearing or removing what uses it: {", ".join(uses)}' if uses else ""


def _confirm(question: str, cancelled: str) -> None:
    from hubsms.errors import Cancelled

    if not typer.confirm(question, default=False, err=True):
        raise Cancelled(cancelled)


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
    from hubsms.credentials import Keyring
    from hubsms.service import connectors

    path = resolve_config_path(config, ctx)
    if not yes:  # an unknown name, or one in use, is said before anything is asked
        connector, uses = connectors.uses_taken(path, name, "remove", refuse=not force)
        _confirm_removal(connector.name, uses, no_input)
    outcome = connectors.remove_connector(path, name, Keyring(), force=force)
    report(outcome.warnings, outcome.notes)
    note(f'Removed connector "{outcome.connector.name}".')


def _confirm_removal(name: str, uses: list[str], no_input: bool) -> None:
    from hubsms.cli.dialog import is_interactive
    from hubsms.errors import MissingValue

    if not is_interactive(no_input):
        raise MissingValue(f'removing "{name}" needs confirmation', "give --yes to remove without a prompt")
    _confirm(f'Remove connector "{name}"{_forced_text(uses)}?', "cancelled, nothing removed")
