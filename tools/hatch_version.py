"""A hatch metadata hook shared by the SDK and the emulator distributions: one version, the generated client's.

``cpay-openapi`` (``sdk/``) and ``cpay-emulator`` (``emulator/``) follow the semantic version of ``cpay-client``,
which ``make generate BUMP=1`` writes into ``generated/pyproject.toml``. This hook reads it there, so a release
changes one file, and pins the sibling distributions the package imports to exactly that version
(``pinned``), so an SDK never runs with a client of another release. The other dependencies are listed in the
hook's ``dependencies`` option, as they would be in ``[project]``.

Each of the two folders reaches this file through a link (``sdk/hatch_version.py``, ``emulator/hatch_version.py``),
and its sdist holds a copy of the file instead of the link. A wheel built from that sdist takes the version and the
dependencies from the sdist's ``PKG-INFO`` (hatchling does, for dynamic fields), so the hook is loaded there but
not called, and ``generated/`` need not be beside it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface

GENERATED_PYPROJECT = Path(__file__).resolve().parents[1] / "generated" / "pyproject.toml"


def client_version() -> str:
    """The version of ``cpay-client``, as ``generated/pyproject.toml`` says."""
    version = tomllib.loads(GENERATED_PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
    if not isinstance(version, str) or not re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", version):
        raise ValueError(f"{GENERATED_PYPROJECT}: no semantic version ({version!r})")
    return version


class SameVersionHook(MetadataHookInterface):
    """``version`` from the generated client; ``dependencies`` from the options, siblings pinned to it."""

    PLUGIN_NAME = "custom"

    def update(self, metadata: dict[str, Any]) -> None:
        version = client_version()
        metadata["version"] = version
        pinned = [f"{name}=={version}" for name in self.config.get("pinned", [])]
        metadata["dependencies"] = [*self.config.get("dependencies", []), *pinned]
