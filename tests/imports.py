"""The import graph of a hubsms package, read from its source: every import counts, at the top,
inside a function or under TYPE_CHECKING, and a module named in a string (the fast path imports
its runners with ``import_module``), so no circle can hide in any of them."""

from __future__ import annotations

import ast
from pathlib import Path
from types import ModuleType


def imported_modules(path: Path, package: str, modules: set[str]) -> set[str]:
    """The modules of ``package`` (among ``modules``, short names) that ``path`` imports,
    wherever the import stands."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from hubsms.sandbox import page` imports the module hubsms.sandbox.page
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):  # import_module("hubsms.x")
            found.add(node.value)
    return {name.removeprefix(package + ".") for name in found
            if name.startswith(package + ".") and name.removeprefix(package + ".") in modules}


def import_graph(package: ModuleType) -> dict[str, set[str]]:
    """Each module of ``package`` and of its subpackages (named below the package:
    ``main``, ``cli.main``) and the modules of the package it imports."""
    folder = Path(package.__file__ or "").parent
    paths = {
        ".".join(p.relative_to(folder).with_suffix("").parts): p
        for p in folder.rglob("*.py") if p.stem != "__init__"
    }
    return {name: imported_modules(path, package.__name__, set(paths)) for name, path in paths.items()}


def find_circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a path (first module repeated at the end), or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state:
                circle = visit(target)
                if circle:
                    return circle
        stack.pop()
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state:
            circle = visit(module)
            if circle:
                return circle
    return None
