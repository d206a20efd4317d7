"""How ``make test`` shares its tests between pytest-xdist's workers (``--dist loadgroup``).

A test that uses a module- or session-scoped fixture of this repository (built wheels, a Prism process, the
built API references, a browser) runs on the worker that runs the rest of its module, so the fixture is built
once. Every test of ``tests/conformance/`` runs on one worker: those runs write their reports into the
repository's ``reports/``. Any other test goes to whichever worker is free, which spreads the long, independent
ones (``make generate`` in scratch copies of the repository) over both cores.

Hypothesis runs without its per-example deadline: speed is measured in ``bench/``, never in a test, and on a
machine busy with the other worker a 200 ms deadline fails examples that are merely slow.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("cpay-openapi", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("cpay-openapi")

ROOT = Path(__file__).resolve().parents[1]
SERIAL_FOLDERS = ("tests/conformance/",)


def _shares_a_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    for definitions in info.name2fixturedefs.values():
        for definition in definitions:
            if definition.scope not in ("module", "package", "session"):
                continue
            source = inspect.getsourcefile(definition.func) or ""
            if source.startswith(str(ROOT)) and "/.venv/" not in source:
                return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that must share a worker with ``xdist_group`` (a no-op without ``-n``)."""
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        serial = next((folder for folder in SERIAL_FOLDERS if module.startswith(folder)), None)
        if serial is not None:
            item.add_marker(pytest.mark.xdist_group(serial))
        elif _shares_a_fixture(item):
            item.add_marker(pytest.mark.xdist_group(module))
