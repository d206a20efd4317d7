"""A fake C-Pay for the generated client: an ``httpx.MockTransport`` that checks what went on the wire.

The fake checks the wire contract (``merchantId`` and ``sign`` in the query string, GET and POST alike, and a
POST's own parameters in its form body), recomputes ``sign`` over both with ``cpay.compute_sign``,
checks that every parameter is the spec's request example, and answers with the spec's own response example.
Examples are read from ``openapi.yaml``, so there is one source of truth.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import yaml

from cpay import CPayAuth, araise_for_business_error, compute_sign, raise_for_business_error
from cpay_client import Client
from cpay_emulator.shared.refs import References

ROOT = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
REFERENCES = References(SPEC)
BASE_URL = "https://sandbox-api.cpay.ltd"
MERCHANT_ID = "20003092"
SECRET_KEY = "z6h3cuw9grtbun9sgg5u1j35u72hycq0"  # the document's PHP demo key, not a real secret
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Operation:
    """One operation of the spec, with its request and response examples."""

    operation_id: str
    method: str
    path: str
    spec: Mapping[str, Any]

    def request_example(self) -> dict[str, Any]:
        """The request's parameters: the body example (POST) or every parameter's ``example`` (GET)."""
        if self.method == "post":
            body = self.spec["requestBody"]["content"][FORM]
            return dict(body["examples"]["document"]["value"])
        return {parameter["name"]: parameter["example"] for parameter in self.parameters()}

    def parameters(self) -> list[Mapping[str, Any]]:
        return [REFERENCES.resolve(parameter) for parameter in self.spec.get("parameters", [])]

    def response_example(self, name: str | None = None) -> dict[str, Any]:
        """The HTTP 200 example called ``name`` (the first one when not given)."""
        examples = self.spec["responses"]["200"]["content"]["application/json"]["examples"]
        example: dict[str, Any] = examples[name or next(iter(examples))]["value"]
        return example


def _operations() -> dict[str, Operation]:
    found = {}
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            found[operation["operationId"]] = Operation(operation["operationId"], method, path, operation)
    return found


OPERATIONS = _operations()


def wire_text(value: object) -> str:
    """How a JSON example value travels in a query string or form body."""
    return str(value)


@dataclass
class FakeCPay:
    """``httpx.MockTransport`` handler for one operation; any mismatch fails the test inside the call."""

    operation: Operation
    answer: Mapping[str, Any]
    requests: list[dict[str, str]] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.method == self.operation.method.upper()
        assert request.url.path == self.operation.path
        query = _pairs(request.url.query.decode("ascii"))
        if request.method == "GET":
            assert not request.content, "a GET carries its parameters in the query string"
            body: list[tuple[str, str]] = []
        else:
            assert request.headers["content-type"] == FORM
            body = _pairs(request.content.decode("ascii"))
            assert [name for name, _ in query] == ["merchantId", "sign"], "a POST's query string holds the credentials"
        assert [name for name, _ in query][-2:] == ["merchantId", "sign"], "the credentials travel in the query string"
        assert not {"merchantId", "sign"} & {name for name, _ in body}, "no credentials in the form body"
        pairs = query + body
        params = dict(pairs)
        assert len(params) == len(pairs), f"a parameter is repeated: {pairs}"
        sign = params.pop("sign")
        assert sign == compute_sign(params, SECRET_KEY), "sign does not match the parameters on the wire"
        assert params.pop("merchantId") == MERCHANT_ID
        expected = {name: wire_text(value) for name, value in self.operation.request_example().items()}
        assert params == expected
        self.requests.append(params)
        return httpx.Response(200, json=self.answer)


def _pairs(wire: str) -> list[tuple[str, str]]:
    """Decode a query string or form body with the stdlib, independently of the signer's own decoding."""
    return parse_qsl(wire, keep_blank_values=True, strict_parsing=bool(wire), encoding="utf-8", errors="strict")


ClientFactory = Callable[..., Client]


@pytest.fixture
def fake_cpay_client() -> Iterator[ClientFactory]:
    """Build a generated ``Client`` signed by ``CPayAuth`` whose sync and async calls go to a ``FakeCPay``.

    ``business_error_hooks`` installs ``raise_for_business_error`` as ``create_client`` users get it.
    """
    clients: list[Client] = []

    def build(fake: FakeCPay, *, business_error_hooks: bool = False, secret_key: str = SECRET_KEY) -> Client:
        auth = CPayAuth(MERCHANT_ID, secret_key)
        client = Client(base_url=BASE_URL, raise_on_unexpected_status=True)
        client.set_httpx_client(
            httpx.Client(
                base_url=BASE_URL,
                auth=auth,
                transport=httpx.MockTransport(fake),
                event_hooks={"response": [raise_for_business_error] if business_error_hooks else []},
            )
        )
        client.set_async_httpx_client(
            httpx.AsyncClient(
                base_url=BASE_URL,
                auth=auth,
                transport=httpx.MockTransport(fake),
                event_hooks={"response": [araise_for_business_error] if business_error_hooks else []},
            )
        )
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.get_httpx_client().close()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits between retries, recorded instead of slept (sync and async); jitter is 0 unless a test sets it."""
    from cpay import _retry

    waited: list[float] = []

    def sleep(seconds: float) -> None:
        waited.append(seconds)

    async def async_sleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(_retry, "sleep", sleep)
    monkeypatch.setattr(_retry, "async_sleep", async_sleep)
    monkeypatch.setattr(_retry, "jitter", lambda: 0.0)
    return waited
