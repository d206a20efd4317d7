"""The public names of ``cpay`` and ``cpay_emulator`` are pinned, as httpx's tests/test_exported_members.py.

A name added to or dropped from a package's ``__all__`` changes what users import, so it must change here too,
on purpose. And ``__all__`` is the whole public namespace: every public name the package defines is listed,
and every listed name exists.
"""

from __future__ import annotations

from types import ModuleType

import pytest

import cpay
import cpay_emulator

PINNED = {
    cpay: [
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
    ],
    cpay_emulator: [
        "DEFAULT_ORDER_TTL",
        "DEFAULT_USD_PRICES",
        "DEMO_MERCHANT_ID",
        "DEMO_SECRET_KEY",
        "DOCUMENT_CODES",
        "Balance",
        "CardDeclined",
        "Clock",
        "CodeBook",
        "DuplicateTradeNo",
        "Emulator",
        "EmulatorConfig",
        "EmulatorError",
        "ErrorCode",
        "Faults",
        "FeeRates",
        "InsufficientBalance",
        "InvalidAddress",
        "InvalidAmount",
        "InvalidOrderState",
        "InvalidParameter",
        "InvalidSignature",
        "MalformedRequest",
        "Merchant",
        "MissingSignature",
        "NewOrder",
        "OperationNotImplemented",
        "Order",
        "OrderKind",
        "OrderNotFound",
        "OrderStatus",
        "ProxyConfig",
        "ResponseDropped",
        "Store",
        "UnknownMerchant",
        "UnsupportedCurrency",
        "UnsupportedNetwork",
        "UnsupportedPair",
        "WebhookDispatcher",
        "WebhookNotFound",
        "WebhookPolicy",
        "WebhookSettings",
        "create_app",
        "create_proxy_app",
        "demo_merchant",
        "emulator_codes",
    ],
}

# Loaded on first access (module ``__getattr__``): the names of cpay that come from the generated client, whose
# models a signer need not wait for; every name of cpay_emulator, whose pytest plugin is imported by every pytest
# run and must not pull the server in.
LAZY = {cpay: {"CPayClient", "FINAL_ORDER_STATUSES", "OrderStatus"}, cpay_emulator: set(PINNED[cpay_emulator])}

PACKAGES = pytest.mark.parametrize("package", list(PINNED), ids=lambda package: package.__name__)


@PACKAGES
def test_all_is_the_pinned_list_of_public_names(package: ModuleType) -> None:
    assert package.__all__ == PINNED[package]


@PACKAGES
def test_every_public_name_of_the_package_is_exported_and_every_export_exists(package: ModuleType) -> None:
    public = {
        name
        for name, value in vars(package).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)  # submodules (the pytest plugin)
    } - LAZY[package]
    assert public | LAZY[package] == set(package.__all__)
    assert all(getattr(package, name) is not None for name in LAZY[package])
    assert len(package.__all__) == len(set(package.__all__)), "a name is listed twice"
