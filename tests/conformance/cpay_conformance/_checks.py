"""Envelope-aware checks: Schemathesis's positive/negative/auth logic, judged on the envelope ``code``.

Every C-Pay answer is HTTP 200; the verdict is the envelope's ``code``. The built-in
``positive_data_acceptance`` and ``negative_data_rejection`` are kept (their many exemptions for values that
change meaning on the wire stay in force) but are called with a response whose status is a *virtual* one
derived from the code. ``ignored_auth`` cannot be wrapped that way (its probes are judged on their own HTTP
status), so ``sign_enforcement`` replaces it with probes that carry a missing or a wrong ``sign``.

The checks are registered with Schemathesis when this module is imported and do nothing until ``activate``
names a target, so importing the package elsewhere changes nothing.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response
from schemathesis.core.failures import AcceptedNegativeData, Failure, ServerError
from schemathesis.openapi.checks import AuthScenario, IgnoredAuth, RejectedPositiveData
from schemathesis.specs.openapi import checks as builtin
from schemathesis.specs.openapi._auth_retry import send_probe

from cpay_conformance._auth import CPaySignAuth, SigningMode
from cpay_conformance._codes import Envelope, read_envelope
from cpay_conformance._rules import (
    negated_only_in_parameters,
    spec_rules,
    valid_as_sent,
    valid_when_empty_is_absent,
)
from cpay_conformance._target import Target

__all__ = [
    "CHECK_NAMES",
    "REPLACED_BUILTIN_CHECKS",
    "STATELESS_ANSWER_HEADER",
    "activate",
    "active_target",
    "created_order_is_readable",
    "envelope_negative_data_rejection",
    "envelope_not_a_server_error",
    "envelope_positive_data_acceptance",
    "sign_enforcement",
]

REPLACED_BUILTIN_CHECKS = ("positive_data_acceptance", "negative_data_rejection", "ignored_auth")
"""Built-in checks that read the HTTP status; turn them off (``schemathesis.toml``) in favour of these."""

_ACCEPTED = 200
_REJECTED = 400
_lock = threading.Lock()
_active: Target | None = None


def activate(target: Target | None) -> None:
    """Make the checks judge responses for ``target`` (``None``: switch them off)."""
    global _active
    with _lock:
        _active = target


def active_target() -> Target | None:
    """The target the checks judge for, if any."""
    return _active


def _with_status(response: Response, status_code: int) -> Response:
    """A shallow copy of ``response`` with another status code, for a built-in check that reads only that."""
    virtual = copy.copy(response)
    virtual.status_code = status_code
    return virtual


def _envelope(response: Response) -> tuple[Target, Envelope] | None:
    target = _active
    if target is None:
        return None
    envelope = read_envelope(response)
    if envelope is None:
        return None  # not an envelope: response_schema_conformance reports it
    return target, envelope


@schemathesis.check
def envelope_positive_data_acceptance(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """A schema-valid, signed request gets ``code`` 0 or a business outcome, never an input or sign error."""
    found = _envelope(response)
    if found is None:
        return None
    target, envelope = found
    accepted = target.codes.accepts_valid_input(envelope.code)
    if not accepted and (spec_rules().unenforced_violation(case) is not None or not valid_as_sent(case)):
        return None  # not a valid request after all: breaks a rule schema validation does not check, or the schema
    try:
        builtin.positive_data_acceptance(ctx, _with_status(response, _ACCEPTED if accepted else _REJECTED), case)
    except RejectedPositiveData:
        business = ", ".join(str(code) for code in sorted(target.codes.business)) or "none"
        raise RejectedPositiveData(
            operation=case.operation.label,
            message=(
                "Valid data should have been accepted\n"
                f"Expected: code 0 or a business outcome ({business})\n"
                f"Got: {envelope.describe()}"
            ),
            status_code=response.status_code,
            allowed_statuses=["code 0", *(f"code {code}" for code in sorted(target.codes.business))],
        ) from None
    return None


@schemathesis.check
def envelope_negative_data_rejection(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """A request that breaks the schema gets a non-zero ``code``."""
    found = _envelope(response)
    if found is None:
        return None
    _, envelope = found
    if envelope.code == 0 and (
        valid_when_empty_is_absent(case) or (negated_only_in_parameters(case) and valid_as_sent(case))
    ):
        return None  # valid on the wire: its only violations are empty values (absent, section 16), or none
    try:
        builtin.negative_data_rejection(ctx, _with_status(response, _REJECTED if envelope.code else _ACCEPTED), case)
    except AcceptedNegativeData as failure:
        detail = failure.message.partition("\n")[2].partition("\n")[2]  # keep the "Invalid component" part
        raise AcceptedNegativeData(
            operation=case.operation.label,
            message=(
                "Invalid data should have been rejected\n"
                f"Expected: a non-zero code\nGot: {envelope.describe()}" + (f"\n{detail}" if detail else "")
            ),
            status_code=response.status_code,
            expected_statuses=["non-zero code"],
        ) from None
    return None


class EnvelopeServerError(ServerError):
    """An internal failure reported as an HTTP 200 envelope (the emulator's code 1 for an unexpected error)."""

    kind_title = "Server error behind HTTP 200"


@schemathesis.check
def envelope_not_a_server_error(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """``not_a_server_error`` for the envelope: no code that stands for an internal failure."""
    found = _envelope(response)
    if found is None:
        return None
    target, envelope = found
    if envelope.code in target.codes.server_failure:
        raise EnvelopeServerError(
            operation=case.operation.label,
            status_code=response.status_code,
            message=f"The {target.codes.name} answered {envelope.describe()}, its code for an unexpected error",
        )
    return None


def _signs_with(case: Case[Any]) -> CPaySignAuth | None:
    auth = case._auth
    if isinstance(auth, CPaySignAuth) and auth.mode == SigningMode.SIGN:
        return auth
    return None


def _probe(ctx: CheckContext, case: Case[Any], auth: CPaySignAuth | None) -> tuple[Case[Any], Envelope | None]:
    probe = case.derive()  # no auth is carried over
    if auth is not None:
        probe._auth = auth
    return probe, read_envelope(send_probe(ctx, case, probe))


@schemathesis.check
def sign_enforcement(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """``ignored_auth`` for C-Pay: a missing or wrong ``sign`` gets the signature error, a valid one never does.

    Once per operation and run, after the server accepted a signed request, the same request is sent again
    without credentials, with ``merchantId`` but no ``sign``, and signed with a wrong secret key.
    """
    found = _envelope(response)
    signer = _signs_with(case)
    if found is None or signer is None:
        return None
    target, envelope = found
    codes = target.codes
    if codes.signature and envelope.code in codes.signature:
        raise IgnoredAuth(
            operation=case.operation.label,
            title="Correctly signed request rejected",
            message=(
                f"Expected any code but the signature errors ({', '.join(map(str, sorted(codes.signature)))})\n"
                f"Got: {envelope.describe()}\nThe server computes `sign` differently (document section 16)"
            ),
            scenario=AuthScenario.INVALID_AUTH,
        )
    if not codes.accepts_valid_input(envelope.code):
        return None  # a rejected request says nothing about whether the sign is what let it through
    enforced = ctx.auth_enforced_operations
    if enforced is not None and case.operation.label in enforced:
        return None
    secret = signer._secret_key.reveal()
    probes: list[tuple[CPaySignAuth | None, AuthScenario, str]] = [
        (None, AuthScenario.NO_AUTH, "without merchantId and sign"),
        (
            CPaySignAuth(signer.merchant_id, secret, mode=SigningMode.MERCHANT_ONLY),
            AuthScenario.NO_AUTH,
            "with merchantId but without sign",
        ),
        (CPaySignAuth(signer.merchant_id, secret + "-wrong"), AuthScenario.INVALID_AUTH, "signed with a wrong key"),
    ]
    for auth, scenario, how in probes:
        probe, answer = _probe(ctx, case, auth)
        if answer is None or not codes.is_signature_error(answer.code):
            expected = ", ".join(map(str, sorted(codes.signature))) if codes.signature else "a non-zero code"
            got = answer.describe() if answer is not None else "no envelope"
            raise IgnoredAuth(
                operation=case.operation.label,
                title="API accepts a request " + how,
                message=f"Expected the signature error ({expected}) for a request {how}\nGot: {got}",
                scenario=scenario,
                case_id=probe.id,
            )
    if enforced is not None:
        enforced.add(case.operation.label)
    return None


STATELESS_ANSWER_HEADER = "x-cpay-emulator-answer"
"""Set by the emulator on the answers of an operation it does not model (a fixed answer from the spec)."""

_ORDER_KEYS = {"merchantTradeNo": "merchantTradeNo", "cpayOrderId": "orderId", "hash": "hash"}
"""getOrderDetail's query keys and the field of an order that each must match (section 9)."""


class OrderNotReadable(Failure):
    """An order that an operation just created cannot be read back by its keys."""

    code = "ST303"
    checks = ("created_order_is_readable",)
    kind_title = "Created order not readable"


def _data(envelope: Envelope | None) -> dict[str, Any] | None:
    if envelope is None or envelope.code != 0 or not isinstance(envelope.data, dict):
        return None
    return envelope.data


@schemathesis.check
def created_order_is_readable(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Stateful: getOrderDetail, called through a link with the keys of an order just created, returns it.

    An order "created" by an operation the emulator does not model (its answer carries
    ``x-cpay-emulator-answer``) is the spec's example, never stored: there is nothing to read back.
    """
    if _active is None or case.operation.label != "GET /openapi/v1/getOrderDetail":
        return None
    parent = ctx.internals.find_parent(case_id=case.id)
    if parent is None:
        return None
    parent_response = ctx.internals.find_response(case_id=parent.id)
    if parent_response is not None and STATELESS_ANSWER_HEADER in parent_response.headers:
        return None
    created = _data(read_envelope(parent_response)) if parent_response is not None else None
    if created is None or not isinstance(created.get("orderId"), str) or not created["orderId"]:
        return None
    query = case.query if isinstance(case.query, dict) else {}
    keys = {name: query[name] for name in _ORDER_KEYS if query.get(name) not in (None, "")}
    if not keys or any(str(value) != str(created.get(_ORDER_KEYS[name], "")) for name, value in keys.items()):
        return None  # not (only) the created order's own keys: "not found" is a fair answer
    envelope = read_envelope(response)
    found = _data(envelope)
    if found is None or found.get("orderId") != created["orderId"]:
        got = envelope.describe() if envelope is not None else "no envelope"
        if found is not None:
            got += f" for order {found.get('orderId')!r}"
        raise OrderNotReadable(
            operation=case.operation.label,
            message=(
                f"{parent.operation.label} created order {created['orderId']!r}; "
                f"reading it back by {', '.join(sorted(keys))} gave {got}"
            ),
        )
    return None


CHECK_NAMES = (
    "envelope_positive_data_acceptance",
    "envelope_negative_data_rejection",
    "envelope_not_a_server_error",
    "sign_enforcement",
    "created_order_is_readable",
)
