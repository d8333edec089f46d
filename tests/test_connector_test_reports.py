"""Machine-readable reports of connector test: ``--junit FILE`` (JUnit XML, validated against
the schema of Jenkins' xUnit plugin) and ``--format prometheus`` (read back with
prometheus-client's own parser), through the real CLI against the sandbox."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest
import xmlschema
from helpers import REPO, SID2, TOKEN, added, assert_user_error, free_port
from prometheus_client.parser import text_string_to_metric_families
from sandbox_fixture import OWNED
from test_connector_test_all import mixed  # noqa: F401 - the fixture: Good, Voice, Other, Idle

SCHEMA = REPO / "tests" / "data" / "junit" / "junit-10.xsd"
# A name the exposition format must escape (quotes, a backslash) beside spaces and non-ASCII.
ODD = 'Zürich "Ops" \\ 短信'
OTHER_TOKEN = "e" * 32  # the token "Other" holds (the sandbox refuses it)


@pytest.fixture
def odd(cli, mixed):  # noqa: F811
    """The mixed connectors, and one with an odd name whose server is not there."""
    added(cli, ODD, from_=OWNED, server=f"http://127.0.0.1:{free_port()}/2010-04-01/Accounts")
    return mixed


def json_rows(cli) -> dict[str, dict]:
    result = cli("connector", "test", "--all", "--json")
    return {row["connector"]: row for row in json.loads(result.stdout)["connectors"]}


def no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.startswith(".")]


# --- JUnit -----------------------------------------------------------------------------------


def junit(path: Path) -> dict:
    """The report, validated against the JUnit schema (it raises when the file breaks it)."""
    return xmlschema.XMLSchema(SCHEMA).to_dict(path)


def cases(report: dict) -> dict[tuple[str, str], dict]:
    return {(case["@classname"], case["@name"]): case for suite in report["testsuite"] for case in suite["testcase"]}


def test_junit_has_a_testcase_per_connector_and_check_with_twilio_codes_and_hints(cli, odd, tmp_path):
    path = tmp_path / "reports" / "connectors.xml"
    path.parent.mkdir()
    result = cli("connector", "test", "--all", "--junit", str(path))
    assert result.exit_code == 6  # the unreachable one: as without --junit
    assert result.stdout.splitlines()[0].startswith("Name\t")  # the table is still shown
    report = junit(path)
    rows = json_rows(cli)
    assert [suite["@name"] for suite in report["testsuite"]] == list(rows) == ["Good", "Voice", "Other", "Idle", ODD]
    found = cases(report)
    assert set(found) == {(name, check["name"]) for name, row in rows.items() for check in row["checks"]}

    voice = rows["Voice"]["checks"][3]
    failure = found[("Voice", "sender")]["failure"][0]
    assert (failure["@type"], failure["@message"]) == ("twilio-21661", voice["detail"])
    assert "https://www.twilio.com/docs/api/errors/21661" in failure["$"] and f"hint: {voice['hint']}" in failure["$"]
    assert found[("Other", "credentials")]["failure"][0]["@type"] == "twilio-20003"
    assert found[("Other", "sender")]["skipped"][0]["@message"] == "skipped: the credentials were refused"
    assert "error" in found[(ODD, "credentials")] and "failure" not in found[(ODD, "credentials")]
    assert found[("Good", "sender")]["system-out"] == [rows["Good"]["checks"][3]["detail"]]

    suites = {suite["@name"]: suite for suite in report["testsuite"]}
    assert [suites[n][key] for n in ("Good", "Voice", "Other", ODD) for key in ("@tests", "@failures", "@errors", "@skipped")] == [
        "4", "0", "0", "0", "4", "1", "0", "0", "4", "1", "0", "3", "4", "0", "1", "3"]
    assert (report["@tests"], report["@failures"], report["@errors"]) == ("20", "2", "1")
    properties = {p["@name"]: p["@value"] for p in suites["Good"]["properties"][0]["property"]}
    assert properties["default"] == "true" and properties["active"] == "true" and properties["exit_code"] == "0"
    assert {p["@name"]: p["@value"] for p in suites["Voice"]["properties"][0]["property"]}["plans"] == "Enterprise"

    text = path.read_text(encoding="utf-8")
    assert TOKEN not in text and OTHER_TOKEN not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o644 and no_temp_files(path.parent)
    assert odd.messages() == []


def test_junit_warnings_pass_and_say_themselves(cli, sandbox, tmp_path):
    from sandbox_fixture import declare_accounts

    declare_accounts(sandbox, type="Trial")
    added(cli, "Trial", from_=OWNED, server=sandbox.accounts_url)
    path = tmp_path / "r.xml"
    assert cli("connector", "test", "Trial", "--junit", str(path)).exit_code == 0
    report = junit(path)
    case = cases(report)[("Trial", "account_type")]
    assert "failure" not in case and case["system-out"][0].startswith("warning: trial")
    assert "Twilio error 21608: https://www.twilio.com/docs/api/errors/21608" in case["system-out"][0]
    assert report["testsuite"][0]["@failures"] == "0"


def test_junit_replaces_an_old_report_by_renaming_a_new_one_into_place(cli, mixed, tmp_path):  # noqa: F811
    path = tmp_path / "r.xml"
    path.write_text("old report, much longer than the new one will be " * 1000)
    before = path.stat().st_ino
    cli("connector", "test", "--all", "--junit", str(path))
    junit(path)  # whole and valid: nothing of the old file is left
    assert path.stat().st_ino != before  # a new file renamed over the old one, not rewritten in place
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["r.xml"]  # no temp file left


@pytest.mark.parametrize(("where", "message"), [
    ("missing/r.xml", "does not exist"),
    ("", "is a folder"),
])
def test_a_junit_path_that_cannot_be_written_is_exit_2_before_any_check(cli, mixed, tmp_path, where, message):  # noqa: F811
    before = mixed.stats()
    result = cli("connector", "test", "--all", "--junit", str(tmp_path / where))
    assert_user_error(result, 2, message)
    assert result.stdout == "" and mixed.stats() == before  # nothing checked, nothing written
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("flag", ["--junit", "--output"])
def test_a_report_path_that_is_a_fifo_or_device_is_exit_2_and_left_as_it_is(cli, mixed, tmp_path, flag):  # noqa: F811
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "report"
    os.mkfifo(target)  # as /dev/null or /dev/stdout would be: not a file to rename a report over
    before = mixed.stats()
    prometheus = ["--format", "prometheus"] if flag == "--output" else []
    result = cli("connector", "test", "--all", *prometheus, flag, str(target))
    assert_user_error(result, 2, f"{flag} {target} is a named pipe, not a regular file")
    assert stat.S_ISFIFO(os.lstat(target).st_mode) and mixed.stats() == before
    assert [p.name for p in target.parent.iterdir()] == ["report"]


# --- Prometheus ------------------------------------------------------------------------------


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """Every sample, by name and labels, as Prometheus's own parser reads the text."""
    found = {}
    for family in text_string_to_metric_families(text):
        assert family.type == "gauge", family
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def check_key(connector: str, check: str) -> tuple:
    return tuple(sorted({"connector": connector, "check": check}.items()))


def test_prometheus_has_a_gauge_per_connector_and_check(cli, odd):
    started = time.time()
    result = cli("connector", "test", "--all", "--format", "prometheus")
    assert result.exit_code == 6 and result.stderr.startswith("error: ")
    found = samples(result.stdout)  # raises on anything the exposition format does not allow
    rows = json_rows(cli)
    for name, row in rows.items():
        for check in row["checks"]:
            assert found[("hubsms_check_ok", check_key(name, check["name"]))] == (check["status"] in ("ok", "warning"))
            assert found[("hubsms_check_twilio_code", check_key(name, check["name"]))] == (check["code"] or 0)
        one = (("connector", name),)
        assert found[("hubsms_connector_ok", one)] == row["ok"]
        assert found[("hubsms_connector_exit_code", one)] == row["exit_code"]
        assert found[("hubsms_connector_active", one)] == row["active"]
    assert found[("hubsms_check_ok", check_key("Voice", "sender"))] == 0
    assert found[("hubsms_check_twilio_code", check_key("Voice", "sender"))] == 21661
    assert found[("hubsms_check_ok", check_key(ODD, "credentials"))] == 0  # the odd name read back exactly
    assert found[("hubsms_connector_test_exit_code", ())] == 6
    assert found[("hubsms_connector_test_connectors", ())] == 5
    assert started - 1 <= found[("hubsms_connector_test_timestamp_seconds", ())] <= time.time()
    assert ('connector="Zürich \\"Ops\\" \\\\ 短信"') in result.stdout  # escaped, UTF-8 as it is
    assert TOKEN not in result.stdout and OTHER_TOKEN not in result.stdout


def test_prometheus_output_writes_the_textfile_atomically(cli, mixed, tmp_path):  # noqa: F811
    path = tmp_path / "hubsms.prom"
    path.write_text("# stale\n")
    before = path.stat().st_ino
    result = cli("connector", "test", "--all", "--active", "--format", "prometheus", "--output", str(path))
    assert result.exit_code == 4 and result.stdout == ""
    found = samples(path.read_text(encoding="utf-8"))
    assert found[("hubsms_connector_test_exit_code", ())] == 4 and found[("hubsms_connector_test_connectors", ())] == 3
    assert path.stat().st_ino != before and stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["hubsms.prom"]


def test_prometheus_says_an_unreadable_config_as_its_exit_code(cli, config_path, tmp_path):
    """The checks cannot start: the file still says so (exit 3), so that the alert fires."""
    config_path.parent.mkdir(parents=True)
    config_path.write_text("[connectors\n")
    path = tmp_path / "hubsms.prom"
    result = cli("connector", "test", "--all", "--format", "prometheus", "--output", str(path))
    assert_user_error(result, 3)
    found = samples(path.read_text(encoding="utf-8"))
    assert found[("hubsms_connector_test_exit_code", ())] == 3
    assert not [key for key in found if key[0].startswith(("hubsms_check", "hubsms_connector_ok"))]


def test_prometheus_of_one_connector(cli, mixed):  # noqa: F811
    result = cli("connector", "test", "Voice", "--format", "prometheus")
    assert result.exit_code == 5
    found = samples(result.stdout)
    assert found[("hubsms_check_ok", check_key("Voice", "sender"))] == 0
    assert found[("hubsms_connector_test_exit_code", ())] == 5


@pytest.mark.parametrize(("args", "message"), [
    (("--format", "prometheus", "--json"), "not both"),
    (("--format", "table", "--output", "x.prom"), "--output goes with --format prometheus"),
    (("--format", "prometheus", "--output", "missing/x.prom"), "does not exist"),
    (("--format", "prometheus", "--to", "12"), ""),
    (("--format", "yaml"), "yaml"),
])
def test_bad_report_options_are_exit_2_and_write_nothing(cli, mixed, tmp_path, monkeypatch, args, message):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    before, files = mixed.stats(), sorted(tmp_path.rglob("*"))
    result = cli("connector", "test", "--all", *args)
    assert_user_error(result, 2, message)
    assert result.stdout == "" or "--json" in args  # then the error as JSON (assert_user_error read it)
    assert sorted(tmp_path.rglob("*")) == files and mixed.stats() == before


def test_format_json_is_json(cli, mixed, config_path):  # noqa: F811
    assert json.loads(cli("connector", "test", "--all", "--format", "json").stdout)["exit_code"] == 4
    error = cli("connector", "test", "--all", "--format", "json", "--config", str(config_path.parent))
    assert error.exit_code == 2 and json.loads(error.stdout)["error"]["exit_code"] == 2  # a folder as config
