"""A crash-safe plaintext file keyring for servers without a desktop keyring.

keyrings.alt's ``PlaintextKeyring`` rewrites its file in place: it opens it for writing
(truncating it) and then writes every entry again. A process killed between the two, or two
processes writing at once, loses every entry or some of them. ``AtomicPlaintextKeyring``
keeps the same file and format (tokens stored by one are read by the other) but writes the
new content to a temporary file in the same folder, flushes it to disk and renames it over
the old one, under a lock: at any moment the file holds either the old or the new entries.

Choose it with ``PYTHON_KEYRING_BACKEND=hubsms.keyring_file.AtomicPlaintextKeyring``
(needs ``keyrings.alt``). The tokens are not encrypted: the file is readable by its owner only.
When keyrings.alt's ``PlaintextKeyring`` itself is the backend (chosen by name, or by priority),
hubsms writes its file through this class all the same (:func:`crash_safe`): a kill -9 in the
middle of keyrings.alt's own write leaves the file empty, every token of every config gone.
"""

from __future__ import annotations

import base64
import configparser
import contextlib
import glob
import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from keyring.errors import PasswordDeleteError
from keyrings.alt.escape import escape as escape_for_ini
from keyrings.alt.file import PlaintextKeyring


class AtomicPlaintextKeyring(PlaintextKeyring):
    """keyrings.alt's plaintext file keyring, each write atomic and serialised by a lock."""

    # Above PlaintextKeyring's 0.5: when both are candidates, the crash-safe one writes the
    # (same) file. Still below 1: never "recommended" over a real keyring.
    priority = 0.6  # type: ignore[assignment]

    def get_passwords(self, service: str, usernames: list[str]) -> dict[str, str | None]:
        """Several entries from one read of the file (``get_password`` reads it once each)."""
        config = configparser.RawConfigParser()
        if os.path.exists(self.file_path):
            config.read(self.file_path, encoding="utf-8")
        return {user: self._entry(config, service, user) for user in usernames}

    def _entry(self, config: configparser.RawConfigParser, service: str, username: str) -> str | None:
        """One entry as keyrings.alt stores it: base64 of the (here plain) value."""
        section, option = escape_for_ini(service), escape_for_ini(username)
        if not config.has_option(section, option):
            return None
        stored = base64.decodebytes(config.get(section, option).encode())
        assoc = self._generate_assoc(service, username)
        try:
            return self.decrypt(stored, assoc).decode("utf-8")
        except ValueError:
            return self.decrypt(stored).decode("utf-8")

    def _write_config_value(self, service: str, key: str, value: str) -> None:
        section, option = escape_for_ini(service), escape_for_ini(key)

        def put(config: configparser.RawConfigParser) -> None:
            if not config.has_section(section):
                config.add_section(section)
            config.set(section, option, value)

        self._update(put)

    def delete_password(self, service: str, username: str) -> None:
        section, option = escape_for_ini(service), escape_for_ini(username)

        def remove(config: configparser.RawConfigParser) -> None:
            if not config.has_section(section) or not config.remove_option(section, option):
                raise PasswordDeleteError("Password not found")

        self._update(remove)

    def _update(self, change: Callable[[configparser.RawConfigParser], None]) -> None:
        """Read, change and replace the file while holding its lock, so that no concurrent
        writer's entry is lost between our read and our write."""
        with self._locked():
            self._remove_leftovers()
            config = configparser.RawConfigParser()
            config.read(self.file_path, encoding="utf-8")
            change(config)
            _replace(self.file_path, config)

    def _remove_leftovers(self) -> None:
        """Temporary files of writers killed before their rename: they hold tokens. Under
        the lock no write is under way, so that any there is a leftover."""
        folder, name = os.path.split(self.file_path)
        for entry in glob.glob(os.path.join(glob.escape(folder or "."), f".{glob.escape(name)}.*.tmp")):
            with contextlib.suppress(OSError):
                os.unlink(entry)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """The file's own lock, beside it. hubsms's writes already hold the per-user lock
        (credentials), but another program may use this backend and the same file: this one
        keeps them apart. It waits as long as hubsms waits for any lock (HUBSMS_LOCK_TIMEOUT)."""
        from hubsms.locking import exclusive
        from hubsms.store import ensure_folder, lock_timeout

        ensure_folder(Path(os.path.dirname(self.file_path) or "."))
        with exclusive(Path(self.file_path + ".lock"), lock_timeout(), lambda exc: exc):
            yield


def crash_safe(backend: PlaintextKeyring) -> AtomicPlaintextKeyring:
    """keyrings.alt's ``PlaintextKeyring`` as this class: the same file (its path as that
    backend has it, set by keyring's config or ``KEYRING_PROPERTY_*`` too), read and written
    crash-safely. Only that class itself: a subclass may change how it stores."""
    safe = AtomicPlaintextKeyring.__new__(AtomicPlaintextKeyring)
    safe.__dict__.update(vars(backend))
    safe.stands_for = f"{type(backend).__module__}.{type(backend).__name__}"  # named as chosen
    return safe


def _replace(path: str, config: configparser.RawConfigParser) -> None:
    """The new content goes through hubsms's atomic write (temporary file, fsync, rename),
    mode 0600 as keyrings.alt makes it."""
    from hubsms.store import write_atomic

    text = io.StringIO()
    config.write(text)
    write_atomic(Path(path), text.getvalue().encode("utf-8"), 0o600)
