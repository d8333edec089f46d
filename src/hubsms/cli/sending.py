"""Sending an OTP from the command line: shared by the Typer command (``hubsms.cli.otp``) and
the fast path (``hubsms.cli.fast``), so neither Typer nor rich is imported to send one."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from hubsms.cli.common import note, print_json, report, stderr_console, stdin_token
from hubsms.errors import Interrupted, Terminated

if TYPE_CHECKING:
    from hubsms.service.sending import SendHooks, SendResult


def run_send(
    config: Path, *, to: str, connector: str | None, plan: str | None, length: int, code: str | None,
    message: str | None, validity: int | None, dry_run: bool, wait: bool, timeout: float, json: bool,
    auth_token_stdin: bool, connect_timeout: float | None, read_timeout: float | None,
) -> None:
    """``otp send`` with its options (hubsms.cli.params.SEND): send (or show, for a dry run)
    through :func:`hubsms.service.sending.send_otp`, and show what happened. ``--timeout``
    counts from here: reading the config and the token are part of the send it bounds."""
    started = time.monotonic()
    from hubsms.credentials import Keyring
    from hubsms.service.sending import Limits, OtpRequest, SendHooks, send_otp

    request = OtpRequest(to, connector, plan, length, code, message, validity)
    limits = Limits(connect_timeout, read_timeout, timeout if wait else None, started)
    posting: list[SendResult] = []  # the send, once it is past its checks and being posted

    def prepared(result: SendResult) -> None:
        report(result.warnings)
        if not dry_run:
            posting.append(result)

    hooks = SendHooks(prepared=prepared, retry=note, before_error=lambda result: _show_sent(result, json))
    if wait:
        _stop_on_sigterm()
    try:
        with _status_line(wait and not json, hooks) as hooks:
            result = send_otp(
                config, Keyring(), request,
                stdin_token=stdin_token(auth_token_stdin),
                dry_run=dry_run, limits=limits, hooks=hooks,
            )
    except KeyboardInterrupt as stop:  # while waiting, send_otp says it: the message was sent
        raise _stopped(posting[0] if posting else None, stop) from None
    if dry_run:
        _show_dry_run(result, json)
    else:
        _show_sent(result, json)


def _stopped(posting: SendResult | None, stop: KeyboardInterrupt) -> Interrupted:
    """Ctrl-C or SIGTERM before the answer to the POST: whether anything was sent."""
    terminated = isinstance(stop, Terminated)
    if posting is None:
        return Interrupted("interrupted before sending: nothing was sent", "send again when ready",
                           terminated=terminated)
    return Interrupted(
        f"interrupted while sending to {posting.to}: the message may or may not have been sent",
        f"look for it before sending again: hubsms messages list --to {posting.to} "
        f'--connector "{posting.connector.name}" --since 10m', terminated=terminated)


def _show_dry_run(result: SendResult, as_json: bool) -> None:
    record = {
        "dry_run": True,
        "connector": result.connector.name,
        "method": "POST",
        "url": result.url,
        "auth": result.auth,
        "token_source": result.token_source,
        "form": result.form,
        "to": result.to,
        "code": result.code,
    }
    if as_json:
        print_json(record)
        return
    from urllib.parse import urlencode

    print(f"POST {result.url}")
    print(f"Authorization: Basic {result.auth}  (token from {result.token_source})")
    print("Content-Type: application/x-www-form-urlencoded")
    print()
    print(urlencode(result.form))
    note(f'Dry run: nothing sent (connector "{result.connector.name}", code {result.code}).')


@contextlib.contextmanager
def _status_line(spinner: bool, hooks: SendHooks) -> Iterator[SendHooks]:
    """While waiting at a terminal, a spinner shows the message's status."""
    if not spinner or not sys.stderr.isatty():
        yield hooks
        return
    with stderr_console().status("sending") as status:
        yield hooks._replace(status=lambda value: status.update(f"waiting for delivery ({value})"))


def _show_sent(result: SendResult, as_json: bool) -> None:
    message = result.message or {}
    record = {
        "sid": message.get("sid"),
        "status": message.get("status"),
        "connector": result.connector.name,
        "to": result.to,
        "code": result.code,
    }
    if message.get("error_code") is not None:
        record["error_code"] = message["error_code"]
    if as_json:
        print_json(record)
        return
    from hubsms.cli.render import print_record

    print_record(record, False, labels={"sid": "message"})


def _stop_on_sigterm() -> None:
    """While a sent message is followed, SIGTERM stops as Ctrl-C does: the message (and its
    SID) is still shown, exit 143. Installed only here, where it matters (``signal`` costs
    start-up time every other command would pay)."""
    import signal

    def terminate(signum: int, frame: object) -> None:
        raise Terminated()

    signal.signal(signal.SIGTERM, terminate)
