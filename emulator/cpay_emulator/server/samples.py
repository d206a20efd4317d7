"""A value of a JSON Schema, generated deterministically: the answer to an operation the emulator does not model.

``sample_value(schema)`` returns the first candidate, in a fixed order, that the schema accepts:

1. what the schema offers: ``const``, the ``enum`` values, ``examples``, ``example``, ``default``;
2. else one built from its keywords: ``allOf`` parts merged; ``anyOf``/``oneOf`` branches in order (``null``
   last); each ``type`` in order (``null`` last); objects with every property that can be built (a required
   one that cannot fails the object); arrays of ``minItems`` items, at least one; strings from ``format`` (one
   fixed sample per format), ``pattern`` (``rstr``, seeded by the value's place in the document, so the
   same schema always gives the same string) or ``"string"`` fitted to ``minLength``/``maxLength``; JSON in a
   string (``contentMediaType: application/json``) as the compact text of a value of its ``contentSchema``;
   integers and numbers as the integer nearest 0 within the bounds, a multiple of ``multipleOf``.

Every candidate is checked with ``schema_errors`` (jsonschema-rs with formats, plus the ``contentSchema`` of
JSON-in-a-string fields, which JSON Schema only annotates) before it is returned, so a value never breaks its
schema. A schema no candidate satisfies (``false``, a pattern and a length that exclude each other, ``not``...)
raises ``UnsatisfiableSchemaError``, naming the place in the value and why.

Why not a library for the whole job: jsf (MIT) is random, pulls in faker, pydantic and smart-open, and ignores
``contentSchema``; jsonschema-default and exrex are AGPL; hypothesis-jsonschema is a test library. Strings
that match a regular expression are the hard part, and that is what ``rstr`` (BSD, no dependencies) does.
"""

from __future__ import annotations

import functools
import json
import math
import random
import re
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import jsonschema_rs
import rstr

from cpay_emulator.shared.content_schema import ContentSchema, content_schema, embedded_json_errors

__all__ = ["UnsatisfiableSchemaError", "sample_value", "schema_errors"]

FORMAT_SAMPLES: Mapping[str, str] = {
    "date": "2024-01-01",
    "date-time": "2024-01-01T00:00:00Z",
    "time": "00:00:00Z",
    "duration": "P1D",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uri": "https://example.com/",
    "iri": "https://example.com/",
    "uri-reference": "https://example.com/",
    "iri-reference": "https://example.com/",
    "url": "https://example.com/",
    "uri-template": "https://example.com/{id}",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "json-pointer": "/",
    "relative-json-pointer": "0",
    "regex": ".*",
}
"""One valid value of each format JSON Schema 2020-12 defines (and OpenAPI's ``url``)."""

PLAIN_STRING = "string"
"""A string with no pattern or format, as Prism answers it, cut or padded with ``x`` to its lengths."""

_PATTERN_TRIES = 32
_TYPES = ("string", "object", "array", "integer", "number", "boolean", "null")


class UnsatisfiableSchemaError(ValueError):
    """No value could be built that the schema accepts; ``place`` is where in the value (``data.orderId``)."""

    def __init__(self, place: str, reason: str) -> None:
        super().__init__(f"{place or 'the value'}: {reason}")
        self.place = place
        self.reason = reason


def sample_value(schema: Any, place: str = "") -> Any:
    """A value ``schema`` accepts, the same for the same schema and ``place``; see the module docstring.

    ``schema`` has no ``$ref`` (``shared.refs.References.inline`` replaces them). ``place`` names the value in messages
    and seeds the strings generated from patterns.
    """
    if schema is True:
        schema = {}
    if schema is False:
        raise UnsatisfiableSchemaError(place, "the schema is `false`: no value is valid")
    if not isinstance(schema, Mapping):
        raise UnsatisfiableSchemaError(place, f"not a schema: {schema!r}")
    problems: list[str | UnsatisfiableSchemaError] = []
    tried = 0
    for candidate in _candidates(_merge_all_of(schema), place, problems):
        tried += 1
        errors = schema_errors(schema, candidate)
        if not errors:
            return candidate
        problems.append(f"{_show(candidate)} breaks it ({errors[0]})")
    if tried == 0 and len(problems) == 1 and isinstance(problems[0], UnsatisfiableSchemaError):
        raise problems[0]  # the one thing that could not be built, where it is (``data.items[0].name``)
    reasons = [problem if isinstance(problem, str) else _relative(problem, place) for problem in problems]
    raise UnsatisfiableSchemaError(place, "; ".join(reasons[:3]) or "no value of its type fits")


def _relative(error: UnsatisfiableSchemaError, place: str) -> str:
    return error.reason if error.place == place else str(error)


def schema_errors(schema: Any, instance: Any, place: str = "") -> list[str]:
    """Why ``instance`` breaks ``schema``: jsonschema-rs (formats checked), then JSON-in-a-string content."""
    validator = _validator(schema, place)
    errors = [_describe(place, error) for error in validator.iter_errors(instance)]
    if errors:
        return errors
    return list(_content_errors(schema, instance, place))


# -- candidates ------------------------------------------------------------------------------------------------


def _candidates(schema: Mapping[str, Any], place: str, problems: list[str | UnsatisfiableSchemaError]) -> Iterator[Any]:
    if "const" in schema:
        yield schema["const"]
        return
    if "enum" in schema:
        yield from schema["enum"]
        return
    offered = schema.get("examples")
    if isinstance(offered, list):
        yield from offered
    for key in ("example", "default"):
        if key in schema:
            yield schema[key]
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            base = {name: value for name, value in schema.items() if name not in (key, "examples", "example")}
            for branch in sorted(schema[key], key=_is_null):
                try:
                    yield sample_value(_merge(base, _merge_all_of(branch)), place)
                except UnsatisfiableSchemaError as error:
                    problems.append(error)
            return
    for kind in _types(schema):
        try:
            yield from _typed(kind, schema, place)
        except UnsatisfiableSchemaError as error:
            problems.append(error)


def _types(schema: Mapping[str, Any]) -> list[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return sorted((kind for kind in declared if isinstance(kind, str)), key=lambda kind: kind == "null")
    if {"properties", "required", "additionalProperties"} & set(schema):
        return ["object"]
    if {"items", "prefixItems", "minItems", "maxItems"} & set(schema):
        return ["array"]
    if {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"} & set(schema):
        return ["integer", "number"]
    return list(_TYPES)


def _typed(kind: str, schema: Mapping[str, Any], place: str) -> Iterator[Any]:
    if kind == "null":
        yield None
    elif kind == "boolean":
        yield False
    elif kind in ("integer", "number"):
        yield _number(schema, place)
    elif kind == "string":
        yield from _strings(schema, place)
    elif kind == "array":
        yield _array(schema, place)
    elif kind == "object":
        yield _object(schema, place)
    else:
        raise UnsatisfiableSchemaError(place, f"unknown type {kind!r}")


def _strings(schema: Mapping[str, Any], place: str) -> Iterator[str]:
    declared = content_schema(schema)
    if declared is not None:
        content = sample_value(declared, f"{place}(JSON)")
        yield json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        return
    shortest = int(schema.get("minLength", 0))
    longest = schema.get("maxLength")
    if schema.get("format") in FORMAT_SAMPLES:
        yield FORMAT_SAMPLES[schema["format"]]
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        for attempt in range(_PATTERN_TRIES):
            try:
                text = rstr.Rstr(random.Random(f"{place}#{attempt}")).xeger(pattern)  # noqa: S311 - not security
            except (re.error, KeyError, ValueError, IndexError) as error:
                reason = f"no string can be generated from pattern {pattern!r}: {error}"
                raise UnsatisfiableSchemaError(place, reason) from None
            if len(text) >= shortest and (longest is None or len(text) <= int(longest)):
                yield text
                return
        raise UnsatisfiableSchemaError(
            place, f"no string of {_PATTERN_TRIES} generated from pattern {pattern!r} has the length it needs"
        )
    text = PLAIN_STRING if longest is None else PLAIN_STRING[: int(longest)]
    yield text + "x" * max(0, shortest - len(text))


def _number(schema: Mapping[str, Any], place: str) -> int:
    low = _bound(schema, "minimum", "exclusiveMinimum", up=True)
    high = _bound(schema, "maximum", "exclusiveMaximum", up=False)
    step = Decimal(str(schema.get("multipleOf", 1)))
    value = Decimal(0)
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    if value % step:
        value = (value / step).to_integral_value(rounding="ROUND_CEILING") * step
    if value != value.to_integral_value() or (low is not None and value < low) or (high is not None and value > high):
        raise UnsatisfiableSchemaError(place, f"no integer multiple of {step} lies within the bounds")
    return int(value)


def _bound(schema: Mapping[str, Any], inclusive: str, exclusive: str, *, up: bool) -> Decimal | None:
    """The nearest integer a value may take on one side (``up``: the lower bound), or None if unbounded."""
    found: list[Decimal] = []
    if isinstance(schema.get(inclusive), int | float):
        value = Decimal(str(schema[inclusive]))
        found.append(Decimal(math.ceil(value)) if up else Decimal(math.floor(value)))
    if isinstance(schema.get(exclusive), int | float):
        value = Decimal(str(schema[exclusive]))
        found.append(Decimal(math.floor(value) + 1) if up else Decimal(math.ceil(value) - 1))
    if not found:
        return None
    return max(found) if up else min(found)


def _array(schema: Mapping[str, Any], place: str) -> list[Any]:
    prefix = schema.get("prefixItems", [])
    items = schema.get("items", {})
    count = max(int(schema.get("minItems", 0)), len(prefix), 1)
    if "maxItems" in schema:
        count = min(count, int(schema["maxItems"]))
    values = []
    for index in range(count):
        item_schema = prefix[index] if index < len(prefix) else items
        values.append(sample_value(item_schema, f"{place}[{index}]"))
    return values


def _object(schema: Mapping[str, Any], place: str) -> dict[str, Any]:
    required = [name for name in schema.get("required", []) if isinstance(name, str)]
    properties = schema.get("properties", {})
    value: dict[str, Any] = {}
    for name, property_schema in properties.items():
        try:
            value[name] = sample_value(property_schema, f"{place}.{name}" if place else name)
        except UnsatisfiableSchemaError:
            if name in required:
                raise
    extra = schema.get("additionalProperties", {})
    for name in required:
        if name not in value:
            value[name] = sample_value(extra, f"{place}.{name}" if place else name)
    return value


# -- schema helpers ----------------------------------------------------------------------------------------------


def _is_null(schema: Any) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "null"


def _merge_all_of(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """``schema`` with its ``allOf`` parts merged in (to build a value; the value is checked against the original)."""
    parts = schema.get("allOf")
    if not isinstance(parts, list):
        return schema
    merged: Mapping[str, Any] = {key: value for key, value in schema.items() if key != "allOf"}
    for part in parts:
        if isinstance(part, Mapping):
            merged = _merge(merged, _merge_all_of(part))
    return merged


def _merge(first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(first)
    for key, value in second.items():
        if key not in merged:
            merged[key] = value
        elif key == "properties" and isinstance(value, Mapping):
            properties = dict(merged[key])
            for name, property_schema in value.items():
                properties[name] = (
                    {"allOf": [properties[name], property_schema]} if name in properties else property_schema
                )
            merged[key] = properties
        elif key == "required" and isinstance(value, list):
            merged[key] = [*merged[key], *(name for name in value if name not in merged[key])]
        elif key == "type":
            merged[key] = _common_types(merged[key], value)
    return merged


def _common_types(first: Any, second: Any) -> Any:
    one = [first] if isinstance(first, str) else list(first)
    other = [second] if isinstance(second, str) else list(second)
    both = [kind for kind in one if kind in other or (kind == "number" and "integer" in other)]
    return both[0] if len(both) == 1 else both


# -- checking ---------------------------------------------------------------------------------------------------


def _validator(schema: Any, place: str = "") -> jsonschema_rs.Validator:
    try:
        return _compiled(json.dumps(schema, sort_keys=True, default=str))
    except ValueError as error:
        raise UnsatisfiableSchemaError(place, f"the schema cannot be compiled: {error}") from None


@functools.lru_cache(maxsize=1024)
def _compiled(schema_text: str) -> jsonschema_rs.Validator:
    """A validator per schema text: a schema is checked once per candidate, and nested ones again by their parent."""
    return jsonschema_rs.validator_for(json.loads(schema_text), validate_formats=True)


def _describe(place: str, error: jsonschema_rs.ValidationError) -> str:
    where = ".".join(part for part in (place, *(str(step) for step in error.instance_path)) if part)
    return f"{where}: {error.message}" if where else error.message


def _content_errors(schema: Any, instance: Any, place: str) -> Iterator[str]:
    """Errors of JSON-in-a-string values against their ``contentSchema`` (the instance already fits the rest)."""
    return embedded_json_errors(schema, instance, place, fits=_fits(place), text_errors=_text_errors)


def _fits(place: str) -> Callable[[Any, Any], bool]:
    return lambda branch, value: bool(_validator(branch, place).is_valid(value))


def _text_errors(content: ContentSchema, text: str, place: str) -> list[str]:
    try:
        value = json.loads(text)
    except ValueError:
        return [f"{place or 'the value'}: not JSON text"]
    return schema_errors(content, value, f"{place}(JSON)")


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
