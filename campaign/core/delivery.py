"""What a failed hand-over to a provider tells us, for every channel (email, WhatsApp,
SMS): either it proves that nothing went out, or it leaves the question open.

A claim may go back to "pending" (and be sent again by a later run) only when the error
proves nothing was sent: the connection was never made (refused, no such host, a timeout
while connecting), the provider answered with an error status (4xx/5xx), or the message
was refused before any request (an invalid address, a payload that cannot be encoded).
Everything else — a read timeout after the request went out, a connection dropped before
the answer, an answer we could not read, an exception we do not know — is *uncertain*:
the provider may have accepted the message. Such a recipient is never sent again
automatically; the provider's webhook (which carries our recipient id in the message
metadata) or staff settle it.

The transports are recognised without importing them (requests/urllib3 for the HTTP
APIs and Twilio, httpx for pywa's WhatsApp Cloud API, smtplib and sockets for SMTP,
botocore for Amazon SES), so a channel built on
another client library only has to raise its errors from theirs, or extend the lists.
"""

import enum
import smtplib
import socket


class Outcome(enum.StrEnum):
    NOT_SENT = "not_sent"
    UNCERTAIN = "uncertain"


# Raised before a request reaches the provider, or the provider's explicit refusal.
_ANYMAIL_BEFORE_SENDING = (
    "AnymailRecipientsRefused",
    "AnymailInvalidAddress",
    "AnymailUnsupportedFeature",
    "AnymailSerializationError",
    "AnymailConfigurationError",
    "AnymailImproperlyInstalled",
)
# botocore (Amazon SES): an answer from AWS, or a connection that was never made.
_BOTOCORE_NOT_SENT = ("ClientError", "EndpointConnectionError", "ConnectTimeoutError")
# urllib3 reasons inside requests' ConnectionError: the connection was never made.
# (NewConnectionError, which covers refused connections and failed name lookups, is a
# subclass of ConnectTimeoutError in urllib3 2.)
_URLLIB3_NOT_CONNECTED = ("ConnectTimeoutError", "NewConnectionError", "NameResolutionError")
# httpx: the connection was never made, or no connection of the pool was free.
_HTTPX_NOT_CONNECTED = ("ConnectError", "ConnectTimeout", "PoolTimeout", "UnsupportedProtocol", "InvalidURL")
# The provider's answer with an error status, as the WhatsApp (pywa) and SMS (Twilio)
# libraries raise it.
_ANSWERED = ("WhatsAppError", "TwilioRestException")


def _names(error) -> set[str]:
    return {cls.__name__ for cls in type(error).__mro__}


def _module(error) -> str:
    return type(error).__module__.split(".", 1)[0]


def _status_code(error):
    response = getattr(error, "response", None)
    code = getattr(response, "status_code", None)
    if code is None and isinstance(response, dict):  # botocore's parsed answer
        code = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code


def _transport_outcome(error) -> Outcome | None:
    """The outcome for a transport-level exception, or None when ``error`` is not one."""
    names = _names(error)
    if "RequestException" in names and _module(error) in ("requests", "anymail"):
        if "ConnectTimeout" in names:
            return Outcome.NOT_SENT
        if "ConnectionError" in names and not names & {"SSLError", "ProxyError"}:
            reason = error.args[0] if error.args else None
            inner = getattr(reason, "reason", reason)  # urllib3's MaxRetryError
            if inner is not None and _names(inner) & set(_URLLIB3_NOT_CONNECTED):
                return Outcome.NOT_SENT
        return Outcome.UNCERTAIN  # read timeout, connection dropped, broken answer
    if _module(error) == "httpx":
        return Outcome.NOT_SENT if names & set(_HTTPX_NOT_CONNECTED) else Outcome.UNCERTAIN
    if _module(error) == "botocore":
        return Outcome.NOT_SENT if names & set(_BOTOCORE_NOT_SENT) else Outcome.UNCERTAIN
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return Outcome.UNCERTAIN  # may have dropped after the message's final dot
    if isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
        return Outcome.NOT_SENT  # the server answered with an error code
    if isinstance(error, ConnectionRefusedError | socket.gaierror):
        return Outcome.NOT_SENT
    if isinstance(error, OSError):
        return Outcome.UNCERTAIN  # timeouts, resets, broken pipes
    return None


def send_failure_outcome(error: BaseException) -> Outcome:
    """Whether ``error``, raised by a provider call, proves nothing was sent."""
    names = _names(error)
    if names & set(_ANYMAIL_BEFORE_SENDING):
        return Outcome.NOT_SENT
    if names & set(_ANSWERED) and _module(error) in ("pywa", "twilio"):
        code = getattr(error, "status_code", None) or getattr(error, "status", None)
        if isinstance(code, int) and code >= 400:
            return Outcome.NOT_SENT
    if "AnymailError" in names:
        code = _status_code(error)
        if code is not None:
            # An answer: an error status is a refusal; a success we could not read
            # (invalid JSON, no message id) means the provider has the message.
            return Outcome.NOT_SENT if code >= 400 else Outcome.UNCERTAIN
        cause = error.__cause__ or error.__context__
        if cause is not None:
            return _transport_outcome(cause) or Outcome.UNCERTAIN
        # anymail documents AnymailAPIError as "an unsuccessful response from the ESP's
        # API": the provider answered and refused.
        return Outcome.NOT_SENT if "AnymailAPIError" in names else Outcome.UNCERTAIN
    return _transport_outcome(error) or Outcome.UNCERTAIN
