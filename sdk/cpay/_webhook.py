"""Webhook verification (document section 15): raw body in, verified and typed ``WebhookEvent`` out."""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import attrs

from cpay._errors import MalformedParametersError, SignatureError, SignatureProblem, WebhookPayloadError
from cpay._jsonshape import json_shape_problem
from cpay._secret import SecretKey
from cpay._sign import SIGN_FIELD, verify_sign
from cpay._wire import FORM_BODY
from cpay._wire import _decode_into as decode_form_into  # the verifier's own decoding

if TYPE_CHECKING:
    from cpay._status import OrderStatus

__all__ = [
    "WEBHOOK_FAIL",
    "WEBHOOK_OK",
    "WEBHOOK_REPLY_CONTENT_TYPE",
    "WebhookEvent",
    "parse_webhook",
    "webhook_reply",
]

WEBHOOK_OK: Final = "OK"
"""The reply body that acknowledges a webhook: section 15's word ("webhook server returns OK or FAIL text"), and
the vendor's WordPress plugins' (``ok``). The later documentation retries only ``fail`` or an empty reply, so it
takes ``OK`` too; only the vendor's reference README says ``success`` alone (docs/spec-notes.md, "The webhook's
reply")."""
WEBHOOK_FAIL: Final = "FAIL"
"""The reply body that refuses a webhook; C-Pay sends it again later (every source agrees on a failure word)."""
_PARAM_FIELD: Final = "param"
"""The one field of the form the later documentation posts: ``param=<the notification as JSON>``."""
WEBHOOK_REPLY_CONTENT_TYPE: Final = "text/plain; charset=utf-8"

_MAX_FIELDS = 256  # section 15 has 15 fields; a body with hundreds is not a C-Pay notification
_MAX_BODY = 64 << 10  # 64 KiB: the document's notification is under 1 KiB, a remark or extInfo at most a few
_MAX_DEPTH = 8  # a notification is one flat object; anything nested is refused, deeper than this unparsed
_SURROGATE = re.compile("[\ud800-\udfff]")
_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_REDACTED = "<redacted: equals the secret key>"


@attrs.frozen(kw_only=True)
class WebhookEvent:
    """A verified webhook notification (section 15, and the fields the vendor's later documentation adds).

    Optional text fields are ``None`` when absent or empty. Amounts are exact ``Decimal`` values, whether
    C-Pay sent a string or a JSON number, ``None`` when absent or empty; only ``receivedAmount`` is required.
    ``order_amount`` (the order's total), ``service_fee`` and ``currency`` are the later documentation's
    fields; it marks ``actualAmount``, ``fee``, ``cryptoCurrency``, ``network`` and ``hash`` deprecated
    (``fee`` replaced by ``serviceFee``), so a notification without them is still read. ``merchant_id``,
    ``order_status`` and ``create_time`` are read from a string or a JSON number alike; ``create_time`` is kept
    as sent: the document shows both epoch milliseconds (``1663155010000``) and ``yyyyMMddHHmmss``
    (``20220726100218``). ``raw`` holds every field as received (``sign`` included, numbers as their JSON
    text), for logging and for fields a future version adds. A status the document does not list does not fail:
    ``order_status`` is then ``OrderStatus``'s ``UNKNOWN`` pseudo-member (``is_known`` false), so a receiver can
    acknowledge (or park) a notification of a future status.
    """

    merchant_id: str
    merchant_trade_no: str | None
    merchant_user_id: str | None
    order_id: str | None
    order_status: OrderStatus
    hash: str | None
    actual_amount: Decimal | None
    received_amount: Decimal | None
    fee: Decimal | None
    crypto_currency: str | None
    network: str | None
    remark: str | None
    ext_info: str | None
    create_time: str
    order_amount: Decimal | None = None
    service_fee: Decimal | None = None
    currency: str | None = None
    raw: Mapping[str, str] = attrs.field(factory=dict, hash=False, repr=False)


def parse_webhook(body: bytes, content_type: str, secret_key: str | SecretKey) -> WebhookEvent:
    """Verify a webhook's ``sign`` over its raw ``body`` and return the typed event.

    ``content_type`` is the request's ``Content-Type`` header. Three bodies are read, as C-Pay's material
    shows them (docs/spec-notes.md, "The webhook's body"):

    * JSON (``application/json`` or any ``+json`` type), the object of the notification's fields: what the
      vendor's WordPress plugins read;
    * an ``application/x-www-form-urlencoded`` form whose one field ``param`` holds that JSON object: what
      the vendor's later documentation posts;
    * a flat form of the fields themselves.

    The body is read as UTF-8. JSON numbers are signed with their text as it appears in the body
    (``"merchantId": 20003092`` signs as ``merchantId=20003092``), ``true``/``false`` as those words, and
    ``null`` counts as empty; the sign is the one among the fields, over the others, by either rule of
    ``verify_sign``. The ``sign`` is compared in constant time.

    Raises ``WebhookPayloadError`` if the body cannot be read or a field is malformed, and
    ``SignatureError`` (carrying the received fields) if the ``sign`` is missing or wrong. The event's
    fields are checked only after the signature, so an unsigned forgery always gets ``SignatureError``.

    Refused with ``WebhookPayloadError`` before the sign is checked, and before the body is decoded where
    it can be: a body over 64 KiB; more than 256 fields; JSON nested more than 8 deep, or any nested value;
    a field name given twice (in a form or a JSON object: a framework that reads the first of two values
    would act on one the sign may not cover); text that is not strict UTF-8, or a JSON ``\\ud800``-style
    escape of a lone surrogate; a ``param`` form with any other field beside ``param`` (the sign inside the
    JSON would not cover it). No other exception comes out of a hostile body.
    """
    key = SecretKey.of(secret_key)
    fields = _decode(body, content_type)
    sign = fields.get(SIGN_FIELD, "")
    if not sign or not verify_sign(fields, key, sign):
        reported = {
            name: _REDACTED if hmac.compare_digest(value.encode("utf-8"), key.key_bytes) else value
            for name, value in fields.items()
        }
        problem = SignatureProblem.MISMATCH if sign else SignatureProblem.MISSING
        how = "does not match its fields" if sign else "has no sign"
        raise SignatureError(f"webhook {how}", fields=reported, problem=problem)
    return _event(fields)


def webhook_reply(acknowledged: bool) -> tuple[bytes, str]:
    """The body and ``Content-Type`` of the reply to a webhook: ``OK`` if ``acknowledged``, else ``FAIL``."""
    return (WEBHOOK_OK if acknowledged else WEBHOOK_FAIL).encode("ascii"), WEBHOOK_REPLY_CONTENT_TYPE


def _decode(body: bytes, content_type: str) -> dict[str, str]:
    """The fields of a webhook body, bounded before anything is decoded: size first, then count and depth."""
    media_type = content_type.partition(";")[0].strip().lower()
    if len(body) > _MAX_BODY:
        raise WebhookPayloadError(f"webhook body is larger than {_MAX_BODY >> 10} KiB")
    try:
        if media_type == "application/x-www-form-urlencoded":
            fields = _form_fields(body)
            if _PARAM_FIELD in fields:
                return _param_fields(fields)
            return fields
        if media_type == "application/json" or media_type.endswith("+json"):
            return _json_fields(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError, MalformedParametersError) as error:
        # ValueError: bad JSON. RecursionError cannot come (the scan bounds the depth first) unless the caller's
        # stack is already near its limit. The message names the problem, not the body.
        raise WebhookPayloadError(f"unreadable {media_type} webhook body: {_first_line(error)}") from None
    raise WebhookPayloadError(f"unsupported webhook content type {content_type[:100]!r}")


def _form_fields(body: bytes) -> dict[str, str]:
    # Counted on the raw bytes, as the stdlib's parse_qsl counts (max_num_fields): before any piece is decoded.
    if body.count(b"&") >= _MAX_FIELDS:
        raise WebhookPayloadError(f"webhook body has more than {_MAX_FIELDS} fields")
    fields: dict[str, str] = {}
    # The wire's own decoding: strict UTF-8 (so no lone surrogate), and a repeated name is refused, because
    # frameworks disagree on which of its values is "the" value (Flask, Go and Java read the first, the
    # stdlib's dict(parse_qsl(...)) the last), and the sign covers only one of them.
    decode_form_into(fields, body, FORM_BODY)
    return fields


def _param_fields(form: Mapping[str, str]) -> dict[str, str]:
    """The notification inside ``param=<JSON>``: its fields, bounded like a JSON body; nothing beside it."""
    if len(form) != 1:
        others = ", ".join(sorted(name[:32] for name in form if name != _PARAM_FIELD)[:5])
        raise WebhookPayloadError(
            f"a {_PARAM_FIELD} webhook form carries other fields ({others}) its sign cannot cover"
        )
    return _json_fields(form[_PARAM_FIELD])


def _json_fields(text: str) -> dict[str, str]:
    problem = json_shape_problem(text, max_depth=_MAX_DEPTH, max_members=_MAX_FIELDS)
    if problem is not None:
        raise WebhookPayloadError(f"webhook body {problem}")
    document = json.loads(
        text, parse_int=str, parse_float=str, parse_constant=_reject_constant, object_pairs_hook=_unique_names
    )
    if not isinstance(document, dict):
        raise WebhookPayloadError("a JSON webhook body must be an object")
    fields: dict[str, str] = {}
    for name, value in document.items():
        if value is None:
            fields[name] = ""
        elif isinstance(value, str):
            fields[name] = value  # numbers too: parse_int/parse_float keep their text
        elif isinstance(value, bool):
            fields[name] = "true" if value else "false"
        else:
            raise WebhookPayloadError(f"webhook field {name[:64]!r} is a nested {type(value).__name__}")
        if _SURROGATE.search(name) or _SURROGATE.search(fields[name]):
            # JSON's \ud800 escape decodes to a lone surrogate, which no UTF-8 text (and so no sign) can carry.
            raise WebhookPayloadError(f"webhook field {name[:64]!r} holds a lone surrogate (a \\u escape)")
    return fields


def _unique_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON's ``object_pairs_hook``: refuse a repeated name, which ``json.loads`` would resolve to its last value."""
    document: dict[str, Any] = {}
    for name, value in pairs:
        if name in document:
            raise WebhookPayloadError(f"webhook field {name[:64]!r} is given more than once")
        document[name] = value
    return document


def _reject_constant(constant: str) -> object:
    raise ValueError(f"{constant} is not a JSON number")


def _first_line(error: Exception) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:200]


def _event(fields: Mapping[str, str]) -> WebhookEvent:
    from cpay._status import OrderStatus  # the generated client's enum, imported on first use

    def optional(name: str) -> str | None:
        return fields.get(name) or None

    def required(name: str) -> str:
        value = fields.get(name)
        if not value:
            raise WebhookPayloadError(f"webhook field {name!r} is missing or empty")
        return value

    def amount(name: str, *, present: bool = False) -> Decimal | None:
        if present and name not in fields:
            raise WebhookPayloadError(f"webhook field {name!r} is missing")
        text = fields.get(name, "")
        if not text:
            return None
        if not _AMOUNT.fullmatch(text):
            raise WebhookPayloadError(f"webhook field {name!r} is not a decimal amount: {text[:40]!r}")
        return Decimal(text)

    return WebhookEvent(
        merchant_id=required("merchantId"),
        merchant_trade_no=optional("merchantTradeNo"),
        merchant_user_id=optional("merchantUserId"),
        order_id=optional("orderId"),
        order_status=OrderStatus(required("orderStatus")),
        hash=optional("hash"),
        actual_amount=amount("actualAmount"),
        received_amount=amount("receivedAmount", present=True),
        fee=amount("fee"),
        crypto_currency=optional("cryptoCurrency"),
        network=optional("network"),
        remark=optional("remark"),
        ext_info=optional("extInfo"),
        create_time=required("createTime"),
        order_amount=amount("orderAmount"),
        service_fee=amount("serviceFee"),
        currency=optional("currency"),
        raw=MappingProxyType(dict(fields)),
    )
