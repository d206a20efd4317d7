"""``cpay-emulator``: its help, its start-up output and its one-line request log."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cpay_emulator import DEMO_MERCHANT_ID, DEMO_SECRET_KEY
from cpay_emulator.cli.main import main

BIN = Path(sys.executable).parent


def test_help_documents_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for option in (
        "--host",
        "--port",
        "--db",
        "--merchant",
        "--quiet",
        "--webhook-format",
        "--webhook-statuses",
        "--webhook-types",
        "--webhook-accept",
        "--webhook-schedule",
    ):
        assert option in text
    assert ":memory:" in text


def test_a_malformed_merchant_option_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--merchant", "no-secret"])
    assert exited.value.code == 2
    assert "ID:SECRET" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "value", "complaint"),
    [
        ("--webhook-schedule", "0,soon", "not a duration"),
        ("--webhook-schedule", ",".join(["1"] * 101), "1 to 100 intervals"),
        ("--webhook-accept", "OK,,success", "non-blank"),
        ("--webhook-statuses", "some", "invalid choice"),
        ("--webhook-format", "xml", "invalid choice"),
    ],
)
def test_a_webhook_option_no_server_would_have_is_refused_before_serving(
    capsys: pytest.CaptureFixture[str], option: str, value: str, complaint: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", option, value])
    assert exited.value.code == 2
    assert complaint in capsys.readouterr().err


def test_serve_prints_url_and_demo_credentials_and_logs_each_request(tmp_path: Path) -> None:
    command = [str(BIN / "cpay-emulator"), "serve", "--port", "0", "--db", str(tmp_path / "cli.db")]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    try:
        assert process.stdout is not None
        assert process.stderr is not None
        banner = [process.stdout.readline() for _ in range(4)]
        match = re.search(r"listening on (http://127\.0\.0\.1:(\d+))", banner[0])
        assert match is not None, banner
        assert int(match.group(2)) > 0  # --port 0 prints the port it got
        assert f"merchant: {DEMO_MERCHANT_ID} secret: {DEMO_SECRET_KEY}" in "".join(banner)
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(f"{match.group(1)}/openapi/v1/getMerchantBalance", params={"merchantId": "1"}, timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        line = process.stderr.readline()
        assert re.search(r"127\.0\.0\.1 GET /openapi/v1/getMerchantBalance 200 code=10101 [0-9.]+ms$", line.strip()), (
            line
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
