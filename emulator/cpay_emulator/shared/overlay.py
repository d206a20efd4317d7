"""Overlay 1.0 documents (the OpenAPI Initiative's Overlay Specification): checked, then applied to ``openapi.yaml``
without touching what they do not change.

An overlay is a reviewed list of changes to an OpenAPI document: each action has a ``target``, an RFC 9535
JSONPath query, and either an ``update`` merged into every node it selects or ``remove: true``. Here:

* ``overlay_problems`` checks a document against the specification's own JSON Schema (vendored beside this
  module, ``overlay-1.0.schema.yaml``), so a hand-edited overlay with a typo is refused with the place of the
  typo, before anything is applied;
* ``apply_overlay`` applies the actions in order to a document read by ``load_round_trip``: ruamel.yaml's
  round-trip loader, whose ``dump_round_trip`` writes ``openapi.yaml`` back byte for byte where nothing changed
  (its comments, quoting, flow mappings and key order; checked by a test on the repository's own file). Targets
  are evaluated by ``jsonpath-rfc9535``, a maintained implementation of RFC 9535 and nothing else.

Merging follows the rules Overlay 1.1 spells out for 1.0's "recursively merged": a property only in the update
is added, an object is merged into an object, an array is concatenated to an array, a primitive replaces a
primitive, and any other pair is an error; an update of an array node appends the value. An update's target may
select only objects and arrays (1.0; a removal may select any node, as the specification's compliant sets
remove an ``example``); a target that selects nothing changes nothing and is reported, since an overlay
written for this spec that selects nothing was most likely applied already or written for another version.

Applying the same overlay twice changes nothing the second time (``make generate OVERLAY=`` run twice): an update
that a selected node holds already, every value of it present (an array's items among the node's), is left
out there and counted (``ActionResult.present``), where concatenating its arrays again would list an enum value or
a parameter twice. That is the one departure from plain merging, and it only ever leaves a duplicate out.

One choice the specification leaves open: where a new property goes. It goes last, unless an earlier action of
the same run removed a property of that name from the same object: then it goes back to the removed one's place.
Overlay 1.0 cannot change a node's type in place (an update merges into the node, so a ``$ref`` that refuses a
number stays), so ``cpay-emulator spec suggest`` replaces such a node with a ``remove`` and an ``update``; kept
in place, the property keeps its position, and a generated model its argument order.

An overlay that fails anywhere changes nothing: ``apply_overlay`` raises ``OverlayError`` on the first action
that cannot be applied, and the caller writes nothing (``cpay-emulator spec apply`` works on the loaded copy).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence
from pathlib import Path
from typing import Any

import attrs
import jsonpath_rfc9535
import jsonschema_rs
import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import LiteralScalarString

__all__ = [
    "OVERLAY_SCHEMA_PATH",
    "ActionResult",
    "OverlayError",
    "apply_overlay",
    "dump_round_trip",
    "jsonpath_of",
    "load_overlay",
    "load_round_trip",
    "overlay_problems",
]

OVERLAY_SCHEMA_PATH = Path(__file__).with_name("overlay-1.0.schema.yaml")
"""The Overlay 1.0.x JSON Schema, vendored unchanged from the specification's repository (see its header)."""

Location = tuple[str | int, ...]


class OverlayError(ValueError):
    """An overlay that cannot be applied: not an Overlay 1.0 document, a bad target, or an update that does not fit."""


@attrs.frozen
class ActionResult:
    """What one action did: how many nodes its ``target`` selected (0: it changed nothing)."""

    number: int
    """The action's place in ``actions``, from 1."""
    target: str
    removed: bool
    selected: int
    present: int = 0
    """Of the nodes selected, those the update left alone because they hold all of it already (see the module)."""


@functools.cache
def _validator() -> jsonschema_rs.Validator:
    with open(OVERLAY_SCHEMA_PATH, encoding="utf-8") as stream:
        schema = yaml.safe_load(stream)
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def overlay_problems(document: Any) -> list[str]:
    """Where ``document`` breaks the Overlay 1.0 JSON Schema (``actions.2: "target" is a required property``)."""
    validator = _validator()
    if validator.is_valid(document):
        return []
    problems = []
    for error in validator.iter_errors(document):
        place = ".".join(str(part) for part in error.instance_path) or "the document"
        problems.append(f"{place}: {error.message}")
    return problems


def load_overlay(path: str | Path) -> dict[str, Any]:
    """Read an overlay (YAML or JSON) and check it; ``OverlayError`` listing every problem, or naming the file."""
    try:
        with open(path, encoding="utf-8") as stream:
            document = yaml.safe_load(stream)
    except OSError as error:
        raise OverlayError(f"cannot read the overlay {path}: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        raise OverlayError(f"{path} is not YAML: {error}") from None
    problems = overlay_problems(document)
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise OverlayError(f"{path} is not an Overlay 1.0 document:\n{listed}")
    assert isinstance(document, dict)  # the schema says so
    return document


def _round_trip_yaml() -> YAML:
    """ruamel.yaml set to write ``openapi.yaml`` as it is written: 2-space maps, ``- `` items indented under their
    key, no line wrapping, quotes as found, and ``[{$ref: ...}]`` kept with its braces."""
    round_trip = YAML(typ="rt")
    round_trip.preserve_quotes = True
    round_trip.width = 1 << 16
    round_trip.indent(mapping=2, sequence=4, offset=2)
    round_trip.brace_single_entry_mapping_in_flow_sequence = True
    # A null an overlay adds is written `null`, as the spec writes its examples' nulls, not as an empty value.
    round_trip.representer.add_representer(type(None), _represent_null)
    return round_trip


def _represent_null(representer: Any, _: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def load_round_trip(text: str) -> CommentedMap:
    """An OpenAPI document as ruamel.yaml's round-trip loader reads it (comments and styles kept)."""
    document = _round_trip_yaml().load(text)
    if not isinstance(document, CommentedMap):
        raise OverlayError("the OpenAPI document is not a YAML mapping")
    return document


def dump_round_trip(document: CommentedMap) -> str:
    """The text of a document read by ``load_round_trip``: unchanged where it was not changed."""
    stream = io.StringIO()
    _round_trip_yaml().dump(document, stream)
    return stream.getvalue()


def jsonpath_of(location: Sequence[str | int]) -> str:
    """An RFC 9535 query selecting the node at ``location`` (keys and indexes from the root): names as
    ``.name`` where the shorthand allows (``$.components.schemas``), else ``['...']`` (``$.paths['/openapi/v1/x']``)."""
    parts = ["$"]
    for key in location:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif key and key.isascii() and (key[0].isalpha() or key[0] == "_") and key.replace("_", "a").isalnum():
            parts.append(f".{key}")
        else:
            escaped = key.replace("\\", "\\\\").replace("'", "\\'")
            parts.append(f"['{escaped}']")
    return "".join(parts)


class _Run:
    """One application of an overlay: where removed properties stood, so that one given back returns there."""

    def __init__(self) -> None:
        self.removed_at: dict[tuple[int, str], int] = {}

    def remove(self, parent: Any, key: str | int) -> None:
        if isinstance(parent, MutableMapping):
            if isinstance(parent, CommentedMap) and isinstance(key, str):
                self.removed_at[(id(parent), key)] = list(parent).index(key)
            del parent[key]
        elif isinstance(parent, MutableSequence) and isinstance(key, int):
            del parent[key]

    @staticmethod
    def contains(target: Any, update: Any) -> bool:
        """Whether merging ``update`` into ``target`` would add nothing new: every primitive equal, every object
        contained, every item of an array already in the target's array."""
        if isinstance(update, Mapping):
            return isinstance(target, Mapping) and all(
                name in target and _Run.contains(target[name], value) for name, value in update.items()
            )
        if isinstance(update, list):
            return isinstance(target, list) and all(
                any(_Run.contains(item, wanted) and _Run.contains(wanted, item) for item in target) for wanted in update
            )
        return _same_primitive(target, update)

    def merge(self, target: MutableMapping[Any, Any], update: Mapping[str, Any], where: str) -> None:
        for name, value in update.items():
            if name not in target:
                position = self.removed_at.pop((id(target), name), None)
                value = _prepared(value)
                if position is not None and isinstance(target, CommentedMap) and position <= len(target):
                    target.insert(position, name, value)
                else:
                    target[name] = value
                continue
            current = target[name]
            inside = f"{where}.{name}"
            if isinstance(current, MutableMapping) and isinstance(value, Mapping):
                self.merge(current, value, inside)
            elif isinstance(current, MutableSequence) and isinstance(value, list):
                current.extend(_prepared(value))
            elif _is_primitive(current) and _is_primitive(value):
                target[name] = value
            else:
                raise OverlayError(
                    f"{inside}: cannot merge {_kind(value)} into {_kind(current)} (an update replaces only a primitive "
                    "by a primitive, merges objects and concatenates arrays)"
                )


def _same_primitive(one: Any, other: Any) -> bool:
    """Equal as JSON values: ``"14"`` is not ``14``, ``true`` is not ``1``; a quoted YAML string is a string."""
    if isinstance(one, bool) or isinstance(other, bool):
        return isinstance(one, bool) and isinstance(other, bool) and one == other
    if isinstance(one, str) or isinstance(other, str):
        return isinstance(one, str) and isinstance(other, str) and str(one) == str(other)
    if one is None or other is None:
        return one is None and other is None
    return bool(one == other)


def _prepared(value: Any) -> Any:
    """A copy of an update's value to insert: a text of several lines is written as a ``|`` block, as the spec's
    descriptions are."""
    if isinstance(value, Mapping):
        return {name: _prepared(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_prepared(item) for item in value]
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    return value


def _is_primitive(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "a primitive"


def _node_at(document: Any, location: Location) -> Any:
    node = document
    for key in location:
        node = node[key]
    return node


def apply_overlay(document: MutableMapping[str, Any], overlay: Mapping[str, Any]) -> list[ActionResult]:
    """Apply a checked overlay's actions to ``document`` (changed in place), in order; what each did.

    Raises ``OverlayError`` naming the action (from 1) whose target is not RFC 9535 JSONPath, selects a
    primitive, or whose update does not fit what it selects. ``document`` may be half-changed then: apply to a
    copy (``load_round_trip`` of the text) and write only on success.
    """
    run = _Run()
    results = []
    for number, action in enumerate(overlay.get("actions", []), start=1):
        target = action["target"]
        try:
            nodes = jsonpath_rfc9535.find(target, document)  # type: ignore[arg-type]  # a ruamel map is a dict
        except jsonpath_rfc9535.JSONPathError as error:
            raise OverlayError(f"action {number}: the target {target!r} is not RFC 9535 JSONPath: {error}") from None
        locations: list[Location] = [tuple(node.location) for node in nodes]
        removed = action.get("remove") is True
        skipped = 0
        for location, node in zip(locations, nodes, strict=True):
            if not removed and "update" in action and not isinstance(node.value, (Mapping, list)):
                raise OverlayError(
                    f"action {number}: {target} selects {jsonpath_of(location)}, a primitive: Overlay 1.0 updates "
                    "objects and arrays (select the object that holds it)"
                )
        if removed:
            # Deepest and last first, so that removing one node moves no index of another still to be removed.
            for location in sorted(locations, key=_removal_order, reverse=True):
                if not location:
                    raise OverlayError(f"action {number}: the root of the document cannot be removed")
                run.remove(_node_at(document, location[:-1]), location[-1])
        elif "update" in action:
            update = action["update"]
            for location, node in zip(locations, nodes, strict=True):
                if isinstance(node.value, MutableMapping) and not isinstance(update, Mapping):
                    raise OverlayError(
                        f"action {number}: {jsonpath_of(location)} is an object, so its update must be an object"
                    )
                value: Any = node.value
                present = (
                    _Run.contains(value, update)
                    if isinstance(value, Mapping)
                    else any(_Run.contains(item, update) and _Run.contains(update, item) for item in value)
                )
                if present:
                    skipped += 1
                elif isinstance(node.value, MutableMapping):
                    run.merge(node.value, update, jsonpath_of(location))
                elif isinstance(node.value, MutableSequence):
                    node.value.append(_prepared(update))
        results.append(
            ActionResult(number=number, target=target, removed=removed, selected=len(locations), present=skipped)
        )
    return results


def _removal_order(location: Location) -> tuple[tuple[int, Any], ...]:
    return tuple((0, key) if isinstance(key, int) else (1, key) for key in location)
