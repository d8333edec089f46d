"""connector test --all at 80 columns: long names and accounts wrap, nothing is cut short, and
the next command (connector test NAME of the connector that failed) is given whole."""

from __future__ import annotations

import terminal
from helpers import added
from sandbox_fixture import FOREIGN, OWNED, declare_accounts

LONG = "SigningHub Production EU-West 2"


@terminal.POSIX_ONLY
def test_a_sweep_of_long_names_fits_80_columns_and_names_the_next_command(cli, sandbox):
    declare_accounts(sandbox, friendly_name="SigningHub Production Europe West")
    added(cli, "Staging", from_=OWNED, server=sandbox.accounts_url)
    added(cli, LONG, from_=FOREIGN, server=sandbox.accounts_url)
    status, shown = terminal.run("connector", "test", "--all", env={"COLUMNS": "80"}, size=(60, 80), timeout=20)
    lines = shown.splitlines()
    assert status == 5, shown
    table = [line for line in lines if not line.startswith(("error:", "hint:"))]
    assert all(len(line) <= 80 for line in table) and "…" not in shown, shown
    width = lines[0].index("Active")
    names = " ".join(line[:width].strip() for line in lines[2:] if line[:width].strip() and "error:" not in line)
    assert LONG in names, shown  # wrapped in its column, every word there
    assert f'hint: hubsms connector test "{LONG}" shows its checks, each with a hint' in lines, shown
