"""The C-Pay SDK's runtime: the signature, the signed client, webhook verification and the toolkit's errors.

``pip install cpay-openapi`` installs this package with the generated client ``cpay_client`` (its models and
one module per operation), which ``create_client`` gives you ready to call. This package was named
``cpay_signing`` until 2.0.0, when it had outgrown the name; ``cpay_signing`` still imports, with a warning.

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
* ``OrderStatus``: the generated client's ``cpay_client.models.OrderStatus``, one enum for webhooks and
  polled orders alike; ``FINAL_ORDER_STATUSES``: the statuses an order never leaves.
* ``mask_sensitive``: the one mask of the values never shown (``SENSITIVE_FIELDS``: the card data the spec
  marks ``x-cpay-sensitive``), used by the ``cpay`` log, the emulator's messages and the proxy's recording.
* ``CPayError`` and its subclasses: the errors of the whole toolkit.
* ``json_shape_problem`` and ``redact_httpx_request_lines``: the bound on JSON from the network and the mask of
  httpx's request lines, which the emulator uses too.

Import everything from here; the underscored modules are private.
"""

import importlib as _importlib
import typing as _typing

from cpay._auth import CPayAuth
from cpay._calllog import redact_httpx_request_lines
from cpay._client import DEFAULT_CONNECT_RETRIES, DEFAULT_TIMEOUT, ENVIRONMENTS, create_client
from cpay._envelope import Envelope, araise_for_business_error, raise_for_business_error, unwrap
from cpay._errors import (
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
    VendorCode,
    WebhookPayloadError,
)
from cpay._jsonshape import json_shape_problem
from cpay._masking import MASK, SENSITIVE_FIELDS, mask_sensitive
from cpay._recovery import DEFAULT_DUPLICATE_CODES, DEFAULT_NOT_FOUND_CODES, Recovery, recovery_of
from cpay._retry import DEFAULT_INITIAL_RETRY_DELAY, DEFAULT_MAX_RETRIES, DEFAULT_MAX_RETRY_DELAY
from cpay._secret import SecretKey
from cpay._sign import SignableParams, SignRule, compute_sign, signing_payload, verify_sign
from cpay._webhook import (
    WEBHOOK_FAIL,
    WEBHOOK_OK,
    WEBHOOK_REPLY_CONTENT_TYPE,
    WebhookEvent,
    parse_webhook,
    webhook_reply,
)
from cpay._wire import (
    CredentialsPlacement,
    VerifiedRequest,
    sign_request_parameters,
    verify_request_parameters,
)

if _typing.TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from cpay._signed_client import CPayClient
    from cpay._status import FINAL_ORDER_STATUSES, OrderStatus

__all__ = [
    "DEFAULT_CONNECT_RETRIES",
    "DEFAULT_DUPLICATE_CODES",
    "DEFAULT_INITIAL_RETRY_DELAY",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_RETRY_DELAY",
    "DEFAULT_NOT_FOUND_CODES",
    "DEFAULT_TIMEOUT",
    "ENVIRONMENTS",
    "FINAL_ORDER_STATUSES",
    "MASK",
    "SENSITIVE_FIELDS",
    "WEBHOOK_FAIL",
    "WEBHOOK_OK",
    "WEBHOOK_REPLY_CONTENT_TYPE",
    "BusinessError",
    "CPayAuth",
    "CPayClient",
    "CPayError",
    "CredentialsPlacement",
    "Envelope",
    "LostResponseError",
    "MalformedParametersError",
    "OrderStatus",
    "OutcomeUnknownError",
    "RecoveredOrderError",
    "Recovery",
    "SecretKey",
    "SignRule",
    "SignableParams",
    "SignatureError",
    "SignatureProblem",
    "TransportError",
    "UnexpectedResponseError",
    "VendorCode",
    "VerifiedRequest",
    "WebhookEvent",
    "WebhookPayloadError",
    "araise_for_business_error",
    "compute_sign",
    "create_client",
    "json_shape_problem",
    "mask_sensitive",
    "parse_webhook",
    "raise_for_business_error",
    "recovery_of",
    "redact_httpx_request_lines",
    "sign_request_parameters",
    "signing_payload",
    "unwrap",
    "verify_request_parameters",
    "verify_sign",
    "webhook_reply",
]


_FROM_THE_GENERATED_PACKAGE = {
    "CPayClient": "cpay._signed_client",
    "FINAL_ORDER_STATUSES": "cpay._status",
    "OrderStatus": "cpay._status",
}


def __getattr__(name: str) -> object:
    # These names come from (or subclass) the generated client, whose models load on first use (or on
    # the first parse_webhook): compute_sign, CPayAuth and verify_request_parameters do not wait for them.
    module = _FROM_THE_GENERATED_PACKAGE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(_importlib.import_module(module), name)
