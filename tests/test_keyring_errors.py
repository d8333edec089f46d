"""A failing keyring in real hubsms processes: every command that uses the keyring says
so with exit 4 (never 1, never a traceback), names the backend and what it could not do,
and never shows the token, even when the backend's own message holds it."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
from helpers import FROM, REPO, SID, TOKEN, TOKEN2, add, run_hubsms, subprocess_env

from hubsms.credentials import FILE_BACKEND

LEAKY = "keyring_backends.LeakyKeyring"
DESIRED = f"""schema_version = 1
[connectors."Mine"]
account_sid = "{SID}"
from = "{FROM}"
auth_token_env = "DESIRED_TOKEN"
"""

# (arguments, stdin, exit code, what the keyring could not do)
COMMANDS = [
    (["connector", "add", "New", "--account-sid", SID, "--from", FROM, "--auth-token-stdin"], TOKEN2, 4, "store"),
    (["connector", "edit", "Mine", "--auth-token-stdin"], TOKEN2, 4, "store"),
    (["connector", "show", "Mine"], None, 0, "read"),
    (["connector", "remove", "Mine", "--yes"], None, 0, "delete"),
    (["connector", "test", "Mine"], None, 4, "read"),
    (["otp", "send", "--to", "+15005550006", "--connector", "Mine"], None, 4, "read"),
    (["apply", "-"], DESIRED, 4, "store"),
]


@pytest.mark.parametrize(("args", "stdin", "code", "action"), COMMANDS, ids=[" ".join(c[0][:2]) for c in COMMANDS])
def test_a_backend_raising_unexpected_exceptions_is_exit_4_or_a_warning_on_every_command(cli, args, stdin, code, action):
    add(cli, "Mine")
    result = run_hubsms(*args, input=stdin, PYTHON_KEYRING_BACKEND=LEAKY, DESIRED_TOKEN=TOKEN2)
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert "Traceback" not in output and TOKEN not in output and TOKEN2 not in output
    said = result.stderr.splitlines()[0]
    assert said.startswith("error: " if code else "warning: "), output
    assert f"the keyring ({LEAKY}) failed to {action} the auth token (RuntimeError: backend bug" in said


LEAKY_FILE = "keyring_backends.LeakyFileKeyring"
# Reads work (the file keyring of the test); stores and deletes fail, their messages holding a token.
WRITES = [
    (["connector", "add", "New", "--account-sid", SID, "--from", FROM, "--auth-token-stdin", "--replace-token"], TOKEN2, 4, "store", "KeyError"),
    (["connector", "edit", "Mine", "--auth-token-stdin"], TOKEN2, 4, "store", "KeyError"),
    (["connector", "remove", "Mine", "--yes"], None, 0, "delete", "RuntimeError"),
    (["apply", "-"], DESIRED, 4, "store", "KeyError"),
]


@pytest.mark.parametrize(("args", "stdin", "code", "action", "error"), WRITES, ids=[" ".join(c[0][:2]) for c in WRITES])
def test_a_backend_failing_to_write_names_the_action_and_hides_the_token_it_repeats(cli, args, stdin, code, action, error):
    add(cli, "Mine")
    result = run_hubsms(*args, input=stdin, PYTHON_KEYRING_BACKEND=LEAKY_FILE, DESIRED_TOKEN=TOKEN2)
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert "Traceback" not in output and TOKEN not in output and TOKEN2 not in output
    assert f"the keyring ({LEAKY_FILE}) failed to {action} the auth token ({error}: " in output
    assert "backend bug" in output and "<hidden>" in output


@pytest.mark.parametrize(
    ("backend", "error"),
    [("keyrings.alt.file.PlaintextKeyrin", "AttributeError"), ("keyrings.alt.fil.PlaintextKeyring", "ModuleNotFoundError")],
)
@pytest.mark.parametrize("args", [["connector", "edit", "Mine", "--auth-token-stdin"], ["otp", "send", "--to", "+15005550006", "--connector", "Mine"]])
def test_a_misspelt_python_keyring_backend_is_exit_4_naming_the_variable_and_the_choices(cli, backend, error, args):
    add(cli, "Mine")
    result = run_hubsms(*args, input=TOKEN2, PYTHON_KEYRING_BACKEND=backend)
    assert result.returncode == 4, result.stderr
    error_line, hint = result.stderr.splitlines()
    assert error_line.startswith(f"error: PYTHON_KEYRING_BACKEND={backend!r} names no keyring backend that can be loaded ({error}: ")
    assert hint.startswith("hint: set PYTHON_KEYRING_BACKEND to one of: ")
    for choice in ("keyrings.alt.file.PlaintextKeyring", "hubsms.keyring_file.AtomicPlaintextKeyring"):
        assert choice in hint
    assert "keyring.backends.fail.Keyring" not in hint


TIMEOUT = 1.0


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["connector", "add", "New", "--account-sid", SID, "--from", FROM, "--auth-token-stdin"], TOKEN),
        (["otp", "send", "--to", "+15005550006", "--connector", "Mine"], None),
        (["connector", "test", "Mine"], None),
    ],
    ids=["add", "otp send", "connector test"],
)
def test_a_keyring_that_never_answers_is_exit_4_within_the_timeout_and_a_second(cli, args, stdin):
    """The clock runs from the process's start: Python's start-up is inside the second."""
    add(cli, "Mine", account_sid="AC" + "1" * 32)
    started = time.monotonic()
    result = run_hubsms(
        *args, input=stdin, timeout=30,
        PYTHON_KEYRING_BACKEND="keyring_backends.BlockingKeyring", HUBSMS_KEYRING_TIMEOUT=str(TIMEOUT),
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 4, result.stderr
    action = "store" if args[0] == "connector" and args[1] == "add" else "read"
    assert f"(keyring_backends.BlockingKeyring) did not answer within {TIMEOUT:g} s ({action})" in result.stderr
    assert elapsed < TIMEOUT + 1, elapsed


# --- without keyrings.alt ---------------------------------------------------------------


@pytest.fixture(scope="module")
def without_keyrings_alt(tmp_path_factory) -> Path:
    """The python of a virtual environment that holds everything the tests' one holds (hubsms
    included) but keyrings.alt: a user's install (`pip install .`, `make venv`)."""
    home = tmp_path_factory.mktemp("no-keyrings-alt")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(home)], check=True, timeout=60)
    ours = Path(sysconfig.get_paths()["purelib"])
    (theirs,) = home.glob("lib/python*/site-packages") or home.glob("Lib/site-packages")
    for entry in ours.iterdir():
        if entry.name != "keyrings" and not entry.name.startswith("keyrings.alt-"):
            (theirs / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    python = next(p for p in (home / "bin" / "python", home / "Scripts" / "python.exe") if p.exists())
    assert subprocess.run([str(python), "-c", "import keyrings.alt"], capture_output=True).returncode == 1
    return python


@pytest.mark.parametrize("backend", [FILE_BACKEND, "keyrings.alt.file.PlaintextKeyring"])
def test_without_keyrings_alt_the_error_names_the_backends_installed_and_the_package_to_add(without_keyrings_alt, backend):
    env = {k: v for k, v in subprocess_env(PYTHON_KEYRING_BACKEND=backend).items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    args = ["connector", "add", "New", "--account-sid", SID, "--from", FROM, "--auth-token-stdin"]
    result = subprocess.run([str(without_keyrings_alt), "-m", "hubsms", *args], input=TOKEN + "\n", capture_output=True, text=True, timeout=30, env=env)
    assert result.returncode == 4, result.stderr
    error_line, hint = result.stderr.splitlines()
    assert error_line == (
        f"error: PYTHON_KEYRING_BACKEND={backend!r} names no keyring backend that can be loaded "
        "(ModuleNotFoundError: No module named 'keyrings')"
    )
    assert "one of: none" not in hint
    # SecretService needs a D-Bus session, which this environment does not have: installed, not usable
    assert hint.startswith("hint: no keyring backend is usable here (installed, not usable: ")
    assert "keyring.backends.SecretService.Keyring (" in hint and "Windows" not in hint
    assert f"'{without_keyrings_alt} -m pip install keyrings.alt', or 'pipx inject hubsms keyrings.alt'" in hint
    assert hint.endswith(f"set PYTHON_KEYRING_BACKEND={FILE_BACKEND} (tokens unencrypted in a 0600 file)")
    assert TOKEN not in result.stdout + result.stderr and not Path(env["HUBSMS_CONFIG"]).exists()  # nothing written


def test_without_keyrings_alt_a_keyring_config_file_naming_it_is_said_with_the_way_out(cli, without_keyrings_alt, tmp_path):
    """keyring's own config file (keyringrc.cfg) chose keyrings.alt's file, since uninstalled."""
    (tmp_path / "xdg" / "python_keyring").mkdir(parents=True)
    (tmp_path / "xdg" / "python_keyring" / "keyringrc.cfg").write_text("[backend]\ndefault-keyring = keyrings.alt.file.PlaintextKeyring\n")
    env = {k: v for k, v in subprocess_env(XDG_CONFIG_HOME=str(tmp_path / "xdg")).items() if k not in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND")}
    args = ["otp", "send", "--to", "+15005550006", "--connector", "Mine"]
    add(cli, "Mine")
    result = subprocess.run([str(without_keyrings_alt), "-m", "hubsms", *args], capture_output=True, text=True, timeout=30, env=env)
    assert result.returncode == 4, result.stderr
    error_line, hint = result.stderr.splitlines()
    assert error_line == "error: the keyring backend cannot be loaded (ModuleNotFoundError: No module named 'keyrings')"
    assert hint.startswith("hint: check the keyring's config file (keyringrc.cfg); no keyring backend is usable here (installed, not usable: ")
    assert "pipx inject hubsms keyrings.alt" in hint


@pytest.mark.parametrize(("keyring_choice", "install"), [("", "-e ."), ("file", "-e '.[file]'")])
def test_make_venv_installs_keyrings_alt_only_when_asked(keyring_choice, install):
    plan = subprocess.run(["make", "-n", "venv", f"KEYRING={keyring_choice}"], cwd=REPO, capture_output=True, text=True, timeout=30)
    assert plan.returncode == 0, plan.stderr
    installs = [line for line in plan.stdout.splitlines() if " install --quiet -e" in line]
    assert installs == [f".venv/bin/python -m pip --disable-pip-version-check install --quiet {install}"]
    assert ("uninstall --quiet --yes keyrings.alt" in plan.stdout) is (keyring_choice == "")


def test_a_damaged_keyring_file_is_exit_4_without_quoting_its_lines(cli):
    """configparser quotes the line it cannot read, and a line of the file keyring may be a
    token (base64, which hide_tokens cannot see): the error names the line by its number."""
    import base64

    import keyring

    assert add(cli, "A").exit_code == 0
    path = Path(keyring.get_keyring().file_path)
    lines = path.read_text().splitlines(keepends=True)
    secret = base64.b64encode(TOKEN.encode()).decode()
    assert any(secret in line for line in lines)
    for damaged in ([line for line in lines if not line.startswith("[")][1:],  # no section header
                    [lines[0], secret.rstrip("=") + "\n"]):  # a token line an editor took the indentation off
        path.write_text("".join(damaged))
        result = cli("otp", "send", "--connector", "A", "--to", "+14155552671", "--dry-run", "--json")
        assert result.exit_code == 4, result.output
        assert "not in the INI format" in result.stderr and "line " in result.stderr, result.output
        assert secret not in result.output and secret[:20] not in result.output
