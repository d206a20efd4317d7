"""``cpay-emulator replay``: send a proxy recording again, to another deployment, and compare the answers' shapes.

Each recorded exchange is rebuilt from its parameters (GET: the query string; POST: the form body) and signed
again by ``cpay.sign_request_parameters``, the toolkit's one signer, as the replaying merchant (the
recorded ``merchantId``'s secret if given, else the first ``--merchant``). What the recording says of the
original ``sign`` is kept: ``missing`` is sent without one, ``invalid`` with a wrong one. The masked card fields
of ``pwpp`` are replaced by test values that keep the card's last four digits (which decide the emulator's
test outcomes: ``0002`` declined, ``3220`` 3-D Secure).

A webhook notification the proxy relayed (``kind: webhook``) is left out: replay sends API requests.

Answers are compared by shape, not value: the envelope's code class (success or error), then the JSON types
and keys of the rest, so a different order id or amount is no difference, but a number where the recording
had a string, a key missing, or an error where the recording had a success is.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

import attrs
import httpx
import orjson

from cpay import MASK, MalformedParametersError, SecretKey, sign_request_parameters
from cpay_emulator.proxy.inspection import SignStatus
from cpay_emulator.shared.jsontext import json_type
from cpay_emulator.shared.spec import MERCHANT_ID, SIGN

__all__ = ["Difference", "ReplayResult", "compare_shapes", "replay", "shape_of"]

_FORM = "application/x-www-form-urlencoded"


@attrs.frozen
class Difference:
    """Where one replayed answer differs in shape from the recorded one."""

    exchange: int | None
    operation: str
    where: str
    recorded: str
    replayed: str

    def describe(self) -> str:
        return f"#{self.exchange} {self.operation}: {self.where}: {self.recorded} in the recording, {self.replayed} now"


@attrs.define
class ReplayResult:
    """What a replay found: exchanges sent, skipped (with why), and the differences."""

    sent: int = 0
    skipped: list[str] = attrs.Factory(list)
    differences: list[Difference] = attrs.Factory(list)


def shape_of(value: Any) -> Any:
    """The JSON type of ``value``, recursively: objects by key, arrays by the merged shape of their items."""
    if isinstance(value, list):
        merged: Any = None
        for item in value:
            merged = _merge(merged, shape_of(item))
        return ["array", merged]
    if isinstance(value, dict):
        return {key: shape_of(item) for key, item in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return json_type(value)
    return type(value).__name__


def _merge(one: Any, other: Any) -> Any:
    """One shape for two array items (a key only some items have is kept)."""
    if one is None or other is None:
        return other if one is None else one
    if isinstance(one, dict) and isinstance(other, dict):
        return {key: _merge(one.get(key), other.get(key)) for key in {**one, **other}}
    if isinstance(one, list) and isinstance(other, list):
        return ["array", _merge(one[1], other[1])]
    return one if one == other else f"{_name(one)}|{_name(other)}"


def _name(shape: Any) -> str:
    if isinstance(shape, dict):
        return "object"
    if isinstance(shape, list):
        return "array"
    return str(shape)


def compare_shapes(recorded: Any, replayed: Any, where: str = "") -> Iterator[tuple[str, str, str]]:
    """``(where, recorded kind, replayed kind)`` for every place the two shapes differ."""
    label = where or "body"
    if isinstance(recorded, dict) and isinstance(replayed, dict):
        for key in [*recorded, *(key for key in replayed if key not in recorded)]:
            inner = f"{where}.{key}" if where else key
            if key not in replayed:
                yield inner, _name(recorded[key]), "missing"
            elif key not in recorded:
                yield inner, "missing", _name(replayed[key])
            else:
                yield from compare_shapes(recorded[key], replayed[key], inner)
    elif isinstance(recorded, list) and isinstance(replayed, list):
        if recorded[1] is not None and replayed[1] is not None:
            yield from compare_shapes(recorded[1], replayed[1], f"{where}[]")
    elif _name(recorded) != _name(replayed):
        yield label, _name(recorded), _name(replayed)


def _code_class(body: Any) -> tuple[str, str]:
    """``(class, description)``: success, error or none, and the code behind it."""
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, int) or isinstance(code, bool):
        return "none", "no envelope code"
    return ("success", "success (code 0)") if code == 0 else ("error", f"error (code {code})")


def _test_card_values(parameters: dict[str, str], now: datetime.date) -> dict[str, str]:
    """The masked card fields of a recording replaced by test values (the last four digits are kept)."""
    card = parameters.get("cardNumber", "")
    if card.startswith("*"):
        parameters["cardNumber"] = "400000000000" + card[-4:]
    if parameters.get("cvv") == MASK:
        parameters["cvv"] = "123"
    if parameters.get("expDate") == MASK:
        parameters["expDate"] = f"12/{(now.year + 3) % 100:02d}"
    return parameters


def _build(
    entry: Mapping[str, Any], secrets: Mapping[str, SecretKey], fallback: str
) -> tuple[str, str, bytes, bytes | None]:
    """``(method, path, query, body)`` of a recorded exchange, signed again."""
    parameters = {str(name): str(value) for name, value in dict(entry["request"]).items()}
    status = parameters.pop(SIGN, SignStatus.UNCHECKED)
    recorded_merchant = parameters.pop(MERCHANT_ID, "")
    merchant_id = recorded_merchant if recorded_merchant in secrets else fallback
    _test_card_values(parameters, datetime.date.today())
    method = str(entry["method"])
    encoded = urlencode(parameters).encode("ascii")
    query, body = (encoded, None) if method == "GET" else (b"", encoded)
    if status == SignStatus.MISSING:
        if recorded_merchant:
            query = b"&".join(piece for piece in (query, urlencode({MERCHANT_ID: merchant_id}).encode()) if piece)
        return method, str(entry["path"]), query, body
    query, body = sign_request_parameters(query, body, merchant_id=merchant_id, secret_key=secrets[merchant_id])
    if status == SignStatus.INVALID:  # sent wrong on purpose: keep it wrong (flip the last hex digit)
        query = query[:-1] + (b"0" if query[-1:] != b"0" else b"1")
    return method, str(entry["path"]), query, body


def replay(
    entries: Iterable[Mapping[str, Any]], client: httpx.Client, secrets: Mapping[str, SecretKey]
) -> ReplayResult:
    """Send each recorded exchange through ``client`` (its ``base_url`` is the deployment), in order, and compare
    each answer's shape with the recording's. ``secrets``: merchant id to secret key, at least one."""
    if not secrets:
        raise ValueError("replay needs at least one merchant's secret key to sign with")
    fallback = next(iter(secrets))
    result = ReplayResult()
    for entry in entries:
        exchange = entry.get("exchange")
        operation = str(entry.get("operationId") or f"{entry.get('method')} {entry.get('path')}")
        if entry.get("kind") == "webhook":
            result.skipped.append(f"#{exchange} {operation}: a webhook notification (replay sends API requests)")
            continue
        if entry.get("status") is None:
            result.skipped.append(f"#{exchange} {operation}: the proxy answered it itself ({entry.get('error')})")
            continue
        if entry["request"].get(SIGN) == SignStatus.UNREADABLE:
            result.skipped.append(f"#{exchange} {operation}: its parameters could not be read, so not rebuilt")
            continue
        try:
            method, path, query, body = _build(entry, secrets, fallback)
        except MalformedParametersError as error:
            result.skipped.append(f"#{exchange} {operation}: cannot be signed again ({error})")
            continue
        headers = {"content-type": _FORM} if body is not None else {}
        target = path + ("?" + query.decode("ascii") if query else "")
        answer = client.request(method, target, content=body, headers=headers)
        result.sent += 1
        result.differences.extend(
            Difference(exchange, operation, where, recorded, replayed)
            for where, recorded, replayed in _differences(entry, answer)
        )
    return result


def _differences(entry: Mapping[str, Any], answer: httpx.Response) -> Iterator[tuple[str, str, str]]:
    if entry.get("status") != answer.status_code:
        yield "HTTP status", str(entry.get("status")), str(answer.status_code)
    try:
        replayed = orjson.loads(answer.content)
    except orjson.JSONDecodeError:
        replayed = answer.text
    recorded = entry.get("response")
    (recorded_class, recorded_code), (replayed_class, replayed_code) = _code_class(recorded), _code_class(replayed)
    if recorded_class != replayed_class:
        yield "envelope code class", recorded_code, replayed_code
        return
    yield from compare_shapes(shape_of(recorded), shape_of(replayed))
