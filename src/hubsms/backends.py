"""The keyring backends installed here and which could be chosen: for the error that names the
choices when ``PYTHON_KEYRING_BACKEND`` (or keyring's config file) names a backend that cannot be
loaded. Below ``credentials`` (which raises that error) and ``keyring_choice`` (which says
which backend is in use); imports keyring only when asked."""

from __future__ import annotations

import sys
from typing import Any, Final

BACKEND_ENV: Final = "PYTHON_KEYRING_BACKEND"
FILE_BACKEND: Final = "hubsms.keyring_file.AtomicPlaintextKeyring"


def label(backend: Any) -> str:
    """A backend's class, as PYTHON_KEYRING_BACKEND names it (keyrings.alt's plaintext file
    keyring by its own name when hubsms writes it crash-safely: ``keyring_file.crash_safe``)."""
    return getattr(backend, "stands_for", None) or f"{type(backend).__module__}.{type(backend).__name__}"


def available_backends() -> list[str]:
    """The backends that could be chosen with PYTHON_KEYRING_BACKEND here: keyring's viable
    ones (but ``fail`` and ``null``) and hubsms's file backend when keyrings.alt is installed."""
    import keyring.backend

    names = [label(b) for b in keyring.backend.get_all_keyring()]
    names = [n for n in names if not n.startswith(_NOT_A_CHOICE)]
    if has_keyrings_alt() and FILE_BACKEND not in names:
        names.append(FILE_BACKEND)
    return sorted(names)


def unusable_backends() -> list[str]:
    """The backends installed that cannot work here, each with keyring's reason, e.g.
    ``keyring.backends.SecretService.Keyring (Environment variable DBUS_SESSION_BUS_ADDRESS is
    unset)``; those made for another system (Windows, macOS) left out."""
    import keyring.backend

    keyring.backend.get_all_keyring()  # loads the plugins: every backend class is then known
    found = []
    for cls in keyring.backend.KeyringBackend._classes:  # keyring's registry of backend classes
        name = f"{cls.__module__}.{cls.__name__}"
        if name.startswith(_NOT_A_CHOICE) or any(part in _OTHER_SYSTEMS for part in name.split(".")):
            continue
        try:
            cls.priority  # noqa: B018 - raises the reason when the backend cannot work here
        except Exception as exc:
            found.append(f"{name} ({' '.join(str(exc).split())[:100] or type(exc).__name__})")
    return sorted(found)


def has_keyrings_alt() -> bool:
    """Whether keyrings.alt (the file keyrings, hubsms's included) can be imported here."""
    import importlib.util

    try:
        return importlib.util.find_spec("keyrings.alt") is not None
    except ImportError:  # no package keyrings at all
        return False


def choices_hint() -> str:
    """What to set PYTHON_KEYRING_BACKEND to, for the hint of a backend that cannot be loaded:
    the backends usable here; without keyrings.alt, also the package that adds the file
    keyring and, when nothing is usable, the backends installed and why they cannot work."""
    choices = available_backends()
    if has_keyrings_alt():
        return f"set {BACKEND_ENV} to one of: {', '.join(choices)}"
    add_file = (
        f"install keyrings.alt beside hubsms ('{sys.executable} -m pip install keyrings.alt', or "
        f"'pipx inject hubsms keyrings.alt') and set {BACKEND_ENV}={FILE_BACKEND} (tokens unencrypted in a 0600 file)"
    )
    if choices:
        return f"set {BACKEND_ENV} to one of: {', '.join(choices)}; or {add_file}"
    unusable = unusable_backends()
    installed = f" (installed, not usable: {', '.join(unusable)})" if unusable else ""
    return f"no keyring backend is usable here{installed}; {add_file}"


_NOT_A_CHOICE = ("keyring.backends.fail.", "keyring.backends.null.", "keyring.backends.chainer.")
_OTHER_SYSTEMS = {"win32": "macOS", "darwin": "Windows"}.get(sys.platform, "Windows macOS").split()
