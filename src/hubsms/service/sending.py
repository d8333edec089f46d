"""Sending an OTP: one use case, :func:`send_otp`, from the options of ``otp send`` to Twilio's
answer. The URL and the form are built once (:func:`hubsms.twilio.limits.messages_url` and
:func:`hubsms.twilio.limits.message_form`) and are what a dry run shows and what is posted.

Nothing here prints: what a person should hear while it runs (a retry, a status, the message
sent before waiting failed) goes to the :class:`SendHooks` the caller gives.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from hubsms import model, store
from hubsms.errors import (
    HubsmsError,
    Interrupted,
    MissingValue,
    NetworkError,
    Terminated,
    UsageError,
)
from hubsms.model import Config, Connector
from hubsms.seconds import MAX_SECONDS, MAX_WAIT_SECONDS, SMALLEST, check_seconds
from hubsms.service.lookup import require_active, require_connector, resolve_plan_connector

if TYPE_CHECKING:  # imported only when a message is really sent
    from hubsms.credentials import Keyring, Token
    from hubsms.twilio.client import TwilioClient



class OtpRequest(NamedTuple):
    """What to send, as the options of ``otp send`` give it."""

    to: str
    connector: str | None = None
    plan: str | None = None
    length: int = 6
    code: str | None = None
    template: str | None = None
    validity: int | None = None


class Limits(NamedTuple):
    """How long to wait: for a connection, for an answer, and for the message to be posted and
    reach a final status, everything included (``wait``; None: do not wait for one), counted
    from ``started`` (a ``time.monotonic()``: when the command started), else from the post."""

    connect: float | None = None
    read: float | None = None
    wait: float | None = None
    started: float | None = None


class SendHooks(NamedTuple):
    """What the caller hears while a send runs; each may be left out."""

    prepared: Callable[[SendResult], None] | None = None  # resolved and checked; its warnings
    retry: Callable[[str], None] | None = None  # a retry is about to happen (its reason)
    status: Callable[[str], None] | None = None  # a new status while waiting
    # the message as it stands, just before an error about it (waiting failed or was stopped,
    # delivery failed): the caller shows it, so that its SID is never lost
    before_error: Callable[[SendResult], None] | None = None


class SendResult(NamedTuple):
    """A send, done or (``message`` None) only prepared for a dry run."""

    connector: Connector
    to: str
    code: str
    url: str
    form: dict[str, str]  # exactly what is (or would be) posted
    token_source: str
    warnings: list[str]
    message: dict[str, Any] | None = None  # Twilio's message resource, as last seen

    @property
    def auth(self) -> str:
        """The Basic auth user, with the token hidden."""
        return f"{self.connector.account_sid}:<hidden>"


def send_otp(
    path: Path,
    keyring: Keyring,
    request: OtpRequest,
    *,
    stdin_token: str | None = None,
    dry_run: bool = False,
    limits: Limits = Limits(),
    hooks: SendHooks = SendHooks(),
) -> SendResult:
    """Resolve the connector (``--connector``, else the plan's, else the default; it must be
    active), the number, the code, the message and the token; then, unless ``dry_run``, post
    the message, and with ``limits.wait`` follow it to a final status: DeliveryFailed when it
    failed, NetworkError when none came in time. ``limits.wait`` bounds the post and the
    polls together (name lookups and connects included), from ``limits.started``."""
    if request.connector is not None and request.plan is not None:
        raise UsageError("give --connector or --plan, not both", "--connector names a connector; --plan uses a plan's connector")
    connect, read = choose_timeouts(limits.connect, limits.read)
    wait = check_seconds(limits.wait, "--timeout", 0.1, MAX_WAIT_SECONDS)
    ends = None if wait is None else (limits.started or time.monotonic()) + wait
    keyring.deadline = ends  # the keyring's calls are part of what --timeout bounds
    prepared, token = _prepare(path, keyring, request, stdin_token)
    if hooks.prepared is not None:
        hooks.prepared(prepared)
    if dry_run:
        return prepared
    with make_client(prepared.connector, token, (connect, read), on_retry=hooks.retry) as client:
        sent = prepared._replace(message=client.create_message(prepared.form, ends=ends))
        if ends is None:
            return sent
        return _follow(client, sent, wait, ends, hooks)


def _prepare(path: Path, keyring: Keyring, request: OtpRequest, stdin_token: str | None) -> tuple[SendResult, Token]:
    from hubsms import otp
    from hubsms.credentials import resolve_token
    from hubsms.twilio.limits import message_form, messages_url

    number, warning = model.validate_phone_number(request.to, "to")
    code = otp.validate_code(request.code) if request.code is not None else otp.generate_code(request.length)
    body = otp.render_message(request.template, code, request.validity)
    chosen = choose_connector(store.load(path), request.connector, request.plan)
    token = resolve_token(chosen, keyring, stdin_token=stdin_token)
    warnings = [warning] if warning else []
    if number == chosen.from_:
        warnings.append(f"{number} is also the sender of \"{chosen.name}\": Twilio refuses a message to its own From")
    segments = model.count_segments(body)
    if segments > 1:
        warnings.append(f"the message takes {segments} SMS segments (each is billed)")
    url = messages_url(chosen.server_address, chosen.account_sid)
    form = message_form(number, chosen.from_, body, request.validity)
    return SendResult(chosen, number, code, url, form, token.source, warnings), token


def _follow(client: TwilioClient, sent: SendResult, wait: float, ends: float, hooks: SendHooks) -> SendResult:
    """Wait for a final status until ``ends`` (the ``time.monotonic()`` that ``wait`` seconds
    from the command's start come to). If following fails or is stopped, the message was still sent: the caller hears of it, and the error says so, so
    that nobody sends a second OTP to find out."""
    from hubsms.twilio.client import check_delivery
    from hubsms.twilio.limits import FINAL_STATUSES

    assert sent.message is not None
    sid = sent.message["sid"]
    try:
        final = client.wait_for_final_status(
            sid, timeout=ends - time.monotonic(), on_status=_status_hook(hooks), last=sent.message,
        )
    except HubsmsError as err:
        _say_unfinished(hooks, sent)
        err.message = f"message {sid} was sent ({sent.message.get('status')}), but following it failed: {err.message}"
        raise
    except KeyboardInterrupt as stop:
        _say_unfinished(hooks, sent)
        raise Interrupted(
            f"message {sid} was sent; stopped waiting for its delivery",
            f"do not send again to find out: hubsms messages show {sid} --connector \"{sent.connector.name}\" "
            "says whether it was delivered", terminated=isinstance(stop, Terminated),
        ) from None
    done = sent._replace(message=final)
    if final.get("status") not in FINAL_STATUSES:
        _say_unfinished(hooks, done)
        raise NetworkError(
            f"no final status for {sid} within {wait:g} s (last: {final.get('status')})",
            "the message may still arrive; wait longer with --timeout, or look it up by its SID",
        )
    try:
        check_delivery(final)
    except HubsmsError:
        _say_unfinished(hooks, done)
        raise
    return done


def _status_hook(hooks: SendHooks) -> Callable[[str, Any], None] | None:
    if hooks.status is None:
        return None
    report = hooks.status
    return lambda status, _message: report(status)


def _say_unfinished(hooks: SendHooks, sent: SendResult) -> None:
    if hooks.before_error is not None:
        hooks.before_error(sent)


def choose_connector(
    config: Config, connector: str | None = None, plan: str | None = None, *, active_only: bool = True,
) -> Connector:
    """The connector to send with: ``connector``, else the plan's, else the default SMS
    connector. It must be active, unless ``active_only`` is False (looking up what an
    inactive connector sent)."""
    if plan is not None and connector is None:
        return resolve_plan_connector(config, plan)
    name = connector if connector is not None else config.default_sms_connector
    if name is None:
        ways = "--connector NAME or --plan PLAN" if active_only else "--connector NAME"  # lookups take no plan
        raise MissingValue(
            "no connector given and no default SMS connector set",
            f"give {ways}, or set one: hubsms settings set-default-sms NAME",
        )
    return require_active(config, name, "send") if active_only else require_connector(config, name)


def choose_timeouts(connect: float | None, read: float | None) -> tuple[float, float]:
    """The connect and read timeouts: the options, else HUBSMS_TIMEOUT, else the defaults."""
    from hubsms.twilio.limits import timeouts_from_env

    default_connect, default_read = timeouts_from_env()
    connect = check_seconds(connect, "--connect-timeout", SMALLEST, MAX_SECONDS)
    read = check_seconds(read, "--read-timeout", SMALLEST, MAX_SECONDS)
    return (connect or default_connect, read or default_read)


def make_client(
    connector: Connector, token: Token, timeouts: tuple[float, float], *,
    on_retry: Callable[[str], None] | None = None,
) -> TwilioClient:
    """A TwilioClient for a connector, with the given timeouts; ``on_retry`` hears of each
    retry (its reason)."""
    from hubsms.twilio.client import TwilioClient

    connect, read = timeouts
    return TwilioClient(
        connector.account_sid, token.value, connector.server_address,
        connect_timeout=connect, read_timeout=read, token_source=token.source, on_retry=on_retry,
    )
