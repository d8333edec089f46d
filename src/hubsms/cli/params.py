"""The options of the hot commands (``otp send``, ``connector list``, and the timeouts that
``connector test`` shares), each defined once: flag, parameter name, type, default, bounds
and help.

Both parsers are built from these tuples: the Typer command (:func:`hubsms.cli.options.
typer_params`) and the fast path (:mod:`hubsms.cli.fast`), so they cannot drift. Kept free of
typer so that the fast path can read it without importing Typer.
"""

from __future__ import annotations

from typing import Any, Final

from hubsms.seconds import MAX_SECONDS, MAX_WAIT_SECONDS, SMALLEST


class Param:
    """One option. ``kind`` is str, int or float for an option with a value, bool for a flag
    (False unless given). ``lowest``/``highest`` bound a number, both included. (A plain
    class: a NamedTuple's creation cost the hot commands' start-up a millisecond.)"""

    __slots__ = ("flag", "name", "kind", "help", "default", "lowest", "highest", "metavar", "required")

    def __init__(
        self, flag: str, name: str, kind: type, help: str, default: Any = None, lowest: float | None = None,
        highest: float | None = None, *, metavar: str | None = None, required: bool = False,
    ) -> None:
        self.flag, self.name, self.kind, self.help, self.default = flag, name, kind, help, default
        self.lowest, self.highest, self.metavar, self.required = lowest, highest, metavar, required

    @property
    def is_flag(self) -> bool:
        return self.kind is bool


JSON: Final = Param("--json", "json", bool, "Print JSON (stable keys) on stdout for scripts.", False)
TOKEN_STDIN: Final = Param("--auth-token-stdin", "auth_token_stdin", bool, "Read the auth token from stdin for this command only.", False)
CONNECT_TIMEOUT: Final = Param(
    "--connect-timeout", "connect_timeout", float,
    "Seconds to wait for a connection (default 5, or $HUBSMS_TIMEOUT).", lowest=SMALLEST, highest=MAX_SECONDS,
)
READ_TIMEOUT: Final = Param(
    "--read-timeout", "read_timeout", float,
    "Seconds to wait for an answer (default 15, or $HUBSMS_TIMEOUT).", lowest=SMALLEST, highest=MAX_SECONDS,
)

# What every command that talks to Twilio takes (otp send, connector test, messages).
TWILIO: Final = (JSON, TOKEN_STDIN, CONNECT_TIMEOUT, READ_TIMEOUT)

SEND: Final = (
    Param("--to", "to", str, "The phone number, E.164 (+ or 00 and the country code).", required=True),
    Param("--connector", "connector", str, "Connector to send with (default: the plan's, else the default SMS connector)."),
    Param("--plan", "plan", str, "Send with this service plan's SMS connector."),
    Param("--length", "length", int, "Digits in a generated code: 4, 6 or 9.", 6),
    Param("--code", "code", str, "Send this code instead of a generated one (4-10 digits)."),
    Param("--message", "message", str, "Message text with {code} (and {minutes} or {validity}).", metavar="TEMPLATE"),
    Param("--validity", "validity", int, "How long the code is valid; sent as Twilio's ValidityPeriod.", metavar="SECONDS"),
    Param("--dry-run", "dry_run", bool, "Resolve and check everything, show the request (token hidden), send nothing.", False),
    Param("--wait", "wait", bool, "Wait for a final status; exit 7 when it is failed or undelivered.", False),
    Param("--timeout", "timeout", float, "Seconds --wait allows the whole command: posting, then polling to a final status (exit 6 after).", 60.0, 0.1, MAX_WAIT_SECONDS),
    *TWILIO,
)

LIST: Final = (
    Param("--active", "active", bool, "Only active connectors.", False),
    Param("--inactive", "inactive", bool, "Only inactive connectors.", False),
    Param("--wide", "wide", bool, "Every field: adds provider, purpose, Account SID, server address and logo, and asks "
          "the keyring for each token.", False),
    JSON,
)


def defaults(params: tuple[Param, ...]) -> dict[str, Any]:
    """Every parameter at its default: what a command receives for the options not given."""
    return {param.name: param.default for param in params}
