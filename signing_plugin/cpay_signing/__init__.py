"""Request signing and webhook verification for the C-Pay API v2.0 (document sections 15 and 16).

* ``compute_sign`` / ``verify_sign``: the signature of section 16 over given parameters.
* ``sign_request_parameters`` / ``verify_request_parameters``: the one wire contract of a request, over its
  encoded query string and form body (``merchantId`` and ``sign`` in the query string, the sign over both).
* ``CPayAuth``: an ``httpx.Auth`` that signs every request with ``sign_request_parameters``.
* ``create_client``: the generated ``cpay_client.Client`` for an environment, signed, with timeouts and
  connection retries.
* ``unwrap``: the typed ``data`` of a generated envelope, or ``BusinessError`` when its ``code`` is not 0;
  ``raise_for_business_error`` / ``araise_for_business_error`` raise it from httpx response hooks.
* ``parse_webhook``: verify a webhook (section 15) and get a typed ``WebhookEvent``.
* ``CPayError`` and its subclasses: the errors of the whole toolkit.

Import everything from here; the underscored modules are private.
"""

from cpay_signing._auth import CPayAuth
from cpay_signing._client import DEFAULT_CONNECT_RETRIES, DEFAULT_TIMEOUT, ENVIRONMENTS, create_client
from cpay_signing._envelope import Envelope, araise_for_business_error, raise_for_business_error, unwrap
from cpay_signing._errors import (
    BusinessError,
    CPayError,
    MalformedParametersError,
    SignatureError,
    SignatureProblem,
    TransportError,
    UnexpectedResponseError,
    WebhookPayloadError,
)
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

__all__ = [
    "DEFAULT_CONNECT_RETRIES",
    "DEFAULT_TIMEOUT",
    "ENVIRONMENTS",
    "WEBHOOK_FAIL",
    "WEBHOOK_OK",
    "WEBHOOK_REPLY_CONTENT_TYPE",
    "AsyncCPayTransport",
    "BusinessError",
    "CPayAuth",
    "CPayError",
    "CPayTransport",
    "Envelope",
    "MalformedParametersError",
    "OrderStatus",
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
    "parse_webhook",
    "raise_for_business_error",
    "sign_request_parameters",
    "signing_payload",
    "unwrap",
    "verify_request_parameters",
    "verify_sign",
    "webhook_reply",
]
