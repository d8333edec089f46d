"""The field rules of model.py, one behaviour per test."""

from __future__ import annotations

import pytest
from helpers import GIF, JPEG, PNG, SID

from hubsms import logos, model, names
from hubsms.errors import ExitCode, InvalidValue
from hubsms.model import Config, Connector, Plan



def test_a_name_is_trimmed():
    assert model.validate_name("  My Twilio \t") == "My Twilio"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("", "empty"), ("   ", "empty"), ("x" * 65, "65 characters"), ("a\x07b", "control character"), ("a\nb", "control")],
)
def test_a_bad_name_is_refused_naming_the_problem(value, fragment):
    with pytest.raises(InvalidValue) as info:
        model.validate_name(value)
    assert info.value.field == "name"
    assert fragment in info.value.message
    assert info.value.exit_code == ExitCode.USAGE
    assert info.value.hint


def test_a_name_of_64_characters_is_accepted():
    assert model.validate_name("n" * 64) == "n" * 64


def test_the_provider_is_read_case_insensitively_and_unknown_ones_refused():
    assert model.validate_provider(" Twilio ") == "twilio"
    with pytest.raises(InvalidValue, match="unknown provider"):
        model.validate_provider("vonage")


def test_purpose_is_derived_from_the_provider():
    assert Connector(name="a", account_sid=SID, from_="+15005550006").purpose == "SMS Gateway"


@pytest.mark.parametrize("value", ["AC0123", "AB0123456789abcdef0123456789abcdef", "AC0123456789abcdef0123456789abcdeg", SID + "0"])
def test_a_bad_account_sid_is_refused(value):
    with pytest.raises(InvalidValue) as info:
        model.validate_account_sid(value)
    assert info.value.field == "account_sid"


def test_an_account_sid_is_trimmed():
    assert model.validate_account_sid(f" {SID}\n") == SID


@pytest.mark.parametrize("value", ["", "0123456789abcdef", "0123456789abcdef0123456789abcdeZ", "x" * 32])
def test_a_token_that_is_not_32_hex_digits_is_refused_without_echoing_it(value):
    with pytest.raises(InvalidValue) as info:
        model.validate_auth_token(value)
    assert info.value.field == "auth_token"
    if value:
        assert value not in info.value.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0012345678987", "+12345678987"),
        ("+1 (234) 567-8987", "+12345678987"),
        ("+15005550006", "+15005550006"),
        ("12345", "12345"),
        ("123456", "123456"),
        ("SigningHub", "SigningHub"),
        ("Hub 1", "Hub 1"),
        ("MG0123456789abcdef0123456789abcdef", "MG0123456789abcdef0123456789abcdef"),
    ],
)
def test_every_kind_of_sender_is_accepted_and_normalised(value, expected):
    assert model.validate_from(value) == (expected, None)


@pytest.mark.parametrize(
    "value", ["+999123456789", "+1202555012345", "+1555", "1234", "1234567", "ABCDEFGHIJKL", "12-ab!", ""]
)
def test_an_impossible_or_shapeless_sender_is_refused(value):
    with pytest.raises(InvalidValue) as info:
        model.validate_from(value)
    assert info.value.field == "from"
    assert info.value.hint


def test_a_possible_but_unassigned_number_is_accepted_with_a_warning():
    number, warning = model.validate_from("+15555550100")
    assert number == "+15555550100"
    assert warning and "+15555550100" in warning


def test_the_messaging_service_sid_is_recognised_for_sending():
    connector = Connector(name="a", account_sid=SID, from_="MG0123456789abcdef0123456789abcdef")
    assert connector.sends_with_messaging_service
    assert not connector.with_changes(from_="+15005550006").sends_with_messaging_service


def test_the_default_server_address_has_no_warning():
    assert model.validate_server_address(model.TWILIO.default_server_address + "/") == (
        model.TWILIO.default_server_address,
        None,
    )


@pytest.mark.parametrize("address", ["http://127.0.0.1:8080/2010-04-01/Accounts", "http://localhost:1/x", "http://[::1]:9/x", "http://127.9.9.9"])
def test_plain_http_is_allowed_for_loopback_hosts(address):
    normalised, warning = model.validate_server_address(address)
    assert normalised == address
    assert warning and "local server" in warning


@pytest.mark.parametrize("address", ["http://example.com/x", "http://10.0.0.1/x", "http://127.0.0.1.example.com/"])
def test_plain_http_to_another_host_is_refused(address):
    with pytest.raises(InvalidValue, match="plain http is refused"):
        model.validate_server_address(address)


def test_https_to_another_host_warns_that_the_token_goes_there():
    _, warning = model.validate_server_address("https://proxy.example.com/Accounts")
    assert warning and "auth token will be sent to proxy.example.com" in warning


@pytest.mark.parametrize(
    "address", ["ftp://example.com", "api.twilio.com", "https://", "https://u:p@api.twilio.com/x", "https://h/x?q=1", "https://h:99999/x"]
)
def test_a_malformed_server_address_is_refused(address):
    with pytest.raises(InvalidValue) as info:
        model.validate_server_address(address)
    assert info.value.field == "server_address"


@pytest.mark.parametrize(("data", "kind"), [(PNG, "png"), (GIF, "gif"), (b"GIF87a", "gif"), (JPEG, "jpeg"), (b"<svg/>", None)])
def test_images_are_told_apart_by_their_magic_bytes(data, kind):
    assert logos.detect_image_type(data) == kind


@pytest.mark.parametrize(("filename", "data"), [("a.png", PNG), ("a.JPG", JPEG), ("a.jpeg", JPEG), ("a.gif", GIF)])
def test_a_logo_whose_content_matches_its_extension_is_accepted(filename, data):
    assert logos.validate_logo(filename, data) == filename.rsplit(".", 1)[1].lower()


@pytest.mark.parametrize(
    ("filename", "data", "fragment"),
    [
        ("logo.svg", PNG, "not a jpeg"),
        ("logo", PNG, "not a jpeg"),
        ("logo.png", b"hello", "not an image"),
        ("logo.png", GIF, "holds a gif"),
        ("logo.png", PNG + bytes(logos.LOGO_MAX_BYTES), "bytes"),
    ],
)
def test_a_bad_logo_is_refused(filename, data, fragment):
    with pytest.raises(InvalidValue) as info:
        logos.validate_logo(filename, data)
    assert fragment in info.value.message


def test_a_logo_of_exactly_one_mebibyte_is_accepted():
    assert logos.validate_logo("a.png", PNG + bytes(logos.LOGO_MAX_BYTES - len(PNG))) == "png"


def test_a_masked_sid_shows_the_prefix_and_the_last_four_digits():
    assert model.mask_sid(SID) == "AC…cdef"


def test_a_logo_filename_is_a_slug_of_the_name():
    assert model.logo_filename("My Twilio (EU)!", "png") == "my-twilio-eu.png"
    assert model.logo_filename("!!!", "gif") == "logo.gif"


def test_connectors_are_found_by_name_ignoring_case():
    config = Config(connectors={"My Twilio": Connector(name="My Twilio", account_sid=SID, from_="+15005550006")})
    assert config.find(" my twilio ").name == "My Twilio"
    assert config.find("other") is None


def test_the_uses_of_a_connector_name_the_default_and_the_plans():
    config = Config(
        plans={"Gold": Plan("Gold", "A"), "Free": Plan("Free", "B")},
        default_sms_connector="A",
    )
    assert config.uses_of("A") == ["Global Settings (default SMS connector)", 'plan "Gold"']
    assert config.uses_of("B") == ['plan "Free"']
    assert config.uses_of("C") == []


def test_a_name_key_ignores_case_normalisation_and_surrounding_spaces():
    import unicodedata

    nfc, nfd = (unicodedata.normalize(form, "Ünïcode Straße") for form in ("NFC", "NFD"))
    assert names.name_key(nfc) == names.name_key(nfd) == names.name_key(" ÜNÏCODE STRASSE ")
    assert names.name_key("a") != names.name_key("b")


def test_a_name_is_returned_in_nfc():
    import unicodedata

    assert model.validate_name(unicodedata.normalize("NFD", " Ünïcode ")) == unicodedata.normalize("NFC", "Ünïcode")


def test_the_name_table_finds_a_record_after_renames_and_removals():
    config = Config(connectors={"A": Connector(name="A", account_sid=SID, from_="+15005550006")})
    renamed = config.connectors["A"].with_changes(name="a")
    config.connectors["a"] = renamed  # set the new spelling before deleting the old one
    del config.connectors["A"]
    assert config.find("A") == renamed
    config.connectors.pop("a")
    assert config.find("a") is None
    config.connectors = {"B": renamed.with_changes(name="B")}
    assert config.find("b").name == "B"
    assert config.connectors == {"B": renamed.with_changes(name="B")}


def test_account_and_messaging_service_sids_get_lower_case_digits():
    upper = "AC" + SID[2:].upper()
    assert model.validate_account_sid(upper) == SID
    assert model.validate_from("MG" + "AB" * 16) == ("MG" + "ab" * 16, None)
    config = Config(connectors={"A": Connector(name="A", account_sid=SID, from_="+15005550006")})
    assert [c.name for c in config.connectors_of_account(upper)] == ["A"]


def test_a_name_table_replaces_a_record_in_its_place():
    table = names.NameTable({"A": 1, "B": 2, "C": 3})
    table.replace("B", "b", 20)
    assert list(table.items()) == [("A", 1), ("b", 20), ("C", 3)]
    assert table.find("B") == 20 and "B" not in table
    table.replace("A", "A", 10)
    assert list(table.items()) == [("A", 10), ("b", 20), ("C", 3)]
    table.replace("C", "Z", 30)
    assert table.find("c") is None and table.find("z") == 30
    with pytest.raises(KeyError):
        table.replace("nope", "X", 0)


def test_a_free_logo_path_is_in_the_configs_own_folder_numbered_past_names_and_files(tmp_path):
    config = tmp_path / "prod.toml"
    others = [Connector(name="A b", account_sid=SID, from_="+15005550006", logo="logos/prod.toml/a-b.png"),
              Connector(name="Other", account_sid=SID, from_="+15005550006", logo="logos/prod.toml/a-b-2.png")]
    assert logos.free_logo_path(config, "A B", "png", others) == "logos/prod.toml/a-b-3.png"
    assert logos.free_logo_path(config, "A b", "png", others, placed={"logos/prod.toml/a-b-3.png"}) == "logos/prod.toml/a-b-4.png"
    assert logos.free_logo_path(config, "New", "gif", []) == "logos/prod.toml/new.gif"
    (tmp_path / "logos" / "prod.toml").mkdir(parents=True)
    (tmp_path / "logos" / "prod.toml" / "new.gif").write_bytes(GIF)  # a file no connector names: never overwritten
    assert logos.free_logo_path(config, "New", "gif", []) == "logos/prod.toml/new-2.gif"
    assert logos.free_logo_path(tmp_path / "other.toml", "New", "gif", []) == "logos/other.toml/new.gif"


def test_plans_by_connector_gives_the_same_uses_in_one_pass():
    config = Config(plans={"Gold": Plan("Gold", "A"), "Free": Plan("Free", "B"), "Pro": Plan("Pro", "A")}, default_sms_connector="A")
    by = config.plans_by_connector()
    assert by == {"A": ["Gold", "Pro"], "B": ["Free"]}
    for name in ("A", "B", "C"):
        assert config.uses_of(name, by.get(name, [])) == config.uses_of(name)


@pytest.mark.parametrize(
    "address",
    ["https://h/x\x00", "https://h\t/x", "https:// h/x", "https://-", "https://-a.com", "https://a-.com", "https://a..b/x",
     "https://h/x?", "https://h/x#", "https://user@h/x", "https://h:/x", "https://h:65536/x", "https://[::1/x",
     "https://[1.2.3.4]/x", "https://::1/x", "https://999.1.1.1/x", "https://h/a b", "https://h/%zz", "https://h/ü",
     "https://h/x\\y", "https:h/x", "https://a_b.com/x", "https://" + "a" * 64 + ".com/x"],
)
def test_a_server_address_is_parsed_strictly(address):
    with pytest.raises(InvalidValue) as info:
        model.validate_server_address(address)
    assert info.value.field == "server_address" and info.value.hint


@pytest.mark.parametrize(
    "address",
    ["https://api.twilio.com:443/2010-04-01/Accounts", "https://api.twilio.com./x",
     "https://xn--bcher-kva.example/x", "https://[2001:db8::1]/x", "https://10.0.0.1:8443/a%20b/~x", "http://[::1]:9/x"],
)
def test_valid_server_addresses_are_accepted(address):
    assert model.validate_server_address(address)[0] == address


@pytest.mark.parametrize(
    ("address", "stored"),
    [
        ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
        ("https://BÜCHER.example:8443/x", "https://xn--bcher-kva.example:8443/x"),
        ("https://straße.example/x", "https://xn--strae-oqa.example/x"),  # IDNA 2008, as requests: not strasse
    ],
)
def test_an_internationalised_host_is_kept_in_its_punycode_form(address, stored):
    assert model.normal_server_address(address) == stored
