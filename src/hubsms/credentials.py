"""The auth token: the OS keyring with a timeout on every call, and the precedence rules.

The keyring entry is service ``hubsms``, username = the Account SID (spelt ``AC`` + lower-case
hex, whatever spelling the caller has): connectors of one account share the token, in every
config file of the user. Writes are serialised by a per-user lock and read back, so that
concurrent hubsms processes never lose each other's tokens. The rules of where a token comes
from are those of ``resolve_token``.

There is no plaintext fallback: an unusable keyring is an error with the ways out.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final, NamedTuple, TypeVar

from hubsms.backends import BACKEND_ENV, FILE_BACKEND, choices_hint, label
from hubsms.errors import (
    CredentialsError,
    HubsmsError,
    InvalidValue,
    KeyringUnavailable,
    TokenMissing,
)
from hubsms.model import Connector, mask_sid, normal_sid, validate_auth_token
from hubsms.paths import keyring_lock_path

SERVICE: Final = "hubsms"
TOKEN_ENV: Final = "HUBSMS_AUTH_TOKEN"
TIMEOUT_ENV: Final = "HUBSMS_KEYRING_TIMEOUT"
DEFAULT_TIMEOUT: Final = 5.0
MAX_TIMEOUT: Final = 3600.0
_CHOOSE_BACKEND: Final = (
    f"unlock the keyring; or choose another backend with {BACKEND_ENV} (e.g. 'pip install "
    f"keyrings.alt' and {FILE_BACKEND}, which keeps tokens unencrypted in a 0600 file)"
)
WAYS_OUT: Final = f"{_CHOOSE_BACKEND}; or give the token in {TOKEN_ENV} or the connector's auth_token_env variable"
# The ways out of each keyring action: storing is helped by a variable named with
# --auth-token-env, not by HUBSMS_AUTH_TOKEN, which connector add stores like a token on stdin.
HINTS: Final = {
    "read": WAYS_OUT,
    "store": f"{_CHOOSE_BACKEND}; or keep the token in an environment variable and give "
    "--auth-token-env VAR instead of --auth-token-stdin",
    "delete": f"{_CHOOSE_BACKEND}; the entry (service {SERVICE}, user the Account SID) stays until then",
}

T = TypeVar("T")


class Token(NamedTuple):
    """A token and where it came from (``stdin``, ``env:NAME``, ``keyring``); its repr hides it."""

    value: str
    source: str

    def __repr__(self) -> str:
        return f"Token(value=<hidden>, source={self.source!r})"


def keyring_timeout() -> float:
    """Seconds every keyring call may take: ``HUBSMS_KEYRING_TIMEOUT``, else 5."""
    from hubsms.seconds import SMALLEST, parse_seconds

    raw = os.environ.get(TIMEOUT_ENV)
    if not raw:
        return DEFAULT_TIMEOUT
    return parse_seconds(raw, TIMEOUT_ENV, lowest=SMALLEST, highest=MAX_TIMEOUT, example=f"{TIMEOUT_ENV}=5")


def keyring_username(account_sid: str) -> str:
    """The one spelling the keyring sees: ``AC`` upper-case, the hex digits lower-case."""
    return normal_sid(account_sid)


class Keyring:
    """The OS keyring, every call bounded by a timeout, every failure a KeyringUnavailable."""

    def __init__(self, *, purpose: str | None = None, deadline: float | None = None) -> None:
        """``purpose`` ("read", "store" or "delete") is what the command does with the
        keyring, said by every error instead of the call's own action: ``add`` reads the
        stored token before it stores one, and a failure there is a failure to store.
        ``deadline`` (a ``time.monotonic()`` value: the end of a command bounded as a whole,
        ``otp send --wait --timeout``) shortens every call's timeout to the time left."""
        self.timeout = keyring_timeout()
        self.purpose = purpose
        self.deadline = deadline
        # The token cache: what this process has read or written, by keyring user. One
        # Keyring lives for one command, so each entry is read at most once per command, and
        # once more when the command takes the keyring's lock (``holding_user_lock``): what
        # was read before may have changed, and a change decides on what it reads under it.
        self._known: dict[str, str | None] = {}
        self._holds = _holds
        # A read that failed (a locked or hung keyring) is not tried again in this command:
        # each try could wait the whole timeout.
        self._unreadable: KeyringUnavailable | None = None

    def preload(self) -> None:
        """Import keyring now, before the config file's lock is taken: imported under the
        lock, its 0.1-0.2 s made concurrent hubsms processes wait for each other."""
        import keyring.backends.fail  # noqa: F401
        import keyring.backends.null  # noqa: F401
        import keyring.errors  # noqa: F401

    def get(self, account_sid: str) -> str | None:
        """The account's stored token (None when there is none), read once per command."""
        user = keyring_username(account_sid)
        self._since_lock()
        if user not in self._known:
            self._known[user] = self._read(lambda kr: kr.get_password(SERVICE, user))
        return self._known[user]

    def get_many(self, account_sids: Iterable[str]) -> dict[str, str | None]:
        """Each account's stored token, the entries not read yet asked in one bounded call
        (one thread, one wait), through the backend's own batch read where it has one."""
        users = {sid: keyring_username(sid) for sid in account_sids}
        self._since_lock()
        missing = [user for user in dict.fromkeys(users.values()) if user not in self._known]
        if missing:
            self._known.update(self._read(lambda kr: _read_many(kr, missing)))
        return {sid: self._known[user] for sid, user in users.items()}

    def _since_lock(self) -> None:
        """Forget what was read before this process last took the keyring's lock."""
        if self._holds != _holds:
            self._known.clear()
            self._holds = _holds

    def _read(self, fn: Callable[[Any], T]) -> T:
        if self._unreadable is not None:
            raise self._unreadable
        try:
            return self._call("read", fn)
        except KeyringUnavailable as exc:
            self._unreadable = exc
            raise

    def set(self, account_sid: str, token: str) -> None:
        """Store the token and read it back: a backend that loses it is an error."""
        user = keyring_username(account_sid)

        def store(kr: Any) -> None:
            kr.set_password(SERVICE, user, token)
            if kr.get_password(SERVICE, user) != token:
                raise _NotKept("did not keep the auth token (reading it back gave another value)")

        self._known.pop(user, None)  # unknown until the write is known to be kept
        self._call("store", store, secrets=[token])
        self._known[user] = token

    def delete(self, account_sid: str) -> None:
        """Delete the account's token; nothing to delete is not an error."""
        import keyring.errors

        user = keyring_username(account_sid)
        stored: list[str] = []  # hidden from the backend's error message, were it to say it

        def delete(kr: Any) -> None:
            stored.append(kr.get_password(SERVICE, user) or "")
            try:
                kr.delete_password(SERVICE, user)
            except keyring.errors.PasswordDeleteError:  # also said when there is none
                if kr.get_password(SERVICE, user) is not None:
                    raise
            if kr.get_password(SERVICE, user) is not None:
                raise _NotKept("did not delete the auth token (it is still there)")

        self._known.pop(user, None)
        self._call("delete", delete, secrets=stored)
        self._known[user] = None

    def load(self) -> Any:
        """The backend in use (loaded within the timeout), for descriptions."""
        return self._call("load", lambda kr: kr)

    def _call(self, action: str, fn: Callable[[Any], T], secrets: list[str] | None = None) -> T:
        """``fn(backend)`` within the timeout; ``secrets`` (which ``fn`` may add to) are the
        tokens to take out of a backend's error message."""
        if action == "load":
            return self._bounded(action, fn, [], contextlib.ExitStack())
        held = _user_lock(required=action != "read", deadline=self.deadline)
        return self._bounded(self.purpose or action, fn, [] if secrets is None else secrets, held)

    def _bounded(self, action: str, fn: Callable[[Any], T], secrets: list[str], held: contextlib.ExitStack) -> T:
        """``fn(backend)`` through ``call_within``, waited for ``self.timeout`` seconds. The
        worker releases ``held`` (the per-user lock) when the backend call ends, not when the
        wait does: after a timeout the call may still be writing, and another hubsms must not
        write beside it."""
        from hubsms.bounded import Expired, call_within  # only for a keyring call

        seen: dict[str, Any] = {}
        limit = self.timeout
        if self.deadline is not None:
            limit = max(0.0, min(limit, self.deadline - time.monotonic()))

        def run() -> T:
            try:
                backend = seen["backend"] = _backend()
                return fn(backend)
            except BaseException as exc:
                raise _keyring_error(action, exc, seen.get("backend"), secrets) from None
            finally:
                held.close()

        try:
            return call_within(run, limit, name=f"keyring-{action}")
        except Expired:
            bounds = f"{TIMEOUT_ENV} sets the timeout" if limit == self.timeout else "the command's --timeout ran out"
            raise KeyringUnavailable(
                f"the keyring{_named(seen.get('backend'))} did not answer within {limit:.3g} s ({action})",
                f"{HINTS.get(action, WAYS_OUT)}; {bounds}",
            ) from None
        except Exception:  # the call's own error (the lock is let go already) or no thread started
            held.close()
            raise


def _read_many(backend: Any, users: list[str]) -> dict[str, str | None]:
    """Several entries of service ``hubsms``: one read of the file for hubsms's file backend
    (``get_passwords``), one ``get_password`` each for any other backend."""
    batch = getattr(backend, "get_passwords", None)
    if batch is not None:
        return batch(SERVICE, users)
    return {user: backend.get_password(SERVICE, user) for user in users}


_holding = False  # this process holds the per-user lock across several steps (holding_user_lock)
_holds = 0  # how many times it took it so: a Keyring's reads from before are read again


@contextlib.contextmanager
def holding_user_lock(*, required: bool = True, deadline: float | None = None) -> Iterator[None]:
    """The per-user keyring lock held across several steps, so that no other hubsms process's
    step falls between them: a change to a config file from the keyring's first read to its
    save, and a token's "does another config file use it?" to its delete. Keyring calls inside
    take no lock of their own; nested holds are one. ``required=False``: when the lock cannot be
    had, go on without it (each keyring write then takes it, or fails, as on its own).
    ``deadline`` (``time.monotonic()``): wait no longer for it (now: do not wait)."""
    global _holding, _holds
    if _holding:
        yield
        return
    try:
        held = _user_lock(required=True, deadline=deadline)
    except KeyringUnavailable:
        if required:
            raise
        yield
        return
    _holding, _holds = True, _holds + 1
    try:
        yield
    finally:
        _holding = False
        held.close()


def _user_lock(*, required: bool, deadline: float | None = None) -> contextlib.ExitStack:
    """One hubsms keyring call at a time per user: file backends rewrite their whole file, so
    that two writers at once lose one's entry and a reader may see half a file. Waits as
    long as for the config file's lock, or until ``deadline`` (``Keyring``'s) when that is
    sooner. A lock that cannot be created (a read-only home)
    stops writes only: a read goes on without it. Returned held (or empty, for a read
    without it): closing the stack lets go. Empty while ``holding_user_lock`` holds it."""
    if _holding:
        return contextlib.ExitStack()
    from hubsms.locking import LockTimeout, exclusive
    from hubsms.store import ensure_folder, lock_timeout

    path = keyring_lock_path()
    timeout = lock_timeout()
    if deadline is not None:
        timeout = max(0.0, min(timeout, deadline - time.monotonic()))
    held = contextlib.ExitStack()
    try:
        ensure_folder(path.parent)
        held.enter_context(exclusive(path, timeout, _LockUnopened))
    except LockTimeout as exc:
        holder = f" (process {exc.holder})" if exc.holder else ""
        raise KeyringUnavailable(
            f"the keyring is being written by another hubsms process{holder}: waited {timeout:g} s for {path}",
            "try again when it has finished; the lock goes when that process ends",
        ) from None
    except (HubsmsError, _LockUnopened) as exc:  # ensure_folder's ConfigError, or the file's
        if required:
            raise KeyringUnavailable(
                f"cannot create the keyring lock {path} ({exc.args[0]})",
                "check the folder's permissions, or set XDG_DATA_HOME to a writable folder",
            ) from None
    return held


class _LockUnopened(Exception):
    """The per-user lock file could not be opened: its reason."""

    def __init__(self, exc: OSError) -> None:
        super().__init__(exc.strerror or type(exc).__name__)


def _backend() -> Any:
    """The configured backend; keyring's ``fail`` and ``null`` backends are refused, since
    with them a token would be silently lost."""
    import keyring
    from keyring.backends import fail, null

    try:
        backend = keyring.get_keyring()
    except Exception as exc:
        choices = f"set {BACKEND_ENV} to another backend"
        with contextlib.suppress(Exception):  # the listing is a help, never a second failure
            choices = choices_hint()
        raise _BackendNotLoaded(exc, choices) from exc
    candidates = getattr(backend, "backends", [backend])
    if not candidates or all(isinstance(b, (fail.Keyring, null.Keyring)) for b in candidates):
        raise _NoBackend(label(backend))
    if type(backend).__module__ == "keyrings.alt.file" and type(backend).__name__ == "PlaintextKeyring":
        from hubsms.keyring_file import crash_safe

        backend = crash_safe(backend)
        keyring.set_keyring(backend)  # decided once: the next calls get the crash-safe one
    return backend


class _NoBackend(Exception):
    pass


class _BackendNotLoaded(Exception):
    def __init__(self, cause: Exception, choices: str) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.choices = choices  # what to do instead, for the hint


class _NotKept(Exception):
    """The backend said yes, yet reading back shows the change is not there."""


def _named(backend: Any) -> str:
    return f" ({label(backend)})" if backend is not None else ""


def _keyring_error(action: str, exc: BaseException, backend: Any, secrets: list[str]) -> BaseException:
    """Every failure of a keyring call as a KeyringUnavailable naming the backend and the
    action; the backend's own words are kept, the token taken out of them."""
    import keyring.errors

    if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit: not the keyring's
        return exc
    what = "the auth token" if action != "load" else "its backend"
    if isinstance(exc, _BackendNotLoaded):
        return _not_loaded(exc)
    if isinstance(exc, (_NoBackend, keyring.errors.NoKeyringError)):
        return KeyringUnavailable(f"no usable keyring backend (cannot {action} {what})", HINTS.get(action, WAYS_OUT))
    if isinstance(exc, keyring.errors.KeyringLocked):
        return KeyringUnavailable(f"the keyring{_named(backend)} is locked (cannot {action} {what})", HINTS.get(action, WAYS_OUT))
    if isinstance(exc, _NotKept):
        return KeyringUnavailable(f"the keyring{_named(backend)} {exc}", HINTS[action])
    damaged = damaged_keyring_file(exc)
    if damaged is not None:
        return KeyringUnavailable(
            f"the keyring{_named(backend)} failed to {action} {what}: {damaged}", HINTS.get(action, WAYS_OUT))
    return KeyringUnavailable(
        f"the keyring{_named(backend)} failed to {action} {what} ({type(exc).__name__}: {_words(exc, secrets)})",
        HINTS.get(action, WAYS_OUT),
    )


def damaged_keyring_file(exc: BaseException) -> str | None:
    """A file keyring that is not in the INI format, said by the line's number only:
    configparser's message quotes the line, which may hold a token (base64, not seen by
    ``hide_tokens``). None for any other exception."""
    import configparser

    if not isinstance(exc, configparser.Error):
        return None
    errors = getattr(exc, "errors", None)
    line = getattr(exc, "lineno", None) or (errors[0][0] if errors else None)
    where = f" (line {line})" if line else ""
    return f"its file is not in the INI format keyrings.alt writes{where} ({type(exc).__name__})"


def _not_loaded(exc: _BackendNotLoaded) -> KeyringUnavailable:
    cause = f"{type(exc.cause).__name__}: {_words(exc.cause, [])}"
    chosen = os.environ.get(BACKEND_ENV)
    if chosen:
        return KeyringUnavailable(f"{BACKEND_ENV}={chosen!r} names no keyring backend that can be loaded ({cause})", exc.choices)
    return KeyringUnavailable(
        f"the keyring backend cannot be loaded ({cause})", f"check the keyring's config file (keyringrc.cfg); {exc.choices}"
    )


def _words(exc: BaseException, secrets: list[str]) -> str:
    """The exception's text on one line, at most 200 characters, the secrets replaced."""
    text = " ".join(str(exc).split())
    for secret in filter(None, secrets):
        text = text.replace(secret, "<hidden>")
    return text[:200] or "no message"


# --- where a token comes from --------------------------------------------------------------


def resolve_token(
    connector: Connector,
    keyring: Keyring,
    *,
    stdin_token: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Token:
    """The token, or TokenMissing naming every way to give one. It comes from, in order:

    1. ``--auth-token-stdin`` on that command (``stdin_token``), source ``stdin``;
    2. ``HUBSMS_AUTH_TOKEN``, source ``env:HUBSMS_AUTH_TOKEN``;
    3. for a connector that names a variable (``auth_token_env``), that variable and nothing
       else, source ``env:NAME``: unset or empty is TokenMissing, never a fall back to the
       keyring, whose entry (perhaps stored through another config file) would be a token
       nobody meant for this connector;
    4. for any other connector, the keyring entry of its Account SID, source ``keyring``.
    """
    found = find_token(connector, keyring, stdin_token=stdin_token, environ=environ)
    if found is None:
        raise _missing(connector)
    try:
        return Token(validate_auth_token(found.value), found.source)
    except InvalidValue as exc:  # the message says what is wrong, never the value
        raise CredentialsError(f"the auth token from {found.source} is unusable: {exc.message}", exc.hint) from None


def _missing(connector: Connector) -> TokenMissing:
    variable = connector.auth_token_env
    if variable:
        return TokenMissing(
            f'${variable} is not set, and connector "{connector.name}" reads its auth token from it only',
            f"export {variable}; or use the keyring instead: hubsms connector edit \"{connector.name}\" "
            "--auth-token-env '' (with --auth-token-stdin if the account has no stored token)",
        )
    return TokenMissing(
        f'no auth token for connector "{connector.name}" (account {mask_sid(connector.account_sid)})',
        f"store one with 'hubsms connector edit NAME --auth-token-stdin', or set {TOKEN_ENV}",
    )


def keyring_accounts(connectors: Iterable[Connector], environ: Mapping[str, str] | None = None) -> list[str]:
    """The accounts whose tokens ``find_token`` would read from the keyring (for
    ``Keyring.get_many``): none while ``HUBSMS_AUTH_TOKEN`` is set, else those of the
    connectors that name no variable."""
    env = os.environ if environ is None else environ
    if env.get(TOKEN_ENV):
        return []
    return list(dict.fromkeys(c.account_sid for c in connectors if not c.auth_token_env))


def find_token(
    connector: Connector,
    keyring: Keyring,
    *,
    stdin_token: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Token | None:
    """The token by ``resolve_token``'s rules, None when there is none."""
    env = os.environ if environ is None else environ
    if stdin_token:
        return Token(stdin_token, "stdin")
    if env.get(TOKEN_ENV):
        return Token(env[TOKEN_ENV], f"env:{TOKEN_ENV}")
    if connector.auth_token_env:
        value = env.get(connector.auth_token_env)
        return Token(value, f"env:{connector.auth_token_env}") if value else None
    stored = keyring.get(connector.account_sid)
    return Token(stored, "keyring") if stored else None
