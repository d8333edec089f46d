"""A fast path for hot read-only commands (filled in with connector list)."""

from __future__ import annotations


def try_run(args: list[str]) -> int | None:
    """Run ``args`` without Typer when they are a plain hot command; None means 'not handled'."""
    return None
