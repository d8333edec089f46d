"""The config file on disk: unreadable and unwritable cases, symlinks, modes under any umask,
the lock and what it says, and temp files a crash leaves."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import (
    HUBSMS,
    PNG,
    SID,
    TOKEN,
    add,
    assert_user_error,
    hold_config_lock,
    read_bytes,
    subprocess_env,
)

from hubsms import store
from hubsms.model import Config

# sysfs refuses new files even to root, so this folder cannot be written by anyone.
UNWRITABLE = Path("/sys/kernel")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_deeply_nested_toml_is_a_config_error_naming_the_file(cli, config_path):
    config_path.parent.mkdir(parents=True)
    config_path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    result = cli("connector", "list")
    assert_user_error(result, 3, str(config_path), "nested too deeply")


def test_a_file_that_is_not_utf8_says_where_and_how_to_fix_it(cli, config_path):
    config_path.parent.mkdir(parents=True)
    config_path.write_bytes('schema_version = 1\n# caf'.encode() + b"\xe9\n")
    result = cli("connector", "list")
    assert_user_error(result, 3, f"cannot read {config_path}: not UTF-8 text (byte 0xe9 at offset 24)")
    assert "re-save the file as UTF-8" in result.stderr


def test_the_unwritable_folder_really_refuses_root():
    with pytest.raises(PermissionError):
        os.close(os.open(UNWRITABLE / "hubsms-probe", os.O_CREAT | os.O_WRONLY, 0o600))


def test_a_folder_that_cannot_be_written_is_a_config_error_naming_it(cli):
    config = UNWRITABLE / "connectors.toml"
    result = add(cli, "A", env={"HUBSMS_CONFIG": str(config)})
    assert_user_error(result, 3, f"cannot write in {UNWRITABLE}: permission denied")
    assert "--config" in result.stderr
    assert not config.exists() and not (UNWRITABLE / ".connectors.toml.lock").exists()


def test_saving_into_a_folder_that_cannot_be_written_names_it():
    with pytest.raises(store.ConfigError, match=f"^cannot write in {UNWRITABLE}: permission denied$"):
        store.save(UNWRITABLE / "c.toml", Config())


def test_a_symlinked_config_file_stays_a_link_and_its_target_is_written(cli, config_path, tmp_path):
    real = tmp_path / "dotfiles" / "hubsms.toml"
    real.parent.mkdir()
    real.write_text("schema_version = 1\n")
    config_path.parent.mkdir(parents=True)
    config_path.symlink_to(os.path.relpath(real, config_path.parent))
    assert add(cli, "A").exit_code == 0
    assert add(cli, "B", tok=None).exit_code == 0
    assert config_path.is_symlink()
    assert '[connectors.A]' in real.read_text() and '[connectors.B]' in real.read_text()
    assert mode(real) == 0o600
    assert sorted(p.name for p in real.parent.iterdir()) == [".hubsms.toml.lock", "hubsms.toml"]
    assert sorted(p.name for p in config_path.parent.iterdir()) == ["connectors.toml"]


def test_a_config_path_with_dotdot_after_a_symlinked_folder_is_written_where_the_kernel_finds_it(cli, tmp_path):
    """``link/../p/x.toml``: the kernel resolves ``link`` before ``..``; a path made absolute
    by text drops both and names another folder."""
    real = tmp_path / "deploy" / "releases" / "r1"
    real.mkdir(parents=True)
    (tmp_path / "deploy" / "releases" / "common").mkdir()
    (tmp_path / "current").symlink_to(real)
    config = tmp_path / "current" / ".." / "common" / "hubsms.toml"  # deploy/releases/common/hubsms.toml
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    assert add(cli, "A", "--logo", str(logo), env={"HUBSMS_CONFIG": str(config)}).exit_code == 0
    held = tmp_path / "deploy" / "releases" / "common"
    assert "[connectors.A]" in (held / "hubsms.toml").read_text()
    assert sorted(p.name for p in held.iterdir()) == [".hubsms.toml.lock", "hubsms.toml", "logos"]
    assert [p.name for p in (held / "logos" / "hubsms.toml").iterdir()] == ["a.png"]
    assert not (tmp_path / "common").exists()


def test_two_links_to_one_file_share_its_lock(tmp_path):
    real = tmp_path / "real.toml"
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    assert store.lock_path(link) == store.lock_path(real) == tmp_path / ".real.toml.lock"


def test_folders_and_files_are_private_whatever_the_umask(tmp_path):
    config = tmp_path / "a" / "b" / "connectors.toml"
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    result = subprocess.run(
        [str(HUBSMS), "connector", "add", "A", "--account-sid", SID, "--from", "+15005550006", "--logo", str(logo),
         "--auth-token-stdin"],
        input=TOKEN + "\n", capture_output=True, text=True, timeout=30, umask=0,
        env=subprocess_env(HUBSMS_CONFIG=str(config)),
    )
    assert result.returncode == 0, result.stderr
    folders = [tmp_path / "a", tmp_path / "a" / "b", config.parent / "logos", config.parent / "logos" / "connectors.toml"]
    assert [mode(f) for f in folders] == [0o700, 0o700, 0o700, 0o700]
    assert (mode(config), mode(config.parent / ".connectors.toml.lock")) == (0o600, 0o600)
    assert mode(config.parent / "logos" / "connectors.toml" / "a.png") == 0o644


def test_a_failed_first_add_leaves_only_a_hidden_private_lock_file(cli, config_path):
    result = add(cli, "A", tok=None)  # no token anywhere: refused inside the lock
    assert result.exit_code == 4, result.stderr
    assert read_bytes(config_path) is None
    lock = config_path.parent / ".connectors.toml.lock"
    assert [p.name for p in config_path.parent.iterdir()] == [lock.name]
    assert mode(lock) == 0o600
    assert lock.read_bytes() == b""  # no holder now


def test_a_writer_that_times_out_names_the_holder_and_the_next_gets_in_once_it_dies(cli, config_path):
    assert add(cli, "A").exit_code == 0
    holder = hold_config_lock(config_path)
    try:
        result = add(cli, "B", tok=None, env={"HUBSMS_LOCK_TIMEOUT": "0.3"})
        assert_user_error(result, 3, f"{config_path} is locked by process {holder.pid} (waited 0.3 s)")
        assert "remove" not in result.stderr and ".lock" not in result.stderr
    finally:
        holder.kill()
        holder.wait(10)
    assert add(cli, "B", tok=None).exit_code == 0
    assert "[connectors.A]" in config_path.read_text() and "[connectors.B]" in config_path.read_text()


def test_a_waiting_writer_gets_the_lock_when_the_holder_dies(config_path):
    holder = hold_config_lock(config_path)
    killer = subprocess.Popen(["sh", "-c", f"sleep 0.5; kill -9 {holder.pid}"])
    start = time.monotonic()
    with store.locked(config_path):  # waits here: the holder is alive until the killer's turn
        waited = time.monotonic() - start
        assert holder.wait(5) == -9  # it got in because the holder was killed
    killer.wait(10)
    assert waited >= 0.3, waited


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(10)
    return child.pid


def _temp(folder: Path, name: str, pid: int, age: float = 0) -> Path:
    path = folder / f".{name}.{pid}.k3x_{int(age)}.tmp"
    path.write_bytes(b"partial")
    if age:
        os.utime(path, (time.time() - age, time.time() - age))
    return path


def test_stale_temp_files_are_those_of_dead_writers_or_older_than_a_minute(tmp_path):
    config = tmp_path / "connectors.toml"
    (tmp_path / "logos").mkdir()
    dead = _dead_pid()
    crashed = _temp(tmp_path, config.name, dead)
    old = _temp(tmp_path, config.name, os.getpid(), age=120)
    logo = _temp(tmp_path / "logos", "a.png", dead)
    _temp(tmp_path, config.name, os.getpid())  # a live writer's, fresh: in use
    _temp(tmp_path, "other.toml", dead)  # another config file's
    (tmp_path / ".connectors.toml.notapid.x.tmp").write_bytes(b"")
    assert store.stale_temp_files(config) == sorted([crashed, old, logo])


def test_a_save_killed_while_writing_leaves_a_temp_file_that_is_found_stale(tmp_path):
    """A real crash: the kernel kills the writer (SIGXFSZ) when its temp file passes the
    file-size limit, half written."""
    import signal

    config = tmp_path / "connectors.toml"
    code = (
        "import resource, signal, sys\nfrom pathlib import Path\nfrom hubsms import store\n"
        "from hubsms.model import Config, Connector\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_DFL)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
        f"one = Connector(name='x', account_sid={SID!r}, from_='+15005550006')\n"
        "store.save(Path(sys.argv[1]), Config(connectors={f'C{i}': one._replace(name=f'C{i}') for i in range(200)}))\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", code, str(config)], stderr=subprocess.PIPE)
    assert writer.wait(30) == -signal.SIGXFSZ, writer.stderr.read()
    assert not config.exists()
    left = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(left) == 1 and left[0].name.startswith(f".connectors.toml.{writer.pid}.")
    assert store.stale_temp_files(config) == left


def test_stale_temp_files_of_a_symlinked_config_are_beside_its_target(tmp_path):
    (tmp_path / "real").mkdir()
    link = tmp_path / "connectors.toml"
    link.symlink_to(tmp_path / "real" / "c.toml")
    crashed = _temp(tmp_path / "real", "c.toml", _dead_pid())
    assert store.stale_temp_files(link) == [crashed]
