"""``$ref`` in an OpenAPI document: the repository's one resolver, over ``referencing``.

Everything that reads ``openapi.yaml`` or ``control-openapi.yaml`` and meets a ``$ref`` comes here: the
emulator's validators and stateless answers, the control API, the change report (``generator/spec_changes``),
the conformance rules and the tests that read the spec as data. Three ways of reading, for three kinds of reader:

* ``References.resolve(node)``: one node with its chain of ``$ref`` followed (a parameter, a response, a link);
* ``References.follow(node, seen)``: the same, for a walker of a schema that may refer to itself: a reference
  already in ``seen`` is not followed again, and the references followed are returned with the node;
* ``References.inline(node)``: the node with every ``$ref`` under it replaced, for a validator that needs one
  self-contained schema (jsonschema-rs is given no registry). A recursive schema cannot be inlined: it raises.

Keys beside a ``$ref`` are kept. ``inline`` keeps them as JSON Schema 2020-12 reads them, both apply
(``{"allOf": [target], ...siblings}``); ``resolve`` and ``follow`` lay them over the target, as OpenAPI 3.1 reads
a Reference Object's ``summary`` and ``description``. Neither spec has such keys today.

The references are resolved by ``referencing`` (python-jsonschema's referencing library, which that validator
itself resolves with): JSON Pointer unescaping (``~0``, ``~1``), percent-decoded fragments, array indexes,
and a precise error for a pointer to nowhere. The document is registered as one JSON Schema 2020-12 resource
at the empty URI, so ``#/...`` resolves inside it (against the document's root: an ``$id`` inside it would not
move the base, and neither spec has one); a reference to another file or URL is refused
(``UnresolvableReferenceError``), as nothing here may fetch. Walking the tree to replace references stays here:
jsonref's ``replace_refs`` either drops the keys beside a ``$ref`` or merges them over the target, which is
not 2020-12's reading, and gives lazy proxies that jsonschema-rs cannot take.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

__all__ = ["REF", "RecursiveReferenceError", "References", "UnresolvableReferenceError", "inline_refs"]

REF = "$ref"
_DOCUMENT_URI = ""


class UnresolvableReferenceError(ValueError):
    """A ``$ref`` that names nothing in the document (or another document); ``reference`` is its text."""

    def __init__(self, reference: str, reason: str) -> None:
        super().__init__(f"cannot resolve $ref {reference!r}: {reason}")
        self.reference = reference


class RecursiveReferenceError(UnresolvableReferenceError):
    """A ``$ref`` reached again inside its own target: the schema cannot be written out without references."""


class References:
    """The references of one document (read-only: the document is not copied, so do not change it meanwhile)."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        registry: Registry[Any] = Registry().with_resource(_DOCUMENT_URI, DRAFT202012.create_resource(document))
        self._resolver = registry.resolver(base_uri=_DOCUMENT_URI)
        self._targets: dict[str, Any] = {}

    def target(self, reference: str) -> Any:
        """What ``reference`` points at (the document's own object, not a copy).

        Each reference is looked up once per ``References`` (the emulator inlines the same components into
        every operation at start-up: remembered, the lookups cost it nothing measurable).
        """
        if reference in self._targets:
            return self._targets[reference]
        if not reference.startswith("#"):
            raise UnresolvableReferenceError(reference, "only references inside the document are resolved")
        try:
            contents = self._resolver.lookup(reference).contents
        except Unresolvable as error:
            reason = f"the document has nothing there ({type(error).__name__})"
            raise UnresolvableReferenceError(reference, reason) from None
        self._targets[reference] = contents
        return contents

    def resolve(self, node: Any) -> Any:
        """``node`` with its chain of ``$ref`` followed (the keys beside each laid over its target); else ``node``."""
        return self.follow(node)[0]

    def follow(self, node: Any, seen: frozenset[str] = frozenset()) -> tuple[Any, frozenset[str]]:
        """``resolve``, for a walker of recursive schemas: ``(node, seen and the references followed)``.

        A reference already in ``seen`` is not followed: the node is returned without it (its other keys).
        """
        while isinstance(node, Mapping) and REF in node:
            reference = str(node[REF])
            siblings = {key: value for key, value in node.items() if key != REF}
            if reference in seen:
                return siblings, seen
            seen = seen | {reference}
            target = self.target(reference)
            node = {**target, **siblings} if isinstance(target, Mapping) and siblings else target
        return node, seen

    def inline(self, node: Any) -> Any:
        """A copy of ``node`` with every ``$ref`` replaced by its target (its siblings kept beside it, in ``allOf``).

        Raises ``RecursiveReferenceError`` for a schema that refers to itself, ``UnresolvableReferenceError`` for a
        reference to nothing. The copy shares no list or dict with the document: callers may change it.
        """
        return self._inline(node, ())

    def _inline(self, node: Any, active: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [self._inline(item, active) for item in node]
        if not isinstance(node, Mapping):
            return node
        if REF not in node:
            return {key: self._inline(value, active) for key, value in node.items()}
        reference = str(node[REF])
        if reference in active:
            raise RecursiveReferenceError(reference, "the schema refers to itself, so it cannot be inlined")
        target = self._inline(self.target(reference), (*active, reference))
        siblings = {key: self._inline(value, active) for key, value in node.items() if key != REF}
        return {"allOf": [target], **siblings} if siblings else target


def inline_refs(document: Mapping[str, Any], node: Any) -> Any:
    """``References(document).inline(node)``: for a caller that inlines one node of a document."""
    return References(document).inline(node)
