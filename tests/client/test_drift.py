"""``make check-generated`` (``generator/generate.py --check``) fails when ``generated/`` drifts from the spec.

Each test works on a scratch copy of the repository (``tests/scratch_repo.py``: a git repository of its own,
since the check reads the latest release's spec back from git), so the repository is never touched. Every run
of the generator takes about a second.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from scratch_repo import ScratchRepo


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    return ScratchRepo.create(tmp_path / "repo").path


def run_generator(repo: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(repo / "generator" / "generate.py"), *arguments],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def rewrite_spec(repo: Path, edit: Any = None) -> None:
    """Re-serialize the copy's spec through YAML, applying ``edit`` to the parsed document first."""
    spec = yaml.safe_load((repo / "openapi.yaml").read_text(encoding="utf-8"))
    if edit is not None:
        edit(spec)
    (repo / "openapi.yaml").write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")


def add_risk_level_to_withdraw_orders(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["WithdrawOrder"]["properties"]["riskLevel"] = {"type": "string"}


def test_the_committed_client_is_what_the_spec_generates(repo_copy: Path) -> None:
    result = run_generator(repo_copy, "--check")
    assert result.returncode == 0, result.stderr
    assert "matches" in result.stdout


def test_a_spec_edit_without_regenerating_fails_the_check_with_a_diff(repo_copy: Path) -> None:
    rewrite_spec(repo_copy)  # control: the same document, re-serialized, still matches
    assert run_generator(repo_copy, "--check").returncode == 0

    rewrite_spec(repo_copy, add_risk_level_to_withdraw_orders)
    result = run_generator(repo_copy, "--check")

    assert result.returncode == 1
    assert "generated/cpay_client/models/withdraw_order.py (regenerated)" in result.stderr
    assert "+    risk_level: str | Unset = UNSET" in result.stderr
    assert "run `make generate`" in result.stderr


def test_generate_removes_stale_files_and_then_the_check_passes(repo_copy: Path) -> None:
    stale = repo_copy / "generated" / "cpay_client" / "models" / "removed_model.py"
    stale.write_text("class RemovedModel: ...\n", encoding="utf-8")
    edited = repo_copy / "generated" / "cpay_client" / "models" / "order_status.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")

    check = run_generator(repo_copy, "--check")
    assert check.returncode == 1
    assert "not produced by the generator (stale or hand-written): generated/cpay_client/models/removed_model.py" in (
        check.stderr
    )
    assert "-# edited by hand" in check.stderr

    assert run_generator(repo_copy).returncode == 0
    assert not stale.exists()
    assert "# edited by hand" not in edited.read_text(encoding="utf-8")
    # Byte-identical run after run: a second generation changes nothing, and the check passes.
    again = run_generator(repo_copy)
    assert "generated: 0 file(s) written or removed" in again.stdout
    assert run_generator(repo_copy, "--check").returncode == 0


def test_a_broken_spec_fails_with_the_generator_output(repo_copy: Path) -> None:
    (repo_copy / "openapi.yaml").write_text("openapi: 3.1.0\ninfo: {}\npaths: 7\n", encoding="utf-8")
    result = run_generator(repo_copy, "--check")
    assert result.returncode == 2
    assert "cannot generate the client from openapi.yaml" in result.stderr
    assert "openapi-python-client says:" in result.stderr


def test_a_generator_other_than_the_pinned_version_is_refused(repo_copy: Path) -> None:
    (repo_copy / "requirements" / "constraints.txt").write_text(
        "openapi-python-client==0.0.1\nruff==0.0.1\n", encoding="utf-8"
    )
    result = run_generator(repo_copy, "--check")
    assert result.returncode == 2
    assert "requirements/constraints.txt pins 0.0.1: run `make venv`" in result.stderr
