"""JSON in a string: the fields a schema declares ``contentMediaType: application/json``, with their ``contentSchema``.

C-Pay's form fields ``products``, ``extInfo`` and submitKYC's ``data``, and the webhook's ``param``, carry JSON
text. JSON Schema 2020-12 only annotates ``contentMediaType`` and ``contentSchema``: no validator checks the
text against its content schema, so every reader of the spec that must do it walks a schema here, and nowhere
else: the emulator's request validators and the proxy's response check (``spec``), the stateless answers'
check (``server.samples``), the conformance rules and the spec's examples tests.

Schemas are read inlined (``refs.References.inline``: no ``$ref``). A field is found through ``allOf``,
``anyOf`` and ``oneOf`` parts, in ``properties`` and in array ``items``. Two walks:

* ``json_text_fields(schema)``: where the fields are, from the schema alone (``*`` stands for each array item),
  for a checker compiled once at start-up; with ``values_at`` it finds them in an instance;
* ``embedded_json_errors(schema, instance, ...)``: led by the instance, for a one-off check: in an ``anyOf`` or
  ``oneOf`` only the branches the instance fits count, and the value is wrong only if each of them finds an
  error in its JSON text. The caller brings its validator (``fits``) and its parser (``text_errors``), so that
  the emulator uses jsonschema-rs and its bounded parser, and the tests python-jsonschema.

No library walks these keywords: validators treat them as annotations by design (2020-12, section 8.1), and
python-jsonschema's annotation output does not collect ``contentSchema``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs

__all__ = [
    "EACH_ITEM",
    "JSON_MEDIA_TYPE",
    "ContentSchema",
    "JsonTextField",
    "content_schema",
    "embedded_json_errors",
    "json_content_schema",
    "json_text_fields",
    "values_at",
]

JSON_MEDIA_TYPE = "application/json"
EACH_ITEM = "*"
_PARTS = ("allOf", "anyOf", "oneOf")


ContentSchema = Mapping[str, Any] | bool
"""A content schema: an object, or ``true``/``false`` as JSON Schema allows."""


def content_schema(schema: Mapping[str, Any]) -> ContentSchema | None:
    """The ``contentSchema`` of a schema that itself declares JSON text (``{}`` if it gives none), else None."""
    if schema.get("contentMediaType") != JSON_MEDIA_TYPE:
        return None
    content = schema.get("contentSchema", {})
    return content if isinstance(content, Mapping | bool) else {}


def json_content_schema(schema: Mapping[str, Any]) -> ContentSchema | None:
    """The ``contentSchema`` of a JSON-in-a-string field, found in the schema or its ``allOf``/``anyOf``/``oneOf``
    parts (``{}`` if it gives none); None if the field is no JSON text."""
    found = content_schema(schema)
    if found is not None:
        return found
    for key in _PARTS:
        for part in schema.get(key, ()):
            if isinstance(part, Mapping) and (found := json_content_schema(part)) is not None:
                return found
    return None


@attrs.frozen
class JsonTextField:
    """One JSON-in-a-string field: ``path`` from the schema's root (``*``: each item of an array), the field's own
    ``schema`` (its ``maxLength``...) and its ``content_schema``."""

    path: tuple[str, ...]
    schema: Mapping[str, Any]
    content_schema: ContentSchema


def json_text_fields(schema: Any, path: tuple[str, ...] = ()) -> Iterator[JsonTextField]:
    """Every JSON-in-a-string field of an inlined schema, in the order the schema declares them."""
    if not isinstance(schema, Mapping):
        return
    content = json_content_schema(schema)
    if content is not None:
        yield JsonTextField(path, schema, content)
        return
    properties = schema.get("properties", {})
    if isinstance(properties, Mapping):
        for name, sub in properties.items():
            yield from json_text_fields(sub, (*path, str(name)))
    if "items" in schema:
        yield from json_text_fields(schema["items"], (*path, EACH_ITEM))
    for key in _PARTS:
        for part in schema.get(key, ()):
            yield from json_text_fields(part, path)


def values_at(instance: Any, path: Sequence[str], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """``(dotted path, value)`` of each value of ``instance`` at ``path`` (``*`` goes into every array item)."""
    if not path:
        yield ".".join(prefix), instance
        return
    head, rest = path[0], path[1:]
    if head == EACH_ITEM and isinstance(instance, list):
        for index, item in enumerate(instance):
            yield from values_at(item, rest, (*prefix, str(index)))
    elif isinstance(instance, dict) and head in instance:
        yield from values_at(instance[head], rest, (*prefix, head))


Fits = Callable[[Any, Any], bool]
"""``fits(schema, instance)``: whether the instance is valid against the schema (its JSON text aside)."""
TextErrors = Callable[[ContentSchema, str, str], list[str]]
"""``text_errors(content_schema, text, place)``: why one JSON text breaks its content schema ([] if it does not):
the caller parses it and checks the parsed value, JSON text inside it included."""


def embedded_json_errors(
    schema: Any, instance: Any, place: str, *, fits: Fits, text_errors: TextErrors
) -> Iterator[str]:
    """Why the JSON text of ``instance``'s JSON-in-a-string values breaks their content schemas.

    ``instance`` already fits ``schema`` otherwise; ``place`` names it in the errors (``data.products``), and a
    value is named below it: ``place.name`` in an object, ``place[index]`` in an array.
    """
    if not isinstance(schema, Mapping):
        return
    content = content_schema(schema)
    if content is not None and isinstance(instance, str):
        yield from text_errors(content, instance, place)
    for part in schema.get("allOf", ()):
        yield from embedded_json_errors(part, instance, place, fits=fits, text_errors=text_errors)
    for key in ("anyOf", "oneOf"):
        branches: Sequence[Any] = schema.get(key, ())
        found = [
            list(embedded_json_errors(branch, instance, place, fits=fits, text_errors=text_errors))
            for branch in branches
            if fits(branch, instance)
        ]
        if found and all(found):
            yield from found[0]
    if isinstance(instance, dict):
        for name, property_schema in schema.get("properties", {}).items():
            if name in instance:
                yield from embedded_json_errors(
                    property_schema,
                    instance[name],
                    f"{place}.{name}" if place else name,
                    fits=fits,
                    text_errors=text_errors,
                )
    if isinstance(instance, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(instance):
            yield from embedded_json_errors(
                schema["items"], item, f"{place}[{index}]", fits=fits, text_errors=text_errors
            )
