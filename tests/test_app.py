from hubsms import __version__


def test_version_prints_the_package_version(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"hubsms {__version__}"


def test_no_arguments_shows_help_with_every_group(cli):
    result = cli()
    for group in ("connector", "settings", "otp", "sandbox"):
        assert group in result.output
