"""Shell completion: the scripts of ``hubsms completion SHELL``, and hubsms's answers to them in a
subprocess, as the shells ask (Click 8's protocol), connector and plan names from the config
included. What real shells do with the answers at their prompts: test_completion_shells.py."""

from __future__ import annotations

import shlex
import subprocess
import sys

import pytest
import typer.main
from helpers import SID2, add, run_hubsms, sid

from hubsms.cli import completion
from hubsms.cli.app import app

MG = "MG0123456789abcdef0123456789abcdef"


@pytest.fixture
def populated(cli, config_path):
    """Two active connectors (one name with spaces), an inactive one, two plans."""
    assert add(cli, "Twilio EU").exit_code == 0
    assert add(cli, "Twilio US: Backup", account_sid=SID2, from_=MG).exit_code == 0
    assert add(cli, "Staging", "--inactive", account_sid=sid(3)).exit_code == 0
    for plan, connector in (("Enterprise", "Twilio EU"), ("Gold", "Twilio US: Backup")):
        assert cli("plan", "set", plan, "--sms-connector", connector).exit_code == 0
    return config_path


def ask(shell: str, line: str, **env: str) -> subprocess.CompletedProcess[str]:
    """hubsms asked as ``shell``'s script asks for the completions of ``line`` (the word
    being completed is its last, empty after a trailing space)."""
    words = line.split(" ")
    request = {
        "bash": {"COMP_LINE": line, "COMP_WORD": words[-1]},
        "zsh": {"COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)},
        "fish": {"COMP_WORDS": line, "COMP_CWORD": words[-1]},
    }[shell]
    return run_hubsms(**{completion.COMPLETE_ENV: f"{shell}_complete", **request, **env})


def values(shell: str, line: str, **env: str) -> list[str]:
    result = ask(shell, line, **env)
    assert (result.returncode, result.stderr) == (0, ""), result
    if shell == "zsh":  # type, value, help: three lines each
        lines = result.stdout.splitlines()
        assert all(kind == "plain" for kind in lines[0::3])
        return [value.replace("\\:", ":") for value in lines[1::3]]
    items = [line.split("\t")[0].split(",", 1) for line in result.stdout.splitlines()]
    assert all(kind == "plain" for kind, _ in items)
    if shell == "bash":  # quoted for the command line, as bash inserts them
        return [shlex.split(value)[0] for _, value in items]
    return [value for _, value in items]


# --- the scripts --------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_script_names_hubsms_and_asks_with_its_shell(cli, shell):
    result = cli("completion", shell)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("\n") > 5 and "_hubsms_completion" in result.stdout
    assert f"_HUBSMS_COMPLETE={shell}_complete" in result.stdout
    assert result.stdout.rstrip().endswith("hubsms" if shell == "bash" else ("fi" if shell == "zsh" else '"(_hubsms_completion)"'))
    source = run_hubsms(**{completion.COMPLETE_ENV: f"{shell}_source"})
    assert (source.returncode, source.stdout) == (0, result.stdout)


def test_the_bash_script_is_valid_bash_and_registers_the_function():
    script = run_hubsms("completion", "bash").stdout
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", script + "\ncomplete -p hubsms"], capture_output=True, text=True, timeout=10)
    assert result.returncode == 0, result.stderr
    assert "-F _hubsms_completion hubsms" in result.stdout


def test_an_unknown_shell_is_a_usage_error(cli):
    result = cli("completion", "tcsh")
    assert result.exit_code == 2
    assert "'tcsh' is not one of 'bash', 'zsh', 'fish'" in result.stderr


def test_an_unknown_request_is_said_on_stderr_without_a_traceback():
    result = run_hubsms(**{completion.COMPLETE_ENV: "complete_bash"})  # Typer's own protocol
    assert result.returncode == 1 and result.stdout == ""
    assert "hubsms completion bash|zsh|fish" in result.stderr and "Traceback" not in result.stderr


# --- the answers --------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_connector_show_completes_every_connector_name(populated, shell):
    assert values(shell, "hubsms connector show ") == ["Twilio EU", "Twilio US: Backup", "Staging"]
    assert values(shell, "hubsms connector show twilio") == ["Twilio EU", "Twilio US: Backup"]  # ignoring case


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_plan_remove_completes_the_plan_names(populated, shell):
    assert values(shell, "hubsms plan remove ") == ["Enterprise", "Gold"]


def test_what_takes_an_active_connector_is_offered_the_active_ones(populated):
    assert values("bash", "hubsms otp send --to +4915112345678 --connector ") == ["Twilio EU", "Twilio US: Backup"]
    assert values("bash", "hubsms plan set Gold --sms-connector T") == ["Twilio EU", "Twilio US: Backup"]
    assert values("bash", "hubsms settings set-default-sms ") == ["Twilio EU", "Twilio US: Backup"]
    assert values("bash", "hubsms connector activate ") == ["Staging"]
    assert values("bash", "hubsms otp send --plan ") == ["Enterprise", "Gold"]
    assert values("bash", "hubsms connector add ") == []  # a new name


def test_zsh_and_fish_show_what_each_name_is(populated):
    zsh = ask("zsh", "hubsms connector show Tw").stdout.splitlines()
    assert zsh[:3] == ["plain", "Twilio EU", "active, from +15005550006"]
    assert zsh[4] == "Twilio US\\: Backup"  # a colon would end the name for _describe
    fish = ask("fish", "hubsms plan remove G").stdout
    assert fish == "plain,Gold\tSMS connector Twilio US: Backup\n"


def test_commands_and_options_complete_too(populated):
    assert values("bash", "hubsms conn") == ["connector"]
    assert "--wide" in values("bash", "hubsms connector list --")
    assert "--quiet" in values("bash", "hubsms connector list --")  # as every command takes it
    assert "completion" in values("bash", "hubsms ")


def test_a_typed_name_is_compared_as_names_are():
    assert completion._starts("Ünïcode", "u\u0308n")  # typed decomposed, stored composed
    assert completion._starts("Twilio EU", "twilio ")
    assert not completion._starts("Twilios", "twilio ")  # the typed space counts


def test_the_config_on_the_command_line_is_the_one_read(populated, tmp_path, cli):
    other = tmp_path / "other.toml"
    assert cli("--config", str(other), "connector", "add", "Elsewhere", "--account-sid", sid(9), "--from", "+15005550006", "--auth-token-stdin", input="0" * 32 + "\n").exit_code == 0
    assert values("bash", f"hubsms --config {other} connector show ") == ["Elsewhere"]
    assert values("bash", f"hubsms connector show --config {other} ") == ["Elsewhere"]
    assert values("bash", f"hubsms connector remove --config {other} E") == ["Elsewhere"]


@pytest.mark.parametrize("text", ["schema_version = \n", 'schema_version = 1\n[connectors."A"]\n'])
def test_a_config_that_cannot_be_read_gives_no_names_and_no_noise(config_path, text):
    config_path.parent.mkdir(parents=True)
    config_path.write_text(text)
    result = ask("bash", "hubsms connector show ")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    missing = ask("bash", "hubsms connector show ", HUBSMS_CONFIG=str(config_path.parent / "none.toml"))
    assert (missing.returncode, missing.stdout, missing.stderr) == (0, "", "")


def test_every_completed_parameter_exists_in_the_app():
    """A renamed command or option would lose its completion silently: each entry of the
    tables names a real parameter."""
    root = typer.main.get_command(app)
    flags = set()
    for path in completion._ARGUMENTS:
        command = root
        for word in path:
            command = command.commands[word]
        assert "name" in [p.name for p in command.params], path

    def walk(command):
        for param in command.params:
            flags.update(getattr(param, "opts", []))
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(root)
    assert set(completion._OPTIONS) <= flags


def test_the_hot_commands_do_not_import_the_completion_machinery(populated):
    script = (
        "import sys; from hubsms.cli.main import main; code = main(['connector', 'list']); "
        "assert not {'hubsms.cli.completion', 'typer'} & set(sys.modules), 'imported'; sys.exit(code)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr
