from helpers import run_module

from hubsms import __version__


def test_version_prints_the_package_version(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"hubsms {__version__}"


def test_no_arguments_shows_help_with_every_group(cli):
    result = cli()
    for group in ("connector", "settings", "otp", "sandbox"):
        assert group in result.output


run = run_module


def test_a_usage_error_is_one_error_line_and_one_hint():
    result = run("connector", "list", "--bogus")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: No such option: --bogus",
        "hint: see 'hubsms connector list -h' for what it takes",
    ]
    assert result.stdout == ""


def test_a_missing_required_option_names_it():
    result = run("otp", "send")
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["error: missing --to", "hint: give --to; see 'hubsms otp send -h' for what it takes"]


def test_no_arguments_prints_the_help():
    result = run()
    assert "Usage: hubsms" in result.stdout + result.stderr
    assert "error:" not in result.stderr


def test_a_usage_error_without_a_command_context_still_names_the_command():
    result = run("otp", "send", "--to")
    assert result.returncode == 2
    assert "see 'hubsms otp send -h'" in result.stderr


def test_no_arguments_exits_2_with_the_help():
    assert run().returncode == 2
