"""The emulator's shape: import rules are folder rules (import-linter's contracts in ``pyproject.toml``, run by
``make lint``); what import-linter cannot see is checked here from the source with ``ast``.

* Only the backends (``cpay_emulator/backends/``) speak SQL: each owns its tables, the surfaces call them.
* Every module says what it owns, in a docstring.
* The contracts hold, and each of them fails on a copy of the package that breaks it (a checker that cannot
  fail proves nothing).
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "emulator" / "cpay_emulator"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
SQL_OWNERS = "backends"
CONTRACTS = {
    contract["id"]: contract["name"]
    for contract in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"][
        "contracts"
    ]
}

_SQL = re.compile(
    r"\b(SELECT\b.+\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|UNIQUE)|ALTER\s+TABLE)\b",
    re.S,
)
_EXECUTE = frozenset({"execute", "executemany", "executescript"})


def read_package(folder: Path = PACKAGE) -> dict[str, str]:
    """``{path inside the package: source}`` of every module, sub-packages included."""
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.py"))
    }


def sql_outside_owners(sources: Mapping[str, str]) -> list[str]:
    """SQL text, or a call of ``execute``/``executemany``/``executescript``, outside ``backends/``."""
    found = []
    for module, source in sources.items():
        if module.split("/", 1)[0] == SQL_OWNERS:
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL.search(node.value):
                found.append(f"{module}:{node.lineno}: SQL text {node.value.strip()[:40]!r}")
            elif isinstance(node, ast.Attribute) and node.attr in _EXECUTE:
                found.append(f"{module}:{node.lineno}: calls {node.attr}")
    return found


def undocumented(sources: Mapping[str, str]) -> list[str]:
    return [module for module, source in sources.items() if not (ast.get_docstring(ast.parse(source)) or "").strip()]


def test_only_the_backends_speak_sql() -> None:
    assert sql_outside_owners(read_package()) == []


def test_every_module_says_what_it_owns() -> None:
    assert undocumented(read_package()) == []


@pytest.mark.parametrize(
    "source",
    [
        'QUERY = "SELECT merchant_id FROM merchants"\n',
        "def f(c):\n    c.execute(x)\n",
        'SCHEMA = "CREATE TABLE t (a)"\n',
        'MIGRATE = "ALTER TABLE merchants ADD COLUMN x"\n',
    ],
)
def test_sql_outside_the_backends_is_reported(source: str) -> None:
    assert sql_outside_owners({"server/api.py": source, "backends/orders.py": source}) != []
    assert [line.split(":")[0] for line in sql_outside_owners({"server/api.py": source})] == ["server/api.py"]


def test_words_that_only_look_like_sql_are_not_reported() -> None:
    assert sql_outside_owners({"server/docs.py": '"""Select the currency from the list, then update it."""\n'}) == []


def test_an_undocumented_module_is_reported() -> None:
    assert undocumented({"a.py": "x = 1\n", "b.py": '"""B."""\n'}) == ["a.py"]


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with ``root``'s pyproject, importing the packages of ``root`` (not the installed ones)."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(root / "pyproject.toml")],
        cwd=root,
        env={
            "PATH": str(Path(sys.executable).parent),
            "PYTHONPATH": f"{root / 'sdk'}:{root / 'emulator'}:{ROOT / 'generated'}",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SDK and the emulator copied with the repo's contracts: each test breaks one rule in it, then mends it."""
    root = tmp_path_factory.mktemp("layout")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    for part in ("sdk/cpay", "emulator/cpay_emulator"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.mark.slow
def test_the_repository_keeps_its_import_contracts(package_copy: Path) -> None:
    result = lint_imports(package_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("emulator/cpay_emulator/backends/views.py", "from cpay_emulator.server import faults", "emulator-layers"),
        ("emulator/cpay_emulator/shared/codes.py", "from cpay_emulator.backends import model", "emulator-layers"),
        ("emulator/cpay_emulator/server/docs.py", "from cpay_emulator.proxy import violations", "emulator-layers"),
        ("emulator/cpay_emulator/testing/inprocess.py", "from cpay_emulator.cli import main", "emulator-layers"),
        (
            "emulator/cpay_emulator/proxy/replay.py",
            "from cpay_emulator.backends import store",
            "proxy-without-emulator-state",
        ),
        ("emulator/cpay_emulator/backends/rates.py", "import starlette", "backends-without-http"),
        ("sdk/cpay/_sign.py", "import cpay_emulator", "sdk-without-emulator"),
    ],
)
def test_each_contract_fails_on_an_import_that_breaks_it(
    package_copy: Path, module: str, line: str, contract: str
) -> None:
    path = package_copy / module
    original = path.read_text(encoding="utf-8")
    path.write_text(original + f"\n{line}  # noqa\n", encoding="utf-8")
    try:
        result = lint_imports(package_copy)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    summary = " ".join(result.stdout.split())
    assert f"{CONTRACTS[contract]} BROKEN" in summary, summary
