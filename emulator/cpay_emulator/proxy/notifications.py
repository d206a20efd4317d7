"""What the validating proxy checks of a webhook, standing in front of the merchant's own endpoint.

C-Pay posts each notification to the proxy (the order's ``callBackURL`` points at it), the proxy forwards it
unchanged to the merchant's handler and returns the handler's reply unchanged. On the way it judges both:

* the notification: its media type is one the spec's webhook declares; its body decodes (JSON, the later
  documentation's ``param=<JSON>`` form, or a flat form: the bodies ``cpay.parse_webhook`` reads); its fields
  pass the webhook's JSON schema (``WebhookNotification``, which the form's ``oneOf`` references too, so a form's
  fields are held to the same schema as text), and the form itself passes the form's schema; and its ``sign``
  is right for the ``merchantId`` it names, checked by ``cpay.parse_webhook`` with that merchant's secret key
  (the SDK's own verifier: what a merchant's handler built on the SDK would decide). A merchant without a key
  given is ``unchecked``;
* the reply: HTTP 200, ``text/plain``, one of the spec's ``WebhookReply`` words (``OK``, ``FAIL``). Any other
  answer makes C-Pay send the notification again (section 15).

A notification whose sign is wrong (a forgery, or a key that changed) is reported and still forwarded: the
merchant's handler decides, as it would without the proxy, and the proxy only tells. The fields are kept with
their JSON types (a number stays a number) for the recording, which ``spec suggest`` reads; the ``sign`` is
only ever written as its status. Nothing here does I/O: the proxy (``proxy.asgi``) reads and forwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import attrs
import jsonschema_rs
import orjson

from cpay import SecretKey, SignatureError, SignatureProblem, WebhookPayloadError, parse_webhook
from cpay_emulator.proxy.inspection import Problem, SignStatus
from cpay_emulator.proxy.violations import REQUEST, RESPONSE
from cpay_emulator.shared.refs import References
from cpay_emulator.shared.spec import MERCHANT_ID, SIGN, describe_error, leaf_errors

__all__ = ["NotificationFindings", "WebhookInspector"]

_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"
_PARAM = "param"
_TEXT = "text/plain"


@attrs.define(kw_only=True)
class NotificationFindings:
    """A notification as the proxy read it, and what it breaks."""

    webhook: str
    """The webhook's ``operationId`` in the spec (``orderStatusChanged``)."""
    body_format: str | None
    """``json``, ``param`` (``param=<JSON>``), ``form`` (flat), or ``None`` when the body cannot be read."""
    fields: dict[str, Any]
    """The notification's fields with their JSON types (a flat form's are text), ``sign`` left out."""
    merchant_id: str | None
    sign: str
    sign_value: str = attrs.field(repr=False)
    """The ``sign`` as sent: only for taking it out of texts, never written anywhere."""
    order_id: str | None = None
    problems: list[Problem] = attrs.Factory(list)


def _validator(schema: Any) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(
        {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}, validate_formats=True
    )


def _errors(validator: jsonschema_rs.Validator, instance: Any) -> list[tuple[str, str]]:
    if validator.is_valid(instance):
        return []
    return [describe_error(leaf) for error in validator.iter_errors(instance) for leaf in leaf_errors(error)]


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    return value if isinstance(value, str) else str(value) if isinstance(value, (int, float)) else None


class WebhookInspector:
    """Judges notifications and replies against the spec's (first) webhook, with the merchants' ``secrets``."""

    def __init__(self, document: Mapping[str, Any], secrets: Mapping[str, SecretKey]) -> None:
        self._secrets = dict(secrets)
        references = References(document)
        webhook = next(
            (
                references.inline(item["post"])
                for item in (document.get("webhooks") or {}).values()
                if isinstance(item, Mapping) and isinstance(item.get("post"), Mapping)
            ),
            None,
        )
        if webhook is None:
            raise ValueError("the spec declares no webhook (webhooks: ... post:) to check notifications against")
        self.operation_id: str = webhook.get("operationId") or "webhook"
        content = (webhook.get("requestBody") or {}).get("content") or {}
        self.media_types = tuple(content)
        self._body: dict[str, jsonschema_rs.Validator] = {
            media_type: _validator(media.get("schema") or {}) for media_type, media in content.items()
        }
        self._fields = self._body.get(_JSON)
        reply = ((webhook.get("responses") or {}).get("200") or {}).get("content") or {}
        reply_schema = (reply.get(_TEXT) or {}).get("schema") or {}
        self.replies: tuple[str, ...] = tuple(reply_schema.get("enum") or ())

    def notification(self, content_type: str, body: bytes) -> NotificationFindings:
        """Read and judge one notification (the body as received)."""
        problems: list[Problem] = []
        media_type = content_type.partition(";")[0].strip().lower()
        if media_type not in self.media_types:
            declared = " or ".join(self.media_types)
            problems.append((REQUEST, "content-type", f"{media_type or 'none'}, not {declared} (the spec's webhook)"))
        body_format, fields, form = self._decode(media_type, body, problems)
        sign_value = _text(fields.pop(SIGN, None)) or ""
        merchant_id = _text(fields.get(MERCHANT_ID))
        findings = NotificationFindings(
            webhook=self.operation_id,
            body_format=body_format,
            fields=fields,
            merchant_id=merchant_id,
            sign=SignStatus.UNREADABLE if body_format is None else SignStatus.MISSING,
            sign_value=sign_value,
            order_id=_text(fields.get("orderId")),
            problems=problems,
        )
        if body_format is None:
            return findings
        if body_format == "param" and form is not None and _FORM in self._body:  # the wrapper: param alone
            problems.extend((REQUEST, field, rule) for field, rule in _errors(self._body[_FORM], form))
        if self._fields is not None:
            signed = {**fields, SIGN: sign_value} if sign_value else fields
            problems.extend((REQUEST, field, rule) for field, rule in _errors(self._fields, signed))
        findings.sign = self._verify(content_type, body, merchant_id, bool(sign_value), problems)
        return findings

    def _decode(
        self, media_type: str, body: bytes, problems: list[Problem]
    ) -> tuple[str | None, dict[str, Any], dict[str, str] | None]:
        """``(format, fields with their JSON types, the form's own fields or None)``; format None if unreadable."""
        try:
            if media_type == _FORM:
                form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body)))
                if set(form) == {_PARAM}:
                    fields = orjson.loads(form[_PARAM])
                    if isinstance(fields, dict):
                        return "param", fields, form
                    problems.append((REQUEST, _PARAM, "is not a JSON object"))
                    return None, {}, None
                return "form", dict(form), form
            fields = orjson.loads(body)
        except (UnicodeDecodeError, ValueError) as error:  # orjson.JSONDecodeError is a ValueError
            problems.append((REQUEST, "body", f"cannot be read as {media_type or 'a webhook body'}: {error}"))
            return None, {}, None
        if not isinstance(fields, dict):
            problems.append((REQUEST, "body", "is not a JSON object"))
            return None, {}, None
        return "json", fields, None

    def _verify(
        self, content_type: str, body: bytes, merchant_id: str | None, signed: bool, problems: list[Problem]
    ) -> str:
        """The sign's status, through ``cpay.parse_webhook`` with the named merchant's key."""
        if not signed:
            problems.append((REQUEST, SIGN, "is missing: an unsigned notification cannot be trusted (section 15)"))
            return SignStatus.MISSING
        secret = self._secrets.get(merchant_id or "")
        if secret is None:
            return SignStatus.UNCHECKED
        try:
            parse_webhook(body, content_type, secret)
        except SignatureError as error:
            if error.problem is SignatureProblem.MISSING:
                problems.append((REQUEST, SIGN, "is missing: an unsigned notification cannot be trusted"))
                return SignStatus.MISSING
            problems.append(
                (REQUEST, SIGN, f"does not sign the notification's fields with merchant {merchant_id}'s key (forged?)")
            )
            return SignStatus.INVALID
        except WebhookPayloadError as error:  # signed right, but a field the SDK cannot read: the handler fails
            problems.append((REQUEST, "body", f"cpay.parse_webhook refuses it: {error}"))
        return SignStatus.VALID

    def reply(self, status: int, content_type: str, body: bytes) -> list[Problem]:
        """What the merchant's reply breaks: HTTP 200, ``text/plain``, one of the spec's reply words."""
        problems: list[Problem] = []
        if status != 200:
            problems.append((RESPONSE, "status", f"HTTP {status}: C-Pay takes only HTTP 200 with OK as an answer"))
        media_type = content_type.partition(";")[0].strip().lower()
        if media_type != _TEXT:
            problems.append((RESPONSE, "content-type", f"{media_type or 'none'}, not {_TEXT} (the spec's reply)"))
        text = body.decode("utf-8", "replace").strip()
        if self.replies and text not in self.replies:
            words = " or ".join(self.replies)
            shown = repr(text[:40]) if text else "an empty reply"
            problems.append((RESPONSE, "body", f"{shown} is not {words}: C-Pay sends the notification again"))
        return problems
