"""The errors hubsms reports to its users, each with a message, a hint and an exit code.

Commands and services raise these; they become output and exit codes in one place only, the
entry point (``hubsms.cli.main``).
"""

from __future__ import annotations

from enum import IntEnum, unique
from typing import Any, Final


@unique
class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1
    USAGE = 2
    CONFIG = 3
    CREDENTIALS = 4
    REJECTED = 5
    NETWORK = 6
    DELIVERY_FAILED = 7
    INTERRUPTED = 130
    TERMINATED = 143  # 128 + SIGTERM, as a shell reports a process it terminated


class HubsmsError(Exception):
    """Base of every error a user can act on."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def as_json(self) -> dict[str, Any]:
        """The error object a ``--json`` caller reads (``{"error": ...}`` on stdout), tokens
        hidden: the same words as the ``error:`` and ``hint:`` lines."""
        return {
            "exit_code": int(self.exit_code),
            "message": hide_tokens(self.message),
            "hint": hide_tokens(self.hint) if self.hint else None,
            "twilio_code": getattr(self, "code", None),
            "more_info": getattr(self, "more_info", None),
        }


def hide_tokens(text: str) -> str:
    """Replace what looks like an auth token (exactly 32 hex digits standing alone: not part
    of an AC…/SM… SID, a longer hex run or a NAME_LIKE_THIS) with <hidden>: a last guard for
    text that repeats what a user typed."""
    import re  # not at import: the fast path of connector list needs no regex

    return re.sub(r"(?<![0-9A-Za-z_])[0-9a-fA-F]{32}(?![0-9A-Za-z_])", "<hidden>", text)


class InvalidValue(HubsmsError):
    """A value given on the command line or in a file breaks a field's rule."""

    exit_code = ExitCode.USAGE

    def __init__(self, field: str, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.field = field


class UsageError(HubsmsError):
    """The command line is wrong as a whole: options that exclude each other, an unknown
    option, a missing argument (Click's usage errors are said as this)."""

    exit_code = ExitCode.USAGE


class MissingValue(UsageError):
    """A required value was not given and cannot be asked for."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is (the entry point installs the handler), so that
    it stops as cleanly as at Ctrl-C."""


# What a stop means, unless the command knows better (``otp send`` says what it sent).
NOTHING_SENT: Final = (
    "nothing was sent; a change to the config is written whole or not at all (hubsms doctor "
    "finds what an interrupted change left behind)"
)


class Interrupted(HubsmsError):
    """Ctrl-C (SIGINT) or SIGTERM stopped the command."""

    exit_code = ExitCode.INTERRUPTED

    def __init__(self, message: str = "interrupted", hint: str | None = NOTHING_SENT, *,
                 terminated: bool = False) -> None:
        super().__init__(message, hint)
        if terminated:
            self.exit_code = ExitCode.TERMINATED


class Cancelled(HubsmsError):
    """The person stopped at a prompt (Cancel, No, or the end of input): nothing was written."""

    exit_code = ExitCode.INTERRUPTED

    def __init__(self, message: str = "cancelled, nothing written",
                 hint: str | None = "nothing was sent or written; run the command again when ready") -> None:
        super().__init__(message, hint)


class ConfigError(HubsmsError):
    """The config file cannot be read, parsed or written, or breaks the format."""

    exit_code = ExitCode.CONFIG


class ConnectorNotFound(ConfigError):
    """No connector of that name exists."""


class ConnectorInactive(ConfigError):
    """The connector is inactive and so cannot be used for this."""


class ConnectorInUse(ConfigError):
    """The connector is used by Global Settings or a service plan."""


class PlanNotFound(ConfigError):
    """No service plan of that name exists."""


class CredentialsError(HubsmsError):
    """The auth token is missing, the keyring is unusable, or Twilio rejected the credentials."""

    exit_code = ExitCode.CREDENTIALS


class TokenMissing(CredentialsError):
    """No auth token was found by any of the precedence rules."""


class KeyringUnavailable(CredentialsError):
    """The keyring is locked, absent, failing or did not answer in time."""


class CredentialsRejected(CredentialsError):
    """Twilio answered 401: the Account SID and auth token do not match."""


class TwilioAPIError(HubsmsError):
    """Twilio refused the request with an error code (4xx)."""

    exit_code = ExitCode.REJECTED

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        code: int | None = None,
        status: int | None = None,
        more_info: str | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.code = code
        self.status = status
        self.more_info = more_info


class ChecksFailed(HubsmsError):
    """``connector test`` found what Twilio would refuse (a sender not the account's, a
    suspended account, ...): the rows say which check and Twilio's code."""

    exit_code = ExitCode.REJECTED


class NetworkError(HubsmsError):
    """The server could not be reached, timed out, or failed (5xx)."""

    exit_code = ExitCode.NETWORK


class DeliveryFailed(HubsmsError):
    """The message was accepted but ended failed or undelivered."""

    exit_code = ExitCode.DELIVERY_FAILED


class NothingArrived(HubsmsError):
    """No message arrived at the sandbox in the time waited."""

    exit_code = ExitCode.CONFIG
