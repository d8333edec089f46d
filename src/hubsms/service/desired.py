"""The desired-state file that ``apply`` reads: parsed and checked whole before anything is
compared (``declarative`` plans and applies it). Service layer: no printing, no typer.

Beyond the config file's format it holds an ``[apply]`` table (options the file asks for)
and a connector's ``logo_base64`` (the image itself, as ``export`` writes it); it must say
``schema_version``, since an empty input (a failed download piped in) describes nothing.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import Any, Final

from hubsms import store
from hubsms.errors import ConfigError, ConnectorInactive, InvalidValue, UsageError
from hubsms.logos import Logo, is_stored_logo, validate_logo
from hubsms.model import Config, Connector
from hubsms.service.connectors import ConnectorInput, check_fields

APPLY_OPTIONS: Final = ("keep_env_refs", "allow_empty")  # the keys of a file's [apply] table
_SCHEMA_LINE: Final = re.compile(r"^[ \t]*schema_version[ \t]*=", re.MULTILINE)


# --- the desired file ----------------------------------------------------------------------


class Desired:
    """A checked desired-state file: its config (logos as paths of the source images) and the
    logo images read from it. Warnings (a From in no assigned range, a server address that is
    not Twilio's) are the planner's to say, where apply sets those values."""

    __slots__ = ("label", "config", "logos", "keep_env_refs", "allow_empty", "logo_names")

    def __init__(self, label: str, config: Config, *, keep_env_refs: bool = False, allow_empty: bool = False) -> None:
        self.label = label
        self.config = config
        self.logos: dict[str, Logo] = {}
        # the file's [apply] table: options it asks for, as if given on the command line
        self.keep_env_refs = keep_env_refs
        self.allow_empty = allow_empty
        # a logo's stored name (logos/<file>) the file gives: kept when it is free
        self.logo_names: dict[str, str] = {}


def read_desired_file(source: Path) -> Desired:
    return read_desired(store.read_text(source), str(source), source.parent)


def read_desired(text: str, label: str, base: Path) -> Desired:
    """Parse and check a whole desired-state file before anything is compared: a
    ``schema_version`` (else UsageError: an empty pipe is not a desired state), the config
    format (which also holds the plan names valid and unique, and each reference in its
    connector's spelling), every field by the rules of ``connector add`` (the From only by its
    shape: the planner checks the rest where it changes), and only active
    connectors used by the default and plans. Relative logo paths are read from ``base``;
    ``logo_base64`` is a logo embedded in the file."""
    _require_schema_version(text, label)
    data = store.parse_toml(text, label)
    _require_schema_version(data, label)
    options = _pop_apply_options(data, label)
    embedded = _pop_embedded_logos(data, label)
    parsed = store.config_from(data, label)
    desired = Desired(label, Config(plans=parsed.plans, default_sms_connector=parsed.default_sms_connector), **options)
    for connector, image in zip(parsed.connectors.values(), embedded, strict=True):
        checked, logo = _check_connector(connector, label, base, image)
        desired.config.connectors[checked.name] = checked
        if logo is not None:
            desired.logos[checked.name] = logo
        if connector.logo and is_stored_logo(connector.logo):
            desired.logo_names[checked.name] = connector.logo
    _check_uses_active(desired.config, label)
    return desired


def _require_schema_version(document: str | dict[str, Any], label: str) -> None:
    """An input without ``schema_version`` is no desired state: applied, it would describe
    nothing (and with --prune remove everything). The text is looked at before it is
    parsed, so that an HTML error page is said as what it is, not as a TOML error."""
    if isinstance(document, str):
        if _SCHEMA_LINE.search(document):
            return
        what = "is empty" if not document.strip() else "has no schema_version line"
    elif "schema_version" in document:
        return
    else:
        what = "has no top-level schema_version"
    raise UsageError(
        f"{label} {what}: it is not a hubsms desired-state file; nothing was changed",
        "a desired-state file starts with schema_version = 1 ('hubsms export' writes one); "
        "an empty input is often a failed download",
    )


def _pop_apply_options(data: dict[str, Any], label: str) -> dict[str, bool]:
    """The file's ``[apply]`` table (options the file asks for), taken out of the config."""
    table = data.pop("apply", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{label}: [apply] must be a table", f"its keys: {', '.join(APPLY_OPTIONS)}")
    for key, value in table.items():
        if key not in APPLY_OPTIONS:
            raise ConfigError(f"{label}: unknown key {key!r} in [apply]", f"allowed keys: {', '.join(APPLY_OPTIONS)}")
        if not isinstance(value, bool):
            raise ConfigError(f"{label}: [apply] {key} must be true or false, not {value!r}", f"write {key} = true, or leave it out")
    return {key: bool(table.get(key, False)) for key in APPLY_OPTIONS}


def _pop_embedded_logos(data: dict[str, Any], label: str) -> list[bytes | None]:
    """Each connector's ``logo_base64`` (in the file's order), taken out of its table."""
    tables = data.get("connectors", {})
    if not isinstance(tables, dict):
        return []  # the config's own check says what is wrong
    images: list[bytes | None] = []
    for name, table in tables.items():
        encoded = table.pop("logo_base64", None) if isinstance(table, dict) else None
        if encoded is None:
            images.append(None)
            continue
        where = f'{label}: [connectors."{name}"]'
        if not isinstance(encoded, str) or not isinstance(table.get("logo"), str):
            raise ConfigError(
                f"{where} logo_base64 must be a string, beside logo (the image's file name)",
                "'hubsms export' writes both: logo = \"logos/NAME.png\" and logo_base64 = \"...\"",
            )
        try:
            images.append(base64.b64decode("".join(encoded.split()), validate=True))
        except (binascii.Error, ValueError):
            raise ConfigError(f"{where} logo_base64 is not base64", "export the config again with 'hubsms export'") from None
    return images


def _check_connector(c: Connector, label: str, base: Path, image: bytes | None) -> tuple[Connector, Logo | None]:
    where = f'{label}: [connectors."{c.name}"]'
    logo_path = base / c.logo if c.logo and image is None else None  # an absolute logo path stays as it is
    # The From is checked by the planner (declarative._Planner._checked), which knows the
    # config: only a From the connector does not already have costs phonenumbers' check. Here
    # it keeps the shape the config format checked; warnings are the planner's to say.
    values = ConnectorInput.of(c, logo=logo_path, from_=None)
    try:
        checked, _warnings, logo = check_fields(values, base=c)
        if image is not None:  # an embedded logo comes with its name (_pop_embedded_logos)
            logo = Logo(image, validate_logo(Path(c.logo).name, image))
    except InvalidValue as exc:
        raise ConfigError(f"{where} {exc.field}: {exc.message}", exc.hint) from None
    checked = checked.with_changes(logo=str(logo_path) if logo_path else c.logo)
    return checked, logo


def _check_uses_active(config: Config, label: str) -> None:
    for connector, uses in config.inactive_in_use():
        raise ConnectorInactive(
            f'{label}: "{connector.name}" is inactive and cannot be used by {", ".join(uses)}',
            "make it active in the file (active = true), or name an active connector there",
        )
