"""A change to the config as one transaction: keyring writes and logo copies are applied
before the file is saved and undone if anything fails, so that the file and the keyring never
disagree after a command; and what a change has to say (:class:`Outcome`).

The steps run in an order that keeps the config file right even when the process is killed
(kill -9, a power cut) between any two of them, when no undo can run:

1. logos, each written atomically into the config's own logo folder, under a name no file
   has yet (``logos.free_logo_path``): the file the saved config names is never rewritten;
2. tokens, in the keyring;
3. the config file, saved atomically: the one step that makes the change visible;
4. after the save only, the old logos and tokens the change no longer needs (the caller's
   ``delete_unused_logo`` and ``delete_unused_tokens``).

The saved file therefore never names a logo or an account whose token is not already written,
and a kill leaves at most what nothing refers to: a logo (``hubsms doctor --fix`` deletes
it), a temp file (the same), or a keyring entry of no connector of this file (``hubsms doctor
--fix`` deletes it once no config file hubsms knows, nor one beside them, uses it). Logos go first because
they are this config's own files, which doctor cleans up, and the most likely to fail (a full
disk, a read-only folder) before the keyring, which all config files share, is touched at all.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final

from hubsms import files, model, registry, store
from hubsms.credentials import holding_user_lock
from hubsms.errors import HubsmsError
from hubsms.logos import (
    LOGO_MAX_BYTES,
    Logo,
    config_folder,
    deletable_logo,
    drop_own_folder_if_empty,
    free_logo_path,
    is_stored_logo,
    logo_file,
)
from hubsms.model import Config, Connector
from hubsms.paths import real_config

if TYPE_CHECKING:  # the keyring is imported only by the commands that use it
    from hubsms.credentials import Keyring


class Outcome:
    """What a change did: the connector as saved, warnings and notes for the user."""

    __slots__ = ("connector", "warnings", "notes")

    def __init__(
        self, connector: Connector | None = None, warnings: list[str] | None = None, notes: list[str] | None = None
    ) -> None:
        self.connector = connector
        self.warnings: list[str] = [] if warnings is None else warnings
        self.notes: list[str] = [] if notes is None else notes


class Transaction:
    """Keyring writes and logo copies to apply before the file is saved, all undone if
    anything fails: tokens get their previous value back, an overwritten logo its bytes."""

    __slots__ = ("path", "keyring", "tokens", "logos")

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
        """Logos, then tokens, then the file (the module's docstring says why); the caller
        deletes what the change made unused only after this returns."""
        undo_tokens: list[tuple[str, str | None]] = []
        undo_logos: list[tuple[Path, bytes | None]] = []
        try:
            for target, data in self.logos:
                undo_logos.append((target, read_bytes(target)))
                store.write_atomic(target, data, 0o644)
            for sid, token in self.tokens:
                assert self.keyring is not None
                undo_tokens.append((sid, self.keyring.get(sid)))
                self.keyring.set(sid, token)
            save(self.path, config)
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


@contextlib.contextmanager
def locked(path: Path) -> Iterator[Config]:
    """A change that may read, write or delete a token: the config file's lock, then the
    user's keyring lock (always in that order), held until the change and its clean-up are
    done. Every config file of the user shares the keyring, so another hubsms process cannot
    delete a token between this change's "the account has one" and its save, nor save a file
    that uses a token between this change's "no other file uses it" and its delete."""
    with store.locked(path) as config, holding_user_lock(required=False):
        yield config


def save(path: Path, config: Config) -> None:
    """Save the config, then record the file and the accounts it reads from the keyring
    (``hubsms.registry``), so that another config file's command keeps those tokens."""
    store.save(path, config)
    registry.remember(path, [c.account_sid for c in config.connectors.values() if not c.auth_token_env])


def read_bytes(path: Path) -> bytes | None:
    """A stored logo's bytes, or None when there is no regular file of a logo's size there (a
    FIFO or a device put in its place is never opened to wait on)."""
    try:
        return files.read_regular(path, LOGO_MAX_BYTES)
    except (OSError, files.NotRegularFile, files.TooLarge):
        return None


def delete_unused_logo(path: Path, config: Config, *logos: str | None) -> None:
    """Delete the logo files no connector of the saved ``config`` refers to any more (after a
    remove, a new logo, an apply): only a file hubsms copied itself (``deletable_logo``: this
    config's own logo folder, or ``logos/`` as it was shared before), and never one that
    another config file beside it names (a config copied by hand, or one of the shared
    ``logos/``)."""
    named = {c.logo for c in config.connectors.values()}
    dropped = sorted({x for x in logos if x} - named)
    if not dropped:
        return
    targets = {logo: deletable_logo(path, logo) for logo in dropped}
    if any(targets.values()):
        others = logos_of_other_configs(path)
        for logo, target in targets.items():
            if target is not None and logo not in others:
                with contextlib.suppress(OSError):
                    target.unlink()
    drop_own_folder_if_empty(path)  # its last logo gone: no empty folder left behind


def place_logo(change: Transaction, config: Config, connector: Connector, logo: Logo | None) -> Connector:
    """Copy ``logo`` into the config's own logo folder, under a new name (``free_logo_path``),
    and give it to ``connector``; the file is written when ``change`` commits."""
    if logo is None:
        return connector
    relative = free_logo_path(change.path, connector.name, logo.extension, config.connectors.values())
    change.add_logo(logo_file(change.path, relative), logo.data)
    return connector.with_changes(logo=relative)


def delete_unused_tokens(
    path: Path, config: Config, keyring: Keyring | None, sids: set[str], outcome: Outcome, *,
    env_only: Collection[str] = (),
) -> None:
    """Delete the token of each account no connector of this file, nor of any other config
    file hubsms knows (``token_holder``), uses any more. The config is saved by then, so a
    keyring that fails is a warning, not an error; none for the accounts in ``env_only``
    (their connectors read the token from a variable: nothing was stored for them) unless a
    token is really seen there."""
    by_hand = ' (delete it with the keyring\'s own tool: service "hubsms", user the Account SID)'
    others: registry.OtherConfigs | registry.RegistryUnreadable | None = None  # read once, when needed
    for sid in sorted(sids):
        if config.connectors_of_account(sid) or keyring is None:
            continue
        account = f"the auth token of account {model.mask_sid(sid)}"
        try:
            if keyring.get(sid) is None:  # nothing stored: nothing to say
                continue
        except HubsmsError as exc:
            if sid not in env_only:
                outcome.warnings.append(f"{account} may be left in the keyring: {exc.message}{by_hand}")
            continue
        if others is None:
            try:
                others = registry.other_configs(path)
            except registry.RegistryUnreadable as exc:
                others = exc
        if isinstance(others, registry.RegistryUnreadable):
            holder: str | None = f"cannot tell whether another config file uses it ({others})"
        else:
            holder = token_holder(others, sid)
        if holder is not None:
            outcome.notes.append(f"kept the stored auth token of account {model.mask_sid(sid)}: {holder}")
            continue
        try:
            keyring.delete(sid)
        except HubsmsError as exc:
            outcome.warnings.append(f"{account} was left in the keyring: {exc.message}{by_hand}")
            continue
        outcome.notes.append(f"deleted the stored auth token of account {model.mask_sid(sid)}")


def token_holder(others: registry.OtherConfigs, sid: str) -> str | None:
    """Why the keyring entry of ``sid`` must stay although this config no longer uses it:
    another config file hubsms knows, or one beside a known one, has a connector of that
    account (``registry.other_configs``, read afresh); or a known one may have: it cannot be
    read, or it is gone but was recorded with that account (or with none known). None when
    nothing else uses it."""
    if sid in others.used:
        return f"{others.used[sid]} uses it"
    for other in others.unreadable:
        return f"{other} may use it (it cannot be read)"
    for other, accounts in others.gone.items():
        if accounts is None or sid in accounts:
            return (f"{other}, which used it, is gone (moved or deleted?); "
                    "'hubsms doctor --fix' deletes the token once no config file uses it")
    return None


# --- logos other config files beside this one name -------------------------------------------


def logos_of_other_configs(config_path: Path) -> dict[str, str]:
    """The logos the other config files (``*.toml``) beside this config's real file name,
    each with the first file that names it: such a logo is never deleted through this
    config. A file whose real folder is another (a symlink to elsewhere) names logos there,
    not here. A file that does not load as a config (a hand edit half done) still names its
    connectors' ``logo`` values, or when it does not even parse, every stored logo path its
    text quotes; an export beside it (``logo_base64``: the image itself) names none."""
    own = os.path.realpath(config_path)
    folder = config_folder(config_path)
    found: dict[str, str] = {}
    for other in sorted(folder.glob("*.toml")):
        if os.path.realpath(other) == own or real_config(other).parent != folder:
            continue
        try:
            named = [c.logo for c in store.load(other).connectors.values() if c.logo]
        except HubsmsError:
            named = _quoted_logos(other)
        for logo in named:
            found.setdefault(logo, other.name)
    return found


_QUOTED: Final = re.compile(r""""([^"\\\n]*)"|'([^'\n]*)'""")


def _quoted_logos(path: Path) -> list[str]:
    """The stored logo paths a file that does not load as a config names: its connectors'
    ``logo`` (not an export's, which holds the image), or the quoted ones when it does not parse."""
    try:
        text = files.read_regular(path, store.MAX_FILE_BYTES).decode("utf-8", "replace")
    except (OSError, files.NotRegularFile, files.TooLarge):
        return []
    try:
        tables = store.parse_toml(text, path).get("connectors")
    except HubsmsError:
        return [logo for pair in _QUOTED.findall(text) for logo in pair if logo and is_stored_logo(logo)]
    tables = tables.values() if isinstance(tables, dict) else []
    named = [t.get("logo") for t in tables if isinstance(t, dict) and "logo_base64" not in t]
    return [logo for logo in named if isinstance(logo, str) and is_stored_logo(logo)]
