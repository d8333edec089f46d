"""Connectors: add, edit, (de)activate and remove. Every change runs inside the config
file's lock, from load through save, as one :class:`~hubsms.service.transaction.Transaction`;
a connector is saved only if its token was stored."""

from __future__ import annotations

import os
from collections import namedtuple
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from hubsms import fields, model, store
from hubsms.errors import InvalidValue, MissingValue, TokenMissing
from hubsms.logos import OTHER, Logo, logo_file, logo_home, read_logo
from hubsms.model import Config, Connector
from hubsms.service.lookup import check_unique, release_uses, require_connector
from hubsms.service.transaction import (
    Outcome,
    Transaction,
    delete_unused_logo,
    delete_unused_tokens,
    locked,
    place_logo,
    read_bytes,
    save,
)

if TYPE_CHECKING:  # the keyring is imported only by the commands that use it
    from hubsms.credentials import Keyring


_NAMES: Final = ("name", *(f.attr for f in fields.CONNECTOR))


class ConnectorInput(namedtuple("_Values", _NAMES, defaults=(None,) * len(_NAMES))):  # type: ignore[misc]
    """Values for a connector as given (flags, prompts, a file): the name and each field of
    ``fields.CONNECTOR`` (the logo a Path of the image); None means 'not given'."""

    __slots__ = ()

    @classmethod
    def of(cls, connector: Connector, **changes: Any) -> ConnectorInput:
        """Every field of ``connector``, but ``changes``."""
        return cls(**{**connector._asdict(), **changes})

    def given(self) -> dict[str, Any]:
        return {key: value for key, value in self._asdict().items() if value is not None}


class Unchanged(Outcome):
    """The change asked for was already so: nothing was written (the file keeps its bytes
    and its modification time); its notes say so."""

    __slots__ = ()


# The connector fields compared one by one: (attribute, key in the file, the flag that sets
# it). apply names the keys that differ, ``add --exist-ok`` the flags; that one matches the
# name ignoring case (no flag), the logo by its bytes and the token with the stored one.
COMPARED_FIELDS: Final = (
    ("name", "name", None),
    *((f.attr, f.key, f.flag or f.key) for f in fields.CONNECTOR if f.attr != "logo"),
)


def check_fields(values: ConnectorInput, base: Connector | None = None) -> tuple[Connector, list[str], Logo | None]:
    """Validate every given value (each with its own error, by its field's rule), on top of
    ``base`` for an edit. The provider is checked first: the server address's rule is its."""
    warnings: list[str] = []
    current: dict[str, Any] = {} if base is None else base._asdict()
    given = values.given()
    if "name" in given:
        current["name"] = _check_new_name(given["name"])
    if "provider" in given:
        current["provider"] = model.validate_provider(given["provider"])
    provider = model.PROVIDERS[current.get("provider", model.TWILIO.key)]
    for field in fields.CONNECTOR:
        if field.attr in given and field.attr not in ("provider", "logo"):
            current[field.attr], warning = field.check(given[field.attr], provider)
            warnings += [warning] if warning else []
    logo = read_logo(given["logo"]) if "logo" in given else None
    for name, flag in (("name", "NAME"), ("account_sid", "--account-sid"), ("from_", "--from")):
        if not current.get(name):
            raise MissingValue(f"missing {name.rstrip('_').replace('_', ' ')}", f"give {flag}")
    return Connector(**current), warnings, logo


def _respellings(values: ConnectorInput, connector: Connector) -> list[str]:
    """Notes for the SIDs given in another case than Twilio's, as they are stored."""
    notes = [
        model.respelled("Account SID", values.account_sid, connector.account_sid),
        model.respelled("From", values.from_, connector.from_),
    ]
    return [note for note in notes if note]


def _check_new_name(value: str) -> str:
    """A name being given now: the field's rule, and not an auth token typed in the wrong
    place (``add --auth-token-stdin TOKEN`` makes the token the NAME). Names already in a
    file are not held to this."""
    name = model.validate_name(value)
    if model.looks_like_token(name):
        raise InvalidValue("name", "that looks like an auth token, not a name", "the token goes on stdin with --auth-token-stdin")
    return name


def add_connector(
    path: Path,
    values: ConnectorInput,
    keyring: Keyring,
    *,
    token: str | None = None,
    replace_token: bool = False,
    exist_ok: bool = False,
) -> Outcome:
    """Create a connector. The token comes from ``token`` (stored in the keyring), from the
    variable named by ``auth_token_env``, or is the one already stored for the account. A
    different stored token is replaced only with ``replace_token``. With ``exist_ok`` a
    connector of that name with the same fields is :class:`Unchanged`; with other fields, an
    error naming them."""
    connector, warnings, logo = check_fields(values)
    token = model.validate_auth_token(token) if token is not None else None
    outcome = Outcome(warnings=warnings, notes=_respellings(values, connector))
    _warn_unset_env(connector, outcome)
    # a failure of the keyring is said as what this add does with it; a connector that reads
    # its token from a variable, given no token, never asks the keyring (nor imports it)
    keyring.purpose = "store" if token is not None or connector.auth_token_env is None else "read"
    if token is not None or connector.auth_token_env is None:
        keyring.preload()
    with locked(path) as config:
        existing = config.find(connector.name) if exist_ok else None
        if existing is not None:
            return _keep_existing(path, keyring, existing, connector, logo, token, outcome)
        check_unique(config, connector.name)
        change = Transaction(path, keyring)
        if token is not None:
            if replace_token:
                _note_replaced_token(config, keyring, connector.account_sid, token, outcome, connector.name)
            else:
                _refuse_other_token(config, keyring, connector.account_sid, token)
            change.set_token(connector.account_sid, token)
        elif connector.auth_token_env is None and keyring.get(connector.account_sid) is None:
            raise TokenMissing(
                f"no auth token for account {model.mask_sid(connector.account_sid)}",
                "give --auth-token-stdin (the token on stdin), set HUBSMS_AUTH_TOKEN, or give --auth-token-env VAR",
            )
        connector = place_logo(change, config, connector, logo)
        config.connectors[connector.name] = connector
        change.commit(config)
    outcome.connector = connector
    return outcome


def env_token(environ: Mapping[str, str] | None = None) -> str | None:
    """The token in ``HUBSMS_AUTH_TOKEN`` (second in the order of token sources, after
    ``--auth-token-stdin``), checked; None when it is unset or empty. ``add`` stores it in
    the keyring as it stores a token given on stdin."""
    from hubsms.credentials import TOKEN_ENV

    value = (os.environ if environ is None else environ).get(TOKEN_ENV)
    if not value:
        return None
    try:
        return model.validate_auth_token(value)
    except InvalidValue as exc:  # the message says what is wrong, never the value
        raise InvalidValue("auth_token", f"{TOKEN_ENV} does not hold a valid auth token: {exc.message}", exc.hint) from None


def _keep_existing(
    path: Path, keyring: Keyring, existing: Connector, wanted: Connector, logo: Logo | None, token: str | None, outcome: Outcome
) -> Unchanged:
    """``add --exist-ok`` of a connector that exists: unchanged when every field is the same."""
    differing = [flag for attr, _key, flag in COMPARED_FIELDS if flag and getattr(existing, attr) != getattr(wanted, attr)]
    if not _same_logo(path, existing, logo):
        differing.append("--logo")
    if token is not None and keyring.get(existing.account_sid) != token:
        differing.append("auth token")
    if differing:
        raise InvalidValue(
            "name",
            f'a connector named "{existing.name}" already exists with a different {", ".join(differing)}',
            f'change it with \'hubsms connector edit "{existing.name}"\', or describe it in a file for \'hubsms apply\'',
        )
    return Unchanged(existing, outcome.warnings, [f'connector "{existing.name}" already exists, unchanged'])


def _same_logo(path: Path, connector: Connector, logo: Logo | None) -> bool:
    """Whether ``logo`` (None: no logo) holds the bytes of the connector's logo file (beside
    the config's real file, ``logos.logo_file``)."""
    current = read_bytes(logo_file(path, connector.logo)) if connector.logo else None
    return (logo.data if logo is not None else None) == current


def _warn_unset_env(connector: Connector, outcome: Outcome) -> None:
    """Not an error: the variable is read when a message is sent, perhaps in another shell."""
    variable = connector.auth_token_env
    if variable and not os.environ.get(variable):
        outcome.warnings.append(f"{variable} is not set: hubsms will need it when it sends")


def _refuse_other_token(config: Config, keyring: Keyring, sid: str, token: str) -> None:
    """``add`` never replaces an account's token by the way: the keyring entry serves every
    connector of the account, in every config file. Rotating it is ``edit``'s job."""
    previous = keyring.get(sid)
    if previous is not None and previous != token:
        users = [c.name for c in config.connectors_of_account(sid)]
        raise InvalidValue(
            "auth_token",
            f"account {model.mask_sid(sid)} already has a different auth token in the keyring"
            + (f" (used by: {', '.join(users)})" if users else " (from another config file, or left over)"),
            "add without a token to use the stored one, or give --replace-token to replace it for every "
            "connector of the account",
        )


def _note_replaced_token(config: Config, keyring: Keyring, sid: str, token: str, outcome: Outcome, own: str) -> None:
    """Say that a new token replaced the account's, naming the other connectors it reaches."""
    previous = keyring.get(sid)
    if previous is not None and previous != token:
        users = [c.name for c in config.connectors_of_account(sid) if c.name != own]
        outcome.notes.append(
            f"replaced the stored auth token of account {model.mask_sid(sid)}"
            + (f"; it is also used by: {', '.join(users)}" if users else "")
        )


def edit_connector(
    path: Path,
    name: str,
    values: ConnectorInput,
    keyring: Keyring,
    *,
    token: str | None = None,
    force: bool = False,
    clear_logo: bool = False,
) -> Outcome:
    """Change a connector. A rename keeps the default and plans pointing at it; a changed
    Account SID moves the token (unless the new account has one); ``token`` replaces it;
    ``clear_logo`` drops the logo (its file goes when no connector uses it). Values it already
    has (the same logo bytes, the stored token) change nothing: then :class:`Unchanged`."""
    token = model.validate_auth_token(token) if token is not None else None
    if token is not None:
        keyring.purpose = "store"
    if token is not None or values.account_sid is not None or values.auth_token_env is not None:
        keyring.preload()  # the only edits that may ask the keyring
    with locked(path) as config:
        old = require_connector(config, name)
        new, warnings, logo = check_fields(values, base=old)
        if clear_logo:
            new = new.with_changes(logo=None)
        if logo is not None and _same_logo(path, old, logo) and logo_home(path, str(old.logo)) != OTHER:
            logo = None  # the same bytes: nothing to copy (but into its own folder from another config's)
        if token is not None and new.account_sid == old.account_sid and keyring.get(old.account_sid) == token:
            token = None
        if new == old and logo is None and token is None:
            return Unchanged(old, warnings, [f'nothing to change: "{old.name}" already has these values'])
        outcome = Outcome(warnings=warnings, notes=_respellings(values, new))
        if new.name != old.name:
            check_unique(config, new.name, ignore=old.name)
        if old.active and not new.active:
            release_uses(config, old.name, force, "deactivate", outcome)
        if new.auth_token_env != old.auth_token_env:
            _warn_unset_env(new, outcome)
        change = Transaction(path, keyring)
        _plan_token_change(config, keyring, old, new, token, change, outcome)
        new = place_logo(change, config, new, logo)
        replace_connector(config, old, new)
        change.commit(config)
        delete_unused_logo(path, config, old.logo)
        if new.account_sid != old.account_sid:
            delete_unused_tokens(path, config, keyring, {old.account_sid}, outcome, env_only=_env_only(old))
    outcome.connector = new
    return outcome


def _plan_token_change(
    config: Config, keyring: Keyring, old: Connector, new: Connector, token: str | None, change: Transaction, outcome: Outcome
) -> None:
    if token is not None:
        _note_replaced_token(config, keyring, new.account_sid, token, outcome, old.name)
        change.set_token(new.account_sid, token)
        return
    if new.auth_token_env:
        return
    if new.account_sid == old.account_sid:
        # Only dropping the variable reference can leave the connector without a token; other
        # edits do not touch the keyring (the token may well come from HUBSMS_AUTH_TOKEN).
        if old.auth_token_env and keyring.get(new.account_sid) is None:
            raise TokenMissing(
                f'"{new.name}" would have no auth token: none is stored for account {model.mask_sid(new.account_sid)}',
                "give it with --auth-token-stdin (the token on stdin), or keep --auth-token-env VAR",
            )
        return
    if keyring.get(new.account_sid) is not None:
        outcome.notes.append(f"using the auth token already stored for account {model.mask_sid(new.account_sid)}")
        return
    moved = keyring.get(old.account_sid)
    if moved is None:  # saved only with a token, as add is
        raise TokenMissing(
            f"no auth token for account {model.mask_sid(new.account_sid)}",
            "give it with --auth-token-stdin (the token on stdin), or --auth-token-env VAR",
        )
    change.set_token(new.account_sid, moved)
    outcome.notes.append(f"moved the auth token to account {model.mask_sid(new.account_sid)}")


def replace_connector(config: Config, old: Connector, new: Connector) -> None:
    """Put ``new`` where ``old`` was (same position), and repoint the references on a rename."""
    config.connectors.replace(old.name, new.name, new)
    if new.name == old.name:
        return
    if config.default_sms_connector == old.name:
        config.default_sms_connector = new.name
    for plan_name, plan in list(config.plans.items()):
        if plan.sms_connector == old.name:
            config.plans[plan_name] = model.Plan(plan.name, new.name)


def set_active(path: Path, name: str, active: bool, *, force: bool = False) -> Outcome:
    """Activate or deactivate. An inactive connector cannot be the default or used by a plan."""
    outcome = Outcome()
    with store.locked(path) as config:  # no token is read or changed
        connector = require_connector(config, name)
        if connector.active == active:
            return Unchanged(connector, notes=[f'"{connector.name}" is already {"active" if active else "inactive"}'])
        if not active:
            release_uses(config, connector.name, force, "deactivate", outcome)
        connector = connector.with_changes(active=active)
        config.connectors[connector.name] = connector
        save(path, config)
    outcome.connector = connector
    return outcome


def remove_connector(path: Path, name: str, keyring: Keyring | None, *, force: bool = False) -> Outcome:
    """Remove a connector, its logo, and its account's token when no other connector uses it."""
    outcome = Outcome()
    if keyring is not None:
        keyring.purpose = "delete"
        keyring.preload()
    with locked(path) as config:
        connector = require_connector(config, name)
        release_uses(config, connector.name, force, "remove", outcome)
        del config.connectors[connector.name]
        save(path, config)
        delete_unused_tokens(path, config, keyring, {connector.account_sid}, outcome, env_only=_env_only(connector))
        delete_unused_logo(path, config, connector.logo)
    outcome.connector = connector
    return outcome


def _env_only(connector: Connector) -> set[str]:
    """The connector's account when it read its token from a variable, never the keyring."""
    return {connector.account_sid} if connector.auth_token_env else set()


def uses_taken(path: Path, name: str, action: str, *, refuse: bool = False) -> tuple[Connector, list[str]]:
    """The connector ``name`` and what uses it (Global Settings, 'plan "X"'): what ``--force``
    would take away to ``action`` it ("remove" or "deactivate"; an inactive connector is not
    deactivated again). With ``refuse`` (no --force), a use is ConnectorInUse. Read without
    the lock, to ask before anything changes (the change checks again)."""
    config = store.load(path)
    connector = require_connector(config, name)
    if action == "deactivate" and not connector.active:
        return connector, []
    if refuse:
        release_uses(config, connector.name, False, action, Outcome())
    return connector, config.uses_of(connector.name)
