"""The generated package is typed: ``examples/use_client.py`` and all of ``cpay_client`` pass ``mypy --strict``.

The repo's own mypy run excludes ``generated/`` and silences errors inside ``cpay_client`` (it is not
hand-written), so this test runs mypy without the repo's config: every generated module the example imports
is checked strictly. A deliberately wrong program proves the check can fail. The example also runs against
the fake C-Pay, so it is not only well-typed but works.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import OPERATIONS, ClientFactory, FakeCPay

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "use_client.py"
MYPY = Path(sys.executable).parent / "mypy"


@pytest.fixture(scope="module")
def mypy_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty mypy config and a cache shared by this module's runs (the generated package is checked once)."""
    folder = tmp_path_factory.mktemp("mypy")
    (folder / "mypy.ini").write_text("[mypy]\n", encoding="utf-8")
    return folder


def mypy_strict(program: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` on ``program`` and everything it imports, ignoring the repo's mypy config."""
    config = folder / "mypy.ini"
    environment = {**os.environ, "MYPYPATH": os.pathsep.join([str(ROOT / "generated"), str(ROOT / "sdk")])}
    return subprocess.run(
        [str(MYPY), "--strict", "--config-file", str(config), "--cache-dir", str(folder / "cache"), str(program)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=folder,
        timeout=120,
        check=False,
    )


def test_the_example_and_the_generated_package_pass_mypy_strict(mypy_folder: Path) -> None:
    result = mypy_strict(EXAMPLE, mypy_folder)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_repo_mypy_command_passes_on_the_example() -> None:
    result = subprocess.run(
        [str(MYPY), "--strict", str(EXAMPLE)], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_catches_a_misused_model(mypy_folder: Path) -> None:
    program = mypy_folder / "misuse.py"
    program.write_text(
        "from cpay_client import Client\n"
        "from cpay_client.api.payouts import withdraw\n"
        "from cpay import unwrap\n"
        "\n"
        "def fee(client: Client) -> float:\n"
        "    order = unwrap(withdraw.sync(client=client, body=None))\n"
        "    return order.fee + 1.0\n",
        encoding="utf-8",
    )
    result = mypy_strict(program, mypy_folder)
    assert result.returncode == 1
    assert 'Argument "body" to "sync" has incompatible type "None"; expected "WithdrawRequest"' in result.stdout
    assert 'Unsupported operand types for + ("str" and "float")' in result.stdout


def test_make_check_generateds_mypy_config_is_strict(tmp_path: Path) -> None:
    """``make check-generated`` type-checks generated/ with generator/mypy.ini: it must fail on what only
    ``--strict`` refuses (an unannotated function, an ``Any`` returned as ``str``)."""
    package = tmp_path / "cpay_client"
    package.mkdir()
    (package / "__init__.py").write_text(
        "import json\n\ndef untyped(value):\n    return value\n\ndef text(raw: str) -> str:\n"
        "    return json.loads(raw)\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [str(MYPY), "--config-file", str(ROOT / "generator" / "mypy.ini"), str(package)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Function is missing a type annotation" in result.stdout
    assert 'Returning Any from function declared to return "str"' in result.stdout


@pytest.fixture(scope="module")
def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("use_client_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_reads_balances_as_exact_decimals(example: ModuleType, fake_cpay_client: ClientFactory) -> None:
    operation = OPERATIONS["getMerchantBalance"]
    client = fake_cpay_client(FakeCPay(operation, operation.response_example()))
    balances = example.available_balances(client)
    assert balances["USDT"] == Decimal("11.008")
    assert asyncio.run(example.currencies_held(client)) == ["USDT"]
