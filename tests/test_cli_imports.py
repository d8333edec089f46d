"""The cli modules import one another in one direction only (every import counts, those inside
functions too): the entry point above the command tree, the tree above the command groups, and
shell completion's answers apart from the script the `completion` command prints."""

from __future__ import annotations

from imports import find_circle, import_graph

import hubsms.cli


def test_the_cli_modules_import_in_one_direction() -> None:
    graph = import_graph(hubsms.cli)
    assert {"completion", "fast"} <= graph["main"]  # the graph is read, not empty
    assert find_circle(graph) is None, " -> ".join(find_circle(graph) or [])


def test_the_completion_command_does_not_import_the_completion_engine() -> None:
    graph = import_graph(hubsms.cli)
    assert "completion" not in graph["app"] and "main" not in graph["completion"]
