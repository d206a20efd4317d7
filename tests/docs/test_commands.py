"""The shell commands of the README and the docs site that are this repo's are ones it accepts (``commands.py``).

``test_examples.py`` checks them document by document, in the pass that runs the Python blocks; here the checker
itself: each kind of command it reads, the mistakes it refuses (with the command's line), and what it leaves alone.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from .commands import SHELL_LANGUAGES, BrokenCommandError, Command, check_commands, makefile
from .examples import DOCUMENTS, BrokenExampleError, run_document


def write(tmp_path: Path, text: str) -> Path:
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    return page


def console(tmp_path: Path, *lines: str, language: str = "console") -> Path:
    """A page whose shell block starts on line 4 (its fence on line 3)."""
    return write(tmp_path, f"# A page\n\n```{language}\n" + "\n".join(lines) + "\n```\n")


def refused(tmp_path: Path, *lines: str) -> BrokenCommandError:
    with pytest.raises(BrokenCommandError) as raised:
        check_commands(console(tmp_path, *lines))
    return raised.value


def test_the_readme_and_the_site_have_commands_of_each_kind_to_check() -> None:
    checked = Counter(command.kind for path in DOCUMENTS for command in check_commands(path))
    assert checked["cpay-emulator"] >= 12
    assert checked["make"] >= 15
    assert checked["curl"] >= 15


def test_a_broken_cli_command_fails_the_document_with_its_line(tmp_path: Path) -> None:
    page = console(tmp_path, ".venv/bin/cpay-emulator serve --port 0", "cpay-emulator serve --no-such-option")
    with pytest.raises(
        BrokenExampleError,
        match=r"page.md, line 5: `cpay-emulator serve --no-such-option`: "
        r"cpay-emulator: error: unrecognized arguments: --no-such-option",
    ):
        run_document(page)


def test_a_documents_commands_are_checked_with_its_python_blocks(tmp_path: Path) -> None:
    page = write(
        tmp_path,
        "```python\nanswer = 42\n```\n\n"
        '```console\n$ make test\n$ curl localhost:8000/_emulator/health\n{"code": 0}\n```\n',
    )
    outcome = run_document(page)
    assert outcome.ran == [1, 5]
    assert outcome.commands == [
        Command(6, "make", "make test"),
        Command(7, "curl", "curl localhost:8000/_emulator/health"),
    ]


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("cpay-emulator orders refund 1", r"cpay-emulator orders: error: argument VERB: invalid choice: 'refund'"),
        ("cpay-emulator serve --port eighty", r"argument --port: invalid int value: 'eighty'"),
        ("cpay-emulator clock advance soon", r"argument DURATION: not a duration: 'soon'"),
        ("cpay-emulator", r"the following arguments are required: COMMAND"),
    ],
)
def test_the_cli_refuses_an_unknown_verb_or_value(tmp_path: Path, command: str, problem: str) -> None:
    error = refused(tmp_path, "cpay-emulator serve", command)
    assert error.line == 5
    assert re.search(f"^`{re.escape(command)}`: .*{problem}", str(error))  # the message is argparse's own


def test_the_cli_is_parsed_not_run(tmp_path: Path) -> None:
    page = console(
        tmp_path,
        "cpay-emulator --help",
        "cpay-emulator serve --port 1 --db :memory: --merchant 20003092:my-secret:http://127.0.0.1:8080/hook \\",
        "    --order-ttl 15m --hold-webhooks   # nothing listens on port 1 afterwards",
        "cpay-emulator clock advance 15m",
    )
    assert [(command.line, command.kind) for command in check_commands(page)] == [
        (4, "cpay-emulator"),
        (5, "cpay-emulator"),
        (7, "cpay-emulator"),
    ]


def test_the_environment_of_a_cli_command_is_its_prefix_and_its_blocks_exports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--merchant ID`` reads its secret from ``CPAY_SECRET_KEY``: the reader's, not this test run's."""
    monkeypatch.setenv("CPAY_SECRET_KEY", "the-test-runs-own")
    replay = "cpay-emulator replay traffic.jsonl --url http://127.0.0.1:8000 --merchant 20000000"
    error = refused(tmp_path, replay)
    assert "no secret given and CPAY_SECRET_KEY is empty" in str(error)
    assert len(check_commands(console(tmp_path, f"CPAY_SECRET_KEY=demo {replay}"))) == 1
    assert len(check_commands(console(tmp_path, "export CPAY_SECRET_KEY=demo", replay))) == 1
    assert "CPAY_SECRET_KEY is empty" in str(refused(tmp_path, "CPAY_SECRET_KEY=demo true", replay))


def test_make_refuses_a_target_or_variable_the_makefile_does_not_have(tmp_path: Path) -> None:
    assert {"test", "lint", "docs", "conformance", "emulator", "generate", "help"} <= makefile().targets
    assert {"STRICT", "SEED", "BASE_URL", "ARGS", "BUMP"} <= makefile().variables
    error = refused(tmp_path, "make conformance STRICT=1 SEED=3", "make tests")
    assert error.line == 5
    assert "`make tests`: no target 'tests' in the Makefile (its targets: bench, check-generated," in str(error)
    error = refused(tmp_path, "make conformance STRICTT=1")
    assert str(error) == "`make conformance STRICTT=1`: the Makefile reads no variable STRICTT"


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("curl localhost:8000/_emulator/orders/<orderId>/refund", "no path of control-openapi.yaml or openapi.yaml"),
        ("curl localhost:8000/_emulator/reset", r"control-openapi.yaml has no GET /_emulator/reset \(only POST\)"),
        ("curl -X PUT http://127.0.0.1:8000/_emulator/clock", r"has no PUT /_emulator/clock \(only GET\)"),
        ("curl -d '{}' localhost:8000/_emulator/faults", r"has no POST /_emulator/faults \(only DELETE, GET\)"),
        ("curl -d merchantId=1 https://sandbox-api.cpay.ltd/openapi/v1/getMerchantBalance", "openapi.yaml has no POST"),
    ],
)
def test_curl_refuses_a_request_that_is_no_operation_of_the_specs(tmp_path: Path, command: str, problem: str) -> None:
    with pytest.raises(BrokenCommandError, match=problem):
        check_commands(console(tmp_path, command))


def test_curl_of_an_operation_is_accepted_with_its_method(tmp_path: Path) -> None:
    page = console(
        tmp_path,
        "curl -X POST 'localhost:8000/_emulator/orders/<orderId>/pay' -d '{\"amount\": \"5\"}'",
        "curl localhost:8000/_emulator/reset -d '{}'; curl -sS localhost:8000/_emulator/webhooks/settings",
        "curl -XDELETE localhost:8000/_emulator/faults && curl -I http://127.0.0.1:8000/docs",
        "curl 'https://sandbox-api.cpay.ltd/openapi/v1/getMerchantBalance?merchantId=20000092&sign=...'",
    )
    assert [command.line for command in check_commands(page)] == [4, 5, 5, 6, 7]


def test_other_commands_and_output_are_left_alone(tmp_path: Path) -> None:
    page = console(
        tmp_path,
        "$ pip install cpay-no-such-distribution",
        "$ tools/node_modules/.bin/prism proxy openapi.yaml http://127.0.0.1:<port> -p 4010",
        "$ curl https://example.com/_api/nothing",
        "cpay-emulator listening on http://127.0.0.1:8000 (not a prompt: output)",
        "make: *** No rule to make target 'tests'.  Stop.",
        "$ # cpay-emulator serve --no-such-option, in a comment",
        "$ export PATH=.venv/bin:$PATH; echo it's output below",
    )
    assert check_commands(page) == []


@pytest.mark.parametrize("language", SHELL_LANGUAGES)
def test_every_shell_language_is_checked(tmp_path: Path, language: str) -> None:
    with pytest.raises(BrokenCommandError, match="unrecognized arguments: --no-such-option"):
        check_commands(console(tmp_path, "cpay-emulator serve --no-such-option", language=language))


def test_an_invisible_block_is_checked_too(tmp_path: Path) -> None:
    page = write(tmp_path, "<!-- invisible-code-block: console\nmake\nmake no-such-target\n-->\n")
    with pytest.raises(BrokenCommandError, match="no target 'no-such-target'") as raised:
        check_commands(page)
    assert raised.value.line == 3


def test_a_skip_marker_applies_to_the_shell_block_after_it(tmp_path: Path) -> None:
    page = write(
        tmp_path,
        '<!-- skip: next "a verb of a later release" -->\n\n```console\ncpay-emulator orders refund 1\n```\n\n'
        "```python\nanswer = 42\n```\n",
    )
    assert check_commands(page) == []
    outcome = run_document(page)
    assert outcome.skipped == [(3, "a verb of a later release")]
    assert outcome.ran == [7]


def test_a_shell_block_skipped_without_a_reason_is_refused(tmp_path: Path) -> None:
    page = write(tmp_path, "<!-- skip: next -->\n\n```console\ncpay-emulator orders refund 1\n```\n")
    with pytest.raises(BrokenExampleError, match=r"lines \[3\] were skipped without saying why"):
        run_document(page)
