"""The two-step dialog of `connector add` / `connector edit`, at a real pseudo-terminal
(tests/terminal.py): the installed program asks, the test answers each prompt in turn.
Set-up and the equivalent flags commands run through the Typer app (no terminal: nothing
is asked), sharing the config file and the file keyring.

The prompts of a plain `connector add` come in this order: Name, Provider, Logo, then
Server Address, Account SID, Auth Token, From, Active, then Finish/Back/Cancel."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from helpers import PNG, SID, SID2
from terminal import POSIX_ONLY, Terminal, run

pytestmark = POSIX_ONLY

TOKEN = "5f4dcc3b5aa765d61d8327deb882cf99"  # not a substring of any SID here
TOKEN2 = "9e107d9d372bb6826bd81d3542a419d6"
DEFAULT_ADDRESS = "https://api.twilio.com/2010-04-01/Accounts"
OTHER_ADDRESS = "https://sms.example.com/2010-04-01/Accounts"
LABELS = ("Name", "Provider", "Logo", "Server Address", "Account SID", "Auth Token", "From", "Active?", "[F]inish")
CANCELLED = "cancelled, nothing written"


def pairs(*answers: str, labels: tuple[str, ...] = LABELS) -> list[tuple[str, str]]:
    """The answers of a whole pass, prompt by prompt."""
    assert len(answers) == len(labels)
    return list(zip(labels, answers))


def full_add(name: str = "My Twilio", sid: str = SID, token: str = TOKEN, sender: str = "+12345678987") -> list[tuple[str, str]]:
    """Answers for a whole add: every default taken, then Finish."""
    return pairs(name, "", "", "", sid, token, sender, "", "f")


def add_with_flags(cli, *args: str, token: str = TOKEN):
    result = cli("connector", "add", *args, "--auth-token-stdin", "--no-input", input=token + "\n")
    assert result.exit_code == 0, result.output
    return result


def add_mine(cli, *extra: str):
    return add_with_flags(cli, "My Twilio", "--account-sid", SID, "--from", "+12345678987", *extra)


def stored_token(sid: str = SID) -> str | None:
    return keyring.get_password("hubsms", sid)


def test_add_through_both_steps_saves_the_connector_and_its_token(config_path: Path):
    status, shown = run("connector", "add", answers=full_add())
    assert status == 0, shown
    assert 'Added connector "My Twilio"' in shown
    assert f'account_sid = "{SID}"' in config_path.read_text()
    assert stored_token() == TOKEN


def test_dialog_shows_where_the_person_is_and_a_help_line_per_field_and_nothing_on_stdout(tmp_path: Path):
    term = Terminal("connector", "add", stdout=tmp_path / "stdout")
    term.answers(full_add())
    assert term.end() == 0, term.shown
    for text in ("Step 1 of 2 — Basic Information", "Step 2 of 2 — Details", "Summary — check, then Finish",
                 "1) Twilio (SMS Gateway)", "Purpose: SMS Gateway", "'AC' followed by 32 hexadecimal digits",
                 "Typing is not shown", "short code", 'Added connector "My Twilio"'):
        assert text in term.shown
    assert (tmp_path / "stdout").read_bytes() == b""


def test_token_typed_at_the_hidden_prompt_never_appears_and_the_summary_masks_it():
    status, shown = run("connector", "add", answers=full_add())
    assert status == 0, shown
    assert "Auth Token (hidden): \n" in shown  # the terminal did not echo the typing
    assert TOKEN not in shown
    assert "(hidden, 32 characters)" in shown


@pytest.mark.parametrize(
    "answers, flags",
    [
        (pairs("My Twilio", "", "", "", SID, TOKEN, "+12345678987", "", "f"),
         ("My Twilio", "--account-sid", SID, "--from", "+12345678987")),
        (
            pairs("  Local  ", "1", "LOGO", "http://127.0.0.1:8080/2010-04-01/Accounts/", "y", SID, TOKEN,
                  "0044 20 7946 0958", "n", "f",
                  labels=LABELS[:4] + ("Use this server address?",) + LABELS[4:]),
            ("  Local  ", "--logo", "LOGO", "--server-address", "http://127.0.0.1:8080/2010-04-01/Accounts/",
             "--account-sid", SID, "--from", "0044 20 7946 0958", "--inactive"),
        ),
    ],
    ids=["defaults", "every-field"],
)
def test_dialog_result_equals_the_equivalent_flags_command(cli, config_path: Path, tmp_path: Path, answers, flags):
    logo = tmp_path / "brand.png"
    logo.write_bytes(PNG)
    answers = [(label, str(logo) if a == "LOGO" else a) for label, a in answers]
    flags = [str(logo) if a == "LOGO" else a for a in flags]
    status, shown = run("connector", "add", answers=answers)
    assert status == 0, shown
    by_dialog = _saved_files(config_path)
    token_by_dialog = stored_token()
    _forget(config_path)
    add_with_flags(cli, *flags)
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


def test_an_invalid_account_sid_is_explained_and_asked_again(config_path: Path):
    answers = pairs("My Twilio", "", "", "", "AC123", SID, TOKEN, "+12345678987", "", "f",
                    labels=LABELS[:5] + LABELS[4:])
    status, shown = run("connector", "add", answers=answers)
    assert status == 0, shown
    assert "error: invalid Account SID (5 characters, 34 needed)\n" in shown
    assert "hint: an Account SID is 'AC' followed by 32 hexadecimal digits" in shown
    assert shown.count("Account SID: ") == 2
    assert SID in config_path.read_text()


INVALID = [  # per field: an invalid answer and the start of its error
    ("Name", "", "the connector name is empty"),
    ("Provider", "Vonage", "unknown provider 'Vonage'"),
    ("Logo", "missing.png", "cannot read logo"),
    ("Server Address", "http://example.com/api", "plain http is refused"),
    ("Auth Token", "not-a-token", "invalid auth token (11 characters"),
    ("From", "12!", "invalid From '12!'"),
]


def test_every_invalid_answer_is_explained_and_asked_again(config_path: Path):
    answers = full_add()
    for label, bad, _ in reversed(INVALID):
        answers.insert(LABELS.index(label), (label, bad))
    status, shown = run("connector", "add", answers=answers)
    assert status == 0, shown
    for label, _, message in INVALID:
        assert f"error: {message}" in shown
        assert shown.split(f"error: {message}", 1)[1].split("\n")[1].startswith("hint: ")
        assert f"\n{label}" in shown.split(f"error: {message}", 1)[1]  # asked again
    assert shown.count("error: ") == shown.count("hint: ") == len(INVALID)
    assert 'from = "+12345678987"' in config_path.read_text()


def test_a_taken_name_is_refused_ignoring_case_and_asked_again(cli, config_path: Path):
    add_mine(cli)
    answers = pairs("my twilio", "Second", "", "", "", SID, "", "+12345678987", "", "f", labels=("Name",) + LABELS)
    status, shown = run("connector", "add", answers=answers)
    assert status == 0, shown
    assert 'a connector named "My Twilio" already exists' in shown
    assert "[connectors.Second]" in config_path.read_text()


def test_a_changed_server_address_shows_the_warning_and_asks_to_confirm(config_path: Path):
    labels = LABELS[:4] + ("Use this server address?",) + LABELS[3:]
    answers = pairs("My Twilio", "", "", OTHER_ADDRESS, "n", "", SID, TOKEN, "+12345678987", "", "f", labels=labels)
    status, shown = run("connector", "add", answers=answers)
    assert status == 0, shown
    assert "the auth token will be sent to sms.example.com" in shown
    assert "Use this server address? [y/N]: n" in shown
    assert f'server_address = "{DEFAULT_ADDRESS}"' in config_path.read_text()


def test_a_server_address_warning_is_shown_again_before_each_confirmation(config_path: Path):
    confirm = ("Server Address", "Use this server address?")
    labels = LABELS[:3] + confirm + confirm + LABELS[4:]
    answers = pairs("My Twilio", "", "", OTHER_ADDRESS, "n", OTHER_ADDRESS, "y", SID, TOKEN, "+12345678987", "", "f",
                    labels=labels)
    status, shown = run("connector", "add", answers=answers)
    assert status == 0, shown
    assert shown.count("the auth token will be sent to sms.example.com") == 2
    assert f'server_address = "{OTHER_ADDRESS}"' in config_path.read_text()


def test_a_warning_from_validate_from_is_shown_once():
    status, shown = run("connector", "add", answers=full_add(sender="+441632960961"))
    assert status == 0, shown
    assert shown.count("not in any assigned number range") == 1


def test_a_refused_yes_no_or_summary_answer_is_said_by_click_and_asked_again(config_path: Path):
    labels = LABELS[:7] + ("Active?", "Active?", "[F]inish", "[F]inish")
    answers = pairs("My Twilio", "", "", "", SID, TOKEN, "+12345678987", "maybe", "n", "x", "f", labels=labels)
    status, shown = run("connector", "add", answers=answers)
    assert status == 0, shown
    assert "Error: invalid input\nActive? [Y/n]: n\n" in shown
    assert "Error: answer f (Finish), b (Back to step 1) or c (Cancel)\n[F]inish" in shown
    assert "active = false" in config_path.read_text()


def test_back_returns_to_step_one_with_every_value_kept(config_path: Path):
    first = pairs("First", "", "", "", SID, TOKEN, "+12345678987", "n", "b")
    status, shown = run("connector", "add", answers=first + pairs("Renamed", "", "", "", "", "", "", "", "f"))
    assert status == 0, shown
    assert "Name [First]: " in shown
    assert "Auth Token (hidden; Enter keeps the token you typed): " in shown
    assert "Active? [y/N]: " in shown
    text = config_path.read_text()
    assert "First" not in text and "[connectors.Renamed]" in text
    assert "active = false" in text
    assert stored_token() == TOKEN


def _assert_cancelled(term: Terminal, config_path: Path) -> None:
    assert term.end() == 130, term.shown
    assert CANCELLED in term.shown and "Traceback" not in term.shown
    assert not config_path.exists()
    assert stored_token() is None


@pytest.mark.parametrize("choice", ["c", "cancel", "C"])
def test_cancel_writes_nothing_and_exits_130(config_path: Path, choice: str):
    term = Terminal("connector", "add")
    term.answers(full_add()[:-1] + [("[F]inish", choice)])
    _assert_cancelled(term, config_path)


@pytest.mark.parametrize("label", ["Name", "Active?", "[F]inish"])
def test_end_of_input_at_a_prompt_writes_nothing_and_exits_130(config_path: Path, label: str):
    term = Terminal("connector", "add")
    term.answers(full_add()[: LABELS.index(label)])
    term.end_input_at(label)
    _assert_cancelled(term, config_path)


@pytest.mark.parametrize("label, typed", [("Logo", "brand"), ("Auth Token", TOKEN[:10])], ids=["visible", "hidden"])
def test_ctrl_c_at_a_prompt_writes_nothing_and_exits_130(config_path: Path, label: str, typed: str):
    term = Terminal("connector", "add")
    term.answers(full_add()[: LABELS.index(label)])
    term.interrupt_at(label, typed)
    _assert_cancelled(term, config_path)
    assert TOKEN[:10] not in term.shown


def test_flags_given_are_taken_and_not_asked():
    answers = pairs("", "", "", TOKEN, "", "f", labels=("Provider", "Logo", "Server Address", "Auth Token", "Active?", "[F]inish"))
    status, shown = run("connector", "add", "My Twilio", "--account-sid", SID, "--from", "+12345678987", answers=answers)
    assert status == 0, shown
    assert "Name: My Twilio (given on the command line)" in shown
    assert f"Account SID: {SID} (given on the command line)" in shown
    for label in ("Name: ", "Account SID: ", "From: "):  # only the "given" line, no prompt
        assert shown.count(label) == 1
    assert stored_token() == TOKEN


def test_an_invalid_flag_value_is_explained_and_asked_in_the_dialog(config_path: Path):
    labels = ("Name", "Provider", "Logo", "Server Address", "Account SID", "Auth Token", "Active?", "[F]inish")
    answers = pairs("My Twilio", "", "", "", SID, TOKEN, "", "f", labels=labels)
    status, shown = run("connector", "add", "--account-sid", "AC1", "--from", "+12345678987", answers=answers)
    assert status == 0, shown
    assert "error: invalid Account SID (3 characters, 34 needed)" in shown
    assert SID in config_path.read_text()


def test_auth_token_stdin_at_a_terminal_reads_the_token_at_the_hidden_prompt():
    status, shown = run("connector", "add", "--auth-token-stdin", answers=full_add())
    assert status == 0, shown
    assert "Auth Token (hidden): \n" in shown and TOKEN not in shown
    assert stored_token() == TOKEN


def test_add_keeps_the_token_already_stored_for_the_account_on_enter():
    keyring.set_password("hubsms", SID, TOKEN2)
    status, shown = run("connector", "add", answers=full_add(token=""))
    assert status == 0, shown
    assert "Auth Token (hidden; Enter keeps the token stored for AC…cdef): " in shown
    assert stored_token() == TOKEN2


def test_add_needs_a_token_when_none_is_stored():
    answers = pairs("My Twilio", "", "", "", SID, "", TOKEN, "+12345678987", "", "f", labels=LABELS[:6] + LABELS[5:])
    status, shown = run("connector", "add", answers=answers)
    assert status == 0, shown
    assert "error: an auth token is needed" in shown
    assert stored_token() == TOKEN


def test_a_failed_save_returns_to_the_summary_and_keeps_the_values(config_path: Path):
    answers = full_add() + [("[F]inish", "c")]
    status, shown = run("connector", "add", answers=answers, env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert status == 130
    assert "error: no usable keyring backend" in shown
    assert shown.count("Summary — check, then Finish") == 2
    assert "Choose Finish to try again" in shown
    assert CANCELLED in shown
    assert not config_path.exists()


# --- edit ------------------------------------------------------------------------------------


def test_edit_is_prefilled_and_keeps_the_token_on_enter(cli, config_path: Path):
    add_mine(cli)
    before = config_path.read_text()
    answers = pairs("", "", "", "", "", "", "+12345678988", "", "f")
    status, shown = run("connector", "edit", "My Twilio", answers=answers)
    assert status == 0, shown
    assert "Name [My Twilio]: " in shown
    assert f"Account SID [{SID}]: " in shown
    assert "Auth Token (hidden; Enter keeps the token stored for AC…cdef): " in shown
    assert 'Saved connector "My Twilio"' in shown
    assert config_path.read_text() == before.replace("+12345678987", "+12345678988")
    assert stored_token() == TOKEN


def test_edit_with_every_answer_kept_changes_nothing(cli, config_path: Path):
    add_mine(cli)
    before = config_path.read_text()
    status, shown = run("connector", "edit", "my twilio", answers=pairs("", "", "", "", "", "", "", "", "f"))
    assert status == 0, shown
    assert config_path.read_text() == before
    assert "warning" not in shown


def test_edit_replaces_the_token_typed_at_the_hidden_prompt(cli, config_path: Path):
    add_mine(cli)
    status, shown = run("connector", "edit", "My Twilio", answers=pairs("", "", "", "", "", TOKEN2, "", "", "f"))
    assert status == 0, shown
    assert "(hidden, 32 characters), to be stored in the keyring" in shown
    assert TOKEN2 not in shown
    assert stored_token() == TOKEN2


def test_edit_result_equals_the_equivalent_flags_command(cli, config_path: Path):
    add_mine(cli)
    status, shown = run("connector", "edit", "My Twilio", answers=pairs("Renamed", "", "", "", SID2, TOKEN2, "", "n", "f"))
    assert status == 0, shown
    by_dialog = config_path.read_text()
    tokens = (stored_token(SID), stored_token(SID2))
    _forget(config_path)
    add_mine(cli)
    result = cli("connector", "edit", "My Twilio", "--name", "Renamed", "--account-sid", SID2, "--inactive",
                 "--auth-token-stdin", input=TOKEN2 + "\n")
    assert result.exit_code == 0, result.output
    assert config_path.read_text() == by_dialog
    assert (stored_token(SID), stored_token(SID2)) == tokens == (None, TOKEN2)


def test_edit_with_change_flags_asks_nothing_at_a_terminal(cli, config_path: Path):
    add_mine(cli)
    status, shown = run("connector", "edit", "My Twilio", "--from", "+12345678988")
    assert status == 0, shown
    assert "Step 1" not in shown
    assert "+12345678988" in config_path.read_text()


def test_edit_of_an_unknown_connector_fails_before_asking():
    status, shown = run("connector", "edit", "Nope")
    assert status == 3
    assert 'no connector named "Nope"' in shown
    assert "Step 1" not in shown


def test_edit_asks_before_deactivating_a_connector_in_use(cli, config_path: Path):
    add_mine(cli)
    assert cli("settings", "set-default-sms", "My Twilio").exit_code == 0
    release = ("Active?", "Deactivate it")
    answers = pairs("", "", "", "", "", "", "", "n", "n", "n", "y", "f", labels=LABELS[:7] + release + release + ("[F]inish",))
    status, shown = run("connector", "edit", "My Twilio", answers=answers)
    assert status == 0, shown
    assert '"My Twilio" is used by Global Settings' in shown
    text = config_path.read_text()
    assert "active = false" in text and "default_sms_connector" not in text


def test_edit_keeps_the_stored_logo_on_enter(cli, config_path: Path, tmp_path: Path):
    logo = tmp_path / "brand.png"
    logo.write_bytes(PNG)
    add_mine(cli, "--logo", str(logo))
    before = _saved_files(config_path)
    status, shown = run("connector", "edit", "My Twilio", answers=pairs("", "", "", "", "", "", "", "", "f"))
    assert status == 0, shown
    assert "Logo (Enter keeps logos/connectors.toml/my-twilio.png): " in shown
    assert "logos/connectors.toml/my-twilio.png (kept)" in shown
    assert _saved_files(config_path) == before


def test_edit_asks_for_a_token_when_none_is_stored_for_either_account(cli, config_path: Path):
    add_mine(cli)
    keyring.delete_password("hubsms", SID)
    answers = pairs("", "", "", "", SID2, "", TOKEN2, "", "", "f", labels=LABELS[:6] + LABELS[5:])
    status, shown = run("connector", "edit", "My Twilio", answers=answers)
    assert status == 0, shown
    assert "Enter keeps" not in shown.split("Auth Token", 1)[1]
    assert shown.count("Auth Token (hidden): ") == 2
    assert "error: an auth token is needed" in shown
    assert "--auth-token-stdin" not in shown
    assert stored_token(SID2) == TOKEN2
    assert f'account_sid = "{SID2}"' in config_path.read_text()


# --- when nothing is asked -------------------------------------------------------------------


def test_no_input_at_a_terminal_asks_nothing_and_a_missing_value_is_a_usage_error(config_path: Path):
    status, shown = run("connector", "add", "--no-input", "--account-sid", SID, "--from", "+12345678987")
    assert status == 2
    assert "error: missing NAME" in shown
    assert "Step 1" not in shown
    assert not config_path.exists()


@pytest.mark.parametrize(
    "args, missing",
    [(("--account-sid", SID, "--from", "+12345678987"), "NAME"), (("My Twilio", "--from", "+12345678987"), "--account-sid")],
)
def test_without_a_terminal_nothing_is_asked_and_a_missing_value_names_it(cli, config_path: Path, args, missing):
    result = cli("connector", "add", *args, input="")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: missing {missing}\nhint: ")
    assert "Step 1" not in result.stderr and result.stdout == ""
    assert not config_path.exists()
