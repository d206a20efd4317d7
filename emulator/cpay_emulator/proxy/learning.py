"""``cpay-emulator spec suggest``: what recorded traffic shows that ``openapi.yaml`` does not say, written as an
Overlay 1.0 document for a person to review and apply (``cpay-emulator spec apply``, ``make generate OVERLAY=``).

The proxy's recordings (``proxy.recording``: API exchanges, and webhook notifications when it stands in front of
the merchant's endpoint) are compared with the spec *inside the envelope*: ``merchantId`` and ``sign`` are the
signed envelope's credentials, not parameters to document, and a response is read as ``{code, msg, data,
traceid}`` with ``data`` walked into the operation's own schema. A tool that learns a spec from plain HTTP traffic
(Optic's ``capture``/``update``, mitmproxy2swagger) would document both as ordinary fields. Each exchange's JSON
is walked alongside its schema (``$ref``, ``allOf`` and the branches of ``anyOf``/``oneOf`` followed, with the
JSONPath location of every schema node kept), and these findings come out, each with the update that makes the
spec accept what was seen:

* a response (or webhook) field the schema does not document: its JSON types and an example, as a new optional
  property of the object schema that holds the others (a decimal text such as ``"0.05"`` becomes a
  ``DecimalString``, the spec's type for amounts);
* a JSON type the schema does not allow (a number where it says string, ``data: null`` where it has an object):
  a new branch of the node's ``anyOf``, or, for a node without one, the node replaced by ``anyOf: [the node as it
  was, the type seen]``. Overlay 1.0 merges an update into a node, so it cannot drop the ``$ref`` that refuses
  the number: the replacement is two actions, a ``remove`` and an ``update``, sharing the finding's number
  (``x-cpay-finding``); delete both or neither. A number seen where a string enum lists numeric texts
  (``OrderStatus``: ``"0"``, ``"11"``, ``"14"``, ``"15"``) gets the integer enum of those values;
* an enum value outside the enum: appended where the enum is defined (and to ``x-enum-varnames``);
* a business code that no example of the operation's response shows, with the ``msg`` texts seen: an example
  of the answer as recorded (the spec documents an operation's codes by its examples, as ``pwpp``'s ``payFail``);
* a request parameter the client sent and the spec lacks: an optional parameter (GET) or form field (POST).

Findings an update cannot express are written as comments at the top of the overlay, never dropped: a
documented field absent from every answer seen (an optional field may be left out; removing it would break
callers), a parameter whose name differs from a declared one only in letter case (C-Pay ignores it; the proxy
reports it as a mistake of the client), a code of an operation whose examples are one ``example``.

Every action's ``description`` says what was seen and cites its evidence: how many exchanges, which operations,
and the first one's ``traceid`` and recording line. Nothing secret goes in: the recordings are masked already
(``sign`` replaced by its status, secret keys and card data masked), ``sign`` and the fields the spec marks
``x-cpay-sensitive`` are never copied, and an example that looks like a card number (a Luhn-valid run of 12-19
digits), a signature (64 hex digits) or a masked value is withheld. The webhook's reply is the merchant's own
text, not C-Pay's behaviour: it is checked by the proxy, not learned here.
"""

from __future__ import annotations

import collections
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import attrs
import yaml

from cpay import MASK, SENSITIVE_FIELDS
from cpay_emulator.proxy.inspection import SignStatus
from cpay_emulator.proxy.recording import read_recording_lines
from cpay_emulator.shared.jsontext import json_type
from cpay_emulator.shared.overlay import jsonpath_of, overlay_problems
from cpay_emulator.shared.redaction import sensitive_fields
from cpay_emulator.shared.spec import MERCHANT_ID, SIGN

__all__ = ["FINDING", "Finding", "Recorded", "Suggestion", "read_exchanges", "relative_to", "suggest"]

FINDING = "x-cpay-finding"
"""The action extension holding its finding's number: the actions of one finding are deleted together."""
DECIMAL_SCHEMA = "DecimalString"
"""The spec's component for a decimal amount as text; an undocumented field whose values are all decimal texts
(with a fraction in at least one) gets it, so that the emulator and the proxy check it as they check amounts."""
_SUGGESTED_BY = "seen in traffic by cpay-emulator spec suggest"
_ANNOTATIONS = ("description", "title", "deprecated")
_MAX_VALUES = 20  # values kept per finding, for types and examples
_MAX_ITEMS = 100  # array elements walked per array
_MAX_DEPTH = 32
_MAX_EXAMPLE = 200  # characters of a copied example text
_MEMBER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_HEX_SIGN = re.compile(r"^[0-9a-fA-F]{64}$")
_CARD_LIKE = re.compile(r"^[0-9]{12,19}$")
_INTEGER_TEXT = re.compile(r"^-?(0|[1-9][0-9]*)$")

Location = tuple[str | int, ...]


@attrs.frozen
class Recorded:
    """One exchange of a recording, with where it was read (``traffic.jsonl:4``)."""

    entry: Mapping[str, Any]
    source: str


def read_exchanges(paths: Iterable[Path]) -> Iterator[Recorded]:
    """Every exchange of the recordings, in the order given (oldest first); ``ValueError`` on a line that is not one."""
    for path in paths:
        for number, entry in read_recording_lines(path):
            yield Recorded(entry=entry, source=f"{path}:{number}")


@attrs.define
class _Evidence:
    """The exchanges behind one finding: how many, of which operations, and the first one."""

    sources: set[str] = attrs.Factory(set)
    operations: collections.Counter[str] = attrs.Factory(collections.Counter)
    first_source: str = ""
    first_traceid: str | None = None

    noun: str = "exchange"

    def add(self, recorded: Recorded, operation: str, traceid: str | None) -> None:
        if recorded.source in self.sources:
            return
        if recorded.entry.get("kind") == "webhook":
            self.noun = "notification"
        if not self.sources:
            self.first_source, self.first_traceid = recorded.source, traceid
        self.sources.add(recorded.source)
        self.operations[operation] += 1

    @property
    def count(self) -> int:
        return len(self.sources)

    def text(self) -> str:
        plural = "s" if self.count != 1 else ""
        if len(self.operations) == 1:
            of = f"of {next(iter(self.operations))}"
        else:
            of = "(" + ", ".join(f"{name}: {count}" for name, count in sorted(self.operations.items())) + ")"
        trace = f"traceid {self.first_traceid}, " if self.first_traceid else ""
        return f"{self.count} {self.noun}{plural} {of}; the first: {trace}{self.first_source}"


@attrs.define
class _Seen:
    """What was observed at one place of the spec, over the traffic."""

    kind: str
    where: str
    location: Location
    evidence: _Evidence = attrs.Factory(_Evidence)
    values: list[Any] = attrs.Factory(list)
    extra: dict[str, Any] = attrs.Factory(dict)

    def value(self, value: Any) -> None:
        if len(self.values) < _MAX_VALUES and value not in self.values:
            self.values.append(value)


@attrs.frozen
class Finding:
    """One thing the traffic shows that the spec does not say: its actions, or none (then it is a comment)."""

    number: int
    summary: str
    """One sentence: what was seen, where."""
    evidence: str
    actions: tuple[dict[str, Any], ...] = ()

    @property
    def is_comment(self) -> bool:
        return not self.actions


@attrs.frozen
class Suggestion:
    """The findings over some recordings, and the overlay that would make the spec accept what was seen."""

    findings: tuple[Finding, ...]
    exchanges: int
    notifications: int
    skipped: int

    @property
    def actions(self) -> list[dict[str, Any]]:
        return [action for finding in self.findings for action in finding.actions]

    @property
    def comments(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.is_comment]

    def overlay(self, title: str, extends: str) -> dict[str, Any]:
        """The Overlay 1.0 document (``None``-free, checked against the specification's schema); needs an action."""
        if not self.actions:
            raise ValueError("no finding can be written as an update: an overlay needs at least one action")
        document = {
            "overlay": "1.0.0",
            "info": {"title": title, "version": "1.0.0"},
            "extends": extends,
            "actions": self.actions,
        }
        problems = overlay_problems(document)
        if problems:  # a bug of this module, never the user's: say so rather than write a broken overlay
            raise AssertionError("spec suggest wrote an invalid overlay: " + "; ".join(problems))
        return document

    def overlay_text(self, sources: Sequence[str], extends: str) -> str:
        """The overlay as YAML, with the comments (findings an update cannot express) at the top."""
        names = ", ".join(sources)
        what = f"{self.exchanges} exchange(s) and {self.notifications} webhook notification(s)"
        lines = [
            f"# Overlay 1.0 written by `cpay-emulator spec suggest` from {names}: {what}, compared with {extends}.",
            "# Review each action; delete one you disagree with (with every action of the same x-cpay-finding),",
            "# then apply it: make generate OVERLAY=<this file>",
            f"# (or: cpay-emulator spec apply <this file> --spec {extends})",
        ]
        if self.comments:
            lines.append("#")
            lines.append("# Not expressed as an update (review by hand):")
            lines.extend(f"# - {finding.summary} Evidence: {finding.evidence}." for finding in self.comments)
        document = self.overlay(f"What {names} shows that {extends} does not say", extends)
        body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=1 << 16, default_flow_style=False)
        return "\n".join(lines) + "\n" + body


def _type_ok(kind: str, declared: frozenset[str]) -> bool:
    return kind in declared or (kind == "integer" and "number" in declared)


def _pointer(reference: str) -> Location | None:
    """The location a local ``$ref`` (``#/components/schemas/X``) names; ``None`` for another document's."""
    if not reference.startswith("#/") and reference != "#":
        return None
    keys: list[str | int] = []
    for piece in reference[2:].split("/") if reference != "#" else []:
        keys.append(unquote(piece).replace("~1", "/").replace("~0", "~"))
    return tuple(keys)


@attrs.frozen
class _At:
    """A schema node and where it sits in the document."""

    location: Location
    node: Any


class _Schemas:
    """The spec's schema nodes with their locations, ``$ref`` and ``allOf`` followed."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document

    def at(self, location: Location) -> _At | None:
        node: Any = self.document
        for key in location:
            found = (isinstance(node, Mapping) and key in node) or (
                isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
            )
            if not found:
                return None
            node = node[key]
        return _At(location, node)

    def parts(self, at: _At, seen: frozenset[Location] = frozenset()) -> list[_At]:
        """``at`` and every schema that applies with it: its ``$ref`` target and ``allOf`` members, recursively."""
        if not isinstance(at.node, Mapping) or at.location in seen:
            return []
        seen = seen | {at.location}
        found = [at]
        reference = at.node.get("$ref")
        if isinstance(reference, str):
            location = _pointer(reference)
            target = self.at(location) if location is not None else None
            if target is not None:
                found.extend(self.parts(target, seen))
        for index, member in enumerate(at.node.get("allOf") or ()):
            found.extend(self.parts(_At((*at.location, "allOf", index), member), seen))
        return found


def _declared_types(parts: Sequence[_At]) -> frozenset[str] | None:
    declared: frozenset[str] | None = None
    for part in parts:
        kind = part.node.get("type")
        if kind is None and "enum" in part.node:
            kind = sorted({json_type(value) for value in part.node["enum"]})
        if kind is None:
            continue
        types = frozenset([kind] if isinstance(kind, str) else kind)
        if "number" in types:
            types |= {"integer"}
        declared = types if declared is None else declared & types
    return declared


def _union(parts: Sequence[_At]) -> tuple[_At, list[_At]] | None:
    for part in parts:
        for keyword in ("anyOf", "oneOf"):
            branches = part.node.get(keyword)
            if isinstance(branches, list):
                return part, [_At((*part.location, keyword, index), branch) for index, branch in enumerate(branches)]
    return None


def _properties(parts: Sequence[_At]) -> dict[str, _At]:
    found: dict[str, _At] = {}
    for part in parts:
        for name, schema in (part.node.get("properties") or {}).items():
            found.setdefault(name, _At((*part.location, "properties", name), schema))
    return found


def _owner(parts: Sequence[_At]) -> _At:
    """The object schema that a new property joins: the first that declares properties, else the first object."""
    for part in parts:
        if isinstance(part.node.get("properties"), Mapping):
            return part
    for part in parts:
        if part.node.get("type") == "object":
            return part
    return parts[-1]


def _child(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _is_card_like(text: str) -> bool:
    if not _CARD_LIKE.fullmatch(text):
        return False
    total = 0
    for index, digit in enumerate(reversed(text)):
        value = int(digit) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


class _Walk:
    """Compares the exchanges with the spec and gathers what was seen, keyed by place."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.schemas = _Schemas(document)
        self.sensitive = sensitive_fields(document) | SENSITIVE_FIELDS | {SIGN}
        self.seen: dict[tuple[Any, ...], _Seen] = {}
        self.operations = self._operations()
        self.webhooks = self._webhooks()
        self.exchanges = self.notifications = self.skipped = 0
        self._recorded: Recorded | None = None
        self._operation = ""
        self._traceid: str | None = None

    # -- the spec's operations and webhooks, by name, with locations ----------------------------------------------

    def _operations(self) -> dict[str, Location]:
        found: dict[str, Location] = {}
        for path, item in (self.document.get("paths") or {}).items():
            for method, operation in (item or {}).items():
                if isinstance(operation, Mapping) and "responses" in operation:
                    name = operation.get("operationId") or path.rsplit("/", 1)[-1]
                    found[name] = ("paths", path, method)
        return found

    def _webhooks(self) -> dict[str, Location]:
        found: dict[str, Location] = {}
        for name, item in (self.document.get("webhooks") or {}).items():
            for method, operation in (item or {}).items():
                if isinstance(operation, Mapping):
                    found[operation.get("operationId") or name] = ("webhooks", name, method)
        return found

    def _success_media(self, operation: Location) -> Location | None:
        node = self.schemas.at(operation)
        responses = node.node.get("responses", {}) if node is not None else {}
        statuses = {str(status): status for status in responses}
        for status in [*sorted(status for status in statuses if status.startswith("2")), "default"]:
            response = responses.get(statuses.get(status))
            for media_type, media in ((response or {}).get("content") or {}).items():
                if media_type.split(";", 1)[0].strip().endswith("json") and isinstance(media, Mapping):
                    return (*operation, "responses", statuses[status], "content", media_type)
        return None

    # -- recording what was seen ---------------------------------------------------------------------------------

    def _note(self, key: tuple[Any, ...], kind: str, where: str, location: Location) -> _Seen:
        seen = self.seen.get(key)
        if seen is None:
            seen = self.seen[key] = _Seen(kind=kind, where=where, location=location)
        assert self._recorded is not None
        seen.evidence.add(self._recorded, self._operation, self._traceid)
        return seen

    # -- one exchange ----------------------------------------------------------------------------------------------

    def exchange(self, recorded: Recorded) -> None:
        entry = recorded.entry
        self._recorded, self._traceid = recorded, None
        if entry.get("kind") == "webhook":
            self._notification(entry)
            return
        name = entry.get("operationId")
        body = entry.get("response")
        if (
            entry.get("aborted")
            or entry.get("status") != 200
            or name not in self.operations
            or not isinstance(body, Mapping)
        ):
            self.skipped += 1
            return
        self.exchanges += 1
        self._operation = str(name)
        traceid = body.get("traceid")
        self._traceid = traceid if isinstance(traceid, str) else None
        operation = self.operations[name]
        media = self._success_media(operation)
        schema = self.schemas.at((*media, "schema")) if media is not None else None
        if media is not None and schema is not None:
            self.walk(body, schema, "", 0)
            self._code(body, media)
        self._parameters(entry.get("request") or {}, operation)

    def _notification(self, entry: Mapping[str, Any]) -> None:
        name = str(entry.get("operationId") or "")
        fields = entry.get("request")
        location = self.webhooks.get(name)
        readable = isinstance(fields, Mapping) and fields and entry.get("format") is not None
        # A notification whose sign is wrong or missing may be anyone's: it shows nothing of what C-Pay sends.
        trusted = isinstance(fields, Mapping) and fields.get(SIGN) in (SignStatus.VALID, SignStatus.UNCHECKED)
        if location is None or not readable or not trusted or entry.get("status") is None:
            self.skipped += 1
            return
        assert isinstance(fields, Mapping)
        self.notifications += 1
        self._operation = name
        schema = self.schemas.at((*location, "requestBody", "content", "application/json", "schema"))
        if schema is not None:
            self.walk(dict(fields), schema, "", 0)

    def walk(self, value: Any, at: _At, where: str, depth: int) -> None:
        """Compare ``value`` with the schema at ``at`` (``where`` names it in the body: ``data.status``)."""
        if depth > _MAX_DEPTH:
            return
        parts = self.schemas.parts(at)
        if not parts:
            return
        union = _union(parts)
        if union is not None:
            holder, branches = union
            admitting = [branch for branch in branches if self._admits(branch, value, depth)]
            if not admitting:
                self._type(value, holder, where, branch=True)
                return
            if isinstance(value, Mapping) and len(admitting) > 1:
                admitting.sort(key=lambda branch: -len(set(value) & set(_properties(self.schemas.parts(branch)))))
            self.walk(value, admitting[0], where, depth + 1)
            return
        declared = _declared_types(parts)
        kind = json_type(value)
        if declared is not None and not _type_ok(kind, declared):
            self._type(value, at, where, branch=False)
            return
        enum_part = next((part for part in parts if isinstance(part.node.get("enum"), list)), None)
        if enum_part is not None and not any(
            value == allowed and json_type(allowed) == kind for allowed in enum_part.node["enum"]
        ):
            seen = self._note(("enum", enum_part.location), "enum", where, enum_part.location)
            seen.value(value)
        if isinstance(value, Mapping):
            self._object(value, parts, where, depth)
        elif isinstance(value, list):
            items = next((part for part in parts if isinstance(part.node.get("items"), Mapping)), None)
            if items is not None:
                item_at = _At((*items.location, "items"), items.node["items"])
                for element in value[:_MAX_ITEMS]:
                    self.walk(element, item_at, f"{where}[]", depth + 1)

    def _admits(self, branch: _At, value: Any, depth: int) -> bool:
        parts = self.schemas.parts(branch)
        if not parts or depth > _MAX_DEPTH:
            return True
        union = _union(parts)
        if union is not None:
            return any(self._admits(inner, value, depth + 1) for inner in union[1])
        declared = _declared_types(parts)
        return declared is None or _type_ok(json_type(value), declared)

    def _type(self, value: Any, at: _At, where: str, *, branch: bool) -> None:
        kind = json_type(value)
        seen = self._note(("type", at.location, kind), "type", where, at.location)
        seen.extra.setdefault("branch", branch)
        seen.extra.setdefault("declared", _declared_types(self.schemas.parts(at)) or frozenset())
        seen.value(value)

    def _object(self, value: Mapping[str, Any], parts: Sequence[_At], where: str, depth: int) -> None:
        properties = _properties(parts)
        owner = _owner(parts)
        seen = self._note(("object", owner.location), "object", where, owner.location)
        seen.extra.setdefault("documented", tuple(properties))
        present: collections.Counter[str] = seen.extra.setdefault("present", collections.Counter())
        present.update(name for name in value if name in properties)
        for name, child in value.items():
            if name in properties:
                self.walk(child, properties[name], _child(where, name), depth + 1)
            elif name != SIGN:
                field = self._note(("field", owner.location, name), "field", _child(where, name), owner.location)
                field.extra["name"] = name
                field.value(child)

    def _code(self, body: Mapping[str, Any], media: Location) -> None:
        code = body.get("code")
        if not isinstance(code, int) or isinstance(code, bool):
            return
        node = self.schemas.at(media)
        media_node = node.node if node is not None else {}
        documented = {
            example.get("value", {}).get("code")
            for example in (media_node.get("examples") or {}).values()
            if isinstance(example, Mapping) and isinstance(example.get("value"), Mapping)
        }
        if isinstance(media_node.get("example"), Mapping):
            documented.add(media_node["example"].get("code"))
        if code in documented:
            return
        seen = self._note(("code", self._operation, code), "code", "code", media)
        seen.extra.setdefault("envelope", dict(body))
        seen.extra.setdefault("single_example", "example" in media_node and "examples" not in media_node)
        message = body.get("msg")
        if isinstance(message, str):
            seen.value(message)

    def _parameters(self, request: Mapping[str, Any], operation: Location) -> None:
        at = self.schemas.at(operation)
        if at is None:
            return
        declared: dict[str, Location] = {}
        for index, parameter in enumerate(at.node.get("parameters") or ()):
            parameter_at = self.schemas.parts(_At((*operation, "parameters", index), parameter))[-1]
            if isinstance(parameter_at.node.get("name"), str):
                declared[parameter_at.node["name"]] = parameter_at.location
        form_owner: _At | None = None
        for media_type, media in ((at.node.get("requestBody") or {}).get("content") or {}).items():
            if media_type == "application/x-www-form-urlencoded" and isinstance(media, Mapping):
                parts = self.schemas.parts(
                    _At((*operation, "requestBody", "content", media_type, "schema"), media.get("schema"))
                )
                if parts:
                    form_owner = _owner(parts)
                    declared.update({name: at.location for name, at in _properties(parts).items()})
        lowered = {name.lower(): name for name in declared}
        for name, value in request.items():
            if name in (MERCHANT_ID, SIGN) or name in declared:
                continue
            key = ("parameter", self._operation, name)
            if name.lower() in lowered:
                seen = self._note(key, "near-miss", name, operation)
                seen.extra["declared"] = lowered[name.lower()]
                continue
            seen = self._note(key, "parameter", name, operation)
            seen.extra["form"] = form_owner.location if form_owner is not None else None
            seen.extra["name"] = name
            seen.value(value)


class _Writer:
    """Turns what was seen into findings, each with its actions (or none: a comment)."""

    def __init__(self, walk: _Walk) -> None:
        self.walk = walk
        self.schemas = walk.schemas
        self.findings: list[Finding] = []
        components = walk.document.get("components") or {}
        self.has_decimal = DECIMAL_SCHEMA in (components.get("schemas") or {})

    def write(self) -> tuple[Finding, ...]:
        for seen in self.walk.seen.values():
            writer = getattr(self, "_" + seen.kind.replace("-", "_"))
            writer(seen)
        return tuple(self.findings)

    def _add(self, summary: str, seen: _Seen, *actions: dict[str, Any]) -> None:
        number = len(self.findings) + 1
        evidence = seen.evidence.text()
        written = []
        for action in actions:
            step = action.pop("step", "")
            written.append(
                {
                    "target": action.pop("target"),
                    "description": f"{summary} Evidence: {evidence}.{step}",
                    **action,
                    FINDING: number,
                }
            )
        self.findings.append(Finding(number=number, summary=summary, evidence=evidence, actions=tuple(written)))

    def _operations(self, seen: _Seen) -> str:
        return ", ".join(sorted(seen.evidence.operations))

    # -- the kinds of finding -----------------------------------------------------------------------------------

    def _object(self, seen: _Seen) -> None:
        present: collections.Counter[str] = seen.extra["present"]
        for name in seen.extra["documented"]:
            if present[name] == 0 and name != SIGN:
                where = _child(seen.where, name)
                summary = (
                    f"{self._operations(seen)}: `{where}` is documented but absent from all {seen.evidence.count} "
                    "answer(s) seen (not changed: an optional field may be left out, and removing it would break "
                    "callers that read it)."
                )
                self._add(summary, seen)

    def _field(self, seen: _Seen) -> None:
        name = seen.extra["name"]
        owner = self.schemas.at(seen.location)
        assert owner is not None
        types = ", ".join(sorted({json_type(value) for value in seen.values}))
        example = self._example(name, seen.values)
        shown = f" (e.g. {_quoted(example)})" if example is not None else ""
        summary = (
            f"{self._operations(seen)} sends `{seen.where}`, which openapi.yaml does not document: "
            f"seen as {types}{shown}."
        )
        schema = self._inferred(name, seen.values, 0)
        schema["description"] = f"Not in C-Pay's documents: {_SUGGESTED_BY}."
        if example is not None and "examples" not in schema and json_type(example) != "object":
            schema["examples"] = [example]
        if isinstance(owner.node.get("properties"), Mapping):
            action = {"target": jsonpath_of((*seen.location, "properties")), "update": {name: schema}}
        else:
            action = {"target": jsonpath_of(seen.location), "update": {"properties": {name: schema}}}
        self._add(summary, seen, action)

    def _type(self, seen: _Seen) -> None:
        kind = json_type(seen.values[0])
        declared = " or ".join(sorted(seen.extra["declared"])) or "another type"
        at = self.schemas.at(seen.location)
        assert at is not None
        if kind == "null":
            summary = f"{self._operations(seen)} sends `{seen.where}` as null, where openapi.yaml has {declared}."
        else:
            shown = ", ".join(_quoted(value) for value in seen.values[:3])
            summary = (
                f"{self._operations(seen)} sends `{seen.where}` as a JSON {kind} ({shown}), where openapi.yaml "
                f"types it {declared}."
            )
        branch = self._branch(kind, seen.values, at)
        if seen.extra["branch"]:
            keyword = "anyOf" if "anyOf" in at.node else "oneOf"
            self._add(summary, seen, {"target": jsonpath_of(seen.location), "update": {keyword: [branch]}})
            return
        parent, key = seen.location[:-1], seen.location[-1]
        if not isinstance(key, str) or not parent:
            self._add(summary + " (Not changed: the node is not a property an update can give back.)", seen)
            return
        old = dict(at.node)
        replacement: dict[str, Any] = {name: old.pop(name) for name in _ANNOTATIONS if name in old}
        also = f"A deployment also sends it as a JSON {kind}: {_SUGGESTED_BY}."
        # The description the old node had, or took from its $ref's target: the anyOf would lose the latter.
        parts = self.schemas.parts(at)
        described = next((part.node["description"] for part in parts if "description" in part.node), "")
        replacement["description"] = (
            f"{described.rstrip()}\n\n{also}\n"
            if "\n" in described.strip()
            else (f"{described} {also}" if described else also)
        )
        replacement["anyOf"] = [old, branch]
        remove = {
            "target": jsonpath_of(seen.location),
            "remove": True,
            "step": " Step 1 of 2: the node is taken out, and the next action puts it back accepting both types "
            "(an Overlay 1.0 update merges into a node and cannot drop its old type); delete both actions or neither.",
        }
        update = {
            "target": jsonpath_of(parent),
            "update": {key: replacement},
            "step": " Step 2 of 2: the node back, as anyOf its old schema and the type seen.",
        }
        self._add(summary, seen, remove, update)

    def _enum(self, seen: _Seen) -> None:
        at = self.schemas.at(seen.location)
        assert at is not None
        shown = ", ".join(_quoted(value) for value in seen.values)
        summary = f"{self._operations(seen)} sends `{seen.where}` = {shown}, outside its enum in openapi.yaml."
        update: dict[str, Any] = {"enum": list(seen.values)}
        if isinstance(at.node.get("x-enum-varnames"), list):
            update["x-enum-varnames"] = _varnames(seen.values, at.node["x-enum-varnames"])
        if isinstance(at.node.get("x-enum-descriptions"), list):
            update["x-enum-descriptions"] = [f"Not in C-Pay's documents: {_SUGGESTED_BY}"] * len(seen.values)
        self._add(summary, seen, {"target": jsonpath_of(seen.location), "update": update})

    def _code(self, seen: _Seen) -> None:
        code = seen.extra["envelope"].get("code")
        messages = "; ".join(_quoted(message) for message in seen.values) or "no msg"
        envelope = seen.extra["envelope"]
        data = "data null" if envelope.get("data") is None else "data as in the example"
        summary = (
            f"{self._operations(seen)} answers code {code} ({data}), which no example of its response in "
            f"openapi.yaml shows; msg seen: {messages}."
        )
        if seen.extra["single_example"]:
            self._add(summary + " (Not changed: the response has one `example`, not `examples`.)", seen)
            return
        example = {
            "summary": f"Code {code}, as a deployment answered it",
            "description": f"{_SUGGESTED_BY.capitalize()}; msg texts seen: {messages}.",
            "value": self._sanitized(envelope),
        }
        action = {"target": jsonpath_of(seen.location), "update": {"examples": {f"observedCode{code}": example}}}
        self._add(summary, seen, action)

    def _near_miss(self, seen: _Seen) -> None:
        summary = (
            f"{self._operations(seen)}: the client sends `{seen.where}`, which differs from the declared "
            f"`{seen.extra['declared']}` only in letter case (not added: C-Pay ignores it; fix the client)."
        )
        self._add(summary, seen)

    def _parameter(self, seen: _Seen) -> None:
        name = seen.extra["name"]
        example = self._example(name, seen.values)
        summary = f"{self._operations(seen)}: the client sends the parameter `{name}`, which openapi.yaml lacks."
        description = f"Not in C-Pay's documents: {_SUGGESTED_BY}."
        form = seen.extra["form"]
        if form is not None:
            schema: dict[str, Any] = {"type": "string", "description": description}
            if example is not None:
                schema["examples"] = [example]
            owner = self.schemas.at(form)
            has_properties = owner is not None and isinstance(owner.node.get("properties"), Mapping)
            target = (*form, "properties") if has_properties else form
            update: dict[str, Any] = {name: schema} if has_properties else {"properties": {name: schema}}
            self._add(summary, seen, {"target": jsonpath_of(target), "update": update})
            return
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": False,
            "description": description,
            "schema": {"type": "string"},
        }
        if example is not None:
            parameter["example"] = example
        operation = self.schemas.at(seen.location)
        if operation is not None and isinstance(operation.node.get("parameters"), list):
            action = {"target": jsonpath_of((*seen.location, "parameters")), "update": parameter}
        else:
            action = {"target": jsonpath_of(seen.location), "update": {"parameters": [parameter]}}
        self._add(summary, seen, action)

    # -- schemas and examples from values -------------------------------------------------------------------------

    def _branch(self, kind: str, values: Sequence[Any], at: _At) -> dict[str, Any]:
        """The schema that admits the values seen of ``kind`` where ``at`` did not."""
        if kind == "integer":
            parts = self.schemas.parts(at)
            enum_part = next((part for part in parts if isinstance(part.node.get("enum"), list)), None)
            texts = enum_part.node["enum"] if enum_part is not None else []
            if texts and all(isinstance(text, str) and _INTEGER_TEXT.fullmatch(text) for text in texts):
                assert enum_part is not None
                numbers = [int(text) for text in texts]
                extra = [value for value in values if value not in numbers]
                branch: dict[str, Any] = {"type": "integer", "enum": numbers + extra}
                names = enum_part.node.get("x-enum-varnames")
                if isinstance(names, list) and len(names) == len(texts):
                    branch["x-enum-varnames"] = list(names) + _varnames(extra, names)
                return branch
        return {"type": kind}

    def _inferred(self, name: str, values: Sequence[Any], depth: int) -> dict[str, Any]:
        """A schema admitting ``values`` (of one field, over the traffic)."""
        kinds = sorted({json_type(value) for value in values} - {"null"})
        nullable = any(value is None for value in values)
        if kinds == ["string"] and not nullable and self.has_decimal:
            texts = [value for value in values if isinstance(value, str)]
            if all(_DECIMAL.fullmatch(text) for text in texts) and any("." in text for text in texts):
                return {"allOf": [{"$ref": f"#/components/schemas/{DECIMAL_SCHEMA}"}]}
        if kinds == ["object"] and depth < 4:
            merged: dict[str, list[Any]] = {}
            for value in values:
                if isinstance(value, Mapping):
                    for key, item in value.items():
                        merged.setdefault(key, []).append(item)
            properties = {key: self._inferred(key, items, depth + 1) for key, items in merged.items() if key != SIGN}
            schema: dict[str, Any] = {"type": ["object", "null"] if nullable else "object", "properties": properties}
            return schema
        if kinds == ["array"] and depth < 4:
            elements = [item for value in values if isinstance(value, list) for item in value[:_MAX_ITEMS]]
            schema = {"type": ["array", "null"] if nullable else "array"}
            if elements:
                schema["items"] = self._inferred(name, elements, depth + 1)
            return schema
        types = kinds + (["null"] if nullable else [])
        if not types:
            return {"type": "null"}
        return {"type": types[0] if len(types) == 1 else types}

    def _copyable(self, name: str, value: Any) -> bool:
        """Whether a value seen may be written into the overlay as an example."""
        if name in self.walk.sensitive or isinstance(value, (Mapping, list)) or value is None:
            return False
        if isinstance(value, str):
            return (
                0 < len(value) <= _MAX_EXAMPLE
                and MASK not in value
                and not _HEX_SIGN.fullmatch(value)
                and not _is_card_like(value)
            )
        return not (isinstance(value, int) and _is_card_like(str(value)))

    def _example(self, name: str, values: Sequence[Any]) -> Any:
        return next((value for value in values if self._copyable(name, value)), None)

    def _sanitized(self, value: Any, name: str = "") -> Any:
        """An answer as an example: ``sign`` and sensitive fields left out, any text that may not be copied withheld."""
        if isinstance(value, Mapping):
            return {
                key: self._sanitized(item, key)
                for key, item in value.items()
                if key not in self.walk.sensitive and key != SIGN
            }
        if isinstance(value, list):
            return [self._sanitized(item, name) for item in value]
        if value is None or isinstance(value, (bool, float)) or value == "":
            return value
        if isinstance(value, str) and len(value) > _MAX_EXAMPLE and MASK not in value:
            return value  # a long text (an HTML page) is not a secret; card data in it was masked by the recording
        return value if self._copyable(name, value) else "<withheld>"


def _varnames(values: Sequence[Any], existing: Sequence[Any]) -> list[str]:
    taken = {str(name) for name in existing}
    names = []
    for value in values:
        base = re.sub(r"[^A-Za-z0-9]+", "_", str(value)).strip("_").upper() or "EMPTY"
        name = base if _MEMBER.fullmatch(base) else f"VALUE_{base}"
        candidate, suffix = name, 2
        while candidate in taken:
            candidate, suffix = f"{name}_{suffix}", suffix + 1
        taken.add(candidate)
        names.append(candidate)
    return names


def _quoted(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"'
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def suggest(document: Mapping[str, Any], recordings: Iterable[Recorded]) -> Suggestion:
    """Compare each recorded exchange with ``document`` (``openapi.yaml`` as read by ``load_spec``)."""
    walk = _Walk(document)
    for recorded in recordings:
        walk.exchange(recorded)
    return Suggestion(
        findings=_Writer(walk).write(),
        exchanges=walk.exchanges,
        notifications=walk.notifications,
        skipped=walk.skipped,
    )


def relative_to(path: Path, folder: Path) -> str:
    """``path`` as the overlay's ``extends`` names it: relative to the overlay's folder when it can be."""
    try:
        return os.path.relpath(path, folder)
    except ValueError:  # another drive
        return str(path)
