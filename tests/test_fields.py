"""A connector's fields are defined once (hubsms.fields): the record, the values commands
take, the file's keys, show, list and the dialog are made from that table, so that none can
leave a field out or spell it otherwise. docs/architecture.md's recipe relies on it."""

from __future__ import annotations

import json
import tomllib

from helpers import PNG, SID2, TOKEN2, add

from hubsms import fields, model

ATTRS = [field.attr for field in fields.CONNECTOR]
KEYS = [field.key for field in fields.CONNECTOR]


def test_every_field_of_a_connector_but_its_name_has_one_row():
    """The record is written by hand (model.Connector); what is built from the table (the
    values commands take, the compared fields, the dialog's form, the options) is held to it by
    the behaviour tests below and in the commands' own tests."""
    assert sorted(model.Connector._fields) == sorted(["name", *ATTRS])
    assert len(set(KEYS)) == len(KEYS)


def test_the_file_show_and_list_have_every_field_by_its_key(cli, config_path, tmp_path):
    logo = tmp_path / "brand.png"
    logo.write_bytes(PNG)
    assert add(cli, "Full", "--auth-token-env", "FULL_TOKEN", "--logo", str(logo), tok=None).exit_code == 0
    table = tomllib.loads(config_path.read_text())["connectors"]["Full"]
    assert list(table) == KEYS  # every key, in the table's order: the file's
    shown = json.loads(cli("connector", "show", "Full", "--json").stdout)
    assert [key for key in shown if key in KEYS or key in ("name", "purpose")] == ["name", "provider", "purpose", *KEYS[1:]]
    row = json.loads(cli("connector", "list", "--json").stdout)[0]
    assert {key for key in KEYS if key in row} == {field.key for field in fields.CONNECTOR if field.listed}


def test_list_json_has_its_keys_in_the_order_of_the_wide_columns(cli):
    """Scripts read --json by key and the piped --wide table by position: one order for both."""
    assert add(cli, "Main").exit_code == 0
    assert add(cli, "Backup", "--inactive", account_sid=SID2, from_="SigningHub", tok=TOKEN2).exit_code == 0
    header = cli("connector", "list", "--wide").stdout.splitlines()[0].split("\t")
    row = json.loads(cli("connector", "list", "--json").stdout)[1]
    titles = {"name": "Name", **dict(fields.LISTED_FIRST), "used_by": "Used by", "token_source": "Token"}
    assert [titles[key] for key in row if key in titles] == header
    assert [row[key] for key in ("name", "active", "from", "account_sid")] == ["Backup", False, "SigningHub", SID2]
