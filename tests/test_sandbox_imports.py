"""The sandbox's modules import one another in one direction only: every import counts,
at the top, inside a function or under TYPE_CHECKING, so no circle can hide in any of them."""

from __future__ import annotations

import ast
from pathlib import Path

import hubsms.sandbox

PACKAGE = "hubsms.sandbox"
SANDBOX_DIR = Path(hubsms.sandbox.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every hubsms.sandbox module that ``path`` imports, wherever the import stands."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from hubsms.sandbox import page` imports the module hubsms.sandbox.page
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    modules = {p.stem for p in SANDBOX_DIR.glob("*.py") if p.stem != "__init__"}
    return {name.removeprefix(PACKAGE + ".") for name in found
            if name.startswith(PACKAGE + ".") and name.removeprefix(PACKAGE + ".") in modules}


def import_graph() -> dict[str, set[str]]:
    return {p.stem: imported_modules(p) for p in SANDBOX_DIR.glob("*.py") if p.stem != "__init__"}


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


def test_the_circle_finder_finds_one_hidden_in_a_function() -> None:
    assert find_circle({"api": {"endpoints"}, "endpoints": {"api", "twilio"}, "twilio": set()}) == [
        "api", "endpoints", "api"]
    assert find_circle({"api": {"endpoints"}, "endpoints": {"twilio"}, "twilio": set()}) is None


def test_the_sandbox_modules_import_in_one_direction() -> None:
    graph = import_graph()
    assert "endpoints" in graph["api"]  # the graph is read, not empty
    assert find_circle(graph) is None, " -> ".join(find_circle(graph) or [])


def test_the_twilio_endpoints_do_not_import_the_sandbox_above_them() -> None:
    graph = import_graph()
    assert "api" not in graph["endpoints"] and "server" not in graph["endpoints"]
