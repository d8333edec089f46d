"""Desired state: ``apply`` makes the config match a TOML file in the config's own format,
``export`` writes the config as such a file. Service layer: no printing, no typer.

The rules (docs/apply.md tells them to users):

- connectors and plans are matched by name, ignoring case; what the file holds is created or
  updated, what it lacks is removed only with ``prune`` (the default too: a file without
  ``[settings]`` leaves the default alone unless ``prune``);
- tokens are never in the file: each connector names ``auth_token_env``. By default apply
  stores that variable's value in the keyring (equal to the stored token: no change; unset:
  the stored token is kept) and saves the connector without the reference, unless the
  connector already refers to that same variable, which is then kept. With
  ``keep_env_refs`` the reference is saved and the keyring is left alone;
- a logo is a path relative to the file (stdin: the current folder), copied into ``logos/``
  like ``connector add`` does, unless the connector's logo already holds the same bytes;
- everything is checked before anything is written, under the config's lock; when a write
  fails, the keyring tokens and logos written so far are restored.

Its length (over 400 lines) is one planner whose steps share its state, with the rules
above beside the code that keeps them; split, they would scatter.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from hubsms import model, store
from hubsms.errors import (
    ConfigError,
    ConnectorInactive,
    ConnectorInUse,
    InvalidValue,
    TokenMissing,
)
from hubsms.logos import Logo, deletable_logo, free_logo_path
from hubsms.model import Config, Connector, Plan
from hubsms.service.connectors import (
    COMPARED_FIELDS,
    ConnectorInput,
    check_fields,
    replace_connector,
)
from hubsms.service.transaction import (
    Outcome,
    Transaction,
    delete_unused_tokens,
    read_bytes,
)

if TYPE_CHECKING:  # the keyring is imported only by the commands that use it
    from hubsms.credentials import Keyring

DERIVED_ENV_PREFIX: Final = "HUBSMS_TOKEN_"


# --- the desired file ----------------------------------------------------------------------


@dataclass
class Desired:
    """A checked desired-state file: its config (logos as paths of the source images), the
    logo images read from it, and warnings such as a server address that is not Twilio's."""

    label: str
    config: Config
    logos: dict[str, Logo] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def read_desired_file(source: Path) -> Desired:
    return read_desired(store.read_text(source), str(source), source.parent)


def read_desired(text: str, label: str, base: Path) -> Desired:
    """Parse and check a whole desired-state file before anything is compared: the config
    format (which also holds the plan names valid and unique, and each reference in its
    connector's spelling), every field by the rules of ``connector add`` (the From only by its
    shape: the planner checks the rest where it changes), an
    ``auth_token_env`` on every connector, and only active connectors used by the default
    and plans. Relative logo paths are read from ``base``."""
    parsed = store.parse(text, label)
    desired = Desired(label, Config(plans=parsed.plans, default_sms_connector=parsed.default_sms_connector))
    for connector in parsed.connectors.values():
        checked, logo, warnings = _check_connector(connector, label, base)
        desired.config.connectors[checked.name] = checked
        desired.warnings += warnings
        if logo is not None:
            desired.logos[checked.name] = logo
    _check_uses_active(desired.config, label)
    return desired


def _check_connector(c: Connector, label: str, base: Path) -> tuple[Connector, Logo | None, list[str]]:
    where = f'{label}: [connectors."{c.name}"]'
    if not c.auth_token_env:
        raise ConfigError(
            f"{where} names no auth_token_env",
            'tokens are never in the file: add auth_token_env = "VAR", the variable apply reads the token from',
        )
    logo_path = base / c.logo if c.logo else None  # an absolute logo path stays as it is
    # The From is checked by the planner (_Planner._checked_from), which knows the config: only
    # a From the connector does not already have costs phonenumbers' check. Here it keeps the
    # shape the config format checked.
    values = ConnectorInput(
        name=c.name, provider=c.provider, logo=logo_path, server_address=c.server_address,
        account_sid=c.account_sid, active=c.active, auth_token_env=c.auth_token_env,
    )
    try:
        checked, warnings, logo = check_fields(values, base=c)
    except InvalidValue as exc:
        raise ConfigError(f"{where} {exc.field}: {exc.message}", exc.hint) from None
    checked = checked.with_changes(logo=str(logo_path) if logo_path else None)
    return checked, logo, [f'connector "{checked.name}": {text}' for text in warnings]


def _check_uses_active(config: Config, label: str) -> None:
    plans = config.plans_by_connector()
    for connector in config.connectors.values():
        uses = [] if connector.active else config.uses_of(connector.name, plans.get(connector.name, []))
        if uses:
            raise ConnectorInactive(
                f'{label}: "{connector.name}" is inactive and cannot be used by {", ".join(uses)}',
                "make it active in the file (active = true), or name an active connector there",
            )


# --- the plan of changes -------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One line of the plan: ``action`` create/update/unchanged/remove, ``kind``
    connector/plan/settings, and the fields that differ as (current, desired)."""

    action: str
    kind: str
    name: str
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "kind": self.kind,
            "name": self.name,
            "fields": {key: {"from": old, "to": new} for key, (old, new) in self.fields.items()},
        }


@dataclass
class ApplyResult:
    changes: list[Change]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def changed(self) -> bool:
        return any(c.action != "unchanged" for c in self.changes)

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)


class _Planner:
    """Works out, writing nothing, the config that matches the desired file and what must be
    written for it (keyring tokens, logo copies), then what to clean up after the save."""

    def __init__(
        self, path: Path, current: Config, desired: Desired, keyring: Keyring, environ: Mapping[str, str],
        *, prune: bool, keep_env_refs: bool,
    ) -> None:
        self.path = path
        self.folder = path.parent
        self.current = current
        self.desired = desired
        self.keyring = keyring
        self.environ = environ
        self.prune = prune
        self.keep_env_refs = keep_env_refs
        self.new = Config(dict(current.connectors), dict(current.plans), current.default_sms_connector)
        self.changes: list[Change] = []
        self.tokens: dict[str, str] = {}
        self.logos: list[tuple[Path, bytes]] = []
        self.stale_sids: set[str] = set()
        self.stale_logos: set[str] = set()
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self._placed: set[str] = set()

    def run(self) -> _Planner:
        wanted = list(self.desired.config.connectors.values())
        refs = {c.name: self._reference(c) for c in wanted}
        self._plan_tokens(wanted, refs)
        for connector in wanted:
            self._connector(connector, refs[connector.name])
        self._prune_connectors()
        self._plans()
        self._settings()
        self._check_final()
        return self

    def result(self, applied: bool) -> ApplyResult:
        return ApplyResult(self.changes, self.warnings, self.notes, applied)

    # tokens

    def _reference(self, wanted: Connector) -> str | None:
        """The auth_token_env to save: the file's with keep_env_refs, or when the connector
        already refers to that variable (so that an exported file applies back unchanged)."""
        old = self.current.find(wanted.name)
        keep = self.keep_env_refs or (old is not None and old.auth_token_env == wanted.auth_token_env)
        return wanted.auth_token_env if keep else None

    def _plan_tokens(self, wanted: list[Connector], refs: dict[str, str | None]) -> None:
        """Which tokens to store: each keyring-mode connector's variable, validated; one value
        per account; an unset variable keeps the stored token, and without one is an error."""
        pending: dict[str, tuple[str, str]] = {}
        values = {c.name: self.environ.get(c.auth_token_env or "") for c in wanted}
        # the entries this plan compares or requires, read in one keyring call
        self.keyring.get_many(c.account_sid for c in wanted if not (refs[c.name] is not None and values[c.name]))
        for connector in wanted:
            variable = connector.auth_token_env or ""
            value = values[connector.name]
            token = _env_token(connector, variable, value) if value else None
            if refs[connector.name] is not None:
                if token is None and self.keyring.get(connector.account_sid) is None:
                    self.warnings.append(f'{variable} is not set: connector "{connector.name}" has no auth token until it is')
                continue
            if token is not None:
                _check_one_token(pending, connector, variable, token)
                pending[connector.account_sid] = (token, variable)
        self._require_stored([c for c in wanted if refs[c.name] is None and c.account_sid not in pending])
        self.tokens = {sid: token for sid, (token, _) in pending.items() if self.keyring.get(sid) != token}

    def _require_stored(self, connectors: list[Connector]) -> None:
        """Every account without a token anywhere, named in one error: set them all at once."""
        missing = [c for c in connectors if self.keyring.get(c.account_sid) is None]
        if not missing:
            return
        variables = list(dict.fromkeys(str(c.auth_token_env) for c in missing))
        first = missing[0]
        raise TokenMissing(
            f"{first.auth_token_env} is not set and the keyring holds no auth token for account "
            f'{model.mask_sid(first.account_sid)} (connector "{first.name}")'
            + (f"; {len(missing) - 1} more connector(s) lack one too" if len(missing) > 1 else ""),
            f"set {', '.join(variables)} (each the account's auth token, 32 hexadecimal digits) and run apply again",
        )

    def _token_field(self, wanted: Connector, ref: str | None, creating: bool) -> tuple[Any, Any] | None:
        if ref is not None:
            return None
        if wanted.account_sid in self.tokens:
            stored = "keyring" if self.keyring.get(wanted.account_sid) else None
            return (stored, f"env:{wanted.auth_token_env}")
        return (None, "keyring") if creating else None

    # connectors

    def _checked_from(self, wanted: Connector, old: Connector | None) -> Connector:
        """The connector with its From checked as ``connector add`` checks it (phonenumbers,
        a warning for a number in no assigned range), unless the config already holds that
        same From for it: checked when it was set, it is not checked, nor warned about, again
        (at 30,000 connectors the check took a third of a no-change apply)."""
        if old is not None and old.from_ == wanted.from_:
            return wanted
        try:
            sender, warning = model.validate_from(wanted.from_)
        except InvalidValue as exc:
            raise ConfigError(f'{self.desired.label}: [connectors."{wanted.name}"] {exc.field}: {exc.message}', exc.hint) from None
        if warning:
            self.warnings.append(f'connector "{wanted.name}": {warning}')
        return wanted.with_changes(from_=sender)

    def _connector(self, wanted: Connector, ref: str | None) -> None:
        old = self.current.find(wanted.name)
        wanted = self._checked_from(wanted, old)
        logo, logo_changed = self._target_logo(wanted, old)
        target = wanted.with_changes(auth_token_env=ref, logo=logo)
        changed = _differing(old, target)
        if logo_changed:
            changed["logo"] = (old.logo if old else None, wanted.logo)
        token_field = self._token_field(wanted, ref, old is None)
        if token_field is not None:
            changed["auth_token"] = token_field
        action = "create" if old is None else ("update" if changed else "unchanged")
        self.changes.append(Change(action, "connector", target.name, changed))
        self._put(old, target)

    def _put(self, old: Connector | None, target: Connector) -> None:
        if old is None:
            self.new.connectors[target.name] = target
            return
        replace_connector(self.new, old, target)
        if old.account_sid != target.account_sid:
            self.stale_sids.add(old.account_sid)
        if old.logo and old.logo != target.logo:
            self.stale_logos.add(old.logo)

    def _target_logo(self, wanted: Connector, old: Connector | None) -> tuple[str | None, bool]:
        """The logo to save and whether it changes: kept when the current one holds the same
        bytes, else copied into logos/ under a name no other connector uses."""
        image = self.desired.logos.get(wanted.name)
        current = old.logo if old else None
        if image is None:
            return None, current is not None
        if current is not None and read_bytes(self.folder / current) == image.data:
            return current, False
        own = old.name if old is not None else None
        relative = free_logo_path(wanted.name, image.extension, self.new.connectors.values(), own=own, placed=self._placed)
        self._placed.add(relative)
        self.logos.append((self.folder / relative, image.data))
        return relative, True

    def _prune_connectors(self) -> None:
        if not self.prune:
            return
        for connector in self.current.connectors.values():
            if self.desired.config.find(connector.name) is not None:
                continue
            del self.new.connectors[connector.name]
            self.stale_sids.add(connector.account_sid)
            if connector.logo:
                self.stale_logos.add(connector.logo)
            self.changes.append(Change("remove", "connector", connector.name, _differing(connector, None)))

    # plans and settings

    def _plans(self) -> None:
        for plan in self.desired.config.plans.values():
            target = Plan(plan.name, self._name_in_new(plan.sms_connector))
            old = self.new.find_plan(plan.name)
            changed = {
                key: (getattr(old, key) if old else None, getattr(target, key))
                for key in ("name", "sms_connector")
                if (old is None and key != "name") or (old is not None and getattr(old, key) != getattr(target, key))
            }
            action = "create" if old is None else ("update" if changed else "unchanged")
            self.changes.append(Change(action, "plan", target.name, changed))
            if old is None:
                self.new.plans[target.name] = target
            else:
                self.new.plans.replace(old.name, target.name, target)
        if self.prune:
            for plan in list(self.new.plans.values()):
                if self.desired.config.find_plan(plan.name) is None:
                    del self.new.plans[plan.name]
                    self.changes.append(Change("remove", "plan", plan.name, {"sms_connector": (plan.sms_connector, None)}))

    def _settings(self) -> None:
        wanted = self.desired.config.default_sms_connector
        current = self.new.default_sms_connector
        if wanted is None and (not self.prune or current is None):
            return
        target = self._name_in_new(wanted) if wanted is not None else None
        changed = {"default_sms_connector": (current, target)} if current != target else {}
        self.changes.append(Change("update" if changed else "unchanged", "settings", "settings", changed))
        self.new.default_sms_connector = target

    def _name_in_new(self, name: str) -> str:
        found = self.new.find(name)
        assert found is not None  # the desired file's references were checked on reading
        return found.name

    def _check_final(self) -> None:
        """The rules hold in the result: what the default and plans that stay use is active."""
        plans = self.new.plans_by_connector()
        for connector in self.new.connectors.values():
            uses = [] if connector.active else self.new.uses_of(connector.name, plans.get(connector.name, []))
            if not uses:
                continue
            before = self.current.find(connector.name)
            what = f'cannot deactivate "{connector.name}"' if before and before.active else f'"{connector.name}" is inactive but'
            raise ConnectorInUse(
                f"{what}: it is used by {', '.join(uses)}",
                "name another connector for them in the file, or give --prune to drop what the file does not list",
            )
        if any(c.action != "unchanged" for c in self.changes):  # unchanged: the config as loaded
            store.from_dict(store.to_dict(self.new))  # the result must load: a bug otherwise

    # after the save

    def clean_up(self) -> None:
        """Delete tokens of accounts and logo files that nothing uses any more (best effort,
        like ``connector remove``)."""
        outcome = Outcome()
        delete_unused_tokens(self.new, self.keyring, self.stale_sids, outcome)
        self.notes += outcome.notes
        self.warnings += outcome.warnings
        kept = {c.logo for c in self.new.connectors.values()}
        for relative in sorted(self.stale_logos - kept):
            target = deletable_logo(self.path, relative)  # only a file hubsms copied itself
            if target is not None:
                with contextlib.suppress(OSError):
                    target.unlink()


def _env_token(connector: Connector, variable: str, value: str) -> str:
    try:
        return model.validate_auth_token(value)
    except InvalidValue as exc:
        raise InvalidValue(
            "auth_token", f'{variable} (connector "{connector.name}") does not hold a valid auth token: {exc.message}', exc.hint
        ) from None


def _check_one_token(pending: dict[str, tuple[str, str]], connector: Connector, variable: str, token: str) -> None:
    other = pending.get(connector.account_sid)
    if other is not None and other[0] != token:
        raise InvalidValue(
            "auth_token",
            f"{other[1]} and {variable} hold different auth tokens for account {model.mask_sid(connector.account_sid)}",
            "connectors of one account share its token: give them the same value (or the same variable)",
        )


def _differing(old: Connector | None, new: Connector | None) -> dict[str, tuple[Any, Any]]:
    """Fields that differ; against nothing (a create or a remove) every field that is set but
    the name, which the change already shows."""
    changed = {}
    for attr, key, _flag in COMPARED_FIELDS:
        if key == "name" and (old is None or new is None):
            continue
        before = getattr(old, attr) if old is not None else None
        after = getattr(new, attr) if new is not None else None
        if before != after:
            changed[key] = (before, after)
    if old is not None and new is None and old.logo:
        changed["logo"] = (old.logo, None)
    return changed


# --- apply ---------------------------------------------------------------------------------


def apply_desired(
    path: Path,
    desired: Desired,
    keyring: Keyring,
    *,
    environ: Mapping[str, str] | None = None,
    prune: bool = False,
    keep_env_refs: bool = False,
    dry_run: bool = False,
) -> ApplyResult:
    """Make the config in ``path`` match ``desired`` as one locked transaction: everything
    is compared and checked first; nothing is written when nothing differs; on any error
    the file, the keyring and the logos stay as they were. ``dry_run`` only reports."""
    env = os.environ if environ is None else environ
    options = {"prune": prune, "keep_env_refs": keep_env_refs}
    if dry_run:
        return _Planner(path, store.load(path), desired, keyring, env, **options).run().result(applied=False)
    if not keep_env_refs:
        keyring.purpose = "store"  # a failure of the keyring is said as storing the tokens
    with store.locked(path) as config:
        planner = _Planner(path, config, desired, keyring, env, **options).run()
        if not planner.result(applied=False).changed:
            return planner.result(applied=False)
        change = Transaction(path, keyring)
        for sid, token in planner.tokens.items():
            change.set_token(sid, token)
        for target, data in planner.logos:
            change.add_logo(target, data)
        change.commit(planner.new)
        planner.clean_up()
    return planner.result(applied=True)


# --- export --------------------------------------------------------------------------------


def derived_env_name(account_sid: str) -> str:
    """The variable an exported connector names when it has none: one per account, as the
    keyring entry is."""
    return DERIVED_ENV_PREFIX + account_sid.upper()


def export_config(path: Path) -> dict[str, Any]:
    """The config as a desired-state document, never with a token: each connector names
    its own auth_token_env, else ``HUBSMS_TOKEN_<ACCOUNT SID>``; a logo is given by its
    absolute path. Applied back (default mode) it changes nothing."""
    config = store.load(path)
    data = store.to_dict(config)
    folder = Path(os.path.abspath(path.parent))
    for connector in config.connectors.values():
        table = data["connectors"][connector.name]
        table["auth_token_env"] = connector.auth_token_env or derived_env_name(connector.account_sid)
        if connector.logo:
            table["logo"] = str(folder / connector.logo)
    return data


def dumps_desired(data: dict[str, Any], source: Path) -> str:
    import tomli_w

    header = (
        f"# hubsms export of {source}: a desired-state file for 'hubsms apply'.\n"
        "# No auth token is here. Each connector names auth_token_env, the variable apply reads\n"
        "# its token from; when that variable is not set, apply keeps the token in the keyring.\n\n"
    )
    return header + tomli_w.dumps(data)
