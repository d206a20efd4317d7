"""What the proxy says of the vendor's wire: where the credentials travelled (recorded, never a violation: C-Pay
reads both places), and a parameter name that C-Pay's binder would silently ignore (a violation)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sdk_calls import CALLS, form_example

from cpay import CredentialsPlacement, compute_sign
from cpay_emulator.proxy.recording import read_recording

from .conftest import MERCHANT_ID, SECRET_KEY, client_of, proxy_for, sdk_client_of, violations_of


@pytest.mark.parametrize("credentials_in", ["query", "body"])
def test_the_sdk_s_traffic_in_either_placement_breaks_nothing_and_its_placement_is_recorded(
    emulator_app: Any, tmp_path: Path, credentials_in: CredentialsPlacement
) -> None:
    recording = tmp_path / "traffic.jsonl"
    proxy = proxy_for(emulator_app, record=recording)

    async def run() -> list[tuple[str, int, list[Any]]]:
        seen: list[tuple[str, int, list[Any]]] = []
        async with sdk_client_of(proxy, credentials_in=credentials_in) as client:
            for call in CALLS:
                response = await call.asend(client)
                seen.append((call.label, response.status_code, violations_of(response)))
        await proxy.aclose()
        return seen

    answers = asyncio.run(run())
    assert [violations for _, _, violations in answers] == [[]] * len(CALLS), answers
    placements = {(line["method"], line["credentials"]) for line in read_recording(recording)}
    expected_post = "body" if credentials_in == "body" else "query"
    assert placements == {("GET", "query"), ("POST", expected_post)}


def _signed_order_form(**extra: str) -> dict[str, str]:
    form = {name: str(value) for name, value in form_example("createOrder").items()}
    form = {**form, **extra, "merchantId": MERCHANT_ID}
    form["sign"] = compute_sign(form, SECRET_KEY)
    return form


def test_a_lowercase_callbackURL_is_reported_naming_callBackURL(emulator_app: Any) -> None:
    proxy = proxy_for(emulator_app)

    async def run() -> list[dict[str, Any]]:
        async with client_of(proxy) as client:
            response = await client.post(
                "/openapi/v1/createOrder", data=_signed_order_form(callbackURL="https://shop.example/hook")
            )
        await proxy.aclose()
        assert response.json()["code"] == 0  # C-Pay takes the order; only the callback URL is lost
        return violations_of(response)

    violations = asyncio.run(run())
    assert [(v["direction"], v["field"]) for v in violations] == [("request", "callbackURL")]
    assert "callBackURL" in violations[0]["message"]
    assert "ignored" in violations[0]["message"]


def test_the_right_spelling_and_an_unrelated_unknown_parameter_are_not_reported(emulator_app: Any) -> None:
    proxy = proxy_for(emulator_app)

    async def run() -> list[dict[str, Any]]:
        form = _signed_order_form(callBackURL="https://shop.example/hook", extInfo='{"a":"x"}')
        async with client_of(proxy) as client:
            response = await client.post("/openapi/v1/createOrder", data=form)
        await proxy.aclose()
        return violations_of(response)

    assert asyncio.run(run()) == []
