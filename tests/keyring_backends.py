"""Keyring backends for the error paths: real keyring backends, not patched functions.

Usable in-process (``keyring.set_keyring(BlockingKeyring())``) and in subprocesses
(``PYTHON_KEYRING_BACKEND=keyring_backends.BlockingKeyring`` with ``tests/`` on PYTHONPATH).
"""

from __future__ import annotations

import threading

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError, PasswordSetError
from keyrings.alt.file import PlaintextKeyring

# Bounded so that a test process never hangs on its own backend; far above any timeout tested.
BLOCK_SECONDS = 120.0


class BlockingKeyring(KeyringBackend):
    """Every call waits for ``released`` (set it to let blocked calls finish), like a keyring
    daemon that never answers."""

    priority = 0.1
    released = threading.Event()

    def _block(self) -> None:
        type(self).released.wait(BLOCK_SECONDS)

    def get_password(self, service: str, username: str) -> str | None:
        self._block()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._block()

    def delete_password(self, service: str, username: str) -> None:
        self._block()


class ReadOnlyKeyring(KeyringBackend):
    """Reads from memory; every write fails with PasswordSetError, as a locked or
    read-only store does."""

    priority = 0.1

    def __init__(self, entries: dict[tuple[str, str], str] | None = None) -> None:
        super().__init__()
        self.entries = dict(entries or {})

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("the keyring refused the write")

    def delete_password(self, service: str, username: str) -> None:
        raise PasswordDeleteError("the keyring refused the delete")


class LeakyKeyring(KeyringBackend):
    """A backend with bugs whose messages repeat what they were given, the token included:
    the exceptions no keyring documents (KeyError, RuntimeError)."""

    priority = 0.1

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError(f"backend bug reading {service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyError(f"backend bug storing {password} for {username}")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError(f"backend bug deleting {service}/{username}")


class ForgetfulKeyring(KeyringBackend):
    """Says yes to every write and keeps nothing, as a backend losing entries does."""

    priority = 0.1

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        pass

    def delete_password(self, service: str, username: str) -> None:
        pass


class StickyKeyring(ReadOnlyKeyring):
    """Says yes to every delete and keeps the entry."""

    def delete_password(self, service: str, username: str) -> None:
        pass


class MemoryKeyring(ReadOnlyKeyring):
    """Keeps entries in memory, usernames case-sensitive (unlike keyrings.alt's file, whose
    INI keys are lower-cased), so that two spellings would be two entries."""

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class LeakyFileKeyring(PlaintextKeyring):
    """Reads the test's file keyring; its writes and deletes fail with a message that holds
    the token (the new one, or the one it was asked to delete)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyError(f"backend bug storing {password} for {username}")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError(f"backend bug deleting {self.get_password(service, username)}")


class CountingKeyring(MemoryKeyring):
    """A MemoryKeyring that counts the reads of each entry (``reads[username]``)."""

    def __init__(self, entries: dict[tuple[str, str], str] | None = None) -> None:
        super().__init__(entries)
        self.reads: dict[str, int] = {}

    def get_password(self, service: str, username: str) -> str | None:
        self.reads[username] = self.reads.get(username, 0) + 1
        return super().get_password(service, username)


class CountingBlockingKeyring(BlockingKeyring):
    """A BlockingKeyring that counts the calls that reached it (``calls``)."""

    calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        type(self).calls += 1
        return super().get_password(service, username)


class DesktopKeyring(MemoryKeyring):
    """Stands for a desktop keyring (Secret Service): encrypted, high priority."""

    priority = 5


def desktop_then_plaintext_chain(file_backend: KeyringBackend) -> KeyringBackend:
    """keyring's own chainer over a desktop keyring first and keyrings.alt's file second, as
    keyring builds it when gnome-keyring runs and keyrings.alt is installed."""
    from keyring.backends.chainer import ChainerBackend

    class Chain(ChainerBackend):
        backends = [DesktopKeyring(), file_backend]  # type: ignore[assignment]

    return Chain()
