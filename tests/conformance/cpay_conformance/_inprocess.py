"""The same suite in-process: Schemathesis's engine (all phases, stateful included) against an ASGI app.

``make conformance`` runs the CLI, whose output and reports are Schemathesis's own. Tests need the verdict as
data instead: ``run_in_process`` drives the engine the CLI drives and returns every failed check with the
reproduction Schemathesis would print for it.
"""

from __future__ import annotations

from typing import Any

import attrs
from schemathesis import BaseSchema
from schemathesis.engine import Status, events, from_schema

__all__ = ["Finding", "RunResult", "run_in_process"]


@attrs.frozen
class Finding:
    """One failed check: which, where, why, and the ``curl`` that reproduces it."""

    check: str
    operation: str | None
    title: str
    message: str
    reproduction: str

    def __str__(self) -> str:
        return f"{self.check} on {self.operation}: {self.title}\n{self.message}\n{self.reproduction}"


@attrs.frozen
class RunResult:
    """What an in-process run found."""

    findings: tuple[Finding, ...]
    errors: tuple[str, ...]
    scenarios: int

    @property
    def passed(self) -> bool:
        """No failed check and no error."""
        return not self.findings and not self.errors

    def checks_failed(self) -> set[str]:
        """Names of the checks that failed at least once."""
        return {finding.check for finding in self.findings}

    def report(self) -> str:
        """Every finding and error, for an assertion message."""
        return "\n\n".join([*map(str, self.findings), *self.errors]) or "no findings"


def run_in_process(schema: BaseSchema) -> RunResult:
    """Run every enabled phase of ``schema`` (see ``load_schema``) and collect the failed checks and errors."""
    findings: list[Finding] = []
    errors: list[str] = []
    scenarios = 0
    for event in from_schema(schema).execute():
        recorder: Any = None
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            recorder = event.recorder
            scenarios += 1
        elif isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.info.title}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            errors.append(f"fatal: {event.exception!r}")
        if recorder is None:
            continue
        for nodes in recorder.checks.values():
            for node in nodes:
                if node.status == Status.FAILURE and node.failure_info is not None:
                    failure = node.failure_info.failure
                    findings.append(
                        Finding(
                            check=node.name,
                            operation=failure.operation,
                            title=failure.title,
                            message=failure.message,
                            reproduction=node.failure_info.code_sample,
                        )
                    )
    return RunResult(findings=tuple(findings), errors=tuple(errors), scenarios=scenarios)
