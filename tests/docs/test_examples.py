"""Every Python example of the README and the docs site runs, against the in-process emulator (``examples.py``).

One test per document: its blocks run in order, in one namespace. The other tests show the runner failing on a
broken example and on a block skipped without a reason, and honouring a skip that gives one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .examples import DOCUMENTS, REPO, BrokenExampleError, run_document


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(REPO)))
def test_every_example_of_the_document_runs(document: Path) -> None:
    outcome = run_document(document)
    assert outcome.skipped == []  # every example of these documents can run; a skip would say why here


def test_the_readme_and_the_site_have_examples_to_run() -> None:
    """The documents are found, and hold the examples this test suite says it runs."""
    assert {path.name for path in DOCUMENTS} >= {"README.md", "install.md", "testing.md", "runtime.md"}
    blocks = sum(path.read_text(encoding="utf-8").count("```python") for path in DOCUMENTS)
    assert blocks >= 20


def write(tmp_path: Path, text: str) -> Path:
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    return page


def test_a_broken_example_fails_with_its_line(tmp_path: Path) -> None:
    page = write(
        tmp_path,
        "# A page\n\n```python\nfrom cpay import compute_sign\n```\n\nThen:\n\n"
        '```python\ncompute_sign({"amount": "1.00"}, secret, "extra")\n```\n',
    )
    with pytest.raises(BrokenExampleError, match=r"page.md, line 9: TypeError"):
        run_document(page)


def test_an_example_that_calls_the_api_runs_against_the_emulator(tmp_path: Path) -> None:
    page = write(
        tmp_path,
        "```python\nfrom cpay import create_client, unwrap\nfrom cpay_client.api.balances import get_merchant_balance\n"
        'with create_client("sandbox", merchant_id="20000092", secret_key=secret) as client:\n'
        "    balances = unwrap(get_merchant_balance.sync(client=client))\n```\n\n"
        '<!-- invisible-code-block: python\nassert {b.crypto_currency for b in balances} >= {"USDT"}\n'
        'assert cpay_emulator.merchant_id == "20000092"\n-->\n',
    )
    assert run_document(page).ran == [1, 8]


def test_a_failing_test_in_an_example_module_fails_the_example(tmp_path: Path) -> None:
    page = write(tmp_path, "```python\ndef test_paid(cpay_emulator):\n    assert cpay_emulator.orders() == [1]\n```\n")
    with pytest.raises(BrokenExampleError, match=r"page.md, line 1: AssertionError\('pytest exited 1"):
        run_document(page)


def test_a_skip_with_a_reason_is_honoured_and_one_without_is_refused(tmp_path: Path) -> None:
    reasoned = write(tmp_path, '<!-- skip: next "it needs the real sandbox" -->\n\n```python\nraise SystemExit\n```\n')
    assert run_document(reasoned).skipped == [(3, "it needs the real sandbox")]
    silent = write(tmp_path, "<!-- skip: next -->\n\n```python\nraise SystemExit\n```\n")
    with pytest.raises(BrokenExampleError, match=r"lines \[3\] were skipped without saying why"):
        run_document(silent)
