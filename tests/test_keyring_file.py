"""hubsms's crash-safe plaintext file keyring: keyrings.alt's file and format, written
atomically under a lock. Tested with real processes killed (SIGKILL) at random moments."""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import HUBSMS, SID, TOKEN, TOKEN2, added, sid, subprocess_env, token
from keyrings.alt.file import PlaintextKeyring

from hubsms.keyring_file import AtomicPlaintextKeyring

pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="SIGKILL is POSIX")

# The fast suite's share; HUBSMS_TEST_KILL_ROUNDS=100 (say) for a longer run.
ROUNDS = int(os.environ.get("HUBSMS_TEST_KILL_ROUNDS", "10"))
WRITERS = 3
SEEDS = 200  # enough entries that a rewrite of the file takes a while

WRITER = (
    "import itertools, sys\n"
    "from keyring.core import load_keyring\n"
    "ring, me, tag = load_keyring(sys.argv[1]), sys.argv[2], sys.argv[3]\n"
    "print('ready', flush=True)\n"
    "for i in itertools.count():\n"
    "    ring.set_password('hubsms', me, f'{tag}-{i}')\n"
    "    print(i, flush=True)\n"
)


def keyring_file(tmp_path: Path) -> Path:
    return tmp_path / "data" / "python_keyring" / "keyring_pass.cfg"


def test_it_reads_and_writes_keyrings_alts_file_and_format(tmp_path):
    PlaintextKeyring().set_password("hubsms", SID, TOKEN)
    atomic = AtomicPlaintextKeyring()
    assert atomic.file_path == str(keyring_file(tmp_path))
    assert atomic.get_password("hubsms", SID) == TOKEN
    atomic.set_password("hubsms", "other", TOKEN2)
    assert PlaintextKeyring().get_password("hubsms", SID) == TOKEN
    assert PlaintextKeyring().get_password("hubsms", "other") == TOKEN2
    atomic.delete_password("hubsms", SID)
    assert PlaintextKeyring().get_password("hubsms", SID) is None
    assert stat.S_IMODE(keyring_file(tmp_path).stat().st_mode) == 0o600


def test_deleting_what_is_not_there_is_keyrings_password_delete_error():
    from keyring.errors import PasswordDeleteError

    with pytest.raises(PasswordDeleteError):
        AtomicPlaintextKeyring().delete_password("hubsms", SID)


def test_a_file_that_does_not_parse_is_an_error_and_stays_as_it_was(tmp_path):
    import configparser

    path = keyring_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("not an ini file\n")
    with pytest.raises(configparser.Error):
        AtomicPlaintextKeyring().set_password("hubsms", SID, TOKEN)
    assert path.read_text() == "not an ini file\n"


def test_a_writer_outside_hubsms_holding_the_file_waits_as_long_as_hubsms_lock_timeout(tmp_path, monkeypatch):
    from filelock import FileLock

    from hubsms.locking import LockTimeout

    monkeypatch.setenv("HUBSMS_LOCK_TIMEOUT", "0.3")
    ring = AtomicPlaintextKeyring()
    started = time.monotonic()
    with FileLock(ring.file_path + ".lock"), pytest.raises(LockTimeout):
        ring.set_password("hubsms", SID, TOKEN)
    assert 0.25 < time.monotonic() - started < 5
    ring.set_password("hubsms", SID, TOKEN)
    assert PlaintextKeyring().get_password("hubsms", SID) == TOKEN


def test_the_folders_it_makes_are_private_whatever_the_umask(tmp_path):
    assert not (tmp_path / "data").exists()
    old = os.umask(0o022)
    try:
        AtomicPlaintextKeyring().set_password("hubsms", SID, TOKEN)
    finally:
        os.umask(old)
    for folder in (tmp_path / "data", keyring_file(tmp_path).parent):  # the parent too, not only the last
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def start_writer(me: str, tag: str) -> subprocess.Popen[str]:
    """A process setting entry ``me`` to ``TAG-0``, ``TAG-1``, ... until killed."""
    backend = "hubsms.keyring_file.AtomicPlaintextKeyring"
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, backend, me, tag], stdout=subprocess.PIPE, text=True, env=subprocess_env()
    )


def kill_at_random(writers: list[subprocess.Popen[str]], rng: random.Random) -> list[int | None]:
    """Kill each writer with SIGKILL at a random moment of its writing loop; the last write
    each reported done (None if none)."""
    for writer in writers:
        assert writer.stdout.readline() == "ready\n"
    time.sleep(rng.uniform(0, 0.05))
    for writer in writers:
        time.sleep(rng.uniform(0, 0.005))
        writer.send_signal(signal.SIGKILL)
    done = []
    for writer in writers:
        writer.wait(timeout=20)
        assert writer.returncode == -signal.SIGKILL
        lines = writer.stdout.read().split()
        writer.stdout.close()
        done.append(int(lines[-1]) if lines else None)
    return done


def test_writers_killed_at_random_moments_never_corrupt_the_file_or_lose_an_entry(tmp_path):
    path = keyring_file(tmp_path)
    ring = AtomicPlaintextKeyring()
    for n in range(SEEDS):
        ring.set_password("hubsms", f"seed{n}", f"{n:032x}")
    rng = random.Random(os.environ.get("HUBSMS_TEST_SEED", "kill"))
    names = [f"writer{w}" for w in range(WRITERS)]
    expected: dict[str, str | None] = dict.fromkeys(names)
    for round_ in range(ROUNDS):
        done = kill_at_random([start_writer(name, f"r{round_}") for name in names], rng)
        check = PlaintextKeyring()  # keyrings.alt's own reader
        assert path.read_text(encoding="utf-8").startswith("[hubsms]\n")
        for n in range(SEEDS):
            assert check.get_password("hubsms", f"seed{n}") == f"{n:032x}", n
        for name, last in zip(names, done):
            stored = check.get_password("hubsms", name)
            # The last write reported done, or the one after if its rename came before the kill.
            if last is None:
                allowed = {expected[name], f"r{round_}-0"}
            else:
                allowed = {f"r{round_}-{last}", f"r{round_}-{last + 1}"}
            assert stored in allowed, (name, last, stored)
            expected[name] = stored
    ring.set_password("hubsms", "last", TOKEN)  # a clean write removes killed writers' leftovers
    assert sorted(p.name for p in path.parent.iterdir()) == ["keyring_pass.cfg", "keyring_pass.cfg.lock"]


# --- keyrings.alt's own PlaintextKeyring, chosen by name: hubsms writes its file crash-safely ---


def test_a_write_that_fails_half_way_through_keyrings_alts_file_loses_no_token(cli, tmp_path):
    """keyrings.alt's PlaintextKeyring truncates its file, then writes it: a write cut short
    (here the kernel's file size limit, as a full disk would) left a part of the file, every
    token past it lost; a kill -9 there, an empty file. hubsms writes the same file through
    AtomicPlaintextKeyring: the failed write changes nothing, and says so (exit 4)."""
    import resource

    added(cli, "A")  # the test's backend is keyrings.alt.file.PlaintextKeyring
    others = {sid(i): token(i) for i in range(1, 13)}
    for account, secret in others.items():
        PlaintextKeyring().set_password("hubsms", account, secret)
    path = keyring_file(tmp_path)
    before = path.read_bytes()
    limit = len(before) - 40  # a rewrite of the file cannot be completed; the config's save could

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), not the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run([str(HUBSMS), "connector", "edit", "A", "--auth-token-stdin", "--no-input"],
                          input=TOKEN2 + "\n", capture_output=True, text=True, timeout=30, env=subprocess_env(),
                          preexec_fn=small_files)
    assert done.returncode == 4, done.stderr
    assert "keyrings.alt.file.PlaintextKeyring" in done.stderr and TOKEN2 not in done.stderr
    assert path.read_bytes() == before
    assert PlaintextKeyring().get_password("hubsms", SID) == TOKEN
    assert {a: PlaintextKeyring().get_password("hubsms", a) for a in others} == others
    assert not list(path.parent.glob(".*.tmp"))


def test_a_subclass_of_keyrings_alts_keyring_is_left_as_it_is():
    """A subclass may store another way (encrypt, another format): only the class itself is
    written through AtomicPlaintextKeyring."""
    import keyring

    from hubsms.credentials import Keyring

    class Own(PlaintextKeyring):
        pass

    keyring.set_keyring(Own())
    assert type(Keyring().load()) is Own
    keyring.set_keyring(PlaintextKeyring())
    assert type(Keyring().load()) is AtomicPlaintextKeyring
