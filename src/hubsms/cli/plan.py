"""hubsms plan: service plans and the SMS connector each uses."""


from typing import Annotated, Any

import typer

from hubsms.cli.common import examples, note, print_json, report, read_config_path
from hubsms.cli.options import ConfigOption, JsonOption, command_group

app = command_group("Service plans: which SMS connector each plan uses.")

PlanArg = Annotated[str, typer.Argument(metavar="NAME", help="The service plan's name (case-insensitive).", show_default=False)]


@app.command("list", epilog=examples("hubsms plan list", "hubsms plan list --json"))
def list_(ctx: typer.Context, json_: JsonOption = False, config: ConfigOption = None) -> None:
    """List service plans: name, SMS connector, whether that connector is active."""
    from hubsms.service import views

    _print_plans(views.list_plans(read_config_path(config, ctx)), json_)


def _print_plans(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(rows)
        return
    if not rows:
        note("No service plans. Add one: hubsms plan set NAME --sms-connector CONNECTOR")
        return
    from hubsms.cli.render import Column, print_table

    columns = [Column("Plan"), Column("SMS connector"), Column("Connector active", no_wrap=True)]
    print_table(columns, [[row["name"], row["sms_connector"], row["connector_active"]] for row in rows])


@app.command("set", epilog=examples('hubsms plan set enterprise --sms-connector "My Twilio"'))
def set_(
    ctx: typer.Context,
    name: PlanArg,
    sms_connector: Annotated[
        str,
        typer.Option("--sms-connector", metavar="CONNECTOR", help="An active connector for the plan's SMS.", show_default=False),
    ],
    config: ConfigOption = None,
) -> None:
    """Assign an active SMS connector to a service plan (created if new)."""
    from hubsms.service import plans

    plan, outcome = plans.plan_set(read_config_path(config, ctx), name, sms_connector)
    report(outcome.warnings, outcome.notes)
    note(f'Plan "{plan.name}" uses SMS connector "{plan.sms_connector}".')


@app.command("remove", epilog=examples("hubsms plan remove enterprise"))
def remove(ctx: typer.Context, name: PlanArg, config: ConfigOption = None) -> None:
    """Remove a service plan."""
    from hubsms.service import plans

    plan = plans.plan_remove(read_config_path(config, ctx), name)
    note(f'Removed plan "{plan.name}".')
