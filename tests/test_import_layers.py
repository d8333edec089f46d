"""hubsms's modules import one another in one direction only. Every import counts, at the top,
inside a function or under TYPE_CHECKING: an import inside a function is there for start-up
speed (docs/architecture.md), never to hide a circle."""

from __future__ import annotations

from imports import find_circle, import_graph

import hubsms
import hubsms.cli


def test_the_circle_finder_finds_one_hidden_in_a_function() -> None:
    assert find_circle({"api": {"endpoints"}, "endpoints": {"api", "twilio"}, "twilio": set()}) == [
        "api", "endpoints", "api"]
    assert find_circle({"api": {"endpoints"}, "endpoints": {"twilio"}, "twilio": set()}) is None


def test_no_module_of_hubsms_takes_part_in_an_import_circle() -> None:
    graph = import_graph(hubsms)
    assert {"cli.main", "sandbox.api", "credentials", "service.doctor"} <= set(graph)  # read, not empty
    assert "backends" in graph["credentials"] and "credentials" in graph["keyring_choice"]
    assert {"cli.listing", "cli.sending", "cli.editing"} <= graph["cli.fast"]  # named in strings
    assert find_circle(graph) is None, " -> ".join(find_circle(graph) or [])


def test_the_completion_command_does_not_import_the_completion_engine() -> None:
    """Printing a script needs nothing of the app: `hubsms completion bash` stays cheap."""
    assert "completion" not in import_graph(hubsms.cli)["app"]
