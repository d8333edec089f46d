"""Desired state: ``apply`` makes the config match a TOML file in the config's own format,
``export`` writes the config as such a file. Service layer: no printing, no typer.

The rules (docs/apply.md tells them to users):

- the input must say ``schema_version``: an empty input (a failed download piped in), one
  of comments only, or another TOML file is refused before anything is compared;
- connectors and plans are matched by name, ignoring case; what the file holds is created or
  updated, what it lacks is removed only with ``prune`` (the default too: a file without
  ``[settings]`` leaves the default alone unless ``prune``); ``prune`` removes *every*
  connector only with ``allow_empty`` (or ``[apply] allow_empty = true`` in the file);
- tokens are never in the file. A connector naming ``auth_token_env``: by default apply
  stores that variable's value in the keyring (equal to the stored token: no change; unset:
  the stored token is kept) and saves the connector without the reference, unless the
  connector already refers to that same variable, which is then kept. With
  ``keep_env_refs`` (or ``[apply] keep_env_refs = true``, which ``export`` writes) the
  reference is saved and its token read when sending. A connector naming none keeps its
  token in the keyring: ``HUBSMS_TOKEN_<ACCOUNT SID>`` when set, else the stored one;
- a token apply cannot find: for a keyring connector an error before anything is written;
  for a connector it creates or changes to read a variable that is not set, an error after
  the apply (the config is right; the variable is missing where apply runs); for one it
  leaves unchanged, a warning;
- a logo is a path relative to the file (stdin: the current folder), or the image itself
  (``logo_base64``, with ``logo`` its file name: what ``export`` writes), copied into the
  config's logo folder like ``connector add`` does, unless the connector's logo already holds
  the same bytes; a stored name (``logos/<file>``) is kept when no other connector has it;
- everything is checked before anything is written, under the config's lock; when a write
  fails, the keyring tokens and logos written so far are restored.

The desired file is read and checked by ``service.desired``. This module's length (over 400
lines) is one planner whose steps share its state, with the rules above beside the code that
keeps them; split, they would scatter.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from hubsms import fields, model, store
from hubsms.errors import (
    ConfigError,
    ConnectorInUse,
    InvalidValue,
    TokenMissing,
    UsageError,
)
from hubsms.logos import OWN, config_folder, free_logo_path, logo_file, logo_home, read_logo
from hubsms.model import Config, Connector, Plan
from hubsms.service.connectors import COMPARED_FIELDS, replace_connector
from hubsms.service.desired import Desired, read_desired, read_desired_file
from hubsms.service.transaction import (
    Outcome,
    Transaction,
    delete_unused_logo,
    delete_unused_tokens,
    locked,
    read_bytes,
)

if TYPE_CHECKING:  # the keyring is imported only by the commands that use it
    from hubsms.credentials import Keyring

DERIVED_ENV_PREFIX: Final = "HUBSMS_TOKEN_"
# The fields whose check may warn (a From in no assigned range, a server address that is not
# the provider's), in the order their warnings are said: the planner checks them where apply
# sets them (``_Planner._checked``).
WARNING_FIELDS: Final = tuple(next(f for f in fields.CONNECTOR if f.attr == attr) for attr in ("from_", "server_address"))
__all__ = ["Desired", "apply_desired", "dumps_desired", "export_config", "read_desired", "read_desired_file"]


# --- the plan of changes -------------------------------------------------------------------


class Change(NamedTuple):
    """One line of the plan: ``action`` create/update/unchanged/remove, ``kind``
    connector/plan/settings, and the fields that differ as (current, desired)."""

    action: str
    kind: str
    name: str
    fields: Mapping[str, tuple[Any, Any]] = MappingProxyType({})

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "kind": self.kind,
            "name": self.name,
            "fields": {key: {"from": old, "to": new} for key, (old, new) in self.fields.items()},
        }


class ApplyResult(NamedTuple):
    """What an apply found and did; its ``count`` (in place of the tuple's) counts the changes
    of one action."""

    changes: list[Change]
    warnings: Sequence[str] = ()
    notes: Sequence[str] = ()
    applied: bool = False
    tokens_stored: int = 0
    # (connector, variable): created or changed to read a variable that is not set here
    unset: Sequence[tuple[str, str]] = ()

    @property
    def changed(self) -> bool:
        return any(c.action != "unchanged" for c in self.changes)

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def missing_tokens(self) -> TokenMissing | None:
        """The error that ends an apply leaving a connector it made without a token here."""
        if not self.unset:
            return None
        which = ", ".join(f'"{name}" ({variable} is not set)' for name, variable in self.unset)
        variables = ", ".join(dict.fromkeys(variable for _, variable in self.unset))
        done = "the config was applied as the file says" if self.applied else "nothing was changed"
        return TokenMissing(
            f"no auth token here for {len(self.unset)} connector(s) reading a variable: {which}",
            f"{done}; set {variables} (the account's auth token) where hubsms sends, then run apply again to check",
        )


class _Planner:
    """Works out, writing nothing, the config that matches the desired file and what must be
    written for it (keyring tokens, logo copies), then what to clean up after the save."""

    __slots__ = (
        "path", "folder", "current", "desired", "keyring", "environ", "prune", "keep_env_refs",
        "allow_empty", "unset", "new", "changes", "tokens", "logos", "stale_sids", "stale_logos",
        "warnings", "notes", "_placed",
    )

    def __init__(
        self, path: Path, current: Config, desired: Desired, keyring: Keyring, environ: Mapping[str, str],
        *, prune: bool, keep_env_refs: bool, allow_empty: bool,
    ) -> None:
        self.path = path
        self.folder = config_folder(path)  # logo paths are relative to the real file's folder
        self.current = current
        self.desired = desired
        self.keyring = keyring
        self.environ = environ
        self.prune = prune
        self.keep_env_refs = keep_env_refs
        self.allow_empty = allow_empty
        self.unset: list[tuple[str, str]] = []
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
        stored = len(self.tokens) if applied else 0
        return ApplyResult(self.changes, self.warnings, self.notes, applied, stored, self.unset)

    # tokens

    def _reference(self, wanted: Connector) -> str | None:
        """The auth_token_env to save: the file's with keep_env_refs, or when the connector
        already refers to that variable (so that an exported file applies back unchanged)."""
        old = self.current.find(wanted.name)
        keep = self.keep_env_refs or (old is not None and old.auth_token_env == wanted.auth_token_env)
        return wanted.auth_token_env if keep else None

    def _plan_tokens(self, wanted: list[Connector], refs: dict[str, str | None]) -> None:
        """Which tokens to store: each keyring-mode connector's variable (its auth_token_env,
        else ``HUBSMS_TOKEN_<SID>``), validated; one value per account; an unset variable keeps
        the stored token, and without one is an error. A saved reference's variable is only
        validated: hubsms reads it when sending."""
        pending: dict[str, tuple[str, str]] = {}
        # the entries this plan compares or requires, read in one keyring call
        self.keyring.get_many(c.account_sid for c in wanted if refs[c.name] is None)
        for connector in wanted:
            variable = token_variable(connector)
            value = self.environ.get(variable)
            token = _env_token(connector, variable, value) if value else None
            if refs[connector.name] is not None:
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
        variables = list(dict.fromkeys(token_variable(c) for c in missing))
        first = missing[0]
        raise TokenMissing(
            f"{token_variable(first)} is not set and the keyring holds no auth token for account "
            f'{model.mask_sid(first.account_sid)} (connector "{first.name}")'
            + (f"; {len(missing) - 1} more connector(s) lack one too" if len(missing) > 1 else ""),
            f"set {', '.join(variables)} (each the account's auth token, 32 hexadecimal digits) and run apply again",
        )

    def _token_field(self, wanted: Connector, ref: str | None, creating: bool) -> tuple[Any, Any] | None:
        if ref is not None:
            return None
        if wanted.account_sid in self.tokens:
            stored = "keyring" if self.keyring.get(wanted.account_sid) else None
            return (stored, f"env:{token_variable(wanted)}")
        return (None, "keyring") if creating else None

    # connectors

    def _checked(self, wanted: Connector, old: Connector | None) -> Connector:
        """The connector with each field whose check may warn (``WARNING_FIELDS``) checked as
        ``connector add`` checks it, unless the config already holds that same value for it:
        checked and warned about when it was set, it is not again (at 30,000 connectors the
        From's check took a third of a no-change apply, and a fleet on a proxy got a server
        address warning per connector at every run)."""
        provider = model.PROVIDERS[wanted.provider]
        checked = {}
        for field in WARNING_FIELDS:
            value = getattr(wanted, field.attr)
            if old is not None and getattr(old, field.attr) == value:
                continue
            try:
                checked[field.attr], warning = field.check(value, provider)
            except InvalidValue as exc:
                raise ConfigError(f'{self.desired.label}: [connectors."{wanted.name}"] {exc.field}: {exc.message}', exc.hint) from None
            if warning:
                self.warnings.append(f'connector "{wanted.name}": {warning}')
        return wanted.with_changes(**checked) if checked else wanted

    def _connector(self, wanted: Connector, ref: str | None) -> None:
        old = self.current.find(wanted.name)
        wanted = self._checked(wanted, old)
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
        if ref is not None:
            self._check_reference(target, ref, action)

    def _check_reference(self, target: Connector, ref: str, action: str) -> None:
        """A connector saved reading ``ref``: is there a token for it here, by the rules of
        sending? Not for one left unchanged is a warning; for one made so, an error at the end."""
        from hubsms.credentials import find_token

        if find_token(target, self.keyring, environ=self.environ) is not None:
            return
        if action == "unchanged":
            self.warnings.append(f'{ref} is not set: connector "{target.name}" has no auth token until it is')
        else:
            self.unset.append((target.name, ref))

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
        bytes, else copied into the config's own logo folder: under the stored name the file
        gives (an export restores its names) when it is of that folder, free and no file is
        there, else under a new name."""
        image = self.desired.logos.get(wanted.name)
        current = old.logo if old else None
        if image is None:
            return None, current is not None
        if current is not None and read_bytes(self.folder / current) == image.data:
            return current, False
        own = old.name if old is not None else None
        relative = self.desired.logo_names.get(wanted.name)
        taken = {c.logo for c in self.new.connectors.values() if c.name != own} | self._placed
        if (relative is None or relative in taken or logo_home(self.path, relative) != OWN
                or os.path.lexists(self.folder / relative)):
            relative = free_logo_path(self.path, wanted.name, image.extension, self.new.connectors.values(),
                                      placed=self._placed)
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
        if self.current.connectors and not self.new.connectors and not self.allow_empty:
            raise UsageError(
                f"{self.desired.label} lists no connector: --prune would remove all {len(self.current.connectors)} "
                "connector(s) and their tokens; nothing was changed",
                "if that is meant, give --allow-empty (or write allow_empty = true under [apply] in the file); "
                "a file listing none is often a cut-off download",
            )

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
        for connector, uses in self.new.inactive_in_use():
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
        delete_unused_tokens(self.path, self.new, self.keyring, self.stale_sids, outcome)
        self.notes += outcome.notes
        self.warnings += outcome.warnings
        delete_unused_logo(self.path, self.new, *self.stale_logos)


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
    allow_empty: bool = False,
    dry_run: bool = False,
) -> ApplyResult:
    """Make the config in ``path`` match ``desired`` as one locked transaction: everything
    is compared and checked first; nothing is written when nothing differs; on any error
    the file, the keyring and the logos stay as they were. ``dry_run`` only reports. The
    options are also taken from the file's ``[apply]`` table. The result's
    ``missing_tokens()`` is the error to end with, after the apply."""
    env = os.environ if environ is None else environ
    keep_env_refs = keep_env_refs or desired.keep_env_refs
    options = {"prune": prune, "keep_env_refs": keep_env_refs, "allow_empty": allow_empty or desired.allow_empty}
    if dry_run:
        return _Planner(path, store.load(path), desired, keyring, env, **options).run().result(applied=False)
    if not keep_env_refs or any(c.auth_token_env is None for c in desired.config.connectors.values()):
        keyring.purpose = "store"  # a failure of the keyring is said as storing the tokens
    with locked(path) as config:
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
    """The variable that gives a keyring connector's token to apply: one per account, as
    the keyring entry is (``HUBSMS_TOKEN_`` and the Account SID in upper case)."""
    return DERIVED_ENV_PREFIX + account_sid.upper()


def token_variable(connector: Connector) -> str:
    """The variable apply reads a connector's token from: its auth_token_env, else the
    account's ``HUBSMS_TOKEN_<SID>``."""
    return connector.auth_token_env or derived_env_name(connector.account_sid)


def export_config(path: Path) -> dict[str, Any]:
    """The config as a desired-state document, never with a token, that applied into an
    empty place gives back the same config file: ``[apply] keep_env_refs = true`` (a
    connector's auth_token_env is kept where it has one, none is made up where it has
    none) and each logo embedded (``logo_base64``) under its stored name. Applied back to
    the same config, it changes nothing. Only an empty config file says ``allow_empty``; a
    file that does not exist (a mistyped path) does not, so that ``apply --prune`` of its
    export never empties the real config."""
    exists = store.check_path(path)
    config = store.load(path)
    data: dict[str, Any] = {"schema_version": model.SCHEMA_VERSION, "apply": {"keep_env_refs": True}}
    if not config.connectors and exists:
        data["apply"]["allow_empty"] = True  # an empty config's export says so: --prune may empty one
    data.update((key, value) for key, value in store.to_dict(config).items() if key != "schema_version")
    for connector in config.connectors.values():
        if connector.logo:
            image = _stored_logo_bytes(path, connector)
            data["connectors"][connector.name]["logo_base64"] = base64.b64encode(image).decode("ascii")
    return data


def _stored_logo_bytes(path: Path, connector: Connector) -> bytes:
    """A connector's logo file (beside the config's real file, where ``connector add`` copied
    it), checked; a backup without it would restore a different config."""
    assert connector.logo is not None
    try:
        return read_logo(logo_file(path, connector.logo)).data
    except InvalidValue as exc:
        raise ConfigError(
            f'cannot export connector "{connector.name}": {exc.message}',
            f"'hubsms doctor' says what is wrong; give the logo again with hubsms connector edit \"{connector.name}\" "
            "--logo FILE, or drop it with --no-logo",
        ) from None


def dumps_desired(data: dict[str, Any], source: Path) -> str:
    import tomli_w

    header = (
        f"# hubsms export of {source}: a desired-state file for 'hubsms apply', a backup of\n"
        "# everything but the auth tokens. Logos are embedded (logo_base64). A connector with\n"
        "# auth_token_env reads its token from that variable; one without keeps it in the keyring,\n"
        "# which apply fills from HUBSMS_TOKEN_<ACCOUNT SID> when that variable is set.\n\n"
    )
    return header + tomli_w.dumps(data)
