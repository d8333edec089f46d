"""The two-step dialog of ``connector add`` and ``connector edit`` at a terminal.

Step 1 of 2, Basic Information: Name, Provider (its Purpose shown), Logo.
Step 2 of 2, Details: Server Address, Account SID, Auth Token (hidden), From, Active.
Then a summary of every field and a choice: Finish, Back (to step 1, every value kept as
the default) or Cancel.

The fields, their order, help lines and rules are those of :mod:`hubsms.fields`: a field
without a question of its own here is asked by its rule, in its step.

Click's prompts do the reading: defaults in [brackets], hidden input for the token, yes/no
questions, the end of input and Ctrl-C. Every answer goes through the model's ``validate_*``
functions, so the dialog yields exactly what the flags would; an invalid answer is explained
(message and hint) and asked again. Values given as flags are taken and not asked (until
Back). Nothing is written before Finish: Cancel, Ctrl-C or the end of input at a prompt
raises :class:`~hubsms.errors.Cancelled` (exit 130, "cancelled, nothing written"). A failed
save (a locked keyring, say) shows the error and returns to the summary, so nothing typed
is lost.

Interactive means: stdin is a terminal and ``--no-input`` is not given.

Over 400 lines: the questions that are more than a field's rule (provider, logo, server
address, token, active), the summary, and Finish, Back and Cancel; the logic is small
functions, one per question.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import typer

from hubsms import fields, model, store
from hubsms.cli.common import report_error, warn
from hubsms.errors import Cancelled, HubsmsError, InvalidValue

if TYPE_CHECKING:
    from hubsms.credentials import Keyring
    from hubsms.model import Config
    from hubsms.service.connectors import ConnectorInput
    from hubsms.service.transaction import Outcome

STEPS: Final = 2
CHOICES: Final = ("finish", "back", "cancel")

T = TypeVar("T")

HELP: Final = {  # each field's help line (hubsms.fields), the name's and the token's
    "name": f"1-{model.NAME_MAX} printable characters, unique among your connectors (ignoring case).",
    **{field.attr: field.about for field in fields.CONNECTOR},
    "token": "32 hexadecimal digits (Twilio Console, Account Info). Typing is not shown; "
    "it is kept in the keyring, never in the file.",
}


class _AskAgain(Exception):
    """The answer was declined after a warning: ask the same field again."""


# --- the terminal --------------------------------------------------------------------------


def _echo(text: str = "", **style: Any) -> None:
    """Dialog text on stderr (stdout stays for data); styled only at a terminal without NO_COLOR."""
    typer.echo(typer.style(text, **style) if style else text, err=True, color=False if os.environ.get("NO_COLOR") else None)


def _heading(text: str) -> None:
    _echo()
    _echo(text, bold=True)
    _echo("─" * len(text), bold=True)


def _help(text: str) -> None:
    _echo(text, dim=True)


# --- what the dialog holds -------------------------------------------------------------------


class Form:
    """Every field as validated and normalised: what the flags would have given. Filled in
    step by step (a plain class: its fields change)."""

    __slots__ = ("name", *(field.attr for field in fields.CONNECTOR), "token")  # token: typed; None keeps the stored one
    _EMPTY: Final = {
        "name": "", "provider": model.TWILIO.key, "server_address": model.TWILIO.default_server_address,
        "account_sid": "", "from_": "", "active": True,
    }

    def __init__(self, **values: Any) -> None:
        for slot in self.__slots__:
            setattr(self, slot, values.pop(slot, self._EMPTY.get(slot)))
        if values:
            raise TypeError(f"Form has no field {', '.join(values)}")

    def to_input(self, base: Form | None = None) -> ConnectorInput:
        """A ConnectorInput of every field, or for an edit of the fields changed from ``base``."""
        from hubsms.service.connectors import ConnectorInput

        values = {name: getattr(self, name) for name in ConnectorInput._fields}
        if base is not None:
            values = {k: v for k, v in values.items() if v != getattr(base, k)}
        return ConnectorInput(**values)


class _Dialog:
    """What the dialog holds while it runs (a plain class: its fields change)."""

    __slots__ = ("form", "pending", "config", "keyring", "original", "kept_logo", "used_by", "force", "shown")

    def __init__(
        self, form: Form, pending: dict[str, Any], config: Config, keyring: Keyring, *, original: Form | None = None,
        kept_logo: str | None = None, used_by: list[str] | None = None, force: bool = False,
    ) -> None:
        self.form = form
        self.pending = pending  # values given as flags, taken on the first pass
        self.config = config  # as it was when the dialog began: the names already taken
        self.keyring = keyring
        self.original = original  # the connector being edited (its name may stay)
        self.kept_logo = kept_logo
        self.used_by = [] if used_by is None else used_by
        self.force = force
        self.shown: set[str] = set()

    @property
    def provider(self) -> model.Provider:
        return model.PROVIDERS[self.form.provider]

    def warn(self, text: str | None) -> None:
        """Show a warning once (Back would repeat it for an unchanged value)."""
        if text and text not in self.shown:
            warn(text)
            self.shown.add(text)


def _ask(prompt: str, check: Callable[[str], T], *, default: str = "", hidden: bool = False) -> T:
    """Ask until ``check`` accepts the answer; Enter gives ``default`` (shown in [brackets]).

    Click reads the answer and applies ``check``. A refusal is said here as every hubsms
    error is, message and hint: Click's own re-ask (on its UsageError) prints "Error: ..."
    with no hint, and only "the value you entered was invalid" after a hidden prompt."""
    while True:
        try:
            return typer.prompt(prompt, default=default, show_default=bool(default), hide_input=hidden,
                                value_proc=lambda answer: check(answer.strip() or default), err=True)
        except InvalidValue as err:
            report_error(err)
        except _AskAgain:
            pass


def _given(d: _Dialog, key: str, label: str, check: Callable[[Any], T], shown: Callable[[T], str] = str) -> bool:
    """Take the flag value of ``key`` (first pass only); an invalid one is explained and asked."""
    if key not in d.pending:
        return False
    try:
        value = check(d.pending.pop(key))
    except InvalidValue as err:
        report_error(err)
        return False
    setattr(d.form, key, value)
    _echo(f"{label}: {shown(value)} (given on the command line)")
    return True


def _field(d: _Dialog, key: str, label: str, check: Callable[[str], Any]) -> None:
    """Its help line, then the value given as a flag (first pass), else the question with
    the current value as the default."""
    _help(HELP[key])
    if not _given(d, key, label, check):
        setattr(d.form, key, _ask(label, check, default=getattr(d.form, key) or ""))


# --- step 1: Basic Information -------------------------------------------------------------


def _check_name(d: _Dialog, answer: str) -> str:
    from hubsms.service.lookup import check_unique

    name = model.validate_name(answer)
    check_unique(d.config, name, ignore=d.original.name if d.original is not None else None)
    return name


def _check_provider(answer: str) -> str:
    choices = list(model.PROVIDERS.values())
    if answer.isdigit() and 1 <= int(answer) <= len(choices):
        return choices[int(answer) - 1].key
    return model.validate_provider(answer)


def _ask_provider(d: _Dialog, field: fields.Field) -> None:
    _help(HELP[field.attr])
    for number, provider in enumerate(model.PROVIDERS.values(), 1):
        _echo(f"  {number}) {provider.label} ({provider.purpose})")
    d.form.provider = _ask(field.label, _check_provider, default=d.provider.label)
    _echo(f"Purpose: {d.provider.purpose} (set by the provider)")


def _check_logo(d: _Dialog, answer: str) -> Path | None:
    from hubsms.logos import read_logo

    if answer == "-":
        return None
    if not answer:
        return d.form.logo
    path = Path(answer).expanduser()
    read_logo(path)
    return path


def _ask_logo(d: _Dialog, field: fields.Field) -> None:
    _help(HELP[field.attr])
    if _given(d, field.attr, field.label, lambda v: _check_logo(d, str(v))):
        return
    if d.form.logo is not None:
        prompt = f"{field.label} (Enter keeps {d.form.logo}, - for none)"
    elif d.kept_logo:
        prompt = f"{field.label} (Enter keeps {d.kept_logo})"
    else:
        prompt = f"{field.label} (optional, Enter skips)"
    d.form.logo = _ask(prompt, lambda a: _check_logo(d, a))


def _step_basic(d: _Dialog) -> None:
    _heading(f"Step 1 of {STEPS} — Basic Information")
    _help("Enter keeps the value in [brackets]; Ctrl-C stops without saving anything.")
    _field(d, "name", "Name", lambda a: _check_name(d, a))
    _ask_step(d, 1)


# --- step 2: Details -----------------------------------------------------------------------


def _check_address(d: _Dialog, answer: str, default: str, confirm: bool) -> str:
    address, warning = model.validate_server_address(answer, d.provider)
    if warning and address != default:
        d.shown.discard(warning)  # shown before each confirmation: the token goes there
        d.warn(warning)
        if confirm and not typer.confirm("Use this server address?", default=False, err=True):
            raise _AskAgain
    return address


def _ask_server_address(d: _Dialog, field: fields.Field) -> None:
    _help(HELP[field.attr])
    default = d.form.server_address
    if not _given(d, field.attr, field.label, lambda v: _check_address(d, v, "", False)):
        d.form.server_address = _ask(field.label, lambda a: _check_address(d, a, default, True), default=default)


def _stored_token(d: _Dialog, sid: str) -> bool:
    """Whether the keyring holds a token for ``sid``; an unusable keyring is said, not fatal
    (saving will say it again, and then nothing typed is lost)."""
    try:
        return d.keyring.get(sid) is not None
    except HubsmsError as err:
        d.warn(f"{err.message} (cannot tell whether a token is stored)")
        return False


def _token_keeper(d: _Dialog) -> str | None:
    """What Enter keeps at the token prompt, or None when a token must be typed."""
    if d.form.token is not None:
        return "the token you typed"
    sid = d.form.account_sid
    if _stored_token(d, sid):
        return f"the token stored for {model.mask_sid(sid)}"
    if d.original is not None and d.original.account_sid != sid and _stored_token(d, d.original.account_sid):
        return f"the token of {model.mask_sid(d.original.account_sid)}, moved to the new account"
    if d.original is not None and d.original.account_sid == sid and not d.original.auth_token_env:
        return "the connector's current token (e.g. from HUBSMS_AUTH_TOKEN)"
    return None  # a connector is saved only with its token: Enter would only fail at Finish


def _check_token(keeper: str | None, typed: str | None, answer: str) -> str | None:
    if answer:
        return model.validate_auth_token(answer)
    if keeper is None:
        raise InvalidValue("auth_token", "an auth token is needed: none is stored for this account", "type it (32 hexadecimal digits)")
    return typed


def _ask_token(d: _Dialog) -> None:
    if d.form.auth_token_env:
        _echo(f"Auth Token: read from ${d.form.auth_token_env} when needed (--auth-token-env)")
        return
    _help(HELP["token"])
    if _given(d, "token", "Auth Token", model.validate_auth_token, _masked):
        return
    keeper = _token_keeper(d)
    prompt = f"Auth Token (hidden; Enter keeps {keeper})" if keeper else "Auth Token (hidden)"
    d.form.token = _ask(prompt, lambda a: _check_token(keeper, d.form.token, a), hidden=True)


def _ask_active(d: _Dialog, field: fields.Field) -> None:
    _help(HELP[field.attr])
    if _given(d, field.attr, field.label, bool, _yes_no):
        return
    while True:
        active = typer.confirm(f"{field.label}?", default=d.form.active, err=True)
        if active or not d.used_by or d.force or _release_uses(d):
            d.form.active = active
            return


def _release_uses(d: _Dialog) -> bool:
    warn(f'"{d.original.name if d.original else d.form.name}" is used by {", ".join(d.used_by)}')
    d.force = typer.confirm("Deactivate it, clearing the default and removing those plans?", default=False, err=True)
    return d.force


def _step_details(d: _Dialog) -> None:
    _heading(f"Step 2 of {STEPS} — Details")
    _ask_step(d, 2)


def _ask_step(d: _Dialog, step: int) -> None:
    """The fields of ``step`` (``hubsms.fields``), in their order; the auth token right after
    the Account SID it belongs to."""
    for field in fields.CONNECTOR:
        if field.step == step:
            _ASKERS.get(field.attr, _ask_field)(d, field)
            if field.attr == "account_sid":
                _ask_token(d)


def _ask_field(d: _Dialog, field: fields.Field) -> None:
    """A field asked by its own rule: its help line, then the question; a warning is shown."""
    _field(d, field.attr, field.label, lambda answer: _check_field(d, field, answer))


def _check_field(d: _Dialog, field: fields.Field, answer: str) -> Any:
    if answer == "-" and field.optional:
        return None
    value, warning = field.check(answer, d.provider)
    d.warn(warning)
    return value


_ASKERS: Final[dict[str, Callable[[_Dialog, fields.Field], None]]] = {
    "provider": _ask_provider, "logo": _ask_logo, "server_address": _ask_server_address, "active": _ask_active,
}


# --- summary and Finish ----------------------------------------------------------------------


def _masked(token: str) -> str:
    return f"(hidden, {len(token)} characters)"


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _token_summary(d: _Dialog) -> str:
    if d.form.auth_token_env:
        return f"read from ${d.form.auth_token_env} when needed"
    if d.form.token is not None:
        return _masked(d.form.token) + ", to be stored in the keyring"
    return _token_keeper(d) or "none stored"


def summary_rows(d: _Dialog) -> list[tuple[str, str]]:
    """Every field the dialog asks, as the summary shows it (the provider's purpose beside
    it); the token is never shown."""
    rows = [("Name", d.form.name)]
    for field in fields.CONNECTOR:
        if field.step:
            rows.append((field.label, _summary_value(d, field.attr)))
        if field.attr == "provider":
            rows.append(("Purpose", d.provider.purpose))
        if field.attr == "account_sid":
            rows.append(("Auth Token", _token_summary(d)))
    return rows


def _summary_value(d: _Dialog, attr: str) -> str:
    value = getattr(d.form, attr)
    if attr == "provider":
        return d.provider.label
    if attr == "logo" and not value and d.kept_logo:
        return f"{d.kept_logo} (kept)"
    if isinstance(value, bool):
        return _yes_no(value)
    return "(none)" if value is None or value == "" else str(value)


def _choice(answer: str) -> str:
    """'finish', 'back' or 'cancel' from its first letters; Click says the refusal and asks again."""
    for choice in CHOICES:
        if choice.startswith(answer.strip().lower()):
            return choice
    raise typer.BadParameter("answer f (Finish), b (Back to step 1) or c (Cancel)")


def _summary(d: _Dialog) -> str:
    """Show every field and return 'finish', 'back' or 'cancel'."""
    _heading("Summary — check, then Finish")
    rows = summary_rows(d)
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        _echo(f"  {label.ljust(width)}  {value}")
    return typer.prompt("[F]inish, [B]ack or [C]ancel?", default="Finish", value_proc=_choice, err=True)


def _run(d: _Dialog, save: Callable[[_Dialog], Outcome]) -> Outcome:
    """Steps, summary, then save; Back asks again from step 1, a failed save returns to the
    summary. Cancel, or Ctrl-C or the end of input at a prompt (Click's Abort), is Cancelled."""
    try:
        # Click has input() write each prompt's last character, which goes to stdout: send it
        # to stderr with the rest of the prompt, so that stdout stays clean for data.
        with contextlib.redirect_stdout(sys.stderr):
            return _steps(d, save)
    except typer.Abort:
        _echo()  # after the ^C or ^D the terminal shows on the prompt's line
        raise Cancelled() from None


def _steps(d: _Dialog, save: Callable[[_Dialog], Outcome]) -> Outcome:
    ask = True
    while True:
        if ask:
            _step_basic(d)
            _step_details(d)
        choice = _summary(d)
        if choice == "cancel":
            raise Cancelled()
        ask = choice == "back"
        outcome = _save(d, save) if choice == "finish" else None
        if outcome is not None:
            return outcome


def _save(d: _Dialog, save: Callable[[_Dialog], Outcome]) -> Outcome | None:
    """The outcome less the warnings the dialog already showed; None when saving failed
    (said here, deliberately: the summary comes back and nothing typed is lost)."""
    try:
        outcome = save(d)
    except HubsmsError as err:
        report_error(err)
        _echo("Nothing was written. Choose Finish to try again, Back to change a value, or Cancel.")
        return None
    outcome.warnings = [w for w in outcome.warnings if w not in d.shown]
    return outcome


# --- add and edit --------------------------------------------------------------------------


def run_add(path: Path, given: ConnectorInput, token: str | None) -> Outcome:
    """Ask what ``given`` (a ConnectorInput of the flags) lacks, then add the connector."""
    from hubsms.credentials import Keyring
    from hubsms.service import connectors

    pending = {k: v for k, v in given.given().items() if k != "auth_token_env"}
    if token is not None:
        pending["token"] = token
    form = Form(auth_token_env=given.auth_token_env)
    d = _Dialog(form, pending, store.load(path), Keyring())

    def save(d: _Dialog) -> Outcome:
        # A token typed although one is stored (Enter would have kept it) is a replacement.
        return connectors.add_connector(path, d.form.to_input(), d.keyring, token=d.form.token, replace_token=True)

    return _run(d, save)


def _form_of(record: dict[str, Any]) -> Form:
    """The form of a connector from ``show``'s record (its logo is kept apart: ``kept_logo``)."""
    values = {field.attr: record[field.key] for field in fields.CONNECTOR if field.attr not in ("logo", "provider")}
    return Form(**values, name=record["name"], provider=model.validate_provider(record["provider"]))


def run_edit(path: Path, name: str, force: bool) -> Outcome:
    """The same two steps, prefilled with the connector's values; saves what changed."""
    from hubsms.credentials import Keyring
    from hubsms.service import connectors, views

    keyring = Keyring()
    record, warnings = views.show_connector(path, name, keyring)
    original = _form_of(record)
    d = _Dialog(_form_of(record), {}, store.load(path), keyring,
                original=original, kept_logo=record["logo"], used_by=record["used_by"], force=force)
    for text in warnings:
        d.warn(text)

    def save(d: _Dialog) -> Outcome:
        return connectors.edit_connector(path, original.name, d.form.to_input(base=original), d.keyring,
                                      token=d.form.token, force=d.force)

    return _run(d, save)
