"""The validating proxy: an HTTP surface that forwards every request to a C-Pay deployment and judges the exchange.

``ProxyApp`` is an ASGI app (run by ``cpay-emulator proxy``, or called in-process through
``httpx.ASGITransport``). For each request it reads the body (``shared.wire``), sends the request to the upstream
unchanged through its ``Forwarder`` (``forwarding``: aiohttp's client for an ``http://`` or ``https://`` upstream,
an ``httpx.AsyncClient`` for an in-process one): the same method, path, query string bytes, body bytes and
end-to-end headers (hop-by-hop headers such as ``Connection`` and ``Transfer-Encoding`` are the two connections'
own, and ``Host`` names the upstream: ``proxy.relay``). It answers with
the upstream's status, end-to-end headers and body bytes unchanged (compressed bodies stay compressed), without
any header of its own ``x-cpay-`` namespace, adding only ``x-cpay-exchange`` (the exchange's number) and
``x-cpay-violations`` (a JSON list, ``proxy.violations.header_value``). An answer it cannot relay honestly (a status
a server cannot send, a coding it cannot undo: ``proxy.relay.refusal``) is a 502 of its own. A request that did not
arrive whole is not forwarded at all, and is recorded as aborted.

The checks (``proxy.inspection``) run on the request while it is on its way (they never change it: see
``_WhileSent``) and on the answer before it is returned; each exchange is counted in the ``ViolationLog``
(``GET /_proxy/violations``) before its answer is sent, and logged in one line and recorded with ``--record``
(``proxy.recording``) after it, at a moment the proxy would otherwise spend waiting (see ``_after_answer``). The
Markdown and JUnit reports are written when the app shuts down.

The proxy's own failures are its own answers, never the upstream's and never a traceback: an upstream that
refuses the connection or cannot be reached is 502, one that does not answer in time 504, each with a JSON
body saying why, and a log line. A check that fails unexpectedly is logged and the traffic still flows. No
text it writes (log line, recording, violation, report) carries a secret key, a ``sign`` or a card number
(``shared.redaction``).
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

import attrs
import httpx
import orjson
from starlette.types import Receive, Scope, Send

from cpay_emulator.proxy.forwarding import Answer, Forwarder
from cpay_emulator.proxy.inspection import Inspector, Problem, RequestFindings, ResponseFindings, SignStatus
from cpay_emulator.proxy.notifications import NotificationFindings, WebhookInspector
from cpay_emulator.proxy.recording import Recorder
from cpay_emulator.proxy.relay import answer_headers, header, refusal, request_headers
from cpay_emulator.proxy.reports import RunSummary, exchange_line, notification_line, write_reports
from cpay_emulator.proxy.violations import HEADER_LIMIT, REQUEST, Violation, ViolationLog, header_value, printable
from cpay_emulator.shared.errors import MalformedRequest
from cpay_emulator.shared.redaction import Redactor
from cpay_emulator.shared.wire import IncompleteBody, form_body, read_body, send_json

__all__ = ["PROXY_PREFIX", "ProxyApp", "WebhookRoute"]

logger = logging.getLogger("cpay_emulator.proxy")

PROXY_PREFIX = "/_proxy/"
"""The proxy's own endpoints; every other path is forwarded."""
_MAX_BODY = 16 * 1024 * 1024
_NO_BODY_STATUSES = (204, 304)  # no body, and no Content-Length a server would hold the (empty) body to
_MAX_NOTIFICATION = 1024 * 1024  # a notification is under 1 KiB; parse_webhook refuses one over 64 KiB
AFTER_IDLE = 0.002
"""Seconds after an answer within which its log line and recording are written even if no next exchange comes."""


@attrs.frozen
class WebhookRoute:
    """The merchant's webhook endpoint the proxy stands in front of (``--webhook-upstream``).

    A request to ``path`` on the proxy is a notification: judged by ``inspector`` and forwarded by ``forwarder``
    to ``upstream`` (the endpoint's URL, whose path is ``path``), unchanged.
    """

    upstream: str
    path: str
    inspector: WebhookInspector
    forwarder: Forwarder = attrs.field(repr=False)

    @classmethod
    def of(cls, upstream: str, inspector: WebhookInspector, forwarder: Forwarder) -> WebhookRoute:
        return cls(upstream=upstream, path=urlsplit(upstream).path or "/", inspector=inspector, forwarder=forwarder)


class _Failed(NamedTuple):
    """The upstream was not heard, or said what cannot be relayed: the proxy's own answer, with this status."""

    status: int
    reason: str


class _WhileSent:
    """A request's check, run while the request is on its way to the upstream, or when its findings are wanted.

    The proxy forwards a request unchanged whatever its check finds, so the check need not hold the request up:
    the forwarder calls ``run`` once it has written the request (``Forwarder.forward``'s ``sent``), and the check
    takes the time the proxy would spend waiting for the answer (timed inside the proxy on a loaded VM, the check
    took 77 us of an exchange's request side of 250 us). Not before: a check that delayed the write would leave a
    kept-alive connection open to the upstream's closing it meanwhile (the close race of
    ``test_proxy_hostile_upstreams``). ``findings`` runs it at once if its turn has not come (a failed exchange, or
    an upstream in-process that answers without the event loop turning).
    """

    __slots__ = ("_check", "_findings")

    def __init__(self, check: Callable[[], RequestFindings]) -> None:
        self._check = check
        self._findings: RequestFindings | None = None

    def run(self) -> None:
        if self._findings is None:
            self._findings = self._check()

    def findings(self) -> RequestFindings:
        self.run()
        assert self._findings is not None
        return self._findings


class ProxyApp:
    """The proxy as an ASGI app. ``log`` holds the violations; ``aclose`` ends it (and writes the reports)."""

    def __init__(
        self,
        *,
        upstream: str,
        inspector: Inspector,
        redactor: Redactor,
        forwarder: Forwarder,
        recorder: Recorder | None = None,
        report_dir: Path | None = None,
        summary: RunSummary,
        log: ViolationLog | None = None,
        header_limit: int = HEADER_LIMIT,
        webhook: WebhookRoute | None = None,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.webhook = webhook
        self.inspector = inspector
        self.redactor = redactor
        self.forwarder = forwarder
        self.recorder = recorder
        self.report_dir = report_dir
        self.summary = summary
        self.log = log or ViolationLog()
        self.header_limit = header_limit
        self._base_path = urlsplit(self.upstream).path.rstrip("/").encode("ascii")
        self._numbers = itertools.count(1)
        self._closed = False
        self._after: collections.deque[Callable[[], None]] = collections.deque()
        self._after_timer: asyncio.TimerHandle | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if scope["path"].startswith(PROXY_PREFIX):
                await self._own(scope, send)
            elif self.webhook is not None and scope["path"] == self.webhook.path:
                await self._notification(self.webhook, scope, receive, send)
            else:
                await self._exchange(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def aclose(self) -> None:
        """Close the upstream connections and the recording, and write the reports (once)."""
        if self._closed:
            return
        self._closed = True
        self._run_after()  # the log lines and recordings of the last answers, if their turn has not come yet
        await self.forwarder.aclose()
        if self.webhook is not None:
            await self.webhook.forwarder.aclose()
        if self.recorder is not None:
            self.recorder.close()
        if self.report_dir is not None:
            try:
                markdown, junit = self.write_reports(self.report_dir)
            except OSError as error:
                logger.error("cannot write the proxy's reports to %s: %s", self.report_dir, error)
            else:
                logger.warning("proxy reports: %s, %s", markdown, junit)

    def write_reports(self, directory: Path) -> tuple[Path, Path]:
        """Write ``proxy-report.md`` and ``proxy-junit.xml`` into ``directory`` now."""
        return write_reports(directory, self.log, self.summary)

    # -- the proxy's own endpoints -----------------------------------------------------------------------------

    async def _own(self, scope: Scope, send: Send) -> None:
        path = scope["path"]
        if scope["method"] != "GET":
            await send_json(send, orjson.dumps({"error": f"{scope['method']} is not allowed on {path}"}), 405)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if path == PROXY_PREFIX + "violations":
            try:
                exchange = int(query["exchange"][0]) if "exchange" in query else None
            except ValueError:
                await send_json(send, orjson.dumps({"error": "exchange must be an integer"}), 400)
                return
            found = self.log.latest(
                exchange=exchange,
                operation_id=query.get("operationId", [None])[0],
                direction=query.get("direction", [None])[0],
            )
            await send_json(send, orjson.dumps([violation.to_json() for violation in found]))
        elif path == PROXY_PREFIX + "summary":
            await send_json(send, orjson.dumps({"upstream": self.upstream, **self.log.summary()}))
        else:
            message = f"{path} is not an endpoint of the proxy (GET /_proxy/violations, GET /_proxy/summary)"
            await send_json(send, orjson.dumps({"error": message}), 404)

    # -- one exchange ---------------------------------------------------------------------------------------------

    async def _exchange(self, scope: Scope, receive: Receive, send: Send) -> None:
        number = next(self._numbers)
        started = time.perf_counter()
        method: str = scope["method"]
        path: str = scope["path"]
        query: bytes = scope.get("query_string", b"")
        try:
            body = await read_body(scope, receive, limit=_MAX_BODY)
        except IncompleteBody as error:  # half a request is never forwarded: the upstream would act on it
            await self._aborted(send, number, method, path, error, started)
            return
        except MalformedRequest as error:
            await self._own_failure(send, number, method, path, 413, error.msg, started)
            return
        forwarded = request_headers(scope["headers"])
        check = _WhileSent(lambda: self._inspect_request(method, path, query, body, scope))

        def sent() -> None:  # the request is written: its check, then the earlier exchanges' log lines
            check.run()
            self._run_after()

        relayed = await self._relay(
            self.forwarder, self.upstream, number, method, self._target(scope, query), forwarded, body, sent
        )
        findings = check.findings()
        if isinstance(relayed, _Failed):
            await self._own_failure(
                send, number, method, path, relayed.status, relayed.reason, started, findings, forwarded
            )
            return
        status, headers, content = relayed
        answer = self._inspect_response(findings, status, headers, content)
        clean = self.redactor.clean
        sign, values = findings.sign_value, findings.sensitive_values
        violations = [
            Violation(
                number,
                findings.operation_id,
                method,
                clean(path, sign, values),
                direction,
                clean(field, sign, values),
                clean(message, sign, values),
                answer.traceid,
            )
            for direction, field, message in (*findings.problems, *answer.problems)
        ]
        await self._answer(send, number, method, status, headers, content, violations)
        duration_ms = (time.perf_counter() - started) * 1000
        self._account(number, method, path, findings, violations)

        def log_and_record() -> None:
            line = exchange_line(number, method, path, findings, status, answer, duration_ms, violations)
            logger.log(logging.WARNING if violations else logging.INFO, "%s", clean(line, sign, values))
            if self.recorder is not None:
                self.recorder.record(
                    exchange=number,
                    method=method,
                    path=path,
                    request=findings,
                    status=status,
                    response=answer,
                    response_text=None if answer.body is not None else content.decode("utf-8", "replace"),
                    violations=violations,
                    duration_ms=duration_ms,
                    request_headers=forwarded,
                    response_headers=headers,
                )

        self._after_answer(log_and_record)

    async def _relay(
        self,
        forwarder: Forwarder,
        upstream: str,
        number: int,
        method: str,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        sent: Callable[[], None],
    ) -> Answer | _Failed:
        """Forward one request (``sent``: what to do once it is written); the answer, or why the proxy must answer
        itself (502, 504)."""
        try:
            answer = await forwarder.forward(method, target, headers, body, sent)
        except httpx.TimeoutException as error:
            return _Failed(504, f"the upstream {upstream} did not answer in time ({type(error).__name__})")
        except httpx.HTTPError as error:
            return _Failed(502, f"the upstream {upstream} cannot be reached ({type(error).__name__}: {error})")
        except Exception as error:  # a transport's own failure (an in-process upstream that raised): still a 502
            logger.exception("forwarding exchange %d to %s failed", number, upstream)
            return _Failed(502, f"forwarding to the upstream {upstream} failed ({type(error).__name__})")
        refused = refusal(answer.status, answer.headers)
        return answer if refused is None else _Failed(502, refused)

    async def _answer(
        self,
        send: Send,
        number: int,
        method: str,
        status: int,
        headers: list[tuple[bytes, bytes]],
        content: bytes,
        violations: list[Violation],
    ) -> None:
        """Send the upstream's answer on: its status, end-to-end headers and body, and the proxy's two headers."""
        out = answer_headers(headers)
        if status in _NO_BODY_STATUSES:
            content = b""
        elif method == "HEAD" and header(headers, b"content-length"):
            out.append((b"content-length", header(headers, b"content-length").encode("latin-1")))
        else:
            out.append((b"content-length", b"%d" % len(content)))
        out.append((b"x-cpay-exchange", b"%d" % number))
        out.append((b"x-cpay-violations", header_value(violations, number, self.header_limit)))
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else content})

    # -- one webhook notification ---------------------------------------------------------------------------------

    async def _notification(self, webhook: WebhookRoute, scope: Scope, receive: Receive, send: Send) -> None:
        """C-Pay's notification to the merchant: judged, forwarded unchanged (a forged one too: the merchant's
        handler decides), the handler's reply judged and returned unchanged; counted, logged and recorded."""
        number = next(self._numbers)
        started = time.perf_counter()
        method: str = scope["method"]
        path: str = scope["path"]
        query: bytes = scope.get("query_string", b"")
        try:
            body = await read_body(scope, receive, limit=_MAX_NOTIFICATION)
        except IncompleteBody as error:
            await self._aborted(send, number, method, path, error, started)
            return
        except MalformedRequest as error:
            await self._own_failure(send, number, method, path, 413, error.msg, started)
            return
        notification = self._inspect_notification(webhook, header(scope["headers"], b"content-type"), body)
        if method != "POST":
            notification.problems.append((REQUEST, "method", f"{method}: C-Pay posts its notifications (section 15)"))
        forwarded = request_headers(scope["headers"])
        target = webhook.path.encode("utf-8") + (b"?" + query if query else b"")
        relayed = await self._relay(
            webhook.forwarder, webhook.upstream, number, method, target, forwarded, body, self._run_after
        )
        clean = self.redactor.clean
        sign = notification.sign_value
        if isinstance(relayed, _Failed):
            reason = clean(relayed.reason, sign)
            await self._own_failure(send, number, method, path, relayed.status, reason, started)
            if self.recorder is not None:
                self.recorder.record_notification(
                    exchange=number,
                    path=path,
                    notification=notification,
                    status=None,
                    reply=b"",
                    violations=[],
                    duration_ms=(time.perf_counter() - started) * 1000,
                    error=reason,
                    request_headers=forwarded,
                )
            return
        status, headers, content = relayed
        try:
            reply_problems = webhook.inspector.reply(status, header(headers, b"content-type"), content)
        except Exception:
            logger.exception("the proxy could not check the merchant's reply to exchange %d", number)
            reply_problems = []
        violations = [
            Violation(
                number,
                notification.webhook,
                method,
                clean(path, sign),
                direction,
                clean(field, sign),
                clean(message, sign),
                None,
            )
            for direction, field, message in (*notification.problems, *reply_problems)
        ]
        await self._answer(send, number, method, status, headers, content, violations)
        duration_ms = (time.perf_counter() - started) * 1000
        self.log.record_exchange(notification.webhook, violations)

        def log_and_record() -> None:
            line = notification_line(number, path, notification, status, content, duration_ms, violations)
            logger.log(logging.WARNING if violations else logging.INFO, "%s", clean(line, sign))
            if self.recorder is not None:
                self.recorder.record_notification(
                    exchange=number,
                    path=path,
                    notification=notification,
                    status=status,
                    reply=content,
                    violations=violations,
                    duration_ms=duration_ms,
                    request_headers=forwarded,
                    response_headers=headers,
                )

        self._after_answer(log_and_record)

    def _inspect_notification(self, webhook: WebhookRoute, content_type: str, body: bytes) -> NotificationFindings:
        try:
            return webhook.inspector.notification(content_type, body)
        except Exception:
            logger.exception("the proxy could not check a notification; forwarding it unchecked")
            return NotificationFindings(
                webhook=webhook.inspector.operation_id,
                body_format=None,
                fields={},
                merchant_id=None,
                sign=SignStatus.UNCHECKED,
                sign_value="",
            )

    def _after_answer(self, work: Callable[[], None]) -> None:
        """Run ``work`` (an exchange's log line and recording) after its answer has left, while the proxy waits.

        Not at once: the client's next request would wait for it. An application sends its next call as soon as it
        has the answer, and writing the log line (and the recording) takes as long as checking a request, so that
        time went on the next call's latency (35-57 us of the added p50 in ``bench/bench_proxy.py``). The waiting
        work runs instead when the proxy has nothing else to do: once the next exchange's request has been written
        to the upstream (the forwarder's ``sent``), while its answer is on its way, or after ``AFTER_IDLE`` seconds
        without a next exchange. Exchanges keep their order, and ``aclose`` runs whatever is still waiting.
        """
        self._after.append(work)
        if self._after_timer is None:
            self._after_timer = asyncio.get_running_loop().call_later(AFTER_IDLE, self._run_after)

    def _run_after(self) -> None:
        if self._after_timer is not None:
            self._after_timer.cancel()
            self._after_timer = None
        while self._after:  # else aclose (or an earlier call) ran it already
            work = self._after.popleft()
            try:
                work()
            except Exception:
                logger.exception("the proxy could not log or record an exchange")

    def _target(self, scope: Scope, query: bytes) -> bytes:
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
        target = self._base_path + raw_path + (b"?" + query if query else b"")
        if not target.isascii():  # raw bytes a URL cannot carry: escaped, as a client would have sent them
            target = b"".join(b"%%%02X" % byte if byte > 127 else bytes([byte]) for byte in target)
        return target

    def _inspect_request(self, method: str, path: str, query: bytes, body: bytes, scope: Scope) -> RequestFindings:
        try:
            problems: list[Problem] = []
            form: bytes | None = None
            if method == "POST":
                try:
                    form = form_body(scope, body)
                except MalformedRequest as error:
                    problems.append((REQUEST, "content-type", str(error)))
            findings = self.inspector.request(method, path, query, form)
            findings.problems[:0] = problems
            return findings
        except Exception:
            logger.exception("the proxy could not check the request %s %s; forwarding it unchecked", method, path)
            return RequestFindings.unchecked(None)

    def _inspect_response(
        self, findings: RequestFindings, status: int, headers: list[tuple[bytes, bytes]], content: bytes
    ) -> ResponseFindings:
        try:
            return self.inspector.response(
                findings,
                status,
                header(headers, b"content-type"),
                header(headers, b"content-encoding"),
                content,
            )
        except Exception:
            logger.exception(
                "the proxy could not check the answer to %s; returning it unchecked", findings.operation_id
            )
            return ResponseFindings(body=None, code=None, traceid=None, data_sign=None, problems=[])

    def _account(
        self, number: int, method: str, path: str, findings: RequestFindings, violations: list[Violation]
    ) -> None:
        self.log.record_exchange(findings.operation_id or f"{method} {path} (not in openapi.yaml)", violations)

    async def _aborted(
        self, send: Send, number: int, method: str, path: str, error: IncompleteBody, started: float
    ) -> None:
        """A request that did not arrive whole: not forwarded, logged, recorded as aborted; 400 if anyone listens."""
        self.log.aborted += 1
        if not error.disconnected:
            body = orjson.dumps({"error": f"cpay-emulator proxy: {error.msg}", "status": 400, "exchange": number})
            await send_json(send, body, 400, ((b"x-cpay-exchange", b"%d" % number),))
        duration_ms = (time.perf_counter() - started) * 1000
        reason = error.msg
        logger.warning(
            "exchange=%d %s %s aborted, not forwarded: %s %.1fms", number, method, printable(path), reason, duration_ms
        )
        if self.recorder is not None:
            findings = RequestFindings.unchecked(self.inspector.operation(method, path))
            self.recorder.record(
                exchange=number,
                method=method,
                path=path,
                request=findings,
                status=None,
                response=None,
                response_text=None,
                violations=[],
                duration_ms=duration_ms,
                error=error.msg,
                aborted=True,
            )

    async def _own_failure(
        self,
        send: Send,
        number: int,
        method: str,
        path: str,
        status: int,
        reason: str,
        started: float,
        findings: RequestFindings | None = None,
        forwarded: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        """Answer for the proxy itself (413, 502, 504): a JSON body with the reason, a log line, a recording."""
        self.log.proxy_errors += 1
        if findings is not None:
            reason = self.redactor.clean(reason, findings.sign_value, findings.sensitive_values)
        else:
            reason = self.redactor.clean(reason)
        body = orjson.dumps({"error": f"cpay-emulator proxy: {reason}", "status": status, "exchange": number})
        await send_json(send, body, status, ((b"x-cpay-exchange", b"%d" % number),))
        duration_ms = (time.perf_counter() - started) * 1000
        logger.error(
            "exchange=%d %s %s -> %d (the proxy's answer): %s %.1fms",
            number,
            method,
            printable(self.redactor.clean(path)),
            status,
            printable(reason),
            duration_ms,
        )
        if self.recorder is not None and findings is not None:
            self.recorder.record(
                exchange=number,
                method=method,
                path=path,
                request=findings,
                status=None,
                response=None,
                response_text=None,
                violations=[],
                duration_ms=duration_ms,
                error=reason,
                request_headers=forwarded or [],
            )
