"""The ``sandbox`` fixture (being built)."""
