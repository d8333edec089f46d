"""Keyring backends that fail, for the reliability run: load them in a hubsms process with
``PYTHON_KEYRING_BACKEND=fault_keyrings.HangingKeyring`` and benchmarks/ on PYTHONPATH."""

from __future__ import annotations

import time

from keyring.backend import KeyringBackend
from keyring.errors import KeyringError

# Bounded, so that a process left behind ends by itself; far above any timeout measured.
HANG_SECONDS = 60.0


class HangingKeyring(KeyringBackend):
    """Every call hangs, like a keyring daemon that never answers."""

    priority = 0.1

    def get_password(self, service: str, username: str) -> str | None:
        time.sleep(HANG_SECONDS)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        time.sleep(HANG_SECONDS)

    def delete_password(self, service: str, username: str) -> None:
        time.sleep(HANG_SECONDS)


class RaisingKeyring(KeyringBackend):
    """Every call raises keyring's own error, like a locked or broken keyring."""

    priority = 0.1

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError("the keyring is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("the keyring is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("the keyring is locked")
