"""The one ``$ref`` resolver (``cpay_emulator.shared.refs``): what each way of reading gives, and what it refuses."""

from __future__ import annotations

from typing import Any

import pytest

from cpay_emulator.shared.refs import (
    RecursiveReferenceError,
    References,
    UnresolvableReferenceError,
    inline_refs,
)
from cpay_emulator.shared.spec import default_spec_path, load_spec

DOCUMENT: dict[str, Any] = {
    "paths": {
        "/a/b": {"get": {"parameters": [{"$ref": "#/components/parameters/limit"}]}},
    },
    "components": {
        "parameters": {"limit": {"name": "limit", "in": "query", "schema": {"$ref": "#/components/schemas/Count"}}},
        "schemas": {
            "Count": {"type": "integer", "minimum": 1},
            "Alias": {"$ref": "#/components/schemas/Count"},
            "Pair": {"type": "array", "prefixItems": [{"type": "string"}, {"$ref": "#/components/schemas/Count"}]},
            "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}},
            "a/b~c": {"type": "string"},
        },
    },
}


def test_a_chain_of_references_resolves_to_the_last_target() -> None:
    assert References(DOCUMENT).resolve({"$ref": "#/components/schemas/Alias"}) == {"type": "integer", "minimum": 1}


def test_pointer_escapes_and_percent_encoding_are_decoded() -> None:
    references = References(DOCUMENT)
    assert references.target("#/components/schemas/a~1b~0c") == {"type": "string"}
    assert references.target("#/paths/~1a~1b/get/parameters/0") == {"$ref": "#/components/parameters/limit"}
    assert references.target("#/components/schemas/Pair/prefixItems/1") == {"$ref": "#/components/schemas/Count"}
    assert references.target("#/components/schemas/a~1b%7E0c") == {"type": "string"}


def test_inline_replaces_every_reference_below_the_node() -> None:
    inlined = References(DOCUMENT).inline(DOCUMENT["paths"])
    parameter = inlined["/a/b"]["get"]["parameters"][0]
    assert parameter == {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}}


def test_inline_returns_a_copy_the_caller_may_change() -> None:
    inlined = inline_refs(DOCUMENT, {"$ref": "#/components/schemas/Count"})
    inlined["minimum"] = 5
    assert DOCUMENT["components"]["schemas"]["Count"]["minimum"] == 1


def test_keys_beside_a_reference_both_apply_when_inlined_and_win_when_resolved() -> None:
    node = {"$ref": "#/components/schemas/Count", "minimum": 3, "description": "How many."}
    assert References(DOCUMENT).inline(node) == {
        "allOf": [{"type": "integer", "minimum": 1}],
        "minimum": 3,
        "description": "How many.",
    }
    assert References(DOCUMENT).resolve(node) == {"type": "integer", "minimum": 3, "description": "How many."}


def test_a_recursive_schema_cannot_be_inlined_but_can_be_followed() -> None:
    references = References(DOCUMENT)
    with pytest.raises(RecursiveReferenceError, match="Node"):
        references.inline({"$ref": "#/components/schemas/Node"})
    node, seen = references.follow({"$ref": "#/components/schemas/Node"})
    assert seen == {"#/components/schemas/Node"}
    assert references.follow(node["properties"]["next"], seen) == ({}, seen)


def test_the_same_component_twice_side_by_side_is_no_recursion() -> None:
    pair = {"type": "array", "items": [{"$ref": "#/components/schemas/Count"}, {"$ref": "#/components/schemas/Count"}]}
    assert References(DOCUMENT).inline(pair)["items"] == [{"type": "integer", "minimum": 1}] * 2


@pytest.mark.parametrize(
    "reference",
    ["#/components/schemas/Missing", "#/components/parameters/limit/schema/nothing", "other.yaml#/components/x"],
)
def test_a_reference_to_nothing_or_to_another_document_is_refused_by_name(reference: str) -> None:
    with pytest.raises(UnresolvableReferenceError, match="cannot resolve") as raised:
        References(DOCUMENT).inline({"schema": {"$ref": reference}})
    assert raised.value.reference == reference


def test_the_spec_inlines_without_a_reference_left() -> None:
    document = load_spec(default_spec_path())
    assert "$ref" not in repr(References(document).inline(document["paths"]))
