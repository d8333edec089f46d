"""What hubsms accepts as its config file (and as apply's FILE): a regular file, or a symlink
to one, of at most 16 MiB, or nothing yet where a command creates it. A folder, a device, a
FIFO, a socket or an empty path is exit 2 with words, and nothing is read from it, waited
on, or written beside it or in its place. A number too long for Python's int() is an invalid
file like any other (exit 3)."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import FROM, HUBSMS, PNG, SID, TOKEN, add, assert_user_error, read_bytes, run_hubsms, subprocess_env

from hubsms import store

HINT = "name a TOML file: a regular file, or a symlink to one"
ADD = ("connector", "add", "A", "--account-sid", SID, "--from", FROM, "--auth-token-env", "TWILIO_AUTH_TOKEN")


def make_fifo(path: Path) -> None:
    os.mkfifo(path)


def make_socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))  # the node stays after the socket is closed
    server.close()


def make_folder(path: Path) -> None:
    path.mkdir()


def make_device(path: Path) -> None:
    """A character device node like /dev/null (1, 3), made in the test's own folder: if the
    refusal ever broke, the copy would be replaced, never the machine's /dev/null."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root (CI runs as root)")


KINDS: dict[str, tuple[Callable[[Path], None], str]] = {
    "folder": (make_folder, "a folder"),
    "fifo": (make_fifo, "a named pipe"),
    "socket": (make_socket, "a socket"),
    "device": (make_device, "a character device"),
}


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every entry under ``folder``: its kind and size (a lock, temp or replaced file shows)."""
    found = {}
    for root, dirs, names in os.walk(folder):
        for name in dirs + names:
            info = os.lstat(os.path.join(root, name))
            found[os.path.relpath(os.path.join(root, name), folder)] = (stat.S_IFMT(info.st_mode), info.st_size)
    return found


@pytest.fixture
def place(tmp_path: Path) -> Iterator[Path]:
    """A folder for the test's nodes. A FIFO made in it that the test is still blocked on
    after 10 s gets an end of file, so that a hubsms waiting on it fails the test, not hangs it."""
    folder = tmp_path / "place"
    folder.mkdir()
    stop = threading.Event()

    def unblock() -> None:
        stop.wait(10)
        while not stop.wait(0.1):
            for root, _dirs, names in os.walk(folder):
                for name in names:
                    path = os.path.join(root, name)
                    if stat.S_ISFIFO(os.lstat(path).st_mode):
                        with contextlib.suppress(OSError):  # ENXIO: nobody is reading it
                            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))

    watchdog = threading.Thread(target=unblock, daemon=True)
    watchdog.start()
    yield folder
    stop.set()
    watchdog.join()


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("command", ["list", "add", "plan-set"])
def test_a_config_that_is_not_a_regular_file_is_exit_2_and_nothing_is_written(cli, place, kind, command):
    make, words = KINDS[kind]
    config = place / "connectors.toml"
    make(config)
    before = tree(place)
    args = {
        "list": ("connector", "list"),
        "add": ADD,
        "plan-set": ("plan", "set", "Gold", "--sms-connector", "A"),
    }[command]
    result = cli("--config", str(config), *args)
    assert_user_error(result, 2, f"{config} is {words}, not a regular file")
    assert HINT in result.stderr
    assert tree(place) == before  # no lock file beside it, nothing put in its place


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_symlink_to_a_non_regular_file_is_refused_as_its_target(cli, place, kind):
    make, words = KINDS[kind]
    target = place / "target"
    make(target)
    link = place / "connectors.toml"
    link.symlink_to(target)
    before = tree(place)
    result = cli("--config", str(link), *ADD)
    assert_user_error(result, 2, f"{link} is {words}, not a regular file")
    assert tree(place) == before


def test_the_machines_dev_zero_is_refused_without_being_read():
    # Only a reading command here: a writing one is tested on a device node of the test's own.
    # In a subprocess of 1 GiB at most: reading /dev/zero (as hubsms once did) fails it alone.
    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    done = subprocess.run(
        [str(HUBSMS), "--config", "/dev/zero", "connector", "list", "--json"],
        capture_output=True, text=True, timeout=20, env=subprocess_env(), preexec_fn=limit_memory,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: /dev/zero is a character device, not a regular file\n")


def test_a_fifo_config_is_refused_at_once_not_waited_on(place):
    fifo = place / "connectors.toml"
    os.mkfifo(fifo)
    # A subprocess with a timeout: before the check, hubsms blocked opening the FIFO for ever.
    done = run_hubsms("connector", "list", "--config", str(fifo), timeout=20)
    assert done.returncode == 2, done.stderr
    assert f"error: {fifo} is a named pipe, not a regular file" in done.stderr


def test_an_empty_config_path_is_exit_2_naming_the_mistake(cli, place, monkeypatch):
    monkeypatch.chdir(place)
    result = cli("--config", "", *ADD)
    assert_user_error(result, 2, "the config path is empty (or '.', the current folder)")
    assert tree(place) == {}


def test_an_empty_or_dot_file_argument_of_apply_is_named_as_the_file_not_the_config(cli, config_path):
    """``apply ""`` (an unset shell variable) is about the FILE argument, not the config."""
    for given, said in (("", "the FILE argument is empty"), (".", "FILE '.' is the current folder, not a file")):
        result = cli("apply", given)
        assert_user_error(result, 2, said)
        assert result.stderr.splitlines()[1].startswith("hint: give the desired-state file to apply, or - ")
        assert not config_path.exists()


def test_a_config_over_16_mib_is_refused_before_it_is_read(cli, config_path):
    config_path.parent.mkdir(parents=True)
    with config_path.open("wb") as handle:  # sparse: no 16 MiB written to the disk
        handle.truncate(store.MAX_FILE_BYTES + 1)
    result = cli("connector", "list")
    assert_user_error(result, 2, f"{config_path} is 16.0 MiB: more than a config file can be (16.0 MiB at most)")
    assert add(cli, "A").exit_code == 2
    assert config_path.stat().st_size == store.MAX_FILE_BYTES + 1
    assert sorted(p.name for p in config_path.parent.iterdir()) == ["connectors.toml"]


def test_apply_refuses_a_fifo_as_its_file(cli, config_path, place):
    fifo = place / "desired.toml"
    os.mkfifo(fifo)
    done = run_hubsms("apply", str(fifo), timeout=20)
    assert done.returncode == 2, done.stderr
    assert f"error: {fifo} is a named pipe, not a regular file" in done.stderr
    assert read_bytes(config_path) is None


def test_a_symlink_to_a_regular_file_and_a_missing_file_are_still_accepted(cli, config_path, place):
    assert add(cli, "A").exit_code == 0  # a missing file is created
    link = place / "link.toml"
    link.symlink_to(config_path)
    result = cli("--config", str(link), "connector", "list", "--json")
    assert result.exit_code == 0, result.output
    assert [row["name"] for row in json.loads(result.stdout)] == ["A"]


# --- numbers too long for int() ---------------------------------------------------------------


def test_an_integer_of_more_than_4300_digits_is_an_invalid_file_not_a_crash(cli, config_path):
    digits = sys.get_int_max_str_digits() + 1
    config_path.parent.mkdir(parents=True)
    text = f'schema_version = 1\n[connectors."A"]\naccount_sid = "{SID}"\nfrom = "{"1" * 5000}"\nactive = {"7" * digits}\n'
    config_path.write_text(text)
    result = cli("connector", "list")
    assert_user_error(
        result, 3, f"{config_path}: invalid TOML: a number has more than {digits - 1} digits (line 5, column 10)"
    )
    assert "fix the file by hand" in result.stderr
    assert add(cli, "B", tok=TOKEN).exit_code == 3
    assert config_path.read_text() == text


def test_apply_names_the_long_number_in_its_file(cli, config_path, place):
    desired = place / "desired.toml"
    desired.write_text("schema_version = 1\nx = [1, " + "9" * 5000 + "]\n")
    result = cli("apply", str(desired))
    assert_user_error(result, 3, f"{desired}: invalid TOML: a number has more than 4300 digits (line 2, column 9)")
    assert read_bytes(config_path) is None


def test_a_stored_logo_replaced_by_a_fifo_is_not_waited_on_by_apply(cli, place):
    """apply compares a connector's stored logo with the desired one: a FIFO put in its place is
    no logo (a fresh copy is placed), never opened to wait on, under the config's lock."""
    config, image = place / "connectors.toml", place / "brand.png"
    image.write_bytes(PNG)
    result = cli("--config", str(config), *ADD, "--logo", str(image), env={"TWILIO_AUTH_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    stored = place / store.load(config).connectors["A"].logo
    stored.unlink()
    os.mkfifo(stored)
    desired = place / "desired.toml"
    desired.write_text(f'schema_version = 1\n[connectors.A]\naccount_sid = "{SID}"\nfrom = "{FROM}"\n'
                       f'auth_token_env = "TWILIO_AUTH_TOKEN"\nlogo = "brand.png"\n')
    started = time.monotonic()
    done = run_hubsms("--config", str(config), "apply", str(desired), timeout=30, TWILIO_AUTH_TOKEN=TOKEN)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 8  # the watchdog would end a wait on the FIFO at 10 s
    logo = store.load(config).connectors["A"].logo
    assert (place / logo).read_bytes() == PNG and stat.S_ISFIFO(os.lstat(stored).st_mode)


def test_apply_reads_its_stdin_as_a_file_is_read_utf8_whatever_the_locale(config_path):
    """Bytes that are not UTF-8 on stdin: exit 3 naming the byte, as in a file; never an
    internal error under a strict encoding, nor surrogates kept under the C locale."""
    for encoding in ("utf-8:strict", "ascii:surrogateescape"):
        done = subprocess.run([str(HUBSMS), "apply", "-", "--dry-run"], input=b"schema_version = 1\n# \xff\n",
                              capture_output=True, timeout=30, env=subprocess_env(PYTHONIOENCODING=encoding))
        assert done.returncode == 3, done.stderr
        assert b"cannot read <stdin>: not UTF-8 text (byte 0xff at offset 21)" in done.stderr
    assert read_bytes(config_path) is None
