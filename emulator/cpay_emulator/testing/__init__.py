"""Test a merchant's integration: ``CPayEmulator`` (an in-process emulator with a signed client and the hands of
the customer, the chain and the back office), its ``EmulatorOptions``, and the pytest plugin (``plugin``, the
fixtures ``cpay_emulator`` and ``cpay_emulator_server``).

Names are imported on first use: pytest loads ``cpay_emulator.testing.plugin`` in every run wherever the package
is installed, and that must not import the server (Starlette, the spec's validators) into runs that never use it.
"""

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from cpay_emulator.testing.control_client import ControlError as ControlError
    from cpay_emulator.testing.control_client import EmulatorUnreachableError as EmulatorUnreachableError
    from cpay_emulator.testing.emulator import BASE_URL as BASE_URL
    from cpay_emulator.testing.emulator import CPayEmulator as CPayEmulator
    from cpay_emulator.testing.emulator import Delivery as Delivery
    from cpay_emulator.testing.emulator import DeliveryAttempt as DeliveryAttempt
    from cpay_emulator.testing.emulator import EmulatorOptions as EmulatorOptions

_LAZY = {
    "BASE_URL": "cpay_emulator.testing.emulator",
    "CPayEmulator": "cpay_emulator.testing.emulator",
    "ControlError": "cpay_emulator.testing.control_client",
    "Delivery": "cpay_emulator.testing.emulator",
    "DeliveryAttempt": "cpay_emulator.testing.emulator",
    "EmulatorOptions": "cpay_emulator.testing.emulator",
    "EmulatorUnreachableError": "cpay_emulator.testing.control_client",
}

__all__ = [
    "BASE_URL",
    "CPayEmulator",
    "ControlError",
    "Delivery",
    "DeliveryAttempt",
    "EmulatorOptions",
    "EmulatorUnreachableError",
]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cpay_emulator.testing' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
