"""``connector add``, ``edit`` and ``remove``, shared by the Typer commands
(``hubsms.cli.connector``) and the fast path (``hubsms.cli.fast``, which runs them only when
nothing will be asked): Typer is imported only to ask at a terminal.

Each takes the options of its definition in ``hubsms.cli.params`` (``ADD``, ``EDIT``,
``REMOVE``) and the connector's NAME."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from hubsms.cli.common import (
    active_choice,
    is_interactive,
    note,
    one_of,
    option_name,
    report,
    stdin_token,
    warn_plaintext_keyring,
)
from hubsms.errors import Cancelled, MissingValue, UsageError

if TYPE_CHECKING:
    from hubsms.service.connectors import ConnectorInput
    from hubsms.service.transaction import Outcome

ACTIVE_HINT = "--active: it can be chosen and send; --inactive: it cannot"  # both given


def run_add(
    config: Path, *, name: str | None = None, account_sid: str | None = None, from_: str | None = None,
    logo: Path | None = None, server_address: str | None = None, active: bool = False, inactive: bool = False,
    auth_token_stdin: bool = False, auth_token_env: str | None = None, replace_token: bool = False,
    exist_ok: bool = False, no_input: bool = False,
) -> None:
    """Add a connector: from the flags, or at a terminal through the dialog, which asks for
    every value not given."""
    from hubsms.service import connectors

    _check_one_token_source(auth_token_stdin, auth_token_env)
    values = connectors.ConnectorInput(
        name=name, logo=logo, server_address=server_address, account_sid=account_sid,
        from_=from_, active=active_choice(active, inactive, ACTIVE_HINT), auth_token_env=auth_token_env,
    )
    interactive = is_interactive(no_input or exist_ok)
    if interactive:
        from hubsms.cli import dialog

        outcome = dialog.run_add(config, values, _dialog_token(auth_token_stdin))
    else:
        outcome = _add_from_flags(config, values, auth_token_stdin, replace_token, exist_ok)
    c = outcome.connector
    report_change(outcome, f'Added connector "{c.name}" ({c.provider_info.label}, {c.purpose}, {"active" if c.active else "inactive"}).')
    if auth_token_stdin or interactive or (auth_token_env is None and connectors.env_token() is not None):
        warn_plaintext_keyring()


def run_edit(
    config: Path, *, name: str, new_name: str | None = None, account_sid: str | None = None,
    from_: str | None = None, logo: Path | None = None, no_logo: bool = False, server_address: str | None = None,
    active: bool = False, inactive: bool = False, auth_token_stdin: bool = False, auth_token_env: str | None = None,
    force: bool = False, yes: bool = False, no_input: bool = False,
) -> None:
    """Change the given fields of connector ``name``; at a terminal and without change flags,
    the dialog asks for every field, prefilled with its value."""
    from hubsms.credentials import Keyring
    from hubsms.service import connectors

    _check_one_token_source(auth_token_stdin, auth_token_env)
    values = connectors.ConnectorInput(
        name=new_name, logo=logo, server_address=server_address, account_sid=account_sid,
        from_=from_, active=active_choice(active, inactive, ACTIVE_HINT), auth_token_env=auth_token_env,
    )
    one_of("--logo FILE sets a new logo; --no-logo removes the current one", logo=logo is not None, no_logo=no_logo)
    if not values.given() and not (auth_token_stdin or no_logo) and is_interactive(no_input):
        from hubsms.cli import dialog

        outcome = dialog.run_edit(config, name, force)
    else:
        if inactive and force and not yes:
            confirm_forced(config, name, no_input)
        token = stdin_token(auth_token_stdin)
        outcome = connectors.edit_connector(config, name, values, Keyring(), token=token, force=force, clear_logo=no_logo)
    report_change(outcome, f'Saved connector "{outcome.connector.name}".')
    if auth_token_stdin:
        warn_plaintext_keyring()


def run_remove(config: Path, *, name: str, yes: bool = False, force: bool = False, no_input: bool = False) -> None:
    """Remove connector ``name``, and its account's token when no other connector uses it;
    asked first at a terminal, unless ``yes``."""
    from hubsms.credentials import Keyring
    from hubsms.service import connectors

    if not yes:  # an unknown name, or one in use, is said before anything is asked
        connector, uses = connectors.uses_taken(config, name, "remove", refuse=not force)
        _confirm_removal(connector.name, uses, no_input)
    outcome = connectors.remove_connector(config, name, Keyring(), force=force)
    report(outcome.warnings, outcome.notes)
    note(f'Removed connector "{outcome.connector.name}".')


def report_change(outcome: Outcome, done: str) -> None:
    """The outcome's warnings and notes, then ``done`` unless nothing changed (its note says so)."""
    from hubsms.service.connectors import Unchanged

    report(outcome.warnings, outcome.notes)
    if not isinstance(outcome, Unchanged):
        note(done)


def _check_one_token_source(auth_token_stdin: bool, auth_token_env: str | None) -> None:
    # An empty --auth-token-env (edit: drop the reference) goes well with a new token on stdin.
    one_of(
        "--auth-token-stdin stores the token in the keyring; --auth-token-env VAR reads it from VAR when needed",
        auth_token_stdin=auth_token_stdin, auth_token_env=auth_token_env,
    )


def _add_from_flags(path: Path, values: ConnectorInput, auth_token_stdin: bool, replace_token: bool, exist_ok: bool) -> Outcome:
    from hubsms.credentials import Keyring
    from hubsms.service import connectors

    _require_values(NAME=values.name, account_sid=values.account_sid, from_=values.from_)
    token = stdin_token(auth_token_stdin)
    if token is None and values.auth_token_env is None:
        token = connectors.env_token()
    return connectors.add_connector(path, values, Keyring(), token=token, replace_token=replace_token, exist_ok=exist_ok)


def _dialog_token(auth_token_stdin: bool) -> str | None:
    # On a terminal "stdin" is the person: the dialog's hidden prompt reads the token, never echoed.
    return None if sys.stdin.isatty() else stdin_token(auth_token_stdin)


def _require_values(**values: str | None) -> None:
    for key, value in values.items():
        if value is None:
            flag = option_name(key)
            raise UsageError(f"missing {flag}", f"give {flag}, e.g. {_EXAMPLES[flag]}")


_EXAMPLES = {
    "NAME": 'hubsms connector add "My Twilio" --account-sid AC… --from +12345678987 (or run it at a terminal to be asked)',
    "--account-sid": "--account-sid AC0123456789abcdef0123456789abcdef",
    "--from": "--from +12345678987",
}


def confirm_forced(path: Path, name: str, no_input: bool) -> None:
    """At a terminal, ask before ``deactivate --force`` (or ``edit --inactive --force``) takes
    the connector from the default and the plans that use it; a script (no terminal, or
    --no-input) gets what it asked for."""
    from hubsms.service import connectors

    if not is_interactive(no_input):
        return
    connector, uses = connectors.uses_taken(path, name, "deactivate")
    if uses:
        _confirm(f'Deactivate connector "{connector.name}"{_forced_text(uses)}?', "cancelled, nothing changed")


def _forced_text(uses: list[str]) -> str:
    return f', clearing or removing what uses it: {", ".join(uses)}' if uses else ""


def _confirm(question: str, cancelled: str) -> None:
    import typer

    if not typer.confirm(question, default=False, err=True):
        raise Cancelled(cancelled)


def _confirm_removal(name: str, uses: list[str], no_input: bool) -> None:
    if not is_interactive(no_input):
        raise MissingValue(f'removing "{name}" needs confirmation', "give --yes to remove without a prompt")
    _confirm(f'Remove connector "{name}"{_forced_text(uses)}?', "cancelled, nothing removed")
