"""What of ``openapi.yaml`` the emulator under test does not model, read from its health, for ``make conformance``.

The emulator answers an operation it has no handler for from the spec (its example, or a value generated from
the response schema) and says so in ``GET /_emulator/health``: ``notModeled`` (with how many such answers it
gave) and ``unfilledFields`` (response fields the spec declares that its answers never fill). The runner prints
both before and after Schemathesis runs; with ``--strict`` (``make conformance STRICT=1``) either one fails the
run, so a spec change cannot pass CI for good on answers the emulator does not compute.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import httpx

from cpay_emulator.backends.model import NotModeledOperation, UnfilledField
from cpay_emulator.testing.control_client import ControlClient, ControlError, EmulatorHealth

__all__ = ["EmulatorCoverage", "fetch_coverage"]

_HOW = {"example": "the spec's example", "generated": "a value generated from the response schema"}


@attrs.frozen
class EmulatorCoverage:
    """The emulator's ``notModeled`` operations (with how many stateless answers each gave) and
    ``unfilledFields``, as ``ControlClient.health()`` reads them."""

    not_modeled: tuple[NotModeledOperation, ...]
    answered: Mapping[str, int] = attrs.field(hash=False)
    unfilled: tuple[UnfilledField, ...]

    @classmethod
    def from_health(cls, health: EmulatorHealth) -> EmulatorCoverage:
        """The coverage part of the emulator's health."""
        return cls(health.not_modeled, health.answered, health.unfilled)

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
                served = f", {_count(self.answered.get(operation.operation_id, 0), 'answer')}" if counts else ""
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
    with httpx.Client(base_url=base_url, timeout=timeout) as http:
        try:
            return EmulatorCoverage.from_health(ControlClient(http).health())
        except ControlError as error:
            raise ValueError(str(error)) from None
