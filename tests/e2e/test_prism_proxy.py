"""A third-party validator reads our traffic against our spec: Prism's proxy in front of the emulator.

``prism proxy openapi.yaml <emulator>`` forwards every request to ``cpay-emulator serve`` and reports, in an
``sl-violations`` response header, every way the request or the response breaks ``openapi.yaml``. All twelve
operations go through the generated client built by ``create_client`` (the SDK as a merchant uses it), with
the spec's own request examples, and two business errors (a duplicate ``merchantTradeNo``, an unknown
order): the request set of ``tests/sdk_calls.py``, which the emulator's own proxy is tested with too. No
response may carry a violation: the spec, the SDK and the emulator describe one wire contract. With the
credentials in a POST's body (``credentials_in="body"``, the vendor's clients' way), Prism's only objection is
that placement, which OpenAPI cannot describe.

Each call's envelope ``code`` is checked as well, so a request that never reached an operation (refused for its
signature, say) cannot pass unnoticed. The test skips only where Prism is not installed (``make node``).
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from emulator_process import EmulatorProcess, free_port
from sdk_calls import CALLS, FUNDED_CURRENCIES, OPERATION_IDS, SPEC_PATH, form_example

from cpay import CredentialsPlacement, compute_sign, create_client, sign_request_parameters
from cpay_emulator import DEMO_MERCHANT_ID, DEMO_SECRET_KEY

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / "tools" / "node_modules" / ".bin" / "prism"
STARTUP_SECONDS = 60  # Prism takes 3 to 5 s to start on an idle machine; a busy CI runner more


class PrismProxy:
    """``prism proxy openapi.yaml <upstream>`` as a child process on a free port of 127.0.0.1."""

    def __init__(self, upstream: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [str(PRISM), "proxy", str(SPEC_PATH), upstream, "-h", "127.0.0.1", "-p", str(self.port)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prism proxy exited with {self.process.returncode}: {self._output()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        self.close()
        raise RuntimeError(f"prism proxy did not listen on {self.url} within {STARTUP_SECONDS} s: {self._output()}")

    def _output(self) -> str:
        return self.process.stdout.read().decode("utf-8", "replace")[-2000:] if self.process.stdout else ""

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


@contextlib.contextmanager
def prism_in_front_of_a_funded_emulator() -> Iterator[str]:
    if not PRISM.exists():
        pytest.skip(f"Prism is not installed ({PRISM.relative_to(ROOT)} is missing): run `make node`")
    with EmulatorProcess("--db", ":memory:", "--quiet") as emulator, emulator.control() as control:
        # Funds for the payouts and the exchange of the examples (the demo merchant starts with nothing).
        for currency in FUNDED_CURRENCIES:
            answer = control.put(f"/merchants/{DEMO_MERCHANT_ID}/balances/{currency}", json={"available": "1000"})
            assert answer.json()["code"] == 0, answer.text
        proxy = PrismProxy(emulator.base_url)
        try:
            yield proxy.url
        finally:
            proxy.close()


@pytest.fixture(scope="module")
def prism_url() -> Iterator[str]:
    with prism_in_front_of_a_funded_emulator() as url:
        yield url


def prism_problems(url: str, credentials_in: CredentialsPlacement) -> list[tuple[str, str, str]]:
    """``(call, method, problem)`` for every Prism violation and every unexpected ``code`` of ``CALLS``."""
    problems: list[tuple[str, str, str]] = []
    with create_client(
        url,
        merchant_id=DEMO_MERCHANT_ID,
        secret_key=DEMO_SECRET_KEY,
        raise_business_errors=False,
        credentials_in=credentials_in,
    ) as client:
        for call in CALLS:
            response = call.send(client)
            method = "POST" if "body" in call.arguments() else "GET"
            problems.extend(
                (call.label, method, f"Prism: {'.'.join(map(str, item.get('location', [])))}: {item.get('message')}")
                for item in json.loads(response.headers.get("sl-violations", "[]"))
            )
            code = json.loads(response.content).get("code") if response.status_code == 200 else None
            if code != call.code:
                problems.append(
                    (call.label, method, f"code {code}, expected {int(call.code)}: {response.content[:300]!r}")
                )
    return problems


def test_every_operation_sent_by_the_sdk_through_prism_breaks_nothing_in_the_spec(prism_url: str) -> None:
    assert {call.operation_id for call in CALLS} == OPERATION_IDS
    problems = prism_problems(prism_url, "query")
    assert not problems, "\n".join(map(str, problems))


def test_with_credentials_in_the_body_prism_objects_only_to_where_they_travel() -> None:
    """``credentials_in="body"``, as the vendor's SDKs send a POST: Prism judges everything but the placement.

    An OpenAPI apiKey cannot be ``in`` a form body, so Prism reports each POST's credentials as "Invalid security
    scheme used" and nothing else; the GETs (credentials in the query string either way) break nothing, and
    every call gets the code it should (the emulator, like C-Pay, reads both places).
    """
    with prism_in_front_of_a_funded_emulator() as url:
        problems = prism_problems(url, "body")
    posts = {call.label for call in CALLS if "body" in call.arguments()}
    assert {(label, method) for label, method, _ in problems} == {(label, "POST") for label in posts}
    assert {problem for _, _, problem in problems} == {"Prism: request: Invalid security scheme used"}, problems


def test_prism_reports_credentials_sent_in_a_form_body(prism_url: str) -> None:
    """What the vendor's clients send: the emulator accepts it (C-Pay reads both places); OpenAPI cannot say it."""
    form = {name: str(value) for name, value in form_example("createOrder").items()}
    form = {**form, "merchantTradeNo": "credentials-in-the-body", "merchantId": DEMO_MERCHANT_ID}
    form["sign"] = compute_sign(form, DEMO_SECRET_KEY)
    response = httpx.post(f"{prism_url}/openapi/v1/createOrder", data=form, timeout=30)
    assert response.json()["code"] == 0, response.text
    messages = [item.get("message") for item in json.loads(response.headers.get("sl-violations", "[]"))]
    assert "Invalid security scheme used" in messages, messages


def test_prism_reports_a_missing_required_parameter(prism_url: str) -> None:
    query, _ = sign_request_parameters(b"", None, merchant_id=DEMO_MERCHANT_ID, secret_key=DEMO_SECRET_KEY)
    response = httpx.get(f"{prism_url}/openapi/v1/getWalletAddress?{query.decode()}", timeout=30)
    messages = [str(item.get("message")) for item in json.loads(response.headers.get("sl-violations", "[]"))]
    # Prism lowercases query parameter names in its messages.
    assert any("required property 'userid'" in message.lower() for message in messages), messages
