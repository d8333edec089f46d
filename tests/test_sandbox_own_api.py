"""The sandbox's own API: listing, latest message and OTP with long-poll, delete, faults,
outcomes, request counts and readiness."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sandbox_fixture import ACCOUNT_SID

from hubsms.sandbox.server import SandboxServer

TO = "+15551234567"


def api(sandbox, method: str, path: str, **kwargs) -> requests.Response:
    return sandbox.http.request(method, sandbox.url + path, timeout=40, **kwargs)


def send_later(sandbox, delay: float, **fields) -> threading.Thread:
    thread = threading.Timer(delay, lambda: sandbox.send(**fields))
    thread.start()
    return thread


def test_readyz_is_ready(sandbox) -> None:
    answer = api(sandbox, "GET", "/readyz")
    assert (answer.status_code, answer.json()) == (200, {"status": "ready"})


def test_messages_are_listed_newest_first_with_their_code(sandbox, twilio_schemas) -> None:
    sandbox.send(body="first 1111")
    sandbox.send(body="no code here")
    sandbox.send(to="+15550000002", from_="SigningHub", body="other 2222")
    listed = api(sandbox, "GET", "/api/messages").json()["messages"]
    assert [(m["body"], m["code"]) for m in listed] == [("other 2222", "2222"), ("no code here", None), ("first 1111", "1111")]
    for item in listed:
        twilio_schemas.message({k: v for k, v in item.items() if k != "code"})
    assert [m["body"] for m in api(sandbox, "GET", "/api/messages", params={"to": "+15550000002"}).json()["messages"]] == ["other 2222"]
    assert [m["body"] for m in api(sandbox, "GET", "/api/messages", params={"from": "SigningHub"}).json()["messages"]] == ["other 2222"]
    assert len(api(sandbox, "GET", "/api/messages", params={"limit": 2}).json()["messages"]) == 2


def test_a_plus_typed_unencoded_in_the_query_still_matches(sandbox) -> None:
    sandbox.send(to=TO)
    listed = requests.get(f"{sandbox.url}/api/messages?to={TO}", timeout=10).json()["messages"]
    assert [m["to"] for m in listed] == [TO]


def test_latest_returns_the_newest_message_for_the_number(sandbox) -> None:
    sandbox.send(body="old 1111")
    sandbox.send(body="new 2222")
    sandbox.send(to="+15550000002", body="elsewhere 3333")
    answer = api(sandbox, "GET", "/api/messages/latest", params={"to": TO})
    assert answer.status_code == 200
    assert (answer.json()["body"], answer.json()["code"]) == ("new 2222", "2222")


def test_latest_without_a_message_is_404_at_once_without_wait(sandbox) -> None:
    started = time.monotonic()
    answer = api(sandbox, "GET", "/api/messages/latest", params={"to": TO})
    assert answer.status_code == 404
    assert "error" in answer.json()
    assert time.monotonic() - started < 0.5


def test_latest_long_poll_returns_as_soon_as_a_message_arrives(sandbox) -> None:
    timer = send_later(sandbox, 0.4, body="late 4242")
    started = time.monotonic()
    answer = api(sandbox, "GET", "/api/messages/latest", params={"to": TO, "wait": 10})
    elapsed = time.monotonic() - started
    timer.join()
    assert answer.status_code == 200 and answer.json()["code"] == "4242"
    assert 0.3 < elapsed < 2.0


def test_latest_long_poll_gives_404_after_about_wait(sandbox) -> None:
    send_later(sandbox, 0.2, to="+15550000002").join()  # another number does not count
    started = time.monotonic()
    answer = api(sandbox, "GET", "/api/messages/latest", params={"to": TO, "wait": 1})
    elapsed = time.monotonic() - started
    assert answer.status_code == 404
    assert 0.9 < elapsed < 1.8


def test_latest_after_a_sid_waits_for_a_newer_message(sandbox) -> None:
    first = sandbox.send(body="first 1111").json()["sid"]
    now = api(sandbox, "GET", "/api/messages/latest", params={"to": TO, "after": first})
    assert now.status_code == 404
    timer = send_later(sandbox, 0.3, body="second 2222")
    answer = api(sandbox, "GET", "/api/messages/latest", params={"to": TO, "after": first, "wait": 5})
    timer.join()
    assert answer.json()["body"] == "second 2222"


def test_the_wait_is_capped_at_30_seconds_and_checked(sandbox) -> None:
    assert api(sandbox, "GET", "/api/messages/latest", params={"to": TO, "wait": "soon"}).status_code == 400
    assert api(sandbox, "GET", "/api/messages/latest", params={"to": TO, "wait": -1}).status_code == 400
    assert api(sandbox, "GET", "/api/messages/latest", params={"after": "SMnope"}).status_code == 400
    sandbox.send()
    # A huge wait is accepted (capped); a message already there answers at once.
    assert api(sandbox, "GET", "/api/messages/latest", params={"to": TO, "wait": 10**6}).status_code == 200


def test_otp_returns_the_newest_code_for_the_number(sandbox) -> None:
    sandbox.send(body="Your code is 123456")
    sid = sandbox.send(body="Your code is 654321").json()["sid"]
    sandbox.send(body="Thanks, no code")
    answer = api(sandbox, "GET", "/api/otp", params={"to": TO})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["code"], body["sid"], body["to"], body["body"]) == ("654321", sid, TO, "Your code is 654321")
    assert body["date_created"].endswith("+0000")


def test_otp_waits_for_a_code_and_gives_404_when_none(sandbox) -> None:
    assert api(sandbox, "GET", "/api/otp", params={"to": TO}).status_code == 404
    timer = send_later(sandbox, 0.3, body="code 7777")
    answer = api(sandbox, "GET", "/api/otp", params={"to": TO, "wait": 5})
    timer.join()
    assert answer.json()["code"] == "7777"
    started = time.monotonic()
    assert api(sandbox, "GET", "/api/otp", params={"to": "+15550000009", "wait": 0.5}).status_code == 404
    assert 0.4 < time.monotonic() - started < 1.5


def test_delete_removes_all_or_one_numbers_messages(sandbox) -> None:
    sandbox.send()
    sandbox.send()
    sandbox.send(to="+15550000002")
    assert api(sandbox, "DELETE", "/api/messages", params={"to": TO}).json() == {"deleted": 2}
    assert [m["to"] for m in sandbox.messages()] == ["+15550000002"]
    assert api(sandbox, "DELETE", "/api/messages").json() == {"deleted": 1}
    assert sandbox.messages() == []


def test_stats_count_messages_and_requests_per_route(sandbox) -> None:
    sandbox.send()
    sandbox.send(to=None)  # refused, still a request
    sandbox.http.get(sandbox.messages_url, auth=sandbox.auth, timeout=10)
    stats = api(sandbox, "GET", "/api/stats").json()
    assert stats["messages"] == 1
    assert stats["requests"] == {
        "POST /2010-04-01/Accounts/{AccountSid}/Messages.json": 2,
        "GET /2010-04-01/Accounts/{AccountSid}/Messages.json": 1,
    }
    api(sandbox, "DELETE", "/api/stats")
    assert api(sandbox, "GET", "/api/stats").json()["requests"] == {}


def test_fault_429_answers_twilios_20429_with_retry_after_then_recovers(sandbox, twilio_schemas) -> None:
    sandbox.fault("429", count=2, retry_after=3)
    for _ in range(2):
        answer = sandbox.send()
        assert answer.status_code == 429
        assert answer.headers["Retry-After"] == "3"
        twilio_schemas.error(answer.json(), code=20429, status=429)
    assert sandbox.send().status_code == 201
    assert len(sandbox.messages()) == 1  # faulted requests stored nothing
    assert sandbox.stats()["requests"]["POST /2010-04-01/Accounts/{AccountSid}/Messages.json"] == 3


def test_fault_429_without_retry_after_has_no_header(sandbox) -> None:
    sandbox.fault("429")
    answer = sandbox.send()
    assert answer.status_code == 429 and "Retry-After" not in answer.headers


def test_fault_500_is_a_twilio_shaped_500(sandbox, twilio_schemas) -> None:
    sandbox.fault("500")
    answer = sandbox.send()
    assert answer.status_code == 500
    twilio_schemas.error(answer.json(), code=20500, status=500)
    assert sandbox.messages() == []


def test_fault_close_drops_the_connection_without_answer(sandbox) -> None:
    sandbox.fault("close")
    with pytest.raises(requests.ConnectionError):
        sandbox.send()
    assert sandbox.messages() == []
    assert sandbox.send().status_code == 201


def test_fault_delay_answers_normally_after_the_delay(sandbox) -> None:
    sandbox.fault("delay", delay=0.6)
    started = time.monotonic()
    answer = sandbox.send()
    assert answer.status_code == 201
    assert time.monotonic() - started >= 0.55
    assert len(sandbox.messages()) == 1


def test_fault_delay_trips_a_clients_read_timeout(sandbox) -> None:
    sandbox.fault("delay", delay=1.0)
    with pytest.raises(requests.ReadTimeout):
        sandbox.http.get(f"{sandbox.accounts_url}/{ACCOUNT_SID}.json", auth=sandbox.auth, timeout=0.3)


def test_faults_are_taken_in_order_and_cleared_by_delete(sandbox) -> None:
    sandbox.fault("500")
    sandbox.fault("429")
    assert [f["mode"] for f in api(sandbox, "GET", "/api/faults").json()["faults"]] == ["500", "429"]
    assert sandbox.send().status_code == 500
    assert api(sandbox, "DELETE", "/api/faults").status_code == 200
    assert sandbox.send().status_code == 201


def test_faults_do_not_touch_the_own_api(sandbox) -> None:
    sandbox.fault("500")
    assert api(sandbox, "GET", "/api/messages").status_code == 200
    assert api(sandbox, "GET", "/readyz").status_code == 200
    assert sandbox.send().status_code == 500


@pytest.mark.parametrize(
    ("path", "body"),
    [("/api/faults", {"mode": "teapot"}), ("/api/faults", {"mode": "delay"}), ("/api/faults", [1]),
     ("/api/outcomes", {"to": TO, "status": "delivered", "error_code": 30007}),
     ("/api/outcomes", {"to": TO, "status": "failed", "error_code": 21211}),
     ("/api/outcomes", {"status": "failed", "error_code": 30007})],
)
def test_bad_fault_and_outcome_requests_are_400(sandbox, path, body) -> None:
    answer = api(sandbox, "POST", path, json=body)
    assert answer.status_code == 400 and answer.json()["error"]


def test_a_body_that_is_not_json_is_400(sandbox) -> None:
    answer = api(sandbox, "POST", "/api/faults", data="mode=429")
    assert answer.status_code == 400


def test_outcomes_are_listed_and_cleared(sandbox) -> None:
    sandbox.outcome(TO, "undelivered", 30007)
    assert api(sandbox, "GET", "/api/outcomes").json()["outcomes"][TO]["error_code"] == 30007
    api(sandbox, "DELETE", "/api/outcomes")
    sandbox.send()
    assert sandbox.messages()[0]["status"] == "delivered"


def test_an_unknown_method_on_a_known_route_is_405(sandbox) -> None:
    assert api(sandbox, "PUT", "/api/messages").status_code == 405


def test_sixteen_concurrent_clients_lose_no_message(sandbox) -> None:
    results: list[int] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        with requests.Session() as session:
            session.trust_env = False
            for i in range(25):
                answer = session.post(sandbox.messages_url, auth=sandbox.auth, timeout=10,
                                      data={"To": f"+1555000{n:04d}", "From": "+15005550006", "Body": f"{n} {i}"})
                with lock:
                    results.append(answer.status_code)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(201) == len(results) == 400
    assert sandbox.stats()["messages"] == 400
    assert len({m["sid"] for m in sandbox.messages()}) == 400


def test_a_file_database_keeps_every_message_under_concurrency(tmp_path) -> None:
    db = tmp_path / "sandbox.sqlite"
    with SandboxServer(port=0, db=db, status_delay=0) as server:
        url = f"{server.accounts_url}/{ACCOUNT_SID}/Messages.json"

        def client(n: int) -> list[int]:
            with requests.Session() as session:
                return [session.post(url, data={"To": "+15551234567", "From": "+15005550006", "Body": f"{n}-{i}"},
                                     auth=(ACCOUNT_SID, "x"), timeout=10).status_code for i in range(10)]

        with ThreadPoolExecutor(16) as pool:
            statuses = [s for batch in pool.map(client, range(16)) for s in batch]
    assert statuses == [201] * 160
    with SandboxServer(port=0, db=db) as again:
        assert requests.get(f"{again.url}/api/stats", timeout=10).json()["messages"] == 160


def test_test_account_can_send_but_fetch_nothing_else(sandbox):
    answer = sandbox.http.post(f"{sandbox.url}/api/test-accounts", json={"sid": sandbox.account_sid}, timeout=5)
    assert answer.status_code == 200
    assert sandbox.send().status_code == 201
    fetched = sandbox.http.get(f"{sandbox.accounts_url}/{sandbox.account_sid}.json", auth=sandbox.auth, timeout=5)
    assert fetched.status_code == 403
    assert fetched.json()["code"] == 20008
    listed = sandbox.http.get(sandbox.messages_url, auth=sandbox.auth, timeout=5)
    assert listed.json()["code"] == 20008
    sandbox.http.delete(f"{sandbox.url}/api/test-accounts", timeout=5)
    assert sandbox.http.get(sandbox.messages_url, auth=sandbox.auth, timeout=5).status_code == 200


def test_test_account_needs_a_well_formed_sid(sandbox):
    answer = sandbox.http.post(f"{sandbox.url}/api/test-accounts", json={"sid": "AC12"}, timeout=5)
    assert answer.status_code == 400
