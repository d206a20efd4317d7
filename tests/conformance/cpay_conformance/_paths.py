"""Where the suite's inputs live in the repository."""

from __future__ import annotations

from pathlib import Path

__all__ = ["CONFIG_PATH", "REPORTS_DIR", "REPO_ROOT", "SPEC_PATH"]

REPO_ROOT = Path(__file__).resolve().parents[3]
SPEC_PATH = REPO_ROOT / "openapi.yaml"
CONFIG_PATH = REPO_ROOT / "schemathesis.toml"
REPORTS_DIR = REPO_ROOT / "reports"
