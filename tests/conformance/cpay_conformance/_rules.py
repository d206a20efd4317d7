"""Rules of ``openapi.yaml`` that JSON Schema validation (and so Schemathesis) does not enforce.

A case Schemathesis generates as *positive* is valid against the JSON Schemas of the spec. Two kinds of rule
are in the spec or the document but outside what that validation checks, and a server is right to reject a request that
breaks them, so the positive check does not count such a case:

* ``contentMediaType: application/json`` with a ``contentSchema``: the field holds JSON text matching the
  content schema (``products``, ``extInfo``, submitKYC ``data``). JSON Schema 2020-12 treats both keywords
  as annotations. An empty value is absent (section 16: empty parameters are not sent or signed).
* One value per name: C-Pay's parameters are flat text, so a body field holding an array or object (which a
  form encoder sends as the name repeated) is not a C-Pay request, whatever an open object schema allows.
* getOrderDetail's "at least one of ``merchantTradeNo``, ``cpayOrderId``, ``hash``" (section 9), which OAS 3.1
  cannot state for query parameters.

The other way round, a case generated as *negative* may be valid as the server reads it: C-Pay leaves empty
parameters out of the signature (section 16) and treats them as absent, so ``hash=`` on an optional ``hash``
with ``minLength: 1`` is no violation on the wire. ``valid_when_empty_is_absent`` finds such cases.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml
from schemathesis import Case
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.utils import read_from_wire

from cpay_conformance._paths import SPEC_PATH
from cpay_emulator.shared.content_schema import json_text_fields
from cpay_emulator.shared.spec import spec_operations

__all__ = [
    "SpecRules",
    "drop_credentials",
    "negated_only_in_parameters",
    "spec_rules",
    "valid_as_sent",
    "valid_when_empty_is_absent",
]

_FORM = "application/x-www-form-urlencoded"
_AT_LEAST_ONE_OF: Mapping[str, tuple[str, ...]] = {
    "GET /openapi/v1/getOrderDetail": ("merchantTradeNo", "cpayOrderId", "hash"),
}


class SpecRules:
    """The spec's JSON-in-string fields per operation, with compiled content validators and valid templates."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._json_fields: dict[str, dict[str, jsonschema_rs.Validator]] = {}
        self._templates: dict[tuple[str, str], Any] = {}
        self._max_length: dict[tuple[str, str], int] = {}
        for _, method, path, operation in spec_operations(document):  # $refs inlined by the one resolver
            content = operation.get("requestBody", {}).get("content", {}).get(_FORM, {})
            label = f"{method} {path}"
            fields: dict[str, jsonschema_rs.Validator] = {}
            for field in json_text_fields(content.get("schema", {})):
                if len(field.path) != 1:
                    continue  # a form field is a top-level name
                (name,) = field.path
                content_schema = field.content_schema
                schema = dict(content_schema) if isinstance(content_schema, Mapping) else content_schema
                validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
                fields[name] = validator
                self._max_length[(label, name)] = int(field.schema.get("maxLength", 1 << 20))
                template = _example_value(content, name)
                if template is None and isinstance(content_schema, Mapping) and content_schema.get("type") == "object":
                    template = {}
                if template is not None and validator.is_valid(template):
                    self._templates[(label, name)] = template
            if fields:
                self._json_fields[label] = fields

    def json_fields(self, label: str) -> tuple[str, ...]:
        """Names of ``label``'s form fields that carry JSON text."""
        return tuple(self._json_fields.get(label, {}))

    def unenforced_violation(self, case: Case[Any]) -> str | None:
        """Why ``case`` breaks a rule of the spec that schema validation did not check, or ``None``."""
        label = case.operation.label
        names = _AT_LEAST_ONE_OF.get(label)
        if names is not None:
            query = case.query if isinstance(case.query, Mapping) else {}
            if not any(query.get(name) not in (None, "") for name in names):
                return f"needs at least one of {', '.join(names)}"
        body = case.body if isinstance(case.body, Mapping) else {}
        for name, value in body.items():
            if isinstance(value, list | dict):
                # A form sends an array as the name repeated; C-Pay takes one value per name (section 16 signs
                # name=value pairs), so such a body is no valid C-Pay request whatever its schema allows.
                return f"{name} carries several values"
        for name, validator in self._json_fields.get(label, {}).items():
            value = body.get(name)
            if not isinstance(value, str) or value == "":
                continue
            try:
                parsed = json.loads(value)
            except ValueError:
                return f"{name} is not JSON text"
            if not validator.is_valid(parsed):
                return f"{name} does not match its contentSchema"
        return None

    def repair_json_fields(self, case: Case[Any]) -> None:
        """Give a JSON-in-string field of a *positive* case valid JSON, keeping the generated text in it.

        Schemathesis does not generate from ``contentSchema``, so nearly every generated ``products`` or KYC
        ``data`` is not JSON, and the positive check could never judge those operations. A valid template
        from the spec's own examples is used instead, with the generated text as its first string value
        (so the fuzzing still reaches the server); if that breaks the content schema, the template alone.
        """
        meta = case.meta
        if meta is None or not meta.generation.mode.is_positive or not isinstance(case.body, dict):
            return
        label = case.operation.label
        for name, validator in self._json_fields.get(label, {}).items():
            value = case.body.get(name)
            if not isinstance(value, str) or value == "" or _is_valid_json(value, validator):
                continue
            template = self._templates.get((label, name))
            if template is None:
                continue
            limit = self._max_length[(label, name)]
            for candidate in (_with_text(template, value), template):
                text = json.dumps(candidate, ensure_ascii=False, separators=(",", ":"))
                if len(text) <= limit and validator.is_valid(candidate):
                    case.body[name] = text
                    break


def _example_value(content: Mapping[str, Any], name: str) -> Any:
    """The first request example's ``name``, parsed from its JSON text (``None`` if there is none)."""
    for example in content.get("examples", {}).values():
        value = example.get("value", {}) if isinstance(example, Mapping) else {}
        text = value.get(name) if isinstance(value, Mapping) else None
        if isinstance(text, str) and text:
            try:
                return json.loads(text)
            except ValueError:
                return None
    return None


def _is_valid_json(text: str, validator: jsonschema_rs.Validator) -> bool:
    try:
        return bool(validator.is_valid(json.loads(text)))
    except ValueError:
        return False


def _with_text(template: Any, text: str) -> Any:
    """``template`` with ``text`` (shortened) as the value of the first string-valued key of its first object."""
    text = text[:32]
    target = template[0] if isinstance(template, list) and template else template
    if not isinstance(target, dict):
        return template
    key = next((k for k, v in target.items() if isinstance(v, str) and v), None)
    changed = {**target, (key or "note"): text}
    return [changed, *template[1:]] if isinstance(template, list) else changed


@functools.cache
def spec_rules(path: Path = SPEC_PATH) -> SpecRules:
    """The rules of the spec at ``path`` (read once)."""
    with open(path, encoding="utf-8") as stream:
        return SpecRules(yaml.safe_load(stream))


def _without_empty(value: Mapping[str, Any]) -> dict[str, Any]:
    return {name: item for name, item in value.items() if item is not None and item != ""}


def valid_when_empty_is_absent(case: Case[Any]) -> bool:
    """Whether ``case`` is valid once its empty parameters are taken as absent, as C-Pay reads a request.

    Only a case that has an empty query or form value can change; a case negated anywhere else (a header,
    a body that is not a form object) stays negative.
    """
    meta = case.meta
    if meta is None:
        return False
    containers: dict[ParameterLocation, Any] = {ParameterLocation.QUERY: case.query, ParameterLocation.BODY: case.body}
    if not any(
        isinstance(value, Mapping) and any(item is None or item == "" for item in value.values())
        for value in containers.values()
    ):
        return False
    validator_cls = case.operation.schema.adapter.jsonschema_validator_cls
    for location, info in meta.components.items():
        if info.mode.is_positive:
            continue
        value = containers.get(location)
        if not isinstance(value, Mapping):
            return False
        value = _without_empty(value)
        try:
            valid = case._validate_component(location, value, validator_cls)
            if not valid and location != ParameterLocation.BODY:
                valid = case._validate_component(
                    location, read_from_wire(case.operation, location, value), validator_cls
                )
        except Exception:  # a schema the validator cannot read cannot vouch for the case
            return False
        if not valid:
            return False
    return True


_CREDENTIALS = ("merchantId", "sign")


def drop_credentials(case: Case[Any]) -> None:
    """Remove ``merchantId``/``sign`` that generation put in an open body or query as extra parameters.

    They are the security schemes' parameters, which the signing auth adds; an extra property that happens
    to be named ``merchantId`` would otherwise be kept by the auth and sign the request as a stranger.
    """
    for container in (case.query, case.body):
        if isinstance(container, dict):
            for name in _CREDENTIALS:
                container.pop(name, None)


def valid_as_sent(case: Case[Any]) -> bool:
    """Whether the query and body of ``case`` are valid against the spec as they are now (not as labelled).

    Schemathesis labels a case positive when it is generated; a case built from earlier responses in the
    stateful phase can carry values that break the schema all the same.
    """
    validator_cls = case.operation.schema.adapter.jsonschema_validator_cls
    checks: list[tuple[ParameterLocation, Any]] = []
    if isinstance(case.query, Mapping):
        checks.append((ParameterLocation.QUERY, case.query))
    if case.media_type is not None and isinstance(case.body, Mapping):
        checks.append((ParameterLocation.BODY, case.body))
    for location, value in checks:
        try:
            valid = case._validate_component(location, value, validator_cls)
            if not valid and location == ParameterLocation.QUERY:
                wire = read_from_wire(case.operation, location, value)
                valid = case._validate_component(location, wire, validator_cls)
        except Exception:  # a schema the validator cannot read cannot judge the case
            return True
        if not valid:
            return False
    return True


def negated_only_in_parameters(case: Case[Any]) -> bool:
    """Whether every negated part of ``case`` is its query or body (what ``valid_as_sent`` can judge)."""
    meta = case.meta
    if meta is None:
        return False
    negated = {location for location, info in meta.components.items() if not info.mode.is_positive}
    return bool(negated) and negated <= {ParameterLocation.QUERY, ParameterLocation.BODY}
