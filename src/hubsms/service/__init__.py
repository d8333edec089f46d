"""Use cases, one module per subject. Each takes its collaborators (config path, keyring)
as arguments, and neither prints nor knows of typer.

- ``connectors``: add, edit, (de)activate, remove a connector.
- ``plans``: service plans and Global Settings' default SMS connector.
- ``views``: what the read-only commands show (list, show, settings).
- ``sending``: ``send_otp``, from the options of ``otp send`` to Twilio's answer.
- ``checks``: ``connector test``.
- ``declarative``: ``apply`` and ``export`` (the config as a desired-state file).
- ``transaction``: keyring writes and logo copies undone if saving fails; ``Outcome``.
- ``lookup``: finding connectors and plans by name, and the rules of their use.
"""
