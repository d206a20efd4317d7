"""What the validating proxy checks on each exchange, with the emulator's own validators and the toolkit's verifier.

The request: its path and method are an operation of ``openapi.yaml``; ``merchantId`` and ``sign`` are sent (in
the query string as the spec declares, or in a POST's form body as the vendor's own clients send them: C-Pay reads
both, so the placement is recorded, not reported), and (when the proxy was given the merchant's secret) the
``sign`` is right, checked by ``cpay.verify_request_parameters``, the verifier the emulator uses; the
other parameters pass the operation's compiled validator (``_spec.Operation.request_errors``), and none is a
declared name in other letter case (``callbackURL`` for ``callBackURL``), which C-Pay's binder would ignore.

The response: HTTP 200, JSON, valid against the operation's 200 response schema, envelope included
(``Operation.response_errors``); its ``code`` is in the code book; a wrong or missing ``sign`` was not
answered with code 0, nor a right one with a signature error; and a ``sign`` inside ``data``
(``createOrderByCreditCard``) signs the other fields of ``data``.

Messages here may quote what was sent; the proxy takes the secret keys, the ``sign`` and the request's sensitive
values (``RequestFindings.sensitive_values``) out of every text before it leaves (``shared.redaction.Redactor``).
Nothing here does I/O: the proxy (``proxy.asgi``) reads and forwards, this module judges.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_to_bytes

import attrs
import orjson

from cpay import (
    SENSITIVE_FIELDS,
    MalformedParametersError,
    SecretKey,
    SignatureError,
    SignatureProblem,
    verify_request_parameters,
    verify_sign,
)
from cpay_emulator.proxy.violations import REQUEST, RESPONSE
from cpay_emulator.shared.codes import CodeBook
from cpay_emulator.shared.redaction import sensitive_values
from cpay_emulator.shared.spec import MERCHANT_ID, SIGN, Operation

__all__ = [
    "Inspector",
    "RequestFindings",
    "ResponseFindings",
    "SignStatus",
]


class SignStatus:
    """What the proxy knows of a request's ``sign``; this word replaces the ``sign`` in logs and recordings."""

    VALID = "valid"
    INVALID = "invalid"
    MISSING = "missing"
    UNCHECKED = "unchecked"
    """No secret key was given for the request's ``merchantId``."""
    UNREADABLE = "unreadable"
    """The parameters cannot be decoded (bad encoding, a repeated name), so no sign is defined."""


Problem = tuple[str, str, str]
"""``(direction, field, message)``."""


@attrs.define(kw_only=True)
class RequestFindings:
    """A request as the proxy read it, and what it breaks."""

    operation: Operation | None
    operation_id: str | None
    merchant_id: str | None
    sign: str
    sign_value: str = attrs.field(repr=False)
    """The ``sign`` as sent: only for taking it out of texts, never written anywhere."""
    parameters: dict[str, str]
    """Every parameter but ``sign`` (``merchantId`` included), decoded; empty if unreadable."""
    problems: list[Problem]
    credentials: str = "none"
    """Where ``merchantId`` and ``sign`` travelled: ``query``, ``body`` (as the vendor's own clients send a POST),
    ``mixed`` or ``none``. Recorded with each exchange; either placement is what C-Pay reads."""
    sensitive_values: dict[str, str] = attrs.field(factory=dict, repr=False)
    """``{value: its mask}`` of the sensitive parameters sent (read even when unreadable), to take out of texts."""

    @classmethod
    def unchecked(cls, operation: Operation | None) -> RequestFindings:
        """A request the proxy did not read (it did not arrive whole, or its check failed): nothing known of it."""
        return cls(
            operation=operation,
            operation_id=operation.operation_id if operation else None,
            merchant_id=None,
            sign=SignStatus.UNCHECKED,
            sign_value="",
            parameters={},
            problems=[],
        )


@attrs.define(kw_only=True)
class ResponseFindings:
    """An answer as the proxy read it, and what it breaks."""

    body: Any
    """The parsed JSON, or ``None`` when the body is not JSON."""
    code: int | None
    traceid: str | None
    data_sign: str | None
    """``SignStatus`` of a ``sign`` inside ``data``, or ``None`` when ``data`` has none."""
    problems: list[Problem]


def _sign_sent(query: bytes, body: bytes | None) -> str:
    """The ``sign`` as sent (to take it out of texts), for a request whose parameters the verifier did not return."""
    for encoded in (query, body or b""):
        for piece in encoded.split(b"&"):
            if piece.startswith(b"sign="):
                return piece[5:].decode("ascii", "replace")
    return ""


def _credentials(query: bytes, body: bytes | None) -> str:
    """Where ``merchantId`` and ``sign`` were sent: ``query``, ``body``, ``mixed`` or ``none``."""
    credentials = {MERCHANT_ID, SIGN}
    in_query = _parameter_names(query) & credentials
    in_body = _parameter_names(body) & credentials if body else set()
    if not in_query and not in_body:
        return "none"
    if in_query == credentials and not in_body:
        return "query"
    if in_body == credentials and not in_query:
        return "body"
    return "mixed"


def _near_misses(operation: Operation, parameters: Mapping[str, str]) -> list[Problem]:
    """A parameter whose name differs from a declared one only in case: C-Pay's binder ignores it, silently."""
    declared = {name.lower(): name for name in operation.fields}
    return [
        (
            REQUEST,
            name,
            f"is not a name C-Pay binds, so its value is ignored; the parameter is {declared[name.lower()]}",
        )
        for name in sorted(parameters)
        if name not in operation.fields and name not in (MERCHANT_ID, SIGN) and name.lower() in declared
    ]


def _parameter_names(body: bytes) -> set[str]:
    if b"%" not in body and b"+" not in body:  # nothing to unquote (nearly every request): one decode, one split
        return {piece.partition("=")[0] for piece in body.decode("utf-8", "replace").split("&")}
    names = set()
    for piece in body.split(b"&"):
        name = piece.partition(b"=")[0]
        if b"%" in name or b"+" in name:
            name = unquote_to_bytes(name.replace(b"+", b" "))
        names.add(name.decode("utf-8", "replace"))
    return names


class Inspector:
    """Judges one exchange against ``operations`` (compiled from the spec), ``secrets`` and ``codes``."""

    def __init__(
        self,
        operations: Mapping[str, Operation],
        secrets: Mapping[str, SecretKey],
        codes: CodeBook,
        sensitive: frozenset[str] = SENSITIVE_FIELDS,
    ) -> None:
        self.codes = codes
        self.sensitive = sensitive
        self._secrets = dict(secrets)
        self._by_path: dict[str, dict[str, Operation]] = {}
        for operation in operations.values():
            self._by_path.setdefault(operation.path, {})[operation.method] = operation

    def operation(self, method: str, path: str) -> Operation | None:
        """The operation of the spec at ``method`` and ``path``, if any."""
        return self._by_path.get(path, {}).get(method)

    def request(self, method: str, path: str, query: bytes, body: bytes | None) -> RequestFindings:
        """Read and judge a request; ``body`` is the form body of a POST (``None``: none, or not form-encoded)."""
        problems: list[Problem] = []
        methods = self._by_path.get(path)
        operation = methods.get(method) if methods else None
        operation_id: str | None = operation.operation_id if operation else None
        if methods is None:
            problems.append((REQUEST, "path", f"{method} {path} is not an operation of openapi.yaml"))
        elif operation is None:
            expected = next(iter(methods.values()))
            operation_id = expected.operation_id
            problems.append(
                (REQUEST, "method", f"{method} is not the method of {expected.operation_id} ({expected.method})")
            )
        sign, sign_value, merchant_id, parameters = self._verify(query, body, problems)
        if operation is not None and sign != SignStatus.UNREADABLE:
            fields = {name: value for name, value in parameters.items() if name != MERCHANT_ID}
            problems.extend(_near_misses(operation, fields))
            problems.extend((REQUEST, field, rule) for field, rule in operation.request_errors(fields))
        return RequestFindings(
            operation=operation,
            operation_id=operation_id,
            merchant_id=merchant_id,
            sign=sign,
            sign_value=sign_value,
            parameters=parameters,
            problems=problems,
            credentials=_credentials(query, body),
            sensitive_values=sensitive_values(query, body, self.sensitive),
        )

    def _verify(
        self, query: bytes, body: bytes | None, problems: list[Problem]
    ) -> tuple[str, str, str | None, dict[str, str]]:
        """``(sign status, sign as sent, merchantId, parameters)`` through the toolkit's one verifier."""
        try:
            verified = verify_request_parameters(query, body, secret_key=self._secrets.get)
        except MalformedParametersError as error:
            problems.append((REQUEST, "request", str(error)))
            return SignStatus.UNREADABLE, _sign_sent(query, body), None, {}
        except SignatureError as error:
            fields = dict(error.fields)
            sign_value = fields.pop(SIGN, "")
            merchant_id = fields.get(MERCHANT_ID) or None
            if error.problem is SignatureProblem.MISSING:
                missing = MERCHANT_ID if merchant_id is None else SIGN
                problems.append(
                    (REQUEST, missing, "is missing: every request carries merchantId and sign (section 16)")
                )
                return SignStatus.MISSING, sign_value, merchant_id, fields
            if error.problem is SignatureProblem.UNKNOWN_MERCHANT:
                return SignStatus.UNCHECKED, sign_value, merchant_id, fields
            problems.append(
                (REQUEST, SIGN, f"does not sign these parameters with merchant {merchant_id}'s secret key (section 16)")
            )
            return SignStatus.INVALID, sign_value, merchant_id, fields
        parameters = {MERCHANT_ID: verified.merchant_id, **verified.parameters}
        return SignStatus.VALID, _sign_sent(query, body), verified.merchant_id, parameters

    def response(
        self, request: RequestFindings, status: int, content_type: str, content_encoding: str, content: bytes
    ) -> ResponseFindings:
        """Read and judge an answer to ``request`` (``content`` as received, maybe compressed)."""
        problems: list[Problem] = []
        operation = request.operation
        body = _parse_json(content, content_encoding)
        if operation is None:  # not an operation of the spec: nothing to hold the answer to
            body = None if body is _NOT_JSON else body
            return ResponseFindings(body=body, code=_code(body), traceid=_traceid(body), data_sign=None, problems=[])
        if status != 200:
            problems.append((RESPONSE, "status", f"HTTP {status}: openapi.yaml documents only 200 for every operation"))
        media_type = content_type.partition(";")[0].strip().lower()
        if media_type != "application/json":
            problems.append((RESPONSE, "content-type", f"{media_type or 'none'}, not application/json"))
        if body is _NOT_JSON:
            problems.append((RESPONSE, "body", "is not JSON" + (f" ({content_encoding})" if content_encoding else "")))
            return ResponseFindings(body=None, code=None, traceid=None, data_sign=None, problems=problems)
        problems.extend((RESPONSE, field, rule) for field, rule in operation.response_errors(body))
        code = _code(body)
        if code is not None:
            problems.extend(self._code_problems(code, request))
        data_sign = self._data_sign(body, request, problems)
        return ResponseFindings(body=body, code=code, traceid=_traceid(body), data_sign=data_sign, problems=problems)

    def _code_problems(self, code: int, request: RequestFindings) -> list[Problem]:
        codes = self.codes
        if not codes.is_known(code):
            known = ", ".join(map(str, codes.known()))
            return [
                (
                    RESPONSE,
                    "code",
                    f"{code} is not a known code (the {codes.name}'s: {known}; add a deployment's own with "
                    "--known-codes or CPAY_BUSINESS_CODES)",
                )
            ]
        if code == 0 and request.sign in (SignStatus.INVALID, SignStatus.MISSING):
            return [(RESPONSE, "code", f"0 (success) answers a request whose sign is {request.sign} (section 16)")]
        if request.sign == SignStatus.VALID and codes.signature and code in codes.signature:
            return [(RESPONSE, "code", f"{code} is a signature error, but the request's sign is valid")]
        return []

    def _data_sign(self, body: Any, request: RequestFindings, problems: list[Problem]) -> str | None:
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get(SIGN), str):
            return None
        secret = self._secrets.get(request.merchant_id or "")
        if secret is None:
            return SignStatus.UNCHECKED
        try:
            valid = verify_sign({name: value for name, value in data.items() if name != SIGN}, secret, data[SIGN])
        except TypeError:  # a value that is no text (a float, an object): the schema check names it
            valid = False
        if valid:
            return SignStatus.VALID
        problems.append(
            (RESPONSE, "data.sign", f"does not sign the other fields of data with merchant {request.merchant_id}'s key")
        )
        return SignStatus.INVALID


_NOT_JSON = object()


def _parse_json(content: bytes, content_encoding: str) -> Any:
    encoding = content_encoding.strip().lower()
    try:
        if encoding in ("gzip", "x-gzip"):
            content = zlib.decompress(content, 16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            content = zlib.decompress(content)
        elif encoding not in ("", "identity"):
            return _NOT_JSON
        return orjson.loads(content)
    except (orjson.JSONDecodeError, zlib.error):
        return _NOT_JSON


def _code(body: Any) -> int | None:
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _traceid(body: Any) -> str | None:
    traceid = body.get("traceid") if isinstance(body, dict) else None
    return traceid if isinstance(traceid, str) else None
