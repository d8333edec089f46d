"""The options hubsms's commands share, each defined once: flag, parameter name, type,
metavar (the word ``--help`` shows for its value), default, bounds and help. A command may
say in its own words what an option does there (``help``), and give it its own default or
bounds; the flag, its type and its metavar are the definition's.

A connector's fields' options come from their definitions in :mod:`hubsms.fields`.

The Typer commands are built from these (:func:`hubsms.cli.options.option`); the hot commands'
whole option lists (``SEND``, ``LIST``, ``ADD``, ``EDIT``, ``REMOVE``) are parsed by the fast
path (:mod:`hubsms.cli.fast`) too, so the two parsers cannot drift. Kept free of typer so that the fast path can read it
without importing Typer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final, NamedTuple

from hubsms import fields
from hubsms.seconds import MAX_SECONDS, MAX_WAIT_SECONDS, SMALLEST


class Param(NamedTuple):
    """One option. ``kind`` is str, int, float or Path for an option with a value (shown as
    ``metavar`` in --help), bool for a flag (False unless given). ``lowest``/``highest``
    bound a number, both included. ``short`` is a one-letter alias (``-y``)."""

    flag: str
    name: str
    kind: type
    help: str
    default: Any = None
    lowest: float | None = None
    highest: float | None = None
    metavar: str | None = None
    required: bool = False
    short: str | None = None

    @property
    def is_flag(self) -> bool:
        return self.kind is bool

    def but(self, **changes: Any) -> Param:
        """This option as one command takes it: its own ``help``, ``default``, bounds or
        ``required``; the flag, type and metavar stay the definition's."""
        fixed = {"flag", "name", "kind", "metavar", "short"}.intersection(changes)
        if fixed:
            raise TypeError(f"{self.flag}: {', '.join(sorted(fixed))} belong to the definition")
        return self._replace(**changes)


def _flag(flag: str, help: str, short: str | None = None) -> Param:
    """A flag: False unless given; its parameter name is the flag's words joined by '_'."""
    return Param(flag, flag[2:].replace("-", "_"), bool, help, False, short=short)


# --- every command ----------------------------------------------------------------------------
CONFIG: Final = Param(
    "--config", "config", Path, "Config file. Default: $HUBSMS_CONFIG, else the per-user hubsms folder.", metavar="FILE",
)
JSON: Final = _flag("--json", "Print JSON (stable keys) on stdout for scripts.")
NO_INPUT: Final = _flag("--no-input", "Never prompt; a missing value is an error naming its flag.")
YES: Final = _flag("--yes", "Do not ask for confirmation.", short="-y")
FORCE: Final = _flag(
    "--force", "Also clear Global Settings' default and remove the service plans that use it (asked first at a "
    "terminal, unless --yes).",
)
DRY_RUN: Final = _flag("--dry-run", "Show what would be done; change and send nothing.")

# --- the auth token -------------------------------------------------------------------------
TOKEN_STDIN: Final = _flag("--auth-token-stdin", "Read the auth token from stdin for this command only.")

# --- a connector's fields (connector add and edit) and choosing one ----------------------------
# Each field's option, from its definition in hubsms.fields (--active/--inactive: the two flags below).
FIELDS: Final = tuple(
    Param(f.flag, f.attr, f.option, f.help, metavar=f.metavar) for f in fields.CONNECTOR if f.flag and f.option is not bool
)
TOKEN_ENV: Final = next(param for param in FIELDS if param.name == "auth_token_env")
ACTIVE: Final = _flag("--active", "The connector can be chosen and send (the default for a new one).")
INACTIVE: Final = _flag("--inactive", "The connector cannot be chosen nor send.")
CONNECTOR: Final = Param("--connector", "connector", str, "The connector to use.", metavar="NAME")

# --- messages -------------------------------------------------------------------------------
TO: Final = Param("--to", "to", str, "The phone number, E.164 (+ or 00 and the country code).", metavar="E.164")
LIMIT: Final = Param("--limit", "limit", int, "At most this many, newest first.", metavar="N")
SHOW_BODY: Final = _flag("--show-body", "Show bodies whole; by default OTP codes (4-10 digits) are masked.")
SANDBOX_URL: Final = Param(
    "--url", "url", str, "Sandbox address. Default: $HUBSMS_SANDBOX_URL, else http://127.0.0.1:8765.", metavar="URL",
)

# --- talking to Twilio ----------------------------------------------------------------------
CONNECT_TIMEOUT: Final = Param(
    "--connect-timeout", "connect_timeout", float,
    "Seconds to wait for a connection (default 5, or $HUBSMS_TIMEOUT).", lowest=SMALLEST, highest=MAX_SECONDS,
    metavar="SECONDS",
)
READ_TIMEOUT: Final = Param(
    "--read-timeout", "read_timeout", float,
    "Seconds to wait for an answer (default 15, or $HUBSMS_TIMEOUT).", lowest=SMALLEST, highest=MAX_SECONDS,
    metavar="SECONDS",
)

# What every command that talks to Twilio takes (otp send, connector test, messages).
TWILIO: Final = (JSON, TOKEN_STDIN, CONNECT_TIMEOUT, READ_TIMEOUT)

SEND: Final = (
    TO.but(required=True),
    CONNECTOR.but(help="Connector to send with (default: the plan's, else the default SMS connector)."),
    Param("--plan", "plan", str, "Send with this service plan's SMS connector.", metavar="NAME"),
    Param("--length", "length", int, "Digits in a generated code: 4, 6 or 9.", 6, metavar="N"),
    Param("--code", "code", str, "Send this code instead of a generated one (4-10 digits).", metavar="DIGITS"),
    Param("--message", "message", str, "Message text with {code} (and {minutes} or {validity}).", metavar="TEMPLATE"),
    Param("--validity", "validity", int, "How long the code is valid; sent as Twilio's ValidityPeriod.", metavar="SECONDS"),
    DRY_RUN.but(help="Resolve and check everything, show the request (token hidden), send nothing."),
    _flag("--wait", "Wait for a final status; exit 7 when it is failed or undelivered."),
    Param("--timeout", "timeout", float, "Seconds --wait allows the whole command: posting, then polling to a final status (exit 6 after).",
          60.0, 0.1, MAX_WAIT_SECONDS, metavar="SECONDS"),
    *TWILIO,
)

LIST: Final = (
    ACTIVE.but(help="Only active connectors."),
    INACTIVE.but(help="Only inactive connectors."),
    _flag("--wide", "Every field: adds provider, purpose, Account SID, server address and logo, and asks the keyring "
          "for each token."),
    JSON,
)

# connector add, edit and remove: the fast path parses them too, when nothing will be asked
_TOKEN_STDIN_STORE = TOKEN_STDIN.but(help="Read the auth token from stdin and store it in the keyring.")
ADD: Final = (
    *FIELDS, ACTIVE, INACTIVE, _TOKEN_STDIN_STORE,
    _flag("--replace-token", "Replace a different token already stored for the account (every connector of the "
          "account uses the new one)."),
    _flag("--exist-ok", "For set-up scripts: a connector of that name with the same fields is not an error (exit 0, "
          "unchanged); with other fields it is, naming them. Never prompts."),
    NO_INPUT,
)

EDIT: Final = (
    Param("--name", "new_name", str, "A new name; the default and plans follow it.", metavar="NAME"),
    *FIELDS, _flag("--no-logo", "Remove the connector's logo."), ACTIVE, INACTIVE,
    _TOKEN_STDIN_STORE, FORCE, YES, NO_INPUT,
)

REMOVE: Final = (YES, FORCE, NO_INPUT)


def defaults(params: tuple[Param, ...]) -> dict[str, Any]:
    """Every parameter at its default: what a command receives for the options not given."""
    return {param.name: param.default for param in params}


