"""The one walker of JSON-in-a-string fields (``cpay_emulator.shared.content_schema``)."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from cpay_emulator.shared.content_schema import (
    ContentSchema,
    embedded_json_errors,
    json_content_schema,
    json_text_fields,
    values_at,
)

PRODUCTS = {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["name"]}}
PRODUCTS_TEXT = {"type": "string", "maxLength": 4096, "contentMediaType": "application/json", "contentSchema": PRODUCTS}
ORDER = {"type": "object", "properties": {"orderId": {"type": "string"}, "products": PRODUCTS_TEXT}}
ENVELOPE = {
    "type": "object",
    "properties": {
        "code": {"type": "integer"},
        "data": {"anyOf": [{"type": "array", "items": ORDER}, {"type": "null"}]},
        "extInfo": {"allOf": [{"type": "string", "contentMediaType": "application/json"}]},
    },
}


def fits(schema: Any, instance: Any) -> bool:
    return bool(jsonschema.Draft202012Validator(schema).is_valid(instance))


def text_errors(content: ContentSchema, text: str, place: str) -> list[str]:
    try:
        value = json.loads(text)
    except ValueError:
        return [f"{place}: not JSON text"]
    return [f"{place}(JSON): {error.message}" for error in jsonschema.Draft202012Validator(content).iter_errors(value)]


def errors(schema: Any, instance: Any) -> list[str]:
    return list(embedded_json_errors(schema, instance, "", fits=fits, text_errors=text_errors))


def test_fields_are_found_in_properties_items_and_parts_with_their_own_schema() -> None:
    fields = list(json_text_fields(ENVELOPE))
    assert [field.path for field in fields] == [("data", "*", "products"), ("extInfo",)]
    assert fields[0].content_schema == PRODUCTS
    assert fields[0].schema["maxLength"] == 4096
    assert fields[1].content_schema == {}


def test_a_field_without_json_text_has_no_content_schema() -> None:
    assert json_content_schema({"type": "string", "maxLength": 3}) is None
    assert json_content_schema({"oneOf": [{"type": "null"}, PRODUCTS_TEXT]}) == PRODUCTS


def test_values_are_found_at_a_path_through_every_array_item() -> None:
    body = {"data": [{"products": "[]"}, {"orderId": "2"}, {"products": "x"}]}
    assert list(values_at(body, ("data", "*", "products"))) == [("data.0.products", "[]"), ("data.2.products", "x")]


def test_json_text_that_breaks_its_content_schema_is_named_where_it_is() -> None:
    body = {"data": [{"products": '[{"name": "a"}]'}, {"products": "[{}]"}, {"products": "nope"}]}
    assert errors(ENVELOPE, body) == [
        "data[1].products(JSON): 'name' is a required property",
        "data[2].products: not JSON text",
    ]


def test_good_json_text_has_no_error() -> None:
    assert errors(ENVELOPE, {"code": 0, "data": [{"products": '[{"name": "a"}]'}], "extInfo": "{}"}) == []


def test_only_the_branches_the_instance_fits_are_read() -> None:
    either = {"oneOf": [{"type": "string", "maxLength": 2}, {**PRODUCTS_TEXT, "minLength": 3}]}
    assert errors(either, "[]") == []  # fits only the plain short string
    assert errors(either, "[{}]") == ["(JSON): 'name' is a required property"]


def test_a_value_is_wrong_only_if_every_fitting_branch_finds_an_error() -> None:
    plain_or_json = {"anyOf": [{"type": "string"}, PRODUCTS_TEXT]}
    assert errors(plain_or_json, "[{}]") == []
