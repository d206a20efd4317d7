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
from change_report import Change, Impact, Level, Report
from spec_changes import YAML_LOADER, compare_documents, load_yaml

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


def test_the_fast_yaml_loader_reads_the_spec_as_the_safe_one_does() -> None:
    text = (ROOT / "openapi.yaml").read_text(encoding="utf-8")
    assert YAML_LOADER is yaml.CSafeLoader  # the venv's PyYAML has libyaml: the speed is real
    assert load_yaml(text) == yaml.safe_load(text)
    with pytest.raises(yaml.constructor.ConstructorError):  # and it is as safe
        load_yaml("!!python/object/apply:os.system ['true']")


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


def test_an_integer_is_a_number_so_a_number_is_wider() -> None:
    old = base_document()
    schemas(old)["ThingRequest"]["properties"]["count"] = {"type": "integer"}
    schemas(old)["Thing"]["properties"]["count"] = {"type": "integer"}
    new = copy.deepcopy(old)
    schemas(new)["ThingRequest"]["properties"]["count"]["type"] = "number"
    schemas(new)["Thing"]["properties"]["count"]["type"] = "number"

    assert lines(compare_documents(old, new)) == [
        "- Changed: `createThing`: request field `count`: type integer -> number",
        "- Breaking: `createThing`: response field `data.count`: type integer -> number",
        "- Breaking: `webhook thingChanged`: payload field `count`: type integer -> number",
    ]
    assert lines(compare_documents(new, old))[1:] == [
        "- Changed: `createThing`: response field `data.count`: type number -> integer",
        "- Changed: `webhook thingChanged`: payload field `count`: type number -> integer",
    ]


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


def real_spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    return document


def test_a_default_on_the_card_language_changes_what_the_same_call_sends() -> None:
    old = real_spec()
    with_default = copy.deepcopy(old)
    language = schemas(with_default)["CreateOrderByCreditCardRequest"]["properties"]["lanuage"]
    language["default"] = "en-US"
    changed = copy.deepcopy(with_default)
    schemas(changed)["CreateOrderByCreditCardRequest"]["properties"]["lanuage"]["default"] = "ru-RU"

    assert lines(compare_documents(old, with_default)) == [
        "- Breaking: `createOrderByCreditCard`: request field `lanuage`: default (none) -> `en-US` "
        "(the same call now sends another value)"
    ]
    assert lines(compare_documents(with_default, changed)) == [
        "- Breaking: `createOrderByCreditCard`: request field `lanuage`: default `en-US` -> `ru-RU` "
        "(the same call now sends another value)"
    ]
    assert lines(compare_documents(changed, old)) == [
        "- Breaking: `createOrderByCreditCard`: request field `lanuage`: default `ru-RU` -> (none) "
        "(the same call now sends another value)"
    ]


def test_a_default_breaks_what_the_client_sends_not_what_it_receives() -> None:
    def default_label(document: dict[str, Any]) -> None:
        schemas(document)["Thing"]["properties"]["label"]["default"] = "none"

    def default_size(document: dict[str, Any]) -> None:
        document["paths"]["/things"]["get"]["parameters"][1]["schema"]["default"] = 10

    assert lines(changes_after(default_label)) == [
        "- Changed: `createThing`: response field `data.label`: default (none) -> `none`",
        "- Changed: `webhook thingChanged`: payload field `label`: default (none) -> `none`",
    ]
    assert lines(changes_after(default_size)) == [
        "- Breaking: `listThings`: parameter `size`: default (none) -> `10` (the same call now sends another value)"
    ]


def test_a_default_added_to_a_value_every_call_passes_changes_no_call() -> None:
    def default_name(document: dict[str, Any]) -> None:
        schemas(document)["ThingRequest"]["properties"]["name"]["default"] = "thing"

    def default_color(document: dict[str, Any]) -> None:
        document["paths"]["/things"]["get"]["parameters"][0]["schema"]["default"] = "red"

    assert lines(changes_after(default_name)) == [
        "- Changed: `createThing`: request field `name`: default (none) -> `thing` (the argument may now be left out)"
    ]
    assert lines(changes_after(default_color)) == [
        "- Changed: `listThings`: parameter `color`: default (none) -> `red` (the argument may now be left out)"
    ]


def test_an_empty_default_reads_as_json_so_it_is_seen() -> None:
    def default_label(document: dict[str, Any]) -> None:
        schemas(document)["Thing"]["properties"]["label"]["default"] = ""

    assert lines(changes_after(default_label))[0] == (
        '- Changed: `createThing`: response field `data.label`: default (none) -> `""`'
    )


def test_defaults_of_other_json_types_are_other_defaults() -> None:
    old = base_document()
    document_properties = schemas(old)["ThingRequest"]["properties"]
    document_properties["count"] = {"type": ["integer", "boolean"], "default": 1}
    new = copy.deepcopy(old)
    schemas(new)["ThingRequest"]["properties"]["count"]["default"] = True
    assert lines(compare_documents(old, new)) == [
        "- Breaking: `createThing`: request field `count`: default `1` -> `true` "
        "(the same call now sends another value)"
    ]


def test_a_deprecation_is_its_own_kind_of_change_and_a_minor_version() -> None:
    def deprecate(document: dict[str, Any]) -> None:
        document["paths"]["/things"]["get"]["deprecated"] = True
        document["paths"]["/things"]["get"]["parameters"][1]["deprecated"] = True
        schemas(document)["ThingRequest"]["properties"]["note"]["deprecated"] = True

    changes = changes_after(deprecate)
    assert lines(changes) == [
        "- Deprecated: `createThing`: request field `note` deprecated",
        "- Deprecated: `listThings`: operation deprecated",
        "- Deprecated: `listThings`: parameter `size` deprecated",
    ]
    report = Report("cpay-client 1.0.0", spec_changes=tuple(changes), spec_text_changed=True)
    assert report.level is Level.MINOR
    assert report.summary() == "Changes since cpay-client 1.0.0: API 3 deprecated."
    assert report.markdown_sections() == ["", "### Deprecated", "", *lines(changes)]

    old = base_document()
    deprecate(old)
    assert lines(compare_documents(old, base_document())) == [
        "- Changed: `createThing`: request field `note` no longer deprecated",
        "- Changed: `listThings`: operation no longer deprecated",
        "- Changed: `listThings`: parameter `size` no longer deprecated",
    ]


def test_a_deprecated_response_field_and_a_deprecated_ref_are_seen() -> None:
    def deprecate(document: dict[str, Any]) -> None:
        schemas(document)["Thing"]["properties"]["label"]["deprecated"] = True
        schemas(document)["ThingRequest"]["properties"]["kind"] = {
            "$ref": "#/components/schemas/Kind",
            "deprecated": True,
        }

    assert lines(changes_after(deprecate)) == [
        "- Deprecated: `createThing`: request field `kind` deprecated",
        "- Deprecated: `createThing`: response field `data.label` deprecated",
        "- Deprecated: `webhook thingChanged`: payload field `label` deprecated",
    ]


def with_pattern(name: str, field: str, pattern: str) -> Callable[[dict[str, Any]], None]:
    def edit(document: dict[str, Any]) -> None:
        schemas(document)[name]["properties"][field]["pattern"] = pattern

    return edit


def test_more_decimals_in_a_request_pattern_breaks_nothing_and_fewer_breaks() -> None:
    two, eight = r"^\d+(\.\d{1,2})?$", r"^\d+(\.\d{1,8})?$"
    old = base_document()
    with_pattern("ThingRequest", "note", two)(old)
    widened = copy.deepcopy(old)
    with_pattern("ThingRequest", "note", eight)(widened)

    assert lines(compare_documents(old, widened)) == [
        rf"- Changed: `createThing`: request field `note`: pattern `{two}` -> `{eight}` "
        "(wider: accepts every value it accepted: also accepts e.g. `0.00000000`)"
    ]
    assert lines(compare_documents(widened, old)) == [
        rf"- Breaking: `createThing`: request field `note`: pattern `{eight}` -> `{two}` "
        "(narrower: refuses e.g. `0.00000000`)"
    ]


def test_a_pattern_change_that_is_not_proven_is_one_to_check_and_a_received_one_never_breaks() -> None:
    old = base_document()
    with_pattern("ThingRequest", "note", "^[a-c]+$")(old)
    with_pattern("Thing", "label", r"^\d+(\.\d{1,8})?$")(old)
    new = copy.deepcopy(old)
    with_pattern("ThingRequest", "note", "^(a|b|c)+$")(new)
    with_pattern("Thing", "label", r"^\d+(\.\d{1,2})?$")(new)

    changes = lines(compare_documents(old, new))
    assert changes[0] == (
        "- Changed: `createThing`: request field `note`: pattern `^[a-c]+$` -> `^(a|b|c)+$` "
        "(pattern changed, check it: neither proven wider nor shown narrower)"
    )
    assert changes[1].startswith("- Changed: `createThing`: response field `data.label`: pattern ")
    assert changes[1].endswith("(narrower: refuses e.g. `0.00000000`)")
    assert len(changes) == 3  # and the webhook payload's field, also received


def test_more_decimals_for_card_amounts_is_not_a_major_version() -> None:
    old = real_spec()
    new = copy.deepcopy(old)
    card_amount = schemas(new)["CardAmount"]
    card_amount["pattern"] = card_amount["pattern"].replace("{1,2}", "{1,8}")

    changes = compare_documents(old, new)
    assert changes  # every card amount field is listed...
    assert {change.impact for change in changes} == {Impact.CHANGED}  # ...and none breaks
    assert all("(wider: accepts every value it accepted" in change.text for change in changes)
    assert Report("base", spec_changes=tuple(changes), spec_text_changed=True).level is Level.PATCH


def with_security(document: dict[str, Any]) -> dict[str, Any]:
    document["security"] = [{"merchantId": [], "sign": []}]
    document["components"]["securitySchemes"] = {
        "merchantId": {"type": "apiKey", "in": "query", "name": "merchantId"},
        "sign": {"type": "apiKey", "in": "query", "name": "sign"},
    }
    return document


def test_a_security_scheme_the_client_signs_with_breaks_when_it_changes_and_not_when_it_is_added() -> None:
    old = with_security(base_document())
    changed = copy.deepcopy(old)
    changed["components"]["securitySchemes"]["sign"] = {"type": "http", "scheme": "bearer"}
    added = copy.deepcopy(old)
    added["components"]["securitySchemes"]["token"] = {"type": "http", "scheme": "bearer"}

    assert lines(compare_documents(old, changed)) == [
        "- Breaking: `security`: security scheme `sign`: apiKey `sign` in query -> http bearer "
        "(the signing runtime, cpay_signing, still sends it the old way)"
    ]
    assert lines(compare_documents(old, added)) == ["- Changed: `security`: security scheme `token` added"]


def test_a_requirement_breaks_only_when_what_the_client_sends_is_no_longer_enough() -> None:
    old = with_security(base_document())
    dropped = copy.deepcopy(old)
    del dropped["security"]
    alternative = copy.deepcopy(old)
    alternative["security"].append({"token": []})
    more = copy.deepcopy(old)
    more["security"] = [{"merchantId": [], "sign": [], "token": []}]

    assert lines(compare_documents(old, dropped)) == [
        "- Changed: `security`: security requirement `merchantId` + `sign` -> (none)"
    ]
    assert lines(compare_documents(old, alternative)) == [
        "- Changed: `security`: security requirement `merchantId` + `sign` -> `merchantId` + `sign` or `token`"
    ]
    assert lines(compare_documents(old, more)) == [
        "- Breaking: `security`: security requirement `merchantId` + `sign` -> `merchantId` + `sign` + `token` "
        "(the client does not send what the server now asks for)"
    ]
    fewer = copy.deepcopy(old)
    fewer["security"] = [{"sign": []}]  # the client still sends merchantId too: more than asked is fine
    assert lines(compare_documents(old, fewer)) == [
        "- Changed: `security`: security requirement `merchantId` + `sign` -> `sign`"
    ]


def test_an_operation_that_repeats_the_document_requirement_changes_nothing_the_server_asks() -> None:
    old = with_security(base_document())
    repeated = copy.deepcopy(old)
    repeated["paths"]["/things"]["get"]["security"] = [{"merchantId": [], "sign": []}]
    opened = copy.deepcopy(old)
    opened["paths"]["/things"]["get"]["security"] = []

    assert lines(compare_documents(old, repeated)) == []  # the generated client changes, though: package side
    assert lines(compare_documents(old, opened)) == [
        "- Changed: `listThings`: security requirement of the operation `merchantId` + `sign` -> (none)"
    ]


def test_a_conditional_rule_is_assumed_tighter_where_the_client_sends() -> None:
    def condition(name: str) -> Callable[[dict[str, Any]], None]:
        def edit(document: dict[str, Any]) -> None:
            schemas(document)[name]["if"] = {"required": ["note"]}
            schemas(document)[name]["then"] = {"required": ["kind"]}

        return edit

    assert lines(changes_after(condition("ThingRequest"))) == [
        "- Breaking: `createThing`: request body: `if` added (not analysed: may refuse what it accepted)",
        "- Breaking: `createThing`: request body: `then` added (not analysed: may refuse what it accepted)",
    ]
    old = base_document()
    condition("ThingRequest")(old)
    assert lines(compare_documents(old, base_document())) == [
        "- Changed: `createThing`: request body: `if` removed",
        "- Changed: `createThing`: request body: `then` removed",
    ]
    assert "- Changed: `createThing`: response field `data`: `then` added" in lines(changes_after(condition("Thing")))


def test_the_encoding_inside_a_text_field_is_other_text_both_ways() -> None:
    def encoded(name: str, field: str, media: str) -> Callable[[dict[str, Any]], None]:
        def edit(document: dict[str, Any]) -> None:
            schemas(document)[name]["properties"][field]["contentMediaType"] = media

        return edit

    old = base_document()
    encoded("ThingRequest", "note", "application/json")(old)
    encoded("Thing", "label", "application/json")(old)
    new = copy.deepcopy(old)
    encoded("ThingRequest", "note", "text/csv")(new)
    encoded("Thing", "label", "text/csv")(new)

    changed = lines(compare_documents(old, new))
    assert "- Breaking: `createThing`: request field `note`: contentMediaType `application/json` -> `text/csv`" in (
        changed
    )
    assert (
        "- Breaking: `createThing`: response field `data.label`: contentMediaType `application/json` -> `text/csv`"
        in (changed)
    )
    assert lines(changes_after(encoded("ThingRequest", "note", "application/json"))) == [
        "- Breaking: `createThing`: request field `note`: contentMediaType (none) -> `application/json`"
    ]


def test_a_required_field_with_a_default_is_sent_by_the_client_itself() -> None:
    def add(document: dict[str, Any]) -> None:
        schemas(document)["ThingRequest"]["properties"]["size"] = {"type": "string", "default": "M"}
        schemas(document)["ThingRequest"]["required"].append("size")
        parameter = {"name": "page", "in": "query", "required": True, "schema": {"type": "integer", "default": 1}}
        document["paths"]["/things"]["get"]["parameters"].append(parameter)

    assert lines(changes_after(add)) == [
        "- Added: `createThing`: required request field `size` added (with a default, which the client sends)",
        "- Added: `listThings`: required query parameter `page` added (with a default, which the client sends)",
    ]


def test_a_json_content_schema_removed_from_a_request_field_relaxes_it() -> None:
    old = base_document()
    schemas(old)["ThingRequest"]["properties"]["note"]["contentSchema"] = {"type": "object"}
    assert lines(compare_documents(old, base_document())) == [
        "- Changed: `createThing`: request field `note`: JSON content schema removed"
    ]
    assert lines(compare_documents(base_document(), old)) == [
        "- Breaking: `createThing`: request field `note`: JSON content schema added"
    ]


def test_a_request_body_the_client_can_no_longer_sign_breaks_and_a_body_it_parses_breaks_too() -> None:
    def swap(document: dict[str, Any]) -> None:
        thing = document["paths"]["/thing"]["post"]
        thing["requestBody"]["content"] = {JSON: thing["requestBody"]["content"][FORM]}
        thing["responses"]["200"]["content"] = {"application/xml": thing["responses"]["200"]["content"][JSON]}
        hook = document["webhooks"]["thingChanged"]["post"]
        hook["requestBody"]["content"] = {"text/plain": hook["requestBody"]["content"][JSON]}

    assert lines(changes_after(swap)) == [
        f"- Breaking: `createThing`: request body now {JSON} instead of {FORM} (the client now writes {JSON}; "
        f"cpay_signing signs only {FORM} bodies (section 16) and raises CPayError for others)",
        f"- Breaking: `createThing`: response now application/xml instead of {JSON}",
        f"- Breaking: `webhook thingChanged`: payload now text/plain instead of {JSON}",
    ]


def test_a_reply_the_merchant_writes_in_another_media_type_is_not_signed() -> None:
    old = base_document()
    reply = {"schema": {"type": "string", "enum": ["SUCCESS"]}}
    old["webhooks"]["thingChanged"]["post"]["responses"]["200"]["content"] = {"text/plain": reply}
    new = copy.deepcopy(old)
    new["webhooks"]["thingChanged"]["post"]["responses"]["200"]["content"] = {JSON: reply}

    assert lines(compare_documents(old, new)) == [
        f"- Changed: `webhook thingChanged`: response now {JSON} instead of text/plain"
    ]


def test_a_value_that_becomes_a_union_keeps_the_keywords_of_its_branch() -> None:
    def union(max_length: int) -> Callable[[dict[str, Any]], None]:
        def edit(document: dict[str, Any]) -> None:
            schemas(document)["ThingRequest"]["properties"]["name"] = {
                "anyOf": [{"type": "string", "maxLength": max_length}, {"type": "integer"}]
            }

        return edit

    assert lines(changes_after(union(64))) == [
        "- Changed: `createThing`: request field `name`: type string -> string | integer"
    ]
    assert lines(changes_after(union(32))) == [
        "- Changed: `createThing`: request field `name`: type string -> string | integer",
        "- Breaking: `createThing`: request field `name`: maxLength `64` -> `32`",
    ]
    old = base_document()
    union(64)(old)
    assert lines(compare_documents(old, base_document())) == [
        "- Breaking: `createThing`: request field `name`: type string | integer -> string"
    ]


def test_a_value_made_required_that_has_a_default_is_sent_by_the_client_itself() -> None:
    def require_with_default(document: dict[str, Any]) -> None:
        schemas(document)["ThingRequest"]["properties"]["note"]["default"] = "none"
        schemas(document)["ThingRequest"]["required"].append("note")
        size = document["paths"]["/things"]["get"]["parameters"][1]
        size["schema"]["default"] = 10
        size["required"] = True

    assert lines(changes_after(require_with_default)) == [
        "- Changed: `createThing`: request field `note` is now required (with a default, which the client sends)",
        "- Breaking: `createThing`: request field `note`: default (none) -> `none` (the same call now sends another "
        "value)",
        "- Changed: `listThings`: parameter `size` is now required (with a default, which the client sends)",
        "- Breaking: `listThings`: parameter `size`: default (none) -> `10` (the same call now sends another value)",
    ]
    old = base_document()
    schemas(old)["ThingRequest"]["properties"]["note"]["default"] = "none"
    old["paths"]["/things"]["get"]["parameters"][1]["schema"]["default"] = 10
    new = copy.deepcopy(old)
    require_with_default(new)
    assert lines(compare_documents(old, new)) == [  # the same default: the same call sends the same values
        "- Changed: `createThing`: request field `note` is now required (with a default, which the client sends)",
        "- Changed: `listThings`: parameter `size` is now required (with a default, which the client sends)",
    ]
