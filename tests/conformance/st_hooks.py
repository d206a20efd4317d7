"""Schemathesis hooks file for ``st run`` (named by ``hooks`` in ``schemathesis.toml``; run from the repo root).

It makes ``cpay_conformance`` importable, then signs every request and turns on the envelope checks for the
target described by the ``CPAY_*`` variables (default: the emulator's demo merchant).
"""

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from cpay_conformance import install  # noqa: E402 - needs the path above

install()
