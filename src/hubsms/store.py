"""The TOML config file: load and validate, save atomically under a lock, 0600 (which file:
``hubsms.paths``).

A file that does not parse is never overwritten; the error names the file, line and column.
Unknown keys are an error, not silently dropped; a newer ``schema_version`` is refused.

Over 400 lines: every check of the file format is its own small function; locking, names,
logos and addresses have their own modules.
"""

from __future__ import annotations

import contextlib
import errno
import operator
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Final, TypeVar

from hubsms import fields, files, model, names
from hubsms.errors import ConfigError, InvalidValue
from hubsms.model import Config, Connector, Plan
from hubsms.paths import real_config

LOCK_TIMEOUT_ENV: Final = "HUBSMS_LOCK_TIMEOUT"
_TOP_KEYS: Final = {"schema_version", "settings", "plans", "connectors"}


def load(path: Path) -> Config:
    """The config in ``path``; an empty config when the file does not exist yet."""
    text = _read_text(path, missing_ok=True)
    if text is None:
        return Config()
    config = parse(text, path)
    for connector in config.connectors.values():
        _check_stored_logo(connector, path)
    return config


def read_text(path: Path) -> str:
    """The UTF-8 text of a TOML file (the config, or a desired-state file for ``apply``); a
    ConfigError naming the file when it cannot be read or is not UTF-8."""
    text = _read_text(path, missing_ok=False)
    assert text is not None
    return text


# The largest config file read: some 5x a config of 10,000 connectors and 10,000 plans
# (3.3 MB, benchmarks/scale.py). A larger "config" is a wrong path (a disk image, a log).
MAX_FILE_BYTES: Final = 16 * 1024 * 1024
_PATH_HINT: Final = "name a TOML file: a regular file, or a symlink to one (check --config, HUBSMS_CONFIG or the FILE argument)"


def check_path(path: Path) -> bool:
    """Whether ``path`` exists, checked before hubsms reads or writes it: a regular file (or
    a symlink to one) of at most MAX_FILE_BYTES, or nothing yet. An empty path, a folder, a
    device, a FIFO or a socket is an InvalidValue (exit 2) naming it, so that nothing is
    read from it, waited on, or written in its place."""
    if str(path) in ("", "."):  # Path("") is "."
        raise InvalidValue("config", "the config path is empty (or '.', the current folder)", _PATH_HINT)
    try:
        files.check_regular(os.stat(path), MAX_FILE_BYTES)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise _unreadable(path, exc) from None
    except (files.NotRegularFile, files.TooLarge) as exc:
        raise _not_a_config(path, exc) from None
    return True


def _not_a_config(path: Path, exc: files.NotRegularFile | files.TooLarge) -> InvalidValue:
    if isinstance(exc, files.NotRegularFile):
        return InvalidValue("config", f"{path} is {exc.kind}, not a regular file", _PATH_HINT)
    size, most = (f"{n / 2**20:.1f} MiB" for n in (exc.size, MAX_FILE_BYTES))
    return InvalidValue("config", f"{path} is {size}: more than a config file can be ({most} at most)", _PATH_HINT)


def _unreadable(path: Path, exc: OSError) -> ConfigError:
    return ConfigError(f"cannot read {path}: {_reason(exc)}", "check the path and its permissions")


def _read_text(path: Path, *, missing_ok: bool) -> str | None:
    """The file's text: ``check_path`` first (a device is not even opened), then
    ``files.read_regular``, which checks the open file again."""
    if not check_path(path) and missing_ok:
        return None
    try:
        raw = files.read_regular(path, MAX_FILE_BYTES)
    except (files.NotRegularFile, files.TooLarge) as exc:  # replaced since it was checked
        raise _not_a_config(path, exc) from None
    except OSError as exc:
        if missing_ok and isinstance(exc, FileNotFoundError):
            return None
        raise _unreadable(path, exc) from None
    return decode_text(raw, path)


def decode_text(raw: bytes, source: Path | str) -> str:
    """A TOML file's bytes as text (a file's, or apply's stdin): UTF-8, else a ConfigError
    naming ``source`` and the first byte that is not."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"cannot read {source}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            "re-save the file as UTF-8 (an editor's 'Save with encoding' or iconv -t UTF-8)",
        ) from None


def _check_stored_logo(connector: Connector, path: Path) -> None:
    """A config file's logo is a file hubsms copied into ``logos/`` beside it (``logos/<config
    file name>/<file>``, or ``logos/<file>`` as written before): anything else (``../x``, an
    absolute path) would be read, and deleted by ``connector remove``."""
    logo = connector.logo
    if logo is None:
        return
    from hubsms import logos

    if logos.is_stored_logo(logo):
        return
    raise ConfigError(
        f'{path}: [connectors."{connector.name}"] logo {logo!r} is not a file in logos/ beside the config file',
        f'a logo is stored as "{logos.own_folder(path)}/<file>.png" (or .jpeg, .jpg, .gif): fix the line by hand, '
        "or remove it",
    )


# tomli's compiled wheel parses about 3x faster than the standard tomllib (its pure-Python
# copy) but costs some 12 ms more to import: worth it only for a large file.
LARGE_FILE: Final = 64 * 1024


def parse(text: str, path: Path | str = "<config>") -> Config:
    return config_from(parse_toml(text, path), path)


def parse_toml(text: str, path: Path | str = "<config>") -> dict[str, Any]:
    """The TOML document in ``text``, not yet checked as a config; a ConfigError naming
    ``path``, the line and the column when it does not parse."""
    parser = _toml_parser(len(text))
    try:
        data = parser.loads(text)
    except parser.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: {_toml_error(exc, text)}",
            "fix the file by hand; hubsms never overwrites a file it cannot parse",
        ) from None
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        raise ConfigError(
            f"{path}: invalid TOML: arrays or inline tables are nested too deeply",
            "fix the file by hand; hubsms never overwrites a file it cannot parse",
        ) from None
    except ValueError as exc:
        if "integer string conversion" not in str(exc):  # pragma: no cover - no other ValueError known
            raise
        raise ConfigError(  # int() of more digits than sys.get_int_max_str_digits() allows
            f"{path}: invalid TOML: {_too_long_number(text)}",
            "fix the file by hand; hubsms never overwrites a file it cannot parse",
        ) from None
    return data


def config_from(data: dict[str, Any], path: Path | str = "<config>") -> Config:
    """``from_dict``, its errors naming ``path``."""
    try:
        return from_dict(data)
    except (InvalidValue, ConfigError) as exc:
        # Every error shows a hint; a file hubsms cannot load can only be fixed by hand.
        raise ConfigError(f"{path}: {exc.message}", exc.hint or f"fix {path} by hand; hubsms leaves it as it is") from None


def _too_long_number(document: str) -> str:
    """The parser's int() refused a number of too many digits: where it is, when it can be found."""
    limit = sys.get_int_max_str_digits()
    what = f"a number has more than {limit} digits"
    # a value: after "=", "[" or "," (a number in a string is never converted)
    match = re.search(rf"(?:=|\[|,)\s*[+-]?([0-9][0-9_]{{{limit},}})", document)
    if match is None:
        return what
    start = match.start(1)
    line = document.count("\n", 0, start) + 1
    column = start - (document.rfind("\n", 0, start) + 1) + 1
    return f"{what} (line {line}, column {column})"


def _toml_parser(size: int) -> Any:
    """tomllib, or for a large file tomli (the same parser, compiled) when it is installed."""
    if size > LARGE_FILE:
        try:
            import tomli

            return tomli
        except ImportError:  # pragma: no cover - a dependency; a platform without its wheel
            pass
    import tomllib

    return tomllib


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


def _unique(records: Iterable[_Named], kind: str) -> names.NameTable[_Named]:
    """The records by name; two names with the same ``names.name_key`` (differing in case or
    Unicode normalisation only) are one name written twice. Linear: one dict look-up each."""
    table: names.NameTable[_Named] = names.NameTable()
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
    table = _as_table(table, where.strip("[]"))
    _check_keys(table, {"sms_connector"}, where)
    return Plan(name=name, sms_connector=_required_str(table, "sms_connector", where))


def _connector_from(name: str, table: Any) -> Connector:
    """A connector's table, each key read and checked by its field's rule (``fields``)."""
    where = f'[connectors."{name}"]'
    table = _as_table(table, where.strip("[]"))
    _check_keys(table, fields.KEYS, where)
    values: dict[str, Any] = {"name": _check_table_name(name, where, model.validate_name)}
    try:
        for key, attr, kind, load, required, missing in _READ:
            value = table.get(key)
            if value is None:
                if required:
                    raise ConfigError(f"{where} misses {key}")
                values[attr] = missing(values)
            elif type(value) is not kind:
                raise ConfigError(f"{where} {key} {_KIND_RULES[kind]}, not {value!r}")
            else:
                values[attr] = value if load is None else load(value, values)
    except InvalidValue as exc:
        raise ConfigError(f"{where} {exc.field}: {exc.message}", exc.hint) from None
    return Connector(**values)


# Each field as plain values, for the loop above (10,000 connectors are read in one load);
# a value kept as it is read has no load to call.
_READ: Final = tuple(
    (f.key, f.attr, f.kind, f.load, f.required, f.missing) for f in fields.CONNECTOR
)
_KIND_RULES: Final = {str: "must be a string", bool: "must be true or false"}


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
    """The default and each plan must name a connector; names compare by ``names.name_key``,
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


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    return _as_table(data.get(key, {}), f"[{key}]")


def _as_table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table")
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
    """A connector's table in the file: its fields in ``fields``'s order, an optional one
    only when it is set."""
    return {key: value for (key, optional), value in zip(_WRITTEN, _file_values(connector)) if value or not optional}


_WRITTEN: Final = tuple((field.key, field.optional) for field in fields.CONNECTOR)
_file_values: Final = operator.attrgetter(*(field.attr for field in fields.CONNECTOR))


def dumps(config: Config) -> str:
    """The file's text, exactly as ``tomli_w.dumps(to_dict(config))`` writes it (a test holds
    the two equal), written directly: the document's shape is fixed (flat tables of strings and
    booleans), and at 10,000 connectors tomli_w's general writer took 0.3 s of a 1 s save."""
    chunks = [f"schema_version = {model.SCHEMA_VERSION}\n"]
    if config.default_sms_connector is not None:
        chunks.append(_toml_table("settings", {"default_sms_connector": config.default_sms_connector}))
    for plan in config.plans.values():
        chunks.append(_toml_table(f"plans.{_toml_key(plan.name)}", {"sms_connector": plan.sms_connector}))
    for connector in config.connectors.values():
        chunks.append(_toml_table(f"connectors.{_toml_key(connector.name)}", connector_to_dict(connector)))
    if not config.connectors:
        chunks.append(_toml_table("connectors", {}))  # an empty table, as to_dict has it
    return "".join(chunks)


# TOML basic strings: quote, backslash and control characters (but tab) escaped, as tomli_w does.
_TOML_ESCAPES: Final = {
    **{code: f"\\u{code:04x}" for code in (*range(32), 127) if code != 9},
    8: "\\b", 10: "\\n", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\",
}
_BARE_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")


def _toml_table(header: str, values: dict[str, Any]) -> str:
    lines = "".join(f"{_toml_key(key)} = {_toml_value(value)}\n" for key, value in values.items())
    return f"\n[{header}]\n{lines}"


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_value(value: str | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _toml_string(value)


def _toml_string(text: str) -> str:
    return '"' + text.translate(_TOML_ESCAPES) + '"'


def save(path: Path, config: Config) -> None:
    """Write atomically: a temp file in the same folder, fsync, 0600, then ``os.replace``.
    A symlinked config file stays a link: its final target is written."""
    write_atomic(real_config(path), dumps(config).encode("utf-8"))


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` (not following a symlink there) by ``data``, atomically. The temp
    file's name holds the writer's pid (``.NAME.PID.XXXX.tmp``), for ``stale_temp_files``."""
    ensure_folder(path.parent)
    import tempfile  # only writers need it

    # The folder as the kernel finds it: mkstemp makes its folder absolute by text, dropping
    # "link/.." together, which is another folder when a symlink comes before "..".
    folder = os.path.realpath(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=_TEMP_SUFFIX, dir=folder)
    except OSError as exc:
        raise _write_error(path, exc) from None
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
            raise _write_error(path, exc) from None
        raise


def _write_error(path: Path, exc: OSError) -> ConfigError:
    """A failed write in ``path``'s folder; a folder hubsms may not write in is named."""
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ConfigError(
            f"cannot write in {path.parent}: {_reason(exc).lower()}",
            "make the folder writable for this user, or choose another config file with --config or HUBSMS_CONFIG",
        )
    return ConfigError(f"cannot write {path}: {_reason(exc)}", "check the folder's permissions")


def ensure_folder(folder: Path) -> None:
    """Create ``folder`` and its missing parents 0700, whatever the umask (mkdir's mode is
    narrowed by the umask only, so each folder made here is chmod-ed). Existing folders
    keep their mode."""
    missing = []
    while not folder.is_dir() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for level in reversed(missing):
        try:
            level.mkdir(mode=0o700)
            os.chmod(level, 0o700)
        except FileExistsError:
            continue  # made meanwhile by another hubsms; a file there fails at the next step
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise _write_error(level, exc) from None
            raise ConfigError(f"cannot create {level}: {_reason(exc)}", "check the path and its permissions") from None


def lock_timeout() -> float:
    """Seconds to wait for the file's lock: ``HUBSMS_LOCK_TIMEOUT``, else 30."""
    from hubsms.seconds import parse_seconds

    raw = os.environ.get(LOCK_TIMEOUT_ENV)
    if not raw:
        return 30.0
    return parse_seconds(raw, LOCK_TIMEOUT_ENV, lowest=0, highest=86400, example=f"{LOCK_TIMEOUT_ENV}=30")


def lock_path(path: Path) -> Path:
    """The hidden lock file beside the config file's final target: ``.connectors.toml.lock``."""
    target = real_config(path)
    return target.with_name(f".{target.name}.lock")


@contextlib.contextmanager
def locked(path: Path) -> Iterator[Config]:
    """Hold the file's lock from load through save: concurrent writers wait their turn.
    The lock is the final target's, so that two paths to one file share it."""
    # Imported before the lock is taken, so that waiting writers do not also wait for them.
    import tomllib  # noqa: F401

    from hubsms import locking

    check_path(path)  # before the lock file is made beside it: nothing is written for a bad path
    timeout = lock_timeout()
    lock = lock_path(path)
    ensure_folder(lock.parent)
    try:
        with locking.exclusive(lock, timeout, lambda exc: _write_error(lock, exc)):
            yield load(path)
    except locking.LockTimeout as exc:
        holder = f"process {exc.holder}" if exc.holder else "another hubsms process"
        raise ConfigError(
            f"{path} is locked by {holder} (waited {timeout:g} s)",
            f"try again when it has finished (the lock is released when it ends), or wait longer with {LOCK_TIMEOUT_ENV}",
        ) from None


_TEMP_SUFFIX: Final = ".tmp"
STALE_TEMP_SECONDS: Final = 60.0


def stale_temp_files(config_path: Path, now: float | None = None) -> list[Path]:
    """Temp files a crashed save of this config left behind (``.connectors.toml.PID.X.tmp``
    beside the final target, and the same for files in its logo folder, ``logos/<file
    name>/``, and in ``logos/``, where logos were written before): their writer is no longer
    running, or they are older than a minute (no save takes that long; the pid may have been
    reused). Delete them only while holding ``locked(config_path)``: every save makes its
    temp file under that lock, so none can be in use then."""
    from hubsms import logos

    target = real_config(config_path)
    found = _temp_files(target.parent, target.name)
    for folder in (target.parent / logos.LOGO_FOLDER, target.parent / logos.own_folder(target)):
        if folder.is_dir():
            found += _temp_files(folder, None)
    return _stale(found, now)


def stale_temp_files_of(target: Path, now: float | None = None) -> list[Path]:
    """The temp files a crashed ``write_atomic`` of ``target`` alone left (the keyring's file,
    say), by the same rule as ``stale_temp_files``."""
    return _stale(_temp_files(target.parent, target.name), now)


def _stale(found: list[tuple[Path, int]], now: float | None) -> list[Path]:
    from hubsms import locking

    now = time.time() if now is None else now
    return sorted(p for p, pid in found if not locking.is_running(pid) or now - _mtime(p, now) > STALE_TEMP_SECONDS)


_TEMP_RE: Final = re.compile(r"\.(?P<name>.+)\.(?P<pid>[0-9]+)\.[A-Za-z0-9_]+" + re.escape(_TEMP_SUFFIX))


def _temp_files(folder: Path, name: str | None) -> list[tuple[Path, int]]:
    """hubsms's temp files in ``folder`` (of the file ``name`` only, when given), with their pid."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    matches = ((entry, _TEMP_RE.fullmatch(entry.name)) for entry in entries)
    return [
        (Path(entry.path), int(m["pid"]))
        for entry, m in matches
        if m and (name is None or m["name"] == name) and entry.is_file(follow_symlinks=False)
    ]


def _mtime(path: Path, default: float) -> float:
    try:
        return path.lstat().st_mtime
    except OSError:
        return default
