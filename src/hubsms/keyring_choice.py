"""Which keyring backend is in use, whether it keeps tokens in plaintext, and the warning when
nobody chose that: for ``connector show``, ``doctor`` and the commands that store a token. The
backends installed here, and the hint naming them, are ``hubsms.backends``."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from hubsms.backends import BACKEND_ENV, FILE_BACKEND, label
from hubsms.credentials import Keyring
from hubsms.errors import CredentialsError


def backend_name() -> str:
    """The backend in use and, for a file backend, its file: e.g.
    ``keyrings.alt.file.PlaintextKeyring (plaintext file ~/.local/share/python_keyring/keyring_pass.cfg)``."""
    try:
        backend = Keyring().load()
    except CredentialsError as exc:
        return f"none usable: {exc.message}"
    target = holder(backend)
    named = _one_name(target)
    if target is not backend:  # keyring's chainer: name where the tokens go
        return f"{named}, the first of {label(backend)}"
    return named


def holder(backend: Any) -> Any:
    """The backend that takes the tokens: keyring's chainer, chosen when several backends are
    usable (a desktop keyring, and keyrings.alt's file), writes to the first of them."""
    chain = list(getattr(backend, "backends", None) or ())
    return chain[0] if chain else backend


def _one_name(backend: Any) -> str:
    path = getattr(backend, "file_path", None)
    if not isinstance(path, str):
        return label(backend)
    kind = "plaintext file" if is_plaintext(backend) else "file"
    safely = ", written crash-safely by hubsms" if getattr(backend, "stands_for", None) else ""
    return f"{label(backend)} ({kind} {_home_short(path)}{safely})"


def plaintext_warning(backend: Any = None) -> str | None:
    """A warning when the backend that holds the tokens (``holder``) keeps them unencrypted in
    a file and nobody chose it: keyring picks keyrings.alt's plaintext file by priority as soon
    as keyrings.alt is installed and no other keyring is usable. None when chosen explicitly
    (with PYTHON_KEYRING_BACKEND or keyring's config file), not plaintext (a desktop keyring
    first in keyring's chain), or not usable. ``backend``: the one in use, when the caller has
    loaded it already (else it is loaded here)."""
    if backend is None:
        try:
            backend = Keyring().load()
        except CredentialsError:
            return None
    target = holder(backend)
    if not is_plaintext(target) or os.environ.get(BACKEND_ENV) or _configured_backend():
        return None
    return (
        f"auth tokens are stored unencrypted in {_home_short(target.file_path)} ({label(target)}, "
        f"chosen because no other keyring is usable); set {BACKEND_ENV}={FILE_BACKEND} to choose a "
        "file keyring knowingly, or install a desktop keyring"
    )


def is_plaintext(backend: Any) -> bool:
    if "keyrings.alt.file" not in sys.modules:  # not imported: cannot be the backend in use
        return False
    from keyrings.alt.file import PlaintextKeyring

    return isinstance(backend, PlaintextKeyring)


def _configured_backend() -> str | None:
    """The ``default-keyring`` of keyring's own config file, if it names one."""
    import configparser

    from keyring.util import platform_

    parser = configparser.RawConfigParser()
    with contextlib.suppress(OSError, configparser.Error):
        parser.read(Path(platform_.config_root()) / "keyringrc.cfg", encoding="utf-8")
    return parser.get("backend", "default-keyring", fallback=None) or None


def _home_short(path: str) -> str:
    home = os.path.expanduser("~")
    return "~" + path[len(home):] if home not in ("", "/") and path.startswith(home + os.sep) else path
