"""Values generated from JSON Schemas (``server.samples``): always valid, the same every time, or a clear refusal.

The property test draws schemas from the subset ``openapi.yaml`` uses (objects, arrays, ``allOf`` wrappers,
nullable ``anyOf``, enums, amount and currency patterns, formats, bounded integers, JSON in a string) and checks
each generated value with python-jsonschema, a validator independent of the jsonschema-rs one the generator
checks itself with; the JSON-in-a-string content is parsed and checked here too.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpay_emulator.server.samples import UnsatisfiableSchemaError, sample_value, schema_errors

CRYPTO_AMOUNT = r"^(0|[1-9][0-9]{0,19})(\.[0-9]{1,8})?$"
PATTERNS = [
    CRYPTO_AMOUNT,
    r"^(0|[1-9][0-9]{0,15})(\.[0-9]{1,2})?$",
    r"^(-?[0-9]+(\.[0-9]+)?)?$",
    r"^[A-Z0-9]{2,16}$",
    r"^[A-Z]{3}$",
    r"^[1-9][0-9]{0,8}$",
    r"^https?://",
    r"^[a-f0-9]{64}$",
    r"^(USD|EUR|BRL)$",
    r"\d{3}-[A-Z]{2}",
]
FORMATS = ["date", "date-time", "email", "uri", "uuid", "ipv4", "ipv6", "hostname"]
NAMES = st.sampled_from(["orderId", "amount", "status", "currency", "items", "extInfo", "sign", "createTime", "x"])
VALIDATOR = jsonschema.Draft202012Validator


def _lengths(schema: dict[str, Any], low: int, extra: int | None) -> dict[str, Any]:
    bounded = {**schema, "minLength": low}
    return bounded if extra is None else {**bounded, "maxLength": low + extra}


strings = st.one_of(
    st.builds(_lengths, st.just({"type": "string"}), st.integers(0, 12), st.none() | st.integers(0, 12)),
    st.sampled_from(PATTERNS).map(lambda pattern: {"type": "string", "pattern": pattern}),
    st.builds(
        lambda pattern, longest: {"type": "string", "pattern": pattern, "maxLength": longest},
        st.sampled_from([CRYPTO_AMOUNT, r"^[A-Z0-9]{2,16}$"]),
        st.integers(16, 128),
    ),
    st.sampled_from(FORMATS).map(lambda name: {"type": "string", "format": name}),
    st.lists(st.text(max_size=6), min_size=1, max_size=4, unique=True).map(lambda values: {"enum": values}),
    st.sampled_from(["0", "11", "14", "15"]).map(lambda first: {"type": "string", "enum": [first, "99"]}),
    st.just({"type": "string", "pattern": CRYPTO_AMOUNT, "examples": ["66.12345678"]}),
    st.just({"type": "string", "pattern": CRYPTO_AMOUNT, "examples": ["not an amount", "1.5"]}),
)
numbers = st.builds(
    lambda kind, low, span, step: {
        "type": kind,
        "minimum": low * step,
        "maximum": (low + span) * step,
        "multipleOf": step,
    },
    st.sampled_from(["integer", "number"]),
    st.integers(-50, 50),
    st.integers(0, 5),
    st.integers(1, 7),
)
leaves = st.one_of(
    strings,
    numbers,
    st.sampled_from([{"type": "boolean"}, {"type": "null"}, {"type": ["string", "integer"]}, {}]),
)


@st.composite
def objects(draw: st.DrawFn, children: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    properties = draw(st.dictionaries(NAMES, children, max_size=5))
    required = [name for name in properties if draw(st.booleans())]
    schema: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    if draw(st.booleans()):
        schema["additionalProperties"] = False
    return schema


def _extend(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        objects(children),
        st.builds(
            lambda items, low: {"type": "array", "items": items, "minItems": low},
            children,
            st.integers(0, 3),
        ),
        children.map(lambda child: {"anyOf": [{"type": "null"}, child]}),
        children.map(lambda child: {"allOf": [child], "description": "a wrapper, as the spec writes them"}),
        children.map(lambda child: {"type": "string", "contentMediaType": "application/json", "contentSchema": child}),
    )


schemas = st.recursive(leaves, _extend, max_leaves=10)


def assert_valid(schema: Any, value: Any) -> None:
    """python-jsonschema (formats checked), then every JSON-in-a-string value against its ``contentSchema``."""
    VALIDATOR(schema, format_checker=VALIDATOR.FORMAT_CHECKER).validate(value)
    if not isinstance(schema, dict):
        return
    if schema.get("contentMediaType") == "application/json":
        assert_valid(schema["contentSchema"], json.loads(value))
    for part in schema.get("allOf", []):
        assert_valid(part, value)
    branches = [part for part in schema.get("anyOf", []) if VALIDATOR(part).is_valid(value)]
    if branches:
        assert_valid(branches[0], value)
    if isinstance(value, dict):
        for name, property_schema in schema.get("properties", {}).items():
            if name in value:
                assert_valid(property_schema, value[name])
    if isinstance(value, list) and "items" in schema:
        for item in value:
            assert_valid(schema["items"], item)


@settings(max_examples=150, deadline=None)
@given(schema=schemas)
def test_a_generated_value_fits_its_schema_and_is_the_same_every_time(schema: dict[str, Any]) -> None:
    value = sample_value(schema, "data")
    assert_valid(schema, value)
    assert schema_errors(schema, value) == []
    assert sample_value(copy.deepcopy(schema), "data") == value


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_pattern_gives_a_matching_string_fixed_by_its_place(pattern: str) -> None:
    schema = {"type": "string", "pattern": pattern}
    value = sample_value(schema, "data.amount")
    assert re.search(pattern, value)
    assert sample_value(schema, "data.amount") == value


def test_a_valid_example_is_preferred_and_an_invalid_one_skipped() -> None:
    amount = {"type": "string", "pattern": CRYPTO_AMOUNT}
    assert sample_value({**amount, "examples": ["66.12345678"]}) == "66.12345678"
    assert sample_value({**amount, "examples": ["12,5", "3"]}) == "3"
    assert sample_value({"allOf": [{**amount, "examples": ["19.01"]}], "description": "x"}) == "19.01"
    assert sample_value({"type": "string", "enum": ["0", "11"]}) == "0"


def test_a_nullable_value_is_built_from_its_other_branch() -> None:
    schema = {"anyOf": [{"type": "null"}, {"type": "object", "required": ["orderId"], "properties": {}}]}
    assert sample_value(schema) == {"orderId": "string"}


def test_an_optional_field_that_cannot_be_built_is_left_out_and_a_required_one_fails_the_object() -> None:
    impossible = {"type": "string", "pattern": "^a$", "minLength": 2}
    optional = {"type": "object", "properties": {"ok": {"type": "integer"}, "never": impossible}}
    assert sample_value(optional, "data") == {"ok": 0}
    with pytest.raises(UnsatisfiableSchemaError) as raised:
        sample_value({**optional, "required": ["never"]}, "data")
    assert raised.value.place == "data.never"
    assert "pattern '^a$'" in str(raised.value)


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        (False, "the schema is `false`"),
        ({"not": {}}, "breaks it"),
        ({"type": "string", "pattern": r"\p{L}"}, "no string can be generated from pattern"),
        ({"type": "integer", "minimum": 0.2, "maximum": 0.7}, "no integer multiple of 1"),
        ({"type": "string", "maxLength": 2, "minLength": 3}, "breaks it"),
        ({"type": "array", "minItems": 1, "items": False}, "the schema is `false`"),
    ],
)
def test_a_schema_no_value_fits_is_refused_with_the_reason(schema: Any, reason: str) -> None:
    with pytest.raises(UnsatisfiableSchemaError, match=re.escape(reason)):
        sample_value(schema, "data.field")


def test_json_in_a_string_is_the_compact_text_of_a_value_of_its_content_schema() -> None:
    product = {
        "type": "object",
        "required": ["name", "currency"],
        "properties": {"name": {"type": "string", "minLength": 1}, "currency": {"pattern": "^[A-Z]{3}$"}},
    }
    schema = {
        "type": "string",
        "contentMediaType": "application/json",
        "contentSchema": {"type": "array", "minItems": 2, "items": product},
    }
    text = sample_value(schema, "data.products")
    lines = json.loads(text)
    assert len(lines) == 2
    assert all(re.fullmatch("[A-Z]{3}", line["currency"]) for line in lines)
    assert ", " not in text


def test_the_checker_finds_json_content_that_breaks_its_content_schema() -> None:
    ext_info = {"type": "string", "contentMediaType": "application/json", "contentSchema": {"type": "object"}}
    schema = {"type": "object", "properties": {"extInfo": ext_info}}
    assert schema_errors(schema, {"extInfo": "{}"}) == []
    assert schema_errors(schema, {"extInfo": "[1]"}) == ['extInfo(JSON): [1] is not of type "object"']
    assert schema_errors(schema, {"extInfo": "{"}) == ["extInfo: not JSON text"]
    nullable = {"anyOf": [ext_info, {"type": "null"}]}
    assert schema_errors(nullable, "[1]") == ['(JSON): [1] is not of type "object"']
