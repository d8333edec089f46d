"""hubsms sandbox serve / messages / otp: the real app, in-process or as a subprocess."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
import terminal
from helpers import HUBSMS, free_port
from sandbox_fixture import ACCOUNT_SID

TO = "+15551234567"


class Served:
    """A `hubsms sandbox serve` subprocess; its URL read from the first line."""

    def __init__(self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [HUBSMS, "sandbox", "serve", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})},
        )
        if stdin is not None:
            self.proc.stdin.write(stdin)
        self.proc.stdin.close()
        self.proc.stdin = None  # communicate() must not flush it again
        self.first_line = self.proc.stdout.readline()
        self.url = self.first_line.strip().removeprefix("listening on ")

    def send(self, token: str = "x", **fields: str) -> requests.Response:
        data = {"To": TO, "From": "+15005550006", "Body": "Your code is 246810", **fields}
        return requests.post(f"{self.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
                             data=data, auth=(ACCOUNT_SID, token), timeout=10)

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str, str]:
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=10)
        return self.proc.returncode, out, err


@pytest.fixture
def served():
    started: list[Served] = []

    def start(*args: str, **kwargs) -> Served:
        started.append(Served(*args, **kwargs))
        return started[-1]

    yield start
    for s in started:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.communicate()


def test_serve_prints_its_url_first_and_stops_cleanly_on_sigterm(served) -> None:
    server = served("--port", "0", "--status-delay", "0")
    assert server.first_line.startswith("listening on http://127.0.0.1:")
    assert server.send().status_code == 201
    code, out, err = server.stop()
    assert code == 0, err
    assert "Traceback" not in err


def test_serve_stops_cleanly_on_ctrl_c(served) -> None:
    server = served("--port", "0")
    assert requests.get(f"{server.url}/readyz", timeout=5).status_code == 200
    code, _, err = server.stop(signal.SIGINT)
    assert code == 0, err


def test_messages_survive_a_restart_with_db(served, tmp_path) -> None:
    db = tmp_path / "sandbox.sqlite"
    port = str(free_port())
    first = served("--port", port, "--db", str(db))
    sid = first.send().json()["sid"]
    assert first.stop()[0] == 0
    second = served("--port", port, "--db", str(db))
    listed = requests.get(f"{second.url}/api/messages", timeout=5).json()["messages"]
    assert [m["sid"] for m in listed] == [sid]


@pytest.mark.parametrize("existing", [False, True])
def test_the_db_file_and_its_journal_are_readable_by_the_owner_only(served, tmp_path, existing) -> None:
    db = tmp_path / "sandbox.sqlite"
    if existing:
        db.touch(mode=0o644)
        db.chmod(0o644)
    old_umask = os.umask(0o022)
    try:
        server = served("--port", "0", "--db", str(db))
    finally:
        os.umask(old_umask)
    assert server.send().status_code == 201  # the WAL and its index now exist
    files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
    modes = {f.name: oct(f.stat().st_mode & 0o777) for f in files}
    assert server.stop()[0] == 0
    assert modes == {f.name: "0o600" for f in files}


def test_a_db_in_a_missing_folder_is_exit_2_with_a_hint(cli, tmp_path) -> None:
    result = cli("sandbox", "serve", "--port", "0", "--db", str(tmp_path / "missing" / "sandbox.sqlite"))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: cannot open the message database") and "hint:" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "missing").exists()


def test_a_token_from_an_environment_variable_is_checked_and_never_shown(served) -> None:
    token = "9" * 32
    server = served("--port", "0", "--auth-token-env", "MY_SANDBOX_TOKEN", env={"MY_SANDBOX_TOKEN": token})
    assert server.send(token="0" * 32).status_code == 401
    assert server.send(token=token).status_code == 201
    ps = subprocess.run(["ps", "-o", "args=", "-p", str(server.proc.pid)], capture_output=True, text=True).stdout
    code, out, err = server.stop()
    assert code == 0
    assert token not in out + err + ps
    assert "env:MY_SANDBOX_TOKEN" in err


def test_a_token_from_stdin_is_checked(served) -> None:
    token = "8" * 32
    server = served("--port", "0", "--auth-token-stdin", stdin=token + "\n")
    assert server.send(token="wrong").status_code == 401
    assert server.send(token=token).status_code == 201
    assert token not in "".join(server.stop()[1:])


def test_the_sandbox_token_variable_is_the_default(served) -> None:
    server = served("--port", "0", env={"HUBSMS_SANDBOX_AUTH_TOKEN": "7" * 32})
    assert server.send(token="wrong").status_code == 401
    assert server.send(token="7" * 32).status_code == 201


def test_outcome_option_makes_a_number_end_undelivered(served) -> None:
    server = served("--port", "0", "--status-delay", "0", "--outcome", f"{TO}=undelivered:30007")
    server.send()
    listed = requests.get(f"{server.url}/api/messages", timeout=5).json()["messages"]
    assert (listed[0]["status"], listed[0]["error_code"]) == ("undelivered", 30007)


def test_a_non_loopback_host_needs_allow_remote(cli) -> None:
    result = cli("sandbox", "serve", "--host", "0.0.0.0", "--port", "0")
    assert result.exit_code == 2
    assert "--allow-remote" in result.stderr and "Traceback" not in result.output


def test_allow_remote_binds_and_warns(served) -> None:
    server = served("--host", "0.0.0.0", "--port", "0", "--allow-remote")
    assert server.first_line.startswith("listening on http://0.0.0.0:")
    port = server.url.rsplit(":", 1)[1]
    assert requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
    code, _, err = server.stop()
    assert code == 0 and "warning:" in err


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["--outcome", "+1555=lost:1"], 2, "--outcome"),
        (["--auth-token-env", "UNSET_SANDBOX_VAR"], 2, "UNSET_SANDBOX_VAR"),
        (["--auth-token-stdin"], 2, "stdin is empty"),
    ],
)
def test_bad_serve_options_are_one_line_errors(cli, args, code, fragment) -> None:
    result = cli("sandbox", "serve", "--port", "0", *args, input="")
    assert result.exit_code == code
    assert fragment in result.stderr and result.stderr.startswith("error:")


def test_a_busy_port_is_a_network_error(cli) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = cli("sandbox", "serve", "--port", str(busy.getsockname()[1]))
    assert result.exit_code == 6
    assert "cannot listen" in result.stderr and "hint:" in result.stderr


def test_messages_lists_captured_messages_as_a_table(cli, sandbox) -> None:
    sandbox.send(body="Your code is 112233 [bold]x[/bold]")
    result = cli("sandbox", "messages", "--url", sandbox.url)
    assert result.exit_code == 0, result.stderr
    assert "Your code is 112233" in result.stdout and TO in result.stdout
    assert "[bold]x[/bold]" in result.stdout  # user text is not read as markup


def test_messages_json_filters_by_number(cli, sandbox) -> None:
    sandbox.send(body="one 1111")
    sandbox.send(to="+15550000002", body="two 2222")
    result = cli("sandbox", "messages", "--to", "+15550000002", "--json", "--url", sandbox.url)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [(m["to"], m["code"]) for m in data["messages"]] == [("+15550000002", "2222")]


def test_messages_reads_the_url_from_the_environment(cli, sandbox, monkeypatch) -> None:
    sandbox.send()
    monkeypatch.setenv("HUBSMS_SANDBOX_URL", sandbox.url)
    result = cli("sandbox", "messages", "--json")
    assert len(json.loads(result.stdout)["messages"]) == 1


def test_otp_prints_only_the_code(cli, sandbox) -> None:
    sandbox.send(body="Your code is 123456")
    sandbox.send(body="Your code is 987654")
    result = cli("sandbox", "otp", "--to", TO, "--url", sandbox.url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "987654\n"


def test_otp_waits_for_a_code_to_arrive(sandbox) -> None:
    proc = subprocess.Popen([HUBSMS, "sandbox", "otp", "--to", TO, "--wait", "10", "--url", sandbox.url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    sandbox.send(body="Your code is 5050")
    out, err = proc.communicate(timeout=15)
    assert (proc.returncode, out) == (0, "5050\n"), err


def test_otp_exits_3_when_nothing_arrived(cli, sandbox) -> None:
    sandbox.send(body="no code in this one")
    result = cli("sandbox", "otp", "--to", TO, "--wait", "0.3", "--url", sandbox.url)
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith("error: no code for +15551234567") and "hint:" in result.stderr


@pytest.mark.parametrize("command", [["messages"], ["otp", "--to", TO]])
def test_an_unreachable_sandbox_exits_6_with_a_hint_to_serve(cli, command) -> None:
    result = cli("sandbox", *command, "--url", f"http://127.0.0.1:{free_port()}")
    assert result.exit_code == 6
    assert "hubsms sandbox serve" in result.stderr and "Traceback" not in result.output


def test_a_url_that_is_not_http_is_a_usage_error(cli) -> None:
    result = cli("sandbox", "messages", "--url", "ftp://x")
    assert result.exit_code == 2


def test_curl_send_then_messages_and_otp_end_to_end(served, tmp_path) -> None:
    """The issue's 'done when': curl -u AC..:token -d To=.. -d From=.. -d Body=.."""
    curl = subprocess.run(["which", "curl"], capture_output=True, text=True).stdout.strip()
    if not curl:
        pytest.skip("curl is not installed")
    token = "a" * 32
    server = served("--port", "0", "--auth-token-env", "SB_TOKEN", env={"SB_TOKEN": token})
    netrc = tmp_path / "netrc"  # keeps the token out of curl's arguments
    netrc.write_text(f"machine 127.0.0.1 login {ACCOUNT_SID} password {token}\n")
    sent = subprocess.run(
        [curl, "-s", "--netrc-file", str(netrc), "-d", f"To={TO}", "-d", "From=+15005550006",
         "-d", "Body=Your hubsms code is 482913", f"{server.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"],
        capture_output=True, text=True, timeout=10,
    )
    assert json.loads(sent.stdout)["status"] == "queued"
    env = {**os.environ, "HUBSMS_SANDBOX_URL": server.url}
    listed = subprocess.run([HUBSMS, "sandbox", "messages"], capture_output=True, text=True, env=env, timeout=20)
    assert "482913" in listed.stdout and TO in listed.stdout
    code = subprocess.run([HUBSMS, "sandbox", "otp", "--to", TO], capture_output=True, text=True, env=env, timeout=20)
    assert (code.returncode, code.stdout) == (0, "482913\n")


def test_serve_with_a_database_it_cannot_open_is_a_usage_error(tmp_path):
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "hubsms", "sandbox", "serve", "--port", "0", "--db", str(tmp_path / "no" / "x.db")],
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot open the message database")


ACCOUNTS_TOML = f"""
[accounts.{ACCOUNT_SID}]
auth_token_env = "SB_PROD_TOKEN"
type = "Trial"
numbers = ["+14155552671"]
verified_numbers = ["{TO}"]
"""


def test_serve_with_an_accounts_file_plays_the_declared_account(served, tmp_path) -> None:
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(ACCOUNTS_TOML)
    token = "b" * 32
    server = served("--port", "0", "--status-delay", "0", "--accounts", str(accounts), env={"SB_PROD_TOKEN": token})
    assert server.send(token="0" * 32, From="+14155552671").status_code == 401
    not_owned = server.send(token=token, From="+14155559999")
    assert (not_owned.status_code, not_owned.json()["code"]) == (400, 21659)
    unverified = server.send(token=token, From="+14155552671", To="+15550000009")
    assert (unverified.status_code, unverified.json()["code"]) == (400, 21608)
    assert server.send(token=token, From="+14155552671").status_code == 201
    code, _, err = server.stop()
    assert code == 0 and token not in err and "declared accounts: 1" in err


@pytest.mark.parametrize(
    ("text", "env", "fragment"),
    [
        (ACCOUNTS_TOML, {}, "$SB_PROD_TOKEN is not set"),
        (ACCOUNTS_TOML.replace("type =", "colour = 1\ntype ="), {"SB_PROD_TOKEN": "x"}, "unknown key 'colour'"),
        ("[accounts\n", {}, "line 1"),
        (f"[accounts.{ACCOUNT_SID}]\nnumbers = " + "[" * 100_000 + "]" * 100_000 + "\n", {}, "nested too deeply"),
        ("x = " + "{a = " * 50_000 + "1" + "}" * 50_000 + "\n", {}, "nested too deeply"),
    ],
)
def test_a_bad_accounts_file_is_exit_3_naming_the_file(cli, tmp_path, monkeypatch, text, env, fragment) -> None:
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(text)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = cli("sandbox", "serve", "--port", "0", "--accounts", str(accounts))
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith(f"error: {accounts}: ") and fragment in result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.output


def test_clear_deletes_all_or_one_numbers_messages(cli, sandbox) -> None:
    sandbox.send(body="one 1111")
    sandbox.send(to="+15550000002", body="two 2222")
    sandbox.send(to="+15550000002", body="three 3333")
    result = cli("sandbox", "clear", "--to", "+15550000002", "--json", "--url", sandbox.url)
    assert (result.exit_code, json.loads(result.stdout)) == (0, {"deleted": 2})
    assert [m["body"] for m in sandbox.messages()] == ["one 1111"]
    result = cli("sandbox", "clear", "--url", sandbox.url)
    assert result.exit_code == 0 and "deleted 1 message" in result.stderr
    assert sandbox.messages() == []


def test_otp_after_waits_for_a_newer_code(cli, sandbox) -> None:
    first = sandbox.send(body="Your code is 111111").json()["sid"]
    result = cli("sandbox", "otp", "--to", TO, "--after", first, "--wait", "0.3", "--url", sandbox.url)
    assert result.exit_code == 3
    sandbox.send(body="Your code is 222222")
    result = cli("sandbox", "otp", "--to", TO, "--after", first, "--url", sandbox.url)
    assert (result.exit_code, result.stdout) == (0, "222222\n")
    unknown = cli("sandbox", "otp", "--to", TO, "--after", "SM" + "0" * 32, "--url", sandbox.url)
    assert unknown.exit_code == 2 and "--after" in unknown.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--to", TO, "--url", "http://[::1"], "not a valid address"),
        (["--to", TO, "--url", "http://127.0.0.1:99999"], "not a valid address"),
        (["--to", "abc"], "invalid phone number 'abc'"),
        (["--to", "+1555"], "invalid phone number '+1555'"),
    ],
)
def test_otp_with_a_bad_url_or_number_is_a_usage_error(cli, args, fragment) -> None:
    result = cli("sandbox", "otp", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error:") and fragment in result.stderr and "hint:" in result.stderr


def test_the_short_time_is_the_time_today_else_the_date_and_minute() -> None:
    from datetime import date, datetime, timezone

    from hubsms.cli.render import short_time

    moment = datetime(2023, 8, 24, 5, 1, 45, tzinfo=timezone.utc)
    assert short_time(moment, today=date(2023, 8, 24)) == "05:01:45"
    assert short_time(moment, today=date(2023, 8, 25)) == "08-24 05:01"


@terminal.POSIX_ONLY
def test_messages_fit_80_columns_one_row_a_line(sandbox) -> None:
    sandbox.send(to="+447700900123", from_="+15005550006", body="Your code is 123456")
    sandbox.outcome("+15557654321", "undelivered", 30007)
    sandbox.send(to="+15557654321", body="Your code is 654321")
    _, output = terminal.run("sandbox", "messages", "--url", sandbox.url, env={"COLUMNS": "80", "NO_COLOR": "1"},
                             size=(40, 80), timeout=20)  # its bold titles are no text: gone from the screen
    lines = [line for line in output.splitlines() if line.strip()]
    assert all(len(line) <= 80 for line in lines), lines
    rows = [line for line in lines if "+15005550006" in line]
    assert len(rows) == 2, lines  # each message on one line, whole
    assert any("+447700900123" in r and "Your code is 123456" in r for r in rows), rows
    assert any("undelivered 30007" in r and "Your code is 654321" in r for r in rows), rows


def test_auth_token_stdin_at_a_terminal_is_read_without_echo() -> None:
    pexpect = pytest.importorskip("pexpect")
    token = "c" * 32
    child = pexpect.spawn(str(HUBSMS), ["sandbox", "serve", "--port", "0", "--auth-token-stdin"],
                          encoding="utf-8", timeout=20)
    child.expect("Auth token")
    child.sendline(token)
    child.expect(r"listening on (http://\S+)")
    url = child.match.group(1)
    seen = child.before
    answer = requests.post(f"{url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json", auth=(ACCOUNT_SID, token),
                           data={"To": TO, "From": "+15005550006", "Body": "x 1234"}, timeout=10)
    child.kill(signal.SIGTERM)
    child.expect(pexpect.EOF)
    assert answer.status_code == 201
    assert token not in seen + child.before
