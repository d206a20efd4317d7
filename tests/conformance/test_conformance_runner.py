"""``make conformance``'s runner: what it asks ``st run`` for, and the CLI wiring end to end (hooks file, auth)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from conftest import FAKE_MERCHANT_ID, FAKE_SECRET, make_fake_app, write_changed_spec

from cpay_conformance import REPO_ROOT, Target
from cpay_conformance._coverage import EmulatorCoverage
from cpay_conformance._runner import (
    RunOptions,
    _judged,
    build_command,
    links_within,
    main,
    running_emulator,
    seeded_app,
)
from cpay_emulator.testing.control_client import EmulatorHealth

REMOTE_ENV = {"CPAY_TARGET": "remote", "CPAY_MERCHANT_ID": "42", "CPAY_SECRET_KEY": "remote-secret"}


def test_a_remote_run_is_read_only_unless_writes_are_opted_in() -> None:
    read_only = build_command(RunOptions(), "https://sandbox-api.cpay.ltd", Target.from_env(REMOTE_ENV))
    assert read_only[read_only.index("--include-method") + 1] == "GET"
    assert read_only[read_only.index("--phases") + 1] == "examples,coverage,fuzzing"  # every link starts at a POST
    writing = build_command(RunOptions(), "https://x", Target.from_env({**REMOTE_ENV, "CPAY_WRITE": "1"}))
    assert "--include-method" not in writing
    assert "--phases" not in writing


def test_the_command_line_never_carries_the_secret() -> None:
    command = build_command(RunOptions(seed=5), "https://x", Target.from_env(REMOTE_ENV))
    assert "remote-secret" not in " ".join(command)
    assert command[command.index("--seed") + 1] == "5"
    assert "junit,html" in command


def test_a_remote_target_needs_credentials() -> None:
    with pytest.raises(ValueError, match="CPAY_MERCHANT_ID and CPAY_SECRET_KEY"):
        Target.from_env({"CPAY_TARGET": "remote"})


def test_extra_business_codes_are_read_from_the_environment() -> None:
    target = Target.from_env({**REMOTE_ENV, "CPAY_BUSINESS_CODES": "7, 8", "CPAY_SIGN_ERROR_CODES": "401"})
    assert target.codes.accepts_valid_input(7)
    assert target.codes.accepts_valid_input(90751015)
    assert not target.codes.accepts_valid_input(9)
    assert target.codes.is_signature_error(401)
    assert not target.codes.is_signature_error(7)
    with pytest.raises(ValueError, match="CPAY_BUSINESS_CODES"):
        Target.from_env({**REMOTE_ENV, "CPAY_BUSINESS_CODES": "x"})


def test_the_emulator_runs_on_a_free_loopback_port_and_stops(emulator_app: Any) -> None:
    with running_emulator(emulator_app) as base_url:
        assert urlsplit(base_url).hostname == "127.0.0.1"
        assert httpx.get(f"{base_url}/openapi/v1/getMerchantBalance").json()["code"] == 10101
        port = urlsplit(base_url).port
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port or 0))


def _run_cli(base_url: str, report_dir: Path, *st_options: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT / "tests" / "conformance"),
        "CPAY_MERCHANT_ID": FAKE_MERCHANT_ID,
        "CPAY_SECRET_KEY": FAKE_SECRET,
    }
    command = [sys.executable, "-m", "cpay_conformance", "--base-url", base_url, "--max-examples", "5"]
    command += ["--seed", "1", "--report-dir", str(report_dir), "--", "--phases", "examples,coverage,fuzzing"]
    return subprocess.run(
        [*command, *st_options], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.slow
def test_st_run_through_the_hooks_file_passes_a_correct_server_and_fails_a_broken_one(tmp_path: Path) -> None:
    with running_emulator(make_fake_app()) as base_url:
        passed = _run_cli(base_url, tmp_path / "ok", "--include-operation-id", "getWalletAddress")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert (tmp_path / "ok" / "junit.xml").is_file()
    assert (tmp_path / "ok" / "html" / "index.html").is_file()

    with running_emulator(make_fake_app(check_sign=False)) as base_url:
        failed = _run_cli(base_url, tmp_path / "broken", "--include-operation-id", "getWalletAddress")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "API accepts a request without merchantId and sign" in failed.stdout
    assert FAKE_SECRET not in failed.stdout + failed.stderr


def test_the_destination_behind_a_proxy_is_read_from_the_environment() -> None:
    target = Target.from_env({**REMOTE_ENV, "CPAY_DESTINATION_URL": "https://sandbox-api.cpay.ltd"})
    assert target.destination == "https://sandbox-api.cpay.ltd"
    assert Target.from_env(REMOTE_ENV).destination == ""


@pytest.mark.slow
def test_a_run_through_the_proxy_passes_against_the_emulator_and_adds_the_proxy_s_reports(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tests" / "conformance")}
    command = [sys.executable, "-m", "cpay_conformance", "--proxy", "--max-examples", "3", "--seed", "1"]
    command += ["--report-dir", str(tmp_path / "conformance"), "--proxy-report-dir", str(tmp_path / "proxy")]
    command += ["--", "--phases", "examples,coverage", "--include-operation-id", "createOrder"]
    completed = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "conformance: through the validating proxy at http://127.0.0.1:" in completed.stdout
    assert "0 response violation(s)" in completed.stdout
    assert {path.name for path in (tmp_path / "proxy").iterdir()} == {
        "exchanges.jsonl",
        "proxy-junit.xml",
        "proxy-report.md",
    }
    assert "| createOrder |" in (tmp_path / "proxy" / "proxy-report.md").read_text(encoding="utf-8")


# -- OPERATIONS=..., STRICT=1 (issue 13) --------------------------------------------------------------------------


def test_operations_limit_the_run_and_keep_the_stateful_phase_only_with_a_link_between_them() -> None:
    target = Target.emulator()
    alone = build_command(RunOptions(operations=("getMerchantBalance",)), "http://127.0.0.1:1", target)
    assert alone[alone.index("--include-operation-id") + 1] == "getMerchantBalance"
    assert alone[alone.index("--phases") + 1] == "examples,coverage,fuzzing"
    linked = build_command(RunOptions(operations=("createOrder", "getOrderDetail")), "http://127.0.0.1:1", target)
    assert [linked[i + 1] for i, part in enumerate(linked) if part == "--include-operation-id"] == [
        "createOrder",
        "getOrderDetail",
    ]
    assert "--phases" not in linked
    assert "--include-operation-id" not in build_command(RunOptions(), "http://127.0.0.1:1", target)


def test_links_within_follows_named_links_of_the_spec() -> None:
    assert links_within(["createOrder", "getOrderDetail"])
    assert links_within(["exchange", "getMerchantBalance"])
    assert not links_within(["createOrder"])
    assert not links_within(["getWalletAddress", "getMerchantBalance"])


def test_an_unknown_operation_is_refused_before_anything_runs(capsys: Any) -> None:
    assert main(["--operations", "createOrder,createCryptoOrder"]) == 2
    assert "openapi.yaml has no operation createCryptoOrder" in capsys.readouterr().err


HEALTH = {
    "status": "ok",
    "pendingWebhooks": 0,
    "notModeled": [
        {
            "operationId": "createCryptoOrder",
            "method": "POST",
            "path": "/openapi/v1/createCryptoOrder",
            "answer": "example",
            "problem": None,
            "answered": 3,
        }
    ],
    "unfilledFields": [{"operationId": "getMerchantBalance", "field": "data[].pendingBalance"}],
}


def test_the_coverage_is_read_from_the_health_and_said_plainly() -> None:
    coverage = EmulatorCoverage.from_health(EmulatorHealth.from_data(HEALTH))
    assert coverage.describe(counts=True) == [
        "conformance: 1 operation of openapi.yaml not modeled by the emulator, served statelessly from the spec:",
        "  createCryptoOrder (POST /openapi/v1/createCryptoOrder): the spec's example, 3 answers",
        "conformance: 1 response field of openapi.yaml the emulator never fills:",
        "  getMerchantBalance: data[].pendingBalance",
    ]
    failure = coverage.strict_failure()
    assert failure is not None
    assert failure.startswith(
        "conformance: STRICT: failing: 1 operation served statelessly (createCryptoOrder) and "
        "1 response field never filled (getMerchantBalance data[].pendingBalance)."
    )
    whole = EmulatorCoverage.from_health(EmulatorHealth.from_data({**HEALTH, "notModeled": [], "unfilledFields": []}))
    assert whole.strict_failure() is None
    assert whole.describe(counts=False) == [
        "conformance: the emulator models every operation and response field of openapi.yaml"
    ]


def test_strict_fails_a_run_on_a_spec_the_emulator_does_not_model_whole(
    tmp_path: Path, emulator_target: Target, capsys: Any
) -> None:
    spec = write_changed_spec(tmp_path / "openapi.yaml", add_operation=True, add_balance_field=True)
    with running_emulator(seeded_app(emulator_target, spec)) as base_url:
        assert _judged(RunOptions(), 0, base_url) == 0
        lenient = capsys.readouterr()
        assert _judged(RunOptions(strict=True), 0, base_url) == 1
        strict = capsys.readouterr()
        assert _judged(RunOptions(strict=True), 2, base_url) == 2  # Schemathesis's own failure is kept
    assert "  createCryptoOrder (POST /openapi/v1/createCryptoOrder): the spec's example, 0 answers" in lenient.out
    assert "  getMerchantBalance: data[].pendingBalance" in lenient.out
    assert lenient.err == ""
    assert "conformance: STRICT: failing: 1 operation served statelessly (createCryptoOrder)" in strict.err


def test_strict_passes_the_repository_spec_and_says_what_it_cannot_check(emulator_app: Any, capsys: Any) -> None:
    with running_emulator(emulator_app) as base_url:
        assert _judged(RunOptions(strict=True), 0, base_url) == 0
    assert "the emulator models every operation and response field of openapi.yaml" in capsys.readouterr().out
    assert _judged(RunOptions(strict=True), 0, None) == 0  # a deployment
    assert "STRICT applies to the emulator" in capsys.readouterr().out
    with running_emulator(make_fake_app()) as base_url:  # on loopback, but not the emulator: no health
        assert _judged(RunOptions(strict=True), 0, base_url) == 2
        assert _judged(RunOptions(), 0, base_url) == 0
    assert "STRICT: cannot tell what the emulator models" in capsys.readouterr().err
