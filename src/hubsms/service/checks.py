"""Checking a connector without sending: ``connector test``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubsms import store
from hubsms.errors import TwilioAPIError
from hubsms.service.lookup import require_connector
from hubsms.service.sending import Limits, choose_timeouts, make_client

if TYPE_CHECKING:
    from hubsms.credentials import Keyring


def check_connector(path: Path, name: str, keyring: Keyring, *, stdin_token: str | None = None,
                    limits: Limits = Limits()) -> dict[str, Any]:
    """Fetch the connector's account with its credentials. Twilio's 20008 answer means
    test credentials: valid, but they can only send."""
    from hubsms.credentials import resolve_token

    connector = require_connector(store.load(path), name)
    token = resolve_token(connector, keyring, stdin_token=stdin_token)
    result: dict[str, Any] = {
        "connector": connector.name,
        "account_sid": connector.account_sid,
        "server_address": connector.server_address,
        "token_source": token.source,
        "active": connector.active,
    }
    with make_client(connector, token, choose_timeouts(limits.connect, limits.read)) as client:
        try:
            account = client.fetch_account()
        except TwilioAPIError as exc:
            if exc.code != 20008:
                raise
            return {**result, "ok": True, "test_credentials": True, "friendly_name": None, "status": None, "type": None}
    return {
        **result,
        "ok": True,
        "test_credentials": False,
        "friendly_name": account.get("friendly_name"),
        "status": account.get("status"),
        "type": account.get("type"),
    }
