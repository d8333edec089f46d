"""What Twilio refuses for a declared account, and for test credentials, with Twilio's codes.

Sources (docs/sandbox.md lists them with their URLs): Twilio's error pages 20003, 20008,
20403, 21606, 21608, 21610, 21612, 21659, 21660, 21661, 21701, 21704, and the test
credentials page. Pure functions: no I/O.
"""

from __future__ import annotations

from typing import Final

from hubsms.sandbox.accounts import AccountRegistry, DeclaredAccount
from hubsms.sandbox.twilio import (
    MAGIC_FROM_OK,
    NewMessage,
    TwilioError,
    is_alpha_sender,
)

# Alphanumeric sender IDs cannot reach the US or Canada (+1): Twilio's 21612 page.
NO_ALPHA_PREFIXES: Final = ("+1",)


def check_status(account: DeclaredAccount | None, account_fetch: bool) -> None:
    """A closed account's credentials no longer authenticate (20003, a cause on its page); a
    suspended one may not use the API (403, 20403), but may still read its own Account
    resource, so a check can tell why (sandbox choice)."""
    if account is None or account.status == "active":
        return
    if account.status == "closed":
        raise TwilioError(20003, 401)
    if not account_fetch:
        raise TwilioError(20403, 403)


def check_test_send(new: NewMessage) -> None:
    """Test credentials: only the magic From succeeds; any other sender is 21606 (the magic
    numbers' own codes were given by ``validate_create``)."""
    if new.from_ != MAGIC_FROM_OK:
        raise TwilioError(21606, 400, from_=new.from_ or "")


def check_send(account: DeclaredAccount, new: NewMessage, registry: AccountRegistry) -> None:
    """A declared account's rules, in this order: the Messaging Service (21701, 21704), the
    From (21612, 21661, 21660, 21659), then the recipient (21608, 21610)."""
    if new.service_sid:
        _check_service(account, new.service_sid)
    if new.from_:
        _check_from(account, new, registry)
    if account.type == "Trial" and new.to not in account.verified_numbers:
        raise TwilioError(21608, 400, to=new.to)
    if new.to in account.opted_out:
        raise TwilioError(21610, 400)


def _check_service(account: DeclaredAccount, service_sid: str) -> None:
    pool = account.messaging_services.get(service_sid)
    if pool is None:
        raise TwilioError(21701, 400, service=service_sid)
    if not pool:
        raise TwilioError(21704, 400, service=service_sid)


def _check_from(account: DeclaredAccount, new: NewMessage, registry: AccountRegistry) -> None:
    sender = new.from_ or ""
    if is_alpha_sender(sender):
        if new.to.startswith(NO_ALPHA_PREFIXES):
            raise TwilioError(21612, 400, to=new.to, from_=sender)
        return
    if sender in account.sms_senders():
        return
    if sender in account.voice_only_numbers:
        raise TwilioError(21661, 400, from_=sender)
    if registry.owner_of(sender) is not None:
        raise TwilioError(21660, 400, from_=sender, account=account.sid)
    raise TwilioError(21659, 400, from_=sender)
