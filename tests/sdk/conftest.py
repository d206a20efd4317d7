from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def reference_signatures() -> dict[str, Any]:
    """The document's two worked demos with the signatures their own code prints (see the file's comment)."""
    data: dict[str, Any] = json.loads((DATA / "reference_signatures.json").read_text(encoding="utf-8"))
    return data
