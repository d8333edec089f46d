"""hubsms doctor: what it finds in a config file, its logos/ folder and the keyring, what
--fix deletes (and never deletes), its exit codes and JSON; and kill -9 during
``connector add --logo`` leaving only what ``doctor --fix`` cleans up."""

from __future__ import annotations

import base64
import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import keyring
import pytest
import terminal
from helpers import FROM, HUBSMS, PNG, SID, SID2, TOKEN, TOKEN2, add, sid, token
from keyring.backends import fail
from keyring_backends import ReadOnlyKeyring

from hubsms import store
from hubsms.credentials import FILE_BACKEND


def doctor(cli: Any, *extra: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    result = cli("doctor", "--json", *extra, env=env)
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)  # one JSON document, also on failure


def rows(report: dict[str, Any], kind: str, status: str | None = None) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["kind"] == kind and (status is None or f["status"] == status)]


def write_logo(config_path: Path, name: str, data: bytes = PNG) -> Path:
    target = config_path.parent / "logos" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def write_config(config_path: Path, *tables: str) -> None:
    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_text("schema_version = 1\n\n" + "\n".join(tables), encoding="utf-8")


def connector_table(name: str, account_sid: str = SID, **fields: str) -> str:
    lines = [f'[connectors."{name}"]', f'account_sid = "{account_sid}"', f'from = "{FROM}"']
    return "\n".join(lines + [f'{key} = "{value}"' for key, value in fields.items()]) + "\n"


# --- a healthy config -------------------------------------------------------------------------


def test_a_healthy_config_is_ok_and_names_the_plaintext_backend(cli, config_path, tmp_path):
    (tmp_path / "brand.png").write_bytes(PNG)
    assert add(cli, "A", "--logo", str(tmp_path / "brand.png")).exit_code == 0
    code, report = doctor(cli)
    assert code == 0 and report["ok"] is True, report
    assert report["config"] == str(config_path)
    assert report["backend"] == "keyrings.alt.file.PlaintextKeyring"
    backend = rows(report, "backend")[0]
    assert backend["status"] == "ok" and backend["detail"].startswith("plaintext")
    assert backend["detail"].endswith(str(keyring.get_keyring().file_path))
    assert [r["status"] for r in rows(report, "token")] == ["ok"] and [r["status"] for r in rows(report, "logo")] == ["ok"]
    assert all(set(f) == {"kind", "item", "status", "detail", "fixed"} and f["fixed"] is False for f in report["findings"])


def test_a_plaintext_file_keyring_nobody_chose_is_a_warning(cli, config_path, monkeypatch):
    add(cli, "A")
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_path.parent / "no-keyringrc"))
    code, report = doctor(cli)
    assert code == 0 and report["ok"] is True
    [row] = rows(report, "backend", "warning")
    assert "unencrypted" in row["detail"] and FILE_BACKEND in row["detail"]


def test_without_a_config_file_doctor_is_ok_and_creates_nothing(cli, config_path):
    for extra in ((), ("--fix",)):
        code, report = doctor(cli, *extra)
        assert code == 0 and report["ok"] is True
    assert not config_path.parent.exists()


# --- logos ------------------------------------------------------------------------------------


def test_an_orphan_logo_is_a_problem_that_fix_deletes_keeping_the_used_ones(cli, config_path, tmp_path):
    (tmp_path / "brand.png").write_bytes(PNG)
    assert add(cli, "A", "--logo", str(tmp_path / "brand.png")).exit_code == 0
    orphan = write_logo(config_path, "left-over.png")
    code, report = doctor(cli)
    assert code == 3 and report["ok"] is False
    assert [(r["item"], r["status"]) for r in rows(report, "logo", "problem")] == [("logos/left-over.png", "problem")]
    assert orphan.exists()  # reporting deletes nothing
    code, report = doctor(cli, "--fix")
    assert code == 0 and report["ok"] is True
    fixed = rows(report, "logo", "fixed")
    assert [(r["item"], r["fixed"]) for r in fixed] == [("logos/left-over.png", True)]
    assert sorted(p.name for p in orphan.parent.iterdir()) == ["connectors.toml"]  # the own folder, with a.png
    assert [p.name for p in (orphan.parent / "connectors.toml").iterdir()] == ["a.png"]


def test_the_table_says_the_problem_and_the_error_line_the_exit_code(cli, config_path):
    write_config(config_path)
    write_logo(config_path, "left-over.png")
    result = cli("doctor")
    assert result.exit_code == 3
    line = next(line for line in result.stdout.splitlines() if "left-over" in line)
    assert line.split("\t")[:3] == ["logo", "logos/left-over.png", "problem"] and "doctor --fix" in line
    assert result.stderr.startswith("error: doctor: 1 problem in ") and "hint: " in result.stderr


def test_fix_leaves_logos_it_must_not_delete(cli, config_path, tmp_path):
    """A logo another config file in the folder names, and a symlink (which may point at
    anyone's file), are left as they are, with a warning."""
    write_config(config_path)
    write_logo(config_path, "theirs.png")
    (config_path.parent / "other.toml").write_text(connector_table("B", logo="logos/theirs.png"), encoding="utf-8")
    victim = tmp_path / "victim.png"
    victim.write_bytes(PNG)
    (config_path.parent / "logos" / "link.png").symlink_to(victim)
    code, report = doctor(cli, "--fix")
    assert code == 0, report
    warnings = {r["item"]: r["detail"] for r in rows(report, "logo", "warning")}
    assert set(warnings) == {"logos/theirs.png", "logos/link.png"}
    assert "other.toml" in warnings["logos/theirs.png"]
    assert (config_path.parent / "logos" / "theirs.png").exists() and victim.read_bytes() == PNG
    assert (config_path.parent / "logos" / "link.png").is_symlink()


def test_a_missing_logo_file_is_a_problem_naming_the_connector_and_the_fix(cli, config_path):
    write_config(config_path, connector_table("A", logo="logos/a.png"))
    keyring.set_password("hubsms", SID, TOKEN)
    code, report = doctor(cli, "--fix")
    assert code == 3
    [row] = rows(report, "logo", "problem")
    assert row["item"] == "logos/a.png" and '"A"' in row["detail"] and 'hubsms connector edit "A" --logo' in row["detail"]


def test_a_config_that_does_not_load_is_an_error_and_fix_deletes_nothing(cli, config_path):
    config_path.parent.mkdir(parents=True)
    config_path.write_text("[connectors\n", encoding="utf-8")
    logo = write_logo(config_path, "a.png")
    result = cli("doctor", "--fix", "--json")
    assert result.exit_code == 3 and "invalid TOML" in result.stderr
    assert json.loads(result.stdout)["error"]["exit_code"] == 3
    assert logo.exists()


# --- temp files -------------------------------------------------------------------------------


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_stale_temp_files_of_the_config_and_its_logos_are_deleted_by_fix(cli, config_path):
    add(cli, "A")
    pid = dead_pid()
    stale = [config_path.parent / f".connectors.toml.{pid}.x1y2.tmp", config_path.parent / "logos" / f".a.png.{pid}.z9.tmp"]
    stale[1].parent.mkdir()
    live = config_path.parent / f".connectors.toml.{os.getpid()}.q7.tmp"  # a save under way
    for path in [*stale, live]:
        path.write_bytes(b"half")
    code, report = doctor(cli)
    assert code == 3
    assert sorted(r["item"] for r in rows(report, "temp file", "problem")) == sorted(
        [stale[0].name, f"logos/{stale[1].name}"])
    code, report = doctor(cli, "--fix")
    assert code == 0 and len(rows(report, "temp file", "fixed")) == 2
    assert not any(p.exists() for p in stale) and live.exists()
    assert (config_path.parent / ".connectors.toml.lock").exists()  # never deleted: not a temp file


# --- tokens and the keyring -----------------------------------------------------------------


def test_an_entry_no_known_config_uses_is_a_warning_and_fix_deletes_it(cli, tmp_path):
    add(cli, "A")
    other = tmp_path / "other" / "prod.toml"
    assert cli("--config", str(other), "connector", "add", "P", "--account-sid", sid(8), "--from", "+15005550006",
               "--auth-token-stdin", input=TOKEN2 + "\n").exit_code == 0
    keyring.set_password("hubsms", SID2, TOKEN2)
    keyring.set_password("other-service", sid(7), TOKEN2)  # not hubsms's: not listed
    code, report = doctor(cli)
    assert code == 0 and report["ok"] is True, report
    [row] = rows(report, "token", "warning")  # sid(8) is prod.toml's: no warning
    assert row["item"] == "AC…3210" and row["fixed"] is False
    assert "no config file hubsms knows uses it" in row["detail"] and "doctor --fix deletes it" in row["detail"]
    code, report = doctor(cli, "--fix")
    assert code == 0 and [r["item"] for r in rows(report, "token", "fixed")] == ["AC…3210"]
    assert keyring.get_password("hubsms", SID2) is None
    assert keyring.get_password("hubsms", SID) == TOKEN and keyring.get_password("hubsms", sid(8)) == TOKEN2
    assert keyring.get_password("other-service", sid(7)) == TOKEN2


def test_a_connector_without_a_token_is_exit_4_naming_it_and_the_fix(cli, config_path):
    write_config(config_path, connector_table("A"), connector_table("B", account_sid=SID2, auth_token_env="B_TOKEN"))
    result = cli("doctor", "--json")
    assert result.exit_code == 4
    report = json.loads(result.stdout)  # the report only: no second JSON document for the error
    problems = {r["item"]: r["detail"] for r in rows(report, "token", "problem")}
    assert set(problems) == {"A", "B"}
    assert 'hubsms connector edit "A" --auth-token-stdin' in problems["A"]
    assert "B_TOKEN is not set" in problems["B"] and "set B_TOKEN" in problems["B"]
    assert result.stderr.startswith("error: doctor: 2 keyring or token problems")
    code, report = doctor(cli, env={"B_TOKEN": TOKEN2})
    assert code == 4 and [r["item"] for r in rows(report, "token", "problem")] == ["A"]
    keyring.set_password("hubsms", SID, TOKEN)
    assert doctor(cli, env={"B_TOKEN": TOKEN2})[0] == 0


def test_a_keyring_entry_does_not_serve_a_connector_that_names_an_unset_variable(cli, config_path):
    """As sending does (credentials.find_token): the variable only, never the keyring."""
    write_config(config_path, connector_table("B", account_sid=SID2, auth_token_env="B_TOKEN"))
    keyring.set_password("hubsms", SID2, TOKEN2)
    code, report = doctor(cli)
    assert code == 4
    [row] = rows(report, "token", "problem")
    assert row["item"] == "B" and "B_TOKEN is not set" in row["detail"] and "--auth-token-env ''" in row["detail"]


def test_a_token_problem_outweighs_a_file_problem(cli, config_path):
    write_config(config_path, connector_table("A"))
    write_logo(config_path, "left-over.png")
    assert doctor(cli)[0] == 4


def test_an_unusable_keyring_is_one_problem_row_and_exit_4(cli):
    add(cli, "A")
    keyring.set_keyring(fail.Keyring())
    code, report = doctor(cli)
    assert code == 4 and report["backend"] is None
    [row] = [f for f in report["findings"] if f["status"] == "problem"]
    assert row["kind"] == "keyring" and "no usable keyring backend" in row["detail"]


def test_a_backend_that_cannot_be_listed_says_so(cli, config_path):
    write_config(config_path, connector_table("A"))
    keyring.set_keyring(ReadOnlyKeyring({("hubsms", SID): TOKEN, ("hubsms", SID2): TOKEN2}))
    code, report = doctor(cli)
    assert code == 0, report
    assert rows(report, "backend")[0]["detail"] == "not plaintext"
    [row] = rows(report, "keyring")
    assert row["status"] == "ok" and row["detail"] == "cannot list the entries of keyring_backends.ReadOnlyKeyring"


def test_a_damaged_file_keyring_is_a_row_not_an_internal_error(cli):
    path = Path(keyring.get_keyring().file_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = base64.b64encode(TOKEN.encode()).decode()
    path.write_text(f"\t{secret}\n")  # what a hand edit, or a killed in-place rewrite, can leave
    code, report = doctor(cli)
    assert code == 0, report
    [row] = [f for f in rows(report, "keyring") if f["item"] == str(path)]
    assert row["status"] == "warning" and "cannot list its entries" in row["detail"]
    assert "not in the INI format keyrings.alt writes (line 1)" in row["detail"] and secret not in json.dumps(report)


@terminal.POSIX_ONLY
def test_the_table_fits_80_columns_at_a_terminal(cli, config_path):
    add(cli, "A")
    keyring.set_password("hubsms", SID2, TOKEN2)
    write_logo(config_path, "a-rather-long-name-of-a-logo-left-over.png")
    status, output = terminal.run("doctor", env={"COLUMNS": "80", "NO_COLOR": "1"}, size=(60, 80), timeout=20)
    assert status == 3, output
    table = [line for line in output.splitlines() if not line.startswith(("error:", "hint:"))]
    assert all(len(line) <= 80 for line in table), output
    assert SID2 in output  # the delete command's Account SID is whole, on one line


# --- kill -9 during connector add --logo --------------------------------------------------------

KILLS = 15
# Moments to kill at: a random time, or just after a step of the add is seen on disk.
TRIGGERS = ("time", "logo written", "keyring written", "config temp file")


def _seen(trigger: str, config_path: Path, i: int, keyring_file: Path, before: int) -> bool:
    folder = config_path.parent
    if trigger == "logo written":
        return (folder / "logos" / "connectors.toml" / f"c{i}.png").exists()
    if trigger == "keyring written":
        return keyring_file.exists() and keyring_file.stat().st_mtime_ns != before
    return any(folder.glob(".connectors.toml.*.tmp"))


def _add(i: int, logo: Path) -> list[str]:
    return [str(HUBSMS), "connector", "add", f"C{i}", "--logo", str(logo), "--account-sid", sid(100 + i),
            "--from", FROM, "--auth-token-stdin", "--no-input"]


def _crash_safe_env() -> dict[str, str]:
    # keyrings.alt's PlaintextKeyring truncates its file before writing it again: a kill in
    # between loses every entry. hubsms's file backend (same file) replaces it atomically.
    return {**os.environ, "PYTHON_KEYRING_BACKEND": FILE_BACKEND}


def _kill_add(config_path: Path, logo: Path, i: int, trigger: str, moment: float, keyring_file: Path) -> bool:
    """Start ``connector add C<i> --logo``, kill it -9 at the trigger; whether it was killed."""
    before = keyring_file.stat().st_mtime_ns if keyring_file.exists() else 0
    process = subprocess.Popen(_add(i, logo), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, text=True, env=_crash_safe_env())
    process.stdin.write(token(100 + i) + "\n")
    process.stdin.close()
    deadline = time.monotonic() + (moment if trigger == "time" else 30)
    while process.poll() is None and time.monotonic() < deadline:
        if trigger != "time" and _seen(trigger, config_path, i, keyring_file, before):
            time.sleep(moment / 200)  # 0-5 ms on: into the next step
            break
        time.sleep(0.0005)
    killed = process.poll() is None
    if killed:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(30)
    return killed


def _check_invariants(config_path: Path) -> None:
    """The config loads; each connector has its token and its logo; nothing is left over."""
    config = store.load(config_path)
    for connector in config.connectors.values():
        i = int(connector.name[1:])
        assert keyring.get_password("hubsms", connector.account_sid) == token(100 + i), connector.name
        assert connector.logo and (config_path.parent / connector.logo).read_bytes() == PNG
    logos = config_path.parent / "logos" / "connectors.toml"
    files = sorted(p.name for p in logos.iterdir()) if logos.exists() else []
    assert files == sorted(c.logo.rsplit("/", 1)[1] for c in config.connectors.values() if c.logo)
    assert not list(config_path.parent.glob(".*.tmp")) + list(logos.glob(".*.tmp"))


def test_kill_9_during_add_with_a_logo_leaves_only_what_doctor_fix_cleans(cli, config_path, tmp_path):
    logo = tmp_path / "brand.png"
    logo.write_bytes(PNG)
    keyring_file = Path(keyring.get_keyring().file_path)
    seed = int(os.environ.get("SEED", random.randrange(2**32)))
    rng = random.Random(seed)
    start = time.monotonic()
    warm_up = subprocess.run(_add(99, logo), input=token(199) + "\n", capture_output=True, text=True, env=_crash_safe_env())
    unkilled = time.monotonic() - start
    assert warm_up.returncode == 0, warm_up.stderr
    figures = {"killed": 0, "logos fixed": 0, "temp files fixed": 0, "entries reported": 0}
    for i in range(KILLS):
        trigger = TRIGGERS[i % len(TRIGGERS)]
        moment = rng.uniform(0, 1.0) if trigger != "time" else rng.uniform(0, 1.1 * unkilled)
        figures["killed"] += _kill_add(config_path, logo, i, trigger, moment, keyring_file)
        code, report = doctor(cli, "--fix")
        context = f"seed {seed}, round {i}, {trigger}: {json.dumps(report)}"
        assert code == 0 and report["ok"] is True, context
        figures["logos fixed"] += len(rows(report, "logo", "fixed"))
        figures["temp files fixed"] += len(rows(report, "temp file", "fixed"))
        reported = {r["detail"].rsplit(" ", 1)[1] for r in rows(report, "token", "warning")}
        figures["entries reported"] = len(reported)
        _check_invariants(config_path)
        # every entry no connector uses is reported (never deleted): an add killed after
        # storing its token and before saving the file
        used = {c.account_sid for c in store.load(config_path).connectors.values()}
        stored = {s for s in (sid(100 + j) for j in range(i + 1)) if keyring.get_password("hubsms", s)}
        assert reported == stored - used, context
    print(f"kill -9 during connector add --logo (seed {seed}): {figures}")
    # the kills came in the middle of the add, not only before or after it
    assert figures["killed"] >= KILLS // 2 and figures["logos fixed"] >= 1, figures


def dead_pid() -> int:
    """The pid of a process that has ended (a writer killed with -9)."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.mark.parametrize("backend", ["plain", "atomic"])
def test_a_keyring_temp_file_left_by_a_kill_is_found_and_fix_deletes_it(cli, backend):
    from hubsms.keyring_file import AtomicPlaintextKeyring

    if backend == "atomic":
        keyring.set_keyring(AtomicPlaintextKeyring())
    add(cli, "A")
    keyring_file = Path(keyring.get_keyring().file_path)
    temp = keyring_file.parent / f".{keyring_file.name}.{dead_pid()}.k1ll.tmp"
    temp.write_bytes(keyring_file.read_bytes())  # what a killed writer leaves: every token
    code, report = doctor(cli)
    assert code == 4, report
    [row] = rows(report, "keyring temp file", "problem")
    assert row["item"] == str(temp) and "holds the keyring's tokens" in row["detail"]
    code, report = doctor(cli, "--fix")
    assert code == 0 and rows(report, "keyring temp file", "fixed"), report
    assert not temp.exists() and keyring.get_password("hubsms", SID) == TOKEN


def test_the_next_keyring_write_removes_a_killed_writers_temp_file(cli):
    from hubsms.keyring_file import AtomicPlaintextKeyring

    keyring.set_keyring(AtomicPlaintextKeyring())
    add(cli, "A")
    keyring_file = Path(keyring.get_keyring().file_path)
    temp = keyring_file.parent / f".{keyring_file.name}.{dead_pid()}.k1ll.tmp"
    temp.write_bytes(keyring_file.read_bytes())
    add(cli, "B", account_sid=SID2, tok=TOKEN2)
    assert not temp.exists()
    assert oct(keyring_file.stat().st_mode & 0o777) == "0o600"
