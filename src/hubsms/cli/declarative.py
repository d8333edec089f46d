"""hubsms apply and hubsms export: the config from, and as, a desired-state TOML file."""


import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from hubsms.cli.common import (
    examples,
    missing_config,
    note,
    print_json,
    report,
    resolve_config_path,
    warn,
    warn_plaintext_keyring,
    write_out,
)
from hubsms.cli import params
from hubsms.cli.options import ConfigOption, JsonOption, option
from hubsms.errors import InvalidValue

_ACTION_STYLE = {"create": "green", "update": "yellow", "remove": "red", "unchanged": "dim"}


APPLY_EXAMPLES = examples(
    "hubsms apply connectors.toml --dry-run     # what would change, in a table",
    "hubsms apply connectors.toml --prune       # also remove what it does not list",
)
EXPORT_EXAMPLES = examples("hubsms export > backup.toml", "hubsms export | hubsms apply - --dry-run")


def apply(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE", help="Desired-state TOML file (the config's format), or - for stdin.", show_default=False)],
    dry_run: Annotated[bool, option(params.DRY_RUN, help="Show the changes; change nothing.")] = False,
    prune: Annotated[bool, typer.Option("--prune", help="Also remove connectors and plans (and the default) the file does not list.")] = False,
    keep_env_refs: Annotated[
        bool, typer.Option("--keep-env-refs", help="Save each connector's auth_token_env instead of storing its token in the keyring.")
    ] = False,
    allow_empty: Annotated[
        bool, typer.Option("--allow-empty", help="Let --prune remove every connector when the file lists none.")
    ] = False,
    json_: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Make the config match a desired-state file: create what is missing, update what
    differs, and with --prune remove what the file does not list. A second run changes
    nothing.

    \b
    The file has the config file's format ('hubsms export' prints one):
    - it starts with schema_version = 1: an empty input (a failed download)
      is refused, exit 2; --prune never empties the config without
      --allow-empty;
    - complete by itself: its default and plans name active connectors of it;
    - connectors and plans are matched by name, ignoring case; a connector's
      table is the whole connector (a field left out takes its default:
      active, Twilio's server address, no logo);
    - no token: a connector names auth_token_env, the variable holding its
      account's token; a set variable is stored in the keyring (and the
      connector saved without it, unless --keep-env-refs), an unset one keeps
      the token already stored; a connector naming none takes its token from
      HUBSMS_TOKEN_<ACCOUNT SID> or the keyring;
    - a logo is a path relative to the file (or embedded, as export does),
      copied beside the config;
    - all or nothing: when a write fails, the config, the keyring and the
      logos stay as they were.
    """
    from hubsms.credentials import Keyring
    from hubsms.service import declarative

    desired = _read_desired(file)
    result = declarative.apply_desired(
        resolve_config_path(config, ctx), desired, Keyring(),
        prune=prune, keep_env_refs=keep_env_refs, allow_empty=allow_empty, dry_run=dry_run,
    )
    if json_ or result.changed or dry_run:
        _print_changes(result.changes, json_)
    report(result.warnings, result.notes)
    if result.tokens_stored:
        warn_plaintext_keyring()
    note(_summary(result, dry_run, desired.label))
    missing = result.missing_tokens()
    if missing is not None:
        raise missing


def _read_desired(file: str) -> Any:
    from hubsms.service import declarative

    if file == "-":
        return declarative.read_desired(_read_stdin(), "<stdin>", Path.cwd())
    if str(Path(file)) == ".":  # "" or ".": no file named
        said = "the FILE argument is empty" if not file else "FILE '.' is the current folder, not a file"
        raise InvalidValue("FILE", said, "give the desired-state file to apply, or - to read it from stdin "
                                         "(hubsms export > FILE writes one)")
    return declarative.read_desired_file(Path(file))


def _read_stdin() -> str:
    """stdin's bytes, at most as many as a file may hold (``store.MAX_FILE_BYTES``: an endless
    stream piped in by mistake is refused, not read until memory runs out), decoded as a
    file's are (``store.decode_text``: UTF-8, whatever the locale)."""
    from hubsms.store import MAX_FILE_BYTES, decode_text

    stream = getattr(sys.stdin, "buffer", None)
    raw = stream.read(MAX_FILE_BYTES + 1) if stream is not None else sys.stdin.read(MAX_FILE_BYTES + 1).encode()
    if len(raw) > MAX_FILE_BYTES:
        raise InvalidValue(
            "FILE", f"<stdin> holds more than {MAX_FILE_BYTES // 2**20} MiB: more than a desired-state file can be; "
            "nothing was changed", "pipe in a file made by 'hubsms export' (or give its path instead of -)")
    return decode_text(raw, "<stdin>")


def _summary(result: Any, dry_run: bool, label: str) -> str:
    if not result.changed:
        return f"nothing to do: the config already matches {label}"
    counts = ", ".join(f"{result.count(a)} to {a}" for a in ("create", "update", "remove"))
    if dry_run:
        return f"dry run: {counts}; nothing was changed"
    return "applied: " + counts.replace(" to create", " created").replace(" to update", " updated").replace(" to remove", " removed")


def _print_changes(changes: list[Any], as_json: bool) -> None:
    if as_json:
        print_json([c.to_dict() for c in changes])
        return
    if not changes:
        return
    from rich.text import Text

    from hubsms.cli.render import Column, print_table

    columns = [Column(title, no_wrap=True) for title in ("Action", "Kind", "Name")]
    columns.append(Column("Fields", overflow="fold"))
    rows = [
        [Text(c.action, style=_ACTION_STYLE[c.action]), c.kind, c.name, _fields_text(c)] for c in changes
    ]
    print_table(columns, rows)


def _fields_text(change: Any) -> str:
    def show(value: object) -> str:
        return "—" if value is None else str(value).lower() if isinstance(value, bool) else str(value)

    if change.action in ("create", "remove"):
        side = 1 if change.action == "create" else 0
        return "\n".join(f"{key} = {show(values[side])}" for key, values in change.fields.items())
    return "\n".join(f"{key}: {show(old)} → {show(new)}" for key, (old, new) in change.fields.items())


def export(ctx: typer.Context, json_: JsonOption = False, config: ConfigOption = None) -> None:
    """Print the config as a desired-state TOML file, a backup of everything but the
    tokens (logos embedded): 'hubsms export | hubsms apply -' changes nothing, and
    applied into an empty place it gives back the same config."""
    from hubsms.service import declarative

    path = resolve_config_path(config, ctx)
    missing = missing_config(path)  # said once, with what it means for the export
    data = declarative.export_config(path)
    if missing:
        warn(f"{missing}: the export is empty, and apply --prune refuses it without --allow-empty")
    if json_:
        print_json(data)
    else:
        write_out(declarative.dumps_desired(data, path))
