"""The rule for records (docs/architecture.md, "Records"): no module of hubsms imports
``dataclasses``, wherever the import stands (at the top, in a function, under TYPE_CHECKING,
or by name through ``importlib``/``__import__``). The sources are read with ast, not imported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import hubsms

SOURCE_DIR = Path(hubsms.__file__).parent
LOADERS = {"import_module", "__import__"}


def dataclasses_imports(source: str) -> list[int]:
    """The line of every import of ``dataclasses`` (or a submodule of it) in ``source``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else []
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = node.func
            called = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
            names = [str(node.args[0].value)] if called in LOADERS else []
        else:
            continue
        if any(name == "dataclasses" or name.startswith("dataclasses.") for name in names):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("source", [
    "import dataclasses",
    "import os, dataclasses as dc",
    "from dataclasses import dataclass, field",
    "def f():\n    from dataclasses import replace",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import dataclasses",
    "import importlib\nmodule = importlib.import_module('dataclasses')",
    "dc = __import__('dataclasses')",
])
def test_every_way_of_importing_dataclasses_is_found(source: str) -> None:
    assert dataclasses_imports(source) == [source.count("\n") + 1]


@pytest.mark.parametrize("source", [
    "from typing import NamedTuple",
    "# dataclasses are not used here",
    "text = 'import dataclasses'",
    "from .dataclasses import x",  # a module of the package's own, not the standard library's
    "import my_dataclasses",
])
def test_what_is_no_import_of_dataclasses_is_not_counted(source: str) -> None:
    assert dataclasses_imports(source) == []


def test_no_module_of_hubsms_imports_dataclasses() -> None:
    sources = sorted(SOURCE_DIR.rglob("*.py"))
    assert len(sources) > 50 and SOURCE_DIR / "cli" / "main.py" in sources  # the whole package is read
    found = [f"{path.relative_to(SOURCE_DIR.parent)}:{line}"
             for path in sources for line in dataclasses_imports(path.read_text(encoding="utf-8"))]
    assert not found, (
        "dataclasses imported (a record of values is a typing.NamedTuple; an object whose fields "
        "change, a class with __slots__; see docs/architecture.md, Records): " + ", ".join(found)
    )
