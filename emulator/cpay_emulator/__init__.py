"""A stateful local C-Pay server for development and conformance tests, and a validating proxy for real traffic.

``create_app()`` builds the Starlette application; ``cpay-emulator serve`` runs it; the pytest plugin
(``cpay_emulator.testing.plugin``, fixture ``cpay_emulator``) runs it inside a test, and
``cpay_emulator.testing.CPayEmulator`` does the same without pytest. ``create_proxy_app()`` builds the
validating proxy; ``cpay-emulator proxy`` runs it. Import from here; the underscored modules are private.

Every name is imported on first use (module ``__getattr__``): the pytest plugin is loaded by every pytest run
wherever this package is installed, and must not import the server (Starlette, the spec's validators, the
signing package) into test runs that never use it, nor before a coverage tool starts measuring.
"""

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from cpay import OrderStatus as OrderStatus
    from cpay_emulator.backends.clock import Clock as Clock
    from cpay_emulator.backends.model import Balance as Balance
    from cpay_emulator.backends.model import FeeRates as FeeRates
    from cpay_emulator.backends.model import Merchant as Merchant
    from cpay_emulator.backends.model import NewOrder as NewOrder
    from cpay_emulator.backends.model import Order as Order
    from cpay_emulator.backends.model import OrderKind as OrderKind
    from cpay_emulator.backends.model import WebhookSettings as WebhookSettings
    from cpay_emulator.backends.rates import DEFAULT_USD_PRICES as DEFAULT_USD_PRICES
    from cpay_emulator.backends.service import DEFAULT_ORDER_TTL as DEFAULT_ORDER_TTL
    from cpay_emulator.backends.service import Emulator as Emulator
    from cpay_emulator.backends.store import Store as Store
    from cpay_emulator.proxy.app import ProxyConfig as ProxyConfig
    from cpay_emulator.proxy.app import create_proxy_app as create_proxy_app
    from cpay_emulator.server.app import DEMO_MERCHANT_ID as DEMO_MERCHANT_ID
    from cpay_emulator.server.app import DEMO_SECRET_KEY as DEMO_SECRET_KEY
    from cpay_emulator.server.app import EmulatorConfig as EmulatorConfig
    from cpay_emulator.server.app import create_app as create_app
    from cpay_emulator.server.app import demo_merchant as demo_merchant
    from cpay_emulator.server.faults import Faults as Faults
    from cpay_emulator.server.faults import ResponseDropped as ResponseDropped
    from cpay_emulator.server.webhooks import WebhookDispatcher as WebhookDispatcher
    from cpay_emulator.server.webhooks import WebhookPolicy as WebhookPolicy
    from cpay_emulator.shared.codes import DOCUMENT_CODES as DOCUMENT_CODES
    from cpay_emulator.shared.codes import CodeBook as CodeBook
    from cpay_emulator.shared.codes import emulator_codes as emulator_codes
    from cpay_emulator.shared.errors import CardDeclined as CardDeclined
    from cpay_emulator.shared.errors import DuplicateTradeNo as DuplicateTradeNo
    from cpay_emulator.shared.errors import EmulatorError as EmulatorError
    from cpay_emulator.shared.errors import ErrorCode as ErrorCode
    from cpay_emulator.shared.errors import InsufficientBalance as InsufficientBalance
    from cpay_emulator.shared.errors import InvalidAddress as InvalidAddress
    from cpay_emulator.shared.errors import InvalidAmount as InvalidAmount
    from cpay_emulator.shared.errors import InvalidOrderState as InvalidOrderState
    from cpay_emulator.shared.errors import InvalidParameter as InvalidParameter
    from cpay_emulator.shared.errors import InvalidSignature as InvalidSignature
    from cpay_emulator.shared.errors import MalformedRequest as MalformedRequest
    from cpay_emulator.shared.errors import MissingSignature as MissingSignature
    from cpay_emulator.shared.errors import OperationNotImplemented as OperationNotImplemented
    from cpay_emulator.shared.errors import OrderNotFound as OrderNotFound
    from cpay_emulator.shared.errors import UnknownMerchant as UnknownMerchant
    from cpay_emulator.shared.errors import UnsupportedCurrency as UnsupportedCurrency
    from cpay_emulator.shared.errors import UnsupportedNetwork as UnsupportedNetwork
    from cpay_emulator.shared.errors import UnsupportedPair as UnsupportedPair
    from cpay_emulator.shared.errors import WebhookNotFound as WebhookNotFound

_LAZY = {
    "Balance": "cpay_emulator.backends.model",
    "CardDeclined": "cpay_emulator.shared.errors",
    "Clock": "cpay_emulator.backends.clock",
    "CodeBook": "cpay_emulator.shared.codes",
    "DEFAULT_ORDER_TTL": "cpay_emulator.backends.service",
    "DEFAULT_USD_PRICES": "cpay_emulator.backends.rates",
    "DEMO_MERCHANT_ID": "cpay_emulator.server.app",
    "DEMO_SECRET_KEY": "cpay_emulator.server.app",
    "DOCUMENT_CODES": "cpay_emulator.shared.codes",
    "DuplicateTradeNo": "cpay_emulator.shared.errors",
    "Emulator": "cpay_emulator.backends.service",
    "EmulatorConfig": "cpay_emulator.server.app",
    "EmulatorError": "cpay_emulator.shared.errors",
    "ErrorCode": "cpay_emulator.shared.errors",
    "Faults": "cpay_emulator.server.faults",
    "FeeRates": "cpay_emulator.backends.model",
    "InsufficientBalance": "cpay_emulator.shared.errors",
    "InvalidAddress": "cpay_emulator.shared.errors",
    "InvalidAmount": "cpay_emulator.shared.errors",
    "InvalidOrderState": "cpay_emulator.shared.errors",
    "InvalidParameter": "cpay_emulator.shared.errors",
    "InvalidSignature": "cpay_emulator.shared.errors",
    "MalformedRequest": "cpay_emulator.shared.errors",
    "Merchant": "cpay_emulator.backends.model",
    "MissingSignature": "cpay_emulator.shared.errors",
    "NewOrder": "cpay_emulator.backends.model",
    "OperationNotImplemented": "cpay_emulator.shared.errors",
    "Order": "cpay_emulator.backends.model",
    "OrderKind": "cpay_emulator.backends.model",
    "OrderNotFound": "cpay_emulator.shared.errors",
    "OrderStatus": "cpay",
    "ProxyConfig": "cpay_emulator.proxy.app",
    "ResponseDropped": "cpay_emulator.server.faults",
    "Store": "cpay_emulator.backends.store",
    "UnknownMerchant": "cpay_emulator.shared.errors",
    "UnsupportedCurrency": "cpay_emulator.shared.errors",
    "UnsupportedNetwork": "cpay_emulator.shared.errors",
    "UnsupportedPair": "cpay_emulator.shared.errors",
    "WebhookDispatcher": "cpay_emulator.server.webhooks",
    "WebhookNotFound": "cpay_emulator.shared.errors",
    "WebhookPolicy": "cpay_emulator.server.webhooks",
    "WebhookSettings": "cpay_emulator.backends.model",
    "create_app": "cpay_emulator.server.app",
    "create_proxy_app": "cpay_emulator.proxy.app",
    "demo_merchant": "cpay_emulator.server.app",
    "emulator_codes": "cpay_emulator.shared.codes",
}

__all__ = [
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
]


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value
