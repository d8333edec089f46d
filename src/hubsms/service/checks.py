"""Checking connectors without sending: ``connector test NAME`` and ``connector test --all``.

Each check reads what Twilio itself would look at when a message is created (the account, its
numbers, short codes, Messaging Services, verified caller IDs) and says ``ok``, ``warning``
or ``failed`` with the code Twilio would answer a send with, or ``skipped`` with the reason
when an earlier check made it pointless. Nothing is sent.

A failed check carries the exit code of its kind; a report's exit code is the worst of its
checks, and a sweep's the worst of its reports, in the order of :data:`SEVERITY`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from hubsms import model, store
from hubsms.errors import (
    ChecksFailed,
    CredentialsError,
    CredentialsRejected,
    ExitCode,
    HubsmsError,
    NetworkError,
    TwilioAPIError,
)
from hubsms.model import Connector
from hubsms.service.check_rows import (
    FAILED,
    OK,
    SKIPPED,
    WARNING,
    Check,
    alphanumeric_route,
    failed,
    from_error,
    guarded,
    passed,
    recipient,
    sender_check,
    sender_kind,
    warned,
)
from hubsms.service.lookup import require_connector
from hubsms.service.sending import Limits, choose_timeouts, make_client

if TYPE_CHECKING:
    from hubsms.credentials import Keyring, Token
    from hubsms.twilio.client import TwilioClient

__all__ = ["Check", "ConnectorReport", "SweepReport", "check_all", "check_connector", "failure", "worst"]

# Worst first: a network failure hides what could not be checked; refused credentials hide
# every other check; a failed check is a finding. Warnings and skips exit 0.
SEVERITY: Final = (ExitCode.NETWORK, ExitCode.CREDENTIALS, ExitCode.REJECTED)
# A check mostly waits for Twilio: enough threads that a usual set of connectors is one wave,
# bounded so that a large config does not open hundreds of connections at once.
SWEEP_WORKERS: Final = 20
TRIAL_LIMITS: Final = (
    "a trial account sends only to verified numbers (21608) and Twilio starts every message "
    "with 'Sent from your Twilio trial account'"
)


def worst(codes: Iterable[ExitCode]) -> ExitCode:
    """The exit code that says the most, by :data:`SEVERITY`; OK when none failed."""
    found = set(codes)
    return next((code for code in SEVERITY if code in found), ExitCode.OK)


class ConnectorReport:
    """Every check of one connector, and what was learnt of its account on the way (filled
    in as the checks run)."""

    __slots__ = ("connector", "checks", "token_source", "account", "test_credentials", "seconds")

    def __init__(self, connector: Connector, checks: list[Check]) -> None:
        self.connector = connector
        self.checks = checks
        self.token_source = "missing"
        self.account: dict[str, Any] | None = None
        self.test_credentials = False
        self.seconds = 0.0

    @property
    def exit_code(self) -> ExitCode:
        return worst(check.exit_code for check in self.checks if check.status == FAILED)

    @property
    def ok(self) -> bool:
        return self.exit_code == ExitCode.OK

    def summary(self) -> str:
        """``ok``, ``warning: NAMES`` or ``failed: NAME (CODE), ...``: the result in a few words."""
        for status in (FAILED, WARNING):
            found = [c for c in self.checks if c.status == status]
            if found:
                return f"{status}: " + ", ".join(f"{c.name} ({c.code})" if c.code else c.name for c in found)
        return OK

    def as_json(self) -> dict[str, Any]:
        account = self.account or {}
        return {
            "connector": self.connector.name, "ok": self.ok, "exit_code": int(self.exit_code),
            "checks": [check.as_json() for check in self.checks],
            "account_sid": self.connector.account_sid, "server_address": self.connector.server_address,
            "from": self.connector.from_, "token_source": self.token_source, "active": self.connector.active,
            "test_credentials": self.test_credentials, "friendly_name": account.get("friendly_name"),
            "status": account.get("status"), "type": account.get("type"), "seconds": round(self.seconds, 3),
        }


class SweepReport(NamedTuple):
    """``--all``: one report per connector, in the config's order, and where each is used."""

    reports: list[ConnectorReport]
    default: str | None = None  # Global Settings' default SMS connector
    plans: Mapping[str, list[str]] = MappingProxyType({})  # connector -> plans using it
    seconds: float = 0.0

    @property
    def exit_code(self) -> ExitCode:
        return worst(report.exit_code for report in self.reports)

    def rows(self) -> list[dict[str, Any]]:
        """One row per connector: its report's JSON, where it is used and its result."""
        return [{**r.as_json(), "default": r.connector.name == self.default,
                 "plans": self.plans.get(r.connector.name, []), "result": r.summary()} for r in self.reports]

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.exit_code == ExitCode.OK, "exit_code": int(self.exit_code),
                "seconds": round(self.seconds, 3), "connectors": self.rows()}


# --- the use cases ------------------------------------------------------------------------


def check_connector(path: Path, name: str, keyring: Keyring, *, to: str | None = None,
                    stdin_token: str | None = None, limits: Limits = Limits()) -> ConnectorReport:
    """Check one connector (active or not); ``to`` adds the recipient's checks."""
    number = _recipient(to)
    connector = require_connector(store.load(path), name)
    timeouts = choose_timeouts(limits.connect, limits.read)
    return run_checks(connector, _token_or_error(connector, keyring, stdin_token), number, timeouts)


def check_all(path: Path, keyring: Keyring, *, active_only: bool = False, to: str | None = None,
              limits: Limits = Limits(), workers: int = SWEEP_WORKERS) -> SweepReport:
    """Check every connector (or only the active ones) at once, with at most ``workers``
    threads: the sweep takes about as long as its slowest connector. Tokens are read first,
    one after the other, each account's once (a hung keyring costs one timeout, not one per
    connector)."""
    number = _recipient(to)
    config = store.load(path)
    connectors = [c for c in config.connectors.values() if c.active or not active_only]
    timeouts = choose_timeouts(limits.connect, limits.read)
    tokens = _tokens(connectors, keyring)
    started = time.monotonic()

    def one(connector: Connector) -> ConnectorReport:
        return run_checks(connector, tokens[connector.name], number, timeouts)

    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(connectors))), thread_name_prefix="hubsms-check")
    try:
        reports = list(pool.map(one, connectors))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # Ctrl-C: do not start the rest
    return SweepReport(reports, config.default_sms_connector, config.plans_by_connector(), time.monotonic() - started)


def failure(report: ConnectorReport | SweepReport) -> HubsmsError | None:
    """The error to raise once the rows are shown (None when nothing failed): of the worst
    kind, naming what failed, so that the entry point says it in one line."""
    code = report.exit_code
    if code == ExitCode.OK:
        return None
    if isinstance(report, SweepReport):
        bad = [r for r in report.reports if r.exit_code != ExitCode.OK]
        message = f"{len(bad)} of {len(report.reports)} connectors failed: " + "; ".join(
            f'"{r.connector.name}" {r.summary().removeprefix("failed: ")}' for r in bad)
        hint = f'hubsms connector test "{bad[0].connector.name}" shows its checks, each with a hint'
    else:
        first = next(c for c in report.checks if c.status == FAILED and c.exit_code == code)
        message = f'"{report.connector.name}" {report.summary()}: {first.detail}'
        hint = first.hint or f"the {first.name.replace('_', ' ')} check failed; fix what it names and test again"
    kind = {ExitCode.NETWORK: NetworkError, ExitCode.CREDENTIALS: CredentialsError}.get(code, ChecksFailed)
    return kind(message, hint)


# --- one connector ------------------------------------------------------------------------


def planned_checks(connector: Connector, to: str | None) -> list[str]:
    """The names of the checks, in the order they run."""
    names = ["credentials", "account_status", "account_type", "sender"]
    if to is not None:
        names.append("recipient")
        if sender_kind(connector.from_) == "alphanumeric":
            names.append("route")
    return names


def run_checks(connector: Connector, token: Token | HubsmsError, to: str | None,
               timeouts: tuple[float, float]) -> ConnectorReport:
    """Run the checks in order; those an earlier one made pointless are skipped, saying why."""
    started = time.monotonic()
    report = ConnectorReport(connector, [])
    if isinstance(token, HubsmsError):
        report.checks.append(from_error("credentials", token))
        return _finish(report, to, "no usable auth token", started)
    report.token_source = token.source
    with make_client(connector, token, timeouts) as client:
        reason = _account_checks(client, report)
        if reason is None:
            report.checks += _sender_checks(client, connector.from_, report.account or {}, to)
    return _finish(report, to, reason, started)


def _finish(report: ConnectorReport, to: str | None, reason: str | None, started: float) -> ConnectorReport:
    done = {check.name for check in report.checks}
    report.checks += [Check(name, SKIPPED, f"skipped: {reason}") for name in planned_checks(report.connector, to)
                      if name not in done]
    report.seconds = time.monotonic() - started
    return report


def _account_checks(client: TwilioClient, report: ConnectorReport) -> str | None:
    """Credentials, account status and type; the reason to skip the rest, or None."""
    try:
        report.account = client.fetch_account()
    except CredentialsRejected as err:
        report.checks.append(failed(
            "credentials", "Twilio refused the Account SID and auth token (20003): a wrong token, "
            "or the account is closed", 20003, exit_code=ExitCode.CREDENTIALS))
        return "the credentials were refused"
    except TwilioAPIError as err:
        if err.status == 403 and err.code != 20008:
            report.checks += _account_unreadable(report, err)
            return None
        if err.code != 20008:
            report.checks.append(from_error("credentials", err))
            return "the account could not be read"
        report.test_credentials = True
        report.checks.append(warned(
            "credentials", "test credentials: valid, but Twilio lets them only send messages", 20008))
        return "test credentials can only send (20008)"
    except HubsmsError as err:
        report.checks.append(from_error("credentials", err))
        return "Twilio was not reached"
    report.checks += [passed("credentials", f"accepted (token from {report.token_source})"),
                      account_status(report.account), account_type(report.account)]
    status = report.account.get("status")
    return None if status == "active" else f"the account is {status}"


def _account_unreadable(report: ConnectorReport, err: TwilioAPIError) -> list[Check]:
    """Twilio took the credentials but refused them the account (403): credentials with
    restricted rights. Its status and type are unknown; the checks that read other resources
    still run."""
    return [
        passed("credentials", f"accepted (token from {report.token_source}), but they may not read the account"),
        warned("account_status", f"unknown: Twilio refused to show the account (403, {err.code}): credentials "
               "with restricted rights, or an account that may not use the API", err.code, err.hint),
        Check("account_type", SKIPPED, "skipped: the account could not be read (403)"),
    ]


def account_status(account: dict[str, Any]) -> Check:
    """Active passes; a suspended account can send nothing (20403), a closed one never again."""
    status = account.get("status")
    name = account.get("friendly_name") or account.get("sid")
    if status == "active":
        return passed("account_status", f"active ({name})")
    if status == "suspended":
        return failed("account_status", f"suspended ({name}): Twilio refuses its requests (20403)", 20403)
    return failed("account_status", f"{status} ({name}): its credentials no longer work", 20003)


def account_type(account: dict[str, Any]) -> Check:
    if account.get("type") == "Trial":
        return warned("account_type", f"trial: {TRIAL_LIMITS}", 21608)
    return passed("account_type", str(account.get("type")))


def _sender_checks(client: TwilioClient, sender: str, account: dict[str, Any], to: str | None) -> list[Check]:
    rows = [guarded("sender", lambda: sender_check(client, sender))]
    if to is not None:
        rows.append(guarded("recipient", lambda: recipient(client, account, to)))
        if sender_kind(sender) == "alphanumeric":
            rows.append(alphanumeric_route(sender, to))
    return rows


# --- inputs ------------------------------------------------------------------------------------


def _recipient(to: str | None) -> str | None:
    return None if to is None else model.validate_phone_number(to, "to")[0]


def _token_or_error(connector: Connector, keyring: Keyring, stdin_token: str | None) -> Token | HubsmsError:
    from hubsms.credentials import resolve_token

    try:
        return resolve_token(connector, keyring, stdin_token=stdin_token)
    except CredentialsError as err:
        return err


def _tokens(connectors: list[Connector], keyring: Keyring) -> dict[str, Token | HubsmsError]:
    """Each connector's token or the error finding it; the keyring entries read in one call
    (the Keyring keeps them, and a failure, for the rest of the command)."""
    from hubsms.credentials import keyring_accounts

    with contextlib.suppress(HubsmsError):  # said for each connector by _token_or_error
        keyring.get_many(keyring_accounts(connectors))
    return {c.name: _token_or_error(c, keyring, None) for c in connectors}
