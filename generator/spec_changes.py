"""What changed between two versions of ``openapi.yaml``, each change classed from the client's point of view.

Both documents are read into the same shape first (:class:`SchemaShape`: ``$ref`` followed, ``allOf`` merged,
``anyOf: [X, null]`` read as a nullable ``X``), then compared operation by operation (keyed by
``operationId``): the operation itself, its parameters, the request body's fields and every response's
fields (``data.orderId``, ``data[].availableBalance`` inside the envelope), recursively, and the webhooks.

Whether a change breaks depends on which way the data flows. What the client **sends** (parameters, request
fields, a webhook's reply) breaks when the server may refuse what it accepted before; what the client
**receives** (responses, webhook payloads) breaks when the client may get something it did not expect or
miss something it read. The rules, one per kind of change (``generator/README.md`` has the table):

* operation, parameter, field: removed is breaking; added is an addition, except a *required* parameter or
  field the client must send (breaking);
* required-ness: optional to required is breaking when sent, compatible when received; required to optional
  is the reverse;
* enum values: a removed value is breaking both ways (the server refuses it; the generated enum loses its
  member, and code that names it fails); an added value is an addition both ways (the generated enums accept
  values they do not list, see ``templates/str_enum.py.jinja``);
* type and format: a change is breaking, unless the set of types only grows where the client sends or only
  shrinks where it receives; ``null`` follows the same rule;
* validation keywords (lengths, bounds, ``pattern``, ``const``): tighter is breaking where the client sends,
  looser is compatible; where it receives they are compatible changes (the client does not validate);
* summaries and descriptions: documentation.

A maintained OpenAPI diff would be preferable, but none fits: oasdiff and openapi-changes are Go programs
(not on PyPI; the npm package of openapi-changes downloads a binary when installed), and the PyPI
candidates are young single-author projects that know neither OpenAPI 3.1's ``type`` lists nor this
spec's envelope and JSON-in-string fields (``contentSchema``), which are followed here.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from change_report import Change, Impact

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Validation keywords: (name, which way is tighter) — "lower" means a smaller new value restricts more.
BOUNDS = {
    "maxLength": "lower",
    "maximum": "lower",
    "exclusiveMaximum": "lower",
    "maxItems": "lower",
    "minLength": "higher",
    "minimum": "higher",
    "exclusiveMinimum": "higher",
    "minItems": "higher",
}
EXACT_RULES = ("pattern", "const", "multipleOf")


class Flow(enum.Enum):
    """Which way data moves, seen from the client: it decides which changes break."""

    SENT = "sent"
    RECEIVED = "received"


@dataclass(frozen=True)
class SchemaShape:
    """A schema reduced to what the comparison needs: ``$ref``, ``allOf`` and nullable ``anyOf`` resolved."""

    types: frozenset[str] = frozenset()  # JSON types besides "null"; empty means any
    nullable: bool = False
    format: str | None = None
    enum: tuple[Any, ...] | None = None
    rules: Mapping[str, Any] = field(default_factory=dict)  # the validation keywords of BOUNDS and EXACT_RULES
    properties: Mapping[str, SchemaShape] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    items: SchemaShape | None = None
    content: SchemaShape | None = None  # contentSchema of a JSON-in-string field
    variants: tuple[SchemaShape, ...] = ()  # the branches of a real union (anyOf/oneOf of several non-null types)
    description: str | None = None

    def type_text(self) -> str:
        if self.variants:
            return " | ".join(variant.type_text() for variant in self.variants)
        names = sorted(self.types) or ["any"]
        if self.items is not None and names == ["array"]:
            names = [f"array of {self.items.type_text()}"]
        if self.format:
            names = [f"{name} ({self.format})" for name in names]
        return " | ".join(names)


class SchemaReader:
    """Reads the schemas of one document into :class:`SchemaShape` values, following local ``$ref``."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document

    def resolve(self, node: Any, seen: frozenset[str] = frozenset()) -> tuple[Mapping[str, Any], frozenset[str]]:
        """Follow ``$ref`` (keys beside it win, as OpenAPI 3.1 allows); return the node and the refs followed."""
        if not isinstance(node, Mapping):
            return {}, seen
        while "$ref" in node:
            reference = str(node["$ref"])
            if reference in seen or not reference.startswith("#/"):
                return {key: value for key, value in node.items() if key != "$ref"}, seen
            seen = seen | {reference}
            target: Any = self.document
            for part in reference[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                target = target.get(part, {}) if isinstance(target, Mapping) else {}
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            node = {**target, **siblings} if isinstance(target, Mapping) else siblings
        return node, seen

    def shape(self, node: Any, seen: frozenset[str] = frozenset()) -> SchemaShape:
        schema, seen = self.resolve(node, seen)  # a schema that refers to itself stops at the second visit
        parts = [self._own_shape(schema, seen)]
        parts += [self.shape(part, seen) for part in schema.get("allOf", [])]
        shape = _merge(parts)
        for keyword in ("anyOf", "oneOf"):
            if keyword in schema:
                shape = _merge([shape, self._union(schema[keyword], seen)])
        if schema.get("description"):
            shape = _replace(shape, description=str(schema["description"]).strip())
        return shape

    def _own_shape(self, schema: Mapping[str, Any], seen: frozenset[str]) -> SchemaShape:
        declared = schema.get("type")
        types = set(declared) if isinstance(declared, list) else ({declared} if declared else set())
        nullable = "null" in types or bool(schema.get("nullable"))
        types.discard("null")
        enum_values = schema.get("enum")
        if enum_values is not None and None in enum_values:
            nullable = True
            enum_values = [value for value in enum_values if value is not None]
        properties = schema.get("properties", {})
        return SchemaShape(
            types=frozenset(str(name) for name in types),
            nullable=nullable,
            format=schema.get("format"),
            enum=tuple(enum_values) if enum_values is not None else None,
            rules={key: schema[key] for key in (*BOUNDS, *EXACT_RULES) if key in schema},
            properties={str(name): self.shape(value, seen) for name, value in properties.items()},
            required=frozenset(str(name) for name in schema.get("required", [])),
            items=self.shape(schema["items"], seen) if "items" in schema else None,
            content=self.shape(schema["contentSchema"], seen) if "contentSchema" in schema else None,
        )

    def _union(self, branches: list[Any], seen: frozenset[str]) -> SchemaShape:
        shapes = [self.shape(branch, seen) for branch in branches]
        nullable = any(shape.nullable for shape in shapes)  # a {"type": "null"} branch reads as nullable
        real = [shape for shape, branch in zip(shapes, branches, strict=True) if not _is_null_only(branch, self)]
        if len(real) == 1:
            return _replace(real[0], nullable=nullable or real[0].nullable)
        return SchemaShape(
            types=frozenset().union(*(shape.types for shape in real)), nullable=nullable, variants=tuple(real)
        )


def _is_null_only(branch: Any, reader: SchemaReader) -> bool:
    schema, _ = reader.resolve(branch)
    return schema.get("type") == "null" or schema.get("type") == ["null"]


def _replace(shape: SchemaShape, **values: Any) -> SchemaShape:
    fields = {name: getattr(shape, name) for name in SchemaShape.__dataclass_fields__}
    fields.update(values)
    return SchemaShape(**fields)


def _merge(parts: list[SchemaShape]) -> SchemaShape:
    """``allOf``: every part applies; the first part's (the schema's own) scalar keywords win."""
    if len(parts) == 1:
        return parts[0]
    typed = [part.types for part in parts if part.types]
    types = frozenset.intersection(*typed) if typed else frozenset()
    properties: dict[str, SchemaShape] = {}
    rules: dict[str, Any] = {}
    for part in reversed(parts):
        properties.update(part.properties)
        rules.update(part.rules)
    return SchemaShape(
        types=types,
        nullable=all(part.nullable for part in parts if part.types or part.nullable),
        format=next((part.format for part in parts if part.format), None),
        enum=next((part.enum for part in parts if part.enum is not None), None),
        rules=rules,
        properties=properties,
        required=frozenset().union(*(part.required for part in parts)),
        items=next((part.items for part in parts if part.items is not None), None),
        content=next((part.content for part in parts if part.content is not None), None),
        variants=next((part.variants for part in parts if part.variants), ()),
        description=next((part.description for part in parts if part.description), None),
    )


@dataclass(frozen=True)
class Operation:
    """One operation (or webhook) of a document: where it lives and what it exchanges."""

    key: str  # the operationId, or "webhook <name>"
    method: str
    path: str
    tag: str | None
    summary: str
    description: str
    parameters: Mapping[str, tuple[str, bool, SchemaShape, str]]  # name -> (in, required, schema, description)
    request_required: bool
    request: Mapping[str, SchemaShape]  # media type -> schema
    responses: Mapping[str, Mapping[str, SchemaShape]]  # status -> media type -> schema
    request_flow: Flow  # SENT for operations; RECEIVED for webhooks (C-Pay calls the merchant)


def read_operations(document: Mapping[str, Any]) -> dict[str, Operation]:
    """Every operation of ``paths`` and ``webhooks``, keyed by ``operationId`` (or method and path)."""
    reader = SchemaReader(document)
    operations: dict[str, Operation] = {}
    for section, flow in (("paths", Flow.SENT), ("webhooks", Flow.RECEIVED)):
        for path, item in (document.get(section) or {}).items():
            item, _ = reader.resolve(item)
            shared = list(item.get("parameters", []))
            for method in HTTP_METHODS:
                if method not in item:
                    continue
                spec = item[method]
                name = spec.get("operationId") or f"{method.upper()} {path}"
                key = name if section == "paths" else f"webhook {name}"
                operations[key] = _operation(reader, key, method, str(path), spec, shared, flow)
    return operations


def _operation(
    reader: SchemaReader, key: str, method: str, path: str, spec: Mapping[str, Any], shared: list[Any], flow: Flow
) -> Operation:
    parameters: dict[str, tuple[str, bool, SchemaShape, str]] = {}
    for node in [*shared, *spec.get("parameters", [])]:
        parameter, _ = reader.resolve(node)
        parameters[str(parameter.get("name"))] = (
            str(parameter.get("in")),
            bool(parameter.get("required")),
            reader.shape(parameter.get("schema", {})),
            str(parameter.get("description", "")).strip(),
        )
    body, _ = reader.resolve(spec.get("requestBody", {}))
    responses: dict[str, dict[str, SchemaShape]] = {}
    for status, node in (spec.get("responses") or {}).items():
        response, _ = reader.resolve(node)
        content = response.get("content") or {}
        responses[str(status)] = {str(media): reader.shape(value.get("schema", {})) for media, value in content.items()}
    tags = spec.get("tags") or []
    return Operation(
        key=key,
        method=method.upper(),
        path=path,
        tag=str(tags[0]) if tags else None,
        summary=str(spec.get("summary", "")).strip(),
        description=str(spec.get("description", "")).strip(),
        parameters=parameters,
        request_required=bool(body.get("required")),
        request={
            str(media): reader.shape(value.get("schema", {})) for media, value in (body.get("content") or {}).items()
        },
        responses=responses,
        request_flow=flow,
    )


def compare_documents(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new``, in a stable order: operations sorted, then what is inside each."""
    changes: list[Change] = []
    old_info, new_info = old.get("info") or {}, new.get("info") or {}
    if old_info.get("version") != new_info.get("version"):
        changes.append(
            Change(
                Impact.CHANGED,
                "info.version",
                f"API document version {old_info.get('version')} -> {new_info.get('version')}",
            )
        )
    old_operations, new_operations = read_operations(old), read_operations(new)
    for key in sorted(old_operations.keys() | new_operations.keys()):
        before, after = old_operations.get(key), new_operations.get(key)
        if before is not None and after is not None:
            changes += _compare_operations(before, after)
        elif before is not None:
            changes.append(Change(Impact.BREAKING, key, f"operation removed ({before.method} {before.path})"))
        elif after is not None:
            changes.append(Change(Impact.ADDED, key, f"operation added ({after.method} {after.path})"))
    return changes


def _compare_operations(old: Operation, new: Operation) -> Iterator[Change]:
    key = new.key
    if (old.method, old.path) != (new.method, new.path):
        yield Change(Impact.CHANGED, key, f"moved from {old.method} {old.path} to {new.method} {new.path}")
    if old.tag != new.tag:
        yield Change(Impact.BREAKING, key, f"tag {old.tag} -> {new.tag} (the client's module moves)")
    if old.summary != new.summary:
        yield Change(Impact.DOCUMENTATION, key, "summary changed")
    if old.description != new.description:
        yield Change(Impact.DOCUMENTATION, key, "description changed")
    yield from _compare_parameters(key, old, new)
    sent = new.request_flow
    received = Flow.RECEIVED if sent is Flow.SENT else Flow.SENT
    if old.request and not new.request:
        yield Change(Impact.BREAKING, key, "request body removed")
    elif new.request and not old.request:
        impact = Impact.BREAKING if new.request_required and sent is Flow.SENT else Impact.ADDED
        yield Change(impact, key, "request body added" + (" (required)" if new.request_required else ""))
    elif old.request and new.request:
        if old.request_required != new.request_required:
            yield _required_change(key, "request body", new.request_required, sent)
        place = (
            Place("request field", whole="request body")
            if sent is Flow.SENT
            else Place("payload field", whole="payload")
        )
        yield from _compare_media(key, place, old.request, new.request, sent)
    for status in sorted(old.responses.keys() | new.responses.keys()):
        if status not in new.responses:
            yield Change(Impact.BREAKING, key, f"response {status} removed")
        elif status not in old.responses:
            yield Change(Impact.ADDED, key, f"response {status} added")
        else:
            kind = "response field" if status == "200" else f"response {status} field"
            place = Place(kind, whole="response" if status == "200" else f"response {status}")
            yield from _compare_media(key, place, old.responses[status], new.responses[status], received)


def _compare_parameters(key: str, old: Operation, new: Operation) -> Iterator[Change]:
    removed = sorted(old.parameters.keys() - new.parameters.keys())
    added = sorted(new.parameters.keys() - old.parameters.keys())
    renamed = _renames(removed, added, lambda name: old.parameters[name][:3], lambda name: new.parameters[name][:3])
    for name in removed:
        text = f"parameter `{name}` renamed to `{renamed[name]}`" if name in renamed else f"parameter `{name}` removed"
        yield Change(Impact.BREAKING, key, text)
    for name in added:
        if name in renamed.values():
            continue
        location, required, _, _ = new.parameters[name]
        impact = Impact.BREAKING if required else Impact.ADDED
        yield Change(impact, key, f"{'required' if required else 'optional'} {location} parameter `{name}` added")
    for name in sorted(old.parameters.keys() & new.parameters.keys()):
        old_in, old_required, old_schema, old_description = old.parameters[name]
        new_in, new_required, new_schema, new_description = new.parameters[name]
        where = Place("parameter", name)
        if old_in != new_in:
            yield Change(Impact.CHANGED, key, f"{where} moved from {old_in} to {new_in}")
        if old_required != new_required:
            yield _required_change(key, where, new_required, Flow.SENT)
        if old_description != new_description:
            yield Change(Impact.DOCUMENTATION, key, f"{where}: description changed")
        yield from compare_schemas(key, where, old_schema, new_schema, Flow.SENT)


def _renames(
    removed: list[str], added: list[str], old_of: Callable[[str], object], new_of: Callable[[str], object]
) -> dict[str, str]:
    """Pair each removed name with an added one that is otherwise identical: reported as one rename."""
    renamed: dict[str, str] = {}
    for name in removed:
        match = [other for other in added if other not in renamed.values() and new_of(other) == old_of(name)]
        if match:
            renamed[name] = match[0]
    return renamed


def _compare_media(
    key: str, where: Place, old: Mapping[str, SchemaShape], new: Mapping[str, SchemaShape], flow: Flow
) -> Iterator[Change]:
    for media in sorted(old.keys() | new.keys()):
        if media not in new:
            impact = Impact.BREAKING if flow is Flow.RECEIVED else Impact.CHANGED
            yield Change(impact, key, f"{where.whole} no longer {media}")
        elif media not in old:
            yield Change(Impact.ADDED, key, f"{where.whole} also {media}")
    common = [media for media in old if media in new]
    if common:  # the generated client reads and writes the first media type; the others carry the same schema
        yield from compare_schemas(key, where, old[common[0]], new[common[0]], flow)


@dataclass(frozen=True)
class Place:
    """Where a value sits: ``kind`` ("request field", "parameter", ...) and its path (``data[].fee``)."""

    kind: str
    path: str = ""
    whole: str = ""  # how the value at the empty path is called ("request body", "response")

    def __str__(self) -> str:
        return f"{self.kind} `{self.path}`" if self.path else self.whole

    def child(self, name: str) -> Place:
        return Place(self.kind, f"{self.path}.{name}" if self.path else name, self.whole)

    def element(self) -> Place:
        return Place(self.kind, f"{self.path}[]" if self.path else "[]", self.whole)

    def json_content(self) -> Place:
        return Place(self.kind, f"{self.path} (JSON content)" if self.path else "(JSON content)", self.whole)


def _required_change(key: str, where: Place | str, now_required: bool, flow: Flow) -> Change:
    if now_required:
        impact = Impact.BREAKING if flow is Flow.SENT else Impact.CHANGED
        return Change(impact, key, f"{where} is now required")
    impact = Impact.BREAKING if flow is Flow.RECEIVED else Impact.CHANGED
    return Change(impact, key, f"{where} is now optional")


def compare_schemas(key: str, where: Place, old: SchemaShape, new: SchemaShape, flow: Flow) -> Iterator[Change]:
    """The changes from ``old`` to ``new`` of the value at ``where`` in operation ``key``, moving ``flow``."""
    sent = flow is Flow.SENT
    if old.type_text() != new.type_text():
        widened = old.types <= new.types and old.format == new.format and not old.variants
        narrowed = new.types <= old.types and old.format == new.format and not new.variants
        compatible = (sent and widened) or (not sent and narrowed)
        impact = Impact.CHANGED if compatible and old.types != new.types else Impact.BREAKING
        yield Change(impact, key, f"{where}: type {old.type_text()} -> {new.type_text()}")
    if old.nullable != new.nullable:
        compatible = new.nullable if sent else not new.nullable
        state = "may now be null" if new.nullable else "can no longer be null"
        yield Change(Impact.CHANGED if compatible else Impact.BREAKING, key, f"{where} {state}")
    yield from _compare_enums(key, where, old.enum, new.enum, sent)
    yield from _compare_rules(key, where, old.rules, new.rules, sent)
    if old.description != new.description:
        yield Change(Impact.DOCUMENTATION, key, f"{where}: description changed")
    yield from _compare_properties(key, where, old, new, flow)
    if old.items is not None and new.items is not None:
        yield from compare_schemas(key, where.element(), old.items, new.items, flow)
    if old.content is not None and new.content is not None:
        yield from compare_schemas(key, where.json_content(), old.content, new.content, flow)
    elif old.content != new.content:
        yield Change(Impact.BREAKING if sent else Impact.CHANGED, key, f"{where}: JSON content schema changed")


def _compare_enums(
    key: str, where: Place, old: tuple[Any, ...] | None, new: tuple[Any, ...] | None, sent: bool
) -> Iterator[Change]:
    if old == new:
        return
    if old is None or new is None:
        if new is not None:
            yield Change(Impact.BREAKING if sent else Impact.CHANGED, key, f"{where}: now limited to {_values(new)}")
        elif old is not None:
            yield Change(
                Impact.CHANGED if sent else Impact.BREAKING, key, f"{where}: no longer limited to {_values(old)}"
            )
        return
    removed = [value for value in old if value not in new]
    added = [value for value in new if value not in old]
    if removed:
        plural = "s" if len(removed) > 1 else ""
        yield Change(Impact.BREAKING, key, f"{where}: enum value{plural} {_values(removed)} removed")
    if added:
        plural = "s" if len(added) > 1 else ""
        yield Change(Impact.ADDED, key, f"{where}: enum value{plural} {_values(added)} added")


def _compare_rules(
    key: str, where: Place, old: Mapping[str, Any], new: Mapping[str, Any], sent: bool
) -> Iterator[Change]:
    for rule in sorted(old.keys() | new.keys()):
        before, after = old.get(rule), new.get(rule)
        if before == after:
            continue
        if rule in BOUNDS and before is not None and after is not None:
            lower = after < before
            tighter = lower if BOUNDS[rule] == "lower" else not lower
        else:
            tighter = after is not None  # a rule added or replaced restricts; a rule dropped relaxes
        impact = Impact.BREAKING if sent and tighter else Impact.CHANGED
        yield Change(impact, key, f"{where}: {rule} {_value(before)} -> {_value(after)}")


def _compare_properties(key: str, where: Place, old: SchemaShape, new: SchemaShape, flow: Flow) -> Iterator[Change]:
    sent = flow is Flow.SENT
    removed = sorted(old.properties.keys() - new.properties.keys())
    added = sorted(new.properties.keys() - old.properties.keys())
    renamed = _renames(
        removed,
        added,
        lambda name: (old.properties[name], name in old.required),
        lambda name: (new.properties[name], name in new.required),
    )
    for name in removed:
        field_place = where.child(name)
        text = f"{field_place} renamed to `{renamed[name]}`" if name in renamed else f"{field_place} removed"
        yield Change(Impact.BREAKING, key, text)
    for name in added:
        if name in renamed.values():
            continue
        required = name in new.required
        impact = Impact.BREAKING if sent and required else Impact.ADDED
        yield Change(impact, key, f"{'required' if required else 'optional'} {where.child(name)} added")
    for name in sorted(old.properties.keys() & new.properties.keys()):
        if (name in old.required) != (name in new.required):
            yield _required_change(key, where.child(name), name in new.required, flow)
        yield from compare_schemas(key, where.child(name), old.properties[name], new.properties[name], flow)


def _values(values: Any) -> str:
    return ", ".join(_value(value) for value in values)


def _value(value: Any) -> str:
    return "(none)" if value is None else f"`{value}`"
