"""The emulator's shape, checked from its source with ``ast``: layers, surfaces side by side, SQL, module size.

The layers, from the bottom: records and helpers (the clock and the armed faults among them); the wire shapes
(``_views``); the domain backends (state, rules and SQL, no HTTP, and no fault: faults are the surfaces'
business); the HTTP surfaces (``_api``, ``_control``, ``_cashier``, ``_docs`` for the API references, and
``_proxy``, the validating proxy), which never import each other, and the workers; ``_app``, which only
assembles them; and the tools that drive a running emulator from outside (the pytest plugin, the in-process
transports, the CLI's verbs), which nothing of the emulator itself imports. The proxy stands in front of any
deployment, so its modules use none of the emulator's state, and its checks (``_inspection`` and the modules
beside it) do no HTTP. Each rule is a function over ``{module: source}`` so the tests below can show it failing
on a package that breaks it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "emulator" / "cpay_emulator"
MAX_LINES = 400

SURFACES = frozenset({"_api", "_control", "_cashier", "_docs", "_proxy"})
DOMAIN = frozenset(
    {"_merchants", "_rates", "_ledger", "_orders", "_outbox", "_lifecycle", "_payins", "_payouts", "_service"}
)
SQL_OWNERS = DOMAIN | {"_store"}
HTTP_MODULES = (
    frozenset({"_app", "_middleware", "_wire", "_server", "_webhooks", "_spec", "_coverage", "__main__"})
    | frozenset({"_proxy_cli", "_replay"})
    | {"_forwarding", "_upstream_connection"}  # the proxy's connections to its upstream
    | SURFACES
)
WORKERS = frozenset({"_expiry"})
TOOLS = frozenset({"_inprocess", "_control_client", "_cli_control", "testing", "pytest_plugin"})
"""Drive an emulator from outside: only other tools and the CLI import them."""
FAULTS = "_faults"
HTTP_LIBRARIES = frozenset({"starlette", "uvicorn", "uvloop", "httpx", "httptools"})
ASSEMBLERS = frozenset({"__init__", "__main__", "_proxy_cli"})
"""The package, and the command-line modules (``_proxy_cli`` implements ``cpay-emulator proxy`` and ``replay``)."""
PROXY_CHECKS = frozenset({"_codes", "_inspection", "_violations", "_recording", "_proxy_reports", "_relay"})
"""What the proxy checks and writes, below its surface: no HTTP module but ``_spec`` (the validators), nor library."""
PROXY = PROXY_CHECKS | {"_proxy", "_forwarding", "_upstream_connection", "_replay", "_proxy_cli"}
EMULATOR_STATE = DOMAIN | {"_store", "_webhooks", "_middleware", "_views"}

_SQL = re.compile(
    r"\b(SELECT\b.+\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|UNIQUE))\b",
    re.S,
)
_EXECUTE = frozenset({"execute", "executemany", "executescript"})


def read_package(folder: Path = PACKAGE) -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.py"))}


def imports(source: str, package: str = "cpay_emulator") -> tuple[set[str], set[str]]:
    """``(modules of the package, top-level outside packages)`` that ``source`` imports."""
    inside: set[str] = set()
    outside: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == package and len(parts) > 1:
                    inside.add(parts[1])
                elif parts[0] != package:
                    outside.add(parts[0])
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != package:
                outside.add(parts[0])
            elif len(parts) > 1:
                inside.add(parts[1])
            else:  # from cpay_emulator import _views as views
                inside.update(alias.name for alias in node.names)
    return inside, outside


def layer_violations(sources: Mapping[str, str]) -> list[str]:
    """Every import that breaks the layering (see the module docstring)."""
    found: list[str] = []
    for module, source in sources.items():
        inside, outside = imports(source)
        if module in SURFACES:
            found.extend(f"{module} imports the surface {other}" for other in sorted(inside & SURFACES - {module}))
        if module in DOMAIN:
            found.extend(f"{module} (domain) imports {other}" for other in sorted(inside & (HTTP_MODULES | {FAULTS})))
            found.extend(f"{module} (domain) imports {library}" for library in sorted(outside & HTTP_LIBRARIES))
        if module == "_views":
            found.extend(f"_views imports {other}" for other in sorted(inside & (DOMAIN | HTTP_MODULES)))
        if "_app" in inside and module not in ASSEMBLERS | TOOLS:
            found.append(f"{module} imports _app (only the package, the CLI and the tools may)")
        if module not in TOOLS | {"__main__"}:
            found.extend(f"{module} imports the tool {other}" for other in sorted(inside & TOOLS))
        if module in PROXY:
            found.extend(
                f"{module} (proxy) imports the emulator's {other}" for other in sorted(inside & EMULATOR_STATE)
            )
        if module in PROXY_CHECKS:
            found.extend(
                f"{module} (proxy checks) imports {other}" for other in sorted(inside & (HTTP_MODULES - {"_spec"}))
            )
            found.extend(f"{module} (proxy checks) imports {library}" for library in sorted(outside & HTTP_LIBRARIES))
    return found


def import_cycles(sources: Mapping[str, str]) -> list[str]:
    """Each module that can reach itself through the package's imports."""
    graph = {module: imports(source)[0] & set(sources) for module, source in sources.items()}
    cycles = []
    for start in graph:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            module = todo.pop()
            if module == start:
                cycles.append(start)
                break
            if module not in seen:
                seen.add(module)
                todo.extend(graph[module])
    return cycles


def sql_outside_owners(sources: Mapping[str, str]) -> list[str]:
    """SQL text, or a call of ``execute``/``executemany``/``executescript``, in a module that owns no table."""
    found = []
    for module, source in sources.items():
        if module in SQL_OWNERS:
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL.search(node.value):
                found.append(f"{module}:{node.lineno}: SQL text {node.value.strip()[:40]!r}")
            elif isinstance(node, ast.Attribute) and node.attr in _EXECUTE:
                found.append(f"{module}:{node.lineno}: calls {node.attr}")
    return found


def oversized(sources: Mapping[str, str], limit: int = MAX_LINES) -> list[str]:
    return [
        f"{module}: {len(source.splitlines())} lines"
        for module, source in sources.items()
        if len(source.splitlines()) > limit
    ]


def undocumented(sources: Mapping[str, str]) -> list[str]:
    return [module for module, source in sources.items() if not (ast.get_docstring(ast.parse(source)) or "").strip()]


# -- the emulator keeps its shape -----------------------------------------------------------------------------


def test_the_known_modules_are_the_package() -> None:
    # A new module must be placed in a layer here (domain, surface, HTTP plumbing or below), or the rules skip it.
    below = {
        "__init__",
        "_clock",
        "_errors",
        "_faults",
        "_ids",
        "_jsontext",
        "_model",
        "_money",
        "_networks",
        "_redaction",
        "_samples",
        "_store",
        "_views",
    }
    assert set(read_package()) == DOMAIN | HTTP_MODULES | PROXY_CHECKS | WORKERS | TOOLS | below


def test_surfaces_stand_side_by_side_over_a_domain_without_http() -> None:
    assert layer_violations(read_package()) == []


def test_the_package_has_no_import_cycle() -> None:
    assert import_cycles(read_package()) == []


def test_only_the_domain_and_the_store_speak_sql() -> None:
    assert sql_outside_owners(read_package()) == []


def test_no_module_is_over_400_lines_and_each_says_what_it_owns() -> None:
    sources = read_package()
    assert oversized(sources) == []
    assert undocumented(sources) == []


# -- each rule fails on a package that breaks it --------------------------------------------------------------


def test_a_surface_importing_another_is_reported() -> None:
    sources = {
        "_api": "from cpay_emulator._cashier import cashier_url\n",
        "_control": "from cpay_emulator import _api\n",
        "_cashier": "import cpay_emulator._views\n",
    }
    assert layer_violations(sources) == ["_api imports the surface _cashier", "_control imports the surface _api"]


def test_a_domain_module_with_http_is_reported() -> None:
    sources = {
        "_orders": "from starlette.responses import JSONResponse\nfrom cpay_emulator._wire import envelope\n",
        "_views": "from cpay_emulator._ledger import Ledger\n",
        "_ledger": "from cpay_emulator._app import create_app\n",
        "_lifecycle": "from cpay_emulator._faults import Faults\n",
    }
    assert layer_violations(sources) == [
        "_orders (domain) imports _wire",
        "_orders (domain) imports starlette",
        "_views imports _ledger",
        "_ledger (domain) imports _app",
        "_ledger imports _app (only the package, the CLI and the tools may)",
        "_lifecycle (domain) imports _faults",
    ]


def test_the_emulator_importing_its_own_test_tools_is_reported() -> None:
    sources = {
        "_api": "from cpay_emulator.testing import CPayEmulator\n",
        "testing": "from cpay_emulator._inprocess import EmulatorThread\nfrom cpay_emulator._app import create_app\n",
        "__init__": "from cpay_emulator import pytest_plugin\n",
    }
    assert layer_violations(sources) == [
        "_api imports the tool testing",
        "__init__ imports the tool pytest_plugin",
    ]


def test_a_proxy_module_with_emulator_state_or_checks_with_http_are_reported() -> None:
    sources = {
        "_proxy": "from cpay_emulator._service import Emulator\nfrom cpay_emulator._api import HANDLERS\n",
        "_inspection": (
            "import httpx\nfrom cpay_emulator._wire import envelope\nfrom cpay_emulator._spec import Operation\n"
        ),
        "_replay": "from cpay_emulator._store import Store\n",
        "_proxy_cli": "from cpay_emulator._app import create_proxy_app\n",
    }
    assert layer_violations(sources) == [
        "_proxy imports the surface _api",
        "_proxy (proxy) imports the emulator's _service",
        "_inspection (proxy checks) imports _wire",
        "_inspection (proxy checks) imports httpx",
        "_replay (proxy) imports the emulator's _store",
    ]


def test_an_import_cycle_is_reported() -> None:
    sources = {"_a": "from cpay_emulator._b import x\n", "_b": "from cpay_emulator import _a\n", "_c": ""}
    assert import_cycles(sources) == ["_a", "_b"]


@pytest.mark.parametrize(
    "source",
    [
        "COUNT = \"SELECT COUNT(*) FROM webhooks WHERE state = 'pending'\"\n",
        'Q = f"DELETE FROM {table}"\n',
        "def f(c):\n    c.executemany(statement, rows)\n",
        'S = """\nCREATE TABLE IF NOT EXISTS t (a TEXT);\n"""\n',
        'U = "UPDATE orders SET status = ?"\n',
    ],
)
def test_sql_outside_the_domain_is_reported(source: str) -> None:
    assert len(sql_outside_owners({"_control": source, "_orders": source})) == 1


def test_words_that_only_look_like_sql_are_not_reported() -> None:
    sources = {"_api": '"""Select a currency from the list; update the page."""\nX = "insert the card"\n'}
    assert sql_outside_owners(sources) == []


def test_an_oversized_or_undocumented_module_is_reported() -> None:
    sources = {"_big": '"""Big."""\n' + "x = 1\n" * MAX_LINES, "_bare": "x = 1\n"}
    assert oversized(sources) == ["_big: 401 lines"]
    assert undocumented(sources) == ["_bare"]
