"""Many ``hubsms`` processes adding connectors to one file at once: the lock serialises them."""

from __future__ import annotations

import subprocess
import time

import keyring

from helpers import FROM, HUBSMS, sid, subprocess_env, token
from hubsms import store

WRITERS = 20


def test_twenty_concurrent_adds_leave_twenty_connectors_each_with_its_token(config_path):
    env = subprocess_env()
    processes = [
        subprocess.Popen(
            [str(HUBSMS), "connector", "add", f"Account {n}", "--account-sid", sid(n), "--from", FROM, "--auth-token-stdin"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
        )
        for n in range(WRITERS)
    ]
    # Every token is written before any process is waited for, so that all twenty race for the lock.
    for n, process in enumerate(processes):
        process.stdin.write(token(n) + "\n")
        process.stdin.close()
    deadline = time.monotonic() + 60
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
    assert [code for code, _ in outcomes] == [0] * WRITERS, outcomes
    config = store.load(config_path)  # parses, and passes every check
    assert sorted(config.connectors) == sorted(f"Account {n}" for n in range(WRITERS))
    for n in range(WRITERS):
        assert config.connectors[f"Account {n}"].account_sid == sid(n)
        assert keyring.get_password("hubsms", sid(n)) == token(n)
    assert [p.name for p in config_path.parent.iterdir() if p.name.endswith(".tmp")] == []
