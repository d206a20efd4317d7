"""The proxy's reports: a log line per exchange (and per webhook notification), and on exit ``proxy-report.md``
(people), ``proxy-junit.xml`` (CI).

Both are built from the ``ViolationLog``'s tally (every violation counted by operation, direction and field,
with its first distinct messages), so their size depends on the spec, not on the traffic. In JUnit, each
operation that was called is a test case per direction, failed when its exchanges broke a rule; the failure
lists each field, how often, and example messages with a ``traceid`` to look the exchange up.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import attrs

from cpay_emulator.proxy.inspection import RequestFindings, ResponseFindings
from cpay_emulator.proxy.notifications import NotificationFindings
from cpay_emulator.proxy.violations import REQUEST, RESPONSE, FieldTally, Violation, ViolationLog, printable

__all__ = [
    "JUNIT_NAME",
    "MARKDOWN_NAME",
    "RunSummary",
    "exchange_line",
    "notification_line",
    "started_now",
    "write_reports",
]

MARKDOWN_NAME = "proxy-report.md"
JUNIT_NAME = "proxy-junit.xml"
_LOGGED_MESSAGE = 160


def started_now() -> datetime.datetime:
    """The time a run starts, for its reports."""
    return datetime.datetime.now(datetime.UTC)


def exchange_line(
    number: int,
    method: str,
    path: str,
    request: RequestFindings,
    status: int,
    response: ResponseFindings,
    duration_ms: float,
    violations: list[Violation],
) -> str:
    """The exchange's log line: who, what, the sign's status (never the sign), the answer, each violation in short."""
    line = (
        f"exchange={number} {method} {printable(path)} operation={request.operation_id or '-'} "
        f"merchant={request.merchant_id or '-'} sign={request.sign} status={status} "
        f"code={'-' if response.code is None else response.code} traceid={response.traceid or '-'} "
        f"{duration_ms:.1f}ms violations={len(violations)}"
    )
    if not violations:
        return line
    shown = "; ".join(
        f"{violation.direction} {printable(violation.field)}: {printable(violation.message[:_LOGGED_MESSAGE])}"
        for violation in violations
    )
    return f"{line} [{shown}]"


def notification_line(
    number: int,
    path: str,
    notification: NotificationFindings,
    status: int,
    reply: bytes,
    duration_ms: float,
    violations: list[Violation],
) -> str:
    """A webhook's log line: the merchant, the order, the sign's status (never the sign), the handler's reply."""
    shown_reply = printable(reply.decode("utf-8", "replace").strip()[:40])
    line = (
        f"exchange={number} webhook POST {printable(path)} operation={notification.webhook} "
        f"merchant={notification.merchant_id or '-'} order={notification.order_id or '-'} sign={notification.sign} "
        f"format={notification.body_format or '-'} status={status} reply={shown_reply!r} {duration_ms:.1f}ms "
        f"violations={len(violations)}"
    )
    if not violations:
        return line
    shown = "; ".join(
        f"{violation.direction} {printable(violation.field)}: {printable(violation.message[:_LOGGED_MESSAGE])}"
        for violation in violations
    )
    return f"{line} [{shown}]"


@attrs.frozen(kw_only=True)
class RunSummary:
    """What the reports say about the run besides the violations."""

    upstream: str
    spec: str
    codes: str
    started: datetime.datetime


def _by_operation(log: ViolationLog) -> dict[str, dict[str, dict[str, FieldTally]]]:
    grouped: dict[str, dict[str, dict[str, FieldTally]]] = {}
    for (operation, direction, field), tally in sorted(log.tally.items()):
        grouped.setdefault(operation, {}).setdefault(direction, {})[field] = tally
    return grouped


def _cell(text: str) -> str:
    return printable(text).replace("|", "\\|")


def markdown(log: ViolationLog, summary: RunSummary) -> str:
    """The Markdown report."""
    counts = log.counts_by_direction()
    lines = [
        "# cpay-emulator proxy: violations",
        "",
        f"- upstream: {summary.upstream}",
        f"- spec: {summary.spec}",
        f"- code book: {summary.codes}",
        f"- from {summary.started.isoformat(timespec='seconds')} to "
        f"{datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')}",
        f"- exchanges: {log.exchanges}, with violations: {log.exchanges_with_violations}; violations: {log.total} "
        f"({counts[REQUEST]} in requests, {counts[RESPONSE]} in responses)",
    ]
    if log.proxy_errors:
        lines.append(f"- answered by the proxy (upstream unreachable or too slow): {log.proxy_errors}")
    if log.aborted:
        lines.append(f"- requests that did not arrive whole, not forwarded (recorded as aborted): {log.aborted}")
    if log.dropped:
        lines.append(f"- {log.dropped} early violations are counted here but no longer listed by /_proxy/violations")
    grouped = _by_operation(log)
    lines += ["", "| operation | exchanges | request violations | response violations |", "| --- | --- | --- | --- |"]
    for operation, exchanges in sorted(log.operations.items()):
        directions = grouped.get(operation, {})
        request = sum(tally.count for tally in directions.get(REQUEST, {}).values())
        response = sum(tally.count for tally in directions.get(RESPONSE, {}).values())
        lines.append(f"| {_cell(operation)} | {exchanges} | {request} | {response} |")
    for operation, directions in grouped.items():
        lines += ["", f"## {_cell(operation)}", ""]
        for direction in (REQUEST, RESPONSE):
            for field, tally in directions.get(direction, {}).items():
                lines.append(f"- **{direction}** `{_cell(field)}`: {tally.count} time(s)")
                lines.extend(
                    f"  - {_cell(message)}" + (f" (traceid {traceid})" if traceid else "")
                    for message, traceid in tally.examples
                )
    if not grouped:
        lines += ["", "No violations."]
    return "\n".join(lines) + "\n"


def junit(log: ViolationLog, summary: RunSummary) -> bytes:
    """The JUnit XML report: one test case per operation and direction."""
    grouped = _by_operation(log)
    suite = ElementTree.Element(
        "testsuite",
        name="cpay-emulator proxy",
        timestamp=summary.started.isoformat(timespec="seconds"),
        hostname=summary.upstream,
    )
    cases = failures = 0
    for operation in sorted(log.operations):
        for direction in (REQUEST, RESPONSE):
            cases += 1
            case = ElementTree.SubElement(
                suite, "testcase", classname=printable(operation), name=f"{direction} conforms"
            )
            fields = grouped.get(operation, {}).get(direction, {})
            if not fields:
                continue
            failures += 1
            count = sum(tally.count for tally in fields.values())
            text = "\n".join(
                printable(f"{field} ({tally.count}x): ")
                + "; ".join(
                    printable(message) + (f" [traceid {traceid}]" if traceid else "")
                    for message, traceid in tally.examples
                )
                for field, tally in fields.items()
            )
            failure = ElementTree.SubElement(
                case, "failure", message=printable(f"{count} violation(s) in {', '.join(fields)}"), type="violation"
            )
            failure.text = text
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    suite.set("errors", "1" if log.proxy_errors else "0")
    if log.proxy_errors:
        error_case = ElementTree.SubElement(suite, "testcase", classname="proxy", name="upstream reachable")
        ElementTree.SubElement(
            error_case, "error", message=f"{log.proxy_errors} exchange(s) answered 502/504 by the proxy"
        )
        suite.set("tests", str(cases + 1))
    document: bytes = ElementTree.tostring(suite, encoding="utf-8", xml_declaration=True)
    return document


def write_reports(directory: Path, log: ViolationLog, summary: RunSummary) -> tuple[Path, Path]:
    """Write both reports into ``directory`` (created); return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    markdown_path = directory / MARKDOWN_NAME
    junit_path = directory / JUNIT_NAME
    markdown_path.write_text(markdown(log, summary), encoding="utf-8")
    junit_path.write_bytes(junit(log, summary))
    return markdown_path, junit_path
