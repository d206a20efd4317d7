"""Request validation compiled from ``openapi.yaml`` once, at start-up.

For each operation the spec's query parameters (GET) or form body schema (POST) become one JSON Schema object
compiled with jsonschema-rs. The rules (required fields, ``maxLength``, amount patterns, enums, formats) are the
spec's; the emulator adds only the wire-level steps the spec implies:

* ``merchantId`` and ``sign`` travel as apiKey security parameters, not declared fields: they are taken out
  before validation (and checked by the signature step instead).
* Every value arrives as text, so values of fields typed ``integer`` are converted when they are integers.
* An empty value is treated as absent: the document leaves empty parameters out of the signature (section
  16), and form encoders send ``name=`` for an unset optional field.
* Only the names the spec declares are read, as C-Pay's form binder reads only the names it binds: the
  callback URL is ``callBackURL`` (the vendor's PDF and every vendor client); ``callbackURL`` is an unknown
  parameter like any other, signed and ignored, so such an order's webhook goes to the merchant's default URL.
* Fields declared ``contentMediaType: application/json`` are parsed and checked against their
  ``contentSchema`` (JSON Schema only annotates these keywords). They are parsed by ``load_json_text``, which the
  control API's bodies share (``shared.jsontext``): nested at most 32 deep, and no lone surrogate.

Each operation's 200 response schema (the envelope and its ``data``) is compiled too, for the validating proxy
(``proxy.asgi``), which checks both directions of real traffic with these same validators: ``request_errors`` and
``response_errors`` list every error where the emulator's ``validate`` stops at the first.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import jsonschema_rs
import yaml

from cpay import SENSITIVE_FIELDS
from cpay_emulator.shared.content_schema import ContentSchema, json_content_schema, json_text_fields, values_at
from cpay_emulator.shared.errors import InvalidParameter
from cpay_emulator.shared.jsontext import load_json_text
from cpay_emulator.shared.redaction import sensitive_fields
from cpay_emulator.shared.refs import References

__all__ = [
    "CALLBACK_FIELD",
    "MERCHANT_ID",
    "SIGN",
    "Operation",
    "compile_operations",
    "default_spec_path",
    "load_spec",
    "spec_operations",
    "success_content",
]

MERCHANT_ID = "merchantId"
SIGN = "sign"
CALLBACK_FIELD = "callBackURL"
"""The callback URL's one wire name: the vendor's PDF spells it so on every write (sections 4, 5, 12, 13, 14)."""

_INTEGER_TEXT = re.compile(r"-?[0-9]{1,19}")
_FORM = "application/x-www-form-urlencoded"
_METHODS = ("get", "post", "put", "delete", "patch")


def default_spec_path() -> Path:
    """``cpay_emulator/openapi.yaml``: the file in an installed wheel; in a checkout, a link to the repository's
    ``openapi.yaml``, which is the path returned (so an error names the file to edit)."""
    return (Path(__file__).resolve().parents[1] / "openapi.yaml").resolve()


def load_spec(path: str | Path) -> dict[str, Any]:
    """Parse an OpenAPI document (YAML or JSON)."""
    with open(path, encoding="utf-8") as stream:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        document = yaml.load(stream, Loader=loader)  # noqa: S506 - a safe loader
    if not isinstance(document, dict):
        raise ValueError(f"{path}: not an OpenAPI document")
    return document


def _allows_integer(schema: Mapping[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "integer" or (isinstance(kind, list) and "integer" in kind):
        return True
    return any(_allows_integer(part) for key in ("allOf", "anyOf", "oneOf") for part in schema.get(key, ()))


def describe_error(error: jsonschema_rs.ValidationError, prefix: str = "") -> tuple[str, str]:
    """``(field, rule)`` of a validation error, for ``invalid parameter <field>: <rule>``.

    A missing property is named with its path (``data.0.gender``, ``is required``), at any depth.
    """
    path = [str(part) for part in error.instance_path]
    kind = error.kind
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
        return prefix + ".".join([*path, str(kind.property)]), "is required"
    field = prefix + (".".join(path) if path else "")
    return field or "request", error.message


def _branch_is_a_type_mismatch(branch: list[jsonschema_rs.ValidationError], path: list[Any]) -> bool:
    return (
        len(branch) == 1
        and isinstance(branch[0].kind, jsonschema_rs.ValidationErrorKind.Type)
        and list(branch[0].instance_path) == list(path)
    )


def leaf_errors(error: jsonschema_rs.ValidationError) -> Iterator[jsonschema_rs.ValidationError]:
    """The errors that say which field is wrong, inside an ``anyOf``/``oneOf`` that failed as a whole.

    ``data: anyOf: [WithdrawOrder, null]`` fails as one error at ``data`` ("not valid under any of the
    schemas"). When every branch but one failed only on its type (``null`` for an object), the errors of that
    one branch are the real ones (``data.exchangeRate`` is a number): yield those, recursively.
    """
    kind = error.kind
    if isinstance(kind, (jsonschema_rs.ValidationErrorKind.AnyOf, jsonschema_rs.ValidationErrorKind.OneOfNotValid)):
        path = list(error.instance_path)
        branches = [branch for branch in kind.context if not _branch_is_a_type_mismatch(branch, path)]
        if len(branches) == 1 and branches[0]:
            for inner in branches[0]:
                yield from leaf_errors(inner)
            return
    yield error


def _sorted_errors(validator: jsonschema_rs.Validator, instance: Any) -> list[jsonschema_rs.ValidationError]:
    return sorted(validator.iter_errors(instance), key=lambda error: [str(part) for part in error.instance_path])


@attrs.frozen
class Operation:
    """One operation of the spec, with its compiled validator."""

    operation_id: str
    method: str
    path: str
    fields: frozenset[str]
    integer_fields: frozenset[str]
    json_fields: Mapping[str, jsonschema_rs.Validator]
    callback_field: str | None
    validator: jsonschema_rs.Validator = attrs.field(repr=False)
    response_validator: jsonschema_rs.Validator | None = attrs.field(default=None, repr=False)
    """The 200 response's schema, envelope included (``None`` if the spec gives none)."""
    response_json_fields: tuple[tuple[tuple[str, ...], jsonschema_rs.Validator], ...] = attrs.field(
        default=(), repr=False
    )
    """``(path, contentSchema validator)`` of each JSON-in-a-string field of the response."""
    sensitive_fields: frozenset[str] = SENSITIVE_FIELDS
    """The fields whose values are never shown: those the spec marks ``x-cpay-sensitive`` (in any operation),
    and always the SDK's ``SENSITIVE_FIELDS``."""

    def _values(self, params: Mapping[str, str]) -> dict[str, Any]:
        """The parameters as the spec's schema reads them: empty is absent, integers converted."""
        values: dict[str, Any] = {name: value for name, value in params.items() if value != ""}
        for name in self.integer_fields:
            text = values.get(name)
            if isinstance(text, str) and _INTEGER_TEXT.fullmatch(text):
                values[name] = int(text)
        return values

    def validate(self, params: Mapping[str, str]) -> dict[str, Any]:
        """The request's parameters, checked against the spec; raises INVALID_PARAMETER naming field and rule.

        ``params`` must not contain ``merchantId`` or ``sign``. Returns the values with integer fields converted
        (JSON-in-a-string fields stay text: the handler stores what the merchant sent).
        """
        values = self._values(params)
        if not self.validator.is_valid(values):
            raise InvalidParameter(*describe_error(_sorted_errors(self.validator, values)[0]))
        for name, content_validator in self.json_fields.items():
            text = values.get(name)
            if text is None:
                continue
            try:
                content = load_json_text(text)
            except ValueError as error:
                raise InvalidParameter(name, str(error)) from None
            if not content_validator.is_valid(content):
                first = next(iter(content_validator.iter_errors(content)))
                raise InvalidParameter(*describe_error(first, prefix=f"{name}."))
        return values

    def request_errors(self, params: Mapping[str, str]) -> list[tuple[str, str]]:
        """Every ``(field, rule)`` the request's parameters break (``validate`` raises the first); [] if none."""
        values = self._values(params)
        found = [] if self.validator.is_valid(values) else _all_errors(self.validator, values)
        for name, content_validator in self.json_fields.items():
            text = values.get(name)
            if not isinstance(text, str):
                continue
            found.extend(_json_text_errors(content_validator, text, name))
        return found

    def response_errors(self, body: Any) -> list[tuple[str, str]]:
        """Every ``(field, rule)`` a parsed 200 response body breaks, envelope and JSON-in-a-string fields included."""
        if self.response_validator is None:
            return []
        validator = self.response_validator
        found = [] if validator.is_valid(body) else _all_errors(validator, body)
        for path, content_validator in self.response_json_fields:
            for field, text in values_at(body, path):
                if isinstance(text, str):
                    found.extend(_json_text_errors(content_validator, text, field))
        return found


def _all_errors(validator: jsonschema_rs.Validator, instance: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Every ``(field, rule)`` of an invalid instance (the valid case is checked first with ``is_valid``: faster)."""
    return [
        describe_error(leaf, prefix) for error in _sorted_errors(validator, instance) for leaf in leaf_errors(error)
    ]


def _json_text_errors(validator: jsonschema_rs.Validator, text: str, field: str) -> list[tuple[str, str]]:
    """The errors of a JSON-in-a-string value against its ``contentSchema``."""
    try:
        content = load_json_text(text)
    except ValueError as error:
        return [(field, str(error))]
    return [] if validator.is_valid(content) else _all_errors(validator, content, f"{field}.")


def spec_operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """``(operationId, METHOD, path, operation)`` of each operation, ``$ref``s inlined, path parameters merged.

    An operation without an ``operationId`` is named by its path's last segment, as the emulator routes it.
    """
    references = References(document)
    for path, item in document.get("paths", {}).items():
        item = references.inline(item)
        for method in _METHODS:
            if method in item:
                operation = {"parameters": item.get("parameters", []), **item[method]}
                yield operation.get("operationId") or path.rsplit("/", 1)[-1], method.upper(), path, operation


def success_content(operation: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The JSON media type object of the operation's success answer: the first 2xx (200 first), else ``default``."""
    by_status = {str(status): response for status, response in operation.get("responses", {}).items()}
    for status in [*sorted(status for status in by_status if status.startswith("2")), "default"]:
        response = by_status.get(status)
        if not isinstance(response, Mapping):
            continue
        for media_type, media in response.get("content", {}).items():
            if media_type.split(";", 1)[0].strip().endswith("json") and isinstance(media, Mapping):
                return media
    return None


def _compile(schema: ContentSchema) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(schema if isinstance(schema, bool) else dict(schema), validate_formats=True)


def compile_operations(document: Mapping[str, Any]) -> dict[str, Operation]:
    """Every operation of the spec by ``operationId``, each with a validator compiled from its schemas."""
    operations: dict[str, Operation] = {}
    sensitive = sensitive_fields(document) | SENSITIVE_FIELDS
    for operation_id, method, path, operation in spec_operations(document):
        properties: dict[str, Any] = {}
        required: list[str] = []
        extra: dict[str, Any] = {}
        for parameter in operation.get("parameters", []):
            if parameter.get("in") != "query" or parameter["name"] in (MERCHANT_ID, SIGN):
                continue
            properties[parameter["name"]] = parameter.get("schema", {})
            if parameter.get("required"):
                required.append(parameter["name"])
        body = operation.get("requestBody", {}).get("content", {}).get(_FORM)
        if body is not None:
            form = copy.deepcopy(body.get("schema", {}))
            form_properties = form.pop("properties", {})
            form_required = form.pop("required", [])
            form.pop("type", None)
            for name in (MERCHANT_ID, SIGN):
                form_properties.pop(name, None)
            properties.update(form_properties)
            required.extend(name for name in form_required if name not in (MERCHANT_ID, SIGN))
            extra = form
        schema: dict[str, Any] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            **extra,
            "properties": properties,
            "required": required,
        }
        callback_field = CALLBACK_FIELD if CALLBACK_FIELD in properties else None
        json_fields = {}
        for name, field_schema in properties.items():
            content_schema = json_content_schema(field_schema)
            if content_schema is not None:
                json_fields[name] = _compile(content_schema)
        response_schema = _response_schema(operation)
        operations[operation_id] = Operation(
            operation_id=operation_id,
            method=method,
            path=path,
            fields=frozenset(properties),
            integer_fields=frozenset(name for name, value in properties.items() if _allows_integer(value)),
            json_fields=json_fields,
            callback_field=callback_field,
            validator=_compile(schema),
            response_validator=None if response_schema is None else _compile(response_schema),
            response_json_fields=tuple(
                (field.path, _compile(field.content_schema)) for field in json_text_fields(response_schema or {})
            ),
            sensitive_fields=sensitive,
        )
    return operations


def _response_schema(operation: Mapping[str, Any]) -> dict[str, Any] | None:
    """The (inlined) JSON schema of the operation's success answer (``success_content``), or None."""
    schema = (success_content(operation) or {}).get("schema")
    if not isinstance(schema, dict):
        return None
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
