"""The reliability run's leak, keyring-fault and network-fault parts (see reliability.py)."""

from __future__ import annotations

import base64
import secrets
import time
from pathlib import Path

from _harness import FROM, ArgvWatcher, Sandbox, World
from _support import free_port, sid, verdict

Figure = tuple[str, str, str, bool]  # (figure, value, expected, met)
KEYRING_TIMEOUT = 2.0


def header(title: str) -> None:
    print(f"\n== {title}", flush=True)


# --- canary token -----------------------------------------------------------------------------


def canary_steps(world: World, sandbox: Sandbox, other: Sandbox, canary: str) -> list[tuple[str, list[str], str | None, dict]]:
    """(label, arguments, stdin, extra environment) of every command path the token takes."""
    good, wrong, bad = sid(1, 4), sid(2, 4), sid(3, 4)
    to = "+14155550123"
    export = world.root / "export.toml"
    send = ["otp", "send", "--to", to, "--connector"]
    return [
        ("add, token on stdin", ["connector", "add", "Canary", "--no-input", "--account-sid", good, "--from", FROM,
                                 "--server-address", sandbox.accounts, "--auth-token-stdin"], canary + "\n", {}),
        ("add, token the sandbox refuses", ["connector", "add", "Wrong", "--no-input", "--account-sid", wrong, "--from", FROM,
                                            "--server-address", other.accounts, "--auth-token-stdin"], canary + "\n", {}),
        ("add, invalid token (error)", ["connector", "add", "Bad", "--no-input", "--account-sid", bad, "--from", FROM,
                                        "--auth-token-stdin"], canary + "zz\n", {}),
        ("otp send --json", [*send, "Canary", "--json"], None, {}),
        ("otp send", [*send, "Canary"], None, {}),
        ("otp send --wait", [*send, "Canary", "--wait", "--timeout", "5"], None, {}),
        ("otp send --dry-run", [*send, "Canary", "--dry-run"], None, {}),
        ("otp send --dry-run --json", [*send, "Canary", "--dry-run", "--json"], None, {}),
        ("otp send --auth-token-stdin", [*send, "Canary", "--auth-token-stdin"], canary + "\n", {}),
        ("otp send, HUBSMS_AUTH_TOKEN", [*send, "Canary"], None, {"HUBSMS_AUTH_TOKEN": canary}),
        ("otp send, 401 (error)", [*send, "Wrong"], None, {}),
        ("otp send, 401 --json --debug", ["--debug", *send, "Wrong", "--json"], None, {}),
        ("connector test", ["connector", "test", "Canary"], None, {}),
        ("connector test, 401 (error)", ["connector", "test", "Wrong"], None, {}),
        ("connector test --all --junit", ["connector", "test", "--all", "--junit", str(world.root / "junit.xml")], None, {}),
        ("connector test --all, prometheus", ["connector", "test", "--all", "--format", "prometheus", "--output",
                                              str(world.root / "hubsms.prom")], None, {}),
        ("connector show", ["connector", "show", "Canary"], None, {}),
        ("connector show --json", ["connector", "show", "Canary", "--json"], None, {}),
        ("connector list", ["connector", "list"], None, {}),
        ("connector list --json", ["connector", "list", "--json"], None, {}),
        ("export", ["export"], None, {}),
        ("export > file, apply --dry-run", ["apply", str(export), "--dry-run", "--json"], None,
         {f"HUBSMS_TOKEN_{good.upper()}": canary}),
        ("apply --keep-env-refs", ["apply", str(export), "--keep-env-refs"], None, {f"HUBSMS_TOKEN_{good.upper()}": canary}),
        ("sandbox messages --json", ["sandbox", "messages", "--url", sandbox.url, "--json"], None, {}),
    ]


def secret_forms(canary: str, sids: list[str]) -> list[bytes]:
    """The token as text and inside a Basic-auth header for each account."""
    return [canary.encode()] + [base64.b64encode(f"{s}:{canary}".encode()) for s in sids]


def leaks_in_files(root: Path, keyring_file: str | None, forms: list[bytes]) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and str(path) != keyring_file and any(f in path.read_bytes() for f in forms):
            found.append(str(path.relative_to(root)))
    return found


def canary(root: Path, backend: str) -> list[Figure]:
    token = secrets.token_hex(16)
    header("canary token through every command path")
    world = World(root / "canary", backend)
    forms = secret_forms(token, [sid(i, 4) for i in (1, 2, 3)])
    leaks: list[str] = []
    with ArgvWatcher(token) as watcher:
        sandbox = Sandbox(world, "CANARY_SANDBOX_TOKEN", env={"CANARY_SANDBOX_TOKEN": token})
        other = Sandbox(world, "OTHER_SANDBOX_TOKEN", env={"OTHER_SANDBOX_TOKEN": secrets.token_hex(16)})
        try:
            for label, args, stdin, env in canary_steps(world, sandbox, other, token):
                done = world.run(*args, stdin=stdin, env=env)
                if args == ["export"]:
                    (world.root / "export.toml").write_text(done.out, encoding="utf-8")
                leaked = any(f.decode() in done.out + done.err for f in forms)
                leaks += [f"output of {label}"] if leaked else []
                print(f"  {label:34} exit {done.code:3}  {'LEAK' if leaked else 'clean'}")
        finally:
            outputs = {"sandbox": sandbox.stop(), "second sandbox": other.stop()}
    leaks += [f"{name} output" for name, text in outputs.items() if any(f.decode() in text for f in forms)]
    _, keyring_file = world.keyring()
    file_leaks = leaks_in_files(root / "canary", keyring_file, forms)
    leaks += [f"file {name}" for name in file_leaks]
    leaks += [f"arguments of pid {pid}: {argv.replace(token, '<canary>')}" for pid, argv in sorted(watcher.leaks)]
    stored = world.keyring(get=[sid(1, 4)])[0][sid(1, 4)] == token
    print(f"keyring file (not searched): {keyring_file}; token stored there: {stored}")
    print(f"hubsms processes whose arguments were read: {len(watcher.seen)}")
    for leak in leaks:
        print(f"  LEAK: {leak}")
    return [("canary: leaks (outputs, files, arguments)", str(len(leaks)), "0", not leaks),
            ("canary: token reached the keyring (check)", str(stored), "True", stored)]


# --- keyring faults ---------------------------------------------------------------------------


def keyring_faults(root: Path) -> list[Figure]:
    header(f"keyring faults (HUBSMS_KEYRING_TIMEOUT={KEYRING_TIMEOUT:g}): exit 4 (remove: 0 and a warning) "
           f"within {KEYRING_TIMEOUT + 1:g} s")
    figures = []
    refused = f"http://127.0.0.1:{free_port()}/2010-04-01/Accounts"
    for backend in ("fault_keyrings.HangingKeyring", "fault_keyrings.RaisingKeyring"):
        world = World(root / backend, backend)
        world.env["HUBSMS_KEYRING_TIMEOUT"] = str(KEYRING_TIMEOUT)
        world.write_config({"K": sid(1, 5)}, server=refused)
        # (arguments, stdin, exit code): remove deletes the token as a best effort, as documented
        # (the connector goes; a warning says the token was left), so it exits 0.
        commands = {
            "otp send (read)": (["otp", "send", "--to", "+14155550123", "--connector", "K"], None, 4),
            "connector add (write)": (["connector", "add", "N", "--no-input", "--account-sid", sid(2, 5), "--from", FROM,
                                       "--auth-token-stdin"], secrets.token_hex(16) + "\n", 4),
            "connector edit token (write)": (["connector", "edit", "K", "--auth-token-stdin", "--no-input"],
                                             secrets.token_hex(16) + "\n", 4),
            "connector remove (delete)": (["connector", "remove", "K", "--yes"], None, 0),
        }
        short = backend.split(".")[-1]
        for label, (args, stdin, code) in commands.items():
            done = world.run(*args, stdin=stdin, timeout=KEYRING_TIMEOUT + 30)
            met = done.code == code and done.seconds <= KEYRING_TIMEOUT + 1
            first = (done.err.strip().splitlines() or [""])[0][:90]
            print(f"  {short:15} {label:30} exit {done.code:3} {done.seconds:5.2f} s  {verdict(met)}  {first}")
            figures.append((f"{short}: {label}", f"exit {done.code}, {done.seconds:.2f} s",
                            f"exit {code}, <= {KEYRING_TIMEOUT + 1:g} s", met))
    return figures


# --- network faults ---------------------------------------------------------------------------


# (label, sandbox fault or None for a refused port, exit codes expected, fewest and most messages)
NETWORK_CASES = [
    ("429 once (retried)", {"mode": "429", "count": 1}, {0}, 1, 1),
    ("429 every time", {"mode": "429", "count": 50}, {5}, 0, 0),
    ("500", {"mode": "500"}, {6}, 0, 0),
    ("delay 3 s > read timeout 1 s", {"mode": "delay", "delay": 3}, {6}, 0, 1),
    ("connection closed", {"mode": "close"}, {6}, 0, 0),
    ("refused port", None, {6}, 0, 0),
]


def network_faults(root: Path, backend: str) -> list[Figure]:
    header("network faults: exit code of otp send, messages stored for that send")
    world = World(root / "network", backend)
    sandbox = Sandbox(world)
    figures = []
    try:
        token = secrets.token_hex(16)
        refused = f"http://127.0.0.1:{free_port()}/2010-04-01/Accounts"
        for name, address in (("Net", sandbox.accounts), ("Refused", refused)):
            world.run("connector", "add", name, "--no-input", "--account-sid", sid(1, 6), "--from", FROM,
                      "--server-address", address, "--auth-token-stdin", stdin=token + "\n")
        for i, (label, fault, codes, low, high) in enumerate(NETWORK_CASES):
            to = f"+1415555{7000 + i:04d}"
            sandbox.clear_faults()
            if fault is not None:
                sandbox.fault(**fault)
            done = world.run("otp", "send", "--to", to, "--connector", "Net" if fault else "Refused", "--json",
                             "--read-timeout", "1", "--connect-timeout", "2", timeout=120)
            if fault and fault["mode"] == "delay":
                time.sleep(fault["delay"] + 0.5)  # the delayed request is stored when it ends
            stored = sandbox.messages_to(to)
            met = done.code in codes and low <= stored <= high
            expected = f"exit {'/'.join(map(str, sorted(codes)))}, {low if low == high else f'{low}-{high}'} stored"
            print(f"  {label:30} exit {done.code:3}  stored {stored}  {done.seconds:5.2f} s  {verdict(met)}")
            figures.append((f"network: {label}", f"exit {done.code}, {stored} stored", expected, met))
    finally:
        sandbox.stop()
    return figures
