"""Run the examples of a Markdown document, as ``test_examples.py`` does for the README and the docs site.

Sybil parses the document: its ```` ```python ```` blocks, its ``<!-- invisible-code-block: python -->`` comments
(which the site does not show: they prepare what a block needs, such as a fault to arm, or check what it did)
and its ``<!-- skip: next "why" -->`` markers. The blocks run in order in one namespace, so a page's blocks tell
one story (an order created in one block is paid in the next). Against what:

* a block that calls the API runs against one in-process emulator per document: a ``CPayEmulator``, the class the
  pytest plugin's fixture gives, in the namespace as ``cpay_emulator``. For the document's run ``cpay.create_client``
  is wrapped so that every client an example makes, whatever it names (``"sandbox"``), goes through that
  emulator's in-process transports; nothing else of it changes. The merchant is the examples' own (``20000092``),
  its secret key in ``secret`` and in ``CPAY_SECRET_KEY`` (``CPAY_MERCHANT_ID`` too);
* a block that defines ``test_*`` functions is a test module of the reader's own: it is written to a scratch
  folder and run there by ``pytest`` in a child process, where the installed plugin provides the real fixtures,
  marker and options. It passes when every test it defines passes.

Its shell blocks (```` ```console ```` and the like) are checked in the same pass, in document order, so a skip
marker before one applies to it: each command of this repo in them (``cpay-emulator``, ``make``, ``curl`` of either
API) is read against the CLI's parser, the Makefile and the specs, and none is run (``commands.py``).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tempfile
import unittest
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
from sybil import Document, Example, Sybil
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.markdown import ClearNamespaceParser, CodeBlockParser, SkipParser

from .commands import BrokenCommandError, Command, ShellCommandChecker, shell_block_parsers

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = (REPO / "README.md", REPO / "sdk" / "README.md", *sorted((REPO / "docs" / "site").rglob("*.md")))
MERCHANT_ID = "20000092"  # the merchant id of the examples (the document's section 16 uses it too)
SECRET = "docs-example-secret"  # the examples' test credential, known only to the in-process emulator
START = 1767225600  # 2026-01-01T00:00:00Z: a frozen clock whose ids repeat from run to run
TEST_MODULE_TIMEOUT = 120
# Plugins of this development environment that a merchant's test run has no reason to load: Schemathesis's and
# Hypothesis's take some 4 s to import, and the child's coverage is not measured. The cpay_emulator plugin stays.
UNRELATED_PLUGINS = ("-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:cov", "-p", "no:cacheprovider")

_run_in_namespace = PythonEvaluator()


@attrs.define
class Outcome:
    """What running a document did: the line of each block run or checked, each block skipped with its reason, and
    each command of this repo its shell blocks hold."""

    ran: list[int] = attrs.Factory(list)
    skipped: list[tuple[int, str]] = attrs.Factory(list)
    commands: list[Command] = attrs.Factory(list)


class BrokenExampleError(AssertionError):
    """An example of a document raised: the document and line say which (the cause is chained)."""


def defines_tests(source: str) -> bool:
    """Whether a block is a test module: it defines a top-level ``test_*`` function."""
    return any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
        for node in ast.parse(source).body
    )


def _child_environment() -> dict[str, str]:
    # Nothing of this run's coverage measurement follows the child (pytest-cov's subprocess hooks).
    return {name: value for name, value in os.environ.items() if not name.startswith(("COV_CORE_", "COVERAGE_"))}


def run_test_module(source: str) -> None:
    """Run ``source`` as ``test_example.py`` with ``pytest`` in a scratch folder; raise unless every test passes."""
    tests = sum(1 for node in ast.parse(source).body if getattr(node, "name", "").startswith("test_"))
    with tempfile.TemporaryDirectory(prefix="cpay-docs-example-") as scratch:
        Path(scratch, "test_example.py").write_text(source, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", *UNRELATED_PLUGINS, "test_example.py"],
            cwd=scratch,
            env=_child_environment(),
            capture_output=True,
            text=True,
            timeout=TEST_MODULE_TIMEOUT,
            check=False,
        )
    assert done.returncode == 0, f"pytest exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    assert f"{tests} passed" in done.stdout, f"expected {tests} passed tests:\n{done.stdout}"


class _Evaluator:
    """A block that defines tests runs under pytest; any other block runs in the document's namespace.

    ``ran`` keeps the line of each block run, so a block that was skipped without a reason is seen.
    """

    def __init__(self) -> None:
        self.ran: list[int] = []

    def __call__(self, example: Example) -> None:
        source = str(example.parsed)
        if defines_tests(source):
            run_test_module(source)
        else:
            _run_in_namespace(example)
        self.ran.append(example.line)


@contextmanager
def in_process_emulator(namespace: dict[str, Any]) -> Iterator[None]:
    """The document's emulator in ``namespace``, and every ``create_client`` bound to it, for the ``with`` block."""
    import cpay
    from cpay_emulator.testing import CPayEmulator, EmulatorOptions

    create_client = cpay.create_client
    made: list[Any] = []

    def create_in_process_client(*arguments: Any, **options: Any) -> Any:
        if "transport" not in options:  # an example that brings its own transport keeps it
            options |= {"transport": emulator.transport, "async_transport": emulator.async_transport}
        client = create_client(*arguments, **options)
        made.append(client)
        return client

    environment = {name: os.environ.get(name) for name in ("CPAY_MERCHANT_ID", "CPAY_SECRET_KEY")}
    with CPayEmulator(EmulatorOptions(merchant_id=MERCHANT_ID, secret_key=SECRET, start=START)) as emulator:
        cpay.create_client = create_in_process_client
        os.environ.update(CPAY_MERCHANT_ID=MERCHANT_ID, CPAY_SECRET_KEY=SECRET)
        namespace.update(cpay_emulator=emulator, secret=SECRET)
        try:
            yield
        finally:
            cpay.create_client = create_client
            for name, value in environment.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            for client in made:  # an example may leave a client open; closing twice is harmless
                client.get_httpx_client().close()


def run_document(path: Path) -> Outcome:
    """Run every example of the Markdown file ``path`` in order; raise ``BrokenExampleError`` at the first that fails.

    Every Python block is either run or skipped with its reason, every shell block checked or skipped with its reason;
    a skip without one raises ``BrokenExampleError`` too. A wrong command of this repo in a shell block raises it with
    the command's own line.
    """
    evaluator = _Evaluator()
    checker = ShellCommandChecker()
    sybil = Sybil(
        parsers=[
            CodeBlockParser(language="python", evaluator=evaluator),
            *shell_block_parsers(checker),
            SkipParser(),
            ClearNamespaceParser(),
        ]
    )
    document: Document = sybil.parse(path)
    blocks = [example.line for example in document.examples() if example.region.evaluator in (evaluator, checker)]
    skipped: list[tuple[int, str]] = []
    with in_process_emulator(document.namespace):
        for example in document.examples():
            try:
                example.evaluate()
            except unittest.SkipTest as skip:
                skipped.append((example.line, str(skip)))
            except BrokenCommandError as error:
                raise BrokenExampleError(f"{path.name}, line {error.line}: {error}") from error
            except Exception as error:
                raise BrokenExampleError(f"{path.name}, line {example.line}: {error!r}") from error
    outcome = Outcome(ran=sorted(evaluator.ran + checker.ran), skipped=skipped, commands=checker.checked)
    silent = sorted(set(blocks) - set(outcome.ran) - {line for line, _ in outcome.skipped})
    if silent:
        raise BrokenExampleError(f"{path.name}: the blocks at lines {silent} were skipped without saying why")
    return outcome
