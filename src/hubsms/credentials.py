"""The auth token: the OS keyring with a timeout on every call, and the precedence rules.

The keyring entry is service ``hubsms``, username = the Account SID: connectors of one
account share the token. When a token is needed it comes from, in this order:

1. ``--auth-token-stdin`` on that command,
2. the ``HUBSMS_AUTH_TOKEN`` environment variable,
3. the variable named by the connector's ``auth_token_env``,
4. the keyring.

There is no plaintext fallback: an unusable keyring is an error with the ways out.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any, Final, NamedTuple, TypeVar

from hubsms.errors import (
    CredentialsError,
    InvalidValue,
    KeyringUnavailable,
    TokenMissing,
)
from hubsms.model import Connector, mask_sid, validate_auth_token

SERVICE: Final = "hubsms"
TOKEN_ENV: Final = "HUBSMS_AUTH_TOKEN"
TIMEOUT_ENV: Final = "HUBSMS_KEYRING_TIMEOUT"
DEFAULT_TIMEOUT: Final = 5.0
WAYS_OUT: Final = (
    "unlock the keyring; or choose another backend with PYTHON_KEYRING_BACKEND (e.g. "
    "'pip install keyrings.alt' and keyrings.alt.file.PlaintextKeyring, which keeps tokens "
    "unencrypted in a file); or give the token in HUBSMS_AUTH_TOKEN or the connector's "
    "auth_token_env variable"
)

T = TypeVar("T")


class Token(NamedTuple):
    """A token and where it came from (``stdin``, ``env:NAME``, ``keyring``); its repr hides it."""

    value: str
    source: str

    def __repr__(self) -> str:
        return f"Token(value=<hidden>, source={self.source!r})"


def keyring_timeout() -> float:
    raw = os.environ.get(TIMEOUT_ENV)
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise InvalidValue(TIMEOUT_ENV, f"{TIMEOUT_ENV}={raw!r} is not a positive number of seconds", "e.g. 5")
    return value


class Keyring:
    """The OS keyring, every call bounded by a timeout, every failure a KeyringUnavailable."""

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = keyring_timeout() if timeout is None else timeout

    def preload(self) -> None:
        """Import keyring now, before the config file's lock is taken: imported under the
        lock, its 0.1-0.2 s made concurrent hubsms processes wait for each other."""
        import keyring.backends.fail  # noqa: F401
        import keyring.backends.null  # noqa: F401
        import keyring.errors  # noqa: F401

    def get(self, account_sid: str) -> str | None:
        return self._call("read", lambda kr: kr.get_password(SERVICE, account_sid))

    def set(self, account_sid: str, token: str) -> None:
        self._call("write", lambda kr: kr.set_password(SERVICE, account_sid, token))

    def delete(self, account_sid: str) -> None:
        """Delete the account's token; nothing to delete is not an error."""
        import keyring.errors

        def delete(kr: Any) -> None:
            try:
                kr.delete_password(SERVICE, account_sid)
            except keyring.errors.PasswordDeleteError:
                if kr.get_password(SERVICE, account_sid) is not None:
                    raise

        self._call("delete", delete)

    def _call(self, action: str, fn: Callable[[Any], T]) -> T:
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["value"] = fn(_backend())
            except BaseException as exc:  # carried to the caller's thread
                outcome["error"] = exc

        worker = threading.Thread(target=run, name=f"keyring-{action}", daemon=True)
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive():
            raise KeyringUnavailable(
                f"the keyring did not answer within {self.timeout:g} s ({action})",
                f"{WAYS_OUT}; {TIMEOUT_ENV} sets the timeout",
            )
        if "error" in outcome:
            raise _keyring_error(action, outcome["error"]) from None
        return outcome.get("value")  # type: ignore[return-value]


def _backend() -> Any:
    """The configured backend; keyring's ``fail`` and ``null`` backends are refused, since
    with them a token would be silently lost."""
    import keyring
    from keyring.backends import fail, null

    backend = keyring.get_keyring()
    candidates = getattr(backend, "backends", [backend])
    if not candidates or all(isinstance(b, (fail.Keyring, null.Keyring)) for b in candidates):
        raise _NoBackend(type(backend).__module__ + "." + type(backend).__name__)
    return backend


class _NoBackend(Exception):
    pass


def _keyring_error(action: str, exc: BaseException) -> Exception:
    import keyring.errors

    if isinstance(exc, _NoBackend) or isinstance(exc, keyring.errors.NoKeyringError):
        return KeyringUnavailable(f"no usable keyring backend (cannot {action} the auth token)", WAYS_OUT)
    if isinstance(exc, (ImportError, ValueError, TypeError)) and not isinstance(exc, keyring.errors.KeyringError):
        return KeyringUnavailable(
            f"the keyring backend cannot be loaded ({type(exc).__name__}: {exc})",
            "check PYTHON_KEYRING_BACKEND and the keyring's config file; " + WAYS_OUT,
        )
    if isinstance(exc, keyring.errors.KeyringLocked):
        return KeyringUnavailable(f"the keyring is locked (cannot {action} the auth token)", WAYS_OUT)
    if isinstance(exc, (keyring.errors.KeyringError, OSError, RuntimeError)):
        return KeyringUnavailable(
            f"the keyring failed to {action} the auth token ({type(exc).__name__})", WAYS_OUT
        )
    return exc if isinstance(exc, Exception) else RuntimeError(str(exc))


def resolve_token(
    connector: Connector,
    keyring: Keyring,
    *,
    stdin_token: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Token:
    """The token by the precedence above, or TokenMissing naming every way to give one."""
    found = find_token(connector, keyring, stdin_token=stdin_token, environ=environ)
    if found is None:
        raise TokenMissing(
            f'no auth token for connector "{connector.name}" (account {mask_sid(connector.account_sid)})',
            "store one with 'hubsms connector edit NAME --auth-token-stdin', "
            f"or set {TOKEN_ENV}" + (f" or {connector.auth_token_env}" if connector.auth_token_env else ""),
        )
    try:
        return Token(validate_auth_token(found.value), found.source)
    except InvalidValue as exc:  # the message says what is wrong, never the value
        raise CredentialsError(f"the auth token from {found.source} is unusable: {exc.message}", exc.hint) from None


def find_token(
    connector: Connector,
    keyring: Keyring,
    *,
    stdin_token: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Token | None:
    env = os.environ if environ is None else environ
    if stdin_token:
        return Token(stdin_token, "stdin")
    if env.get(TOKEN_ENV):
        return Token(env[TOKEN_ENV], f"env:{TOKEN_ENV}")
    if connector.auth_token_env and env.get(connector.auth_token_env):
        return Token(env[connector.auth_token_env], f"env:{connector.auth_token_env}")
    stored = keyring.get(connector.account_sid)
    return Token(stored, "keyring") if stored else None


def read_token_stream(stream: Any) -> str:
    """A token piped on stdin: the first line, surrounding whitespace removed. At a terminal
    it is asked for without echo, so that it never shows on the screen."""
    if stream.isatty():
        import getpass

        text = getpass.getpass("Auth token (hidden): ", stream=sys.stderr)
    else:
        text = stream.readline()
    token = text.strip() if isinstance(text, str) else text.decode().strip()
    if not token:
        raise InvalidValue("auth_token", "--auth-token-stdin was given but stdin is empty", "pipe the token in: printf %s \"$TOKEN\" | hubsms ...")
    return token
