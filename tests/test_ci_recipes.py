"""docs/ci.md: the shell steps of its GitHub Actions and GitLab CI jobs, run exactly as written.

The YAML blocks are read out of the document; their ``run:`` / ``script:`` steps run with bash
(as each CI runs them: ``-e -o pipefail``) in a temporary folder, with the secrets as
environment variables and the installed hubsms first on the PATH. The install step is the one
left out (it needs the network; the tests' hubsms is installed already); ``uses:`` steps are
actions, not shell. Nothing reaches the network: the recipes talk to their own sandbox on
127.0.0.1.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import xmlschema
import yaml
from helpers import REPO, SID, TOKEN

DOC = REPO / "docs" / "ci.md"
SCHEMA = REPO / "tests" / "data" / "junit" / "junit-10.xsd"
SECRETS = {"SMS_ACCOUNT_SID": SID, "SMS_AUTH_TOKEN": TOKEN}
STEP_TIMEOUT = 120
# What a bash step runs as: GitHub's ``shell: bash``, and the shell GitLab's runner opens.
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def yaml_blocks() -> list[dict[str, Any]]:
    text = DOC.read_text(encoding="utf-8")
    return [yaml.safe_load(block) for block in re.findall(r"^```yaml\n(.*?)^```", text, re.M | re.S)]


def github_job() -> dict[str, Any]:
    (workflow,) = [block for block in yaml_blocks() if "jobs" in block]
    (job,) = workflow["jobs"].values()
    return job


def gitlab_job() -> dict[str, Any]:
    (jobs,) = [block for block in yaml_blocks() if "jobs" not in block]
    (job,) = jobs.values()
    return job


def installs_hubsms(command: str) -> bool:
    return bool(re.fullmatch(r"python -m pip install \S+", command.strip()))


class Runner:
    """Runs shell steps in ``tmp`` as a CI runner would; every process group it started
    (each step, and what a step leaves running in the background) is ended at the close."""

    def __init__(self, tmp: Path, secrets: dict[str, str]) -> None:
        self.root = tmp
        self.work = tmp / "work"
        self.work.mkdir(parents=True)
        (tmp / "home").mkdir()
        bin_dir = str(Path(sys.executable).parent)  # the venv's: hubsms, python
        self.env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}", "HOME": str(tmp / "home"),
                    "LANG": "C.UTF-8", "TMPDIR": str(tmp), **secrets}
        self.groups: list[int] = []
        self.outputs: list[str] = []

    def run(self, script: str, env: dict[str, str]) -> int:
        process = subprocess.Popen([*BASH, "-c", script], cwd=self.work, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.groups.append(process.pid)
        output, _ = process.communicate(timeout=STEP_TIMEOUT)
        self.outputs.append(output)
        return process.returncode

    def close(self) -> None:
        for group in self.groups:
            try:
                os.killpg(group, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass

    def log(self) -> str:
        return "\n----\n".join(self.outputs)


@pytest.fixture
def runner(tmp_path: Path):
    """``runner(name, secrets)``: a Runner in its own folder of tmp_path."""
    made: list[Runner] = []

    def make(name: str, secrets: dict[str, str] = SECRETS) -> Runner:
        made.append(Runner(tmp_path / name, secrets))
        return made[-1]

    yield make
    for one in made:
        one.close()


def run_github(runner: Runner) -> tuple[list[tuple[str, int]], dict[str, str]]:
    """The job's steps in order, as Actions runs them: the job's ``env`` with its ``${{ }}``
    expressions resolved, ``$GITHUB_ENV`` read after each step, ``if:`` honoured. Returns
    each run step's name and exit code, and the environment at the end."""
    job = github_job()
    runner_temp = runner.root / "runner"
    runner_temp.mkdir()
    github_env = runner.root / "github_env"
    github_env.touch()
    context = {"runner.temp": str(runner_temp), **{f"secrets.{k}": v for k, v in runner.env.items() if k in SECRETS}}
    env = {**runner.env, "RUNNER_TEMP": str(runner_temp), "GITHUB_ENV": str(github_env), "CI": "true"}
    env.update({key: EXPRESSION.sub(lambda m: context[m.group(1)], str(value)) for key, value in job["env"].items()})
    assert job["defaults"]["run"]["shell"] == "bash"
    results: list[tuple[str, int]] = []
    failed = False
    for step in job["steps"]:
        condition = step.get("if", "success()")
        if condition not in ("success()", "failure()", "always()"):
            raise AssertionError(f"a condition this test does not know: {condition}")
        if (condition == "success()" and failed) or (condition == "failure()" and not failed):
            continue
        if "uses" in step:
            assert step["uses"].split("@")[0] in ("actions/checkout", "actions/setup-python", "actions/upload-artifact")
            continue
        if step.get("name") == "Install hubsms":
            assert installs_hubsms(step["run"]), step
            continue
        assert "${{" not in step["run"], "expressions belong in env:, the shell steps stay plain shell"
        code = runner.run(step["run"], env)
        results.append((step.get("name", step["run"][:30]), code))
        failed = failed or code != 0
        for line in github_env.read_text().splitlines():
            key, _, value = line.partition("=")
            env[key] = value
    return results, env


def run_gitlab(runner: Runner) -> int:
    """The job's ``script`` as GitLab's runner runs it: every entry in one bash, in order."""
    job = gitlab_job()
    assert [installs_hubsms(line) for line in job["before_script"]] == [True]
    env = {**runner.env, **{key: str(value) for key, value in job["variables"].items()}, "CI": "true"}
    return runner.run("\n".join(job["script"]), env)


def valid_junit(path: Path) -> None:
    report = xmlschema.XMLSchema(SCHEMA).to_dict(path)
    (suite,) = report["testsuite"]
    assert suite["@name"] == "CI sandbox" and suite["@failures"] == "0" and suite["@errors"] == "0"
    assert [case["@name"] for case in suite["testcase"]] == ["credentials", "account_status", "account_type", "sender"]


def test_the_github_job_sends_an_otp_through_the_sandbox_and_reads_it_back(runner):
    ci = runner("github")
    results, env = run_github(ci)
    log = ci.log()
    assert results and all(code == 0 for _, code in results), (results, log)
    assert results[-1][0] == "Send a test OTP and read the code back"  # the failure() step did not run
    sent = re.search(r"sent (\d{6}), the sandbox received (\d{6})", log)
    assert sent and sent.group(1) == sent.group(2), log
    valid_junit(Path(env["RUNNER_TEMP"]) / "hubsms-connectors.xml")
    config = Path(env["HUBSMS_CONFIG"]).read_text()
    assert "SMS_AUTH_TOKEN" in config and TOKEN not in config and TOKEN not in log


def test_the_gitlab_job_sends_an_otp_through_the_sandbox_and_reads_it_back(runner):
    ci = runner("gitlab")
    code = run_gitlab(ci)
    log = ci.log()
    assert code == 0, log
    sent = re.search(r"sent (\d{6}), the sandbox received (\d{6})", log)
    assert sent and sent.group(1) == sent.group(2), log
    valid_junit(ci.work / "hubsms-connectors.xml")
    assert TOKEN not in log and TOKEN not in (ci.work / ".hubsms" / "connectors.toml").read_text()


BAD_SID = {**SECRETS, "SMS_ACCOUNT_SID": "AC" + "0" * 31}  # a digit short


def test_an_error_fails_the_github_job_at_its_step(runner):
    """A malformed secret: the connector cannot be added (exit 2), the later steps do not
    run, the failure() step shows the sandbox's log."""
    ci = runner("github", BAD_SID)
    results, _ = run_github(ci)
    assert results[-2:] == [("Add a connector from the secrets", 2), ("Show the sandbox's log", 0)], ci.log()
    assert "error: invalid Account SID" in ci.log() and "listening on" in ci.outputs[-1]


def test_an_error_fails_the_gitlab_job(runner):
    ci = runner("gitlab", BAD_SID)
    assert run_gitlab(ci) == 2, ci.log()
    assert "error: invalid Account SID" in ci.log() and "sent " not in ci.log()
