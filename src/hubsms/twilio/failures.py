"""What went wrong with an exchange, in words that say what is known.

Whether the message may have been sent decides the wording: a refused connection, a failed
or timed-out TLS handshake, or a deadline that passed before any byte was written means
nothing reached the server ("nothing was sent"); only a failure after the request was written
leaves the outcome unknown.
"""

from __future__ import annotations

import http.client
import ssl
from typing import Final
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import ProtocolError

from hubsms.errors import NetworkError
from hubsms.model import TWILIO

DEFAULT_SERVER_ADDRESS: Final = TWILIO.default_server_address

_CONNECT_HINT: Final = (
    "The request was not sent. Check the network and the connector's Server Address "
    "(for a local address, that the sandbox is running)."
)
_TRUST_HINT: Final = (
    "Nothing was sent. Behind a proxy that inspects TLS (a corporate proxy), give its CA "
    "certificate: REQUESTS_CA_BUNDLE=/path/ca.pem. Otherwise check the connector's Server Address."
)
_NOT_TLS_HINT: Final = (
    "Nothing was sent. The Server Address says https:// but the server answered in plain "
    "HTTP: check the address, its port and its scheme."
)
# OpenSSL's reasons when the other side's first bytes are not TLS (e.g. an HTTP answer).
_NOT_TLS_REASONS: Final = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG", "HTTP_REQUEST",
     "UNKNOWN_PROTOCOL", "RECORD_TOO_LARGE"}
)


# OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH.
_NAME_MISMATCH: Final = frozenset({62, 64})


def host_of(url: str) -> str:
    """Host and port only: a Server Address could carry user:password@."""
    parts = urlsplit(url)
    host = parts.hostname or url
    return f"{host}:{parts.port}" if parts.port else host


def root_cause(exc: BaseException) -> BaseException:
    """The innermost exception under requests' and urllib3's wrappers (``reason``, the cause,
    or an exception in args[0]); ``ssl.SSLError.reason`` is a string and is not followed."""
    seen = exc
    for _ in range(10):  # bounded walk down the chain
        nested = _nested(seen)
        if nested is None or nested is seen:
            break
        seen = nested
    return seen


def _nested(exc: BaseException) -> BaseException | None:
    for candidate in (getattr(exc, "reason", None), exc.__cause__, exc.args[0] if exc.args else None):
        if isinstance(candidate, BaseException):
            return candidate
    return None


def tls_problem(exc: BaseException) -> tuple[str, str] | None:
    """The TLS failure under ``exc`` in words, with a hint; None when it is not one."""
    root = root_cause(exc)
    if isinstance(root, ssl.SSLCertVerificationError):
        detail = root.verify_message or root.reason or "verification failed"
        if root.verify_code in _NAME_MISMATCH:
            return f"the server's certificate is for another name ({detail})", _TRUST_HINT
        return f"the server's certificate is not trusted ({detail})", _TRUST_HINT
    if isinstance(root, ssl.SSLError):
        if root.reason in _NOT_TLS_REASONS:
            return "the server does not speak TLS on that port", _NOT_TLS_HINT
        return f"the TLS handshake failed ({root.reason or type(root).__name__})", _TRUST_HINT
    return None


def cause_text(exc: BaseException) -> str:
    root = root_cause(exc)
    if isinstance(root, OSError) and root.strerror:
        return root.strerror
    return type(root).__name__


def unknown_outcome_hint(method: str) -> str:
    if method == "POST":
        return (
            "It was not retried, to avoid a second OTP: check the Twilio console (Monitor > "
            "Logs > Messaging) or the sandbox's message list before sending again."
        )
    return "Try again in a moment."


def _unknown_outcome(method: str) -> str:
    return "the message may or may not have been sent" if method == "POST" else "no answer"


def _dropped(exc: requests.RequestException) -> bool:
    """The connection broke after the request went out, before an answer."""
    root = root_cause(exc)
    return isinstance(root, (ProtocolError, ConnectionResetError, http.client.HTTPException))


def network_error(exc: requests.RequestException, method: str, url: str, sent: bool) -> NetworkError:
    """A requests failure as a NetworkError; ``sent``: whether any request byte was written."""
    host = host_of(url)
    tls = tls_problem(exc)
    if tls is not None:
        return NetworkError(f"cannot connect securely to {host}: {tls[0]}", tls[1])
    if isinstance(exc, requests.ConnectTimeout):
        return NetworkError(f"cannot connect to {host} (connection timed out)", _CONNECT_HINT)
    if not sent:
        return _not_sent(exc, host)
    if isinstance(exc, requests.ReadTimeout):
        return NetworkError(f"{host} did not answer in time: {_unknown_outcome(method)}",
                            unknown_outcome_hint(method))
    if isinstance(exc, requests.ConnectionError) and not _dropped(exc):
        return NetworkError(f"cannot connect to {host} ({cause_text(exc)})", _CONNECT_HINT)
    return NetworkError(f"{host} closed the connection before answering: {_unknown_outcome(method)}",
                        unknown_outcome_hint(method))


def _not_sent(exc: requests.RequestException, host: str) -> NetworkError:
    if isinstance(exc, requests.ReadTimeout):  # urllib3 reports a slow TLS handshake so
        return NetworkError(f"cannot connect to {host} (the TLS handshake timed out)", _CONNECT_HINT)
    return NetworkError(f"cannot connect to {host} ({cause_text(exc)})", _CONNECT_HINT)


def deadline_error(method: str, url: str, seconds: float, sent: bool, more_time: str = "HUBSMS_DEADLINE (seconds)") -> NetworkError:
    """The exchange did not finish within the time it had: the overall deadline, or the
    setting named by ``more_time`` when that was shorter."""
    host = host_of(url)
    if not sent:
        return NetworkError(
            f"{host} did not finish within {seconds:g} s: nothing was sent",
            f"check the network and the connector's Server Address, or allow more time with {more_time}.",
        )
    return NetworkError(
        f"{host} did not finish within {seconds:g} s: {_unknown_outcome(method)}",
        unknown_outcome_hint(method),
    )
