"""Reliability of hubsms under concurrency, crashes, leaks, keyring and network faults.

Runs the real ``hubsms`` CLI in subprocesses, each part in its own temp folder (config file,
keyring backend, XDG_DATA_HOME), all traffic to the project's sandbox on 127.0.0.1. Figures:

  concurrent writers   N ``connector add`` into one config file, and N into N files (one
                       keyring): connectors lost, tokens lost (expected 0)
  kill -9              add / edit (Account SID) / apply / token rotation killed at a random
                       moment: corrupt configs, tokens lost for connectors in the file, orphans
                       (tokens of no connector, temp files) before and after ``doctor --fix``
                       (which reports unused tokens, never deletes them: those are not counted)
  canary token         one unique token through add, send, dry run, show, list, export, apply,
                       the JUnit and Prometheus reports of connector test --all
                       and errors (401, bad token): leaks in stdout/stderr, files (but the
                       keyring's), the sandbox's output and every process's arguments (expected 0)
  export round trip    export, then a new machine (config folder and keyring empty), apply --prune
                       of the export with the tokens in variables: differences in the config
                       file's bytes, the logos and the keyring tokens (expected 0)
  keyring faults       a hanging and a raising keyring: exit 4 (remove: 0, the token left with
                       a warning, as documented) within timeout + 1 s
  network faults       sandbox faults 429 / 500 / delay / close and a refused port: exit code of
                       ``otp send`` and messages stored for that send (0 or 1 as documented)
  shared tokens        30 config files on one keyring, connectors removed at random: tokens
                       lost while a file still uses them, tokens left after the last (0, 0);
                       and 30 races of a remove in one file with an add in another (0 lost)
  shared folder logos   a.toml and b.toml in one folder, random logo adds, edits, drops, removes
                       and doctor --fix in both: logos lost or changed (expected 0)
  sandbox floods       1,000 clients creating a message at the same moment (connections reset
                       or unanswered: 0; every 201 stored), 3,000 idle connections (the
                       sandbox's threads stay under its cap; a new client is answered), 100
                       clients trickling their bodies (each answered 408 within 7 s)

Usage: python benchmarks/reliability.py [--quick] [--backend MODULE.CLASS] [--writers N]
       [--kills N] [--seed S]     (exit 0 when every figure is as expected)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from _faults import Figure, canary, header, keyring_faults, network_faults
from _floods import sandbox_floods
from _harness import FILE_BACKEND, FROM, World
from _support import compile_package, sid, verdict

# --- concurrent writers -----------------------------------------------------------------------


def concurrent_writers(root: Path, backend: str, n: int) -> list[Figure]:
    header(f"concurrent writers: {n} connector add at once, into one file and into {n} files")
    figures = []
    for label, shared in (("one file", True), (f"{n} files", False)):
        worlds = [World(root / label.replace(" ", "-"), backend, "connectors.toml" if shared else f"c{i}.toml")
                  for i in range(n)]
        tokens = {sid(i, 1 if shared else 2): secrets.token_hex(16) for i in range(n)}
        processes = [
            w.start("connector", "add", f"Writer {i}", "--no-input", "--account-sid", s, "--from", FROM,
                    "--auth-token-stdin", stdin=token + "\n")
            for i, (w, (s, token)) in enumerate(zip(worlds, tokens.items()))
        ]
        errors = [p.communicate(timeout=120)[1] for p in processes]
        codes = Counter(p.returncode for p in processes)
        for err in {e.strip().splitlines()[0] for p, e in zip(processes, errors) if p.returncode and e.strip()}:
            print(f"  a failed writer said: {err[:150]}")
        found: dict[str, dict] = {}
        for w in (worlds[:1] if shared else worlds):
            found.update(w.connectors() or {})
        stored, _ = worlds[0].keyring(get=list(tokens))
        lost = n - sum(f"Writer {i}" in found for i in range(n))
        lost_tokens = sum(stored.get(s) != t for s, t in tokens.items())
        print(f"{label}: exit codes {dict(codes)}; connectors lost {lost}; tokens lost {lost_tokens}")
        figures += [(f"writers, {label}: connectors lost", str(lost), "0", lost == 0),
                    (f"writers, {label}: tokens lost", str(lost_tokens), "0", lost_tokens == 0)]
    return figures


# --- kill -9 ----------------------------------------------------------------------------------

# Accounts of the kill rounds: A and B exist; the operations make C, move B, make D.
SID_A, SID_B, SID_C, SID_B2, SID_D = (sid(i, 3) for i in range(5))


def kill_setup(world: World, tokens: dict[str, str]) -> None:
    world.write_config({"A": SID_A, "B": SID_B}, plans={"Gold": "A"})
    world.keyring(set_={SID_A: tokens["A"], SID_B: tokens["B"]})


def kill_operation(world: World, op: str, tokens: dict[str, str]) -> tuple[list[str], str | None, dict[str, str]]:
    """(arguments, stdin, extra environment) of one operation."""
    if op == "add":
        return ["connector", "add", "C", "--no-input", "--account-sid", SID_C, "--from", FROM,
                "--auth-token-stdin"], tokens["C"] + "\n", {}
    if op == "edit":
        return ["connector", "edit", "B", "--account-sid", SID_B2, "--no-input"], None, {}
    if op == "rotate":
        return ["connector", "edit", "A", "--auth-token-stdin", "--no-input"], tokens["A2"] + "\n", {}
    desired = world.root / "desired.toml"
    desired.write_text(
        f'schema_version = 1\n\n[plans."Gold"]\nsms_connector = "D"\n\n'
        f'[connectors."A"]\naccount_sid = "{SID_A}"\nfrom = "{FROM}"\nauth_token_env = "TOKEN_A"\n\n'
        f'[connectors."D"]\naccount_sid = "{SID_D}"\nfrom = "{FROM}"\nauth_token_env = "TOKEN_D"\n', encoding="utf-8")
    return ["apply", str(desired), "--prune"], None, {"TOKEN_A": tokens["A"], "TOKEN_D": tokens["D"]}


def accepted_tokens(tokens: dict[str, str]) -> dict[str, set[str]]:
    """What each account's keyring entry may hold, whenever the kill came."""
    return {SID_A: {tokens["A"], tokens["A2"]}, SID_B: {tokens["B"]}, SID_C: {tokens["C"]},
            SID_B2: {tokens["B"]}, SID_D: {tokens["D"]}}


def orphans(world: World, connectors: dict[str, dict], reported: frozenset[str] = frozenset()) -> int:
    """Tokens that no connector of the file uses (but those ``doctor`` reported: it never
    deletes a keyring entry, which another config file may use), and temp files left beside
    the config (not its lock file, which is never deleted)."""
    used = {c["account_sid"] for c in connectors.values() if c.get("account_sid")}
    stored, _ = world.keyring(get=[SID_A, SID_B, SID_C, SID_B2, SID_D])
    stray_tokens = sum(1 for s, t in stored.items() if t is not None and s not in used | reported)
    temp_files = len(list(world.config.parent.glob(f".{world.config.name}.*.tmp")))
    return stray_tokens + temp_files


def doctor_reported(output: str) -> frozenset[str]:
    """The Account SIDs of the unused keyring entries ``doctor --json`` reports."""
    try:
        findings = json.loads(output)["findings"]
    except (ValueError, KeyError, TypeError):
        return frozenset()
    return frozenset(sid for f in findings if f["kind"] == "token" and f["status"] == "warning"
                     for sid in re.findall(r"AC[0-9a-fA-F]{32}", f["detail"]))


def doctor_available(world: World) -> bool:
    done = world.run("doctor", "--help")
    return not (done.code == 2 and "doctor" in (done.out + done.err).lower())


def kill_round(world: World, op: str, moment: float, doctor: bool) -> dict[str, int]:
    tokens = {k: secrets.token_hex(16) for k in ("A", "A2", "B", "C", "D")}
    kill_setup(world, tokens)
    args, stdin, env = kill_operation(world, op, tokens)
    process = world.start(*args, stdin=stdin, env=env)
    time.sleep(moment)
    killed = process.poll() is None
    if killed:
        os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    result = {"killed": int(killed), "corrupt": 0, "tokens lost": 0, "orphans": 0, "orphans after doctor": 0}
    connectors = world.connectors()
    if connectors is None:
        result["corrupt"] = 1
        return result
    accepted = accepted_tokens(tokens)
    sids = [c["account_sid"] for c in connectors.values()]
    stored, _ = world.keyring(get=sids)
    result["tokens lost"] = sum(stored.get(s) not in accepted.get(s, set()) for s in sids)
    result["orphans"] = orphans(world, connectors)
    if doctor:
        done = world.run("doctor", "--fix", "--json")
        after = world.connectors()
        result["orphans after doctor"] = orphans(world, after, doctor_reported(done.out)) if after is not None else 99
    return result


def kills(root: Path, backend: str, rounds: int, rng: random.Random) -> list[Figure]:
    header(f"kill -9 at a random moment: {rounds} rounds per operation")
    probe = World(root / "kill-probe", backend)
    doctor = doctor_available(probe)
    print(f"doctor: {'available' if doctor else 'not available yet'}")
    figures = []
    for op in ("add", "edit", "apply", "rotate"):
        timing = World(root / f"kill-{op}-timing", backend)
        tokens = {k: secrets.token_hex(16) for k in ("A", "A2", "B", "C", "D")}
        kill_setup(timing, tokens)
        args, stdin, env = kill_operation(timing, op, tokens)
        start = time.perf_counter()
        full = timing.start(*args, stdin=stdin, env=env)
        _, err = full.communicate(timeout=60)
        duration = time.perf_counter() - start
        if full.returncode != 0:
            print(f"{op}: the operation itself failed (exit {full.returncode}): {err.strip()[-300:]}")
        totals: Counter[str] = Counter()
        for i in range(rounds):
            world = World(root / f"kill-{op}-{i}", backend)
            totals.update(kill_round(world, op, rng.uniform(0, duration * 1.1), doctor))
        print(f"{op:7} (runs {duration:.2f} s unkilled): killed {totals['killed']}/{rounds}, corrupt {totals['corrupt']}, "
              f"tokens lost {totals['tokens lost']}, orphans {totals['orphans']}"
              + (f", after doctor --fix {totals['orphans after doctor']}" if doctor else ""), flush=True)
        figures += [(f"kill {op}: corrupt configs", str(totals["corrupt"]), "0", totals["corrupt"] == 0),
                    (f"kill {op}: tokens lost", str(totals["tokens lost"]), "0", totals["tokens lost"] == 0)]
        if doctor:
            after = totals["orphans after doctor"]
            figures.append((f"kill {op}: orphans after doctor --fix", f"{after} (before {totals['orphans']})", "0", after == 0))
        else:
            figures.append((f"kill {op}: orphans after doctor --fix", f"doctor: not available yet (before: {totals['orphans']})",
                            "0", True))
    return figures


# --- shared tokens across config files -------------------------------------------------------


def shared_tokens(root: Path, backend: str, files: int, rng: random.Random) -> list[Figure]:
    """``files`` config files on one keyring, three accounts between them, every connector
    removed in a random order: after each remove, tokens lost by connectors still in a file."""
    header(f"shared tokens: {files} config files, one keyring, random removes")
    worlds = [World(root / "shared", backend, f"c{i}.toml") for i in range(files)]
    tokens = {sid(a, 3): secrets.token_hex(16) for a in range(3)}
    left = []
    for i, world in enumerate(worlds):
        account = rng.choice(sorted(tokens))
        done = world.run("connector", "add", f"x{i}", "--no-input", "--account-sid", account, "--from", FROM,
                         "--auth-token-stdin", stdin=tokens[account] + "\n")
        if done.code == 0:
            left.append((world, f"x{i}", account))
    rng.shuffle(left)
    lost = 0
    while left:
        world, name, _ = left.pop()
        world.run("connector", "remove", name, "--yes")
        if left:
            stored, _ = left[0][0].keyring(get=sorted({a for _, _, a in left}))
            lost += sum(stored.get(a) != tokens[a] for a in {a for _, _, a in left})
    remaining, _ = worlds[0].keyring(get=sorted(tokens))
    leftover = sum(v is not None for v in remaining.values())
    print(f"  tokens lost while a config file still used them: {lost}; left after the last remove: {leftover}")
    return [(f"tokens lost across {files} config files", str(lost), "0", lost == 0),
            (f"tokens left after the last of {files} files", str(leftover), "0", leftover == 0)]


# --- export -> wipe -> apply ------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x01\x08\x02\x00\x00\x00" + bytes(4)


def round_trip(root: Path, backend: str) -> list[Figure]:
    """A config of every kind of connector exported, then applied on a machine with nothing
    (a new config folder and keyring), the tokens given as the backup recipe says."""
    header("export -> wipe -> apply: the restore gives back the same config, logos and tokens")
    before, after = World(root / "trip-before", backend), World(root / "trip-after", backend)
    sids, tokens = [sid(i, 5) for i in range(3)], [secrets.token_hex(16) for _ in range(3)]
    (before.root / "logo.png").parent.mkdir(parents=True, exist_ok=True)
    (before.root / "logo.png").write_bytes(PNG)
    adds = [
        (["connector", "add", "Prod EU", "--account-sid", sids[0], "--logo", str(before.root / "logo.png"),
          "--auth-token-stdin"], tokens[0] + "\n"),
        (["connector", "add", "Marketing", "--account-sid", sids[1], "--auth-token-env", "MARKETING_TOKEN"], None),
        (["connector", "add", "Spare", "--account-sid", sids[2], "--inactive", "--auth-token-stdin"], tokens[2] + "\n"),
        (["plan", "set", "Gold", "--sms-connector", "Marketing"], None),
        (["settings", "set-default-sms", "Prod EU"], None),
    ]
    for args, stdin in adds:
        extra = ["--no-input", "--from", FROM] if args[1] == "add" else []
        done = before.run(*args, *extra, stdin=stdin)
        if done.code != 0:
            print(f"  set-up {' '.join(args[:2])} failed (exit {done.code}): {done.err.strip()[-200:]}")
    backup = root / "trip-backup.toml"
    backup.write_text(before.run("export").out, encoding="utf-8")
    original = _saved(before, sids)
    shutil.rmtree(before.config.parent)  # the lost machine: only the backup is left
    env = {f"HUBSMS_TOKEN_{s.upper()}": t for s, t in zip(sids, tokens)} | {"MARKETING_TOKEN": tokens[1]}
    done = after.run("apply", str(backup), "--prune", env=env)
    restored = _saved(after, sids)
    differences = sum(original.get(key) != restored.get(key) for key in original.keys() | restored.keys())
    print(f"apply exit {done.code}; differences {differences} of {len(original)} items (config file, logos, keyring entries)"
          + (f"; apply said: {done.err.strip()[-200:]}" if done.code else ""))
    return [("export round trip: differences", str(differences), "0", differences == 0 and done.code == 0)]


def _saved(world: World, sids: list[str]) -> dict[str, bytes | str | None]:
    """What a restore must give back: the config file's bytes, each logo the config names
    (by its name there), each account's keyring entry."""
    items: dict[str, bytes | str | None] = {"config file": _read(world.config)}
    for connector in (world.connectors() or {}).values():
        if connector.get("logo"):
            items[f"logo {connector['logo']}"] = _read(world.config.parent / connector["logo"])
    items.update((f"token {s}", t) for s, t in world.keyring(get=sids)[0].items())
    return items


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


# --- logos of two config files in one folder ---------------------------------------------------


def shared_folder_logos(root: Path, backend: str, steps: int, rng: random.Random) -> list[Figure]:
    """a.toml and b.toml in one folder, connectors of the same names in both: random adds,
    logo edits, logo drops, removes and ``doctor --fix``; after each step, every logo either
    config names must hold the bytes last given to it."""
    header(f"logos of two config files in one folder: {steps} random steps")
    worlds = [World(root / "logos", backend, name) for name in ("a.toml", "b.toml")]
    token = secrets.token_hex(16)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    expected: dict[tuple[int, str], bytes | None] = {}  # (config, connector) -> its logo's bytes
    lost = failed = 0
    for step in range(steps):
        w, name = rng.randrange(2), rng.choice(("Brand", "Alpha"))
        source = root / "logo-sources" / f"{step}.png"
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_bytes(png + step.to_bytes(4, "big"))
        edits = [(["connector", "edit", name, "--logo", str(source)], source.read_bytes()),
                 (["connector", "edit", name, "--no-logo"], None), (["connector", "remove", name, "--yes"], "gone"),
                 (["doctor", "--fix"], expected.get((w, name)))]
        args, after = rng.choice(edits) if (w, name) in expected else (
            ["connector", "add", name, "--no-input", "--account-sid", sid(0, 6), "--from", FROM,
             "--auth-token-stdin", "--logo", str(source)], source.read_bytes())
        done = worlds[w].run(*args, stdin=token + "\n")
        if done.code != 0:
            failed += 1
            print(f"  {' '.join(args[:2])} failed (exit {done.code}): {done.err.strip()[-200:]}")
        elif after == "gone":
            del expected[(w, name)]
        else:
            expected[(w, name)] = after
        lost += sum(_logo_bytes(worlds[i].config, connector) != data for (i, connector), data in expected.items())
    print(f"  logos lost or changed: {lost} (both files checked after each of {steps} steps); commands failed: {failed}")
    return [("logos lost across two configs in one folder", str(lost), "0", lost == 0 and failed == 0)]


def _logo_bytes(config: Path, connector: str) -> bytes | None:
    """The bytes of the logo the config file names for ``connector`` (None: none, or no file)."""
    import tomllib

    logo = tomllib.loads(config.read_text(encoding="utf-8"))["connectors"][connector].get("logo")
    return (config.parent / logo).read_bytes() if logo and (config.parent / logo).is_file() else None


def shared_token_races(root: Path, backend: str, rounds: int) -> list[Figure]:
    """A remove of the last connector of an account in a.toml and, at the same moment, an add
    of a connector of that account (its token already stored) in b.toml: a b.toml connector
    left without its token is a loss."""
    header(f"shared tokens under races: {rounds} rounds of a remove in one file and an add in another")
    lost = adds = 0
    for n in range(rounds):
        a, b = (World(root / f"race{n}", backend, name) for name in ("a.toml", "b.toml"))
        account, token = sid(n, 7), secrets.token_hex(16)
        a.run("connector", "add", "x", "--no-input", "--account-sid", account, "--from", FROM,
              "--auth-token-stdin", stdin=token + "\n")
        b.run("connector", "list")  # b.toml is known to hubsms, as a file in use is
        remove = a.start("connector", "remove", "x", "--yes")
        add = b.start("connector", "add", "y", "--no-input", "--account-sid", account, "--from", FROM)
        remove.communicate(timeout=120)
        add.communicate(timeout=120)
        if add.returncode == 0:
            adds += 1
            lost += b.keyring(get=[account])[0].get(account) != token
    print(f"  adds that won the race: {adds} of {rounds}; b.toml connectors left without their token: {lost}")
    return [("tokens lost to a remove racing an add in another file", str(lost), "0", lost == 0)]


# --- the run ----------------------------------------------------------------------------------


def summary(figures: list[Figure]) -> bool:
    width = max(len(f[0]) for f in figures)
    value_width = max(len(f[1]) for f in figures)
    print(f"\n== summary\n{'figure':{width}}  {'value':{value_width}}  {'expected':24}  verdict")
    for name, value, expected, met in figures:
        print(f"{name:{width}}  {value:{value_width}}  {expected:24}  {verdict(met)}")
    ok = all(f[3] for f in figures)
    failed = sum(not f[3] for f in figures)
    print(f"\nreliability: {'PASS: every figure as expected' if ok else f'FAIL: {failed} figure(s) not as expected'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a sanity run: fewer writers and kill rounds (< 2 min)")
    parser.add_argument("--backend", default=FILE_BACKEND,
                        help=f"keyring backend for the hubsms processes (default {FILE_BACKEND}; e.g. hubsms.keyring_file...)")
    parser.add_argument("--writers", type=int, help="concurrent writers (default 16, quick 4)")
    parser.add_argument("--kills", type=int, help="kill rounds per operation (default 25, quick 3)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the kill moments (default: random, printed)")
    args = parser.parse_args()
    writers = max(2, min(args.writers or (4 if args.quick else 16), 64))
    rounds = max(1, min(args.kills or (3 if args.quick else 25), 200))
    seed = args.seed if args.seed is not None else secrets.randbelow(2**32)
    compile_package()
    print(f"backend {args.backend}; writers {writers}; kill rounds {rounds} per operation; seed {seed}; "
          f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hubsms-reliability-") as tmp:
        root = Path(tmp)
        figures = concurrent_writers(root, args.backend, writers)
        figures += kills(root, args.backend, rounds, random.Random(seed))
        figures += round_trip(root, args.backend)
        figures += canary(root, args.backend)
        figures += keyring_faults(root)
        figures += network_faults(root, args.backend)
        figures += shared_tokens(root, args.backend, 8 if args.quick else 30, random.Random(seed))
        figures += shared_token_races(root, args.backend, 6 if args.quick else 30)
        figures += shared_folder_logos(root, args.backend, 12 if args.quick else 60, random.Random(seed))
        figures += sandbox_floods(root, args.backend, args.quick)
    ok = summary(figures)
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
