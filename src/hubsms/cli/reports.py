"""Machine-readable reports of ``connector test``: JUnit XML for CI test reporters (GitLab,
Jenkins, GitHub) and Prometheus's text exposition format for node_exporter's textfile
collector.

Both are made from a :class:`~hubsms.service.checks.SweepReport` (a single connector's report
is a sweep of one): one JUnit testcase, and one gauge, per connector and check. Text that comes
from the checks passes through ``hide_tokens``, as every other output does. A report file is
written atomically (a temp file in the same folder, renamed into place), so that a reader
never sees half of it.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final

from hubsms import files
from hubsms.cli.common import hide_tokens, warn
from hubsms.errors import ConfigError, ExitCode, InvalidValue
from hubsms.service.check_rows import FAILED, OK, SKIPPED, WARNING
from hubsms.twilio import codes

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from hubsms.service.checks import ConnectorReport, SweepReport

# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# --- writing a report file -------------------------------------------------------------------


def check_target(path: Path, flag: str) -> None:
    """Before any check runs: ``path`` can be written as a report (its folder exists and is
    writable, it is not a folder), else a usage error naming ``flag``."""
    folder = path.parent
    if path.is_dir():
        raise InvalidValue(flag, f"{flag} {path} is a folder", f"give a file name, e.g. {flag} {path / _example(flag)}")
    if not folder.is_dir():
        raise InvalidValue(flag, f"{flag} {path}: the folder {folder} does not exist", "create it first, or give another path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidValue(flag, f"{flag} {path}: cannot write in {folder}", "give a path in a folder this user can write to")
    _refuse_special(path, flag)


def _refuse_special(path: Path, flag: str) -> None:
    """A device, FIFO or socket there (/dev/null, /dev/stdout) is refused: the report would
    be renamed over it, replacing the device itself (root may write in /dev)."""
    try:
        files.check_regular(os.stat(path), sys.maxsize)
    except files.NotRegularFile as exc:
        where = "leave out --output to print it on stdout" if flag == "--output" else "write it to a file, then read that"
        raise InvalidValue(flag, f"{flag} {path} is {exc.kind}, not a regular file", f"give a file name; {where}") from None
    except OSError:  # none there yet (or not readable): the write says what is wrong
        pass


def _example(flag: str) -> str:
    return "hubsms.prom" if flag == "--output" else "hubsms-connectors.xml"


def write_report(path: Path, data: bytes, flag: str) -> None:
    """Replace ``path`` by ``data`` atomically, readable by others (0644: a node_exporter or a
    CI uploader runs as another user)."""
    from hubsms.store import write_atomic

    try:
        write_atomic(path, data, 0o644)
    except ConfigError as err:
        raise InvalidValue(flag, f"{flag}: {err.message}", "give a path in a folder this user can write to") from None


def warn_unless_prom(path: Path) -> None:
    """node_exporter's textfile collector reads only ``*.prom`` files."""
    if path.suffix != ".prom":
        warn(f"{path.name} does not end in .prom: node_exporter's textfile collector reads only *.prom files")


# --- JUnit XML -------------------------------------------------------------------------------


def junit_xml(sweep: SweepReport, started: float, hostname: str) -> bytes:
    """The sweep as JUnit XML: a ``testsuite`` per connector, a ``testcase`` per check (its
    ``classname`` the connector's name). A failed check is a ``failure`` (an ``error`` when
    Twilio was not reached: nothing was checked), whose ``type`` is Twilio's code and whose
    text has the code's page and the hint; a skipped check is ``skipped``; a warning passes,
    and says itself in ``system-out``."""
    from xml.etree import ElementTree as ET

    timestamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(started))  # UTC
    suites = [_junit_suite(report, sweep, timestamp, hostname) for report in sweep.reports]
    root = ET.Element("testsuites", {
        "name": "hubsms connector test", "time": _junit_seconds(sweep.seconds),
        **{key: str(sum(int(suite.get(key, 0)) for suite in suites)) for key in ("tests", "failures", "errors")},
    })
    root.extend(suites)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _junit_suite(report: ConnectorReport, sweep: SweepReport, timestamp: str, hostname: str) -> Element:
    from xml.etree import ElementTree as ET

    name = report.connector.name
    counts = {"failures": 0, "errors": 0, "skipped": 0}
    suite = ET.Element("testsuite", name=_xml_text(name), timestamp=timestamp, hostname=_xml_text(hostname),
                       time=_junit_seconds(report.seconds))
    properties = ET.SubElement(suite, "properties")
    for key, value in _junit_properties(report, sweep):
        ET.SubElement(properties, "property", name=key, value=_xml_text(value))
    for check in report.checks:
        case = ET.SubElement(suite, "testcase", classname=_xml_text(name), name=check.name)
        detail = _xml_text(check.detail)
        if check.status == FAILED:
            kind = "error" if check.exit_code == ExitCode.NETWORK else "failure"
            counts["errors" if kind == "error" else "failures"] += 1
            outcome = ET.SubElement(case, kind, message=detail, type=_code_type(check.code, kind))
            outcome.text = _xml_text(_explained(check.code, check.hint))
        elif check.status == SKIPPED:
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", message=detail)
        else:
            said = detail if check.status == OK else f"warning: {detail}\n{_explained(check.code, check.hint)}"
            ET.SubElement(case, "system-out").text = _xml_text(said)
    suite.attrib.update({"tests": str(len(report.checks)), **{key: str(n) for key, n in counts.items()}})
    return suite


def _junit_properties(report: ConnectorReport, sweep: SweepReport) -> Iterator[tuple[str, str]]:
    connector = report.connector
    yield "account_sid", connector.account_sid
    yield "from", connector.from_
    yield "server_address", connector.server_address
    yield "active", _bool(connector.active)
    yield "default", _bool(connector.name == sweep.default)
    yield "plans", ", ".join(sweep.plans.get(connector.name, []))
    yield "token_source", report.token_source
    yield "exit_code", str(int(report.exit_code))


def _code_type(code: int | None, kind: str) -> str:
    return f"twilio-{code}" if code else kind


def _explained(code: int | None, hint: str | None) -> str:
    """Twilio's code and its page, then the hint: what a reader of the report acts on."""
    lines = [f"Twilio error {code}: {codes.link(code)}"] if code else []
    if hint:
        lines.append(f"hint: {hint}")
    return "\n".join(lines)


def _junit_seconds(seconds: float) -> str:
    """Seconds with at most three decimals (the Surefire time format Jenkins checks)."""
    return f"{max(seconds, 0.0):.3f}"


def _xml_text(text: str) -> str:
    """Tokens hidden, and characters XML cannot carry dropped."""
    return _NOT_XML.sub("", hide_tokens(text))


def _bool(value: bool) -> str:
    return "true" if value else "false"


# --- Prometheus text exposition format -------------------------------------------------------


_CONNECTOR_METRICS: Final = (
    ("hubsms_check_ok", "1 when the check passed or only warned, 0 when it failed or was skipped."),
    ("hubsms_check_twilio_code", "Twilio's error code of a failed or warned check; 0 for none."),
    ("hubsms_connector_ok", "1 when every check of the connector passed or only warned."),
    ("hubsms_connector_exit_code", "The connector's exit code: 0 ok, 4 credentials, 5 a check failed, 6 network."),
    ("hubsms_connector_active", "1 for an active connector (it can send), 0 for an inactive one."),
    ("hubsms_connector_check_duration_seconds", "Seconds the connector's checks took."),
)
_SWEEP_METRICS: Final = (
    ("hubsms_connector_test_exit_code",
     "Exit code of hubsms connector test: 0 ok, 3 config, 4 credentials, 5 a check failed, 6 network."),
    ("hubsms_connector_test_connectors", "Connectors checked."),
    ("hubsms_connector_test_timestamp_seconds", "When the checks started, in Unix time."),
    ("hubsms_connector_test_duration_seconds", "Seconds all the checks took."),
)


def prometheus_text(sweep: SweepReport | None, exit_code: int, started: float) -> str:
    """The sweep as gauges, one per connector and check (labels ``connector``, ``check``),
    and the sweep's exit code and time. ``sweep`` None: the checks could not start (an
    unreadable config), and only the exit code and the time are said."""
    values: dict[str, list[tuple[dict[str, str], float]]] = {name: [] for name, _ in _CONNECTOR_METRICS}
    for report in sweep.reports if sweep is not None else []:
        connector = {"connector": report.connector.name}
        for check in report.checks:
            labels = {**connector, "check": check.name}
            values["hubsms_check_ok"].append((labels, int(check.status in (OK, WARNING))))
            values["hubsms_check_twilio_code"].append((labels, check.code or 0))
        values["hubsms_connector_ok"].append((connector, int(report.ok)))
        values["hubsms_connector_exit_code"].append((connector, int(report.exit_code)))
        values["hubsms_connector_active"].append((connector, int(report.connector.active)))
        values["hubsms_connector_check_duration_seconds"].append((connector, round(report.seconds, 3)))
    sweep_values = {
        "hubsms_connector_test_exit_code": exit_code,
        "hubsms_connector_test_connectors": len(sweep.reports) if sweep is not None else None,
        "hubsms_connector_test_timestamp_seconds": round(started, 3),
        "hubsms_connector_test_duration_seconds": round(sweep.seconds, 3) if sweep is not None else None,
    }
    lines: list[str] = []
    for name, help_ in _CONNECTOR_METRICS:
        if values[name]:
            lines += _family(name, help_, values[name])
    for name, help_ in _SWEEP_METRICS:
        if sweep_values[name] is not None:
            lines += _family(name, help_, [({}, sweep_values[name])])
    return "\n".join(lines) + "\n"


def _family(name: str, help_: str, samples: list[tuple[dict[str, str], float]]) -> list[str]:
    lines = [f"# HELP {name} {_escape_help(help_)}", f"# TYPE {name} gauge"]
    for labels, value in samples:
        shown = ",".join(f'{key}="{_escape_label(text)}"' for key, text in labels.items())
        lines.append(f"{name}{{{shown}}} {value}" if shown else f"{name} {value}")
    return lines


def _escape_label(value: str) -> str:
    """A label value as the exposition format wants it: backslash, double quote and line feed
    escaped; anything else (spaces, non-ASCII) as it is, in UTF-8."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")
