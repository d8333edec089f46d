"""The ``sandbox`` fixture: the project's real Twilio-compatible sandbox on 127.0.0.1.

One server per test session (port 0, in a thread); each test gets it cleared of messages,
faults, outcomes and request counts, with ``status_delay`` 0 unless the test sets it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from helpers import SID, SID2, TOKEN, TOKEN2

from hubsms.sandbox.server import SandboxServer

ACCOUNT_SID = SID
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"  # the session sandbox accepts any password


class SandboxHandle:
    """What a test needs of the sandbox: its addresses and a few helpers over its own API."""

    account_sid = ACCOUNT_SID
    auth_token = AUTH_TOKEN

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.url = server.url
        self.accounts_url = server.accounts_url
        self.messages_url = f"{self.accounts_url}/{ACCOUNT_SID}/Messages.json"
        self.auth = (ACCOUNT_SID, AUTH_TOKEN)
        self.http = requests.Session()
        self.http.trust_env = False  # never through a proxy: the sandbox is local
        self.http.headers["X-Hubsms-Sandbox"] = "1"  # the own API's writes must say so

    @property
    def status_delay(self) -> float:
        return self.server.status_delay

    @status_delay.setter
    def status_delay(self, seconds: float) -> None:
        self.server.status_delay = seconds

    def send(self, to: str = "+15551234567", from_: str = "+15005550006",
             body: str = "Your code is 123456", **extra: str) -> requests.Response:
        """POST a message with the account's Basic auth; returns the raw response."""
        data = {"To": to, "From": from_, "Body": body, **extra}
        return self.http.post(self.messages_url, data={k: v for k, v in data.items() if v is not None},
                              auth=self.auth, timeout=10)

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        answer = self.http.get(f"{self.url}/api/messages", params={"to": to, "limit": 1000}, timeout=10)
        answer.raise_for_status()
        return answer.json()["messages"]

    def stats(self) -> dict[str, Any]:
        return self.http.get(f"{self.url}/api/stats", timeout=10).json()

    def fault(self, mode: str, count: int = 1, **options: Any) -> None:
        answer = self.http.post(f"{self.url}/api/faults", json={"mode": mode, "count": count, **options}, timeout=10)
        answer.raise_for_status()

    def declare(self, sid: str = ACCOUNT_SID, token: str | None = AUTH_TOKEN, **fields: Any) -> dict[str, Any]:
        """Declare an account through the own API; returns what the API shows of it."""
        body = {"sid": sid, **({"auth_token": token} if token else {}), **fields}
        answer = self.http.post(f"{self.url}/api/accounts", json=body, timeout=10)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    def outcome(self, to: str, status: str, error_code: int) -> None:
        answer = self.http.post(f"{self.url}/api/outcomes",
                                json={"to": to, "status": status, "error_code": error_code}, timeout=10)
        answer.raise_for_status()


# --- a declared production account ----------------------------------------------------

OWNED = "+14155552671"
VOICE = "+14155550100"
FOREIGN = "+14155553333"  # another account's number
SHORT = "894546"
VERIFIED = "+4917612345678"
STOPPED = "+4917600000001"
SERVICE = "MG" + "1" * 32
EMPTY_SERVICE = "MG" + "2" * 32
US = "+15551234567"
DE = "+4915112345678"


def declare_production(sandbox: SandboxHandle, **fields: Any) -> dict[str, Any]:
    """Declare ACCOUNT_SID as a full account with each kind of sender (``fields`` change any);
    returns what the own API shows of it."""
    base = {"friendly_name": "Production", "numbers": [OWNED], "voice_only_numbers": [VOICE],
            "short_codes": [SHORT], "verified_numbers": [VERIFIED], "opted_out": [STOPPED],
            "messaging_services": {SERVICE: [OWNED, "SigningHub"], EMPTY_SERVICE: []}}
    return sandbox.declare(**{**base, **fields})


def declare_accounts(sandbox: SandboxHandle, **fields: Any) -> None:
    """The production account with the connectors' token (helpers.TOKEN), and SID2 (token
    TOKEN2), the account that owns FOREIGN."""
    declare_production(sandbox, token=TOKEN, **fields)
    sandbox.declare(sid=SID2, token=TOKEN2, numbers=[FOREIGN])


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    with SandboxServer(host="127.0.0.1", port=0, status_delay=0) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Iterator[SandboxHandle]:
    sandbox_server.sandbox.reset()
    sandbox_server.status_delay = 0
    handle = SandboxHandle(sandbox_server)
    yield handle
    handle.http.close()


# --- Twilio's OpenAPI schemas -----------------------------------------------------------

# Twilio's own OpenAPI description, copied into the tests' data (see its SOURCE.md).
SPEC_DIR = Path(__file__).resolve().parent / "data" / "twilio-oai"
SPEC_PATH = SPEC_DIR / "twilio_api_v2010.json"
MESSAGING_SPEC_PATH = SPEC_DIR / "twilio_messaging_v1.json"
ACCOUNT_PATH = "/2010-04-01/Accounts/{Sid}.json"
MESSAGES_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages.json"
MESSAGE_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json"

# Twilio's spec declares no error responses (docs/twilio.md, "Endpoints"): this is the legacy 4-key shape.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["code", "message", "more_info", "status"],
    "additionalProperties": False,
    "properties": {
        "code": {"type": "integer"},
        "message": {"type": "string", "minLength": 1},
        "more_info": {"type": "string", "pattern": r"^https://www\.twilio\.com/docs/errors/[0-9]+$"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
    },
}


class TwilioSchemas:
    """Validates response bodies against the operations' schemas in Twilio's OpenAPI specs
    (API 2010-04-01 and Messaging v1), and checks that a resource has exactly the spec's
    fields (no more, no fewer)."""

    def __init__(self, spec: dict[str, Any], messaging: dict[str, Any] | None = None) -> None:
        from openapi_schema_validator import OAS30Validator

        self._spec = spec
        self._messaging = messaging or {"paths": {}, "components": {"schemas": {}}}
        self._validator = OAS30Validator

    def _spec_of(self, path: str) -> dict[str, Any]:
        return self._messaging if path.startswith("/v1/") else self._spec

    def _schema(self, path: str, method: str, status: str) -> dict[str, Any]:
        content = self._spec_of(path)["paths"][path][method]["responses"][status]["content"]
        return content["application/json"]["schema"]

    def _validate(self, schema: dict[str, Any], body: Any, spec: dict[str, Any] | None = None) -> None:
        # The components travel with the schema so that its $refs resolve.
        self._validator({**schema, "components": (spec or self._spec)["components"]}).validate(body)

    def _exact_fields(self, schema: dict[str, Any], body: dict[str, Any], spec: dict[str, Any] | None = None) -> None:
        if "$ref" in schema:
            schema = (spec or self._spec)["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        assert set(body) == set(schema["properties"]), set(body) ^ set(schema["properties"])

    def fetched(self, path: str, body: Any) -> None:
        """A GET answer of any operation in either spec, e.g. ``/v1/Services/{Sid}``; list
        answers have each item checked for exactly its fields too."""
        spec = self._spec_of(path)
        schema = self._schema(path, "get", "200")
        self._validate(schema, body, spec)
        self._exact_fields(schema, body, spec)
        for key, item_schema in schema.get("properties", {}).items():
            if item_schema.get("type") == "array":
                for item in body[key]:
                    self._exact_fields(item_schema["items"], item, spec)

    def account(self, body: Any) -> None:
        schema = self._schema(ACCOUNT_PATH, "get", "200")
        self._validate(schema, body)
        self._exact_fields(schema, body)

    def message(self, body: Any, created: bool = False) -> None:
        schema = self._schema(MESSAGES_PATH, "post", "201") if created else self._schema(MESSAGE_PATH, "get", "200")
        self._validate(schema, body)
        self._exact_fields(schema, body)

    def page(self, body: Any) -> None:
        schema = self._schema(MESSAGES_PATH, "get", "200")
        self._validate(schema, body)
        self._exact_fields(schema, body)
        for message in body["messages"]:
            self._exact_fields(schema["properties"]["messages"]["items"], message)

    def error(self, body: Any, code: int | None = None, status: int | None = None) -> None:
        self._validator(ERROR_SCHEMA).validate(body)
        assert body["more_info"].endswith(f"/{body['code']}")
        assert code is None or body["code"] == code, body
        assert status is None or body["status"] == status, body


@pytest.fixture(scope="session")
def twilio_schemas() -> TwilioSchemas:
    import json

    return TwilioSchemas(json.loads(SPEC_PATH.read_text(encoding="utf-8")),
                         json.loads(MESSAGING_SPEC_PATH.read_text(encoding="utf-8")))
