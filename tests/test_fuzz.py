"""Fuzzing the input rules with hypothesis: whatever a user types or a file holds, hubsms
answers with one of its own errors (a message, a hint, an exit code), never a crash.

- every ``model.validate_*``: only ``HubsmsError`` (InvalidValue) may be raised;
- ``store.parse``: only ``ConfigError``; a config it accepts saves and loads back equal;
- ``declarative.read_desired``: only ``HubsmsError``.
Documents are TOML built from the config's own keys with values of any TOML type, plus some
arbitrary text, so that most examples get past the TOML parser into the checks.
"""

from __future__ import annotations

import os
import string

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubsms import fields, logos, model, store
from hubsms.errors import ConfigError, HubsmsError
from hubsms.service import declarative

# Quick enough for every run (a few seconds for the file); HUBSMS_FUZZ_EXAMPLES asks for a
# longer hunt. The autouse isolated_env fixture is not per example, and nothing here uses it.
EXAMPLES = int(os.environ.get("HUBSMS_FUZZ_EXAMPLES", "150"))
# The default run is derandomized (the same examples every time: no flaky suite) and keeps no
# example database in the work tree; a longer hunt draws new examples.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=EXAMPLES == 150,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

HEX = "0123456789abcdefABCDEF"
# Text near the shapes the rules accept, and anything at all.
near_sid = st.builds(lambda p, h: p + h, st.sampled_from(["AC", "MG", "ac", "", "AC "]),
                     st.text(alphabet=HEX + " g", min_size=0, max_size=34))
near_phone = st.builds(lambda p, d: p + d, st.sampled_from(["+", "00", "", "+1", " +"]),
                       st.text(alphabet=string.digits + " ().-+", max_size=20))
near_url = st.builds(
    lambda scheme, host, port, path: f"{scheme}{host}{port}{path}",
    st.sampled_from(["https://", "http://", "ftp://", "", "https:/", "http://user:pw@"]),
    st.sampled_from(["api.twilio.com", "127.0.0.1", "localhost", "[::1]", "[::1", "10.0.0.1", "", "ex ample.com",
                     "127.0.0.1:99999", "[fe80::1%eth0]"]),
    st.sampled_from(["", ":8765", ":0", ":abc", ":-1", ":65536"]),
    st.sampled_from(["", "/", "/2010-04-01/Accounts", "/?q=1", "/#f", "/%00"]),
)
anything = st.text(max_size=80)
field_text = st.one_of(anything, near_sid, near_phone, near_url, st.text(alphabet=string.printable, max_size=70))

VALIDATORS = {
    "name": model.validate_name,
    "plan_name": model.validate_plan_name,
    "provider": model.validate_provider,
    "account_sid": model.validate_account_sid,
    "auth_token": model.validate_auth_token,
    "env_name": model.validate_env_name,
    "from": model.validate_from,
    "phone_number": model.validate_phone_number,
    "server_address": model.validate_server_address,
}


@FUZZ
@given(name=st.sampled_from(sorted(VALIDATORS)), value=field_text)
def test_a_field_validator_raises_only_its_own_error(name: str, value: str) -> None:
    try:
        VALIDATORS[name](value)
    except HubsmsError:
        pass


@FUZZ
@given(filename=st.one_of(anything, st.sampled_from(["a.png", "b.JPG", "c.jpeg", "d.gif", "e", "f.png.exe"])),
       data=st.one_of(st.binary(max_size=64),
                      st.builds(lambda m, b: m + b,
                                st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"GIF87a"]),
                                st.binary(max_size=32))))
def test_the_logo_rule_raises_only_its_own_error(filename: str, data: bytes) -> None:
    try:
        logos.validate_logo(filename, data)
    except HubsmsError:
        pass


# --- documents -------------------------------------------------------------------------------

toml_scalar = st.one_of(
    field_text, st.booleans(), st.integers(), st.floats(allow_nan=False), st.dates(), st.datetimes(),
)
toml_value = st.recursive(
    toml_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)),
    max_leaves=5,
)
CONNECTOR_KEYS = sorted(fields.KEYS)
key_or_other = st.one_of(st.sampled_from(CONNECTOR_KEYS), st.text(max_size=12))
GOOD_CONNECTOR = {
    "provider": "twilio",
    "server_address": "http://127.0.0.1:8765/2010-04-01/Accounts",
    "account_sid": "AC" + "0" * 32,
    "from": "+14155552671",
    "active": True,
    "auth_token_env": "TWILIO_AUTH_TOKEN",
}
path_text = st.text(alphabet="a./\\~\x00\n é", max_size=12).map(lambda s: s + ".png")
FIELD_FUZZ = {
    "provider": anything,
    "server_address": near_url,
    "account_sid": near_sid,
    "from": st.one_of(near_phone, anything, near_sid),
    "active": toml_value,
    "auth_token_env": st.one_of(anything, st.text(alphabet=HEX, min_size=32, max_size=32)),
    "logo": st.one_of(anything, path_text),
}


@st.composite
def one_field_off(draw: st.DrawFn) -> dict:
    """A connector that is right but for one field: fuzzed, or left out."""
    table = dict(GOOD_CONNECTOR)
    key = draw(st.sampled_from(sorted(FIELD_FUZZ)))
    if draw(st.integers(0, 5)) == 0:
        table.pop(key, None)
    else:
        table[key] = draw(FIELD_FUZZ[key])
    return table


connector_table = st.one_of(
    st.just(GOOD_CONNECTOR), one_field_off(), one_field_off(),
    st.dictionaries(key_or_other, toml_value, max_size=4), toml_scalar,
)
names = st.one_of(st.sampled_from(["A", "a", "B", " A", "Plan", ""]), anything)


@st.composite
def documents(draw: st.DrawFn) -> dict:
    connectors = draw(st.dictionaries(names, connector_table, max_size=3))
    known = list(connectors) or ["A"]
    refs = st.one_of(st.sampled_from(known), names, toml_scalar)
    doc: dict = {}
    if draw(st.booleans()):
        doc["schema_version"] = draw(st.one_of(st.just(1), toml_scalar))
    if draw(st.booleans()):
        doc["settings"] = draw(st.one_of(st.fixed_dictionaries({"default_sms_connector": refs}),
                                         st.dictionaries(st.text(max_size=8), toml_value, max_size=2)))
    if draw(st.booleans()):
        doc["plans"] = draw(st.dictionaries(names, st.one_of(st.fixed_dictionaries({"sms_connector": refs}), toml_value),
                                            max_size=3))
    doc["connectors"] = connectors
    if draw(st.integers(0, 9)) == 0:
        doc[draw(st.text(max_size=8))] = draw(toml_value)
    return doc


def as_toml(doc: dict) -> str:
    return tomli_w.dumps(doc)


toml_texts = st.one_of(documents().map(as_toml), st.text(max_size=200),
                       documents().map(as_toml).flatmap(lambda t: st.integers(0, len(t)).map(lambda i: t[:i])))
# Files whose connectors are right but for one field: they get past the format to each rule.
nearly_right = st.dictionaries(st.sampled_from(["A", "B", "Main"]), one_field_off(), min_size=1, max_size=2).map(
    lambda connectors: as_toml({"schema_version": 1, "connectors": connectors}))


@FUZZ
@given(text=st.one_of(nearly_right, toml_texts))
def test_a_config_file_is_parsed_or_refused_with_a_config_error(text: str) -> None:
    try:
        store.parse(text, "fuzz.toml")
    except ConfigError:
        pass


@FUZZ
@given(text=st.one_of(nearly_right, toml_texts))
def test_a_config_file_that_loads_saves_and_loads_back_equal(text: str, tmp_path_factory) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz" / "connectors.toml"
    store.write_atomic(path, text.encode("utf-8"))
    try:
        config = store.load(path)
    except ConfigError:
        return
    store.save(path, config)
    assert store.load(path) == config
    assert store.dumps(config) == tomli_w.dumps(store.to_dict(config))  # the writer's text, to the byte


@FUZZ
@given(names=st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=4, unique=True),
       values=st.lists(st.text(max_size=30), min_size=4, max_size=4))
def test_the_config_writer_writes_what_tomli_w_writes_for_any_names_and_values(names, values) -> None:
    """Names and values as a hand-edited file may hold them (quotes, backslashes, control
    characters, any Unicode): the direct writer and tomli_w give the same text."""
    from hubsms.model import Config, Connector, Plan

    connectors = {
        n: Connector(name=n, provider="twilio", account_sid="AC" + "0" * 32, from_=values[0],
                     server_address=values[1], active=bool(len(n) % 2), logo=values[2] or None,
                     auth_token_env=values[3] or None)
        for n in names
    }
    config = Config(connectors=connectors, plans={n: Plan(n, names[0]) for n in names},
                    default_sms_connector=names[-1])
    text = store.dumps(config)
    assert text == tomli_w.dumps(store.to_dict(config))


@FUZZ
@given(text=st.one_of(nearly_right, toml_texts))
def test_an_apply_file_is_read_or_refused_with_a_hubsms_error(text: str, tmp_path_factory) -> None:
    base = tmp_path_factory.getbasetemp()
    try:
        declarative.read_desired(text, "desired.toml", base)
    except HubsmsError:
        pass


# --- bugs found by the fuzzing above, each reduced to its input -----------------------------


def test_a_logo_path_with_a_nul_byte_in_an_apply_file_is_a_config_error(tmp_path) -> None:
    text = as_toml({"schema_version": 1, "connectors": {"A": {**GOOD_CONNECTOR, "logo": "a\x00.png"}}})
    try:
        declarative.read_desired(text, "desired.toml", tmp_path)
    except ConfigError as exc:
        assert "logo" in exc.message
    else:
        raise AssertionError("a NUL in a logo path was accepted")
