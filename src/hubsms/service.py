"""Use cases. Each takes its collaborators (config path, keyring, client) as arguments,
and neither prints nor knows of typer.

Every change runs inside the config file's lock, from load through save. A connector is
saved only if its token was stored; when saving fails, keyring changes are rolled back, so
the file and the keyring never disagree after a command.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from hubsms import model, store
from hubsms.errors import (
    ConnectorInactive,
    ConnectorInUse,
    ConnectorNotFound,
    HubsmsError,
    InvalidValue,
    MissingValue,
    TokenMissing,
)
from hubsms.model import Config, Connector

if TYPE_CHECKING:  # the keyring is imported only by the commands that use it
    from hubsms.credentials import Keyring

LOGO_FOLDER = "logos"


class ConnectorInput(NamedTuple):
    """Values for a connector as given (flags, prompts, a file); None means 'not given'."""

    name: str | None = None
    provider: str | None = None
    logo: Path | None = None
    server_address: str | None = None
    account_sid: str | None = None
    from_: str | None = None
    active: bool | None = None
    auth_token_env: str | None = None

    def given(self) -> dict[str, Any]:
        return {key: value for key, value in self._asdict().items() if value is not None}


class Outcome:
    """What a change did: the connector as saved, warnings and notes for the user."""

    def __init__(
        self, connector: Connector | None = None, warnings: list[str] | None = None, notes: list[str] | None = None
    ) -> None:
        self.connector = connector
        self.warnings: list[str] = [] if warnings is None else warnings
        self.notes: list[str] = [] if notes is None else notes


class Logo(NamedTuple):
    data: bytes
    extension: str


# --- checks ------------------------------------------------------------------------------


def check_fields(values: ConnectorInput, base: Connector | None = None) -> tuple[Connector, list[str], Logo | None]:
    """Validate every given value (each with its own error), on top of ``base`` for an edit."""
    warnings: list[str] = []
    current: dict[str, Any] = {} if base is None else base._asdict()
    given = values.given()
    if "name" in given:
        current["name"] = _check_new_name(given["name"])
    if "provider" in given:
        current["provider"] = model.validate_provider(given["provider"])
    provider = model.PROVIDERS[current.get("provider", model.TWILIO.key)]
    if "server_address" in given:
        current["server_address"], warning = model.validate_server_address(given["server_address"], provider)
        warnings += [warning] if warning else []
    if "account_sid" in given:
        current["account_sid"] = model.validate_account_sid(given["account_sid"])
    if "from_" in given:
        current["from_"], warning = model.validate_from(given["from_"])
        warnings += [warning] if warning else []
    if "active" in given:
        current["active"] = given["active"]
    if "auth_token_env" in given:
        env = given["auth_token_env"].strip()
        current["auth_token_env"] = model.validate_env_name(env) if env else None
    logo = read_logo(given["logo"]) if "logo" in given else None
    for name, flag in (("name", "NAME"), ("account_sid", "--account-sid"), ("from_", "--from")):
        if not current.get(name):
            raise MissingValue(f"missing {name.rstrip('_').replace('_', ' ')}", f"give {flag}")
    return Connector(**current), warnings, logo


def _check_new_name(value: str) -> str:
    """A name being given now: the field's rule, and not an auth token typed in the wrong
    place (``add --auth-token-stdin TOKEN`` makes the token the NAME). Names already in a
    file are not held to this."""
    name = model.validate_name(value)
    if model.looks_like_token(name):
        raise InvalidValue("name", "that looks like an auth token, not a name", "the token goes on stdin with --auth-token-stdin")
    return name


def read_logo(path: Path) -> Logo:
    try:
        with open(path, "rb") as handle:
            data = handle.read(model.LOGO_MAX_BYTES + 1)
    except OSError as exc:
        raise InvalidValue(
            "logo", f"cannot read logo {str(path)!r}: {exc.strerror or exc}", "give the path of a jpeg, jpg, gif or png file"
        ) from None
    return Logo(data, model.validate_logo(path.name, data))


def _require(config: Config, name: str) -> Connector:
    connector = config.find(name)
    if connector is None:
        known = ", ".join(f'"{n}"' for n in config.connectors) or "none yet"
        raise ConnectorNotFound(f'no connector named "{name.strip()}"', f"connectors: {known}")
    return connector


def _require_active(config: Config, name: str, purpose: str) -> Connector:
    """The connector called ``name``; an inactive one cannot ``purpose``."""
    connector = _require(config, name)
    if not connector.active:
        raise ConnectorInactive(
            f'"{connector.name}" is inactive and cannot {purpose}',
            f'activate it first: hubsms connector activate "{connector.name}"',
        )
    return connector


def _check_unique(config: Config, name: str, ignore: str | None = None) -> None:
    existing = config.find(name)
    if existing is not None and existing.name != ignore:
        raise InvalidValue(
            "name",
            f'a connector named "{existing.name}" already exists (names are unique, ignoring case)',
            "choose another name, or change that one with 'hubsms connector edit'",
        )


# --- the transaction -----------------------------------------------------------------------


class Change:
    """Keyring writes and logo copies to apply before the file is saved, all undone if
    anything fails: tokens get their previous value back, an overwritten logo its bytes."""

    def __init__(self, path: Path, keyring: Keyring | None) -> None:
        self.path = path
        self.keyring = keyring
        self.tokens: list[tuple[str, str]] = []
        self.logos: list[tuple[Path, bytes]] = []

    def set_token(self, account_sid: str, token: str) -> None:
        self.tokens.append((account_sid, token))

    def add_logo(self, target: Path, data: bytes) -> None:
        self.logos.append((target, data))

    def commit(self, config: Config) -> None:
        undo_tokens: list[tuple[str, str | None]] = []
        undo_logos: list[tuple[Path, bytes | None]] = []
        try:
            for sid, token in self.tokens:
                assert self.keyring is not None
                undo_tokens.append((sid, self.keyring.get(sid)))
                self.keyring.set(sid, token)
            for target, data in self.logos:
                undo_logos.append((target, read_bytes(target)))
                store.write_atomic(target, data, 0o644)
            store.save(self.path, config)
        except BaseException:
            self._undo(undo_tokens, undo_logos)
            raise

    def _undo(self, undo_tokens: list[tuple[str, str | None]], undo_logos: list[tuple[Path, bytes | None]]) -> None:
        for sid, previous in reversed(undo_tokens):
            with contextlib.suppress(HubsmsError):
                assert self.keyring is not None
                if previous is None:
                    self.keyring.delete(sid)
                else:
                    self.keyring.set(sid, previous)
        for target, data in reversed(undo_logos):
            with contextlib.suppress(OSError, HubsmsError):
                if data is None:
                    target.unlink()
                else:
                    store.write_atomic(target, data, 0o644)


def read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _delete_unused_logo(path: Path, config: Config, logo: str | None) -> None:
    """Delete a logo file no connector refers to any more (after a remove, or a new logo)."""
    if logo and all(c.logo != logo for c in config.connectors.values()):
        target = path.parent / logo
        # only a file hubsms copied itself: never one a hand-edited path points at elsewhere
        if target.resolve().parent != (path.parent / LOGO_FOLDER).resolve():
            return
        with contextlib.suppress(OSError):
            target.unlink()


def _place_logo(change: Change, config: Config, connector: Connector, logo: Logo | None) -> Connector:
    if logo is None:
        return connector
    taken = {c.logo for c in config.connectors.values() if c.name != connector.name}
    relative = free_logo_path(connector.name, logo.extension, taken)
    change.add_logo(change.path.parent / relative, logo.data)
    return connector.with_changes(logo=relative)


def free_logo_path(name: str, extension: str, taken: set[str | None]) -> str:
    """``logos/<name>.<ext>`` relative to the config file, numbered when another connector
    already has that file."""
    filename = model.logo_filename(name, extension)
    stem, ext = filename.rsplit(".", 1)
    counter = 2
    while f"{LOGO_FOLDER}/{filename}" in taken:
        filename = f"{stem}-{counter}.{ext}"
        counter += 1
    return f"{LOGO_FOLDER}/{filename}"


def delete_unused_tokens(config: Config, keyring: Keyring | None, sids: set[str], outcome: Outcome) -> None:
    """Delete the token of each account no connector of this file uses any more."""
    for sid in sorted(sids):
        if config.connectors_of_account(sid) or keyring is None:
            continue
        try:
            if keyring.get(sid) is None:  # nothing stored: nothing to say
                continue
            keyring.delete(sid)
            outcome.notes.append(f"deleted the stored auth token of account {model.mask_sid(sid)}")
        except HubsmsError as exc:
            outcome.warnings.append(f"the auth token of account {model.mask_sid(sid)} was left in the keyring: {exc.message}")


# --- use cases ---------------------------------------------------------------------------


def add_connector(
    path: Path, values: ConnectorInput, keyring: Keyring, *, token: str | None = None, replace_token: bool = False
) -> Outcome:
    """Create a connector. The token comes from ``token`` (stored in the keyring), from the
    variable named by ``auth_token_env``, or is the one already stored for the account. A
    different stored token is replaced only with ``replace_token``."""
    connector, warnings, logo = check_fields(values)
    token = model.validate_auth_token(token) if token is not None else None
    outcome = Outcome(warnings=warnings)
    _warn_unset_env(connector, outcome)
    keyring.preload()
    with store.locked(path) as config:
        _check_unique(config, connector.name)
        change = Change(path, keyring)
        if token is not None:
            if replace_token:
                _note_replaced_token(config, keyring, connector.account_sid, token, outcome, connector.name)
            else:
                _refuse_other_token(config, keyring, connector.account_sid, token)
            change.set_token(connector.account_sid, token)
        elif connector.auth_token_env is None and keyring.get(connector.account_sid) is None:
            raise TokenMissing(
                f"no auth token for account {model.mask_sid(connector.account_sid)}",
                "give --auth-token-stdin (the token on stdin) or --auth-token-env VAR",
            )
        connector = _place_logo(change, config, connector, logo)
        config.connectors[connector.name] = connector
        change.commit(config)
    outcome.connector = connector
    return outcome


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
    ``clear_logo`` drops the logo (its file goes when no connector uses it)."""
    token = model.validate_auth_token(token) if token is not None else None
    keyring.preload()
    with store.locked(path) as config:
        old = _require(config, name)
        new, warnings, logo = check_fields(values, base=old)
        if clear_logo:
            new = new.with_changes(logo=None)
        outcome = Outcome(warnings=warnings)
        if new.name != old.name:
            _check_unique(config, new.name, ignore=old.name)
        if old.active and not new.active:
            _release_uses(config, old.name, force, "deactivate", outcome)
        if new.auth_token_env != old.auth_token_env:
            _warn_unset_env(new, outcome)
        change = Change(path, keyring)
        _plan_token_change(config, keyring, old, new, token, change, outcome)
        new = _place_logo(change, config, new, logo)
        replace_connector(config, old, new)
        change.commit(config)
        _delete_unused_logo(path, config, old.logo)
        if new.account_sid != old.account_sid:
            delete_unused_tokens(config, keyring, {old.account_sid}, outcome)
    outcome.connector = new
    return outcome


def _plan_token_change(
    config: Config, keyring: Keyring, old: Connector, new: Connector, token: str | None, change: Change, outcome: Outcome
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
    config.connectors = {
        (new.name if key == old.name else key): (new if key == old.name else value)
        for key, value in config.connectors.items()
    }
    if new.name == old.name:
        return
    if config.default_sms_connector == old.name:
        config.default_sms_connector = new.name
    for plan_name, plan in list(config.plans.items()):
        if plan.sms_connector == old.name:
            config.plans[plan_name] = model.Plan(plan.name, new.name)


def _release_uses(config: Config, name: str, force: bool, action: str, outcome: Outcome) -> None:
    """Refuse to take a connector from the default and plans that use it, unless ``force``,
    which clears the default, removes those plans, and says so."""
    uses = config.uses_of(name)
    if not uses:
        return
    if not force:
        raise ConnectorInUse(
            f'cannot {action} "{name}": it is used by {", ".join(uses)}',
            "choose another connector there first, or give --force to clear the default and remove those plans",
        )
    done = []
    if config.default_sms_connector == name:
        config.default_sms_connector = None
        done.append(f"cleared Global Settings' default SMS connector (it was \"{name}\")")
    for plan_name, plan in list(config.plans.items()):
        if plan.sms_connector == name:
            del config.plans[plan_name]
            done.append(f'removed plan "{plan.name}" (it used "{name}")')
    outcome.warnings.append("; ".join(done))


def set_active(path: Path, name: str, active: bool, *, force: bool = False) -> Outcome:
    """Activate or deactivate. An inactive connector cannot be the default or used by a plan."""
    outcome = Outcome()
    with store.locked(path) as config:
        connector = _require(config, name)
        if connector.active == active:
            outcome.notes.append(f'"{connector.name}" is already {"active" if active else "inactive"}')
            outcome.connector = connector
            return outcome
        if not active:
            _release_uses(config, connector.name, force, "deactivate", outcome)
        connector = connector.with_changes(active=active)
        config.connectors[connector.name] = connector
        store.save(path, config)
    outcome.connector = connector
    return outcome


def remove_connector(path: Path, name: str, keyring: Keyring | None, *, force: bool = False) -> Outcome:
    """Remove a connector, its logo, and its account's token when no other connector uses it."""
    outcome = Outcome()
    if keyring is not None:
        keyring.preload()
    with store.locked(path) as config:
        connector = _require(config, name)
        _release_uses(config, connector.name, force, "remove", outcome)
        del config.connectors[connector.name]
        store.save(path, config)
        delete_unused_tokens(config, keyring, {connector.account_sid}, outcome)
        _delete_unused_logo(path, config, connector.logo)
    outcome.connector = connector
    return outcome


def set_default_sms(path: Path, name: str) -> Outcome:
    """Global Settings' Default SMS Gateway: an active connector only."""
    with store.locked(path) as config:
        connector = _require_active(config, name, "be the default SMS connector")
        config.default_sms_connector = connector.name
        store.save(path, config)
    return Outcome(connector=connector)


# --- reading -----------------------------------------------------------------------------


def connector_rows(config: Config, active: bool | None = None) -> list[dict[str, Any]]:
    """One row per connector (the same keys for the table and for --json)."""
    return [
        {
            "name": c.name,
            "provider": c.provider_info.label,
            "purpose": c.purpose,
            "from": c.from_,
            "account_sid": c.account_sid,
            "active": c.active,
            "default": config.default_sms_connector == c.name,
            "used_by": config.uses_of(c.name),
            "plans": [p.name for p in config.plans.values() if p.sms_connector == c.name],
        }
        for c in config.connectors.values()
        if active is None or c.active == active
    ]


def list_connectors(path: Path, active: bool | None = None) -> list[dict[str, Any]]:
    return connector_rows(store.load(path), active)


def show_connector(
    path: Path, name: str, keyring: Keyring, environ: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Every field, the purpose and where the token would come from (never the token)."""
    from hubsms.credentials import find_token

    config = store.load(path)
    c = _require(config, name)
    warnings: list[str] = []
    try:
        found = find_token(c, keyring, environ=os.environ if environ is None else environ)
        source = found.source if found else "missing"
    except HubsmsError as exc:
        source = "missing"
        warnings.append(f"{exc.message} ({exc.hint})" if exc.hint else exc.message)
    return {
        "name": c.name,
        "provider": c.provider_info.label,
        "purpose": c.purpose,
        "logo": c.logo,
        "server_address": c.server_address,
        "account_sid": c.account_sid,
        "from": c.from_,
        "active": c.active,
        "auth_token_env": c.auth_token_env,
        "token_source": source,
        "default": config.default_sms_connector == c.name,
        "used_by": config.uses_of(c.name),
    }, warnings


def show_settings(path: Path) -> dict[str, Any]:
    config = store.load(path)
    return {
        "config_path": str(path),
        "default_sms_connector": config.default_sms_connector,
        "plans": {p.name: p.sms_connector for p in config.plans.values()},
    }


# --- sending -----------------------------------------------------------------------------


class PreparedOtp(NamedTuple):
    """Everything an OTP send needs, resolved and validated; ``token`` is never shown."""

    connector: Connector
    token: Any  # credentials.Token: its repr hides the value
    to: str
    body: str
    code: str
    validity: int | None
    warnings: list[str]

    def form(self) -> dict[str, str]:
        """The form fields of the create-message request (as Twilio names them)."""
        sender = "MessagingServiceSid" if self.connector.sends_with_messaging_service else "From"
        form = {"To": self.to, sender: self.connector.from_, "Body": self.body}
        if self.validity is not None:
            form["ValidityPeriod"] = str(self.validity)
        return form

    @property
    def url(self) -> str:
        return f"{self.connector.server_address}/{self.connector.account_sid}/Messages.json"


def choose_connector(config: Config, connector: str | None = None, plan: str | None = None) -> Connector:
    """The connector to send with: ``connector``, else the plan's, else the default SMS
    connector. It must be active."""
    if plan is not None and connector is None:
        return resolve_plan_connector(config, plan)
    name = connector if connector is not None else config.default_sms_connector
    if name is None:
        raise MissingValue(
            "no connector given and no default SMS connector set",
            "give --connector NAME or --plan PLAN, or set one: hubsms settings set-default-sms NAME",
        )
    return _require_active(config, name, "send")


def prepare_otp(
    path: Path,
    keyring: Keyring,
    *,
    to: str,
    connector: str | None = None,
    plan: str | None = None,
    length: int = 6,
    code: str | None = None,
    template: str | None = None,
    validity: int | None = None,
    stdin_token: str | None = None,
) -> PreparedOtp:
    """Resolve and validate everything for an OTP send, sending nothing: the number, the
    connector, the code, the message and the token (by the precedence of credentials)."""
    from hubsms import otp
    from hubsms.credentials import resolve_token

    number, warning = model.validate_phone_number(to, "to")
    code = otp.validate_code(code) if code is not None else otp.generate_code(length)
    body = otp.render_message(template, code, validity)
    chosen = choose_connector(store.load(path), connector, plan)
    token = resolve_token(chosen, keyring, stdin_token=stdin_token)
    warnings = [warning] if warning else []
    if number == chosen.from_:
        warnings.append(f"{number} is also the sender of \"{chosen.name}\": Twilio refuses a message to its own From")
    segments = model.count_segments(body)
    if segments > 1:
        warnings.append(f"the message takes {segments} SMS segments (each is billed)")
    return PreparedOtp(chosen, token, number, body, code, validity, warnings)


def send_otp(prepared: PreparedOtp, client: Any) -> dict[str, Any]:
    """POST the message through ``client`` (a TwilioClient for the prepared connector)."""
    connector = prepared.connector
    return client.send_message(
        prepared.to,
        prepared.body,
        from_=None if connector.sends_with_messaging_service else connector.from_,
        messaging_service_sid=connector.from_ if connector.sends_with_messaging_service else None,
        validity_period=prepared.validity,
    )


def make_client(
    connector: Connector, token: Any, timeouts: tuple[float, float] | None = None, on_retry: Any = None
) -> Any:
    """A TwilioClient for a connector, with the given or the environment's timeouts;
    ``on_retry(text)`` hears of each retry."""
    from hubsms.twilio_client import TwilioClient, timeouts_from_env

    connect, read = timeouts or timeouts_from_env()
    return TwilioClient(
        connector.account_sid, token.value, connector.server_address, connect_timeout=connect, read_timeout=read,
        on_retry=on_retry,
    )


def check_connector(path: Path, name: str, keyring: Keyring, *, stdin_token: str | None = None,
                    timeouts: tuple[float, float] | None = None) -> dict[str, Any]:
    """Fetch the connector's account with its credentials. Twilio's 20008 answer means
    test credentials: valid, but they can only send."""
    from hubsms.credentials import resolve_token
    from hubsms.errors import TwilioAPIError

    connector = _require(store.load(path), name)
    token = resolve_token(connector, keyring, stdin_token=stdin_token)
    result: dict[str, Any] = {
        "connector": connector.name,
        "account_sid": connector.account_sid,
        "server_address": connector.server_address,
        "token_source": token.source,
        "active": connector.active,
    }
    with make_client(connector, token, timeouts) as client:
        try:
            account = client.fetch_account()
        except TwilioAPIError as exc:
            if exc.code != 20008:
                raise
            return {**result, "ok": True, "test_credentials": True, "friendly_name": None, "status": None, "type": None}
    return {
        **result,
        "ok": True,
        "test_credentials": False,
        "friendly_name": account.get("friendly_name"),
        "status": account.get("status"),
        "type": account.get("type"),
    }


# --- service plans -----------------------------------------------------------------------


def _require_plan(config: Config, name: str) -> model.Plan:
    from hubsms.errors import PlanNotFound

    plan = config.find_plan(name)
    if plan is None:
        known = ", ".join(f'"{p}"' for p in config.plans) or "none yet"
        raise PlanNotFound(f'no service plan named "{name.strip()}"', f"plans: {known}")
    return plan


def resolve_plan_connector(config: Config, plan_name: str) -> Connector:
    """The SMS connector of a service plan (name compared ignoring case). It must be active:
    a hand-edited file could assign an inactive one."""
    plan = _require_plan(config, plan_name)
    connector = _require(config, plan.sms_connector)
    if not connector.active:
        raise ConnectorInactive(
            f'plan "{plan.name}" uses connector "{connector.name}", which is inactive',
            f'activate it (hubsms connector activate "{connector.name}") or assign another: '
            f'hubsms plan set "{plan.name}" --sms-connector NAME',
        )
    return connector


def plan_set(path: Path, name: str, sms_connector: str) -> tuple[model.Plan, Outcome]:
    """Assign an SMS connector to a service plan, creating the plan if it is new (an existing
    plan matched ignoring case keeps its spelling). Only an active connector can be assigned."""
    plan_name = model.validate_plan_name(name)
    with store.locked(path) as config:
        connector = _require_active(config, sms_connector, "be assigned to a service plan")
        outcome = Outcome(connector=connector)
        existing = config.find_plan(plan_name)
        plan = model.Plan(existing.name if existing else plan_name, connector.name)
        if existing == plan:
            outcome.notes.append(f'plan "{plan.name}" already uses "{connector.name}"')
            return plan, outcome
        config.plans[plan.name] = plan
        store.save(path, config)
    return plan, outcome


def plan_remove(path: Path, name: str) -> model.Plan:
    """Remove a service plan (PlanNotFound when there is none of that name)."""
    with store.locked(path) as config:
        plan = _require_plan(config, name)
        del config.plans[plan.name]
        store.save(path, config)
    return plan


def list_plans(path: Path) -> list[dict[str, Any]]:
    """One row per plan: its name, its SMS connector and whether that connector is active."""
    config = store.load(path)
    rows = []
    for plan in config.plans.values():
        connector = config.find(plan.sms_connector)
        rows.append({
            "name": plan.name,
            "sms_connector": plan.sms_connector,
            "connector_active": bool(connector and connector.active),
        })
    return rows


MAX_SECONDS = 600.0  # for one connection or one answer
MAX_WAIT_SECONDS = 86400.0  # for a delivery report


def check_seconds(value: float | None, option: str, maximum: float = MAX_SECONDS) -> float | None:
    """A number of seconds given on the command line: more than 0, at most ``maximum``, finite."""
    if value is None:
        return None
    if not 0 < value <= maximum:  # also false for nan
        raise InvalidValue(option, f"{option} must be more than 0 and at most {maximum:g} seconds", f"e.g. {option} 10")
    return value


def choose_timeouts(connect: float | None, read: float | None) -> tuple[float, float]:
    """The connect and read timeouts: the options, else HUBSMS_TIMEOUT, else the defaults."""
    from hubsms.twilio_client import timeouts_from_env

    default_connect, default_read = timeouts_from_env()
    connect = check_seconds(connect, "--connect-timeout")
    read = check_seconds(read, "--read-timeout")
    return (connect or default_connect, read or default_read)


def follow_message(client: Any, sid: str, timeout: float, on_status: Any = None) -> dict[str, Any]:
    """Poll a sent message until a final status or ``timeout`` seconds."""
    return client.wait_for_final_status(sid, timeout=timeout, on_status=on_status)


def check_final(message: dict[str, Any], timeout: float) -> None:
    """DeliveryFailed for failed or undelivered; NetworkError when no final status came in time."""
    from hubsms.errors import NetworkError
    from hubsms.twilio_client import FINAL_STATUSES, check_delivery

    check_delivery(message)
    if message.get("status") not in FINAL_STATUSES:
        raise NetworkError(
            f"no final status for {message.get('sid')} within {timeout:g} s (last: {message.get('status')})",
            "the message may still arrive; wait longer with --timeout, or look it up by its SID",
        )


def check_removable(path: Path, name: str, force: bool = False) -> Connector:
    """The connector ``remove`` would remove: ConnectorNotFound, or ConnectorInUse unless
    ``force``, before anyone is asked to confirm (read without the lock; remove checks again)."""
    config = store.load(path)
    connector = _require(config, name)
    if not force:
        _release_uses(config, connector.name, False, "remove", Outcome())
    return connector
