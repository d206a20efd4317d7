"""openapi.yaml describes the document faithfully: operations, parameters, examples, links, webhook.

These tests read the spec as data. They pin what issue 2 promises about it, so an edit that drops an
operation, a description, a length or breaks an example fails here before it reaches the generator.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jsonschema
import pytest
import yaml
from openapi_spec_validator import validate

from cpay import OrderStatus, compute_sign, parse_webhook
from cpay_emulator.shared.content_schema import ContentSchema, embedded_json_errors
from cpay_emulator.shared.refs import References

ROOT = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
COMPONENTS = SPEC["components"]
SCHEMAS = COMPONENTS["schemas"]
REFERENCES = References(SPEC)

OPERATIONS = {
    "getWalletAddress": ("get", "/openapi/v1/getWalletAddress"),
    "withdraw": ("post", "/openapi/v1/withdraw"),
    "createFiatPayoutOrder": ("post", "/openapi/v1/createFiatPayoutOrder"),
    "getMerchantBalance": ("get", "/openapi/v1/getMerchantBalance"),
    "getExchangeRate": ("get", "/openapi/v1/getExchangeRate"),
    "getExchangeRateForCreditCard": ("get", "/openapi/v1/getExchangeRateForCreditCard"),
    "getOrderDetail": ("get", "/openapi/v1/getOrderDetail"),
    "exchange": ("post", "/openapi/v1/exchange"),
    "submitKYC": ("post", "/openapi/v1/submitKYC"),
    "pwpp": ("post", "/openapi/v1/pwpp"),
    "createOrder": ("post", "/openapi/v1/createOrder"),
    "createOrderByCreditCard": ("post", "/openapi/v1/createOrderByCreditCard"),
}
FORM = "application/x-www-form-urlencoded"
PHP_DEMO_KEY = "z6h3cuw9grtbun9sgg5u1j35u72hycq0"


def operations() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            yield operation["operationId"], method, path, operation


def deref(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow `$ref` and single-element `allOf` wrappers to the schema that carries the keywords."""
    while True:
        if "$ref" in schema:
            schema = REFERENCES.resolve(schema)
        elif list(schema.get("allOf", [])) and len(schema["allOf"]) == 1 and "type" not in schema:
            schema = {**schema["allOf"][0], **{k: v for k, v in schema.items() if k != "allOf"}}
        else:
            return schema


def _validator(schema: Any) -> jsonschema.Draft202012Validator:
    """python-jsonschema over a schema of the spec, resolving its `#/components/...` references itself."""
    rooted = {"$schema": "https://json-schema.org/draft/2020-12/schema", "allOf": [schema], "components": COMPONENTS}
    return jsonschema.Draft202012Validator(rooted, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def example_errors(instance: object, schema: Any, place: str = "") -> list[str]:
    """Why `instance` breaks a schema of the spec: python-jsonschema's errors, then those of its JSON text.

    Strings that carry JSON (`contentMediaType`) must hold JSON that matches their `contentSchema`, which
    JSON Schema only annotates: the repository's one walker of those fields finds them (an empty one is
    absent, as C-Pay reads it).
    """
    errors = [f"{_where(place, error)}: {error.message}" for error in _validator(schema).iter_errors(instance)]
    if errors:
        return errors
    inlined = REFERENCES.inline(schema)
    return list(embedded_json_errors(inlined, instance, place, fits=_fits, text_errors=_json_text_errors))


def _where(place: str, error: jsonschema.ValidationError) -> str:
    steps = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in error.absolute_path)
    return (place + steps).lstrip(".") or "the value"


def _fits(schema: Any, instance: object) -> bool:
    return bool(_validator(schema).is_valid(instance))


def _json_text_errors(content_schema: ContentSchema, text: str, place: str) -> list[str]:
    if text == "":
        return []
    try:
        content = json.loads(text)
    except ValueError:
        return [f"{place or 'the value'}: not JSON text"]
    return example_errors(content, content_schema, f"{place}(JSON)")


def validate_instance(instance: object, schema: Any) -> None:
    """Raise `jsonschema.ValidationError` (the first error) when `instance` breaks `schema`, JSON text included."""
    errors = example_errors(instance, schema)
    if errors:
        raise jsonschema.ValidationError(errors[0])


def test_spec_is_valid_openapi_3_1() -> None:
    assert SPEC["openapi"].startswith("3.1")
    validate(SPEC)


def test_all_twelve_operations_are_at_their_documented_paths() -> None:
    found = {operation_id: (method, path) for operation_id, method, path, _ in operations()}
    assert found == OPERATIONS


def test_doubled_fiat_payout_path_is_not_used() -> None:
    assert not any(path.startswith("/openapi/v1/openapi/") for path in SPEC["paths"])


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_operation_is_documented(operation_id: str) -> None:
    operation = next(op for oid, _, _, op in operations() if oid == operation_id)
    assert operation["summary"]
    assert len(operation["description"]) > 40
    assert len(operation["tags"]) == 1
    assert operation["tags"][0] in {tag["name"] for tag in SPEC["tags"]}


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_parameters_travel_as_the_document_says(operation_id: str) -> None:
    operation = next(op for oid, _, _, op in operations() if oid == operation_id)
    method = OPERATIONS[operation_id][0]
    if method == "get":
        assert "requestBody" not in operation
    else:
        assert list(operation["requestBody"]["content"]) == [FORM]
        assert "parameters" not in operation


def request_fields() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every request parameter and form field: (operation, name, schema)."""
    for operation_id, _, _, operation in operations():
        for parameter in map(REFERENCES.resolve, operation.get("parameters", [])):
            yield operation_id, parameter["name"], {**parameter["schema"], "description": parameter["description"]}
        if "requestBody" in operation:
            body = deref(operation["requestBody"]["content"][FORM]["schema"])
            for name, field in body["properties"].items():
                yield operation_id, name, field


@pytest.mark.parametrize(("operation_id", "name", "schema"), list(request_fields()))
def test_every_request_field_has_description_and_bounds(operation_id: str, name: str, schema: dict[str, Any]) -> None:
    resolved = deref(schema)
    assert schema.get("description") or resolved.get("description"), f"{operation_id}.{name} has no description"
    if resolved["type"] == "string":
        bounded = {"maxLength", "enum", "pattern", "format"} & resolved.keys()
        assert bounded, f"{operation_id}.{name} is an unbounded string"


def test_merchant_id_and_sign_are_security_schemes_not_parameters() -> None:
    assert SPEC["security"] == [{"merchantId": [], "sign": []}]
    schemes = COMPONENTS["securitySchemes"]
    assert schemes["merchantId"]["name"] == "merchantId"
    assert schemes["sign"]["name"] == "sign"
    assert "HMAC-SHA256" in schemes["sign"]["description"]
    assert "&key=" in schemes["sign"]["description"]
    for operation_id, name, _ in request_fields():
        assert name not in {"merchantId", "sign"}, operation_id


def test_documented_lengths_are_kept() -> None:
    lengths = {(op, name): deref(schema).get("maxLength") for op, name, schema in request_fields()}
    assert lengths[("getWalletAddress", "userId")] == 64
    assert lengths[("withdraw", "toAddress")] == 128
    assert lengths[("withdraw", "callBackURL")] == 256
    assert lengths[("createOrder", "merchantTradeNo")] == 64
    assert lengths[("getOrderDetail", "hash")] == 128
    assert lengths[("createFiatPayoutOrder", "amount")] == 12


def test_amounts_are_decimal_strings_with_the_documented_precision() -> None:
    crypto = deref(SCHEMAS["CryptoAmount"])
    card = deref(SCHEMAS["CardAmount"])
    assert crypto["type"] == card["type"] == "string"
    validate_instance("66.12345678", SCHEMAS["CryptoAmount"])
    with pytest.raises(jsonschema.ValidationError):
        validate_instance("66.123456789", SCHEMAS["CryptoAmount"])
    validate_instance("19.01", SCHEMAS["CardAmount"])
    with pytest.raises(jsonschema.ValidationError):
        validate_instance("19.011", SCHEMAS["CardAmount"])
    with pytest.raises(jsonschema.ValidationError):
        validate_instance(19.01, SCHEMAS["CardAmount"])


def test_status_enum_has_readable_names() -> None:
    status = SCHEMAS["OrderStatus"]
    assert dict(zip(status["enum"], status["x-enum-varnames"], strict=True)) == {
        "0": "PENDING",
        "11": "PROCESSING",
        "14": "COMPLETED",
        "15": "CLOSED",
    }


def test_pix_payout_requires_brl_and_bra() -> None:
    schema = SCHEMAS["CreateFiatPayoutOrderRequest"]
    base = {
        "userId": "1001",
        "merchantTradeNo": "t1",
        "payoutChannel": "1",
        "amount": "5",
        "accountType": "1",
        "toAccount": "4864330",
        "createTime": 1663674686509,
    }
    validate_instance({**base, "currency": "BRL", "country": "BRA"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        validate_instance({**base, "currency": "USD", "country": "BRA"}, schema)
    validate_instance({**base, "payoutChannel": "2", "currency": "USD", "country": "USA"}, schema)


def examples() -> Iterator[tuple[str, str, object, dict[str, Any]]]:
    """Every example of the spec with the schema it illustrates."""
    for operation_id, _, _, operation in operations():
        for parameter in map(REFERENCES.resolve, operation.get("parameters", [])):
            yield operation_id, f"parameter {parameter['name']}", parameter["example"], parameter["schema"]
        if "requestBody" in operation:
            media = operation["requestBody"]["content"][FORM]
            for key, example in media["examples"].items():
                yield operation_id, f"request {key}", example["value"], media["schema"]
        for status, response in operation["responses"].items():
            media = response["content"]["application/json"]
            for key, example in media["examples"].items():
                yield operation_id, f"response {status} {key}", example["value"], media["schema"]
    for name, webhook in SPEC["webhooks"].items():
        for media_type, media in webhook["post"]["requestBody"]["content"].items():
            for key, example in media.get("examples", {}).items():
                yield name, f"webhook {media_type} {key}", example["value"], media["schema"]
    for name, schema in SCHEMAS.items():
        for example in schema.get("examples", []):
            yield name, "schema example", example, schema


@pytest.mark.parametrize(("where", "what", "example", "schema"), list(examples()))
def test_every_example_matches_its_schema(where: str, what: str, example: object, schema: dict[str, Any]) -> None:
    validate_instance(example, schema)


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_every_operation_carries_the_documents_response_example(operation_id: str) -> None:
    operation = next(op for oid, _, _, op in operations() if oid == operation_id)
    response_examples = operation["responses"]["200"]["content"]["application/json"]["examples"]
    assert any(example["value"]["code"] == 0 for example in response_examples.values())


def test_pay_fail_example_is_a_business_error_with_http_200() -> None:
    responses = SPEC["paths"]["/openapi/v1/pwpp"]["post"]["responses"]
    assert list(responses) == ["200"]
    assert responses["200"]["content"]["application/json"]["examples"]["payFail"]["value"]["code"] == 90751015


def test_webhook_payload_is_a_component_and_its_example_is_signed() -> None:
    webhook = SPEC["webhooks"]["orderStatusChanged"]["post"]
    content = webhook["requestBody"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/WebhookNotification"}
    assert set(content) == {"application/json", FORM}
    example = content["application/json"]["examples"]["completedDeposit"]["value"]
    assert example["sign"] == compute_sign(example, PHP_DEMO_KEY)
    reply = webhook["responses"]["200"]["content"]["text/plain"]["schema"]
    assert deref(reply)["enum"] == ["OK", "FAIL"]


def webhook_examples() -> Iterator[tuple[str, bytes, str]]:
    """Each webhook example of the spec as the body C-Pay would post: ``(name, body, content type)``."""
    content = SPEC["webhooks"]["orderStatusChanged"]["post"]["requestBody"]["content"]
    for media_type, media in content.items():
        for key, example in media.get("examples", {}).items():
            value = example["value"]
            body = json.dumps(value).encode() if media_type == "application/json" else urlencode(value).encode()
            yield key, body, media_type


@pytest.mark.parametrize(("name", "body", "content_type"), list(webhook_examples()), ids=lambda v: str(v)[:24])
def test_every_webhook_example_is_a_notification_the_sdk_verifies(name: str, body: bytes, content_type: str) -> None:
    event = parse_webhook(body, content_type, PHP_DEMO_KEY)
    assert event.order_status is OrderStatus.COMPLETED


def test_the_webhook_schema_takes_numbers_but_no_unknown_status_nor_a_field_beside_param() -> None:
    content = SPEC["webhooks"]["orderStatusChanged"]["post"]["requestBody"]["content"]
    later = content["application/json"]["examples"]["laterDocumentationShape"]["value"]
    validate_instance(later, content["application/json"]["schema"])
    for wrong in ({**later, "orderStatus": 12}, {**later, "merchantId": 1.5}):
        with pytest.raises(jsonschema.ValidationError):
            validate_instance(wrong, content["application/json"]["schema"])
    param = content[FORM]["examples"]["paramForm"]["value"]
    with pytest.raises(jsonschema.ValidationError):
        validate_instance({**param, "orderStatus": "15"}, content[FORM]["schema"])
    with pytest.raises(jsonschema.ValidationError):
        validate_instance({"param": json.dumps({**later, "orderStatus": 12})}, content[FORM]["schema"])


def test_links_point_at_existing_operations_and_parameters() -> None:
    by_id = {oid: op for oid, _, _, op in operations()}
    count = 0
    for operation_id, _, _, operation in operations():
        for link in map(REFERENCES.resolve, operation["responses"]["200"].get("links", {}).values()):
            target = by_id[link["operationId"]]
            names = {REFERENCES.resolve(parameter)["name"] for parameter in target.get("parameters", [])}
            assert set(link.get("parameters", {})) <= names, operation_id
            count += 1
    assert count >= 10
    create_order_links = by_id["createOrder"]["responses"]["200"]["links"]
    assert {REFERENCES.resolve(link)["operationId"] for link in create_order_links.values()} == {"getOrderDetail"}


def test_servers_are_sandbox_production_and_the_vendor_s_testing_host() -> None:
    assert [server["url"] for server in SPEC["servers"]] == [
        "https://sandbox-api.cpay.ltd",
        "https://api.cpay.ltd",
        "http://8.142.157.45:9075",
    ]


def test_every_envelope_has_code_msg_data_traceid() -> None:
    for operation_id, _, _, operation in operations():
        envelope = deref(operation["responses"]["200"]["content"]["application/json"]["schema"])
        assert set(envelope["properties"]) == {"code", "msg", "data", "traceid"}, operation_id
        assert envelope["required"] == ["code", "msg"], operation_id


def test_an_example_whose_json_text_breaks_its_content_schema_is_caught() -> None:
    media = SPEC["paths"]["/openapi/v1/createOrderByCreditCard"]["post"]["requestBody"]["content"][FORM]
    example = next(iter(media["examples"].values()))["value"]
    assert example_errors(example, media["schema"]) == []
    assert example_errors(
        {**example, "products": '[{"name": "macBook", "price": "1.00", "num": "1"}]'}, media["schema"]
    ) == ["products(JSON)[0]: 'currency' is a required property"]
    assert example_errors({**example, "products": "[{"}, media["schema"]) == ["products: not JSON text"]


@pytest.mark.parametrize("types", ["numbers", "strings"])
@pytest.mark.parametrize("shape", ["json", "form", "param"])
def test_every_webhook_the_emulator_posts_validates_against_the_spec(shape: str, types: str) -> None:
    from urllib.parse import parse_qsl

    from cpay import unwrap
    from cpay_client.api.crypto_pay_in import create_order
    from cpay_client.models import CreateOrderRequest
    from cpay_emulator.testing import CPayEmulator, EmulatorOptions

    content = SPEC["webhooks"]["orderStatusChanged"]["post"]["requestBody"]["content"]
    options = EmulatorOptions(webhook_format=shape, webhook_types=types)  # type: ignore[arg-type]
    with CPayEmulator(options) as emulator:
        for trade_no, outcome in (("paid", emulator.pay), ("failed", emulator.fail)):
            fields = {"merchantTradeNo": trade_no, "createTime": emulator.now_ms(), "userId": "u", "amount": "10"}
            body = CreateOrderRequest.from_dict({**fields, "cryptoCurrency": "USDT"})
            outcome(str(unwrap(create_order.sync(client=emulator.client, body=body)).order_id))
        deliveries = emulator.webhooks
    assert [delivery.order_status.value for delivery in deliveries] == ["14", "15"]
    for delivery in deliveries:
        if shape == "json":
            validate_instance(json.loads(delivery.body), content["application/json"]["schema"])
        else:
            validate_instance(dict(parse_qsl(delivery.body.decode())), content[FORM]["schema"])
