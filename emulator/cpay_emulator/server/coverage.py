"""What of ``openapi.yaml`` the emulator models, and the answers to the operations it does not.

An operation without a handler in ``server.api.HANDLERS`` (C-Pay added it; nobody has written its emulation yet) is
served statelessly, as Prism or stripe-mock would serve it: its request is read, its sign checked and its
parameters validated like any other (``server.api.OperationEndpoint``), and its answer is fixed at start-up: the
``data`` of the spec's first success example (code 0), or else a value generated from the response schema
(``server.samples``). Either is checked against the operation's whole response schema, JSON-in-a-string content
included, before it is ever sent; when neither fits, the operation answers code 1 with the reason.

For the operations it models, the emulator fills the fields that ``backends.views.ANSWER_FIELDS`` lists. A field the
spec declares in ``data`` (in each entry, for a list) that is not listed there is never filled: typically an
optional field C-Pay added to a response.

``SpecCoverage`` holds both lists, and counts the stateless answers given. They are logged at start-up, shown by
the control API's health (``GET /_emulator/health``) and printed by ``make conformance``, which fails on them
with ``STRICT=1``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

import attrs

from cpay_emulator.backends.model import NotModeledOperation, UnfilledField
from cpay_emulator.server.samples import UnsatisfiableSchemaError, sample_value, schema_errors
from cpay_emulator.shared.spec import spec_operations, success_content

__all__ = [
    "SpecCoverage",
    "StatelessAnswer",
    "SuccessResponse",
    "stateless_answer",
    "success_responses",
    "unfilled_fields",
]

EXAMPLE = "example"
GENERATED = "generated"
NONE = "none"
SAMPLE_TRACEID = "221117074719X9921729"
"""A trace id of the emulator's shape, to check a whole envelope against the response schema."""

logger = logging.getLogger("cpay_emulator")


@attrs.frozen
class StatelessAnswer:
    """The fixed ``data`` an operation the emulator does not model answers with, and how it was chosen.

    ``skipped_examples`` says why examples of the spec were not used (each breaks the response schema).
    """

    operation: NotModeledOperation
    data: Any
    skipped_examples: tuple[str, ...] = ()


# -- what each operation answers: its success schema and examples ------------------------------------------------


@attrs.frozen
class SuccessResponse:
    """The JSON answer one operation documents for success: its schema and examples, ``$ref``s inlined.

    ``schema`` is ``None`` when the operation documents no JSON answer for 200 (or another 2xx, or
    ``default``); ``examples`` are the bodies of its ``examples`` (``value``) and ``example``, in order.
    """

    operation_id: str
    method: str
    path: str
    schema: Mapping[str, Any] | None
    examples: tuple[Any, ...]


def success_responses(document: Mapping[str, Any]) -> dict[str, SuccessResponse]:
    """The success answer of every operation of the spec by ``operationId`` (as ``shared.spec`` names them)."""
    answers: dict[str, SuccessResponse] = {}
    for operation_id, method, path, operation in spec_operations(document):
        media = success_content(operation)
        examples: list[Any] = []
        if media is not None:
            examples.extend(
                example["value"]
                for example in media.get("examples", {}).values()
                if isinstance(example, Mapping) and "value" in example
            )
            if "example" in media:
                examples.append(media["example"])
        schema = media.get("schema") if media is not None else None
        answers[operation_id] = SuccessResponse(
            operation_id=operation_id,
            method=method,
            path=path,
            schema=schema if isinstance(schema, Mapping) else None,
            examples=tuple(examples),
        )
    return answers


def _envelope_errors(schema: Mapping[str, Any], data: Any) -> list[str]:
    """Why ``data`` cannot be answered: its own errors first (precise), then the whole envelope's."""
    data_schema = _data_schema(schema)
    errors = [] if data_schema is None else schema_errors(_not_null(data_schema), data, "data")
    envelope = {"code": 0, "msg": "success", "data": data, "traceid": SAMPLE_TRACEID}
    return errors or schema_errors(schema, envelope)


def _data_schema(envelope: Mapping[str, Any]) -> Any | None:
    """The schema of the envelope's ``data`` (searching ``allOf`` parts), or None if it declares none."""
    data = envelope.get("properties", {}).get("data")
    if data is not None:
        return data
    for part in envelope.get("allOf", ()):
        if isinstance(part, Mapping) and (found := _data_schema(part)) is not None:
            return found
    return None


def _not_null(schema: Any) -> Any:
    """``data``'s schema without its ``null`` branches: a success answers data (null is for errors).

    A single branch left replaces the ``anyOf``, so that an error names the field (not "no branch matches").
    """
    if not isinstance(schema, Mapping):
        return schema
    for key in ("anyOf", "oneOf"):
        branches = schema.get(key)
        if not isinstance(branches, list):
            continue
        kept = [branch for branch in branches if not _is_null_type(branch)]
        rest = {name: value for name, value in schema.items() if name != key}
        if len(kept) == 1:
            return kept[0] if not rest else {**rest, "allOf": [kept[0]]}
        return {**rest, key: kept or branches}
    return schema


def _is_null_type(schema: Any) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "null"


def stateless_answer(response: SuccessResponse) -> StatelessAnswer:
    """The answer of an operation the emulator does not model: the spec's example, else a generated value."""

    def answered(answer: str, data: Any, problem: str = "") -> StatelessAnswer:
        operation = NotModeledOperation(response.operation_id, response.method, response.path, answer, problem)
        return StatelessAnswer(operation, data, tuple(skipped))

    schema: Mapping[str, Any] = response.schema if response.schema is not None else {}
    skipped: list[str] = []
    for index, example in enumerate(response.examples):
        if not isinstance(example, Mapping) or example.get("code", 0) != 0 or "data" not in example:
            continue  # an error answer: not what a successful request gets
        errors = _envelope_errors(schema, example["data"])
        if not errors:
            return answered(EXAMPLE, example["data"])
        skipped.append(f"example {index + 1} breaks the response schema: {errors[0]}")
    data_schema = _data_schema(schema)
    try:
        data = None if data_schema is None else sample_value(_not_null(data_schema), "data")
    except UnsatisfiableSchemaError as error:
        return answered(NONE, None, f"no value fits the response schema: {error}")
    errors = _envelope_errors(schema, data)
    if errors:  # data fits its own schema but the envelope around it does not (a required field besides data...)
        return answered(NONE, None, f"the envelope breaks the response schema: {errors[0]}")
    return answered(GENERATED, data)


def _declared_fields(schema: Any, place: str) -> Iterator[tuple[str, str]]:
    """``(place, name)`` of each field the schema of ``data`` declares; a list's entries are at ``place[]``."""
    if not isinstance(schema, Mapping):
        return
    for name in schema.get("properties", {}):
        yield place, name
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, ()):
            yield from _declared_fields(part, place)
    if isinstance(schema.get("items"), Mapping):
        yield from _declared_fields(schema["items"], f"{place}[]")


def unfilled_fields(
    responses: Mapping[str, SuccessResponse], answer_fields: Mapping[str, Sequence[str]]
) -> tuple[UnfilledField, ...]:
    """The fields of ``data`` the spec declares for each operation of ``answer_fields`` and its list lacks."""
    found: list[UnfilledField] = []
    for operation_id, filled in answer_fields.items():
        response = responses.get(operation_id)
        if response is None or response.schema is None:
            continue
        seen: set[str] = set()
        for place, name in _declared_fields(_data_schema(response.schema), "data"):
            field = f"{place}.{name}"
            if name not in filled and field not in seen:
                seen.add(field)
                found.append(UnfilledField(operation_id, field))
    return tuple(found)


@attrs.define
class SpecCoverage:
    """The operations answered from the spec (``stateless``, by ``operationId``), the fields never filled, and
    ``answered``: how many stateless answers each operation has given since start-up."""

    stateless: Mapping[str, StatelessAnswer]
    unfilled: tuple[UnfilledField, ...]
    answered: Counter[str] = attrs.Factory(Counter)

    @classmethod
    def of(
        cls, document: Mapping[str, Any], handled: Collection[str], answer_fields: Mapping[str, Sequence[str]]
    ) -> SpecCoverage:
        """The coverage of ``document`` by the handlers ``handled``, whose answers show ``answer_fields``."""
        responses = success_responses(document)
        stateless = {
            operation_id: stateless_answer(response)
            for operation_id, response in responses.items()
            if operation_id not in handled
        }
        modeled = {operation_id: fields for operation_id, fields in answer_fields.items() if operation_id in handled}
        return cls(stateless, unfilled_fields(responses, modeled))

    @property
    def not_modeled(self) -> tuple[NotModeledOperation, ...]:
        return tuple(answer.operation for answer in self.stateless.values())

    def log(self) -> None:
        """Say at start-up what the emulator answers from the spec, cannot answer, and never fills."""
        for answer in self.stateless.values():
            operation = answer.operation
            for reason in answer.skipped_examples:
                logger.warning("%s: the spec's %s; not used", operation.operation_id, reason)
            if operation.answer == NONE:
                logger.error(
                    "%s (%s %s) is not modeled and cannot be answered from openapi.yaml (it answers code 1): %s",
                    operation.operation_id,
                    operation.method,
                    operation.path,
                    operation.problem,
                )
        answered = [operation for operation in self.not_modeled if operation.answer != NONE]
        if answered:
            logger.warning(
                "not modeled by the emulator, answered from openapi.yaml without state: %s",
                ", ".join(
                    f"{operation.operation_id} ({operation.method} {operation.path}, {_how(operation.answer)})"
                    for operation in answered
                ),
            )
        if self.unfilled:
            logger.warning(
                "response fields of openapi.yaml the emulator never fills: %s",
                ", ".join(f"{field.operation_id} {field.field}" for field in self.unfilled),
            )


def _how(answer: str) -> str:
    return "the spec's example" if answer == EXAMPLE else "a value generated from the response schema"
