"""``shared.overlay``: Overlay 1.0 documents checked against the specification's schema and applied to a YAML
document without touching what they do not change.

The witnesses are the specification's own: its JSON Schema's pass and fail fixtures, and its compliant sets
(an OpenAPI description, an overlay, the expected output), copied into ``overlay_suite/``. The repository's
``openapi.yaml`` is the document the round trip must keep byte for byte.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import jsonpath_rfc9535
import pytest
import yaml

from cpay_emulator.shared.overlay import (
    OverlayError,
    apply_overlay,
    dump_round_trip,
    jsonpath_of,
    load_overlay,
    load_round_trip,
    overlay_problems,
)

SUITE = Path(__file__).with_name("overlay_suite")
SETS = SUITE / "compliant-sets"
SPEC_TEXT = (Path(__file__).resolve().parents[3] / "openapi.yaml").read_text(encoding="utf-8")
OVERLAY_1_1 = "replace-servers-for-sandbox"  # the one compliant set written as an Overlay 1.1 document
SMALL = """\
openapi: 3.1.0
info: {title: C-Pay API, version: "2.0"}  # a comment that stays
paths:
  /openapi/v1/getOrderDetail:
    get:
      parameters:
        - name: merchantTradeNo
          in: query
components:
  schemas:
    OrderStatus:
      type: string
      enum: ["0", "11", "14", "15"]
      x-enum-varnames: [PENDING, PROCESSING, COMPLETED, CLOSED]
"""
"""A document of the spec's shape, small: ruamel.yaml takes about a second to read and write all of openapi.yaml."""


def overlay(*actions: dict[str, Any]) -> dict[str, Any]:
    return {"overlay": "1.0.0", "info": {"title": "test", "version": "1"}, "actions": list(actions)}


def applied(text: str, document: dict[str, Any]) -> str:
    spec = load_round_trip(text)
    apply_overlay(spec, document)
    return dump_round_trip(spec)


@pytest.mark.parametrize("name", sorted(path.name for path in (SUITE / "tests/v1.0/pass").iterdir()))
def test_the_schema_accepts_the_specifications_passing_fixtures(name: str) -> None:
    document = yaml.safe_load((SUITE / "tests/v1.0/pass" / name).read_text(encoding="utf-8"))
    assert overlay_problems(document) == []


@pytest.mark.parametrize("name", sorted(path.name for path in (SUITE / "tests/v1.0/fail").iterdir()))
def test_the_schema_refuses_the_specifications_failing_fixtures(name: str) -> None:
    document = yaml.safe_load((SUITE / "tests/v1.0/fail" / name).read_text(encoding="utf-8"))
    assert overlay_problems(document) != []


@pytest.mark.parametrize("name", sorted(path.name for path in SETS.iterdir() if path.name != OVERLAY_1_1))
def test_each_compliant_set_applies_to_its_expected_output(name: str) -> None:
    document = load_overlay(SETS / name / "overlay.yaml")
    result = applied((SETS / name / "openapi.yaml").read_text(encoding="utf-8"), document)
    assert yaml.safe_load(result) == yaml.safe_load((SETS / name / "output.yaml").read_text(encoding="utf-8"))


def test_an_overlay_1_1_document_is_refused_by_name_and_place(tmp_path: Path) -> None:
    with pytest.raises(OverlayError) as caught:
        load_overlay(SETS / OVERLAY_1_1 / "overlay.yaml")
    assert "is not an Overlay 1.0 document" in str(caught.value)
    assert 'overlay: "1.1.0" does not match' in str(caught.value)
    typo = tmp_path / "typo.yaml"
    typo.write_text("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - targt: $.info\n", encoding="utf-8")
    with pytest.raises(OverlayError, match=r'actions\.0: "target" is a required property'):
        load_overlay(typo)


def test_the_spec_round_trips_byte_for_byte() -> None:
    assert dump_round_trip(load_round_trip(SPEC_TEXT)) == SPEC_TEXT


def test_applying_keeps_comments_and_key_order_outside_the_changed_nodes() -> None:
    changes = overlay(
        {"target": "$.components.schemas.OrderDetail.properties.status", "remove": True},
        {
            "target": "$.components.schemas.OrderDetail.properties",
            "update": {"status": {"anyOf": [{"$ref": "#/components/schemas/OrderStatus"}, {"type": "integer"}]}},
        },
        {"target": "$.components.schemas.OrderDetail.properties", "update": {"serviceFee": {"type": "string"}}},
    )
    result = applied(SPEC_TEXT, changes)

    diff = [line for line in difflib.unified_diff(SPEC_TEXT.splitlines(), result.splitlines(), lineterm="", n=0)]
    removed = [line[1:] for line in diff if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]
    assert removed == ['        status: {$ref: "#/components/schemas/OrderStatus"}']
    assert added == [
        "        status:",
        "          anyOf:",
        "            - $ref: '#/components/schemas/OrderStatus'",
        "            - type: integer",
        "        serviceFee:",
        "          type: string",
    ]
    # The replaced property kept its place (second, after orderId), the new one went last.
    properties = list(yaml.safe_load(result)["components"]["schemas"]["OrderDetail"]["properties"])
    assert properties[:2] == ["orderId", "status"]
    assert properties[-1] == "serviceFee"
    comments = [line for line in SPEC_TEXT.splitlines() if line.lstrip().startswith("#")]
    assert comments
    assert comments == [line for line in result.splitlines() if line.lstrip().startswith("#")]


def test_the_same_overlay_applied_twice_changes_nothing_the_second_time() -> None:
    changes = overlay(
        {"target": "$.components.schemas.OrderStatus", "update": {"enum": ["16"], "x-enum-varnames": ["REFUNDED"]}},
        {
            "target": "$.paths['/openapi/v1/getOrderDetail'].get.parameters",
            "update": {"name": "utm", "in": "query", "schema": {"type": "string"}},
        },
    )
    once = applied(SMALL, changes)
    assert once != SMALL
    assert applied(once, changes) == once
    order_status = yaml.safe_load(once)["components"]["schemas"]["OrderStatus"]
    assert order_status["enum"] == ["0", "11", "14", "15", "16"]
    assert order_status["x-enum-varnames"][-1] == "REFUNDED"


def test_an_update_of_a_primitive_is_refused() -> None:
    with pytest.raises(OverlayError, match=r"action 1: .* a primitive: Overlay 1\.0 updates objects and arrays"):
        applied(SMALL, overlay({"target": "$.info.title", "update": "C-Pay"}))


def test_an_update_that_does_not_fit_its_target_is_refused() -> None:
    with pytest.raises(OverlayError, match=r"\$\.info\.title: cannot merge an object into a primitive"):
        applied(SMALL, overlay({"target": "$.info", "update": {"title": {"text": "C-Pay"}}}))
    with pytest.raises(OverlayError, match="is an object, so its update must be an object"):
        applied(SMALL, overlay({"target": "$.info", "update": ["C-Pay"]}))


def test_a_target_that_is_not_rfc_9535_jsonpath_is_refused() -> None:
    # A filter without brackets around its name, as jsonpath-plus reads it and RFC 9535 does not.
    with pytest.raises(OverlayError, match=r"action 1: the target .* is not RFC 9535 JSONPath"):
        applied(SMALL, overlay({"target": "$.paths.*.get[?(@.x-oai-traits)]", "remove": True}))


def test_a_target_that_selects_nothing_changes_nothing_and_says_so() -> None:
    spec = load_round_trip(SMALL)
    (result,) = apply_overlay(spec, overlay({"target": "$.components.schemas.Nothing", "update": {"a": 1}}))
    assert result.selected == 0
    assert dump_round_trip(spec) == SMALL


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        (("components", "schemas", "OrderDetail"), "$.components.schemas.OrderDetail"),
        (("paths", "/openapi/v1/pwpp", "post"), "$.paths['/openapi/v1/pwpp'].post"),
        (
            ("components", "schemas", "OrderStatus", "x-enum-varnames"),
            "$.components.schemas.OrderStatus['x-enum-varnames']",
        ),
        (
            ("webhooks", "orderStatusChanged", "post", "responses", "200"),
            "$.webhooks.orderStatusChanged.post.responses['200']",
        ),
        (("a", "it's \\ here", 0), "$.a['it\\'s \\\\ here'][0]"),
    ],
)
def test_a_location_is_written_as_a_query_that_selects_exactly_it(location: tuple[Any, ...], expected: str) -> None:
    assert jsonpath_of(location) == expected
    document: dict[str, Any] = {}
    node: Any = document
    for key, following in zip(location, [*location[1:], None], strict=True):
        child: Any = [{}] if isinstance(following, int) else {}
        node[key] = child
        node = child[0] if isinstance(following, int) else child
    (found,) = jsonpath_rfc9535.find(expected, document)
    assert tuple(found.location) == location
