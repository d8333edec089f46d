"""A keyrings.alt plaintext file keyring whose writes survive kill -9, for the kill tests.

keyrings.alt's ``PlaintextKeyring`` truncates its file and then writes every entry again: a
process killed in between loses every token of the file, which is the backend's fault, not
the order of hubsms's writes that the kill tests check. This one writes a temp file, fsyncs
it and renames it over the old one (same file, same format). Used in subprocesses as
``PYTHON_KEYRING_BACKEND=crash_safe_keyring.ReplacingPlaintextKeyring`` with ``tests/`` on
PYTHONPATH.
"""

from __future__ import annotations

import configparser
import os

from keyrings.alt.escape import escape
from keyrings.alt.file import PlaintextKeyring


class ReplacingPlaintextKeyring(PlaintextKeyring):
    def _write_config_value(self, service: str, key: str, value: str) -> None:
        self._ensure_file_path()
        config = configparser.RawConfigParser()
        config.read(self.file_path, encoding="utf-8")
        section = escape(service)
        if not config.has_section(section):
            config.add_section(section)
        config.set(section, escape(key), value)
        temp = f"{self.file_path}.{os.getpid()}.tmp"
        with open(temp, "w", encoding="utf-8") as handle:
            config.write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, self.file_path)
