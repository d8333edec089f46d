"""The TOML config file: find, load and validate, save atomically under a lock, 0600.

A file that does not parse is never overwritten; the error names the file, line and column.
Unknown keys are an error, not silently dropped; a newer ``schema_version`` is refused.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Final, TypeVar

from hubsms import logos, model
from hubsms.errors import ConfigError, InvalidValue
from hubsms.model import Config, Connector, Plan

LOCK_TIMEOUT_ENV: Final = "HUBSMS_LOCK_TIMEOUT"
_CONNECTOR_KEYS: Final = {
    "provider", "logo", "server_address", "account_sid", "from", "active", "auth_token_env",
}
_TOP_KEYS: Final = {"schema_version", "settings", "plans", "connectors"}


def default_config_path() -> Path:
    """``connectors.toml`` in the per-user folder that ``typer.get_app_dir("hubsms")`` names
    (computed here the same way, so that reading the file never imports typer)."""
    if sys.platform.startswith("win"):
        base = os.environ.get("APPDATA") or os.path.expanduser("~")
        return Path(base) / "hubsms" / "connectors.toml"
    if sys.platform == "darwin":
        return Path(os.path.expanduser("~/Library/Application Support")) / "hubsms" / "connectors.toml"
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return Path(base) / "hubsms" / "connectors.toml"


def load(path: Path) -> Config:
    """The config in ``path``; an empty config when the file does not exist yet."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {_reason(exc)}", "check the path and its permissions") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"cannot read {path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            "re-save the file as UTF-8 (an editor's 'Save with encoding' or iconv -t UTF-8)",
        ) from None
    config = parse(text, path)
    for connector in config.connectors.values():
        _check_stored_logo(connector, path)
    return config


def _check_stored_logo(connector: Connector, path: Path) -> None:
    """A config file's logo is a file hubsms copied into ``logos/`` beside it: anything else
    (``../x``, an absolute path) would be read, and deleted by ``connector remove``."""
    logo = connector.logo
    if logo is None or logos.is_stored_logo(logo):
        return
    raise ConfigError(
        f'{path}: [connectors."{connector.name}"] logo {logo!r} is not a file in logos/ beside the config file',
        'a logo is stored as "logos/<file>.png" (or .jpeg, .jpg, .gif): fix the line by hand, or remove it',
    )


def parse(text: str, path: Path | str = "<config>") -> Config:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: {_toml_error(exc, text)}",
            "fix the file by hand; hubsms never overwrites a file it cannot parse",
        ) from None
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        raise ConfigError(
            f"{path}: invalid TOML: arrays or inline tables are nested too deeply",
            "fix the file by hand; hubsms never overwrites a file it cannot parse",
        ) from None
    try:
        return from_dict(data)
    except (InvalidValue, ConfigError) as exc:
        # Every error shows a hint; a file hubsms cannot load can only be fixed by hand.
        raise ConfigError(f"{path}: {exc.message}", exc.hint or f"fix {path} by hand; hubsms leaves it as it is") from None


def _toml_error(exc: Exception, document: str) -> str:
    # tomllib ends its message with "(at line L, column C)" or "(at end of document)".
    text = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)|\(at end of document\)", text)
    if not match:
        return f"invalid TOML: {text}"
    what = text[: match.start()].strip()
    if match[1]:
        line, column = int(match[1]), int(match[2])
    else:
        lines = document.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
    return f"invalid TOML at line {line}, column {column}: {what}"


def _reason(exc: BaseException) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def from_dict(data: dict[str, Any]) -> Config:
    """Build and check a Config from parsed TOML."""
    _check_keys(data, _TOP_KEYS, "the file")
    version = data.get("schema_version", model.SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ConfigError(f"schema_version must be a positive integer, not {version!r}")
    if version > model.SCHEMA_VERSION:
        raise ConfigError(
            f"schema_version {version} is newer than this hubsms understands ({model.SCHEMA_VERSION})",
            "upgrade hubsms",
        )
    connectors = _unique((_connector_from(name, table) for name, table in _table(data, "connectors").items()), "connector")
    settings = _table(data, "settings")
    _check_keys(settings, {"default_sms_connector"}, "[settings]")
    default = _optional_str(settings, "default_sms_connector", "[settings]")
    plans = _unique((_plan_from(name, table) for name, table in _table(data, "plans").items()), "plan")
    config = Config(connectors=connectors, plans=plans, default_sms_connector=default)
    _check_references(config)
    return config


_Named = TypeVar("_Named", Connector, Plan)


def _unique(records: Iterable[_Named], kind: str) -> model.NameTable[_Named]:
    """The records by name; two names with the same ``model.name_key`` (differing in case or
    Unicode normalisation only) are one name written twice. Linear: one dict look-up each."""
    table: model.NameTable[_Named] = model.NameTable()
    for record in records:
        other = table.find(record.name)
        if other is not None:
            raise ConfigError(
                f'{kind} names must be unique (ignoring case and Unicode normalisation): "{record.name}" appears twice',
                f'rename or merge one of the [{kind}s."{other.name}"] tables by hand',
            )
        table[record.name] = record
    return table


def _plan_from(name: str, table: Any) -> Plan:
    where = f'[plans."{name}"]'
    name = _check_table_name(name, where, model.validate_plan_name)
    table = _table({"x": table}, "x", where.strip("[]"))
    _check_keys(table, {"sms_connector"}, where)
    return Plan(name=name, sms_connector=_required_str(table, "sms_connector", where))


def _connector_from(name: str, table: Any) -> Connector:
    where = f'[connectors."{name}"]'
    table = _table({"x": table}, "x", where.strip("[]"))
    _check_keys(table, _CONNECTOR_KEYS, where)
    name = _check_table_name(name, where, model.validate_name)
    try:
        provider = model.validate_provider(_optional_str(table, "provider", where) or model.TWILIO.key)
        address = _optional_str(table, "server_address", where) or model.PROVIDERS[provider].default_server_address
        env = _optional_str(table, "auth_token_env", where)
        sender = _required_str(table, "from", where)
        if not model.is_sender_shape(sender):
            raise InvalidValue("from", f"invalid from {sender!r}", model.FROM_RULE)
        active = table.get("active", True)
        if not isinstance(active, bool):
            raise ConfigError(f"{where} active must be true or false, not {active!r}")
        return Connector(
            name=name,
            provider=provider,
            account_sid=model.validate_account_sid(_required_str(table, "account_sid", where)),
            from_=model.normal_sender(sender),
            server_address=model.validate_server_address(address)[0],
            active=active,
            logo=_optional_str(table, "logo", where),
            auth_token_env=model.validate_env_name(env) if env is not None else None,
        )
    except InvalidValue as exc:
        raise ConfigError(f"{where} {exc.field}: {exc.message}", exc.hint) from None


def _check_table_name(name: str, where: str, validate: Callable[[str], str]) -> str:
    """A table's key is the name as hubsms would store it: trimmed, 1-64 printable
    characters. A key with spaces around it would load, then match no command's NAME. A
    key in another Unicode normalisation (an editor's NFD) is the same name: returned NFC."""
    try:
        valid = validate(name)
    except InvalidValue as exc:
        raise ConfigError(f"{where} {exc.message}", f"{exc.hint}: rename the table by hand") from None
    if name.strip() != name:
        raise ConfigError(
            f"{where}: the name has spaces around it",
            "names are trimmed, 1-64 printable characters: rename the table by hand, without them",
        )
    return valid


def _check_references(config: Config) -> None:
    """The default and each plan must name a connector; names compare by ``model.name_key``,
    as everywhere, and a reference is kept in the connector's own spelling."""
    known = ", ".join(f'"{n}"' for n in config.connectors) or "none yet"
    hint = f"name one of the connectors ({known}), or remove the line"
    default = config.default_sms_connector
    if default is not None:
        connector = config.find(default)
        if connector is None:
            raise ConfigError(f'[settings] default_sms_connector names "{default}", which is not a connector', hint)
        config.default_sms_connector = connector.name
    for key, plan in list(config.plans.items()):
        connector = config.find(plan.sms_connector)
        if connector is None:
            raise ConfigError(
                f'[plans."{plan.name}"] sms_connector names "{plan.sms_connector}", which is not a connector', hint
            )
        config.plans[key] = plan._replace(sms_connector=connector.name)


def _table(data: dict[str, Any], key: str, where: str | None = None) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where or '[' + key + ']'} must be a table")
    return value


def _check_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(
            f"unknown key {unknown[0]!r} in {where}",
            f"allowed keys: {', '.join(sorted(allowed))}",
        )


def _optional_str(table: dict[str, Any], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{where} {key} must be a string, not {value!r}")
    return value


def _required_str(table: dict[str, Any], key: str, where: str) -> str:
    value = _optional_str(table, key, where)
    if value is None:
        raise ConfigError(f"{where} misses {key}")
    return value


def to_dict(config: Config) -> dict[str, Any]:
    """The TOML document of a config (schema_version, settings, plans, connectors)."""
    data: dict[str, Any] = {"schema_version": model.SCHEMA_VERSION}
    if config.default_sms_connector is not None:
        data["settings"] = {"default_sms_connector": config.default_sms_connector}
    if config.plans:
        data["plans"] = {p.name: {"sms_connector": p.sms_connector} for p in config.plans.values()}
    data["connectors"] = {c.name: connector_to_dict(c) for c in config.connectors.values()}
    return data


def connector_to_dict(connector: Connector) -> dict[str, Any]:
    table: dict[str, Any] = {"provider": connector.provider}
    if connector.logo:
        table["logo"] = connector.logo
    table["server_address"] = connector.server_address
    table["account_sid"] = connector.account_sid
    table["from"] = connector.from_
    table["active"] = connector.active
    if connector.auth_token_env:
        table["auth_token_env"] = connector.auth_token_env
    return table


def dumps(config: Config) -> str:
    import tomli_w

    return tomli_w.dumps(to_dict(config))


def save(path: Path, config: Config) -> None:
    """Write atomically: a temp file in the same folder, fsync, 0600, then ``os.replace``."""
    write_atomic(path, dumps(config).encode("utf-8"))


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    ensure_folder(path.parent)
    import tempfile  # only writers need it

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise ConfigError(f"cannot write {path}: {_reason(exc)}", "check the folder's permissions") from None
        raise


def ensure_folder(folder: Path) -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create {folder}: {_reason(exc)}", "check the path and its permissions") from None


def lock_timeout() -> float:
    """Seconds to wait for the file's lock: ``HUBSMS_LOCK_TIMEOUT``, else 30."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV)
    if not raw:
        return 30.0
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:  # also refuses NaN
        raise InvalidValue(LOCK_TIMEOUT_ENV, f"{LOCK_TIMEOUT_ENV}={raw!r} is not a number of seconds", "e.g. 30")
    return value


@contextlib.contextmanager
def locked(path: Path) -> Iterator[Config]:
    """Hold the file's lock from load through save: concurrent writers wait their turn."""
    from filelock import FileLock, Timeout

    # Imported before the lock is taken, so that waiting writers do not also wait for them.
    import tomli_w  # noqa: F401
    import tomllib  # noqa: F401

    timeout = lock_timeout()
    ensure_folder(path.parent)
    lock = FileLock(str(path) + ".lock", timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise ConfigError(
            f"{path} is locked by another hubsms process (waited {timeout:g} s)",
            f"try again, or remove {path}.lock if no hubsms is running",
        ) from None
    try:
        yield load(path)
    finally:
        lock.release()
