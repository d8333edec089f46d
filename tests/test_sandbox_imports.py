"""The sandbox's modules import one another in one direction only: every import counts,
at the top, inside a function or under TYPE_CHECKING, so no circle can hide in any of them."""

from __future__ import annotations

from imports import find_circle, import_graph

import hubsms.sandbox


def test_the_circle_finder_finds_one_hidden_in_a_function() -> None:
    assert find_circle({"api": {"endpoints"}, "endpoints": {"api", "twilio"}, "twilio": set()}) == [
        "api", "endpoints", "api"]
    assert find_circle({"api": {"endpoints"}, "endpoints": {"twilio"}, "twilio": set()}) is None


def test_the_sandbox_modules_import_in_one_direction() -> None:
    graph = import_graph(hubsms.sandbox)
    assert "endpoints" in graph["api"]  # the graph is read, not empty
    assert find_circle(graph) is None, " -> ".join(find_circle(graph) or [])


def test_the_twilio_endpoints_do_not_import_the_sandbox_above_them() -> None:
    graph = import_graph(hubsms.sandbox)
    assert "api" not in graph["endpoints"] and "server" not in graph["endpoints"]
