"""Many ``hubsms`` processes adding connectors at once, to one file or to many: the file's
lock and the keyring's per-user lock serialise them, and no token is lost."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import keyring
from helpers import FROM, HUBSMS, sid, subprocess_env, token

from hubsms import store

WRITERS = 20
# Adds into as many config files, sharing the user's keyring; more with HUBSMS_TEST_KEYRING_WRITERS.
KEYRING_WRITERS = int(os.environ.get("HUBSMS_TEST_KEYRING_WRITERS", "24"))


def add_all(configs: list[Path]) -> list[tuple[int, str]]:
    """``hubsms connector add "Account n"`` into ``configs[n]``, all at once; their outcomes."""
    env = subprocess_env()
    processes = [
        subprocess.Popen(
            [str(HUBSMS), "connector", "add", f"Account {n}", "--account-sid", sid(n), "--from", FROM,
             "--auth-token-stdin", "--config", str(config)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
        )
        for n, config in enumerate(configs)
    ]
    # Every token is written before any process is waited for, so that all of them race.
    for n, process in enumerate(processes):
        process.stdin.write(token(n) + "\n")
        process.stdin.close()
    deadline = time.monotonic() + 90
    outcomes = []
    try:
        for process in processes:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
            outcomes.append((process.returncode, process.stderr.read()))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
            process.stderr.close()
    return outcomes


def test_twenty_concurrent_adds_leave_twenty_connectors_each_with_its_token(config_path):
    outcomes = add_all([config_path] * WRITERS)
    assert [code for code, _ in outcomes] == [0] * WRITERS, outcomes
    config = store.load(config_path)  # parses, and passes every check
    assert sorted(config.connectors) == sorted(f"Account {n}" for n in range(WRITERS))
    for n in range(WRITERS):
        assert config.connectors[f"Account {n}"].account_sid == sid(n)
        assert keyring.get_password("hubsms", sid(n)) == token(n)
    assert [p.name for p in config_path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_concurrent_adds_into_as_many_config_files_lose_no_token(tmp_path):
    """keyrings.alt's file backend rewrites its whole file: without hubsms's keyring lock,
    most of these tokens were lost while every process said it had stored its own."""
    configs = [tmp_path / f"config-{n}" / "connectors.toml" for n in range(KEYRING_WRITERS)]
    outcomes = add_all(configs)
    assert [code for code, _ in outcomes] == [0] * KEYRING_WRITERS, outcomes
    lost = [n for n in range(KEYRING_WRITERS) if keyring.get_password("hubsms", sid(n)) != token(n)]
    assert lost == []
    for n, config in enumerate(configs):
        assert list(store.load(config).connectors) == [f"Account {n}"]
