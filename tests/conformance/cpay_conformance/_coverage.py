"""What of ``openapi.yaml`` the emulator under test does not model, read from its health, for ``make conformance``.

The emulator answers an operation it has no handler for from the spec (its example, or a value generated from
the response schema) and says so in ``GET /_emulator/health``: ``notModeled`` (with how many such answers it
gave) and ``unfilledFields`` (response fields the spec declares that its answers never fill). The runner prints
both before and after Schemathesis runs; with ``--strict`` (``make conformance STRICT=1``) either one fails the
run, so a spec change cannot pass CI for good on answers the emulator does not compute.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import httpx

__all__ = ["EmulatorCoverage", "NotModeled", "UnfilledField", "fetch_coverage"]

HEALTH_PATH = "/_emulator/health"
_HOW = {"example": "the spec's example", "generated": "a value generated from the response schema"}


@attrs.frozen
class NotModeled:
    """An operation the emulator answers from the spec (``answer``: example, generated or none)."""

    operation_id: str
    method: str
    path: str
    answer: str
    problem: str
    answered: int


@attrs.frozen
class UnfilledField:
    """A response field the spec declares and the emulator never fills (``data.x`` or ``data[].x``)."""

    operation_id: str
    field: str


def _text(entry: Mapping[str, Any], name: str) -> str:
    value = entry.get(name)
    return value if isinstance(value, str) else ""


@attrs.frozen
class EmulatorCoverage:
    """The emulator's ``notModeled`` operations and ``unfilledFields``, as its health lists them."""

    not_modeled: tuple[NotModeled, ...]
    unfilled: tuple[UnfilledField, ...]

    @classmethod
    def from_health(cls, data: Any) -> EmulatorCoverage:
        """Read the ``data`` of a health answer; raises ValueError if it has no coverage (an older emulator)."""
        if not isinstance(data, Mapping) or "notModeled" not in data or "unfilledFields" not in data:
            raise ValueError(f"its health ({HEALTH_PATH}) does not list notModeled and unfilledFields")
        not_modeled = tuple(
            NotModeled(
                operation_id=_text(entry, "operationId"),
                method=_text(entry, "method"),
                path=_text(entry, "path"),
                answer=_text(entry, "answer"),
                problem=_text(entry, "problem"),
                answered=entry["answered"] if isinstance(entry.get("answered"), int) else 0,
            )
            for entry in data["notModeled"]
            if isinstance(entry, Mapping)
        )
        unfilled = tuple(
            UnfilledField(_text(entry, "operationId"), _text(entry, "field"))
            for entry in data["unfilledFields"]
            if isinstance(entry, Mapping)
        )
        return cls(not_modeled, unfilled)

    @property
    def complete(self) -> bool:
        """The emulator models every operation and fills every response field of the spec."""
        return not self.not_modeled and not self.unfilled

    def describe(self, *, counts: bool) -> list[str]:
        """Lines for the console; ``counts``: say how many stateless answers each operation gave (after a run)."""
        if self.complete:
            return ["conformance: the emulator models every operation and response field of openapi.yaml"]
        lines = []
        if self.not_modeled:
            lines.append(
                f"conformance: {_count(len(self.not_modeled), 'operation')} of openapi.yaml not modeled by the "
                "emulator, served statelessly from the spec:"
            )
            for operation in self.not_modeled:
                how = _HOW.get(operation.answer, f"cannot be answered ({operation.problem})")
                served = f", {_count(operation.answered, 'answer')}" if counts else ""
                lines.append(f"  {operation.operation_id} ({operation.method} {operation.path}): {how}{served}")
        if self.unfilled:
            lines.append(
                f"conformance: {_count(len(self.unfilled), 'response field')} of openapi.yaml the emulator never fills:"
            )
            lines.extend(f"  {field.operation_id}: {field.field}" for field in self.unfilled)
        return lines

    def strict_failure(self) -> str | None:
        """Why ``--strict`` fails the run, or None when nothing is served statelessly or left unfilled."""
        if self.complete:
            return None
        parts = []
        if self.not_modeled:
            names = ", ".join(operation.operation_id for operation in self.not_modeled)
            parts.append(f"{_count(len(self.not_modeled), 'operation')} served statelessly ({names})")
        if self.unfilled:
            names = ", ".join(f"{field.operation_id} {field.field}" for field in self.unfilled)
            parts.append(f"{_count(len(self.unfilled), 'response field')} never filled ({names})")
        return (
            f"conformance: STRICT: failing: {' and '.join(parts)}. "
            "Model them in emulator/ (emulator/README.md, 'Where a new feature goes'), or run without STRICT=1."
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def fetch_coverage(base_url: str, *, timeout: float = 5.0) -> EmulatorCoverage:
    """The coverage of the emulator at ``base_url``; raises ValueError when its health cannot say."""
    url = base_url.rstrip("/") + HEALTH_PATH
    try:
        response = httpx.get(url, timeout=timeout)
        body = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise ValueError(f"cannot read {url}: {error}") from None
    if response.status_code != 200 or not isinstance(body, Mapping) or body.get("code") != 0:
        raise ValueError(f"{url} answered HTTP {response.status_code}, not the emulator's health")
    return EmulatorCoverage.from_health(body.get("data"))
