"""``tests/scratch_repo.py``: a copy that is its own repository and runs its own packages, not the original's."""

from __future__ import annotations

from pathlib import Path

from scratch_repo import ROOT, ScratchRepo


def test_a_scratch_copy_is_a_clean_repository_that_imports_its_own_packages(tmp_path: Path) -> None:
    repo = ScratchRepo.create(tmp_path / "repo")

    assert repo.git("status", "--porcelain") == ""
    assert repo.read("openapi.yaml") == (ROOT / "openapi.yaml").read_text(encoding="utf-8")
    located = repo.run(
        ".venv/bin/python",
        "-c",
        "import cpay_client, cpay_emulator, cpay; "
        "from cpay_emulator.shared.spec import default_spec_path; "
        "print(cpay_client.__file__, cpay_emulator.__file__, cpay.__file__, default_spec_path())",
    )
    assert located.returncode == 0, located.stderr
    paths = [Path(path) for path in located.stdout.split()]
    assert all(path.is_relative_to(repo.path) for path in paths), paths
    assert paths[-1] == repo.path / "openapi.yaml"  # the emulator of the copy serves the copy's spec
