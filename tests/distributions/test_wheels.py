"""The three distributions as a user gets them: wheels built from a clean copy, installed in fresh environments.

A merchant's app runs ``pip install cpay-openapi``; its test environment adds ``pip install cpay-emulator``.
Nothing of this checkout may stand in for what those installs lack, so each check runs in a new virtual
environment (``python -m venv --without-pip``: the standard library only, pip driven from outside with
``--python``) with the wheels built from the files git tracks, and every other package from the package index
as pip is configured here (network, or its cache). The commands are those of the README ("Install") and of the
docs site's install page (``docs/site/install.md``), which ``test_the_readmes_install_lines_are_those_this_test_runs``
holds to the constants below. The sdists, which
``python -m build`` goes through, must build the same wheels.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path

import pytest
from emulator_process import EmulatorProcess
from scratch_repo import copy_work_tree

from cpay import create_client, unwrap
from cpay_client.api.balances import get_merchant_balance

from .import_audit import normalize

REPO = Path(__file__).resolve().parents[2]
AUDIT = Path(__file__).with_name("import_audit.py")
VERSION = tomllib.loads((REPO / "generated" / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]

SDK, CLIENT, EMULATOR = "cpay-openapi", "cpay-client", "cpay-emulator"
BUILD = "pip wheel --no-deps --wheel-dir dist ./generated ./sdk ./emulator"
INSTALL = {SDK: f"pip install {SDK}", EMULATOR: f"pip install {EMULATOR}"}
FROM_WHEELS = {name: f"pip install --find-links dist {name}" for name in INSTALL}
"""``INSTALL`` with the wheels built by ``BUILD`` in ``dist``: what the tests run, the index doing the rest."""

SERVER_PACKAGES = frozenset(
    {"starlette", "uvicorn", "uvloop", "httptools", "watchfiles", "websockets", "jsonschema-rs", "orjson"}
    | {"pyyaml", "segno", "rstr", "aiohttp", EMULATOR}
)
"""What the emulator, its proxy and its cashier page run on; a production app installs none of it."""

MERCHANT, SECRET = "20000092", "wheel-test-secret"
BUILD_TIMEOUT = 300  # seconds; a first run downloads hatchling and uv_build, later ones take them from pip's cache
INSTALL_TIMEOUT = 300
RUN_TIMEOUT = 60


def run(command: list[str], *, cwd: Path, timeout: float = RUN_TIMEOUT) -> str:
    """``command``'s stdout; its stderr in the failure when it exits non-zero."""
    done = subprocess.run(
        command, cwd=cwd, env=clean_environment(), capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{shlex.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def clean_environment() -> dict[str, str]:
    """``os.environ`` without what ties a child to this checkout or this venv (``PYTHONPATH``, ``VIRTUAL_ENV``,
    pytest-cov's subprocess hooks); pip's own settings (index, cache) stay, as CI has them."""
    prefixes = ("PYTHON", "VIRTUAL_ENV", "COV_CORE_", "COVERAGE_")
    return {name: value for name, value in os.environ.items() if not name.startswith(prefixes)}


def pip(line: str, wheels: Path, *options: str) -> list[str]:
    """A README command line run by this interpreter's pip, ``dist`` standing for ``wheels``."""
    words = shlex.split(line)
    assert words[0] == "pip", line
    return [sys.executable, "-m", "pip", *options, *(str(wheels) if word == "dist" else word for word in words[1:])]


def readme_pip_commands(path: Path) -> set[str]:
    """Every ``pip ...`` command of a Markdown file: the lines of its console blocks, and its inline code."""
    text = path.read_text(encoding="utf-8")
    found = set()
    for block in re.findall(r"^```console\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE):
        for line in block.replace("\\\n", " ").splitlines():
            command = " ".join(line.partition(" #")[0].split())
            if command.startswith("pip "):
                found.add(command)
    prose = re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)
    found.update(span for span in re.findall(r"`([^`\n]+)`", prose) if span.startswith("pip "))
    return found


def fenced(path: Path, language: str) -> str:
    """The first ``language`` block of a Markdown file."""
    match = re.search(rf"^```{language}\n(.*?)^```", path.read_text(encoding="utf-8"), re.DOTALL | re.MULTILINE)
    assert match, f"{path} has no {language} block"
    return match.group(1)


def test_the_readmes_install_lines_are_those_this_test_runs() -> None:
    assert readme_pip_commands(REPO / "README.md") == set(INSTALL.values())
    install_page = REPO / "docs" / "site" / "install.md"
    assert readme_pip_commands(install_page) == {*INSTALL.values(), BUILD, *FROM_WHEELS.values()}
    assert readme_pip_commands(REPO / "sdk" / "README.md") == set(INSTALL.values())  # it names the emulator's too
    assert readme_pip_commands(REPO / "emulator" / "README.md") == {INSTALL[EMULATOR]}
    for name, line in INSTALL.items():
        assert FROM_WHEELS[name] == line.replace("pip install", "pip install --find-links dist")


def test_readme_pip_commands_reads_blocks_continuations_and_inline_code(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "Run `pip install one` first.\n\n```console\npip install --find-links dist \\\n    two  # a comment\n"
        "make test\n```\n\n```python\npip = 'pip install not-a-command'\n```\n",
        encoding="utf-8",
    )
    assert readme_pip_commands(readme) == {"pip install one", "pip install --find-links dist two"}


# ---- the wheels and the two environments (built once for the module) ----


@dataclass(frozen=True)
class Environment:
    """A fresh virtual environment and where pip took each distribution it installed from (``--report``)."""

    root: Path
    sources: Mapping[str, str]

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    def python_code(self, code: str, *, cwd: Path) -> str:
        """Run ``code`` isolated (``-I``: no ``PYTHON*`` variables, no current directory on ``sys.path``)."""
        return run([str(self.python), "-I", "-c", code], cwd=cwd)

    def distributions(self, cwd: Path) -> set[str]:
        """The normalized names of every distribution installed."""
        code = "import importlib.metadata as m, json\n"
        code += "print(json.dumps([d.metadata['Name'] for d in m.distributions()]))"
        return {normalize(name) for name in json.loads(self.python_code(code, cwd=cwd))}


def fresh_environment(root: Path) -> Path:
    """A virtual environment with the standard library only (no pip, no setuptools: nothing installed)."""
    run([sys.executable, "-m", "venv", "--without-pip", str(root)], cwd=root.parent)
    return root


def pip_install(root: Path, line: str, wheels: Path) -> dict[str, str]:
    """Run a ``pip install`` line into the environment at ``root``; where each distribution it installed came
    from (a ``file://`` URL of a wheel in ``wheels``, or the index's)."""
    report = root / "pip-report.json"
    python = str(root / "bin" / "python")
    command = [*pip(line, wheels, "--python", python, "--quiet"), "--report", str(report)]
    run(command, cwd=root, timeout=INSTALL_TIMEOUT)
    items = json.loads(report.read_text(encoding="utf-8"))["install"]
    return {normalize(item["metadata"]["name"]): item["download_info"]["url"] for item in items}


def wheel_name(name: str) -> str:
    return f"{name.replace('-', '_')}-{VERSION}-py3-none-any.whl"


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout as a fresh clone of it has it (with the work tree's edits)."""
    return copy_work_tree(tmp_path_factory.mktemp("clone"))


@pytest.fixture(scope="module")
def wheels(clone: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three wheels, built by the README's command in a clean copy of this checkout (isolated builds)."""
    directory = tmp_path_factory.mktemp("dist")
    run(pip(BUILD, directory, "--quiet"), cwd=clone, timeout=BUILD_TIMEOUT)
    assert sorted(path.name for path in directory.iterdir()) == sorted(map(wheel_name, (SDK, CLIENT, EMULATOR)))
    return directory


@pytest.fixture(scope="module")
def sdk(wheels: Path, tmp_path_factory: pytest.TempPathFactory) -> Environment:
    """``pip install cpay-openapi`` alone, from the wheels, in a fresh environment."""
    root = fresh_environment(tmp_path_factory.mktemp("sdk") / "venv")
    return Environment(root, pip_install(root, FROM_WHEELS[SDK], wheels))


@pytest.fixture(scope="module")
def emulator(wheels: Path, tmp_path_factory: pytest.TempPathFactory) -> Environment:
    """``pip install cpay-emulator`` in a fresh environment, then pytest, as a merchant's test environment has."""
    root = fresh_environment(tmp_path_factory.mktemp("emulator") / "venv")
    sources = pip_install(root, FROM_WHEELS[EMULATOR], wheels)
    assert "pytest" not in sources  # the plugin is loaded by the user's pytest; the emulator does not pull it in
    pip_install(root, "pip install pytest", wheels)
    return Environment(root, sources)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A working directory outside the repository, so nothing of the checkout is importable from it."""
    assert REPO not in tmp_path.parents
    return tmp_path


def assert_from_the_wheels(environment: Environment, names: list[str], wheels: Path) -> None:
    for name in names:
        assert environment.sources[name] == (wheels / wheel_name(name)).as_uri(), name


def wheel_contents(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as wheel:
        return {name: wheel.read(name) for name in wheel.namelist()}


@pytest.mark.slow
def test_the_sdists_build_the_same_wheels(clone: Path, wheels: Path, tmp_path: Path) -> None:
    """What ``python -m build`` and ``uv build`` do: an sdist, then the wheel from it. The two hatch distributions
    reach outside their folder (the version hook in ``tools/``, the emulator's ``openapi.yaml``), so their sdists
    must carry both as files. (cpay-client's sdist is not built: its backend, uv_build, is not in the dev venv,
    and everything it packs is inside ``generated/``.)"""
    backend = tomllib.loads((clone / "sdk" / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    assert backend["requires"] == [f"hatchling=={version('hatchling')}"]  # the sdists are built as pip would
    sdists = tmp_path / "sdist"
    for folder in ("sdk", "emulator"):
        run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(sdists)], cwd=clone / folder)
    rebuilt = tmp_path / "rebuilt"
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(rebuilt)]
    run([*command, *map(str, sorted(sdists.iterdir()))], cwd=tmp_path, timeout=BUILD_TIMEOUT)
    for name in (SDK, EMULATOR):
        assert wheel_contents(rebuilt / wheel_name(name)) == wheel_contents(wheels / wheel_name(name)), name


# ---- the SDK alone ----


@pytest.mark.slow
def test_the_sdk_installs_alone_with_nothing_of_the_server(sdk: Environment, wheels: Path, outside: Path) -> None:
    assert_from_the_wheels(sdk, [SDK, CLIENT], wheels)
    installed = sdk.distributions(outside)
    assert installed == set(sdk.sources)  # the environment held nothing before: only this install is in it
    assert {SDK, CLIENT, "httpx", "attrs"} <= installed
    assert not installed & SERVER_PACKAGES, sorted(installed & SERVER_PACKAGES)
    where = sdk.python_code("import cpay, cpay_client; print(cpay.__file__); print(cpay_client.__file__)", cwd=outside)
    assert all(Path(path).is_relative_to(sdk.root) for path in where.split()), where


@pytest.mark.slow
def test_the_sdk_distributions_declare_exactly_what_they_import(sdk: Environment, outside: Path) -> None:
    report = json.loads(run([str(sdk.python), "-I", str(AUDIT), SDK, CLIENT], cwd=outside))
    assert report == {name: {"undeclared": [], "unused": []} for name in (SDK, CLIENT)}


@pytest.mark.slow
def test_the_import_audit_catches_an_undeclared_import_and_an_unused_requirement(
    sdk: Environment, tmp_path: Path
) -> None:
    """On a doctored copy of the installed SDK: ``anyio`` is installed (httpx needs it) but the SDK does not
    declare it; ``idna`` is declared but nothing imports it. An import for type checkers only still passes."""
    site = next(sdk.root.glob("lib/python*/site-packages"))
    copy = tmp_path / "site"
    for name in ("cpay", "cpay_signing", f"cpay_openapi-{VERSION}.dist-info"):
        shutil.copytree(site / name, copy / name)
    assert (copy / "cpay" / "_runtime.py").is_file()  # a module of the SDK, listed in its RECORD
    with (copy / "cpay" / "_runtime.py").open("a", encoding="utf-8") as module:
        module.write("\nif TYPE_CHECKING:\n    import typing_extensions\n\n\ndef _later():\n    import anyio.abc\n")
    metadata = copy / f"cpay_openapi-{VERSION}.dist-info" / "METADATA"
    metadata.write_text(
        metadata.read_text(encoding="utf-8").replace("Requires-Dist:", "Requires-Dist: idna\nRequires-Dist:", 1),
        encoding="utf-8",
    )
    report = json.loads(run([str(sdk.python), "-I", str(AUDIT), "--path", str(copy), SDK], cwd=tmp_path))
    [(name, path, _)] = report[SDK]["undeclared"]
    assert (name, path) == ("anyio", "cpay/_runtime.py")
    assert report[SDK]["unused"] == ["idna"]


@pytest.mark.slow
def test_the_sdk_readme_example_runs_against_a_local_emulator(sdk: Environment, outside: Path) -> None:
    """sdk/README.md's example (the package's page on the index), pointed at ``cpay-emulator serve``."""
    example = fenced(REPO / "sdk" / "README.md", "python")
    assert example.count('create_client("sandbox",') == 1
    with EmulatorProcess("--db", ":memory:", "--quiet", "--merchant", f"{MERCHANT}:{SECRET}") as server:
        with server.control() as control:
            control.put(f"/merchants/{MERCHANT}/balances/USDT", json={"available": "12.5"}).raise_for_status()
        program = "\n".join(
            [
                f"secret = {SECRET!r}",
                example.replace('create_client("sandbox",', f"create_client({server.base_url!r},"),
                "import json",
                "print(json.dumps([balance.to_dict() for balance in balances]))",
            ]
        )
        balances = json.loads(sdk.python_code(program, cwd=outside))
    held = {balance["cryptoCurrency"]: Decimal(balance["availableBalance"]) for balance in balances}
    assert held["USDT"] == Decimal("12.5")


@pytest.mark.slow
def test_cpay_signing_still_imports_with_a_deprecation_warning(sdk: Environment, outside: Path) -> None:
    code = (
        "import warnings\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    import cpay_signing\n"
        "import cpay\n"
        "print(cpay_signing.create_client is cpay.create_client)\n"
        "print(*(f'{w.category.__name__}: {w.message}' for w in caught), sep='\\n')\n"
    )
    same, *warnings = sdk.python_code(code, cwd=outside).splitlines()
    assert same == "True"
    assert warnings == [
        "DeprecationWarning: cpay_signing is now cpay: import cpay instead (cpay_signing goes away in cpay-openapi "
        "3.0.0)"
    ]


# ---- the emulator's distribution ----


@pytest.mark.slow
def test_the_emulator_distribution_declares_exactly_what_it_imports(
    emulator: Environment, wheels: Path, outside: Path
) -> None:
    assert_from_the_wheels(emulator, [EMULATOR, SDK, CLIENT], wheels)
    report = json.loads(run([str(emulator.python), "-I", str(AUDIT), EMULATOR, SDK, CLIENT], cwd=outside))
    assert report == {name: {"undeclared": [], "unused": []} for name in (EMULATOR, SDK, CLIENT)}


@pytest.mark.slow
def test_the_emulator_runs_without_pytest(emulator: Environment, outside: Path) -> None:
    """Only the plugin module imports pytest (the audit's one exception): the harness and the CLI do not."""
    code = (
        "import sys\n"
        "sys.modules['pytest'] = None  # import pytest now raises ImportError\n"
        "from cpay_emulator.cli.main import main\n"
        "from cpay_emulator.testing import CPayEmulator\n"
        "from cpay import unwrap\n"
        "from cpay_client.api.balances import get_merchant_balance\n"
        "with CPayEmulator() as emulator:\n"
        "    emulator.set_balance('USDT', '3.10')\n"
        "    for balance in unwrap(get_merchant_balance.sync(client=emulator.client)):\n"
        "        print(balance.crypto_currency, balance.available_balance)\n"
    )
    held = dict(line.split() for line in emulator.python_code(code, cwd=outside).splitlines())
    assert Decimal(held["USDT"]) == Decimal("3.10")


@pytest.mark.slow
def test_the_cpay_emulator_command_serves_from_the_installed_package(emulator: Environment, outside: Path) -> None:
    """``openapi.yaml`` comes from inside the wheel: the server runs from a directory without one."""
    assert "serve" in run([str(emulator.root / "bin" / "cpay-emulator"), "--help"], cwd=outside)
    arguments = ("--db", ":memory:", "--quiet", "--merchant", f"{MERCHANT}:{SECRET}")
    with EmulatorProcess(
        *arguments, bin_dir=emulator.root / "bin", cwd=outside, environment=clean_environment()
    ) as server:
        with create_client(server.base_url, merchant_id=MERCHANT, secret_key=SECRET) as client:
            assert unwrap(get_merchant_balance.sync(client=client)) is not None  # signed, validated, code 0
        with server.control() as control:
            assert control.get("/openapi.yaml").status_code == 200


PROJECT_TESTS = """
from decimal import Decimal
from importlib.metadata import version

import pytest

from cpay import OrderStatus, unwrap
from cpay_client.api.balances import get_merchant_balance
from cpay_client.api.crypto_pay_in import create_order
from cpay_client.models import CreateOrderRequest, CreateOrderRequestCryptoCurrency


def test_the_merchant_has_the_balance_the_test_set(cpay_emulator):
    cpay_emulator.set_balance("USDT", Decimal("12.5"))
    balances = unwrap(get_merchant_balance.sync(client=cpay_emulator.client))
    assert {b.crypto_currency: Decimal(b.available_balance) for b in balances}["USDT"] == Decimal("12.5")


@pytest.mark.cpay_emulator(merchant_id="20003092", start=1767225600)
def test_a_paid_order_posts_its_completed_webhook(cpay_emulator):
    request = CreateOrderRequest(
        merchant_trade_no="shop-1", create_time=1767225600000, user_id="alice", amount="25.00",
        crypto_currency=CreateOrderRequestCryptoCurrency.USDT,
    )
    order = unwrap(create_order.sync(client=cpay_emulator.client, body=request))
    cpay_emulator.pay(order.order_id)
    assert cpay_emulator.webhooks[-1].event.order_status is OrderStatus.COMPLETED
    assert cpay_emulator.merchant_id == "20003092"
"""


@pytest.mark.slow
def test_a_project_outside_the_repository_uses_the_cpay_emulator_fixture(emulator: Environment, outside: Path) -> None:
    """The fixture comes from the installed plugin (entry point ``pytest11``): no conftest, no import of it."""
    (outside / "pytest.ini").write_text("[pytest]\naddopts = --strict-markers -p no:cacheprovider\n", encoding="utf-8")
    (outside / "test_checkout.py").write_text(PROJECT_TESTS, encoding="utf-8")
    output = run([str(emulator.python), "-I", "-m", "pytest", "-q", "-rA"], cwd=outside)
    assert re.search(r"^2 passed", output, re.MULTILINE), output
    assert "PASSED test_checkout.py::test_a_paid_order_posts_its_completed_webhook" in output
