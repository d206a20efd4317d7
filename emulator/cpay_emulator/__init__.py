"""A stateful local C-Pay server for development and conformance tests, and a validating proxy for real traffic.

``create_app()`` builds the Starlette application; ``cpay-emulator serve`` runs it. ``create_proxy_app()``
builds the validating proxy; ``cpay-emulator proxy`` runs it. Import from here; the underscored modules are
private.
"""

from cpay_emulator._app import (
    DEMO_MERCHANT_ID,
    DEMO_SECRET_KEY,
    EmulatorConfig,
    ProxyConfig,
    create_app,
    create_proxy_app,
    demo_merchant,
)
from cpay_emulator._codes import DOCUMENT_CODES, CodeBook, emulator_codes
from cpay_emulator._errors import (
    CardDeclined,
    DuplicateTradeNo,
    EmulatorError,
    ErrorCode,
    InsufficientBalance,
    InvalidAddress,
    InvalidAmount,
    InvalidOrderState,
    InvalidParameter,
    InvalidSignature,
    MalformedRequest,
    MissingSignature,
    OperationNotImplemented,
    OrderNotFound,
    UnknownMerchant,
    UnsupportedCurrency,
    UnsupportedNetwork,
    UnsupportedPair,
)
from cpay_emulator._model import Balance, FeeRates, Merchant, NewOrder, Order, OrderKind, OrderStatus
from cpay_emulator._rates import DEFAULT_USD_PRICES
from cpay_emulator._service import Emulator
from cpay_emulator._store import Store
from cpay_emulator._webhooks import WebhookDispatcher, WebhookPolicy

__all__ = [
    "DEFAULT_USD_PRICES",
    "DEMO_MERCHANT_ID",
    "DEMO_SECRET_KEY",
    "DOCUMENT_CODES",
    "Balance",
    "CardDeclined",
    "CodeBook",
    "DuplicateTradeNo",
    "Emulator",
    "EmulatorConfig",
    "EmulatorError",
    "ErrorCode",
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
    "Store",
    "UnknownMerchant",
    "UnsupportedCurrency",
    "UnsupportedNetwork",
    "UnsupportedPair",
    "WebhookDispatcher",
    "WebhookPolicy",
    "create_app",
    "create_proxy_app",
    "demo_merchant",
    "emulator_codes",
]
