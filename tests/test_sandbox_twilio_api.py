"""The sandbox's Twilio endpoints over real HTTP, every body checked against Twilio's
OpenAPI schemas (successes) or the four-key error shape (errors)."""

from __future__ import annotations

import base64
import email.utils
import http.client
import json
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests
from sandbox_fixture import ACCOUNT_SID

from hubsms.sandbox.server import SandboxServer

OTHER_SID = "AC" + "f" * 32


def is_rfc2822(text: str) -> bool:
    return email.utils.parsedate_to_datetime(text) is not None and text.endswith(" +0000")


def test_create_answers_201_with_the_full_queued_resource(sandbox, twilio_schemas) -> None:
    before = time.time()
    answer = sandbox.send(body="Your code is 123456")
    assert answer.status_code == 201
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    twilio_schemas.message(body, created=True)
    assert body["status"] == "queued"
    assert body["sid"].startswith("SM") and len(body["sid"]) == 34
    assert (body["to"], body["from"], body["body"]) == ("+15551234567", "+15005550006", "Your code is 123456")
    assert (body["num_segments"], body["num_media"]) == ("1", "0")
    assert body["uri"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{body['sid']}.json"
    assert is_rfc2822(body["date_created"])
    assert email.utils.parsedate_to_datetime(body["date_created"]).timestamp() >= int(before)
    assert body["date_sent"] is None


def test_a_raw_form_post_like_curl_is_stored(sandbox, twilio_schemas) -> None:
    # What `curl -u AC..:token -d To=+1555... -d From=... -d Body=...` sends: '+' unencoded.
    target = urlsplit(sandbox.messages_url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
    credentials = base64.b64encode(f"{ACCOUNT_SID}:secret".encode()).decode()
    connection.request(
        "POST", target.path, body="To=+15551234567&From=+15005550006&Body=Your code is 482913",
        headers={"Authorization": f"Basic {credentials}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    answer = connection.getresponse()
    body = json.loads(answer.read())
    connection.close()
    assert answer.status == 201, body
    twilio_schemas.message(body, created=True)
    assert body["to"] == "+15551234567"
    assert [m["code"] for m in sandbox.messages("+15551234567")] == ["482913"]


def test_segments_are_a_string_counted_on_the_body(sandbox, twilio_schemas) -> None:
    body = sandbox.send(body="ж" * 71).json()
    twilio_schemas.message(body, created=True)
    assert body["num_segments"] == "2"


def test_with_a_messaging_service_from_is_null_and_status_accepted(sandbox, twilio_schemas) -> None:
    service = "MG" + "b" * 32
    body = sandbox.send(from_=None, MessagingServiceSid=service).json()
    twilio_schemas.message(body, created=True)
    assert (body["from"], body["messaging_service_sid"], body["status"]) == (None, service, "accepted")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"To": None}, 21604),
        ({"From": None}, 21603),
        ({"Body": None}, 21602),
        ({"Body": "x" * 1601}, 21617),
        ({"To": "555-1234"}, 21211),
        ({"From": "bad sender!"}, 21212),
        ({"MessagingServiceSid": "MGnope", "From": None}, 21705),
        ({"To": "+15005550001"}, 21211),
        ({"To": "+15005550002"}, 21612),
        ({"To": "+15005550003"}, 21408),
        ({"To": "+15005550004"}, 21610),
        ({"To": "+15005550009"}, 21614),
        ({"From": "+15005550001"}, 21212),
        ({"From": "+15005550007"}, 21606),
        ({"From": "+15005550008"}, 21611),
    ],
)
def test_invalid_creates_get_twilios_code_and_store_nothing(sandbox, twilio_schemas, fields, code) -> None:
    defaults = {"to": "+15551234567", "from_": "+15005550006", "body": "hello 1234"}
    names = {"To": "to", "From": "from_", "Body": "body"}
    extra = {k: v for k, v in fields.items() if k not in names}
    defaults.update({names[k]: v for k, v in fields.items() if k in names})
    answer = sandbox.send(**defaults, **extra)
    assert answer.status_code == 400
    twilio_schemas.error(answer.json(), code=code, status=400)
    assert sandbox.messages() == []


def test_a_json_body_is_refused_with_21604(sandbox, twilio_schemas) -> None:
    answer = sandbox.http.post(sandbox.messages_url, json={"To": "+15551234567", "From": "+15005550006", "Body": "x"},
                               auth=sandbox.auth, timeout=10)
    assert answer.status_code == 400
    twilio_schemas.error(answer.json(), code=21604, status=400)
    assert sandbox.messages() == []


@pytest.mark.parametrize(
    "auth",
    [
        None,  # missing
        "Bearer abc",  # not Basic
        "Basic !!!notbase64",  # malformed
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Basic " + base64.b64encode(f"{OTHER_SID}:x".encode()).decode(),  # another account
    ],
)
def test_bad_basic_auth_is_401_20003(sandbox, twilio_schemas, auth) -> None:
    headers = {} if auth is None else {"Authorization": auth}
    for method, url in (("POST", sandbox.messages_url), ("GET", sandbox.messages_url),
                        ("GET", f"{sandbox.accounts_url}/{ACCOUNT_SID}.json")):
        answer = sandbox.http.request(method, url, data={"To": "+15551234567", "From": "+15005550006", "Body": "x"},
                                      headers=headers, timeout=10)
        assert answer.status_code == 401
        twilio_schemas.error(answer.json(), code=20003, status=401)
        assert answer.headers["WWW-Authenticate"].startswith("Basic")
    assert sandbox.messages() == []


def test_with_a_server_token_a_wrong_token_is_401_and_the_right_one_works(twilio_schemas) -> None:
    token = "c" * 32
    with SandboxServer(port=0, auth_token=token, status_delay=0) as server:
        url = f"{server.accounts_url}/{ACCOUNT_SID}/Messages.json"
        data = {"To": "+15551234567", "From": "+15005550006", "Body": "x"}
        wrong = requests.post(url, data=data, auth=(ACCOUNT_SID, "d" * 32), timeout=10)
        right = requests.post(url, data=data, auth=(ACCOUNT_SID, token), timeout=10)
    assert wrong.status_code == 401
    twilio_schemas.error(wrong.json(), code=20003, status=401)
    assert token not in wrong.text
    assert right.status_code == 201
    twilio_schemas.message(right.json(), created=True)


def test_account_fetch_is_an_active_full_account(sandbox, twilio_schemas) -> None:
    answer = sandbox.http.get(f"{sandbox.accounts_url}/{ACCOUNT_SID}.json", auth=sandbox.auth, timeout=10)
    assert answer.status_code == 200
    body = answer.json()
    twilio_schemas.account(body)
    assert (body["sid"], body["status"], body["type"]) == (ACCOUNT_SID, "active", "Full")
    assert body["auth_token"] is None  # the token is never echoed
    assert is_rfc2822(body["date_created"])


def test_a_malformed_account_sid_is_404(sandbox, twilio_schemas) -> None:
    answer = sandbox.http.get(f"{sandbox.accounts_url}/ACnope.json", auth=("ACnope", "x"), timeout=10)
    assert answer.status_code == 404
    twilio_schemas.error(answer.json(), code=20404, status=404)


def test_fetch_returns_the_message_and_unknown_sids_are_404(sandbox, twilio_schemas) -> None:
    sid = sandbox.send().json()["sid"]
    fetched = sandbox.http.get(f"{sandbox.accounts_url}/{ACCOUNT_SID}/Messages/{sid}.json", auth=sandbox.auth, timeout=10)
    assert fetched.status_code == 200
    twilio_schemas.message(fetched.json())
    assert fetched.json()["sid"] == sid
    for missing in ("SM" + "0" * 32, "not-a-sid"):
        answer = sandbox.http.get(f"{sandbox.accounts_url}/{ACCOUNT_SID}/Messages/{missing}.json", auth=sandbox.auth, timeout=10)
        assert answer.status_code == 404
        twilio_schemas.error(answer.json(), code=20404, status=404)
    other = sandbox.http.get(f"{sandbox.accounts_url}/{OTHER_SID}/Messages/{sid}.json", auth=(OTHER_SID, "x"), timeout=10)
    assert other.status_code == 404  # another account's message is not found


@pytest.mark.parametrize("path", ["/2010-04-01/Accounts/{sid}/Calls.json", "/2010-04-01/Nope", "/nope", "/api/nope"])
def test_unknown_paths_are_404(sandbox, twilio_schemas, path) -> None:
    answer = sandbox.http.get(sandbox.url + path.format(sid=ACCOUNT_SID), auth=sandbox.auth, timeout=10)
    assert answer.status_code == 404
    if not path.startswith("/api/"):
        twilio_schemas.error(answer.json(), code=20404, status=404)


def test_an_unsupported_method_is_405_in_twilios_shape(sandbox, twilio_schemas) -> None:
    answer = sandbox.http.delete(sandbox.messages_url, auth=sandbox.auth, timeout=10)
    assert answer.status_code == 405
    twilio_schemas.error(answer.json(), code=20004, status=405)


def test_status_moves_queued_sending_sent_delivered(sandbox, twilio_schemas) -> None:
    sandbox.status_delay = 0.3
    created = sandbox.send().json()
    url = f"{sandbox.accounts_url}/{ACCOUNT_SID}/Messages/{created['sid']}.json"
    seen = [created["status"]]
    deadline = time.monotonic() + 3
    while seen[-1] != "delivered" and time.monotonic() < deadline:
        body = sandbox.http.get(url, auth=sandbox.auth, timeout=10).json()
        twilio_schemas.message(body)
        if body["status"] != seen[-1]:
            seen.append(body["status"])
        time.sleep(0.05)
    assert seen == ["queued", "sending", "sent", "delivered"]
    assert is_rfc2822(body["date_sent"]) and body["error_code"] is None


def test_with_zero_delay_the_create_says_queued_and_the_next_fetch_delivered(sandbox, twilio_schemas) -> None:
    created = sandbox.send().json()
    assert created["status"] == "queued"
    body = sandbox.http.get(f"{sandbox.accounts_url}/{ACCOUNT_SID}/Messages/{created['sid']}.json",
                            auth=sandbox.auth, timeout=10).json()
    twilio_schemas.message(body)
    assert body["status"] == "delivered"


@pytest.mark.parametrize(("status", "code"), [("undelivered", 30007), ("failed", 30008)])
def test_an_outcome_ends_the_message_with_its_30xxx_error(sandbox, twilio_schemas, status, code) -> None:
    sandbox.outcome("+15557654321", status, code)
    created = sandbox.send(to="+15557654321").json()
    assert created["status"] == "queued" and created["error_code"] is None
    body = sandbox.http.get(f"{sandbox.accounts_url}/{ACCOUNT_SID}/Messages/{created['sid']}.json",
                            auth=sandbox.auth, timeout=10).json()
    twilio_schemas.message(body)
    assert (body["status"], body["error_code"]) == (status, code)
    assert body["error_message"]
    assert sandbox.send(to="+15551112222").status_code == 201  # other numbers still deliver


def test_outcomes_from_the_server_options_apply() -> None:
    with SandboxServer(port=0, status_delay=0, outcomes={"+15557654321": "undelivered:30007"}) as server:
        url = f"{server.accounts_url}/{ACCOUNT_SID}/Messages.json"
        requests.post(url, data={"To": "+15557654321", "From": "+15005550006", "Body": "x"},
                      auth=(ACCOUNT_SID, "x"), timeout=10)
        listed = requests.get(url, auth=(ACCOUNT_SID, "x"), timeout=10).json()["messages"]
    assert [(m["status"], m["error_code"]) for m in listed] == [("undelivered", 30007)]


def test_errors_from_the_http_layer_are_twilio_shaped_too(sandbox, twilio_schemas) -> None:
    target = urlsplit(sandbox.url)
    with socket.create_connection((target.hostname, target.port), timeout=10) as raw:
        raw.sendall(b"BREW /2010-04-01/Accounts HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = raw.makefile("rb").read().decode()
    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 501")
    twilio_schemas.error(json.loads(body), code=20004, status=501)


def test_head_and_options_get_twilio_answers_without_storing(sandbox, twilio_schemas) -> None:
    head = sandbox.http.head(sandbox.messages_url, auth=sandbox.auth, timeout=10)
    assert head.status_code == 405 and head.content == b""
    options = sandbox.http.options(sandbox.messages_url, auth=sandbox.auth, timeout=10)
    twilio_schemas.error(options.json(), code=20004, status=405)
    assert sandbox.messages() == []
