"""``hubsms doctor``: what a killed command, a hand edit or a copied file can leave wrong in
a config file, its ``logos/`` folder and the keyring, and (``fix``) the clean-up of what is
safe to delete.

A kill leaves only orphans (see :mod:`hubsms.service.transaction`): logos and temp files,
which belong to this config's folder and are deleted under the config's lock; and keyring
entries, which every config file of the user shares: one is deleted only when no config file
hubsms knows (``hubsms.registry``) has a connector of its account. What makes a connector unusable (a
missing token, a missing logo file) is reported with the command that repairs it.

Statuses: ``ok``; ``warning`` (worth a look, not wrong: an entry no config file uses); ``problem`` (wrong: exit 3, or 4 when it is the keyring or a token); ``fixed``.
"""

from __future__ import annotations

import configparser
import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from hubsms import registry, store
from hubsms.credentials import SERVICE, damaged_keyring_file, holding_user_lock, label
from hubsms.errors import (
    ConfigError,
    CredentialsError,
    ExitCode,
    HubsmsError,
    KeyringUnavailable,
)
from hubsms.logos import (
    LOGO_FOLDER,
    OTHER,
    config_folder,
    deletable_logo,
    drop_own_folder_if_empty,
    is_stored_logo,
    logo_file,
    logo_home,
    own_folder,
)
from hubsms.model import Config, Connector, mask_sid, normal_sid
from hubsms.service.transaction import locked, logos_of_other_configs

if TYPE_CHECKING:  # the keyring is imported only by the commands that use it
    from hubsms.credentials import Keyring

OK: Final = "ok"
WARNING: Final = "warning"
PROBLEM: Final = "problem"
FIXED: Final = "fixed"


class Finding(NamedTuple):
    """One row of the report. ``credentials``: a problem of the keyring or of a token (exit
    4), not of the config and its files (exit 3)."""

    kind: str
    item: str
    status: str
    detail: str
    credentials: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "item": self.item, "status": self.status, "detail": self.detail,
                "fixed": self.status == FIXED}


class Report(NamedTuple):
    """What ``diagnose`` found: the config file, the keyring backend (None when it cannot be
    loaded), and the findings, keyring first."""

    config: Path
    backend: str | None
    findings: list[Finding]

    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.status == PROBLEM]

    def exit_code(self) -> ExitCode:
        """0 when nothing is wrong (or all of it was fixed); 4 when a connector cannot get
        its token or the keyring is unusable; else 3 when a problem remains."""
        problems = self.problems()
        if any(f.credentials for f in problems):
            return ExitCode.CREDENTIALS
        return ExitCode.CONFIG if problems else ExitCode.OK

    def as_dict(self) -> dict[str, Any]:
        return {"config": str(self.config), "backend": self.backend,
                "findings": [f.as_dict() for f in self.findings], "ok": self.exit_code() == ExitCode.OK}

    def check(self) -> None:
        """Raise the error that says the report's exit code (the report is shown first)."""
        problems = self.problems()
        code = self.exit_code()
        if code == ExitCode.CREDENTIALS:
            count = sum(f.credentials for f in problems)
            raise CredentialsError(f"doctor: {_count(count, 'keyring or token problem')}",
                                   "each row says how to fix it")
        if code == ExitCode.CONFIG:
            raise ConfigError(f"doctor: {_count(len(problems), 'problem')} in {self.config} or its files",
                              "hubsms doctor --fix deletes leftover files; the other rows say their fix")


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def diagnose(path: Path, keyring: Keyring, *, fix: bool = False, environ: Mapping[str, str] | None = None) -> Report:
    """Check the config in ``path``, its files and the keyring; with ``fix``, delete stale
    temp files, logos no connector refers to, a killed keyring write's temp files, recorded
    config files that are gone and keyring entries no known config file uses: all under the
    config's lock and then the keyring's (``transaction.locked``), as every change works. A
    config that does not load is its own error (exit 3), before anything is deleted: every
    logo would look unused."""
    env = os.environ if environ is None else environ
    with _config_for(path, fix) as config:
        files = _temp_files(path, fix) + _logos(path, config, fix)
        backend, keyring_rows = _keyring_findings(path, config, keyring, env, fix)
    return Report(path, backend, keyring_rows + files)


@contextlib.contextmanager
def _config_for(path: Path, fix: bool) -> Iterator[Config]:
    """The config, under its lock when files are to be deleted (a writer places a logo before
    it saves the file that names it: the lock waits for that save). Reading alone takes no
    lock, so that doctor also runs on a folder it may not write in."""
    if fix and path.parent.is_dir():
        with locked(path) as config:
            yield config
    elif fix:  # no config folder: no file to lock, and still the keyring's entries to clean
        with holding_user_lock(required=False):
            yield store.load(path)
    else:
        yield store.load(path)


# --- files ----------------------------------------------------------------------------------


def _temp_files(path: Path, fix: bool) -> list[Finding]:
    folder = config_folder(path)
    rows = []
    for temp in store.stale_temp_files(path):
        item = os.path.relpath(temp, folder)
        if fix:
            rows.append(_delete("temp file", item, temp, "left by a write that was interrupted"))
        else:
            rows.append(Finding("temp file", item, PROBLEM, "left by a write that was interrupted; hubsms doctor --fix deletes it"))
    return rows


def _delete(kind: str, item: str, target: Path, why: str) -> Finding:
    try:
        target.unlink()
    except FileNotFoundError:
        return Finding(kind, item, FIXED, f"{why}; already gone")
    except OSError as exc:
        return Finding(kind, item, PROBLEM, f"{why}; cannot delete it: {exc.strerror or exc}")
    return Finding(kind, item, FIXED, f"{why}; deleted")


def _logos(path: Path, config: Config, fix: bool) -> list[Finding]:
    """Each connector's logo file must exist (beside the config's real file); a file in the
    config's own logo folder, or in ``logos/`` that the config files beside it shared before,
    that no connector refers to is an orphan (deleted with ``fix`` when ``deletable_logo``
    allows it and no other config file beside it names it)."""
    used: dict[str, Connector] = {c.logo: c for c in config.connectors.values() if c.logo}
    rows = [_missing_logo(c) for logo, c in sorted(used.items()) if not logo_file(path, logo).is_file()]
    if used and not rows:
        rows.append(Finding("logo", _count(len(used), "logo"), OK, "every logo the config names is there"))
    rows += [_foreign_logo(c) for logo, c in sorted(used.items()) if logo_home(path, logo) == OTHER]
    others = logos_of_other_configs(path)
    for relative in _stored_logo_names(path):
        if relative in used:
            continue
        if relative in others:
            rows.append(Finding("logo", relative, WARNING, f"used by {others[relative]} in the same folder; left as it is"))
        else:
            rows.append(_orphan_logo(path, relative, fix))
    if fix:
        drop_own_folder_if_empty(path)
    return rows


def _missing_logo(connector: Connector) -> Finding:
    return Finding(
        "logo", str(connector.logo), PROBLEM,
        f'"{connector.name}" refers to it, but it is not a file in logos/; give one: '
        f'hubsms connector edit "{connector.name}" --logo FILE (or --no-logo)',
    )


def _foreign_logo(connector: Connector) -> Finding:
    logo = str(connector.logo)
    return Finding(
        "logo", logo, WARNING,
        f'"{connector.name}" refers to a logo in another config file\'s folder (a config copied or renamed by hand?): '
        f'read, never deleted through this config; to copy it into this config\'s own folder: '
        f'hubsms connector edit "{connector.name}" --logo {logo}',
    )


def _orphan_logo(path: Path, relative: str, fix: bool) -> Finding:
    target = deletable_logo(path, relative)
    if target is None:
        return Finding("logo", relative, WARNING, "no connector refers to it; not a regular file in logos/: left as it is")
    if fix:
        return _delete("logo", relative, target, "no connector refers to it")
    return Finding("logo", relative, PROBLEM, "no connector refers to it; hubsms doctor --fix deletes it")


def _stored_logo_names(path: Path) -> list[str]:
    """``logos/<file>`` and ``logos/<config file name>/<file>`` of every entry of the two logo
    folders this config may delete from, named as hubsms names logos (a temp file or a file of
    someone else's is not)."""
    found = []
    for folder in (LOGO_FOLDER, own_folder(path)):
        try:
            names = sorted(entry.name for entry in os.scandir(logo_file(path, folder)))
        except OSError:
            continue
        found += [f"{folder}/{name}" for name in names if is_stored_logo(f"{folder}/{name}")]
    return found


# --- keyring --------------------------------------------------------------------------------


def _keyring_findings(
    path: Path, config: Config, keyring: Keyring, env: Mapping[str, str], fix: bool
) -> tuple[str | None, list[Finding]]:
    """The backend, each connector's token, and the entries no config file hubsms knows uses
    (deleted with ``fix``). An unusable keyring is one problem row: every further call would
    wait for its timeout."""
    try:
        backend = keyring.load()
        rows = _backend_rows(backend)
        rows += _tokens(config, keyring, env)
    except KeyringUnavailable as exc:
        return None, [Finding("keyring", "-", PROBLEM, f"{exc.message}; {exc.hint}" if exc.hint else exc.message, True)]
    return label(backend), rows + _keyring_temp_files(backend, fix) + _stray_entries(path, config, backend, keyring, fix)


def _keyring_temp_files(backend: Any, fix: bool) -> list[Finding]:
    """Temp files of a file keyring's writer killed before its rename: each holds every token
    of that keyring. A problem of the keyring (exit 4); ``fix`` deletes them."""
    rows = []
    why = "left by a keyring write that was interrupted; it holds the keyring's tokens"
    for b in _file_backends(backend):
        for temp in store.stale_temp_files_of(Path(b.file_path)):
            if fix:
                rows.append(_delete("keyring temp file", str(temp), temp, why)._replace(credentials=True))
            else:
                rows.append(Finding("keyring temp file", str(temp), PROBLEM, f"{why}; hubsms doctor --fix deletes it", True))
    return rows


def _file_backends(backend: Any) -> list[Any]:
    """The backends (the chosen one, or those a chainer asks) that keep entries in an INI
    file of keyrings.alt, which can be listed."""
    try:
        from keyrings.alt.file_base import Keyring as FileKeyring
    except ImportError:
        return []
    return [b for b in getattr(backend, "backends", [backend]) if isinstance(b, FileKeyring)]


def _backend_rows(backend: Any) -> list[Finding]:
    """The backend, plaintext or not; a warning when a plaintext file was chosen for the
    user rather than by them (``keyring_choice.plaintext_warning``)."""
    from hubsms.keyring_choice import holder, is_plaintext, plaintext_warning

    target = holder(backend)
    if is_plaintext(target):
        detail = f"plaintext: tokens are not encrypted, in {target.file_path}"
    else:
        detail = "not plaintext"
    if target is not backend:
        detail = f"tokens go to {label(target)}, the first of the chain; {detail}"
    rows = [Finding("backend", label(backend), OK, detail)]
    warning = plaintext_warning(backend)
    return rows + ([Finding("backend", label(backend), WARNING, warning)] if warning else [])


def _tokens(config: Config, keyring: Keyring, env: Mapping[str, str]) -> list[Finding]:
    """A token for every connector by the rules of ``credentials.find_token`` (a connector
    that names a variable reads only that variable). HUBSMS_AUTH_TOKEN is an override for one
    run, not where a connector's token lives, so it is left out. Each account's keyring entry
    is read once."""
    from hubsms.credentials import TOKEN_ENV, find_token, keyring_accounts

    own = {key: value for key, value in env.items() if key != TOKEN_ENV}
    keyring.get_many(keyring_accounts(config.connectors.values(), own))
    rows = [_missing_token(c) for c in config.connectors.values() if find_token(c, keyring, environ=own) is None]
    if config.connectors and not rows:
        rows.append(Finding("token", _count(len(config.connectors), "connector"), OK, "every connector has its auth token"))
    return rows


def _missing_token(connector: Connector) -> Finding:
    variable = connector.auth_token_env
    if variable:  # the connector reads its token from that variable only
        detail = (f"{variable} is not set here; set {variable}, or drop the reference to use the keyring: "
                  f'hubsms connector edit "{connector.name}" --auth-token-env \'\'')
    else:
        fix = f'printf %s "$TOKEN" | hubsms connector edit "{connector.name}" --auth-token-stdin'
        detail = f"no keyring entry for account {mask_sid(connector.account_sid)}; store it: {fix}"
    return Finding("token", connector.name, PROBLEM, detail, True)


def _stray_entries(path: Path, config: Config, backend: Any, keyring: Keyring, fix: bool) -> list[Finding]:
    """Keyring entries of hubsms that no config file hubsms knows (``hubsms.registry``) uses,
    and recorded config files that are gone. With ``fix``: the gone files are forgotten and the
    entries no remaining file uses are deleted; else each is a warning saying so."""
    files = _file_backends(backend)
    if not files:
        return [Finding("keyring", "entries", OK, f"cannot list the entries of {label(backend)}")]
    try:
        others = _other_configs(path)
    except registry.RegistryUnreadable as exc:
        return [Finding("keyring", "entries", WARNING,
                        f"{exc}; no entry is deleted while it cannot be read (move it away, then run any hubsms "
                        "command with --config on each of your config files, so that they are recorded again)")]
    rows = _gone_configs(others.gone, fix) + [_unknown_config(other) for other in others.unknown]
    delete = fix and not others.unknown  # a file that may use any entry: none is deleted
    used = {c.account_sid for c in config.connectors.values()} | set(others.used)
    if not fix:
        used |= {sid for accounts in others.gone.values() for sid in accounts or ()}
    for b in files:
        try:
            users = keyring_file_users(Path(b.file_path))
        except (OSError, ValueError, configparser.Error) as exc:  # configparser's are not ValueErrors
            rows.append(Finding("keyring", str(b.file_path), WARNING,
                                f"cannot list its entries: {damaged_keyring_file(exc) or exc}"))
            continue
        rows += [_stray(user, keyring, delete) for user in users if _sid_or_self(user) not in used]
        if not fix:
            rows += [_used_by_gone(user, others.gone) for user in users if _only_gone(_sid_or_self(user), config, others)]
    return rows


class _Others(NamedTuple):
    used: dict[str, str]  # account -> the first other config file that has a connector of it
    gone: dict[str, list[str] | None]  # recorded config files that no longer exist
    unknown: list[str]  # config files that cannot be read, recorded without their accounts


def _other_configs(path: Path) -> _Others:
    """``registry.other_configs``, as doctor reads it: a file that cannot be read keeps the
    accounts it was recorded with, and one recorded without them (pointed at, never saved by
    hubsms) is ``unknown``: it may use any entry."""
    others = registry.other_configs(path)
    used = dict(others.used)
    for other, accounts in others.unreadable.items():
        for sid in accounts or ():
            used.setdefault(sid, other)
    unknown = [other for other, accounts in others.unreadable.items() if accounts is None]
    return _Others(used, others.gone, unknown)


def _unknown_config(other: str) -> Finding:
    return Finding("config file", other, WARNING,
                   "recorded, but it cannot be read and hubsms does not know which accounts it uses: no keyring "
                   "entry is deleted while it cannot be read (hubsms --config FILE doctor says why)")


def _gone_configs(gone: dict[str, list[str] | None], fix: bool) -> list[Finding]:
    if fix and gone:
        registry.forget(gone)
        return [Finding("config file", other, FIXED, "recorded, but gone; forgotten") for other in sorted(gone)]
    return [Finding("config file", other, WARNING,
                    "recorded as using the keyring, but gone (moved or deleted?): if moved, run any hubsms "
                    "command with --config NEW-PATH; hubsms doctor --fix forgets it and deletes the tokens "
                    "only it used") for other in sorted(gone)]


def _only_gone(sid: str, config: Config, others: _Others) -> bool:
    return (sid not in others.used and not config.connectors_of_account(sid)
            and any(sid in (accounts or ()) for accounts in others.gone.values()))


def _used_by_gone(user: str, gone: dict[str, list[str] | None]) -> Finding:
    where = ", ".join(sorted(other for other, accounts in gone.items() if _sid_or_self(user) in (accounts or ())))
    return Finding("token", mask_sid(user), WARNING, f"stored, and used only by {where}, which is gone")


def _stray(user: str, keyring: Keyring, fix: bool) -> Finding:
    why = "stored, but no config file hubsms knows uses it"
    if fix:
        try:
            keyring.delete(user)
        except HubsmsError as exc:
            return Finding("token", mask_sid(user), PROBLEM, f"{why}; cannot delete it: {exc.message}", True)
        return Finding("token", mask_sid(user), FIXED, f"{why}; deleted")
    return Finding("token", mask_sid(user), WARNING, f"{why}; hubsms doctor --fix deletes it, or: keyring del {SERVICE} {user}")


def _sid_or_self(user: str) -> str:
    return normal_sid(user) if user[:2].lower() == "ac" and len(user) == 34 else user


def keyring_file_users(file_path: Path) -> list[str]:
    """The usernames (Account SIDs) of hubsms's entries in a keyrings.alt INI file, as
    keyrings.alt wrote them: section and option names escaped by its ``escape``, the option
    names lower-cased by configparser (SIDs are given back as Twilio writes them)."""
    from keyrings.alt.escape import escape, unescape

    parser = configparser.RawConfigParser()
    if not parser.read(file_path, encoding="utf-8"):
        return []
    section = escape(SERVICE)
    if not parser.has_section(section):
        return []
    return sorted(_sid_or_self(unescape(option)) for option in parser.options(section))
