"""Request signing and webhook verification for the C-Pay API v2.0 (document sections 15 and 16).

* ``compute_sign`` / ``verify_sign``: the signature of section 16 over given parameters.
* ``sign_request_parameters`` / ``verify_request_parameters``: the one wire contract of a request, over its
  encoded query string and form body (``merchantId`` and ``sign`` in the query string, the sign over both).
* ``CPayAuth``: an ``httpx.Auth`` that signs every request with ``sign_request_parameters``.
* ``create_client``: the generated client for an environment (a ``CPayClient``, which is a
  ``cpay_client.Client``), signed, with timeouts, retries of reads, opt-in lost-response recovery of writes
  (``recovery_of``, ``LostResponseError``) and logging on the ``cpay`` logger (``CPAY_LOG``).
* ``unwrap``: the typed ``data`` of a generated envelope, or ``BusinessError`` when its ``code`` is not 0;
  ``raise_for_business_error`` / ``araise_for_business_error`` raise it from httpx response hooks.
* ``parse_webhook``: verify a webhook (section 15) and get a typed ``WebhookEvent``.
* ``mask_sensitive``: the one mask of the values never shown (``SENSITIVE_FIELDS``: the card data the spec
  marks ``x-cpay-sensitive``), used by the ``cpay`` log, the emulator's messages and the proxy's recording.
* ``CPayError`` and its subclasses: the errors of the whole toolkit.

Import everything from here; the underscored modules are private.
"""

import typing as _typing

from cpay_signing._auth import CPayAuth
from cpay_signing._client import DEFAULT_CONNECT_RETRIES, DEFAULT_TIMEOUT, ENVIRONMENTS, create_client
from cpay_signing._envelope import Envelope, araise_for_business_error, raise_for_business_error, unwrap
from cpay_signing._errors import (
    BusinessError,
    CPayError,
    LostResponseError,
    MalformedParametersError,
    OutcomeUnknownError,
    RecoveredOrderError,
    SignatureError,
    SignatureProblem,
    TransportError,
    UnexpectedResponseError,
    WebhookPayloadError,
)
from cpay_signing._masking import MASK, SENSITIVE_FIELDS, mask_sensitive
from cpay_signing._recovery import DEFAULT_DUPLICATE_CODES, DEFAULT_NOT_FOUND_CODES, Recovery, recovery_of
from cpay_signing._retry import DEFAULT_INITIAL_RETRY_DELAY, DEFAULT_MAX_RETRIES, DEFAULT_MAX_RETRY_DELAY
from cpay_signing._secret import SecretKey
from cpay_signing._sign import SignableParams, compute_sign, signing_payload, verify_sign
from cpay_signing._transport import AsyncCPayTransport, CPayTransport
from cpay_signing._webhook import (
    WEBHOOK_FAIL,
    WEBHOOK_OK,
    WEBHOOK_REPLY_CONTENT_TYPE,
    OrderStatus,
    WebhookEvent,
    parse_webhook,
    webhook_reply,
)
from cpay_signing._wire import VerifiedRequest, sign_request_parameters, verify_request_parameters

if _typing.TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from cpay_signing._signed_client import CPayClient

__all__ = [
    "DEFAULT_CONNECT_RETRIES",
    "DEFAULT_DUPLICATE_CODES",
    "DEFAULT_INITIAL_RETRY_DELAY",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_RETRY_DELAY",
    "DEFAULT_NOT_FOUND_CODES",
    "DEFAULT_TIMEOUT",
    "ENVIRONMENTS",
    "MASK",
    "SENSITIVE_FIELDS",
    "WEBHOOK_FAIL",
    "WEBHOOK_OK",
    "WEBHOOK_REPLY_CONTENT_TYPE",
    "AsyncCPayTransport",
    "BusinessError",
    "CPayAuth",
    "CPayClient",
    "CPayError",
    "CPayTransport",
    "Envelope",
    "LostResponseError",
    "MalformedParametersError",
    "OrderStatus",
    "OutcomeUnknownError",
    "RecoveredOrderError",
    "Recovery",
    "SecretKey",
    "SignableParams",
    "SignatureError",
    "SignatureProblem",
    "TransportError",
    "UnexpectedResponseError",
    "VerifiedRequest",
    "WebhookEvent",
    "WebhookPayloadError",
    "araise_for_business_error",
    "compute_sign",
    "create_client",
    "mask_sensitive",
    "parse_webhook",
    "raise_for_business_error",
    "recovery_of",
    "sign_request_parameters",
    "signing_payload",
    "unwrap",
    "verify_request_parameters",
    "verify_sign",
    "webhook_reply",
]


def __getattr__(name: str) -> object:
    # CPayClient subclasses the generated client: imported on first use, so signing and webhooks work without
    # the generated package installed.
    if name == "CPayClient":
        from cpay_signing._signed_client import CPayClient

        return CPayClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
