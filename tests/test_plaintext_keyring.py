"""A keyring that keeps tokens unencrypted, chosen by nobody (keyrings.alt installed alone
wins keyring's priorities), is said once when a token is stored; `connector show` names the
backend in use."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from helpers import HUBSMS, SID, TOKEN, subprocess_env


def run(tmp_path: Path, *args: str, input: str | None = None, chosen: bool = False) -> subprocess.CompletedProcess[str]:
    """hubsms with a home of its own and no desktop session: only the file keyring is usable,
    so the priority choice is keyrings.alt's (never a developer's real Secret Service)."""
    env = subprocess_env(
        HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "xdg"), XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_RUNTIME_DIR=str(tmp_path / "run"),
    )
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    if not chosen:
        env.pop("PYTHON_KEYRING_BACKEND")  # keyring picks by priority
    return subprocess.run([str(HUBSMS), *args], input=input, capture_output=True, text=True, timeout=30, env=env)


ADD = ("connector", "add", "A", "--account-sid", SID, "--from", "+14155552671", "--auth-token-stdin")


def test_storing_a_token_in_a_plaintext_keyring_nobody_chose_warns_once(tmp_path):
    result = run(tmp_path, *ADD, input=TOKEN + "\n")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "stored unencrypted" in warnings[0], result.stderr
    assert "PYTHON_KEYRING_BACKEND=hubsms.keyring_file.AtomicPlaintextKeyring" in warnings[0]
    assert TOKEN not in result.stdout + result.stderr


def test_a_plaintext_keyring_chosen_on_purpose_is_not_warned_about(tmp_path):
    result = run(tmp_path, *ADD, input=TOKEN + "\n", chosen=True)
    assert result.returncode == 0, result.stderr
    assert "warning:" not in result.stderr


def test_connector_show_names_the_keyring_backend(tmp_path):
    assert run(tmp_path, *ADD, input=TOKEN + "\n").returncode == 0
    output = run(tmp_path, "connector", "show", "A", "--json").stdout
    assert output.count("written crash-safely by hubsms") == 1
    shown = json.loads(output)
    assert shown["keyring_backend"] == ("keyrings.alt.file.PlaintextKeyring (plaintext file ~/data/python_keyring/keyring_pass.cfg, "
                                        "written crash-safely by hubsms)")


def test_a_desktop_keyring_first_in_the_chain_is_named_and_no_plaintext_warning(cli, monkeypatch, tmp_path):
    """gnome-keyring first and keyrings.alt also installed: keyring chains them and the token
    goes to the desktop keyring; hubsms must not say it went to a plaintext file."""
    import keyring
    from keyring_backends import DesktopKeyring, desktop_then_plaintext_chain
    from keyrings.alt.file import PlaintextKeyring

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))  # no keyringrc.cfg choosing one
    plain = PlaintextKeyring()
    chain = desktop_then_plaintext_chain(plain)
    keyring.set_keyring(chain)
    result = cli(*ADD, input=TOKEN + "\n")
    assert result.exit_code == 0, result.output
    assert "unencrypted" not in result.stderr and "warning:" not in result.stderr
    assert chain.backends[0].get_password("hubsms", SID) == TOKEN and plain.get_password("hubsms", SID) is None
    shown = json.loads(cli("connector", "show", "A", "--json").stdout)
    assert shown["keyring_backend"].startswith(f"{DesktopKeyring.__module__}.DesktopKeyring, the first of ")
    doctor = json.loads(cli("doctor", "--json").stdout)
    [backend] = [f for f in doctor["findings"] if f["kind"] == "backend"]
    assert "not plaintext" in backend["detail"] and "DesktopKeyring" in backend["detail"]
