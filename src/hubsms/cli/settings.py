"""hubsms settings: Global Settings (the default SMS gateway)."""


from typing import Annotated

import typer

from hubsms.cli.common import examples, note, read_config_path
from hubsms.cli.options import ConfigOption, JsonOption, command_group

app = command_group("Global Settings: the default SMS gateway.")


@app.command("show", epilog=examples("hubsms settings show", "hubsms settings show --json"))
def show(ctx: typer.Context, json_: JsonOption = False, config: ConfigOption = None) -> None:
    """Show Global Settings: the config file, the default SMS connector, the plans."""
    from hubsms.cli.render import print_record
    from hubsms.service import views

    print_record(views.show_settings(read_config_path(config, ctx)), json_)


@app.command("set-default-sms", epilog=examples('hubsms settings set-default-sms "My Twilio"'))
def set_default_sms(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="An active connector.", show_default=False)],
    config: ConfigOption = None,
) -> None:
    """Make an active connector the Default SMS Gateway of Global Settings."""
    from hubsms.service import plans

    outcome = plans.set_default_sms(read_config_path(config, ctx), name)
    note(f'Default SMS connector: "{outcome.connector.name}".')


@app.command("clear-default-sms", epilog=examples("hubsms settings clear-default-sms"))
def clear_default_sms(ctx: typer.Context, config: ConfigOption = None) -> None:
    """Clear the Default SMS Gateway of Global Settings (nothing to do when none is set).
    A send without --connector or --plan then has no connector to use."""
    from hubsms.service import plans

    cleared = plans.clear_default_sms(read_config_path(config, ctx))
    note(f'Cleared the default SMS connector (it was "{cleared}").' if cleared else "No default SMS connector is set: nothing to clear.")
