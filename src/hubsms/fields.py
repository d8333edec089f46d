"""A connector's fields, each defined once: its attribute, its key in the file, how people
see it, the option that sets it and the rules that check it. Pure: no I/O.

What is made from this table: the file's keys, reading and writing (``store``), the values
``connector add``/``edit`` and ``apply`` take and check and the fields they compare
(``service.connectors``), what ``show`` and ``list --wide``/``--json`` show
(``service.views``, ``cli.render``), the options' definitions (``cli.params``) and the
dialog's questions and summary (``cli.dialog``). A new field is a row here, its attribute on
``model.Connector`` and its rule in ``model``, and its option on the ``add`` and ``edit``
commands (``cli/connector.py``); docs/architecture.md has the recipe.

The name is no row: it is the key of the connector's table in the file, not a value in it.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from pathlib import Path
from typing import Any, Final, NamedTuple

from hubsms import model
from hubsms.errors import InvalidValue
from hubsms.model import Connector, Provider


def _plain(value: Any, provider: Provider) -> tuple[Any, str | None]:
    return value, None


class Field(NamedTuple):
    """One field of a connector. ``check`` takes a value as given (a flag, a prompt, apply's
    file) and the provider, and returns it as stored, with a warning or None; ``load`` takes
    a value read from the config file, already of ``kind``, and the values read before it,
    and returns it as stored (both raise ``InvalidValue``; no ``load``: kept as read). ``missing`` gives the value of a
    key the file leaves out, from the values read before it (``required``: none, an error).
    ``optional`` keys are written only when set."""

    attr: str  # model.Connector's attribute (and ConnectorInput's)
    key: str  # the key in the file, in show's and list's --json, and in apply's changes
    label: str  # the dialog's question and summary line; the --wide column's title of a field listed later
    flag: str | None  # the option of connector add and edit
    option: type  # the option's value (str or Path; bool: --active/--inactive)
    metavar: str | None
    help: str  # the option's help
    about: str  # the dialog's help line above the question
    check: Callable[[Any, Provider], tuple[Any, str | None]] = _plain
    load: Callable[[Any, dict[str, Any]], Any] | None = None  # None: kept as the file has it
    kind: type = str  # the value's type in the file: str or bool
    required: bool = False
    missing: Callable[[dict[str, Any]], Any] = lambda values: None
    optional: bool = True
    step: int = 1  # the dialog's step that asks it; 0: not asked
    listed: bool = True  # a column of list --wide and a key of list --json


def _stored_from(value: str, values: dict[str, Any]) -> str:
    if not model.is_sender_shape(value):
        raise InvalidValue("from", f"invalid from {value!r}", model.FROM_RULE)
    return model.normal_sender(value)


def _given_env(value: str, provider: Provider) -> tuple[str | None, None]:
    """An empty variable name (``edit --auth-token-env ''``) drops the reference."""
    name = value.strip()
    return (model.validate_env_name(name) if name else None), None


def _default_address(values: dict[str, Any]) -> str:
    return model.PROVIDERS[values["provider"]].default_server_address


CONNECTOR: Final = (  # in the file's order
    Field(
        "provider", "provider", "Provider", None, str, None, "The SMS gateway.",
        "The SMS gateway that sends the messages.",
        check=lambda value, provider: (model.validate_provider(value), None),
        load=lambda value, values: model.validate_provider(value or model.TWILIO.key),  # "": left out
        missing=lambda values: model.TWILIO.key, optional=False,
    ),
    Field(
        "logo", "logo", "Logo", "--logo", Path, "FILE", "Logo image: jpeg, jpg, gif or png, at most 1 MiB.",
        "Optional: a jpeg, jpg, gif or png image of at most 1 MiB, copied beside the config file.",
    ),
    Field(
        "server_address", "server_address", "Server Address", "--server-address", str, "URL",
        "Twilio API base URL (default https://api.twilio.com/2010-04-01/Accounts; changing it is not recommended).",
        "The provider's API base URL; https only (plain http only for 127.0.0.1, ::1 or localhost, the sandbox). "
        "Changing it is not recommended.",
        check=model.validate_server_address,
        load=lambda value, values: model.normal_server_address(value or _default_address(values)),  # "": left out
        missing=lambda values: _default_address(values), optional=False, step=2,
    ),
    Field(
        "account_sid", "account_sid", "Account SID", "--account-sid", str, "SID", "Twilio Account SID: AC + 32 hex digits.",
        "'AC' followed by 32 hexadecimal digits (Twilio Console, Account Info).",
        check=lambda value, provider: (model.validate_account_sid(value), None),
        load=lambda value, values: model.validate_account_sid(value),
        required=True, optional=False, step=2,
    ),
    Field(
        "from_", "from", "From", "--from", str, "SENDER",
        "Sender: E.164 number (00 read as +), short code, alphanumeric ID or Messaging Service SID (MG…).",
        "An E.164 number (+ or 00, then 8-15 digits), a 5-6 digit short code, an alphanumeric sender ID (1-11 "
        "characters, a letter at least) or a Messaging Service SID (MG + 32 hex digits).",
        check=lambda value, provider: model.validate_from(value), load=_stored_from, required=True, optional=False,
        step=2,
    ),
    Field(
        "active", "active", "Active", "--active/--inactive", bool, None, "Whether the connector can be chosen and send.",
        "Only an active connector can be the default SMS connector, serve a service plan, or send.",
        kind=bool, missing=lambda values: True, optional=False, step=2,
    ),
    Field(
        "auth_token_env", "auth_token_env", "Auth Token variable", "--auth-token-env", str, "VAR",
        "Read the auth token from this environment variable when needed (stored as a reference, not the token).",
        "The environment variable that holds the auth token when hubsms sends.",
        check=_given_env, load=lambda value, values: model.validate_env_name(value), step=0, listed=False,
    ),
)
KEYS: Final = frozenset(field.key for field in CONNECTOR)

# The columns of list --wide and the keys of list --json, in the order scripts that cut the
# tab-separated lines know: these first (purpose is the provider's, not a field), then any
# field added since, after them all (render puts them after Used by and Token too).
LISTED_FIRST: Final = (  # (key, the column's title)
    ("provider", "Provider"), ("purpose", "Purpose"), ("active", "Active"), ("from", "From"),
    ("account_sid", "Account SID"), ("server_address", "Server address"), ("logo", "Logo"),
)
LISTED_LATER: Final = tuple(f for f in CONNECTOR if f.listed and f.key not in dict(LISTED_FIRST))


# What show and list give of each key: the provider by its label, its purpose beside it.
_SHOWN: Final = {
    "name": "name", **{field.key: field.attr for field in CONNECTOR}, "provider": "provider_info.label",
    "purpose": "purpose",
}
_RECORD_KEYS: Final = ("name", *(key for field in CONNECTOR for key in (
    (field.key, "purpose") if field.key == "provider" else (field.key,))))
LISTED_KEYS: Final = ("name", *(key for key, _title in LISTED_FIRST), *(field.key for field in LISTED_LATER))
_record_values: Final = attrgetter(*(_SHOWN[key] for key in _RECORD_KEYS))
# The values of LISTED_KEYS of a connector, as a tuple.
listed_values: Final = attrgetter(*(_SHOWN[key] for key in LISTED_KEYS))


def record(connector: Connector) -> dict[str, Any]:
    """The name and every field of the connector by its key, as ``show`` gives them: in the
    file's order, the provider by its label and its purpose beside it."""
    return dict(zip(_RECORD_KEYS, _record_values(connector)))

