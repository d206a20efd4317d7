"""``cpay-emulator proxy`` and ``replay`` as a merchant runs them: real processes, real sockets, real signals.

The proxy sits in front of ``cpay-emulator serve``; the SDK talks to the proxy; on SIGTERM the proxy writes its
reports. The recording it made is replayed to a fresh emulator (same shapes: exit 0) and to the one it was
recorded against (the orders exist already: exit 1). Then 200 concurrent requests over real connections (the
in-process twin of that test is in ``test_proxy_traffic.py``).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from emulator_process import EmulatorProcess
from sdk_calls import CALLS, FUNDED_CURRENCIES, OPERATION_IDS, form_example

from cpay import create_client, sign_request_parameters
from cpay_emulator import ProxyConfig, create_proxy_app, emulator_codes

from .conftest import MERCHANT_ID, SECRET_KEY, signed_query, violations_of

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
STARTUP_SECONDS = 20


class ProxyProcess:
    """``cpay-emulator proxy`` as a child process on a free port; its log (stderr) goes to ``log_path``."""

    def __init__(self, *arguments: str, log_path: Path, env: dict[str, str]) -> None:
        command = [str(BIN / "cpay-emulator"), "proxy", "--host", "127.0.0.1", "--port", "0", *arguments]
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=self._log, text=True, env={**env, "PYTHONUNBUFFERED": "1"}
        )
        assert self.process.stdout is not None
        self.banner: list[str] = []
        deadline = time.monotonic() + STARTUP_SECONDS
        self.url = ""
        while time.monotonic() < deadline and not self.url:
            line = self.process.stdout.readline()
            if not line:
                break
            self.banner.append(line)
            match = re.search(r"listening on (http://\S+)", line)
            if match:
                self.url = match.group(1)
        if not self.url:
            self.stop(signal.SIGKILL)
            raise RuntimeError(f"cpay-emulator proxy did not start: {log_path.read_text()}")
        for _ in range(5):  # the rest of the banner
            self.banner.append(self.process.stdout.readline())

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=20)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()
        return self.process.returncode


def funded(emulator: EmulatorProcess) -> None:
    with emulator.control() as control:
        for currency in FUNDED_CURRENCIES:
            answer = control.put(f"/merchants/{MERCHANT_ID}/balances/{currency}", json={"available": "1000"})
            assert answer.json()["code"] == 0, answer.text


def replay(recording: Path, url: str) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / "cpay-emulator"), "replay", str(recording), "--url", url, "--merchant", MERCHANT_ID]
    env = {**os.environ, "CPAY_SECRET_KEY": SECRET_KEY}
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False, env=env)


def test_the_cli_proxy_checks_the_sdk_s_traffic_records_it_and_reports_on_sigterm_and_replay_compares(
    tmp_path: Path,
) -> None:
    recording, reports = tmp_path / "traffic.jsonl", tmp_path / "reports"
    env = {**os.environ, "CPAY_SECRET_KEY": SECRET_KEY}  # --merchant ID alone: the secret stays off the command line
    with EmulatorProcess("--db", ":memory:", "--quiet") as emulator:
        funded(emulator)
        proxy = ProxyProcess(
            "--upstream",
            emulator.base_url,
            "--merchant",
            MERCHANT_ID,
            "--record",
            str(recording),
            "--report-dir",
            str(reports),
            log_path=tmp_path / "proxy.log",
            env=env,
        )
        try:
            assert any("envelope codes: emulator" in line for line in proxy.banner)  # --codes auto found it
            with create_client(
                proxy.url, merchant_id=MERCHANT_ID, secret_key=SECRET_KEY, raise_business_errors=False
            ) as client:
                clean = [violations_of(call.send(client)) for call in CALLS]
            wrong = httpx.get(f"{proxy.url}/openapi/v1/getWalletAddress?{signed_query('userId=1', 'bad')}")
        finally:
            # uvicorn shuts down cleanly (the app writes its reports), then re-raises the signal it caught.
            assert proxy.stop() in (0, -signal.SIGTERM)
        assert clean == [[]] * len(CALLS)
        assert {v["field"] for v in violations_of(wrong)} == {"sign"}
        log = proxy.log_path.read_text(encoding="utf-8")
        assert len(re.findall(r"exchange=\d+ ", log)) == len(CALLS) + 1  # one line per exchange
        assert SECRET_KEY not in log
        assert not re.search(r"[0-9a-f]{64}", log)  # no sign
        suite = ElementTree.parse(reports / "proxy-junit.xml").getroot()
        assert suite.get("failures") == "1"  # getWalletAddress's request
        assert {case.get("classname") for case in suite.iter("testcase")} == OPERATION_IDS
        assert "getWalletAddress" in (reports / "proxy-report.md").read_text(encoding="utf-8")
        again = replay(recording, emulator.base_url)  # the orders exist already here
    assert again.returncode == 1, again.stdout + again.stderr
    assert "createOrder: envelope code class: success (code 0) in the recording, error (code 10201) now" in again.stdout
    with EmulatorProcess("--db", ":memory:", "--quiet") as fresh:
        funded(fresh)
        same = replay(recording, fresh.base_url)
    assert same.returncode == 0, same.stdout + same.stderr
    assert f"replayed {len(CALLS) + 1} exchange(s)" in same.stdout
    assert "0 answer(s) differ in shape" in same.stdout
    assert SECRET_KEY not in recording.read_text(encoding="utf-8") + same.stdout + same.stderr


@pytest.mark.parametrize("argument", [["--merchant", "20000000"], ["--upstream", "ftp://x"]])
def test_the_cli_refuses_a_merchant_without_a_secret_or_an_upstream_that_is_not_http(
    argument: list[str], tmp_path: Path
) -> None:
    options = ["--upstream", "http://127.0.0.1:9", *argument] if argument[0] == "--merchant" else argument
    env = {key: value for key, value in os.environ.items() if key != "CPAY_SECRET_KEY"}
    command = [str(BIN / "cpay-emulator"), "proxy", "--port", "0", "--codes", "document", *options]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False, env=env)
    assert completed.returncode == 2
    assert ("CPAY_SECRET_KEY is empty" in completed.stderr) or ("must be an http(s) URL" in completed.stderr)


def test_200_concurrent_requests_over_real_connections_each_get_their_own_answer(
    emulator_app: Any, served: Any
) -> None:
    upstream = served(emulator_app)
    proxy = create_proxy_app(ProxyConfig(upstream=upstream, secrets={MERCHANT_ID: SECRET_KEY}, codes=emulator_codes()))
    proxy_url = served(proxy)
    example = {name: str(value) for name, value in form_example("createOrder").items()}

    async def one(client: httpx.AsyncClient, index: int) -> tuple[int, httpx.Response]:
        fields = {**example, "merchantTradeNo": f"socket-{index}"}
        if index % 2:
            fields["amount"] = f"{index}.123456789"
        query, body = sign_request_parameters(
            b"", urlencode(fields).encode(), merchant_id=MERCHANT_ID, secret_key=SECRET_KEY
        )
        headers = {"content-type": "application/x-www-form-urlencoded"}
        return index, await client.post(f"/openapi/v1/createOrder?{query.decode()}", content=body, headers=headers)

    async def run() -> list[tuple[int, httpx.Response]]:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(base_url=proxy_url, timeout=30, limits=limits) as client:
            return list(await asyncio.wait_for(asyncio.gather(*(one(client, i) for i in range(200))), timeout=60))

    results = asyncio.run(run())
    for index, response in results:
        envelope, violations = response.json(), violations_of(response)
        if index % 2:
            assert [v["field"] for v in violations] == ["amount"]
            assert f"{index}.123456789" in violations[0]["message"]
            assert violations[0]["traceid"] == envelope["traceid"]
        else:
            assert envelope["data"]["merchantTradeNo"] == f"socket-{index}"
            assert violations == []
    assert len({response.headers["x-cpay-exchange"] for _, response in results}) == 200
    assert proxy.log.summary()["violations"] == 100
