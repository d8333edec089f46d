"""hubsms doctor: check the config file, its logos and the keyring; --fix cleans up."""


from typing import TYPE_CHECKING, Annotated

import typer

from hubsms.cli.common import note, print_json, read_config_path
from hubsms.cli.options import ConfigOption, JsonOption

if TYPE_CHECKING:
    from hubsms.service.doctor import Report

FixOption = Annotated[
    bool,
    typer.Option("--fix", help="Delete leftover temp files and logos no connector refers to (never a keyring entry)."),
]


def doctor(ctx: typer.Context, fix: FixOption = False, json_: JsonOption = False, config: ConfigOption = None) -> None:
    """Find what an interrupted command or a hand edit left behind: connectors without a
    token or a logo file, logos no connector refers to, temp files, keyring entries no
    connector of this file uses; and the keyring backend in use. Exit 0 when all is well
    (or fixed), 3 when a problem remains in the config or its files, 4 when the keyring is
    unusable or a connector has no token."""
    from hubsms.credentials import Keyring
    from hubsms.service import doctor as service

    report = service.diagnose(read_config_path(config, ctx), Keyring(), fix=fix)
    if json_:
        print_json(report.as_dict())
    else:
        _print_report(report)
    report.check()


def _print_report(report: "Report") -> None:
    from hubsms.cli.render import Column, print_table

    columns = [Column("Kind", no_wrap=True), Column("Item", overflow="fold", max_width=20),
               Column("Status", no_wrap=True), Column("Detail", overflow="fold", ratio=1)]
    print_table(columns, [[f.kind, f.item, f.status, f.detail] for f in report.findings])
    if not report.problems():  # a config that does not exist is said at the end (read_config_path)
        note(f"{report.config}: no problems found." if report.config.exists() else "The keyring: no problems found.")
