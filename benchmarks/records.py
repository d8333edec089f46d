"""Which way to write a record costs least: typing.NamedTuple, dataclass(frozen, slots),
dataclass(slots) and a plain class with __slots__. The figures behind the rule in
docs/architecture.md ("Records").

Measured, each in the same run: the import of the module the style needs, in a fresh
interpreter (sys.executable -X importtime, median of rounds); defining one class of six fields;
creating an instance; reading a field. Prints one line per figure.

Usage: python benchmarks/records.py [--rounds N]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import timeit

FIELDS = ("a", "b", "c", "d", "e", "f")

DEFINE = {
    "NamedTuple": "class R(NamedTuple):\n" + "".join(f"    {f}: int\n" for f in FIELDS),
    "dataclass(frozen, slots)": "@dataclass(frozen=True, slots=True)\nclass R:\n" + "".join(f"    {f}: int\n" for f in FIELDS),
    "dataclass(slots)": "@dataclass(slots=True)\nclass R:\n" + "".join(f"    {f}: int\n" for f in FIELDS),
    "class with __slots__": (
        "class R:\n    __slots__ = " + repr(FIELDS) + "\n    def __init__(self, " + ", ".join(FIELDS) + "):\n"
        + "".join(f"        self.{f} = {f}\n" for f in FIELDS)
    ),
}
SETUP = "from typing import NamedTuple\nfrom dataclasses import dataclass\n"


def import_ms(module: str, rounds: int) -> float:
    """Milliseconds to import ``module`` in a fresh interpreter (what it adds, cumulative)."""
    times = []
    for _ in range(rounds):
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                              capture_output=True, text=True, check=True)
        line = [x for x in done.stderr.splitlines() if re.search(rf"\|\s+{re.escape(module)}$", x)][-1]
        times.append(int(line.split("|")[1]) / 1000)
    return statistics.median(times)


def per_call_us(stmt: str, setup: str, number: int) -> float:
    return min(timeit.repeat(stmt, setup, number=number, repeat=5)) / number * 1e6


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
    return 0


if __name__ == "__main__":
    sys.exit(main())
