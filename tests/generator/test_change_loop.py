"""The whole loop of a spec change, on a scratch copy of the repository: edit ``openapi.yaml``, ``make
generate`` (the change report and the version it proposes), ``make check-generated`` (no breaking change under
the same major version), ``make conformance`` (the emulator answers what it does not model from the spec, and
says so; ``STRICT=1`` fails on it), ``make generate BUMP=1`` (the release), and the check again.

Each test is one kind of change with the report it must produce. A generation takes about a second; a report
on a changed spec generates the release's client too, so each ``make generate`` here takes about two. A
conformance run here is limited to the operations the change touches, with a seed and few examples
(``OPERATIONS=... SEED=1 MAX_EXAMPLES=5``): about three seconds, where a full run takes about 25.
"""

from __future__ import annotations

import copy
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from scratch_repo import ScratchRepo

pytestmark = pytest.mark.slow


@pytest.fixture
def repo(tmp_path: Path) -> ScratchRepo:
    return ScratchRepo.create(tmp_path / "repo")


def version_of(repo: ScratchRepo) -> tuple[str, str]:
    """(the version in generator/config.yaml, the version in generated/pyproject.toml)."""
    config = re.search(r'^package_version_override: "([^"]+)"', repo.read("generator/config.yaml"), re.M)
    project = re.search(r'^version = "([^"]+)"', repo.read("generated/pyproject.toml"), re.M)
    assert config is not None
    assert project is not None
    return config[1], project[1]


def released_versions(repo: ScratchRepo) -> list[str]:
    return re.findall(r"^## (\S+)", repo.read("generated/CHANGELOG.md"), re.M)


def add_create_crypto_order(spec: dict[str, Any]) -> None:
    operation = copy.deepcopy(spec["paths"]["/openapi/v1/createOrder"])
    operation["post"]["operationId"] = "createCryptoOrder"
    spec["paths"]["/openapi/v1/createCryptoOrder"] = operation


def conformance(repo: ScratchRepo, operations: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """``make conformance`` on the copy, limited to ``operations``, seeded, with few examples."""
    return repo.make("conformance", OPERATIONS=operations, SEED="1", MAX_EXAMPLES="5", **variables)


def test_the_repository_is_released_as_it_stands(repo: ScratchRepo) -> None:
    generate = repo.make("generate")
    assert generate.returncode == 0, generate.stderr
    assert "No change since cpay-client 2.0.0" in generate.stdout
    assert version_of(repo) == ("2.0.0", "2.0.0")
    check = repo.make("check-generated")
    assert check.returncode == 0, check.stderr
    assert "cpay-client 2.0.0: openapi.yaml is the spec of that release" in check.stdout


def test_an_added_operation_is_named_and_proposes_a_minor_version(repo: ScratchRepo) -> None:
    repo.edit_spec(add_create_crypto_order)

    generate = repo.make("generate")

    assert generate.returncode == 0, generate.stderr
    report = generate.stdout
    assert "- Added: `createCryptoOrder`: operation added (POST /openapi/v1/createCryptoOrder)" in report
    assert (
        "- Added: `cpay_client.api.crypto_pay_in.create_crypto_order`: module added "
        "(functions `sync_detailed`, `sync`, `asyncio_detailed`, `asyncio`)"
    ) in report
    assert "Breaking" not in report
    assert "Next version: 2.1.0 (minor: additions or deprecations, nothing breaks)" in report
    assert repo.read("reports/generate/changes.md") in report  # the same report, in a file to paste
    assert (repo.path / "generated/cpay_client/api/crypto_pay_in/create_crypto_order.py").is_file()
    assert version_of(repo) == ("2.0.0", "2.0.0")  # proposed, not applied

    # An addition is allowed under the same version until it is released...
    check = repo.make("check-generated")
    assert check.returncode == 0, check.stderr
    assert "`make generate BUMP=1` releases them as 2.1.0" in check.stdout

    # ...the emulator answers the new operation from the spec, so conformance stays green and says so...
    green = conformance(repo, "createCryptoOrder,getOrderDetail")
    assert green.returncode == 0, green.stdout + green.stderr
    assert "conformance: 1 operation of openapi.yaml not modeled by the emulator, served statelessly" in green.stdout
    served = r"  createCryptoOrder \(POST /openapi/v1/createCryptoOrder\): the spec's example, [1-9][0-9]* answers"
    assert re.search(served, green.stdout)
    # ...and STRICT=1 holds CI until the emulator models it.
    strict = conformance(repo, "createCryptoOrder", STRICT="1")
    assert strict.returncode != 0
    assert "conformance: STRICT: failing: 1 operation served statelessly (createCryptoOrder)." in strict.stderr

    # ...and BUMP=1 releases it: config, pyproject and changelog agree, and the check is clean.
    bump = repo.make("generate", BUMP="1")
    assert bump.returncode == 0, bump.stderr
    assert "Released cpay-client 2.1.0 (minor: additions or deprecations, nothing breaks)" in bump.stdout
    assert version_of(repo) == ("2.1.0", "2.1.0")
    assert released_versions(repo) == ["2.1.0", "2.0.0", "1.0.0"]
    entry = repo.read("generated/CHANGELOG.md").split("## 2.0.0")[0]
    assert "- Added: `createCryptoOrder`: operation added" in entry
    assert "## 2.1.0 (C-Pay API 2.0)" in entry
    check = repo.make("check-generated")
    assert check.returncode == 0, check.stderr
    assert "cpay-client 2.1.0: openapi.yaml is the spec of that release" in check.stdout
    again = repo.make("generate")
    assert "No change since cpay-client 2.1.0 (not committed yet)" in again.stdout
    assert "0 file(s) written or removed" in again.stdout


def test_a_removed_response_field_is_breaking_and_fails_the_check_until_a_major_release(repo: ScratchRepo) -> None:
    def remove_cashier_url(spec: dict[str, Any]) -> None:
        order = spec["components"]["schemas"]["CryptoOrder"]
        del order["properties"]["cashierURL"]
        order["required"].remove("cashierURL")

    repo.edit_spec(remove_cashier_url)
    generate = repo.make("generate")

    assert generate.returncode == 0, generate.stderr
    assert "- Breaking: `createOrder`: response field `data.cashierURL` removed" in generate.stdout
    assert "- Breaking: `cpay_client.models.CryptoOrder.cashier_url`: removed" in generate.stdout
    assert "Next version: 3.0.0 (major: breaking changes)" in generate.stdout

    check = repo.make("check-generated")
    assert check.returncode != 0
    assert "- Breaking: `createOrder`: response field `data.cashierURL` removed" in check.stderr
    assert (
        "generated/ carries breaking changes since cpay-client 2.0.0 under the same major version 2: "
        "run `make generate BUMP=1` (it releases 3.0.0) and commit."
    ) in check.stderr

    bump = repo.make("generate", BUMP="1")
    assert bump.returncode == 0, bump.stderr
    assert version_of(repo) == ("3.0.0", "3.0.0")
    repo.commit("release 3.0.0")
    check = repo.make("check-generated")
    assert check.returncode == 0, check.stderr
    assert "No change since cpay-client 3.0.0 (the latest release)" in repo.make("generate").stdout


def test_an_added_response_field_the_emulator_does_not_fill_is_listed(repo: ScratchRepo) -> None:
    def add_pending_balance(spec: dict[str, Any]) -> None:
        balance = spec["components"]["schemas"]["MerchantBalance"]
        balance["properties"]["pendingBalance"] = {"$ref": "#/components/schemas/DecimalString"}

    repo.edit_spec(add_pending_balance)
    generate = repo.make("generate")

    assert generate.returncode == 0, generate.stderr
    assert "- Added: `getMerchantBalance`: optional response field `data[].pendingBalance` added" in generate.stdout
    assert "Next version: 2.1.0" in generate.stdout
    run = conformance(repo, "getMerchantBalance")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "conformance: 1 response field of openapi.yaml the emulator never fills:\n" in run.stdout
    assert "  getMerchantBalance: data[].pendingBalance" in run.stdout
    assert "not modeled" not in run.stdout


def test_a_narrowed_enum_is_breaking(repo: ScratchRepo) -> None:
    def drop_bnb(spec: dict[str, Any]) -> None:
        currency = spec["components"]["schemas"]["CreateOrderRequest"]["properties"]["cryptoCurrency"]
        currency["enum"].remove("BNB")
        currency["x-enum-varnames"].remove("BNB")

    repo.edit_spec(drop_bnb)
    generate = repo.make("generate")

    assert generate.returncode == 0, generate.stderr
    assert "- Breaking: `createOrder`: request field `cryptoCurrency`: enum value `BNB` removed" in generate.stdout
    assert "- Breaking: `cpay_client.models.CreateOrderRequestCryptoCurrency.BNB`: removed" in generate.stdout
    assert "Next version: 3.0.0" in generate.stdout


def test_a_renamed_parameter_is_breaking(repo: ScratchRepo) -> None:
    def rename_hash(spec: dict[str, Any]) -> None:
        parameters = spec["paths"]["/openapi/v1/getOrderDetail"]["get"]["parameters"]
        next(parameter for parameter in parameters if parameter["name"] == "hash")["name"] = "txHash"

    repo.edit_spec(rename_hash)
    generate = repo.make("generate")

    assert generate.returncode == 0, generate.stderr
    report = generate.stdout
    assert "- Breaking: `getOrderDetail`: parameter `hash` renamed to `txHash`" in report
    assert (
        "- Breaking: `cpay_client.api.orders.get_order_detail`: `sync_detailed`, `sync`, `asyncio_detailed`, "
        "`asyncio`: parameter `hash_` removed"
    ) in report
    assert (
        "- Added: `cpay_client.api.orders.get_order_detail`: `sync_detailed`, `sync`, `asyncio_detailed`, "
        "`asyncio`: optional parameter `tx_hash` added"
    ) in report
    assert "Next version: 3.0.0" in report


def test_a_description_change_is_a_patch(repo: ScratchRepo) -> None:
    def reword(spec: dict[str, Any]) -> None:
        spec["paths"]["/openapi/v1/createOrder"]["post"]["description"] = "Create a crypto pay-in order."

    repo.edit_spec(reword)
    generate = repo.make("generate")

    assert generate.returncode == 0, generate.stderr
    assert "- Documentation: `createOrder`: description changed" in generate.stdout
    assert "Python client (cpay_client)" not in generate.stdout  # docstrings changed, not the API
    assert "Next version: 2.0.1 (patch: no change to what a user calls or reads)" in generate.stdout
    assert repo.make("check-generated").returncode == 0
    notes = "- Changed: the runtime's log line names the operation first (a note the report cannot see)."
    repo.write("generator/release-notes.md", repo.read("generator/release-notes.md") + "\n" + notes + "\n")
    assert notes in repo.make("generate").stdout  # shown with the proposal, before it is recorded
    assert repo.make("generate", BUMP="1").returncode == 0
    assert version_of(repo) == ("2.0.1", "2.0.1")
    entry = repo.read("generated/CHANGELOG.md").split("## 2.0.0")[0]
    assert f"### Release notes\n\n{notes}" in entry  # carried by the release's entry...
    assert notes not in repo.read("generator/release-notes.md")  # ...and no longer pending
    assert repo.read("generator/release-notes.md").startswith("<!-- Notes for the next release")

    # BASE=<ref> reports against the spec of any commit, and records nothing.
    repo.commit("release 2.0.1")
    against_parent = repo.make("generate", BASE="HEAD~1")
    assert against_parent.returncode == 0, against_parent.stderr
    assert "## Changes against openapi.yaml at HEAD~1" in against_parent.stdout
    assert "- Documentation: `createOrder`: description changed" in against_parent.stdout
    assert "Next version" not in against_parent.stdout
    assert version_of(repo) == ("2.0.1", "2.0.1")


def test_a_second_bump_before_committing_replaces_the_first(repo: ScratchRepo) -> None:
    repo.edit_spec(add_create_crypto_order)
    assert repo.make("generate", BUMP="1").returncode == 0
    assert released_versions(repo) == ["2.1.0", "2.0.0", "1.0.0"]

    def remove_returned_url(spec: dict[str, Any]) -> None:
        del spec["components"]["schemas"]["CryptoOrder"]["properties"]["returnURL"]

    repo.edit_spec(remove_returned_url)
    bump = repo.make("generate", BUMP="1")

    assert bump.returncode == 0, bump.stderr
    assert "(replacing the uncommitted 2.1.0)" in bump.stdout
    assert released_versions(repo) == ["3.0.0", "2.0.0", "1.0.0"]
    entry = repo.read("generated/CHANGELOG.md").split("## 2.0.0")[0]
    assert "operation added" in entry  # the report is against 2.0.0: both changes are in it
    assert "response field `data.returnURL` removed" in entry
    assert repo.make("check-generated").returncode == 0


def test_a_version_set_by_hand_fails_the_check(repo: ScratchRepo) -> None:
    config = repo.path / "generator/config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace('"2.0.0"', '"2.1.0"'), encoding="utf-8")
    assert repo.make("generate").returncode == 0

    check = repo.make("check-generated")

    assert check.returncode != 0
    assert "generator/config.yaml says 2.1.0 but the latest release in generated/CHANGELOG.md is 2.0.0" in check.stderr


def test_a_bump_below_the_changes_is_refused(repo: ScratchRepo) -> None:
    repo.edit_spec(add_create_crypto_order)

    bump = repo.make("generate", BUMP="patch")

    assert bump.returncode != 0
    assert "the changes since 2.0.0 call for a minor release; a patch one would hide them" in bump.stderr
    assert version_of(repo) == ("2.0.0", "2.0.0")
    assert not (repo.path / "generated/cpay_client/api/crypto_pay_in/create_crypto_order.py").exists()


def test_a_release_whose_spec_git_does_not_hold_cannot_be_checked_or_bumped(repo: ScratchRepo) -> None:
    changelog = repo.path / "generated/CHANGELOG.md"
    recorded = re.search(r"git blob ([0-9a-f]{40})", changelog.read_text(encoding="utf-8"))
    assert recorded is not None
    changelog.write_text(changelog.read_text(encoding="utf-8").replace(recorded[1], "0" * 40), encoding="utf-8")
    repo.edit_spec(lambda spec: spec["info"].update(summary="C-Pay."))

    check = repo.make("check-generated")

    assert check.returncode != 0
    assert "cannot check the version of generated: the openapi.yaml of cpay-client 2.0.0 cannot be read back" in (
        check.stderr
    )
    assert f"does not hold git blob {'0' * 40}" in check.stderr

    # make generate still writes the client, and says why it has no report.
    repo.edit_spec(
        lambda spec: spec["components"]["schemas"]["KycResult"]["properties"].update(note={"type": "string"})
    )
    generate = repo.make("generate")
    assert generate.returncode == 0, generate.stderr
    assert "warning: no change report for generated: the openapi.yaml of cpay-client 2.0.0" in generate.stderr
    assert "note: str | Unset = UNSET" in repo.read("generated/cpay_client/models/kyc_result.py")
    bump = repo.make("generate", BUMP="1")
    assert bump.returncode != 0
    assert "cannot report the changes of generated: the openapi.yaml of cpay-client 2.0.0" in bump.stderr


def test_a_default_on_a_request_field_is_breaking_on_both_sides(repo: ScratchRepo) -> None:
    def default_language(spec: dict[str, Any]) -> None:
        spec["components"]["schemas"]["CreateOrderByCreditCardRequest"]["properties"]["lanuage"]["default"] = "en-US"

    repo.edit_spec(default_language)
    generate = repo.make("generate")

    assert generate.returncode == 0, generate.stderr
    assert (
        "- Breaking: `createOrderByCreditCard`: request field `lanuage`: default (none) -> `en-US` "
        "(the same call now sends another value)"
    ) in generate.stdout
    assert (
        "- Breaking: `cpay_client.models.CreateOrderByCreditCardRequest`: field `lanuage`: default `UNSET` -> "
        "`CreateOrderByCreditCardRequestLanuage.EN_US` (the same call now sends another value)"
    ) in generate.stdout
    assert "Next version: 3.0.0 (major: breaking changes)" in generate.stdout
    assert repo.make("check-generated").returncode != 0


def test_more_decimals_for_card_amounts_is_a_patch(repo: ScratchRepo) -> None:
    def more_decimals(spec: dict[str, Any]) -> None:
        amount = spec["components"]["schemas"]["CardAmount"]
        amount["pattern"] = amount["pattern"].replace("{1,2}", "{1,8}")

    repo.edit_spec(more_decimals)
    generate = repo.make("generate")

    assert generate.returncode == 0, generate.stderr
    assert "- Changed: `pwpp`: request field `amount`: pattern " in generate.stdout
    assert "(wider: accepts every value it accepted: also accepts e.g. `0.00000000`)" in generate.stdout
    assert "Breaking" not in generate.stdout
    assert "Next version: 2.0.1 (patch: no change to what a user calls or reads)" in generate.stdout


def test_an_amount_made_optional_moves_no_argument_of_a_keyword_only_model(repo: ScratchRepo) -> None:
    """With positional models ``received_amount`` would move behind ``to_address``: see test_package_changes."""

    def optional_received_amount(spec: dict[str, Any]) -> None:
        spec["components"]["schemas"]["WithdrawRequest"]["required"].remove("receivedAmount")

    repo.edit_spec(optional_received_amount)
    generate = repo.make("generate")

    assert generate.returncode == 0, generate.stderr
    assert "- Changed: `withdraw`: request field `receivedAmount` is now optional" in generate.stdout
    assert (
        "- Changed: `cpay_client.models.WithdrawRequest`: field `received_amount` may now be left out (default `UNSET`)"
    ) in generate.stdout
    assert "constructor arguments moved" not in generate.stdout
    assert "Breaking" not in generate.stdout
    assert "Next version: 2.0.1" in generate.stdout
    model = repo.read("generated/cpay_client/models/withdraw_request.py")
    assert model.index("    to_address: str\n") < model.index("    received_amount: str | Unset = UNSET\n")
    assert "@_attrs_define(kw_only=True)\nclass WithdrawRequest:" in model


DEPRECATION_CALLS = """
import asyncio
import warnings

import httpx

from cpay_client import Client
from cpay_client.api.orders import get_order_detail
from cpay_client.models import WithdrawRequest

def answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"code": 90751015, "msg": "pay fail", "data": None, "traceid": "t1"})

async def awaited() -> object:
    return await get_order_detail.asyncio(client=client, merchant_trade_no="t1")

client = Client(base_url="http://cpay.test")
client.set_httpx_client(httpx.Client(base_url="http://cpay.test", transport=httpx.MockTransport(answer)))
client.set_async_httpx_client(httpx.AsyncClient(base_url="http://cpay.test", transport=httpx.MockTransport(answer)))
payout = dict(user_id="u1", merchant_trade_no="t1", create_time=1, crypto_currency="USDT", total_amount="1",
              received_amount="1", to_address="T1")
calls = {
    "sync": lambda: get_order_detail.sync(client=client, merchant_trade_no="t1"),
    "sync with hash": lambda: get_order_detail.sync(client=client, hash_="0xab"),
    "sync_detailed": lambda: get_order_detail.sync_detailed(client=client, merchant_trade_no="t1"),
    "asyncio": lambda: asyncio.run(awaited()),
    "model with network": lambda: WithdrawRequest(network="TRON", **payout),
    "model parsed": lambda: WithdrawRequest.from_dict({"userId": "u1", "merchantTradeNo": "t1", "createTime": 1,
        "cryptoCurrency": "USDT", "network": "TRON", "totalAmount": "1", "receivedAmount": "1", "toAddress": "T1"}),
}
for name, call in calls.items():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    print(name, [(w.category.__name__, str(w.message), w.filename == __file__) for w in caught])
"""


def test_a_deprecation_is_reported_in_its_own_section_and_the_client_warns(repo: ScratchRepo) -> None:
    def deprecate(spec: dict[str, Any]) -> None:
        operation = spec["paths"]["/openapi/v1/getOrderDetail"]["get"]
        operation["deprecated"] = True
        next(parameter for parameter in operation["parameters"] if parameter["name"] == "hash")["deprecated"] = True
        network = spec["components"]["schemas"]["WithdrawRequest"]["properties"]["network"]
        network["deprecated"] = True

    repo.edit_spec(deprecate)
    generate = repo.make("generate")

    assert generate.returncode == 0, generate.stderr
    assert (
        "### Deprecated\n\n"
        "- Deprecated: `getOrderDetail`: operation deprecated\n"
        "- Deprecated: `getOrderDetail`: parameter `hash` deprecated\n"
        "- Deprecated: `withdraw`: request field `network` deprecated\n"
    ) in generate.stdout
    assert "Next version: 2.1.0 (minor: additions or deprecations, nothing breaks)" in generate.stdout

    (repo.path / "calls.py").write_text(DEPRECATION_CALLS, encoding="utf-8")
    run = repo.run(".venv/bin/python", "calls.py")
    assert run.returncode == 0, run.stderr
    operation = "('DeprecationWarning', 'get_order_detail is deprecated by the C-Pay API description', True)"
    parameter = (
        "('DeprecationWarning', 'parameter hash_ of get_order_detail is deprecated by the C-Pay API description', True)"
    )
    field = "('DeprecationWarning', 'WithdrawRequest.network is deprecated by the C-Pay API description', True)"
    assert run.stdout.splitlines() == [
        f"sync [{operation}]",  # once per call, pointing at the caller's line
        f"sync with hash [{operation}, {parameter}]",
        f"sync_detailed [{operation}]",
        f"asyncio [{operation}]",
        f"model with network [{field}]",
        "model parsed []",  # the server filled it, not the caller
    ]

    bump = repo.make("generate", BUMP="1")
    assert bump.returncode == 0, bump.stderr
    entry = repo.read("generated/CHANGELOG.md").split("## 2.0.0")[0]
    assert "## 2.1.0 (C-Pay API 2.0)" in entry
    assert "### Deprecated\n\n- Deprecated: `getOrderDetail`: operation deprecated\n" in entry
