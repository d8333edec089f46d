"""Which keyring backend is in use and which could be: for ``connector show``, ``doctor``
and the error naming the choices when ``PYTHON_KEYRING_BACKEND`` names none."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from hubsms.credentials import BACKEND_ENV, FILE_BACKEND, Keyring, label
from hubsms.errors import CredentialsError


def available_backends() -> list[str]:
    """The backends that could be chosen with PYTHON_KEYRING_BACKEND here: keyring's viable
    ones (but ``fail`` and ``null``) and hubsms's file backend when keyrings.alt is installed."""
    import importlib.util

    import keyring.backend

    names = [label(b) for b in keyring.backend.get_all_keyring()]
    names = [n for n in names if not n.startswith(("keyring.backends.fail.", "keyring.backends.null."))]
    if importlib.util.find_spec("keyrings.alt") is not None and FILE_BACKEND not in names:
        names.append(FILE_BACKEND)
    return sorted(names)


def backend_name() -> str:
    """The backend in use and, for a file backend, its file: e.g.
    ``keyrings.alt.file.PlaintextKeyring (plaintext file ~/.local/share/python_keyring/keyring_pass.cfg)``."""
    try:
        backend = Keyring().load()
    except CredentialsError as exc:
        return f"none usable: {exc.message}"
    path = getattr(backend, "file_path", None)
    if not isinstance(path, str):
        return label(backend)
    kind = "plaintext file" if _is_plaintext(backend) else "file"
    return f"{label(backend)} ({kind} {_home_short(path)})"


def plaintext_warning() -> str | None:
    """A warning when the keyring in use keeps tokens unencrypted in a file and nobody chose
    it: keyring picks keyrings.alt's plaintext file by priority as soon as keyrings.alt is
    installed and no other keyring is usable. None when chosen explicitly (with
    PYTHON_KEYRING_BACKEND or keyring's config file), not plaintext, or not usable."""
    try:
        backend = Keyring().load()
    except CredentialsError:
        return None
    plain = [b for b in getattr(backend, "backends", [backend]) if _is_plaintext(b)]
    if not plain or os.environ.get(BACKEND_ENV) or _configured_backend():
        return None
    return (
        f"auth tokens are stored unencrypted in {_home_short(plain[0].file_path)} ({label(plain[0])}, "
        f"chosen because no other keyring is usable); set {BACKEND_ENV}={FILE_BACKEND} to choose a "
        "file keyring knowingly (crash-safe), or install a desktop keyring"
    )


def _is_plaintext(backend: Any) -> bool:
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
