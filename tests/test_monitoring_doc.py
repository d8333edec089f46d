"""docs/monitoring.md: its systemd unit's and cron line's command run as written (the output
path moved into a temp folder), and every metric the document and its alert rules name is one
that ``connector test --format prometheus`` writes."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml
from helpers import REPO
from prometheus_client.parser import text_string_to_metric_families
from test_connector_test_all import mixed  # noqa: F401 - the fixture: Good, Voice, Other, Idle

DOC = REPO / "docs" / "monitoring.md"
HUBSMS = "/opt/hubsms/bin/hubsms"


def commands() -> list[list[str]]:
    """hubsms's arguments in each command line of the document that runs it by its path."""
    text = DOC.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if HUBSMS in line]
    assert len(lines) == 2  # ExecStart and the cron line
    return [shlex.split(line.split(HUBSMS, 1)[1].replace("2>/dev/null", "")) for line in lines]


def written_metrics(cli, tmp_path, args: list[str]) -> tuple[int, set[str]]:
    index = args.index("--output")
    path = tmp_path / "hubsms.prom"
    code = cli(*args[:index + 1], str(path), *args[index + 2:]).exit_code
    return code, {family.name for family in text_string_to_metric_families(path.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("which", [0, 1], ids=["systemd", "cron"])
def test_the_documented_command_writes_every_metric_the_document_names(cli, mixed, tmp_path, which):  # noqa: F811
    args = commands()[which]
    code, names = written_metrics(cli, tmp_path, args)
    assert code == 4  # the fixture's refused token: a finding, which the unit counts as success
    assert "SuccessExitStatus=4 5 6" in DOC.read_text(encoding="utf-8")
    named = set(re.findall(r"\bhubsms_[a-z_]+", DOC.read_text(encoding="utf-8")))
    assert named and named <= names, named - names


def test_the_alert_rules_parse_and_name_only_written_metrics(cli, mixed, tmp_path):  # noqa: F811
    text = DOC.read_text(encoding="utf-8")
    (rules,) = [yaml.safe_load(b) for b in re.findall(r"^```yaml\n(.*?)^```", text, re.M | re.S)]
    alerts = rules["groups"][0]["rules"]
    assert all({"alert", "expr", "labels", "annotations"} <= set(rule) for rule in alerts)
    _, names = written_metrics(cli, tmp_path, commands()[0])
    for rule in alerts:
        used = set(re.findall(r"\bhubsms_[a-z_]+", rule["expr"]))
        assert used and used <= names, (rule["alert"], used - names)
