"""Every test runs with its own config file and its own real keyring (a keyrings.alt file
backend in a temp dir), never the user's. Subprocesses inherit the same through the
environment."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring

pytest_plugins = ["sandbox_fixture", "servers"]

# A run started in the background by a non-interactive shell inherits SIGINT ignored, and so
# would every hubsms the tests start, which Ctrl-C tests then could not interrupt. A handler
# here (not SIG_IGN) means the children start with SIGINT's default again.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

FILE_BACKEND = "keyrings.alt.file.PlaintextKeyring"
# .ci/run sets this: there every test must run, and a skip (no Chromium, say) is a failure.
NO_SKIP = os.environ.get("HUBSMS_TESTS_NO_SKIP") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if NO_SKIP and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped, and HUBSMS_TESTS_NO_SKIP=1 forbids skips: {report.longrepr}"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("HUBSMS_") or name in ("TWILIO_AUTH_TOKEN", "NO_COLOR"):
            monkeypatch.delenv(name)
    config = tmp_path / "config" / "connectors.toml"
    monkeypatch.setenv("HUBSMS_CONFIG", str(config))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", FILE_BACKEND)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    yield config
    keyring.set_keyring(previous)


@pytest.fixture
def config_path(isolated_env: Path) -> Path:
    return isolated_env


class Result:
    """What a run of hubsms left: its exit code and what it wrote."""

    def __init__(self, exit_code: int, stdout: str, stderr: str, output: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr
        self.output = output  # stdout and stderr interleaved, as a terminal shows them

    def __repr__(self) -> str:
        return f"<Result exit {self.exit_code}: {self.output[-500:]!r}>"


@pytest.fixture
def cli():
    """Run hubsms through its real entry point, ``main(argv)`` (fast path and error
    boundary included), in-process: ``cli("connector", "list", input=...)``. Standard
    streams and ``env`` are swapped for the run by Click's test isolation."""
    from typer.testing import CliRunner

    from hubsms.cli.main import main

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        with runner.isolation(input=input, env=env) as (stdout, stderr, output):
            try:
                code = main(list(args))
            except SystemExit as exit:  # --version, --help: Click exits by itself
                code = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
            sys.stdout.flush()
            sys.stderr.flush()
            return Result(code, *(stream.getvalue().decode() for stream in (stdout, stderr, output)))

    return invoke
