"""How a hubsms process runs and ends: the console script and ``python -m hubsms`` collect
garbage every 50,000 new objects rather than every 700 (``THRESHOLDS``), and leave without the
interpreter's final garbage collections (``gc.freeze()`` after the command); nothing a command
says or writes is lost by it. ``main()``, run in this process, leaves the collector as it is."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

from helpers import HUBSMS, run_hubsms, run_module, subprocess_env

from hubsms.cli.main import THRESHOLDS

# Runs the installed console script file as its own process would, and says at the very end of
# the shutdown (the first atexit handler registered runs last) how many objects were frozen and
# the collector's thresholds.
AT_EXIT = (
    "import atexit, gc, runpy, sys\n"
    "atexit.register(lambda: sys.stderr.write(f'{{gc.get_threshold()}} frozen={{gc.get_freeze_count()}}\\n'))\n"
    "sys.argv = {argv!r}\n"
    "runpy.run_path({script!r}, run_name='__main__')\n"
)


def frozen_at_exit(script: str, *args: str) -> tuple[int, int]:
    """The exit code of ``script ARGS`` and the collector's freeze count when it ended."""
    code = AT_EXIT.format(argv=[script, *args], script=script)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env=subprocess_env())
    thresholds, _, frozen = result.stderr.splitlines()[-1].partition(" frozen=")
    assert thresholds == str(THRESHOLDS), result.stderr
    return result.returncode, int(frozen)


def test_the_console_script_leaves_without_collecting_what_the_command_left():
    code, frozen = frozen_at_exit(str(HUBSMS), "connector", "list", "--json")
    assert code == 0 and frozen > 10_000  # requests' and hubsms's objects, out of the collector's sight


def test_python_dash_m_hubsms_leaves_the_same_way():
    import hubsms

    main_file = str(Path(hubsms.__file__).with_name("__main__.py"))
    code, frozen = frozen_at_exit(main_file, "--version")
    assert code == 0 and frozen > 1_000


def test_an_error_keeps_its_exit_code_and_words():
    code, frozen = frozen_at_exit(str(HUBSMS), "otp", "send", "--to", "12", "--connector", "X")
    assert code == 2 and frozen > 1_000
    for result in (run_hubsms("otp", "send", "--to", "12", "--connector", "X"),
                   run_module("otp", "send", "--to", "12", "--connector", "X")):
        assert result.returncode == 2 and result.stderr.startswith("error: invalid phone number '12'"), result.stderr


def test_a_long_answer_into_a_pipe_arrives_whole(config_path: Path):
    rows = 3_000
    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_text("schema_version = 1\n\n" + "".join(
        f'[connectors."C{i:04d}"]\nprovider = "Twilio"\naccount_sid = "AC{i:032x}"\nfrom = "+15005550006"\n'
        f'auth_token_env = "TOKEN_{i}"\n\n' for i in range(rows)), encoding="utf-8")
    for result in (run_hubsms("connector", "list", "--json"), run_module("connector", "list", "--json")):
        assert result.returncode == 0, result.stderr
        assert [row["name"] for row in json.loads(result.stdout)] == [f"C{i:04d}" for i in range(rows)]


def test_main_in_this_process_leaves_the_collector_alone(cli):
    before = gc.get_freeze_count(), gc.get_threshold()
    assert cli("--version").exit_code == 0
    assert (gc.get_freeze_count(), gc.get_threshold()) == before and gc.isenabled()
