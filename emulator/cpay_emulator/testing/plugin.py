"""The pytest plugin (entry point ``pytest11``, active wherever ``cpay-openapi`` is installed): an emulator per test.

Fixtures:

* ``cpay_emulator``: a ``cpay_emulator.testing.CPayEmulator``, in-process (no socket), fresh in-memory state,
  a frozen clock; ``cpay_emulator.client`` is a signed ``create_client`` client bound to it.
* ``cpay_emulator_server``: the same, also served on a real 127.0.0.1 socket (``base_url``), for an app that
  uses its own HTTP stack; its ``client`` goes through that socket.
* ``cpay_emulator_options``: the ``EmulatorOptions`` both use; override it in a ``conftest.py`` for a whole
  directory, or set options per test with the marker ``@pytest.mark.cpay_emulator(order_ttl=60, ...)``.

This module imports nothing of the emulator until a fixture is used, so it costs nothing to test runs that
never ask for one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from cpay_emulator.testing import CPayEmulator, EmulatorOptions

__all__ = ["cpay_emulator", "cpay_emulator_options", "cpay_emulator_server", "pytest_configure"]

MARKER = "cpay_emulator"


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker, so ``--strict-markers`` accepts it."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): options of the cpay_emulator fixture, the fields of "
        "cpay_emulator.testing.EmulatorOptions (merchant_id, secret_key, callback_url, webhook_format, "
        "webhook_statuses, webhook_types, webhook_accept, webhook_schedule, order_ttl, clock, start, "
        "webhook_policy, client_options, ip_allowlist, client_ip)",
    )


@pytest.fixture
def cpay_emulator_options() -> EmulatorOptions:
    """The emulator's options before the marker's (override this fixture to change them for many tests)."""
    from cpay_emulator.testing import EmulatorOptions

    return EmulatorOptions()


def _options(request: pytest.FixtureRequest, base: EmulatorOptions) -> EmulatorOptions:
    import attrs

    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return base
    if marker.args:
        raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keyword options only, not {marker.args!r}")
    try:
        return attrs.evolve(base, **marker.kwargs)
    except TypeError as error:
        raise pytest.UsageError(f"@pytest.mark.{MARKER}: {error}") from None


@pytest.fixture
def cpay_emulator(request: pytest.FixtureRequest, cpay_emulator_options: EmulatorOptions) -> Iterator[CPayEmulator]:
    """A fresh in-process C-Pay emulator (no socket) with a signed ``client``; see ``CPayEmulator``."""
    from cpay_emulator.testing import CPayEmulator

    with CPayEmulator(_options(request, cpay_emulator_options)) as emulator:
        yield emulator


@pytest.fixture
def cpay_emulator_server(
    request: pytest.FixtureRequest, cpay_emulator_options: EmulatorOptions
) -> Iterator[CPayEmulator]:
    """The emulator served on 127.0.0.1 (a free port) as well: ``base_url`` for an app's own HTTP client."""
    from cpay_emulator.testing import CPayEmulator

    with CPayEmulator(_options(request, cpay_emulator_options), serve_socket=True) as emulator:
        yield emulator
