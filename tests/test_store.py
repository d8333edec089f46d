"""The TOML file: parse and validate, save atomically under a lock, 0600."""

from __future__ import annotations

import stat
import threading
import time

import pytest
from helpers import SID, SID2, hold_config_lock

from hubsms import store
from hubsms.errors import ConfigError, ExitCode
from hubsms.model import Config, Connector, Plan

GOOD = f"""\
schema_version = 1

[settings]
default_sms_connector = "My Twilio"

[plans."Enterprise"]
sms_connector = "My Twilio"

[connectors."My Twilio"]
provider = "twilio"
logo = "logos/my-twilio.png"
server_address = "https://api.twilio.com/2010-04-01/Accounts"
account_sid = "{SID}"
from = "+12345678987"
active = true

[connectors."Backup"]
account_sid = "{SID2}"
from = "SigningHub"
active = false
auth_token_env = "TWILIO_AUTH_TOKEN"
"""


def test_the_design_example_file_loads_with_every_field(tmp_path):
    config = store.parse(GOOD)
    assert config.default_sms_connector == "My Twilio"
    assert config.plans == {"Enterprise": Plan("Enterprise", "My Twilio")}
    twilio = config.connectors["My Twilio"]
    assert (twilio.account_sid, twilio.from_, twilio.logo, twilio.active) == (SID, "+12345678987", "logos/my-twilio.png", True)
    backup = config.connectors["Backup"]
    assert (backup.provider, backup.active, backup.auth_token_env) == ("twilio", False, "TWILIO_AUTH_TOKEN")
    assert backup.server_address == "https://api.twilio.com/2010-04-01/Accounts"


def test_a_saved_config_loads_back_equal(tmp_path):
    path = tmp_path / "c.toml"
    config = store.parse(GOOD)
    store.save(path, config)
    assert store.load(path) == config


def test_a_missing_file_is_an_empty_config(tmp_path):
    assert store.load(tmp_path / "absent.toml") == Config()


def test_the_saved_file_is_readable_by_its_owner_only_in_a_private_folder(tmp_path):
    path = tmp_path / "new" / "c.toml"
    store.save(path, store.parse(GOOD))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_saving_leaves_no_temporary_file_behind(tmp_path):
    path = tmp_path / "c.toml"
    store.save(path, store.parse(GOOD))
    store.save(path, Config())
    assert [p.name for p in tmp_path.iterdir()] == ["c.toml"]


def test_the_token_env_reference_is_saved_but_no_token_key_exists(tmp_path):
    text = store.dumps(store.parse(GOOD))
    assert 'auth_token_env = "TWILIO_AUTH_TOKEN"' in text
    assert "auth_token =" not in text


def test_an_unparsable_file_error_names_the_file_line_and_column(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('schema_version = 1\n[connectors."A"\nfrom = 1\n')
    with pytest.raises(ConfigError) as info:
        store.load(path)
    assert str(path) in info.value.message
    assert "line 2, column" in info.value.message
    assert info.value.exit_code == ExitCode.CONFIG
    assert "never overwrites" in info.value.hint


def test_an_error_at_the_end_of_the_document_still_names_a_line(tmp_path):
    with pytest.raises(ConfigError, match=r"line 2, column \d+"):
        store.parse('schema_version = 1\nx = "unterminated')


def test_a_file_that_is_not_utf8_is_a_config_error(tmp_path):
    path = tmp_path / "c.toml"
    path.write_bytes(b"schema_version = 1\n# \xff\xfe\n")
    with pytest.raises(ConfigError) as info:
        store.load(path)
    assert info.value.message == f"cannot read {path}: not UTF-8 text (byte 0xff at offset 21)"
    assert "re-save the file as UTF-8" in info.value.hint


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("colour = 1", "unknown key 'colour' in the file"),
        ("[settings]\ntheme = 'x'", "unknown key 'theme' in [settings]"),
        (f'[connectors."A"]\naccount_sid = "{SID}"\nfrom = "+15005550006"\nauth_token = "x"', "unknown key 'auth_token'"),
        ('[plans."P"]\nsms_connector = "A"\nprice = 1', "unknown key 'price'"),
        ("schema_version = 2", "schema_version 2 is newer"),
        ("schema_version = 0", "positive integer"),
        ("schema_version = true", "positive integer"),
        ('[settings]\ndefault_sms_connector = "Ghost"', '"Ghost", which is not a connector'),
        ('[plans."P"]\nsms_connector = "Ghost"', '"Ghost", which is not a connector'),
        (f'[connectors."A"]\naccount_sid = "{SID}"\nfrom = "+15005550006"\n[connectors."a"]\naccount_sid = "{SID}"\nfrom = "+15005550006"', "unique"),
        (f'[connectors."A"]\naccount_sid = "{SID}"', "misses from"),
        (f'[connectors."A"]\naccount_sid = "{SID}"\nfrom = "+15005550006"\nactive = "yes"', "true or false"),
        ('[connectors."A"]\naccount_sid = "AC1"\nfrom = "+15005550006"', "Account SID"),
        (f'[connectors."A"]\naccount_sid = "{SID}"\nfrom = "not a sender!"', "invalid from"),
        (f'[connectors."A"]\naccount_sid = "{SID}"\nfrom = "+15005550006"\nserver_address = "http://example.com"', "plain http"),
        (f'[connectors."A"]\naccount_sid = "{SID}"\nfrom = "+15005550006"\nprovider = "vonage"', "unknown provider"),
        ("connectors = 3", "must be a table"),
    ],
)
def test_a_file_breaking_the_format_is_a_config_error_naming_the_problem(text, fragment):
    with pytest.raises(ConfigError) as info:
        store.parse(text, "conf.toml")
    assert info.value.message.startswith("conf.toml: ")
    assert fragment in info.value.message
    assert info.value.hint, "every error carries a hint"


def test_the_lock_makes_a_second_writer_wait_for_the_first(tmp_path):
    path = tmp_path / "c.toml"
    order = []
    entered = threading.Event()

    def second() -> None:
        entered.wait(5)
        with store.locked(path):
            order.append("second")

    thread = threading.Thread(target=second)
    thread.start()
    with store.locked(path):
        entered.set()
        time.sleep(0.2)
        order.append("first")
    thread.join(5)
    assert order == ["first", "second"]


def test_a_lock_held_too_long_is_a_config_error_naming_the_holder_without_advising_removal(tmp_path, monkeypatch):
    path = tmp_path / "c.toml"
    monkeypatch.setenv("HUBSMS_LOCK_TIMEOUT", "0.2")
    holder = hold_config_lock(path)
    try:
        with pytest.raises(ConfigError) as info:
            with store.locked(path):
                pass
    finally:
        holder.kill()  # no clean exit: the kernel releases the lock of a dead process
        holder.wait(10)
    assert info.value.message == f"{path} is locked by process {holder.pid} (waited 0.2 s)"
    assert "remove" not in info.value.hint and "released when it ends" in info.value.hint
    with store.locked(path):
        pass


def test_connectors_keep_their_order_in_the_file(tmp_path):
    config = Config(
        connectors={n: Connector(name=n, account_sid=SID, from_="+15005550006") for n in ("b", "a", "c")}
    )
    assert list(store.parse(store.dumps(config)).connectors) == ["b", "a", "c"]


@pytest.mark.parametrize("raw", ["soon", "-1", "nan"])
def test_a_bad_lock_timeout_is_an_invalid_value_naming_the_variable(tmp_path, monkeypatch, raw):
    from hubsms.errors import InvalidValue

    monkeypatch.setenv("HUBSMS_LOCK_TIMEOUT", raw)
    with pytest.raises(InvalidValue) as info:
        with store.locked(tmp_path / "c.toml"):
            pass
    assert "HUBSMS_LOCK_TIMEOUT" in info.value.message
    assert info.value.exit_code == ExitCode.USAGE


def test_references_to_connectors_ignore_case_and_take_the_connector_spelling():
    config = store.parse(
        'schema_version = 1\n[settings]\ndefault_sms_connector = "my twilio"\n'
        '[plans.Gold]\nsms_connector = "MY TWILIO"\n'
        '[connectors."My Twilio"]\naccount_sid = "AC0123456789abcdef0123456789abcdef"\nfrom = "+15005550006"\n'
    )
    assert config.default_sms_connector == "My Twilio"
    assert config.plans["Gold"].sms_connector == "My Twilio"


def _one_connector_with_logo(logo: str) -> str:
    import json  # a TOML basic string is a JSON string

    return f'schema_version = 1\n[connectors."A"]\naccount_sid = "{SID}"\nfrom = "+15005550006"\nlogo = {json.dumps(logo)}\n'


@pytest.mark.parametrize(
    "logo",
    ["../victim.txt", "logos/../../victim.png", "/etc/passwd", "logos/a.txt", "logos/a/b/a.png", "logos/../a.png",
     "logos/./a.png", "a.png", "logos/", "logos\\a.png", "logos/c.toml\\a.png"],
)
def test_a_logo_outside_the_logos_folder_or_not_an_image_name_is_refused_on_load(tmp_path, logo):
    path = tmp_path / "c.toml"
    path.write_text(_one_connector_with_logo(logo))
    with pytest.raises(ConfigError) as info:
        store.load(path)
    assert info.value.exit_code == ExitCode.CONFIG
    assert '[connectors."A"] logo' in info.value.message and repr(logo) in info.value.message
    assert "logos/" in info.value.hint


@pytest.mark.parametrize("logo", ["logos/a.png", "logos/my-twilio-2.jpeg", "logos/a.JPG", "logos/x.gif", "logos/c.toml/a.png",
                                  "logos/other.toml/a.png"])
def test_a_logo_in_the_logos_folder_loads(tmp_path, logo):
    path = tmp_path / "c.toml"
    path.write_text(_one_connector_with_logo(logo))
    assert store.load(path).connectors["A"].logo == logo


@pytest.mark.parametrize(
    ("text", "table"),
    [
        (f'[connectors." B "]\naccount_sid = "{SID}"\nfrom = "+15005550006"', '[connectors." B "]'),
        (f'[connectors."B "]\naccount_sid = "{SID}"\nfrom = "+15005550006"', '[connectors."B "]'),
        (f'[plans." Gold"]\nsms_connector = "B"\n[connectors.B]\naccount_sid = "{SID}"\nfrom = "+15005550006"', '[plans." Gold"]'),
    ],
)
def test_a_name_with_spaces_around_it_is_refused_naming_the_table(text, table):
    with pytest.raises(ConfigError) as info:
        store.parse(text, "conf.toml")
    assert info.value.exit_code == ExitCode.CONFIG
    assert info.value.message == f"conf.toml: {table}: the name has spaces around it"
    assert "names are trimmed, 1-64 printable characters" in info.value.hint


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (f'[connectors.""]\naccount_sid = "{SID}"\nfrom = "+15005550006"', "connector name is empty"),
        (f'[plans."{"p" * 65}"]\nsms_connector = "B"\n[connectors.B]\naccount_sid = "{SID}"\nfrom = "+15005550006"',
         "plan name has 65 characters"),
        (f'[plans."a\\tb"]\nsms_connector = "B"\n[connectors.B]\naccount_sid = "{SID}"\nfrom = "+15005550006"',
         "plan name contains a control character"),
    ],
)
def test_a_name_breaking_the_name_rule_is_refused(text, fragment):
    with pytest.raises(ConfigError) as info:
        store.parse(text, "conf.toml")
    assert fragment in info.value.message and info.value.hint


def test_plan_names_differing_only_in_case_are_refused():
    text = (
        'schema_version = 1\n[plans.Gold]\nsms_connector = "A"\n[plans.gold]\nsms_connector = "A"\n'
        '[connectors.A]\naccount_sid = "AC0123456789abcdef0123456789abcdef"\nfrom = "+15005550006"\n'
    )
    with pytest.raises(ConfigError, match="appears twice"):
        store.parse(text)


def _connector(name: str, sid: str = SID, extra: str = "") -> str:
    return f'[connectors."{name}"]\naccount_sid = "{sid}"\nfrom = "+15005550006"\n{extra}'


def test_names_equal_after_unicode_normalisation_are_duplicates():
    import unicodedata

    nfc, nfd = (unicodedata.normalize(form, "Ünïcode") for form in ("NFC", "NFD"))
    with pytest.raises(ConfigError, match="appears twice"):
        store.parse(_connector(nfc) + _connector(nfd))
    plans = f'[plans."{nfc}"]\nsms_connector = "A"\n[plans."{nfd}"]\nsms_connector = "A"\n'
    with pytest.raises(ConfigError, match="plan names must be unique"):
        store.parse(plans + _connector("A"))


def test_a_name_written_in_nfd_loads_in_nfc_and_references_reach_it():
    import unicodedata

    nfc, nfd = (unicodedata.normalize(form, "Ünïcode") for form in ("NFC", "NFD"))
    config = store.parse(f'[settings]\ndefault_sms_connector = "{nfc}"\n' + _connector(nfd))
    assert list(config.connectors) == [nfc]
    assert config.default_sms_connector == nfc


def test_sids_are_normalised_on_load():
    mg = "MG" + "AB" * 16
    config = store.parse(_connector("A", "AC" + SID[2:].upper()).replace("+15005550006", mg))
    assert (config.connectors["A"].account_sid, config.connectors["A"].from_) == (SID, mg[:2] + mg[2:].lower())


def test_a_bad_server_address_on_load_names_the_file_and_the_connector():
    with pytest.raises(ConfigError) as info:
        store.parse(_connector("A", extra='server_address = "https://user:pw@h/x"\n'), "conf.toml")
    assert info.value.message.startswith('conf.toml: [connectors."A"] server_address')
    assert "pw" not in info.value.message


def test_many_connectors_and_plans_load_with_their_references():
    text = "".join(f'[plans."P{i}"]\nsms_connector = "c{i}"\n' for i in range(2000))
    text += "".join(_connector(f"C{i}") for i in range(2000))
    config = store.parse(text)
    assert len(config.connectors) == len(config.plans) == 2000
    assert config.plans["P1999"].sms_connector == "C1999"


def test_a_large_file_is_parsed_alike_and_its_errors_name_the_line(tmp_path):
    """Above store.LARGE_FILE the compiled parser reads the file: same result, same errors."""
    body = "".join(
        f'[connectors."C{i}"]\naccount_sid = "AC{i:032x}"\nfrom = "+14155552671"\nauth_token_env = "T"\n\n'
        for i in range(1200)
    )
    text = "schema_version = 1\n\n" + body
    assert len(text) > store.LARGE_FILE
    config = store.parse(text, "big.toml")
    assert len(config.connectors) == 1200 and config.find("c1199").account_sid == f"AC{1199:032x}"
    lines = text.count("\n")
    with pytest.raises(ConfigError) as info:
        store.parse(text + "broken = [\n", "big.toml")
    assert f"big.toml: invalid TOML at line {lines + 2}" in info.value.message
