"""The two-step dialog of `connector add` / `connector edit`, through the real Typer app with
scripted input. HUBSMS_FORCE_INTERACTIVE=1 stands in for a terminal (CliRunner has none).

The answers of a plain `connector add` come in this order: Name, Provider, Logo, then
Server Address, Account SID, Auth Token, From, Active, then Finish/Back/Cancel."""

from __future__ import annotations

import base64
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

SID = "AC0123456789abcdef0123456789abcdef"
SID2 = "ACfedcba9876543210fedcba9876543210"
TOKEN = "5f4dcc3b5aa765d61d8327deb882cf99"  # not a substring of any SID here
TOKEN2 = "9e107d9d372bb6826bd81d3542a419d6"
DEFAULT_ADDRESS = "https://api.twilio.com/2010-04-01/Accounts"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture(autouse=True)
def force_dialog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBSMS_FORCE_INTERACTIVE", "1")


def lines(*answers: str) -> str:
    return "".join(a + "\n" for a in answers)


def stored_token(sid: str = SID) -> str | None:
    return keyring.get_password("hubsms", sid)


def full_add(name: str = "My Twilio", sid: str = SID, token: str = TOKEN, sender: str = "+12345678987") -> str:
    """Answers for a whole add: every default taken, then Finish."""
    return lines(name, "", "", "", sid, token, sender, "", "f")


def add_with_flags(cli, *args: str, token: str = TOKEN):
    return cli("connector", "add", *args, "--auth-token-stdin", "--no-input", input=token + "\n")


def test_add_through_both_steps_saves_the_connector_and_its_token(cli, config_path: Path):
    result = cli("connector", "add", input=full_add())
    assert result.exit_code == 0, result.output
    assert 'Added connector "My Twilio"' in result.stderr
    assert 'account_sid = "AC0123456789abcdef0123456789abcdef"' in config_path.read_text()
    assert stored_token() == TOKEN


def test_dialog_shows_where_the_person_is_and_a_help_line_per_field(cli):
    result = cli("connector", "add", input=full_add())
    for text in ("Step 1 of 2 — Basic Information", "Step 2 of 2 — Details", "Summary — check, then Finish",
                 "1) Twilio (SMS Gateway)", "Purpose: SMS Gateway", "'AC' followed by 32 hexadecimal digits",
                 "Typing is not shown", "short code"):
        assert text in result.stderr
    assert result.stdout == ""


def test_token_never_appears_in_the_output_and_the_summary_masks_it(cli):
    result = cli("connector", "add", input=full_add())
    assert TOKEN not in result.output
    assert "(hidden, 32 characters)" in result.stderr


@pytest.mark.parametrize(
    "answers, flags",
    [
        (("My Twilio", "", "", "", SID, TOKEN, "+12345678987", "", "f"), ("My Twilio", "--account-sid", SID, "--from", "+12345678987")),
        (
            ("  Local  ", "1", "LOGO", "http://127.0.0.1:8080/2010-04-01/Accounts/", "y", SID, TOKEN, "0044 20 7946 0958", "n", "f"),
            ("  Local  ", "--logo", "LOGO", "--server-address", "http://127.0.0.1:8080/2010-04-01/Accounts/",
             "--account-sid", SID, "--from", "0044 20 7946 0958", "--inactive"),
        ),
    ],
    ids=["defaults", "every-field"],
)
def test_dialog_result_equals_the_equivalent_flags_command(cli, config_path: Path, tmp_path: Path, answers, flags):
    logo = tmp_path / "brand.png"
    logo.write_bytes(PNG)
    answers = [str(logo) if a == "LOGO" else a for a in answers]
    flags = [str(logo) if a == "LOGO" else a for a in flags]
    result = cli("connector", "add", input=lines(*answers))
    assert result.exit_code == 0, result.output
    by_dialog = _saved_files(config_path)
    token_by_dialog = stored_token()
    _forget(config_path)
    result = add_with_flags(cli, *flags)
    assert result.exit_code == 0, result.output
    assert _saved_files(config_path) == by_dialog
    assert stored_token() == token_by_dialog == TOKEN


def _saved_files(config_path: Path) -> dict[str, bytes]:
    folder = config_path.parent
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}


def _forget(config_path: Path) -> None:
    for path in sorted(config_path.parent.rglob("*"), reverse=True):
        if path.is_file():
            path.unlink()
    for sid in (SID, SID2):
        if stored_token(sid) is not None:
            keyring.delete_password("hubsms", sid)


def test_an_invalid_account_sid_is_explained_and_asked_again(cli, config_path: Path):
    answers = lines("My Twilio", "", "", "", "AC123", SID, TOKEN, "+12345678987", "", "f")
    result = cli("connector", "add", input=answers)
    assert result.exit_code == 0, result.output
    assert "error: invalid Account SID (5 characters, 34 needed)" in result.stderr
    assert "hint: an Account SID is 'AC' followed by 32 hexadecimal digits" in result.stderr
    assert result.stderr.count("Account SID: ") == 2
    assert SID in config_path.read_text()


@pytest.mark.parametrize(
    "field_index, bad, message",
    [
        (0, "", "the connector name is empty"),
        (1, "Vonage", "unknown provider 'Vonage'"),
        (2, "missing.png", "cannot read logo"),
        (3, "http://example.com/api", "plain http is refused"),
        (5, "not-a-token", "invalid auth token (11 characters"),
        (6, "12!", "invalid From '12!'"),
    ],
)
def test_every_invalid_answer_is_explained_and_asked_again(cli, config_path: Path, field_index: int, bad: str, message: str):
    answers = ["My Twilio", "", "", "", SID, TOKEN, "+12345678987", "", "f"]
    answers.insert(field_index, bad)
    result = cli("connector", "add", input=lines(*answers))
    assert result.exit_code == 0, result.output
    assert f"error: {message}" in result.stderr
    assert result.stderr.count("error: ") == 1 and "hint: " in result.stderr
    assert 'from = "+12345678987"' in config_path.read_text()


def test_a_taken_name_is_refused_ignoring_case_and_asked_again(cli, config_path: Path):
    assert add_with_flags(cli, "My Twilio", "--account-sid", SID, "--from", "+12345678987").exit_code == 0
    answers = lines("my twilio", "Second", "", "", "", SID, "", "+12345678987", "", "f")
    result = cli("connector", "add", input=answers)
    assert result.exit_code == 0, result.output
    assert 'a connector named "My Twilio" already exists' in result.stderr
    assert '[connectors.Second]' in config_path.read_text()


def test_a_changed_server_address_shows_the_warning_and_asks_to_confirm(cli, config_path: Path):
    other = "https://sms.example.com/2010-04-01/Accounts"
    answers = lines("My Twilio", "", "", other, "n", "", SID, TOKEN, "+12345678987", "", "f")
    result = cli("connector", "add", input=answers)
    assert result.exit_code == 0, result.output
    assert "the auth token will be sent to sms.example.com" in result.stderr
    assert "Use this server address? [y/N]" in result.stderr
    assert f'server_address = "{DEFAULT_ADDRESS}"' in config_path.read_text()


def test_a_warning_from_validate_from_is_shown_once(cli):
    answers = lines("My Twilio", "", "", "", SID, TOKEN, "+441632960961", "", "f")
    result = cli("connector", "add", input=answers)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("not in any assigned number range") == 1


def test_back_returns_to_step_one_with_every_value_kept(cli, config_path: Path):
    answers = lines("First", "", "", "", SID, TOKEN, "+12345678987", "n", "b",
                    "Renamed", "", "", "", "", "", "", "", "f")
    result = cli("connector", "add", input=answers)
    assert result.exit_code == 0, result.output
    assert "Name [First]: " in result.stderr
    assert "Auth Token (hidden; Enter keeps the token you typed): " in result.stderr
    text = config_path.read_text()
    assert "First" not in text and "[connectors.Renamed]" in text
    assert "active = false" in text
    assert stored_token() == TOKEN


@pytest.mark.parametrize("ending", [lines("c"), lines("cancel"), ""], ids=["c", "cancel", "end-of-input"])
def test_cancel_or_end_of_input_writes_nothing_and_exits_130(cli, config_path: Path, ending: str):
    answers = lines("My Twilio", "", "", "", SID, TOKEN, "+12345678987", "")
    result = cli("connector", "add", input=answers + ending)
    assert result.exit_code == 130
    assert "cancelled, nothing written" in result.stderr
    assert not config_path.exists()
    assert stored_token() is None


def test_flags_given_are_taken_and_not_asked(cli, config_path: Path):
    answers = lines("", "", "", TOKEN, "", "f")  # Provider, Logo, Server Address, Auth Token, Active, Finish
    result = cli("connector", "add", "My Twilio", "--account-sid", SID, "--from", "+12345678987", input=answers)
    assert result.exit_code == 0, result.output
    assert "Name: My Twilio (given on the command line)" in result.stderr
    assert f"Account SID: {SID} (given on the command line)" in result.stderr
    for label in ("Name: ", "Account SID: ", "From: "):  # only the "given" line, no prompt
        assert result.stderr.count(label) == 1
    assert stored_token() == TOKEN


def test_an_invalid_flag_value_is_explained_and_asked_in_the_dialog(cli, config_path: Path):
    answers = lines("My Twilio", "", "", "", SID, TOKEN, "", "f")
    result = cli("connector", "add", "--account-sid", "AC1", "--from", "+12345678987", input=answers)
    assert result.exit_code == 0, result.output
    assert "error: invalid Account SID (3 characters, 34 needed)" in result.stderr
    assert SID in config_path.read_text()


def test_token_on_stdin_with_forced_dialog_is_taken_and_not_asked(cli, config_path: Path):
    answers = lines(TOKEN, "My Twilio", "", "", "", SID, "+12345678987", "", "f")
    result = cli("connector", "add", "--auth-token-stdin", input=answers)
    assert result.exit_code == 0, result.output
    assert "Auth Token: (hidden, 32 characters) (given on the command line)" in result.stderr
    assert stored_token() == TOKEN


def test_add_keeps_the_token_already_stored_for_the_account_on_enter(cli, config_path: Path):
    keyring.set_password("hubsms", SID, TOKEN2)
    result = cli("connector", "add", input=full_add(token=""))
    assert result.exit_code == 0, result.output
    assert "Enter keeps the token stored for AC…cdef" in result.stderr
    assert stored_token() == TOKEN2


def test_add_needs_a_token_when_none_is_stored(cli, config_path: Path):
    answers = lines("My Twilio", "", "", "", SID, "", TOKEN, "+12345678987", "", "f")
    result = cli("connector", "add", input=answers)
    assert result.exit_code == 0, result.output
    assert "error: an auth token is needed" in result.stderr
    assert stored_token() == TOKEN


def test_a_failed_save_returns_to_the_summary_and_keeps_the_values(cli, config_path: Path):
    keyring.set_keyring(fail.Keyring())
    result = cli("connector", "add", input=full_add() + lines("c"))
    assert result.exit_code == 130
    assert "error: no usable keyring backend" in result.stderr
    assert result.stderr.count("Summary — check, then Finish") == 2
    assert "Choose Finish to try again" in result.stderr
    assert not config_path.exists()


def test_edit_is_prefilled_and_keeps_the_token_on_enter(cli, config_path: Path):
    assert add_with_flags(cli, "My Twilio", "--account-sid", SID, "--from", "+12345678987").exit_code == 0
    before = config_path.read_text()
    result = cli("connector", "edit", "My Twilio", input=lines("", "", "", "", "", "", "+12345678988", "", "f"))
    assert result.exit_code == 0, result.output
    assert "Name [My Twilio]: " in result.stderr
    assert f"Account SID [{SID}]: " in result.stderr
    assert "Enter keeps the token stored for AC…cdef" in result.stderr
    assert config_path.read_text() == before.replace("+12345678987", "+12345678988")
    assert stored_token() == TOKEN


def test_edit_with_every_answer_kept_changes_nothing(cli, config_path: Path):
    assert add_with_flags(cli, "My Twilio", "--account-sid", SID, "--from", "+12345678987").exit_code == 0
    before = config_path.read_text()
    result = cli("connector", "edit", "my twilio", input=lines("", "", "", "", "", "", "", "", "f"))
    assert result.exit_code == 0, result.output
    assert config_path.read_text() == before
    assert "warning" not in result.stderr


def test_edit_result_equals_the_equivalent_flags_command(cli, config_path: Path):
    assert add_with_flags(cli, "My Twilio", "--account-sid", SID, "--from", "+12345678987").exit_code == 0
    answers = lines("Renamed", "", "", "", SID2, TOKEN2, "", "n", "f")
    assert cli("connector", "edit", "My Twilio", input=answers).exit_code == 0
    by_dialog = config_path.read_text()
    tokens = (stored_token(SID), stored_token(SID2))
    _forget(config_path)
    assert add_with_flags(cli, "My Twilio", "--account-sid", SID, "--from", "+12345678987").exit_code == 0
    result = cli("connector", "edit", "My Twilio", "--name", "Renamed", "--account-sid", SID2, "--inactive",
                 "--auth-token-stdin", input=TOKEN2 + "\n")
    assert result.exit_code == 0, result.output
    assert config_path.read_text() == by_dialog
    assert (stored_token(SID), stored_token(SID2)) == tokens == (None, TOKEN2)


def test_edit_with_change_flags_asks_nothing(cli, config_path: Path):
    assert add_with_flags(cli, "My Twilio", "--account-sid", SID, "--from", "+12345678987").exit_code == 0
    result = cli("connector", "edit", "My Twilio", "--from", "+12345678988", input="")
    assert result.exit_code == 0, result.output
    assert "Step 1" not in result.stderr
    assert "+12345678988" in config_path.read_text()


def test_edit_of_an_unknown_connector_fails_before_asking(cli):
    result = cli("connector", "edit", "Nope", input="")
    assert result.exit_code == 3
    assert "Step 1" not in result.stderr


def test_edit_asks_before_deactivating_a_connector_in_use(cli, config_path: Path):
    assert add_with_flags(cli, "My Twilio", "--account-sid", SID, "--from", "+12345678987").exit_code == 0
    assert cli("settings", "set-default-sms", "My Twilio").exit_code == 0
    answers = lines("", "", "", "", "", "", "", "n", "n", "n", "y", "f")
    result = cli("connector", "edit", "My Twilio", input=answers)
    assert result.exit_code == 0, result.output
    assert "is used by Global Settings" in result.stderr
    text = config_path.read_text()
    assert "active = false" in text and "default_sms_connector" not in text


@pytest.mark.parametrize("env, args", [({"HUBSMS_FORCE_INTERACTIVE": "0"}, []), ({}, ["--no-input"])])
def test_without_a_terminal_or_with_no_input_a_missing_name_is_a_usage_error(cli, config_path: Path, env, args):
    result = cli("connector", "add", *args, "--account-sid", SID, "--from", "+12345678987", input="", env=env)
    assert result.exit_code == 2
    assert "error: missing NAME" in result.stderr
    assert "Step 1" not in result.stderr
    assert not config_path.exists()


def test_without_a_terminal_a_missing_flag_names_it(cli, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("HUBSMS_FORCE_INTERACTIVE")
    result = cli("connector", "add", "My Twilio", "--from", "+12345678987", input="")
    assert result.exit_code == 2
    assert "error: missing --account-sid" in result.stderr


def test_edit_keeps_the_stored_logo_on_enter(cli, config_path: Path, tmp_path: Path):
    logo = tmp_path / "brand.png"
    logo.write_bytes(PNG)
    flags = ("My Twilio", "--account-sid", SID, "--from", "+12345678987", "--logo", str(logo))
    assert add_with_flags(cli, *flags).exit_code == 0
    before = _saved_files(config_path)
    result = cli("connector", "edit", "My Twilio", input=lines("", "", "", "", "", "", "", "", "f"))
    assert result.exit_code == 0, result.output
    assert "Logo (Enter keeps logos/my-twilio.png): " in result.stderr
    assert "logos/my-twilio.png (kept)" in result.stderr
    assert _saved_files(config_path) == before


def test_a_server_address_warning_is_shown_again_before_each_confirmation(cli, config_path: Path):
    other = "https://sms.example.com/2010-04-01/Accounts"
    answers = lines("My Twilio", "", "", other, "n", other, "y", SID, TOKEN, "+12345678987", "", "f")
    result = cli("connector", "add", input=answers)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("the auth token will be sent to sms.example.com") == 2
    assert f'server_address = "{other}"' in config_path.read_text()


@pytest.mark.parametrize("new_sid", [SID2], ids=["account changed"])
def test_edit_asks_for_a_token_when_none_is_stored_for_either_account(cli, config_path: Path, new_sid: str):
    assert add_with_flags(cli, "My Twilio", "--account-sid", SID, "--from", "+12345678987").exit_code == 0
    keyring.delete_password("hubsms", SID)
    answers = lines("", "", "", "", new_sid, "", TOKEN2, "", "", "f")
    result = cli("connector", "edit", "My Twilio", input=answers)
    assert result.exit_code == 0, result.output
    assert "Enter keeps" not in result.stderr.split("Auth Token", 1)[1]
    assert result.stderr.count("Auth Token (hidden): ") == 2
    assert "error: an auth token is needed" in result.stderr
    assert "--auth-token-stdin" not in result.stderr
    assert stored_token(new_sid or SID) == TOKEN2
    assert f'account_sid = "{new_sid or SID}"' in config_path.read_text()
