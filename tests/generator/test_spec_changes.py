"""The rules of ``generator/spec_changes.py``: each change of the spec classed from the client's side.

Every rule is pinned in both directions where the direction matters (a value the client sends, a value it
receives), so a classifier that ignored the direction would fail one of the pair.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from change_report import Change, Impact
from spec_changes import compare_documents

ROOT = Path(__file__).resolve().parents[2]
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def base_document() -> dict[str, Any]:
    """One POST operation with a form body and an enveloped response, one GET with parameters, one webhook."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "2.0"},
        "paths": {
            "/thing": {
                "post": {
                    "operationId": "createThing",
                    "tags": ["Things"],
                    "summary": "Create a thing",
                    "requestBody": {
                        "required": True,
                        "content": {FORM: {"schema": {"$ref": "#/components/schemas/ThingRequest"}}},
                    },
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {JSON: {"schema": {"$ref": "#/components/schemas/ThingResponse"}}},
                        }
                    },
                }
            },
            "/things": {
                "get": {
                    "operationId": "listThings",
                    "tags": ["Things"],
                    "parameters": [
                        {"name": "color", "in": "query", "required": True, "schema": {"type": "string"}},
                        {"name": "size", "in": "query", "required": False, "schema": {"type": "integer"}},
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            },
        },
        "webhooks": {
            "thingChanged": {
                "post": {
                    "operationId": "thingChanged",
                    "requestBody": {"content": {JSON: {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        "components": {
            "schemas": {
                "Kind": {"type": "string", "enum": ["a", "b", "c"]},
                "ThingRequest": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "maxLength": 64},
                        "kind": {"$ref": "#/components/schemas/Kind"},
                        "note": {"type": "string"},
                    },
                },
                "Thing": {
                    "type": "object",
                    "required": ["id", "kind"],
                    "properties": {
                        "id": {"type": "string", "maxLength": 64},
                        "kind": {"allOf": [{"$ref": "#/components/schemas/Kind"}], "description": "What it is."},
                        "label": {"type": "string"},
                    },
                },
                "ThingResponse": {
                    "type": "object",
                    "required": ["code"],
                    "properties": {
                        "code": {"type": "integer"},
                        "data": {"anyOf": [{"$ref": "#/components/schemas/Thing"}, {"type": "null"}]},
                    },
                },
            }
        },
    }


def changes_after(edit: Callable[[dict[str, Any]], None]) -> list[Change]:
    old = base_document()
    new = copy.deepcopy(old)
    edit(new)
    return compare_documents(old, new)


def lines(changes: list[Change]) -> list[str]:
    return [change.line() for change in changes]


def schemas(document: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = document["components"]["schemas"]
    return result


def test_the_same_document_has_no_change() -> None:
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    assert compare_documents(spec, copy.deepcopy(spec)) == []


def test_an_added_operation_is_an_addition_and_a_removed_one_breaks() -> None:
    def add(document: dict[str, Any]) -> None:
        document["paths"]["/thing2"] = copy.deepcopy(document["paths"]["/thing"])
        document["paths"]["/thing2"]["post"]["operationId"] = "createThing2"

    assert lines(changes_after(add)) == ["- Added: `createThing2`: operation added (POST /thing2)"]
    assert lines(changes_after(lambda document: document["paths"].pop("/things"))) == [
        "- Breaking: `listThings`: operation removed (GET /things)"
    ]


def test_a_field_the_client_must_now_send_breaks_one_it_receives_does_not() -> None:
    def add_required(name: str) -> Callable[[dict[str, Any]], None]:
        def edit(document: dict[str, Any]) -> None:
            schemas(document)[name]["properties"]["extra"] = {"type": "string"}
            schemas(document)[name]["required"].append("extra")

        return edit

    assert lines(changes_after(add_required("ThingRequest"))) == [
        "- Breaking: `createThing`: required request field `extra` added"
    ]
    received = lines(changes_after(add_required("Thing")))
    assert "- Added: `createThing`: required response field `data.extra` added" in received
    assert "- Added: `webhook thingChanged`: required payload field `extra` added" in received


def test_an_optional_request_field_is_an_addition() -> None:
    def add_optional(document: dict[str, Any]) -> None:
        schemas(document)["ThingRequest"]["properties"]["color"] = {"type": "string"}

    assert lines(changes_after(add_optional)) == ["- Added: `createThing`: optional request field `color` added"]


def test_a_removed_field_breaks_both_ways() -> None:
    request = changes_after(lambda document: schemas(document)["ThingRequest"]["properties"].pop("note"))
    response = changes_after(lambda document: schemas(document)["Thing"]["properties"].pop("label"))
    assert lines(request) == ["- Breaking: `createThing`: request field `note` removed"]
    assert "- Breaking: `createThing`: response field `data.label` removed" in lines(response)
    assert "- Breaking: `webhook thingChanged`: payload field `label` removed" in lines(response)


def test_required_ness_breaks_where_it_restricts_the_client() -> None:
    def require_note(document: dict[str, Any]) -> None:
        schemas(document)["ThingRequest"]["required"].append("note")

    def release_name(document: dict[str, Any]) -> None:
        schemas(document)["ThingRequest"]["required"].remove("name")

    def release_id(document: dict[str, Any]) -> None:
        schemas(document)["Thing"]["required"].remove("id")

    def require_label(document: dict[str, Any]) -> None:
        schemas(document)["Thing"]["required"].append("label")

    assert lines(changes_after(require_note)) == ["- Breaking: `createThing`: request field `note` is now required"]
    assert lines(changes_after(release_name)) == ["- Changed: `createThing`: request field `name` is now optional"]
    assert "- Breaking: `createThing`: response field `data.id` is now optional" in lines(changes_after(release_id))
    assert "- Changed: `createThing`: response field `data.label` is now required" in lines(
        changes_after(require_label)
    )


def test_a_removed_enum_value_breaks_everywhere_and_an_added_one_is_an_addition() -> None:
    narrowed = lines(changes_after(lambda document: schemas(document)["Kind"]["enum"].remove("c")))
    widened = lines(changes_after(lambda document: schemas(document)["Kind"]["enum"].append("d")))
    assert narrowed == [
        "- Breaking: `createThing`: request field `kind`: enum value `c` removed",
        "- Breaking: `createThing`: response field `data.kind`: enum value `c` removed",
        "- Breaking: `webhook thingChanged`: payload field `kind`: enum value `c` removed",
    ]
    assert widened == [change.replace("Breaking", "Added").replace("`c` removed", "`d` added") for change in narrowed]


def test_a_wider_type_is_compatible_only_where_the_client_sends_it() -> None:
    def widen(name: str, field: str) -> Callable[[dict[str, Any]], None]:
        def edit(document: dict[str, Any]) -> None:
            schemas(document)[name]["properties"][field]["type"] = ["string", "integer"]

        return edit

    assert lines(changes_after(widen("ThingRequest", "note"))) == [
        "- Changed: `createThing`: request field `note`: type string -> integer | string"
    ]
    assert "- Breaking: `createThing`: response field `data.label`: type string -> integer | string" in lines(
        changes_after(widen("Thing", "label"))
    )


def test_null_breaks_where_the_client_receives_it() -> None:
    def nullable_data(document: dict[str, Any]) -> None:
        schemas(document)["Thing"]["properties"]["label"]["type"] = ["string", "null"]

    def nullable_note(document: dict[str, Any]) -> None:
        schemas(document)["ThingRequest"]["properties"]["note"]["type"] = ["string", "null"]

    assert "- Breaking: `createThing`: response field `data.label` may now be null" in lines(
        changes_after(nullable_data)
    )
    assert lines(changes_after(nullable_note)) == ["- Changed: `createThing`: request field `note` may now be null"]


def test_tighter_validation_breaks_requests_only() -> None:
    def lower(name: str, field: str) -> Callable[[dict[str, Any]], None]:
        def edit(document: dict[str, Any]) -> None:
            schemas(document)[name]["properties"][field]["maxLength"] = 32

        return edit

    def raise_limit(document: dict[str, Any]) -> None:
        schemas(document)["ThingRequest"]["properties"]["name"]["maxLength"] = 128

    assert lines(changes_after(lower("ThingRequest", "name"))) == [
        "- Breaking: `createThing`: request field `name`: maxLength `64` -> `32`"
    ]
    assert lines(changes_after(raise_limit)) == [
        "- Changed: `createThing`: request field `name`: maxLength `64` -> `128`"
    ]
    assert "- Changed: `createThing`: response field `data.id`: maxLength `64` -> `32`" in lines(
        changes_after(lower("Thing", "id"))
    )


def test_a_description_is_documentation() -> None:
    def reword(document: dict[str, Any]) -> None:
        schemas(document)["Thing"]["properties"]["kind"]["description"] = "What kind of thing it is."
        document["paths"]["/thing"]["post"]["summary"] = "Make a thing"

    changes = changes_after(reword)
    assert {change.impact for change in changes} == {Impact.DOCUMENTATION}
    assert "- Documentation: `createThing`: summary changed" in lines(changes)
    assert "- Documentation: `createThing`: response field `data.kind`: description changed" in lines(changes)


def test_a_parameter_renamed_is_one_breaking_change_and_a_new_optional_one_an_addition() -> None:
    def rename(document: dict[str, Any]) -> None:
        document["paths"]["/things"]["get"]["parameters"][1]["name"] = "dimension"

    def add(document: dict[str, Any]) -> None:
        parameter = {"name": "page", "in": "query", "required": False, "schema": {"type": "integer"}}
        document["paths"]["/things"]["get"]["parameters"].append(parameter)

    assert lines(changes_after(rename)) == ["- Breaking: `listThings`: parameter `size` renamed to `dimension`"]
    assert lines(changes_after(add)) == ["- Added: `listThings`: optional query parameter `page` added"]


def test_a_removed_and_an_added_parameter_of_different_types_are_not_a_rename() -> None:
    def replace(document: dict[str, Any]) -> None:
        document["paths"]["/things"]["get"]["parameters"][1] = {
            "name": "dimension",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
        }

    assert lines(changes_after(replace)) == [
        "- Breaking: `listThings`: parameter `size` removed",
        "- Added: `listThings`: optional query parameter `dimension` added",
    ]


def test_a_change_inside_a_json_string_field_is_followed() -> None:
    def add_content(document: dict[str, Any]) -> None:
        note = schemas(document)["ThingRequest"]["properties"]["note"]
        note["contentSchema"] = {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}

    old = base_document()
    add_content(old)
    new = copy.deepcopy(old)
    schemas(new)["ThingRequest"]["properties"]["note"]["contentSchema"]["required"].append("b")
    schemas(new)["ThingRequest"]["properties"]["note"]["contentSchema"]["properties"]["b"] = {"type": "string"}
    assert lines(compare_documents(old, new)) == [
        "- Breaking: `createThing`: required request field `note (JSON content).b` added"
    ]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda document: document["paths"]["/thing"]["post"].update(tags=["Stuff"]), Impact.BREAKING),
        (lambda document: document["info"].update(version="2.1"), Impact.CHANGED),
    ],
    ids=["a new tag moves the module", "the document's version"],
)
def test_operation_and_document_level_changes(edit: Callable[[dict[str, Any]], None], expected: Impact) -> None:
    changes = changes_after(edit)
    assert [change.impact for change in changes] == [expected]


def test_a_schema_that_refers_to_itself_is_compared_without_looping() -> None:
    def nest(document: dict[str, Any]) -> None:
        schemas(document)["Thing"]["properties"]["parent"] = {"$ref": "#/components/schemas/Thing"}

    old = base_document()
    nest(old)
    new = copy.deepcopy(old)
    schemas(new)["Thing"]["properties"]["label"]["description"] = "A label."
    # Reported where the schema first appears; its copy inside itself is not followed again.
    assert lines(compare_documents(old, new)) == [
        "- Documentation: `createThing`: response field `data.label`: description changed",
        "- Documentation: `webhook thingChanged`: payload field `label`: description changed",
    ]
