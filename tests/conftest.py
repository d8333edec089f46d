"""Every test runs with its own config file and its own real keyring (a keyrings.alt file
backend in a temp dir), never the user's. Subprocesses inherit the same through the
environment."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring

pytest_plugins = ["sandbox_fixture"]

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


@pytest.fixture(scope="session")
def _built_commands() -> None:
    """Typer's runner turns the app into its Click command on every call (about 65 ms);
    a process does it once. Build it once per test session too: the same command objects."""
    import functools

    import typer.testing

    original = typer.testing._get_command
    typer.testing._get_command = functools.lru_cache(maxsize=None)(original)
    yield
    typer.testing._get_command = original


@pytest.fixture
def cli(_built_commands: None):
    """Run the real Typer app: ``cli("connector", "list", input=...)``."""
    from typer.testing import CliRunner

    from hubsms.cli.app import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None):
        return runner.invoke(app, list(args), input=input, env=env)

    return invoke
