"""A stateful local C-Pay server for development and conformance tests, and a validating proxy for real traffic.

``create_app()`` builds the Starlette application; ``cpay-emulator serve`` runs it; the pytest plugin
(``cpay_emulator.pytest_plugin``, fixture ``cpay_emulator``) runs it inside a test, and
``cpay_emulator.testing.CPayEmulator`` does the same without pytest. ``create_proxy_app()`` builds the
validating proxy; ``cpay-emulator proxy`` runs it. Import from here; the underscored modules are private.

Every name is imported on first use (module ``__getattr__``): the pytest plugin is loaded by every pytest run
wherever this package is installed, and must not import the server (Starlette, the spec's validators, the
signing package) into test runs that never use it, nor before a coverage tool starts measuring.
"""

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from cpay_emulator._app import DEMO_MERCHANT_ID as DEMO_MERCHANT_ID
    from cpay_emulator._app import DEMO_SECRET_KEY as DEMO_SECRET_KEY
    from cpay_emulator._app import EmulatorConfig as EmulatorConfig
    from cpay_emulator._app import ProxyConfig as ProxyConfig
    from cpay_emulator._app import create_app as create_app
    from cpay_emulator._app import create_proxy_app as create_proxy_app
    from cpay_emulator._app import demo_merchant as demo_merchant
    from cpay_emulator._clock import Clock as Clock
    from cpay_emulator._codes import DOCUMENT_CODES as DOCUMENT_CODES
    from cpay_emulator._codes import CodeBook as CodeBook
    from cpay_emulator._codes import emulator_codes as emulator_codes
    from cpay_emulator._errors import CardDeclined as CardDeclined
    from cpay_emulator._errors import DuplicateTradeNo as DuplicateTradeNo
    from cpay_emulator._errors import EmulatorError as EmulatorError
    from cpay_emulator._errors import ErrorCode as ErrorCode
    from cpay_emulator._errors import InsufficientBalance as InsufficientBalance
    from cpay_emulator._errors import InvalidAddress as InvalidAddress
    from cpay_emulator._errors import InvalidAmount as InvalidAmount
    from cpay_emulator._errors import InvalidOrderState as InvalidOrderState
    from cpay_emulator._errors import InvalidParameter as InvalidParameter
    from cpay_emulator._errors import InvalidSignature as InvalidSignature
    from cpay_emulator._errors import MalformedRequest as MalformedRequest
    from cpay_emulator._errors import MissingSignature as MissingSignature
    from cpay_emulator._errors import OperationNotImplemented as OperationNotImplemented
    from cpay_emulator._errors import OrderNotFound as OrderNotFound
    from cpay_emulator._errors import UnknownMerchant as UnknownMerchant
    from cpay_emulator._errors import UnsupportedCurrency as UnsupportedCurrency
    from cpay_emulator._errors import UnsupportedNetwork as UnsupportedNetwork
    from cpay_emulator._errors import UnsupportedPair as UnsupportedPair
    from cpay_emulator._errors import WebhookNotFound as WebhookNotFound
    from cpay_emulator._faults import Faults as Faults
    from cpay_emulator._faults import ResponseDropped as ResponseDropped
    from cpay_emulator._model import Balance as Balance
    from cpay_emulator._model import FeeRates as FeeRates
    from cpay_emulator._model import Merchant as Merchant
    from cpay_emulator._model import NewOrder as NewOrder
    from cpay_emulator._model import Order as Order
    from cpay_emulator._model import OrderKind as OrderKind
    from cpay_emulator._model import OrderStatus as OrderStatus
    from cpay_emulator._rates import DEFAULT_USD_PRICES as DEFAULT_USD_PRICES
    from cpay_emulator._service import DEFAULT_ORDER_TTL as DEFAULT_ORDER_TTL
    from cpay_emulator._service import Emulator as Emulator
    from cpay_emulator._store import Store as Store
    from cpay_emulator._webhooks import WebhookDispatcher as WebhookDispatcher
    from cpay_emulator._webhooks import WebhookPolicy as WebhookPolicy

_LAZY = {
    "Balance": "cpay_emulator._model",
    "CardDeclined": "cpay_emulator._errors",
    "Clock": "cpay_emulator._clock",
    "CodeBook": "cpay_emulator._codes",
    "DEFAULT_ORDER_TTL": "cpay_emulator._service",
    "DEFAULT_USD_PRICES": "cpay_emulator._rates",
    "DEMO_MERCHANT_ID": "cpay_emulator._app",
    "DEMO_SECRET_KEY": "cpay_emulator._app",
    "DOCUMENT_CODES": "cpay_emulator._codes",
    "DuplicateTradeNo": "cpay_emulator._errors",
    "Emulator": "cpay_emulator._service",
    "EmulatorConfig": "cpay_emulator._app",
    "EmulatorError": "cpay_emulator._errors",
    "ErrorCode": "cpay_emulator._errors",
    "Faults": "cpay_emulator._faults",
    "FeeRates": "cpay_emulator._model",
    "InsufficientBalance": "cpay_emulator._errors",
    "InvalidAddress": "cpay_emulator._errors",
    "InvalidAmount": "cpay_emulator._errors",
    "InvalidOrderState": "cpay_emulator._errors",
    "InvalidParameter": "cpay_emulator._errors",
    "InvalidSignature": "cpay_emulator._errors",
    "MalformedRequest": "cpay_emulator._errors",
    "Merchant": "cpay_emulator._model",
    "MissingSignature": "cpay_emulator._errors",
    "NewOrder": "cpay_emulator._model",
    "OperationNotImplemented": "cpay_emulator._errors",
    "Order": "cpay_emulator._model",
    "OrderKind": "cpay_emulator._model",
    "OrderNotFound": "cpay_emulator._errors",
    "OrderStatus": "cpay_emulator._model",
    "ProxyConfig": "cpay_emulator._app",
    "ResponseDropped": "cpay_emulator._faults",
    "Store": "cpay_emulator._store",
    "UnknownMerchant": "cpay_emulator._errors",
    "UnsupportedCurrency": "cpay_emulator._errors",
    "UnsupportedNetwork": "cpay_emulator._errors",
    "UnsupportedPair": "cpay_emulator._errors",
    "WebhookDispatcher": "cpay_emulator._webhooks",
    "WebhookNotFound": "cpay_emulator._errors",
    "WebhookPolicy": "cpay_emulator._webhooks",
    "create_app": "cpay_emulator._app",
    "create_proxy_app": "cpay_emulator._app",
    "demo_merchant": "cpay_emulator._app",
    "emulator_codes": "cpay_emulator._codes",
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
