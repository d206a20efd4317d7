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
  shrinks where it receives (an ``integer`` is within a ``number``); ``null`` follows the same rule;
* validation keywords (lengths, bounds, ``const``): tighter is breaking where the client sends, looser is
  compatible; where it receives they are compatible changes (the client does not validate). A changed
  ``pattern`` breaks only when an example shows the new one refusing a value the old one accepted; a proven
  superset is compatible, and a change neither proven nor shown is reported as one to check (``patterns.py``).
  A value that becomes a union (or stops being one) is compared with the branch of its own type;
* ``default``: where the client sends the value, a default added, changed or removed is breaking, because the
  generated client sends it for the caller (``to_dict``, a parameter's default), so the same call now sends
  something else; the one exception is a default added to a value every existing call already passes (it
  was required). Where the client receives it, a default is a compatible change;
* ``deprecated`` on an operation, a parameter or a field: a deprecation (its own section of the report, a
  minor version, a ``DeprecationWarning`` from the generated code); the flag removed is a compatible change;
* ``if``/``then``/``else``/``not``: not analysed; added or changed where the client sends, assumed to refuse
  more (breaking); otherwise compatible. ``contentMediaType``/``contentEncoding`` of a JSON-in-string field:
  another value is other text on the wire, breaking both ways; added where the client sends, breaking;
* a required field or parameter added *with a default* is an addition, and one made required that has a
  default is a compatible change: the generated client sends the default for a caller who leaves it out;
* media types: an operation's request body that the client now writes as anything but a form breaks, since
  ``cpay_signing`` signs only forms (section 16); a response's media type removed or replaced breaks (the client
  parses the one it knew); one added is an addition;
* security: a scheme changed (type, name, place) is breaking, since the signing runtime still sends it the
  old way; a scheme added or removed is a compatible change. A requirement (the document's, or an
  operation's own) that still accepts what the client sent is compatible, one that asks for more breaks;
* summaries and descriptions: documentation.

A maintained OpenAPI diff would be preferable, but none fits: oasdiff and openapi-changes are Go programs
(not on PyPI; the npm package of openapi-changes downloads a binary when installed), and the PyPI
candidates are young single-author projects that know neither OpenAPI 3.1's ``type`` lists nor this
spec's envelope and JSON-in-string fields (``contentSchema``), which are followed here.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import patterns
import yaml
from change_report import Change, Impact

from cpay_emulator.shared.refs import References, UnresolvableReferenceError

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# libyaml's safe loader where PyYAML was built with it: the pure-Python one took 0.19 s per read of openapi.yaml
# here, libyaml 0.023 s, and a `make generate` reads the spec three times (the catalogue test runs it 12 times).
# The constructors are the same safe ones; tests/generator/test_spec_changes.py compares the two on the spec.
YAML_LOADER: type[yaml.CSafeLoader] | type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
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
# What the string of a JSON-in-string field holds: another value means other text on the wire, either way.
ENCODING_RULES = ("contentMediaType", "contentEncoding")
# Conditional keywords the report does not analyse: added or changed where the client sends, assumed tighter.
OPAQUE_RULES = ("if", "then", "else", "not")
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
UNSIGNED_BODY = f"cpay_signing signs only {FORM_MEDIA_TYPE} bodies (section 16) and raises CPayError for others"


class _NoDefault:
    """The value of :attr:`SchemaShape.default` for a schema without ``default`` (``None`` is JSON's ``null``)."""

    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Final = _NoDefault()


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
    default: Any = NO_DEFAULT
    deprecated: bool = False

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
    """Reads the schemas of one document into :class:`SchemaShape` values, following local ``$ref``.

    The references are followed by the repository's one resolver (``cpay_emulator.shared.refs``, over
    ``referencing``), which the development environment installs with the emulator.
    """

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.references = References(document)

    def resolve(self, node: Any, seen: frozenset[str] = frozenset()) -> tuple[Mapping[str, Any], frozenset[str]]:
        """Follow ``$ref`` (keys beside it win, as OpenAPI 3.1 allows); return the node and the refs followed.

        A reference that resolves to nothing reads as the keys beside it: the report compares what it can read
        (``make lint`` refuses such a spec before a release).
        """
        if not isinstance(node, Mapping):
            return {}, seen
        try:
            found, seen = self.references.follow(node, seen)
        except UnresolvableReferenceError:
            return {key: value for key, value in node.items() if key != "$ref"}, seen
        return (found if isinstance(found, Mapping) else {}), seen

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
            rules={
                key: schema[key] for key in (*BOUNDS, *EXACT_RULES, *ENCODING_RULES, *OPAQUE_RULES) if key in schema
            },
            properties={str(name): self.shape(value, seen) for name, value in properties.items()},
            required=frozenset(str(name) for name in schema.get("required", [])),
            items=self.shape(schema["items"], seen) if "items" in schema else None,
            content=self.shape(schema["contentSchema"], seen) if "contentSchema" in schema else None,
            default=schema.get("default", NO_DEFAULT),
            deprecated=bool(schema.get("deprecated")),
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
        default=next((part.default for part in parts if part.default is not NO_DEFAULT), NO_DEFAULT),
        deprecated=any(part.deprecated for part in parts),
    )


# A security requirement: its alternatives, each the set of scheme names sent together (scopes left out:
# C-Pay's schemes are apiKey ones, which have none). An empty set of alternatives asks for nothing.
Requirement = frozenset[frozenset[str]]


def load_yaml(text: str | bytes) -> Any:
    """A YAML document read with the safe constructors (``yaml.safe_load``, faster): see ``YAML_LOADER``."""
    return yaml.load(text, Loader=YAML_LOADER)  # noqa: S506 (a safe loader)


def read_requirement(node: Any) -> Requirement:
    if not isinstance(node, list):
        return frozenset()
    alternatives = frozenset(frozenset(str(name) for name in item) for item in node if isinstance(item, Mapping))
    return frozenset() if alternatives == {frozenset()} else alternatives


@dataclass(frozen=True)
class Parameter:
    """One parameter of an operation, by its name."""

    location: str  # "query", "header", ...
    required: bool
    schema: SchemaShape
    description: str
    deprecated: bool = False


@dataclass(frozen=True)
class Operation:
    """One operation (or webhook) of a document: where it lives and what it exchanges."""

    key: str  # the operationId, or "webhook <name>"
    method: str
    path: str
    tag: str | None
    summary: str
    description: str
    parameters: Mapping[str, Parameter]
    request_required: bool
    request: Mapping[str, SchemaShape]  # media type -> schema
    responses: Mapping[str, Mapping[str, SchemaShape]]  # status -> media type -> schema
    request_flow: Flow  # SENT for operations; RECEIVED for webhooks (C-Pay calls the merchant)
    deprecated: bool = False
    security: Requirement = frozenset()  # what the server asks for: the operation's own, else the document's
    own_security: bool = False  # the operation declares its own `security`


def read_operations(document: Mapping[str, Any]) -> dict[str, Operation]:
    """Every operation of ``paths`` and ``webhooks``, keyed by ``operationId`` (or method and path)."""
    reader = SchemaReader(document)
    document_security = read_requirement(document.get("security"))
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
                operations[key] = _operation(reader, key, method, str(path), spec, shared, flow, document_security)
    return operations


def _operation(
    reader: SchemaReader,
    key: str,
    method: str,
    path: str,
    spec: Mapping[str, Any],
    shared: list[Any],
    flow: Flow,
    document_security: Requirement,
) -> Operation:
    parameters: dict[str, Parameter] = {}
    for node in [*shared, *spec.get("parameters", [])]:
        parameter, _ = reader.resolve(node)
        parameters[str(parameter.get("name"))] = Parameter(
            location=str(parameter.get("in")),
            required=bool(parameter.get("required")),
            schema=reader.shape(parameter.get("schema", {})),
            description=str(parameter.get("description", "")).strip(),
            deprecated=bool(parameter.get("deprecated")),
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
        deprecated=bool(spec.get("deprecated")),
        security=read_requirement(spec["security"]) if "security" in spec else document_security,
        own_security="security" in spec,
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
    changes += _compare_security(old, new)
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


def _compare_security(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    """Schemes and the document's requirement. The client's signing runtime sends what the schemes say."""
    old_schemes = (old.get("components") or {}).get("securitySchemes") or {}
    new_schemes = (new.get("components") or {}).get("securitySchemes") or {}
    for name in sorted(old_schemes.keys() | new_schemes.keys()):
        if name not in new_schemes:
            yield Change(Impact.CHANGED, "security", f"security scheme `{name}` removed")
        elif name not in old_schemes:
            yield Change(Impact.CHANGED, "security", f"security scheme `{name}` added")
        elif _scheme_text(old_schemes[name]) != _scheme_text(new_schemes[name]):
            yield Change(
                Impact.BREAKING,
                "security",
                f"security scheme `{name}`: {_scheme_text(old_schemes[name])} -> {_scheme_text(new_schemes[name])} "
                "(the signing runtime, cpay_signing, still sends it the old way)",
            )
    yield from _requirement_change(
        "security", "requirement", read_requirement(old.get("security")), read_requirement(new.get("security"))
    )


def _scheme_text(scheme: Any) -> str:
    if not isinstance(scheme, Mapping):
        return "?"
    if scheme.get("type") == "apiKey":
        return f"apiKey `{scheme.get('name')}` in {scheme.get('in')}"
    if scheme.get("type") == "http":
        return f"http {scheme.get('scheme')}"
    return str(scheme.get("type"))


def _requirement_change(key: str, what: str, old: Requirement, new: Requirement) -> Iterator[Change]:
    if old == new:
        return
    text = f"security {what} {_requirement_text(old)} -> {_requirement_text(new)}"
    # Compatible when whatever the client sent before still satisfies one alternative (sending more is fine).
    if not new or all(any(option <= sent for option in new) for sent in old):
        yield Change(Impact.CHANGED, key, text)
    else:
        yield Change(Impact.BREAKING, key, f"{text} (the client does not send what the server now asks for)")


def _requirement_text(requirement: Requirement) -> str:
    if not requirement:
        return "(none)"
    return " or ".join(sorted(" + ".join(f"`{name}`" for name in sorted(option)) for option in requirement))


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
    if old.deprecated != new.deprecated:
        yield _deprecation(key, "operation", new.deprecated)
    if (old.own_security or new.own_security) and new.request_flow is Flow.SENT:
        # The document's requirement is compared once; here an operation's own (the document's where it has none).
        yield from _requirement_change(key, "requirement of the operation", old.security, new.security)
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
        yield from _compare_media(key, place, old.request, new.request, sent, signed=sent is Flow.SENT)
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
    renamed = _renames(
        removed, added, lambda name: _identity(old.parameters[name]), lambda name: _identity(new.parameters[name])
    )
    for name in removed:
        text = f"parameter `{name}` renamed to `{renamed[name]}`" if name in renamed else f"parameter `{name}` removed"
        yield Change(Impact.BREAKING, key, text)
    for name in added:
        if name in renamed.values():
            continue
        parameter = new.parameters[name]
        defaulted = parameter.schema.default is not NO_DEFAULT  # the generated client sends the default
        impact = Impact.BREAKING if parameter.required and not defaulted else Impact.ADDED
        kind = "required" if parameter.required else "optional"
        note = " (with a default, which the client sends)" if parameter.required and defaulted else ""
        yield Change(impact, key, f"{kind} {parameter.location} parameter `{name}` added{note}")
    for name in sorted(old.parameters.keys() & new.parameters.keys()):
        before, after = old.parameters[name], new.parameters[name]
        where = Place("parameter", name)
        if before.location != after.location:
            yield Change(Impact.CHANGED, key, f"{where} moved from {before.location} to {after.location}")
        if before.required != after.required:
            defaulted = after.schema.default is not NO_DEFAULT
            yield _required_change(key, where, after.required, Flow.SENT, defaulted=defaulted)
        if before.description != after.description:
            yield Change(Impact.DOCUMENTATION, key, f"{where}: description changed")
        if before.deprecated != after.deprecated:
            yield _deprecation(key, str(where), after.deprecated)
        yield from compare_schemas(key, where, before.schema, after.schema, Flow.SENT, passed=before.required)


def _identity(parameter: Parameter) -> tuple[str, bool, SchemaShape]:
    """What makes two parameters of different names the same one renamed: where, required-ness and schema."""
    return (parameter.location, parameter.required, parameter.schema)


def _deprecation(key: str, what: str, now_deprecated: bool) -> Change:
    if now_deprecated:
        return Change(Impact.DEPRECATED, key, f"{what} deprecated")
    return Change(Impact.CHANGED, key, f"{what} no longer deprecated")


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
    key: str,
    where: Place,
    old: Mapping[str, SchemaShape],
    new: Mapping[str, SchemaShape],
    flow: Flow,
    *,
    signed: bool = False,
) -> Iterator[Change]:
    """The media types of a body and, for the one the client writes or reads, its schema.

    ``signed``: an operation's request body, which ``cpay_signing`` signs. It signs only a form (section 16) and
    raises ``CPayError`` for any other body, so the client writing another media type fails every call.
    """
    removed = [media for media in old if media not in new]
    added = [media for media in new if media not in old]
    common = [media for media in old if media in new]

    def dropped() -> tuple[Impact, str]:
        if flow is Flow.RECEIVED:  # the client parses the media type it knew
            return Impact.BREAKING, ""
        written = next(iter(new), None)  # the generated client writes the first media type
        if signed and written is not None and written != FORM_MEDIA_TYPE and FORM_MEDIA_TYPE in old:
            return Impact.BREAKING, f" (the client now writes {written}; {UNSIGNED_BODY})"
        return Impact.CHANGED, ""

    if len(removed) == 1 and len(added) == 1 and not common:  # one media type for another
        impact, note = dropped()
        yield Change(impact, key, f"{where.whole} now {added[0]} instead of {removed[0]}{note}")
        yield from compare_schemas(key, where, old[removed[0]], new[added[0]], flow)
        return
    for media in removed:
        impact, note = dropped()
        yield Change(impact, key, f"{where.whole} no longer {media}{note}")
    for media in added:
        yield Change(Impact.ADDED, key, f"{where.whole} also {media}")
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


def _required_change(
    key: str, where: Place | str, now_required: bool, flow: Flow, *, defaulted: bool = False
) -> Change:
    """``defaulted``: the value now has a default, which the generated client sends for a caller who leaves it out
    (whether that default is new is the default's own change)."""
    if now_required:
        if flow is Flow.SENT and defaulted:
            return Change(Impact.CHANGED, key, f"{where} is now required (with a default, which the client sends)")
        impact = Impact.BREAKING if flow is Flow.SENT else Impact.CHANGED
        return Change(impact, key, f"{where} is now required")
    impact = Impact.BREAKING if flow is Flow.RECEIVED else Impact.CHANGED
    return Change(impact, key, f"{where} is now optional")


def compare_schemas(
    key: str, where: Place, old: SchemaShape, new: SchemaShape, flow: Flow, *, passed: bool = False
) -> Iterator[Change]:
    """The changes from ``old`` to ``new`` of the value at ``where`` in operation ``key``, moving ``flow``.

    ``passed``: every call written against ``old`` gives this value (a required field or parameter), so a
    default added to it changes no existing call.
    """
    sent = flow is Flow.SENT
    if old.type_text() != new.type_text():
        widened = _types_within(old.types, new.types) and old.format == new.format and not old.variants
        narrowed = _types_within(new.types, old.types) and old.format == new.format and not new.variants
        compatible = (sent and widened) or (not sent and narrowed)
        impact = Impact.CHANGED if compatible and old.types != new.types else Impact.BREAKING
        yield Change(impact, key, f"{where}: type {old.type_text()} -> {new.type_text()}")
    if old.nullable != new.nullable:
        compatible = new.nullable if sent else not new.nullable
        state = "may now be null" if new.nullable else "can no longer be null"
        yield Change(Impact.CHANGED if compatible else Impact.BREAKING, key, f"{where} {state}")
    # A value that becomes (or stops being) a union keeps its keywords in the branch of its type; a union on both
    # sides compares each branch with the branch of the same type (an enum of the string branch, say).
    for old_branch, new_branch in _branch_pairs(old, new):
        yield from _compare_enums(key, where, old_branch.enum, new_branch.enum, sent)
        yield from _compare_rules(key, where, old_branch.rules, new_branch.rules, sent)
    yield from _compare_defaults(key, where, old.default, new.default, sent=sent, passed=passed)
    if old.deprecated != new.deprecated:
        yield _deprecation(key, str(where), new.deprecated)
    if old.description != new.description:
        yield Change(Impact.DOCUMENTATION, key, f"{where}: description changed")
    yield from _compare_properties(key, where, old, new, flow)
    if old.items is not None and new.items is not None:
        yield from compare_schemas(key, where.element(), old.items, new.items, flow)
    if old.content is not None and new.content is not None:
        yield from compare_schemas(key, where.json_content(), old.content, new.content, flow)
    elif old.content is None and new.content is not None:  # the text must now be JSON of that shape
        yield Change(Impact.BREAKING if sent else Impact.CHANGED, key, f"{where}: JSON content schema added")
    elif old.content is not None and new.content is None:  # nothing is checked inside the text any more
        yield Change(Impact.CHANGED, key, f"{where}: JSON content schema removed")


def _branch_pairs(old: SchemaShape, new: SchemaShape) -> list[tuple[SchemaShape, SchemaShape]]:
    """The parts of ``old`` and ``new`` whose keywords compare: the values themselves, or their branches by type."""
    if old.variants and new.variants:
        pairs = [
            (branch, twin)
            for branch in old.variants
            for twin in new.variants
            if branch.types == twin.types and branch.format == twin.format
        ]
        if pairs:
            return pairs
    return [(_counterpart(old, new), _counterpart(new, old))]


def _counterpart(shape: SchemaShape, other: SchemaShape) -> SchemaShape:
    """``shape``, or, when ``shape`` is a union and ``other`` is not, the branch that holds ``other``'s values.

    ``string`` becoming ``anyOf: [{string, maxLength: 16}, integer]`` keeps its ``maxLength`` in the first branch:
    comparing the plain value with that branch finds the keywords unchanged, not removed.
    """
    if not shape.variants or other.variants or not other.types:
        return shape
    return next((branch for branch in shape.variants if _types_within(other.types, branch.types)), shape)


def _types_within(narrow: frozenset[str], wide: frozenset[str]) -> bool:
    """Every value of the types ``narrow`` is one of ``wide`` (an integer is a number)."""
    return all(name in wide or (name == "integer" and "number" in wide) for name in narrow)


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
        if rule == "pattern" and before is not None and after is not None:
            yield _pattern_change(key, where, str(before), str(after), sent)
            continue
        if rule in OPAQUE_RULES:
            state = "added" if before is None else ("removed" if after is None else "changed")
            if sent and after is not None:
                yield Change(
                    Impact.BREAKING, key, f"{where}: `{rule}` {state} (not analysed: may refuse what it accepted)"
                )
            else:
                yield Change(Impact.CHANGED, key, f"{where}: `{rule}` {state}")
            continue
        if rule in ENCODING_RULES:
            # Another encoding of the same field is other text: what the client writes or reads no longer fits.
            breaks = (before is not None and after is not None) or (sent and after is not None)
            yield Change(
                Impact.BREAKING if breaks else Impact.CHANGED,
                key,
                f"{where}: {rule} {_value(before)} -> {_value(after)}",
            )
            continue
        if rule in BOUNDS and before is not None and after is not None:
            lower = after < before
            tighter = lower if BOUNDS[rule] == "lower" else not lower
        else:
            tighter = after is not None  # a rule added or replaced restricts; a rule dropped relaxes
        impact = Impact.BREAKING if sent and tighter else Impact.CHANGED
        yield Change(impact, key, f"{where}: {rule} {_value(before)} -> {_value(after)}")


def _pattern_change(key: str, where: Place, old: str, new: str, sent: bool) -> Change:
    change = patterns.compare(old, new)
    text = f"{where}: pattern {_value(old)} -> {_value(new)}"
    if change.relation is patterns.Relation.NARROWER:
        return Change(
            Impact.BREAKING if sent else Impact.CHANGED,
            key,
            f"{text} (narrower: refuses e.g. {_value(change.example)})",
        )
    if change.relation is patterns.Relation.WIDER:
        also = f": also accepts e.g. {_value(change.example)}" if change.example is not None else ""
        return Change(Impact.CHANGED, key, f"{text} (wider: accepts every value it accepted{also})")
    if change.relation is patterns.Relation.SAME:
        return Change(Impact.CHANGED, key, f"{text} (the same values, written differently)")
    return Change(Impact.CHANGED, key, f"{text} (pattern changed, check it: neither proven wider nor shown narrower)")


def _compare_defaults(key: str, where: Place, old: Any, new: Any, *, sent: bool, passed: bool) -> Iterator[Change]:
    if _same_value(old, new):
        return
    text = f"{where}: default {_default_text(old)} -> {_default_text(new)}"
    if not sent:
        yield Change(Impact.CHANGED, key, text)
    elif old is NO_DEFAULT and passed:
        yield Change(Impact.CHANGED, key, f"{text} (the argument may now be left out)")
    else:
        yield Change(Impact.BREAKING, key, f"{text} (the same call now sends another value)")


def _same_value(old: Any, new: Any) -> bool:
    """Equal and of the same JSON type (``1``, ``1.0`` and ``true`` are three defaults)."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return old.keys() == new.keys() and all(_same_value(old[name], new[name]) for name in old)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(_same_value(a, b) for a, b in zip(old, new, strict=True))
    return type(old) is type(new) and old == new


def _default_text(value: Any) -> str:
    """A default as it reads in the document: a string as is, other values as JSON (``true``, ``null``, ``""``)."""
    if value is NO_DEFAULT:
        return "(none)"
    return f"`{value if isinstance(value, str) and value else json.dumps(value)}`"


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
        defaulted = new.properties[name].default is not NO_DEFAULT  # the generated client sends the default
        impact = Impact.BREAKING if sent and required and not defaulted else Impact.ADDED
        note = " (with a default, which the client sends)" if sent and required and defaulted else ""
        yield Change(impact, key, f"{'required' if required else 'optional'} {where.child(name)} added{note}")
    for name in sorted(old.properties.keys() & new.properties.keys()):
        if (name in old.required) != (name in new.required):
            defaulted = new.properties[name].default is not NO_DEFAULT
            yield _required_change(key, where.child(name), name in new.required, flow, defaulted=defaulted)
        yield from compare_schemas(
            key, where.child(name), old.properties[name], new.properties[name], flow, passed=name in old.required
        )


def _values(values: Any) -> str:
    return ", ".join(_value(value) for value in values)


def _value(value: Any) -> str:
    return "(none)" if value is None else f"`{value}`"
