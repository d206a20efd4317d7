"""``docs/reference/build.py`` (what ``make docs`` runs) from the tests: build the API references and the site.

It runs the pinned Redocly CLI from ``tools/node_modules`` (and the site needs the iframe-worker shim from there);
where that is missing the calling test skips, saying how to install it. Building both references takes about a
second and a half; the docs site (MkDocs) some 10 to 14 s more, so the tests build everything once per session
(``built_reference``) and only a test of a broken spec builds the references alone (``--without-site``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE_BUILD = REPO / "docs" / "reference" / "build.py"
REDOCLY = REPO / "tools" / "node_modules" / ".bin" / "redocly"


def build_reference(output: Path, *arguments: str) -> Path:
    """Build into ``output`` (extra ``arguments`` such as ``--spec FILE``); fail with the build's message."""
    if not REDOCLY.exists():
        pytest.skip(f"{REDOCLY} is missing: `make node` installs the pinned Redocly CLI (make pytest does)")
    result = subprocess.run(
        [sys.executable, str(REFERENCE_BUILD), "--output", str(output), *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return output
