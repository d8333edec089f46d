"""The Messaging API's host follows the connector's Server Address (one pure function)."""

from __future__ import annotations

import pytest

from hubsms.twilio.client import TwilioClient
from hubsms.twilio.messaging import messaging_origin


@pytest.mark.parametrize(
    ("server_address", "origin"),
    [
        ("https://api.twilio.com/2010-04-01/Accounts", "https://messaging.twilio.com"),
        ("https://API.Twilio.com/2010-04-01/Accounts/", "https://messaging.twilio.com"),
        ("https://api.dublin.ie1.twilio.com/2010-04-01/Accounts", "https://messaging.dublin.ie1.twilio.com"),
        ("https://api.sydney.au1.twilio.com/2010-04-01/Accounts", "https://messaging.sydney.au1.twilio.com"),
        ("https://api.ie1.twilio.com/2010-04-01/Accounts", "https://messaging.ie1.twilio.com"),
        ("https://api.twilio.com:8443/2010-04-01/Accounts", "https://messaging.twilio.com:8443"),
        ("http://127.0.0.1:8765/2010-04-01/Accounts", "http://127.0.0.1:8765"),
        ("http://localhost:8765/2010-04-01/Accounts", "http://localhost:8765"),
        ("http://[::1]:8765/2010-04-01/Accounts", "http://[::1]:8765"),
        ("https://twilio-proxy.example.com/2010-04-01/Accounts", "https://twilio-proxy.example.com"),
        ("https://api.twilio.com.example.com/2010-04-01/Accounts", "https://api.twilio.com.example.com"),
        ("https://api.nottwilio.com/2010-04-01/Accounts", "https://api.nottwilio.com"),
        ("https://user:secret@api.twilio.com/2010-04-01/Accounts", "https://messaging.twilio.com"),
        ("http://user:secret@127.0.0.1:9/x", "http://127.0.0.1:9"),
    ],
)
def test_the_messaging_host_follows_the_server_address(server_address, origin):
    assert messaging_origin(server_address) == origin


def test_the_client_asks_the_messaging_host():
    with TwilioClient("AC" + "0" * 32, "0" * 32, "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts") as client:
        assert client.messaging_url == "https://messaging.dublin.ie1.twilio.com/v1"
