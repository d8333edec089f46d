"""The Twilio client's public names, kept importable from here (the code is in hubsms.twilio)."""

from hubsms.twilio.answers import MESSAGE_SID_RE, MESSAGE_STATUSES
from hubsms.twilio.client import (
    DEADLINE_ENV,
    DEFAULT_DEADLINE,
    DEFAULT_TIMEOUTS,
    FAILED_STATUSES,
    FINAL_STATUSES,
    MAX_TIMEOUT,
    TIMEOUT_ENV,
    USER_AGENT,
    TwilioClient,
    check_delivery,
    deadline_from_env,
    message_form,
    parse_timeouts,
    timeouts_from_env,
)
from hubsms.twilio.codes import (
    CODE_HINTS,
    DELIVERY_ERRORS,
    delivery_advice,
    describe_delivery_error,
)
from hubsms.twilio.failures import DEFAULT_SERVER_ADDRESS
from hubsms.twilio.retry import BoundedRetry, make_retry

__all__ = [
    "BoundedRetry", "CODE_HINTS", "DEADLINE_ENV", "DEFAULT_DEADLINE", "DEFAULT_SERVER_ADDRESS",
    "DEFAULT_TIMEOUTS", "DELIVERY_ERRORS", "FAILED_STATUSES", "FINAL_STATUSES", "MAX_TIMEOUT",
    "MESSAGE_SID_RE", "MESSAGE_STATUSES", "TIMEOUT_ENV", "TwilioClient", "USER_AGENT",
    "check_delivery", "deadline_from_env", "delivery_advice", "describe_delivery_error",
    "make_retry", "message_form", "parse_timeouts", "timeouts_from_env",
]
