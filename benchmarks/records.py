"""Which way to write a record costs least: typing.NamedTuple, dataclass(frozen, slots),
dataclass(slots) and a plain class with __slots__. The figures behind the rule in
docs/architecture.md ("Records").

Measured, each in the same run: the import of the module the style needs, in a fresh
interpreter (sys.executable -X importtime, median of rounds); defining one class of six fields;
creating an instance; reading a field. Prints one line per figure.

Then the case of ``hubsms.cli.params.Param``, which the hot commands import: a class of its
ten fields (six with defaults) defined and made as many times as that module makes it, in a
fresh interpreter, as a class with __slots__, as the process's first typing.NamedTuple and as
a further one (the first pays a one-time cost that a process pays whichever class is first);
beside ``python -c pass`` (this interpreter, same run) for scale; and, for the code as it is,
the self time of importing ``hubsms.cli.params`` and the summed self times of the hubsms modules
``connector list --json`` imports (to compare two versions, run it once with
PYTHONPATH=<the other checkout>/src).

Usage: python benchmarks/records.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

from _support import compile_package, median_ms
from startup import write_config

FIELDS = ("a", "b", "c", "d", "e", "f")


def slots_class(name: str, fields: tuple[str, ...], required: int) -> str:
    """The source of a class with __slots__ whose fields after the first ``required`` default to None."""
    arguments = ", ".join(f if i < required else f"{f}=None" for i, f in enumerate(fields))
    return (f"class {name}:\n    __slots__ = {fields!r}\n    def __init__(self, {arguments}):\n"
            + "".join(f"        self.{f} = {f}\n" for f in fields))


DEFINE = {
    "NamedTuple": "class R(NamedTuple):\n" + "".join(f"    {f}: int\n" for f in FIELDS),
    "dataclass(frozen, slots)": "@dataclass(frozen=True, slots=True)\nclass R:\n" + "".join(f"    {f}: int\n" for f in FIELDS),
    "dataclass(slots)": "@dataclass(slots=True)\nclass R:\n" + "".join(f"    {f}: int\n" for f in FIELDS),
    "class with __slots__": slots_class("R", FIELDS, len(FIELDS)),
}
SETUP = "from typing import NamedTuple\nfrom dataclasses import dataclass\n"


def import_ms(module: str, rounds: int, own: bool = False, argv: list[str] | None = None) -> float:
    """Milliseconds to import ``module`` in a fresh interpreter (what it adds, cumulative; with
    ``own``, its own code's self time), median of ``rounds``. With ``argv`` (a command run with
    -X importtime), the self times of every module it imports whose name starts with ``module``."""
    times = []
    for _ in range(rounds):
        done = subprocess.run([sys.executable, "-X", "importtime", *(argv or ["-c", f"import {module}"])],
                              capture_output=True, text=True, check=True)
        rows = [x.removeprefix("import time:").split("|") for x in done.stderr.splitlines() if "|" in x]
        if argv:
            times.append(sum(int(row[0]) for row in rows if row[2].strip().startswith(module)) / 1000)
        else:
            row = [row for row in rows if row[2].strip() == module][-1]
            times.append(int(row[0 if own else 1]) / 1000)
    return statistics.median(times)


def per_call_us(stmt: str, setup: str, number: int) -> float:
    return min(timeit.repeat(stmt, setup, number=number, repeat=5)) / number * 1e6


PARAM_FIELDS = ("flag", "name", "kind", "help", "default", "lowest", "highest", "metavar", "required", "short")
PARAM_REQUIRED = 4
# In a fresh interpreter, three modules imported from their .pyc, as hubsms's are: a class
# with __slots__, the process's first typing.NamedTuple, a further one; each defined and made
# ``count`` times, under ``from __future__ import annotations`` as every hubsms module is.
PARAM_MODULES = ("slots_param", "first_named", "further_named")
FRESH = """
import sys, time, typing, __future__
sys.path.insert(0, sys.argv[1])
took = []
for name in sys.argv[2:]:
    start = time.perf_counter()
    __import__(name)
    took.append(time.perf_counter() - start)
print(" ".join(str(t * 1e6) for t in took))
"""


def param_sources(count: int) -> list[str]:
    """A class with __slots__ and two NamedTuples of Param's shape, each made ``count`` times."""
    head = "from __future__ import annotations\nfrom typing import NamedTuple\n"
    made = "".join(f"P({', '.join(map(str, range(PARAM_REQUIRED)))})\n" for _ in range(count))
    fields = "".join(f"    {f}: int | None{'' if i < PARAM_REQUIRED else ' = None'}\n" for i, f in enumerate(PARAM_FIELDS))
    named = "class P(NamedTuple):\n" + fields
    return [head + slots_class("P", PARAM_FIELDS, PARAM_REQUIRED) + made, head + named + made, head + named + made]


def fresh_param_ms(count: int, rounds: int) -> list[float]:
    """Median ms of each of PARAM_MODULES' imports, in that order, in fresh interpreters."""
    with tempfile.TemporaryDirectory() as folder:
        for name, source in zip(PARAM_MODULES, param_sources(count), strict=True):
            Path(folder, f"{name}.py").write_text(source, encoding="utf-8")
        subprocess.run([sys.executable, "-m", "compileall", "-q", folder], check=True)
        runs = [subprocess.run([sys.executable, "-c", FRESH, folder, *PARAM_MODULES], capture_output=True,
                               text=True, check=True).stdout.split() for _ in range(rounds)]
    return [statistics.median(float(run[i]) for run in runs) / 1000 for i in range(len(PARAM_MODULES))]


def param_count() -> int:
    """How many options hubsms.cli.params defines (distinct Param objects in its tuples)."""
    from hubsms.cli import params

    found = {id(v): v for v in vars(params).values() if isinstance(v, params.Param)}
    for value in vars(params).values():
        if isinstance(value, tuple):
            found.update((id(v), v) for v in value if isinstance(v, params.Param))
    return len(found)


def param_case(rounds: int) -> None:
    compile_package()  # as installed: no import below pays for compiling hubsms
    count = param_count()
    slots, first, further = fresh_param_ms(count, rounds)
    print(f"\nParam ({len(PARAM_FIELDS)} fields) defined and made {count} times, as hubsms.cli.params does; "
          f"fresh interpreters, medians:")
    print(f"  class with __slots__ {slots:.2f} ms; first NamedTuple of the process {first:.2f} ms; "
          f"a further NamedTuple {further:.2f} ms")
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder, "20.toml")
        write_config(config, 20)
        listing = ["-m", "hubsms", "connector", "list", "--json", "--config", str(config)]
        hot = import_ms("hubsms", rounds, argv=listing)
    floor = median_ms([sys.executable, "-c", "pass"], dict(os.environ), rounds)
    print(f"  python -c pass {floor:.1f} ms; import hubsms.cli.params (self time, as it is now) "
          f"{import_ms('hubsms.cli.params', rounds, own=True):.2f} ms; connector list --json (20), "
          f"its hubsms modules' self times {hot:.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}; import times are medians of {args.rounds} fresh interpreters")
    for module in ("typing", "dataclasses"):
        print(f"import {module:12} {import_ms(module, args.rounds):7.2f} ms (cumulative, alone)")
    values = ", ".join(str(i) for i in range(len(FIELDS)))
    print(f"\n{'style':26} {'define':>10} {'create':>9} {'read':>8}")
    for style, source in DEFINE.items():
        define = per_call_us(f"exec({source!r}, {{'NamedTuple': NamedTuple, 'dataclass': dataclass}})", SETUP, 200)
        create = per_call_us(f"R({values})", SETUP + source, 200_000)
        read = per_call_us("r.c", SETUP + source + f"r = R({values})", 1_000_000)
        print(f"{style:26} {define:8.1f}us {create:7.3f}us {read:6.3f}us")
    param_case(args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
