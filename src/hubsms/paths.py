"""Where hubsms's files are: the config file (one precedence, one function), the real file
behind a symlinked one (``real_config``), and the per-user folders. Computed here without
importing typer (``typer.get_app_dir("hubsms")`` names the same config folder).

The config file is, in order: ``--config`` (on the command or before it), else
``HUBSMS_CONFIG``, else ``connectors.toml`` in the per-user config folder.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Final, NamedTuple

CONFIG_ENV: Final = "HUBSMS_CONFIG"
FLAG: Final = "--config"
DEFAULT: Final = "the per-user default"


class ConfigPath(NamedTuple):
    """The config file and what chose it: ``--config``, ``HUBSMS_CONFIG`` or the default."""

    path: Path
    origin: str


def config_path(flag: str | os.PathLike[str] | None, environ: Mapping[str, str] | None = None) -> ConfigPath:
    """The config file by the module's precedence, and where it came from."""
    if flag is not None:
        return ConfigPath(Path(flag), FLAG)
    env = (os.environ if environ is None else environ).get(CONFIG_ENV)
    if env:
        return ConfigPath(Path(env), CONFIG_ENV)
    return ConfigPath(default_config_path(), DEFAULT)


def real_config(path: Path) -> Path:
    """The file that holds the config: the final target when ``path`` is a symlink (as a
    dotfiles manager makes), else ``path``. What belongs to the config lives beside this
    file, not beside the link: saves, the lock, the logos."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else path


def config_origin(path: Path, environ: Mapping[str, str] | None = None) -> str:
    """What would have chosen ``path`` (for messages about a config file that was not found):
    ``HUBSMS_CONFIG`` when it names it, the default when it is the default, else ``--config``."""
    env = (os.environ if environ is None else environ).get(CONFIG_ENV)
    if env and Path(env) == path:
        return CONFIG_ENV
    if path == default_config_path():
        return DEFAULT
    return FLAG


def default_config_path() -> Path:
    """``connectors.toml`` in the per-user config folder."""
    if sys.platform.startswith("win"):
        base = os.environ.get("APPDATA") or os.path.expanduser("~")
        return Path(base) / "hubsms" / "connectors.toml"
    if sys.platform == "darwin":
        return Path(os.path.expanduser("~/Library/Application Support")) / "hubsms" / "connectors.toml"
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return Path(base) / "hubsms" / "connectors.toml"


def keyring_lock_path() -> Path:
    """The per-user lock that serialises hubsms's keyring writes (and its record of config
    files, ``hubsms.registry``)."""
    return user_data_dir() / "keyring.lock"


def user_data_dir() -> Path:
    """hubsms's per-user data folder (the keyring's lock and what hubsms keeps beside it)."""
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Application Support")
    else:
        base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return Path(base) / "hubsms"
