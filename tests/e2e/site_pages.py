"""What the docs site must hold: its pages, and the Python names its API reference must list.

The names are read from the code, not from a list kept here: every name in the ``__all__`` of the hand-written
public packages (``cpay``, ``cpay_emulator``, each subpackage of it that declares an ``__all__``, and the pytest
plugin), of the generated client's public modules, and every operation module of ``cpay_client.api`` with its four
functions. A name added to an ``__all__`` or an operation added to the spec must show in the reference.
"""

from __future__ import annotations

import importlib
import pkgutil
import zlib
from pathlib import Path

from reference_build import REPO

import cpay_client.api
import cpay_emulator

SITE_SOURCES = REPO / "docs" / "site"
RUNTIME_PACKAGES = ("cpay", "cpay_emulator", "cpay_emulator.testing.plugin")
CLIENT_PACKAGES = ("cpay_client", "cpay_client.models", "cpay_client.types", "cpay_client.errors")
OPERATION_FUNCTIONS = ("sync", "sync_detailed", "asyncio", "asyncio_detailed")


def page_paths() -> list[str]:
    """Every page the site builds, as a path relative to the site's root (``retries.html``)."""
    return sorted(str(path.relative_to(SITE_SOURCES).with_suffix(".html")) for path in SITE_SOURCES.rglob("*.md"))


def public_packages() -> list[str]:
    """The hand-written public packages: the runtime's, and every subpackage of the emulator with an ``__all__``."""
    subpackages = [
        info.name
        for info in pkgutil.iter_modules(cpay_emulator.__path__, "cpay_emulator.")
        if info.ispkg and hasattr(importlib.import_module(info.name), "__all__")
    ]
    return [*RUNTIME_PACKAGES, *subpackages]


def operation_modules() -> list[str]:
    """Every generated operation module (``cpay_client.api.<tag>.<operation>``)."""
    return sorted(
        info.name for info in pkgutil.walk_packages(cpay_client.api.__path__, "cpay_client.api.") if not info.ispkg
    )


def runtime_names() -> list[str]:
    """``package.name`` for each name of each hand-written public package's ``__all__``."""
    return [f"{package}.{name}" for package in public_packages() for name in importlib.import_module(package).__all__]


def client_names() -> list[str]:
    """The generated client's public names, every operation module and its four functions."""
    names = [f"{package}.{name}" for package in CLIENT_PACKAGES for name in importlib.import_module(package).__all__]
    for module in operation_modules():
        names.append(module)
        names.extend(f"{module}.{function}" for function in OPERATION_FUNCTIONS)
    return names


def inventory_names(path: Path) -> set[str]:
    """The object names of a Sphinx inventory (``objects.inv``, version 2, which mkdocstrings writes)."""
    data = path.read_bytes()
    header, _, compressed = data.partition(b"\n")
    assert header == b"# Sphinx inventory version 2", header
    for _ in range(3):  # project, version, and the line announcing zlib
        line, _, compressed = compressed.partition(b"\n")
    assert b"zlib" in line, line
    return {entry.split(" ", 1)[0] for entry in zlib.decompress(compressed).decode("utf-8").splitlines() if entry}


def missing_from(inventory: set[str], names: list[str]) -> list[str]:
    """The ``names`` the reference does not list."""
    return [name for name in names if name not in inventory]
