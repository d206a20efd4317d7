"""The mutations of ``test_oasdiff_catalogue.py``: one edit of ``openapi.yaml`` per rule of oasdiff's catalogue
that can apply to this spec, each with the report lines and the verdict of a user of the Python client.

A mutation is a function that edits the parsed spec in place. Its docstring says why the verdict differs from
oasdiff's level, where it does (oasdiff's ``ERR`` and ``WARN`` are breaking, ``INFO`` is not); the catalogue
test fails when a disagreement is not explained. ``lines`` are the report's change lines, both sides, exactly:
a line that appears and is not listed fails too, so a verdict cannot rest on half the report. A mutation the
generator refuses (``make generate`` fails, saying ``refused``) has no verdict: no client can be released.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from change_report import Level

Spec = dict[str, Any]
MAJOR, MINOR, PATCH = Level.MAJOR, Level.MINOR, Level.PATCH


@dataclass(frozen=True)
class Mutation:
    edit: Callable[[Spec], None]
    rules: tuple[str, ...]  # oasdiff rule ids this edit is an instance of
    verdict: Level | None  # the level a user of the Python client gives it (None: refused)
    lines: tuple[str, ...]  # the change report's lines, both sides
    refused: str = ""  # what make generate says when the generator refuses the edited spec

    @property
    def name(self) -> str:
        return self.edit.__name__

    @property
    def why(self) -> str:
        return (self.edit.__doc__ or "").strip()


MUTATIONS: list[Mutation] = []


def mutation(
    *rules: str, verdict: Level | None, lines: tuple[str, ...] = (), refused: str = ""
) -> Callable[[Callable[[Spec], None]], Any]:
    def register(edit: Callable[[Spec], None]) -> Callable[[Spec], None]:
        MUTATIONS.append(Mutation(edit, rules, verdict, lines, refused))
        return edit

    return register


# ---- where things are -----------------------------------------------------------------------------------------


def operation(spec: Spec, operation_id: str) -> dict[str, Any]:
    for item in spec["paths"].values():
        for value in item.values():
            if isinstance(value, dict) and value.get("operationId") == operation_id:
                return value
    raise KeyError(f"no operation {operation_id} in openapi.yaml")


def path_item(spec: Spec, operation_id: str) -> dict[str, Any]:
    for item in spec["paths"].values():
        if any(isinstance(value, dict) and value.get("operationId") == operation_id for value in item.values()):
            result: dict[str, Any] = item
            return result
    raise KeyError(f"no operation {operation_id} in openapi.yaml")


def schema(spec: Spec, name: str) -> dict[str, Any]:
    result: dict[str, Any] = spec["components"]["schemas"][name]
    return result


def resolved(spec: Spec, node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def field(spec: Spec, schema_name: str, name: str) -> dict[str, Any]:
    """A property of a component schema, its ``$ref`` (if any) replaced by a copy of what it names."""
    properties = schema(spec, schema_name)["properties"]
    if set(properties[name]) == {"$ref"}:
        properties[name] = copy.deepcopy(resolved(spec, properties[name]))
    result: dict[str, Any] = properties[name]
    return result


def parameter(spec: Spec, operation_id: str, name: str) -> dict[str, Any]:
    """A parameter of an operation, a copy of it when it is a shared ``$ref`` (so only this operation changes)."""
    parameters = operation(spec, operation_id)["parameters"]
    for index, node in enumerate(parameters):
        if resolved(spec, node)["name"] == name:
            if "$ref" in node:
                parameters[index] = copy.deepcopy(resolved(spec, node))
            result: dict[str, Any] = parameters[index]
            return result
    raise KeyError(f"no parameter {name} in {operation_id}")


def parameter_schema(spec: Spec, operation_id: str, name: str) -> dict[str, Any]:
    """The schema of a parameter, its ``$ref`` (if any) replaced by a copy of what it names."""
    owner = parameter(spec, operation_id, name)
    if set(owner["schema"]) == {"$ref"}:
        owner["schema"] = copy.deepcopy(resolved(spec, owner["schema"]))
    result: dict[str, Any] = owner["schema"]
    return result


def form_body(spec: Spec, operation_id: str) -> dict[str, Any]:
    content: dict[str, Any] = operation(spec, operation_id)["requestBody"]["content"]
    return content


def success(spec: Spec, operation_id: str) -> dict[str, Any]:
    result: dict[str, Any] = operation(spec, operation_id)["responses"]["200"]
    return result


def query(name: str, schema_: dict[str, Any], *, required: bool) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema_}


# ---- operations, paths, tags, webhooks, components, info --------------------------------------------------------


@mutation(
    "endpoint-added",
    verdict=MINOR,
    lines=(
        "- Added: `cpay_client.api.balances.get_merchant_balances`: module added (functions `sync_detailed`, `sync`, "
        "`asyncio_detailed`, `asyncio`)",
        "- Added: `getMerchantBalances`: operation added (GET /openapi/v1/getMerchantBalances)",
    ),
)
def an_operation_is_added(spec: Spec) -> None:
    item = copy.deepcopy(path_item(spec, "getMerchantBalance"))
    item["get"]["operationId"] = "getMerchantBalances"
    spec["paths"]["/openapi/v1/getMerchantBalances"] = item


@mutation(
    "api-path-removed-without-deprecation",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.api.exchange.get_exchange_rate_for_credit_card`: removed",
        "- Breaking: `getExchangeRateForCreditCard`: operation removed (GET /openapi/v1/getExchangeRateForCreditCard)",
    ),
)
def a_path_is_removed(spec: Spec) -> None:
    del spec["paths"]["/openapi/v1/getExchangeRateForCreditCard"]


@mutation(
    "api-operation-id-removed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.api.exchange.exchange`: removed",
        "- Breaking: `exchange`: operation removed (POST /openapi/v1/exchange)",
        "- Added: `cpay_client.api.exchange.exchange_currency`: module added (functions `sync_detailed`, `sync`, "
        "`asyncio_detailed`, `asyncio`)",
        "- Added: `exchangeCurrency`: operation added (POST /openapi/v1/exchange)",
    ),
)
def an_operation_id_is_changed(spec: Spec) -> None:
    """oasdiff: INFO. The operationId names the client's module and functions (``cpay_client.api.exchange.exchange``):
    another one moves the operation, and every import of it fails."""
    operation(spec, "exchange")["operationId"] = "exchangeCurrency"


@mutation(
    "api-tag-removed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.api.kyc`: removed",
        "- Breaking: `submitKYC`: tag KYC -> Payouts (the client's module moves)",
        "- Added: `cpay_client.api.payouts.submit_kyc`: module added (functions `sync_detailed`, `sync`, "
        "`asyncio_detailed`, `asyncio`)",
    ),
)
def the_tag_of_an_operation_changes(spec: Spec) -> None:
    """oasdiff: INFO. The first tag names the client's package (``cpay_client.api.kyc``): another one moves the
    module, and ``from cpay_client.api.kyc import submit_kyc`` fails."""
    operation(spec, "submitKYC")["tags"] = ["Payouts"]


@mutation(
    "api-tag-added",
    verdict=PATCH,
    lines=(),
)
def a_second_tag_is_added(spec: Spec) -> None:
    operation(spec, "createOrder")["tags"].append("Orders")


@mutation(
    "webhook-added",
    verdict=MINOR,
    lines=("- Added: `webhook payoutStatusChanged`: operation added (POST payoutStatusChanged)",),
)
def a_webhook_is_added(spec: Spec) -> None:
    hook = copy.deepcopy(spec["webhooks"]["orderStatusChanged"])
    hook["post"]["operationId"] = "payoutStatusChanged"
    spec["webhooks"]["payoutStatusChanged"] = hook


@mutation(
    "webhook-removed",
    verdict=MAJOR,
    lines=("- Breaking: `webhook orderStatusChanged`: operation removed (POST orderStatusChanged)",),
)
def the_webhook_is_removed(spec: Spec) -> None:
    del spec["webhooks"]["orderStatusChanged"]


@mutation(
    "api-schema-removed",
    verdict=PATCH,
    lines=(),
)
def a_component_used_once_is_inlined_and_removed(spec: Spec) -> None:
    extension = spec["components"]["schemas"].pop("ExtInfo")
    schema(spec, "CreateFiatPayoutOrderRequest")["properties"]["extInfo"] = extension


@mutation(
    "api-version-decreased",
    verdict=PATCH,
    lines=("- Changed: `info.version`: API document version 2.0 -> 1.9",),
)
def the_document_version_goes_down(spec: Spec) -> None:
    spec["info"]["version"] = "1.9"


# ---- security -------------------------------------------------------------------------------------------------


@mutation(
    "api-security-component-added",
    verdict=PATCH,
    lines=("- Changed: `security`: security scheme `token` added",),
)
def a_security_scheme_is_added(spec: Spec) -> None:
    spec["components"]["securitySchemes"]["token"] = {"type": "http", "scheme": "bearer"}


@mutation(
    "api-security-component-removed",
    verdict=PATCH,
    lines=(
        "- Changed: `security`: security requirement `merchantId` + `sign` -> `sign`",
        "- Changed: `security`: security scheme `merchantId` removed",
    ),
)
def a_security_scheme_and_its_use_are_removed(spec: Spec) -> None:
    del spec["components"]["securitySchemes"]["merchantId"]
    for requirement in spec["security"]:
        requirement.pop("merchantId", None)


@mutation(
    "api-security-component-type-changed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `security`: security scheme `sign`: apiKey `sign` in query -> http bearer (the signing runtime, "
        "cpay_signing, still sends it the old way)",
    ),
)
def the_signature_scheme_becomes_a_bearer_token(spec: Spec) -> None:
    """oasdiff: INFO. cpay_signing signs every request with an HMAC in ``sign``; a server that wants a bearer
    token refuses every call of the client."""
    spec["components"]["securitySchemes"]["sign"] = {"type": "http", "scheme": "bearer"}


@mutation(
    "api-security-added",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.api.balances.get_merchant_balance`: `sync_detailed`, `sync`, `asyncio_detailed`, "
        "`asyncio`: parameter `client`: type `AuthenticatedClient | Client` -> `AuthenticatedClient`",
    ),
)
def an_operation_declares_its_own_security(spec: Spec) -> None:
    """oasdiff: INFO. The requirement is the document's, unchanged, but the generator types such an operation's
    ``client`` as ``AuthenticatedClient``, which ``cpay_signing.create_client`` does not return."""
    operation(spec, "getMerchantBalance")["security"] = [{"merchantId": [], "sign": []}]


@mutation(
    "api-global-security-removed",
    verdict=PATCH,
    lines=("- Changed: `security`: security requirement `merchantId` + `sign` -> (none)",),
)
def the_document_requirement_is_removed(spec: Spec) -> None:
    del spec["security"]


@mutation(
    "api-global-security-added",
    verdict=PATCH,
    lines=(
        "- Changed: `security`: security requirement `merchantId` + `sign` -> `merchantId` + `sign` or `token`",
        "- Changed: `security`: security scheme `token` added",
    ),
)
def the_document_requirement_gets_an_alternative(spec: Spec) -> None:
    spec["components"]["securitySchemes"]["token"] = {"type": "http", "scheme": "bearer"}
    spec["security"].append({"token": []})


# ---- deprecations ---------------------------------------------------------------------------------------------


@mutation(
    "endpoint-deprecated",
    verdict=MINOR,
    lines=("- Deprecated: `getExchangeRate`: operation deprecated",),
)
def an_operation_is_deprecated(spec: Spec) -> None:
    """oasdiff: INFO. A minor version: its own section of the changelog and a DeprecationWarning, so that users
    hear of it before the major version that removes it."""
    operation(spec, "getExchangeRate")["deprecated"] = True


@mutation(
    "request-parameter-deprecated",
    verdict=MINOR,
    lines=("- Deprecated: `getOrderDetail`: parameter `cpayOrderId` deprecated",),
)
def a_parameter_is_deprecated(spec: Spec) -> None:
    """oasdiff: INFO. A minor version, as for an operation."""
    parameter(spec, "getOrderDetail", "cpayOrderId")["deprecated"] = True


@mutation(
    "request-property-deprecated",
    verdict=MINOR,
    lines=("- Deprecated: `pwpp`: request field `payChannel` deprecated",),
)
def a_request_field_is_deprecated(spec: Spec) -> None:
    """oasdiff: INFO. A minor version, as for an operation."""
    schema(spec, "PwppRequest")["properties"]["payChannel"]["deprecated"] = True


@mutation(
    "response-property-deprecated",
    verdict=MINOR,
    lines=("- Deprecated: `createOrder`: response field `data.returnURL` deprecated",),
)
def a_response_field_is_deprecated(spec: Spec) -> None:
    """oasdiff: INFO. A minor version, as for an operation."""
    schema(spec, "CryptoOrder")["properties"]["returnURL"]["deprecated"] = True


# ---- request bodies ------------------------------------------------------------------------------------------


def note_body(*, required: bool) -> dict[str, Any]:
    return {
        "required": required,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": {"note": {"type": "string"}}, "required": ["note"]}
            }
        },
    }


@mutation(
    "request-body-added-required",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.api.balances.get_merchant_balance`: `sync_detailed`, `sync`, `asyncio_detailed`, "
        "`asyncio`: required parameter `body` added",
        "- Breaking: `getMerchantBalance`: request body added (required)",
        "- Added: `cpay_client.models.GetMerchantBalanceBody`: model (fields note) added",
    ),
)
def a_required_body_is_added(spec: Spec) -> None:
    operation(spec, "getMerchantBalance")["requestBody"] = note_body(required=True)


@mutation(
    "request-body-added-optional",
    verdict=MINOR,
    lines=(
        "- Added: `cpay_client.api.deposits.get_wallet_address`: `sync_detailed`, `sync`, `asyncio_detailed`, "
        "`asyncio`: optional parameter `body` added",
        "- Added: `cpay_client.models.GetWalletAddressBody`: model (fields note) added",
        "- Added: `getWalletAddress`: request body added",
    ),
)
def an_optional_body_is_added(spec: Spec) -> None:
    operation(spec, "getWalletAddress")["requestBody"] = note_body(required=False)


@mutation(
    "request-body-removed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.api.exchange.exchange`: `sync_detailed`, `sync`, `asyncio_detailed`, `asyncio`: "
        "parameter `body` removed",
        "- Breaking: `exchange`: request body removed",
    ),
)
def a_body_is_removed(spec: Spec) -> None:
    del operation(spec, "exchange")["requestBody"]


@mutation(
    "request-body-became-optional",
    verdict=PATCH,
    lines=(
        "- Changed: `cpay_client.api.kyc.submit_kyc`: `sync_detailed`, `sync`, `asyncio_detailed`, `asyncio`: "
        "parameter `body`: type `SubmitKycRequest` -> `SubmitKycRequest | Unset`",
        "- Changed: `submitKYC`: request body is now optional",
    ),
)
def a_body_becomes_optional(spec: Spec) -> None:
    operation(spec, "submitKYC")["requestBody"]["required"] = False


@mutation("request-body-media-type-added", verdict=None, refused="the request body has 2 media types")
def a_body_also_takes_json(spec: Spec) -> None:
    """oasdiff: INFO. openapi-python-client 0.29.1 turns a second media type of the same model into a module that
    fails at import (``Unset`` is used, not imported) and sets the model as both ``data`` and ``json``, so httpx
    would send the form labelled ``application/json``; ``make generate`` refuses such a spec (``generate.py``)."""
    body = form_body(spec, "createOrder")
    body["application/json"] = copy.deepcopy(body["application/x-www-form-urlencoded"])


@mutation(
    "request-body-media-type-removed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `createOrderByCreditCard`: request body now application/json instead of "
        "application/x-www-form-urlencoded (the client now writes application/json; cpay_signing signs only "
        "application/x-www-form-urlencoded bodies (section 16) and raises CPayError for others)",
    ),
)
def a_form_body_becomes_json(spec: Spec) -> None:
    """Agreed with oasdiff, for another reason: the regenerated client does send the model as JSON, with the
    caller's code unchanged, but ``cpay_signing`` signs only forms (section 16) and raises ``CPayError`` for any
    other body, so every call fails."""
    body = form_body(spec, "createOrderByCreditCard")
    body["application/json"] = body.pop("application/x-www-form-urlencoded")


@mutation("request-body-media-type-schema-removed", verdict=None, refused="Missing schema")
def a_body_loses_its_schema(spec: Spec) -> None:
    """oasdiff: INFO. openapi-python-client refuses a request body without a schema ("Missing schema"), and
    ``make generate`` fails on the warning: no client of such a spec can be released."""
    del form_body(spec, "withdraw")["application/x-www-form-urlencoded"]["schema"]


@mutation(
    "request-body-if-added",
    "request-body-then-added",
    verdict=MAJOR,
    lines=(
        "- Breaking: `exchange`: request body: `if` added (not analysed: may refuse what it accepted)",
        "- Breaking: `exchange`: request body: `then` added (not analysed: may refuse what it accepted)",
    ),
)
def a_body_gets_a_condition(spec: Spec) -> None:
    body = schema(spec, "ExchangeRequest")
    body["if"] = {"properties": {"sourceCurrency": {"const": "BRL"}}, "required": ["sourceCurrency"]}
    body["then"] = {"properties": {"targetCurrency": {"const": "USDT"}}}


@mutation(
    "request-body-if-removed",
    "request-body-then-removed",
    verdict=PATCH,
    lines=(
        "- Changed: `createFiatPayoutOrder`: request body: `if` removed",
        "- Changed: `createFiatPayoutOrder`: request body: `then` removed",
    ),
)
def a_body_loses_its_condition(spec: Spec) -> None:
    body = schema(spec, "CreateFiatPayoutOrderRequest")
    del body["if"], body["then"]


@mutation(
    "request-body-else-added",
    verdict=MAJOR,
    lines=(
        "- Breaking: `createFiatPayoutOrder`: request body: `else` added (not analysed: may refuse what it accepted)",
    ),
)
def a_body_condition_gets_an_else(spec: Spec) -> None:
    schema(spec, "CreateFiatPayoutOrderRequest")["else"] = {"properties": {"currency": {"not": {"const": "BRL"}}}}


# ---- query parameters ----------------------------------------------------------------------------------------


@mutation(
    "new-required-request-parameter",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.api.deposits.get_wallet_address`: `sync_detailed`, `sync`, `asyncio_detailed`, "
        "`asyncio`: required parameter `network` added",
        "- Breaking: `getWalletAddress`: required query parameter `network` added",
    ),
)
def a_required_parameter_is_added(spec: Spec) -> None:
    operation(spec, "getWalletAddress")["parameters"].append(query("network", {"type": "string"}, required=True))


@mutation(
    "new-optional-request-parameter",
    verdict=MINOR,
    lines=(
        "- Added: `cpay_client.api.orders.get_order_detail`: `sync_detailed`, `sync`, `asyncio_detailed`, `asyncio`: "
        "optional parameter `network` added",
        "- Added: `getOrderDetail`: optional query parameter `network` added",
    ),
)
def an_optional_parameter_is_added(spec: Spec) -> None:
    operation(spec, "getOrderDetail")["parameters"].append(query("network", {"type": "string"}, required=False))


@mutation(
    "new-required-request-default-parameter-to-existing-path",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.api.balances.get_merchant_balance`: `sync_detailed`, `sync`, `asyncio_detailed`, "
        "`asyncio`: required parameter `currency` added",
        "- Breaking: `getMerchantBalance`: required query parameter `currency` added",
    ),
)
def a_required_path_level_parameter_is_added(spec: Spec) -> None:
    path_item(spec, "getMerchantBalance")["parameters"] = [query("currency", {"type": "string"}, required=True)]


@mutation(
    "new-optional-request-default-parameter-to-existing-path",
    verdict=MINOR,
    lines=(
        "- Added: `cpay_client.api.exchange.get_exchange_rate`: `sync_detailed`, `sync`, `asyncio_detailed`, "
        "`asyncio`: optional parameter `scale` added",
        "- Added: `getExchangeRate`: optional query parameter `scale` added",
    ),
)
def an_optional_path_level_parameter_is_added(spec: Spec) -> None:
    path_item(spec, "getExchangeRate")["parameters"] = [query("scale", {"type": "integer"}, required=False)]


@mutation(
    "request-parameter-removed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.api.orders.get_order_detail`: `sync_detailed`, `sync`, `asyncio_detailed`, "
        "`asyncio`: parameter `hash_` removed",
        "- Breaking: `getOrderDetail`: parameter `hash` removed",
    ),
)
def a_parameter_is_removed(spec: Spec) -> None:
    """oasdiff: WARN. The argument disappears from the four functions: a call that passes it is a TypeError."""
    operation(spec, "getOrderDetail")["parameters"] = [
        node for node in operation(spec, "getOrderDetail")["parameters"] if node.get("name") != "hash"
    ]


@mutation(
    "request-parameter-became-required",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.api.orders.get_order_detail`: `sync_detailed`, `sync`, `asyncio_detailed`, "
        "`asyncio`: parameter `merchant_trade_no` is now required",
        "- Breaking: `cpay_client.api.orders.get_order_detail`: `sync_detailed`, `sync`, `asyncio_detailed`, "
        "`asyncio`: parameter `merchant_trade_no`: type `str | Unset` -> `str`",
        "- Breaking: `getOrderDetail`: parameter `merchantTradeNo` is now required",
    ),
)
def a_parameter_becomes_required(spec: Spec) -> None:
    parameter(spec, "getOrderDetail", "merchantTradeNo")["required"] = True


@mutation(
    "request-parameter-became-optional",
    verdict=PATCH,
    lines=(
        "- Changed: `cpay_client.api.exchange.get_exchange_rate_for_credit_card`: `sync_detailed`, `sync`, "
        "`asyncio_detailed`, `asyncio`: parameter `purchase_type`: type `PurchaseType` -> `PurchaseType | Unset`",
        "- Changed: `getExchangeRateForCreditCard`: parameter `purchaseType` is now optional",
    ),
)
def a_parameter_becomes_optional(spec: Spec) -> None:
    parameter(spec, "getExchangeRateForCreditCard", "purchaseType")["required"] = False


@mutation(
    "request-parameter-became-enum",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.api.exchange.get_exchange_rate`: `sync_detailed`, `sync`, `asyncio_detailed`, "
        "`asyncio`: parameter `source_currency`: type `str` -> `GetExchangeRateSourceCurrency`",
        "- Breaking: `getExchangeRate`: parameter `sourceCurrency`: now limited to `USD`, `EUR`, `USDT`",
        "- Added: `cpay_client.models.GetExchangeRateSourceCurrency`: enum (members EUR, USD, USDT) added",
    ),
)
def a_parameter_becomes_an_enum(spec: Spec) -> None:
    parameter_schema(spec, "getExchangeRate", "sourceCurrency")["enum"] = ["USD", "EUR", "USDT"]


@mutation(
    "request-parameter-enum-value-added",
    verdict=MINOR,
    lines=(
        "- Added: `cpay_client.models.PurchaseType`: enum member `BY_FEE` added",
        "- Added: `getExchangeRateForCreditCard`: parameter `purchaseType`: enum value `2` added",
        "- Added: `getExchangeRate`: parameter `purchaseType`: enum value `2` added",
    ),
)
def a_parameter_enum_gets_a_value(spec: Spec) -> None:
    purchase = schema(spec, "PurchaseType")
    purchase["enum"].append(2)
    purchase["x-enum-varnames"].append("BY_FEE")


@mutation(
    "request-parameter-enum-value-removed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.PurchaseType.BY_TARGET_AMOUNT`: removed",
        "- Breaking: `getExchangeRateForCreditCard`: parameter `purchaseType`: enum value `1` removed",
        "- Breaking: `getExchangeRate`: parameter `purchaseType`: enum value `1` removed",
    ),
)
def a_parameter_enum_loses_a_value(spec: Spec) -> None:
    purchase = schema(spec, "PurchaseType")
    purchase["enum"].remove(1)
    purchase["x-enum-varnames"].remove("BY_TARGET_AMOUNT")


@mutation(
    "request-parameter-became-nullable",
    verdict=PATCH,
    lines=(
        "- Changed: `cpay_client.api.orders.get_order_detail`: `sync_detailed`, `sync`, `asyncio_detailed`, "
        "`asyncio`: parameter `cpay_order_id`: type `str | Unset` -> `None | str | Unset`",
        "- Changed: `getOrderDetail`: parameter `cpayOrderId` may now be null",
    ),
)
def a_parameter_may_be_null(spec: Spec) -> None:
    parameter_schema(spec, "getOrderDetail", "cpayOrderId")["type"] = ["string", "null"]


@mutation(
    "request-parameter-default-value-added",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.api.orders.get_order_detail`: `sync_detailed`, `sync`, `asyncio_detailed`, "
        "`asyncio`: parameter `hash_`: default `UNSET` -> `'0x0'`",
        "- Breaking: `getOrderDetail`: parameter `hash`: default (none) -> `0x0` (the same call now sends another "
        "value)",
    ),
)
def a_parameter_gets_a_default(spec: Spec) -> None:
    parameter_schema(spec, "getOrderDetail", "hash")["default"] = "0x0"


@mutation(
    "request-parameter-type-changed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.api.exchange.get_exchange_rate_for_credit_card`: `sync_detailed`, `sync`, "
        "`asyncio_detailed`, `asyncio`: parameter `amount`: type `str` -> `int`",
        "- Breaking: `getExchangeRateForCreditCard`: parameter `amount`: type string -> integer",
    ),
)
def a_parameter_changes_type(spec: Spec) -> None:
    parameter_schema(spec, "getExchangeRateForCreditCard", "amount")["type"] = "integer"


@mutation(
    "request-parameter-type-generalized",
    verdict=PATCH,
    lines=("- Changed: `getExchangeRate`: parameter `purchaseType`: type integer -> number",),
)
def an_integer_parameter_becomes_a_number(spec: Spec) -> None:
    parameter(spec, "getExchangeRate", "purchaseType")["schema"]["type"] = "number"  # beside the enum's $ref


@mutation(
    "request-parameter-list-of-types-widened",
    verdict=PATCH,
    lines=(
        "- Changed: `cpay_client.api.orders.get_order_detail`: `sync_detailed`, `sync`, `asyncio_detailed`, "
        "`asyncio`: parameter `merchant_trade_no`: type `str | Unset` -> `int | str | Unset`",
        "- Changed: `getOrderDetail`: parameter `merchantTradeNo`: type string -> integer | string",
    ),
)
def a_parameter_also_takes_integers(spec: Spec) -> None:
    parameter_schema(spec, "getOrderDetail", "merchantTradeNo")["type"] = ["string", "integer"]


@mutation(
    "request-parameter-max-length-decreased",
    verdict=MAJOR,
    lines=("- Breaking: `getOrderDetail`: parameter `hash`: maxLength `128` -> `66`",),
)
def a_parameter_max_length_goes_down(spec: Spec) -> None:
    parameter_schema(spec, "getOrderDetail", "hash")["maxLength"] = 66


@mutation(
    "request-parameter-max-length-increased",
    verdict=PATCH,
    lines=("- Changed: `getOrderDetail`: parameter `cpayOrderId`: maxLength `64` -> `128`",),
)
def a_parameter_max_length_goes_up(spec: Spec) -> None:
    parameter_schema(spec, "getOrderDetail", "cpayOrderId")["maxLength"] = 128


@mutation(
    "request-parameter-min-length-increased",
    verdict=MAJOR,
    lines=("- Breaking: `getWalletAddress`: parameter `userId`: minLength `1` -> `4`",),
)
def a_parameter_min_length_goes_up(spec: Spec) -> None:
    parameter_schema(spec, "getWalletAddress", "userId")["minLength"] = 4


@mutation(
    "request-parameter-min-length-decreased",
    verdict=PATCH,
    lines=("- Changed: `getExchangeRate`: parameter `targetCurrency`: minLength `2` -> `1`",),
)
def a_parameter_min_length_goes_down(spec: Spec) -> None:
    parameter_schema(spec, "getExchangeRate", "targetCurrency")["minLength"] = 1


@mutation(
    "request-parameter-max-set",
    verdict=MAJOR,
    lines=("- Breaking: `getExchangeRateForCreditCard`: parameter `purchaseType`: maximum (none) -> `0`",),
)
def a_parameter_gets_a_maximum(spec: Spec) -> None:
    parameter(spec, "getExchangeRateForCreditCard", "purchaseType")["schema"]["maximum"] = 0  # beside the $ref


@mutation(
    "request-parameter-min-set",
    verdict=MAJOR,
    lines=("- Breaking: `getExchangeRate`: parameter `purchaseType`: minimum (none) -> `1`",),
)
def a_parameter_gets_a_minimum(spec: Spec) -> None:
    parameter(spec, "getExchangeRate", "purchaseType")["schema"]["minimum"] = 1  # beside the enum's $ref


@mutation(
    "request-parameter-pattern-added",
    verdict=MAJOR,
    lines=("- Breaking: `getOrderDetail`: parameter `cpayOrderId`: pattern (none) -> `^[0-9]+$`",),
)
def a_parameter_gets_a_pattern(spec: Spec) -> None:
    parameter_schema(spec, "getOrderDetail", "cpayOrderId")["pattern"] = "^[0-9]+$"


@mutation(
    "request-parameter-pattern-removed",
    verdict=PATCH,
    lines=("- Changed: `getExchangeRate`: parameter `sourceCurrency`: pattern `^[A-Z0-9]{2,16}$` -> (none)",),
)
def a_parameter_loses_its_pattern(spec: Spec) -> None:
    del parameter_schema(spec, "getExchangeRate", "sourceCurrency")["pattern"]


@mutation(
    "request-parameter-pattern-changed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `getExchangeRateForCreditCard`: parameter `targetCurrency`: pattern `^[A-Z0-9]{2,16}$` -> "
        "`^[A-Z]{3,5}$` (narrower: refuses e.g. `00`)",
    ),
)
def a_parameter_pattern_narrows(spec: Spec) -> None:
    """oasdiff: WARN (it cannot tell). The report shows a currency code the old pattern accepts and the new one
    refuses, so the narrowing is a fact."""
    parameter_schema(spec, "getExchangeRateForCreditCard", "targetCurrency")["pattern"] = "^[A-Z]{3,5}$"


@mutation(
    "request-parameter-pattern-generalized",
    verdict=PATCH,
    lines=(
        "- Changed: `getExchangeRate`: parameter `amount`: pattern `^(0|[1-9][0-9]{0,19})(\\.[0-9]{1,8})?$` -> "
        "`^(0|[1-9][0-9]{0,19})(\\.[0-9]{1,18})?$` (wider: accepts every value it accepted: also accepts e.g. "
        "`0.000000000000000000`)",
    ),
)
def a_parameter_pattern_widens(spec: Spec) -> None:
    schema_ = parameter_schema(spec, "getExchangeRate", "amount")
    schema_["pattern"] = schema_["pattern"].replace("{1,8}", "{1,18}")


# ---- request fields ------------------------------------------------------------------------------------------


@mutation(
    "new-required-request-property",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.ExchangeRequest`: required field `quote_id` added (a new constructor "
        "argument)",
        "- Breaking: `exchange`: required request field `quoteId` added",
    ),
)
def a_required_request_field_is_added(spec: Spec) -> None:
    body = schema(spec, "ExchangeRequest")
    body["properties"]["quoteId"] = {"type": "string", "maxLength": 64}
    body["required"].append("quoteId")


@mutation(
    "new-required-request-property-with-default",
    verdict=MINOR,
    lines=(
        "- Added: `cpay_client.models.CreateOrderRequest`: optional field `network` added",
        "- Added: `createOrder`: required request field `network` added (with a default, which the client sends)",
    ),
)
def a_required_request_field_with_a_default_is_added(spec: Spec) -> None:
    """oasdiff: ERR (a request without it is invalid). The generated client sends the default for a caller who
    leaves it out, so every existing call of the Python client is valid: an addition."""
    body = schema(spec, "CreateOrderRequest")
    body["properties"]["network"] = {"type": "string", "default": "TRON(TRC-20)"}
    body["required"].append("network")


@mutation(
    "new-optional-request-property",
    verdict=MINOR,
    lines=(
        "- Added: `cpay_client.models.WithdrawRequest`: optional field `memo` added",
        "- Added: `withdraw`: optional request field `memo` added",
    ),
)
def an_optional_request_field_is_added(spec: Spec) -> None:
    schema(spec, "WithdrawRequest")["properties"]["memo"] = {"type": "string", "maxLength": 64}


@mutation(
    "request-property-removed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.PwppRequest.cc_storage_id`: removed",
        "- Breaking: `pwpp`: request field `ccStorageID` removed",
    ),
)
def a_request_field_is_removed(spec: Spec) -> None:
    """oasdiff: WARN. The model loses the field: a caller that passes it gets a TypeError."""
    del schema(spec, "PwppRequest")["properties"]["ccStorageID"]


@mutation(
    "request-property-became-required",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.CreateFiatPayoutOrderRequest.remark`: type `str | Unset` -> `str`",
        "- Breaking: `cpay_client.models.CreateFiatPayoutOrderRequest`: field `remark` is now a required constructor "
        "argument",
        "- Breaking: `createFiatPayoutOrder`: request field `remark` is now required",
    ),
)
def a_request_field_becomes_required(spec: Spec) -> None:
    schema(spec, "CreateFiatPayoutOrderRequest")["required"].append("remark")


@mutation(
    "request-property-became-required-with-default",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.PwppRequest.store_cc`: type `PwppRequestStoreCc | Unset` -> "
        "`PwppRequestStoreCc`",
        "- Breaking: `cpay_client.models.PwppRequest`: field `store_cc`: default `UNSET` -> "
        "`PwppRequestStoreCc.DO_NOT_STORE` (the same call now sends another value)",
        "- Breaking: `pwpp`: request field `storeCc`: default (none) -> `0` (the same call now sends another value)",
        "- Changed: `pwpp`: request field `storeCc` is now required (with a default, which the client sends)",
    ),
)
def an_optional_request_field_becomes_required_with_a_default(spec: Spec) -> None:
    """Agreed with oasdiff, for another reason: being required is no change for a caller (the client sends the
    default when the caller leaves the field out); the new default is, since the same call now sends
    ``storeCc=0``."""
    pwpp = schema(spec, "PwppRequest")
    pwpp["properties"]["storeCc"]["default"] = "0"
    pwpp["required"].append("storeCc")


@mutation(
    "request-property-became-optional",
    verdict=PATCH,
    lines=(
        "- Changed: `cpay_client.models.CreateOrderByCreditCardRequest.ip`: type `str` -> `str | Unset`",
        "- Changed: `cpay_client.models.CreateOrderByCreditCardRequest`: field `ip` may now be left out (default "
        "`UNSET`)",
        "- Changed: `createOrderByCreditCard`: request field `ip` is now optional",
    ),
)
def a_request_field_becomes_optional(spec: Spec) -> None:
    schema(spec, "CreateOrderByCreditCardRequest")["required"].remove("ip")


@mutation(
    "request-property-became-enum",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.CreateFiatPayoutOrderRequest.currency`: type `str` -> "
        "`CreateFiatPayoutOrderRequestCurrency`",
        "- Breaking: `createFiatPayoutOrder`: request field `currency`: now limited to `BRL`, `USD`",
        "- Added: `cpay_client.models.CreateFiatPayoutOrderRequestCurrency`: enum (members BRL, USD) added",
    ),
)
def a_request_field_becomes_an_enum(spec: Spec) -> None:
    schema(spec, "CreateFiatPayoutOrderRequest")["properties"]["currency"]["enum"] = ["BRL", "USD"]


@mutation(
    "request-property-enum-value-added",
    verdict=MINOR,
    lines=(
        "- Added: `cpay_client.models.PwppRequestCurrency`: enum member `GBP` added",
        "- Added: `pwpp`: request field `currency`: enum value `GBP` added",
    ),
)
def a_request_enum_gets_a_value(spec: Spec) -> None:
    currency = schema(spec, "PwppRequest")["properties"]["currency"]
    currency["enum"].append("GBP")
    currency["x-enum-varnames"].append("GBP")


@mutation(
    "request-property-enum-value-removed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.CreateOrderRequestCryptoCurrency.BNB`: removed",
        "- Breaking: `createOrder`: request field `cryptoCurrency`: enum value `BNB` removed",
    ),
)
def a_request_enum_loses_a_value(spec: Spec) -> None:
    currency = schema(spec, "CreateOrderRequest")["properties"]["cryptoCurrency"]
    currency["enum"].remove("BNB")
    currency["x-enum-varnames"].remove("BNB")


@mutation(
    "request-property-became-nullable",
    verdict=PATCH,
    lines=(
        "- Changed: `cpay_client.models.CreateFiatPayoutOrderRequest.account_code`: type `str | Unset` -> `None | str "
        "| Unset`",
        "- Changed: `createFiatPayoutOrder`: request field `accountCode` may now be null",
    ),
)
def a_request_field_may_be_null(spec: Spec) -> None:
    schema(spec, "CreateFiatPayoutOrderRequest")["properties"]["accountCode"]["type"] = ["string", "null"]


@mutation(
    "request-property-default-value-added",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.CreateOrderByCreditCardRequest`: field `lanuage`: default `UNSET` -> "
        "`CreateOrderByCreditCardRequestLanuage.EN_US` (the same call now sends another value)",
        "- Breaking: `createOrderByCreditCard`: request field `lanuage`: default (none) -> `en-US` (the same call now "
        "sends another value)",
    ),
)
def a_request_field_gets_a_default(spec: Spec) -> None:
    """oasdiff: INFO (a default is the server's fallback). The generated client sends the default itself for a
    caller who leaves the field out: the same call now sends ``lanuage=en-US``."""
    schema(spec, "CreateOrderByCreditCardRequest")["properties"]["lanuage"]["default"] = "en-US"


@mutation(
    "request-property-const-added",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.PwppRequest.lang`: type `str | Unset` -> `Literal['en'] | Unset`",
        "- Breaking: `pwpp`: request field `lang`: const (none) -> `en`",
    ),
)
def a_request_field_gets_a_const(spec: Spec) -> None:
    schema(spec, "PwppRequest")["properties"]["lang"]["const"] = "en"


@mutation(
    "request-property-type-changed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.WithdrawRequest.to_address`: type `str` -> `int`",
        "- Breaking: `withdraw`: request field `toAddress`: type string -> integer",
    ),
)
def a_request_field_changes_type(spec: Spec) -> None:
    schema(spec, "WithdrawRequest")["properties"]["toAddress"]["type"] = "integer"


@mutation(
    "request-property-type-generalized",
    verdict=PATCH,
    lines=(
        "- Changed: `cpay_client.models.ExchangeRequest.create_time`: type `int` -> `float`",
        "- Changed: `exchange`: request field `createTime`: type integer (int64) -> number (int64)",
    ),
)
def an_integer_request_field_becomes_a_number(spec: Spec) -> None:
    field(spec, "ExchangeRequest", "createTime")["type"] = "number"


@mutation(
    "request-property-type-compatible",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.CreateOrderRequest.create_time`: type `int` -> `str`",
        "- Breaking: `createOrder`: request field `createTime`: type integer (int64) -> string (int64)",
    ),
)
def an_integer_request_field_becomes_a_string(spec: Spec) -> None:
    """oasdiff: INFO (in a form, ``1`` and ``"1"`` are the same text). Not for a typed client: the annotation
    becomes ``str``, so every caller passing an ``int`` fails mypy, and ``int`` values read back are ``str``."""
    field(spec, "CreateOrderRequest", "createTime")["type"] = "string"


@mutation(
    "request-property-list-of-types-widened",
    verdict=PATCH,
    lines=(
        "- Changed: `cpay_client.models.CreateFiatPayoutOrderRequest.to_account`: type `str` -> `int | str`",
        "- Changed: `createFiatPayoutOrder`: request field `toAccount`: type string -> integer | string",
    ),
)
def a_request_field_also_takes_integers(spec: Spec) -> None:
    schema(spec, "CreateFiatPayoutOrderRequest")["properties"]["toAccount"]["type"] = ["string", "integer"]


@mutation(
    "request-property-any-of-added",
    verdict=PATCH,
    lines=(
        "- Changed: `cpay_client.models.PwppRequest.zip_`: type `str` -> `int | str`",
        "- Changed: `pwpp`: request field `zip`: type string -> string | integer",
    ),
)
def a_request_field_becomes_a_union(spec: Spec) -> None:
    schema(spec, "PwppRequest")["properties"]["zip"] = {
        "anyOf": [{"type": "string", "minLength": 1, "maxLength": 16}, {"type": "integer"}],
        "description": "Billing zip code.",
    }


@mutation(
    "request-property-one-of-added",
    verdict=PATCH,
    lines=(
        "- Changed: `cpay_client.models.CreateFiatPayoutOrderRequest.account_code`: type `str | Unset` -> `int | str "
        "| Unset`",
        "- Changed: `createFiatPayoutOrder`: request field `accountCode`: type string -> string | integer",
        "- Documentation: `createFiatPayoutOrder`: request field `accountCode`: description changed",
    ),
)
def a_request_field_becomes_one_of_two_types(spec: Spec) -> None:
    schema(spec, "CreateFiatPayoutOrderRequest")["properties"]["accountCode"] = {
        "oneOf": [{"type": "string", "maxLength": 64}, {"type": "integer"}]
    }


@mutation(
    "request-property-all-of-added",
    verdict=MAJOR,
    lines=("- Breaking: `pwpp`: request field `payChannel`: minLength (none) -> `1`",),
)
def a_request_field_takes_the_rules_of_a_component(spec: Spec) -> None:
    schema(spec, "PwppRequest")["properties"]["payChannel"] = {
        "allOf": [{"$ref": "#/components/schemas/Network"}],
        "description": "Payment channel, e.g. payChannel1.",
    }


@mutation(
    "request-property-all-of-removed",
    verdict=PATCH,
    lines=(
        "- Changed: `exchange`: request field `targetCurrency`: maxLength `16` -> (none)",
        "- Changed: `exchange`: request field `targetCurrency`: minLength `2` -> (none)",
        "- Changed: `exchange`: request field `targetCurrency`: pattern `^[A-Z0-9]{2,16}$` -> (none)",
    ),
)
def a_request_field_drops_the_rules_of_a_component(spec: Spec) -> None:
    """oasdiff: WARN. Dropping ``allOf: [CurrencyCode]`` drops its pattern and lengths: the server accepts
    more; the generated type is ``str`` either way."""
    properties = schema(spec, "ExchangeRequest")["properties"]
    properties["targetCurrency"] = {"type": "string", "description": properties["targetCurrency"]["description"]}


@mutation(
    "request-property-all-of-added-annotation-only",
    verdict=PATCH,
    lines=(),
)
def a_request_field_gets_an_annotation_through_all_of(spec: Spec) -> None:
    schema(spec, "PwppRequest")["properties"]["ip"]["allOf"] = [{"examples": ["192.0.2.1"]}]


@mutation(
    "request-property-max-decreased",
    verdict=MAJOR,
    lines=("- Breaking: `pwpp`: request field `createTime`: maximum `9223372036854775807` -> `4102444800000`",),
)
def a_request_maximum_goes_down(spec: Spec) -> None:
    field(spec, "PwppRequest", "createTime")["maximum"] = 4102444800000


@mutation(
    "request-property-max-increased",
    verdict=PATCH,
    lines=(
        "- Changed: `createFiatPayoutOrder`: request field `createTime`: maximum `9223372036854775807` -> "
        "`18446744073709551615`",
    ),
)
def a_request_maximum_goes_up(spec: Spec) -> None:
    field(spec, "CreateFiatPayoutOrderRequest", "createTime")["maximum"] = 18446744073709551615


@mutation(
    "request-property-min-increased",
    verdict=MAJOR,
    lines=("- Breaking: `createOrderByCreditCard`: request field `createTime`: minimum `0` -> `1600000000000`",),
)
def a_request_minimum_goes_up(spec: Spec) -> None:
    field(spec, "CreateOrderByCreditCardRequest", "createTime")["minimum"] = 1600000000000


@mutation(
    "request-property-min-decreased",
    verdict=PATCH,
    lines=("- Changed: `withdraw`: request field `createTime`: minimum `0` -> `-1`",),
)
def a_request_minimum_goes_down(spec: Spec) -> None:
    field(spec, "WithdrawRequest", "createTime")["minimum"] = -1


@mutation(
    "request-property-max-length-set",
    verdict=MAJOR,
    lines=("- Breaking: `pwpp`: request field `iddCode`: maxLength (none) -> `3`",),
)
def a_request_field_gets_a_max_length(spec: Spec) -> None:
    schema(spec, "PwppRequest")["properties"]["iddCode"]["maxLength"] = 3


@mutation(
    "request-property-max-length-decreased",
    verdict=MAJOR,
    lines=("- Breaking: `createFiatPayoutOrder`: request field `remark`: maxLength `256` -> `128`",),
)
def a_request_max_length_goes_down(spec: Spec) -> None:
    schema(spec, "CreateFiatPayoutOrderRequest")["properties"]["remark"]["maxLength"] = 128


@mutation(
    "request-property-max-length-increased",
    verdict=PATCH,
    lines=("- Changed: `pwpp`: request field `zip`: maxLength `16` -> `32`",),
)
def a_request_max_length_goes_up(spec: Spec) -> None:
    schema(spec, "PwppRequest")["properties"]["zip"]["maxLength"] = 32


@mutation(
    "request-property-min-length-increased",
    verdict=MAJOR,
    lines=("- Breaking: `withdraw`: request field `toAddress`: minLength `1` -> `26`",),
)
def a_request_min_length_goes_up(spec: Spec) -> None:
    schema(spec, "WithdrawRequest")["properties"]["toAddress"]["minLength"] = 26


@mutation(
    "request-property-min-length-decreased",
    verdict=PATCH,
    lines=("- Changed: `createOrderByCreditCard`: request field `ip`: minLength `2` -> `1`",),
)
def a_request_min_length_goes_down(spec: Spec) -> None:
    schema(spec, "CreateOrderByCreditCardRequest")["properties"]["ip"]["minLength"] = 1


@mutation(
    "request-property-min-items-increased",
    verdict=MAJOR,
    lines=("- Breaking: `submitKYC`: request field `data (JSON content)`: minItems `1` -> `2`",),
)
def a_request_json_list_needs_more_items(spec: Spec) -> None:
    schema(spec, "SubmitKycRequest")["properties"]["data"]["contentSchema"]["minItems"] = 2


@mutation(
    "request-property-min-items-set",
    verdict=MAJOR,
    lines=("- Breaking: `submitKYC`: request field `data (JSON content)[].documentUrls`: minItems (none) -> `1`",),
)
def a_request_json_list_gets_a_minimum(spec: Spec) -> None:
    schema(spec, "KycRecord")["properties"]["documentUrls"]["minItems"] = 1


@mutation(
    "request-property-pattern-added",
    verdict=MAJOR,
    lines=("- Breaking: `createFiatPayoutOrder`: request field `toAccount`: pattern (none) -> `^[^ ]+$`",),
)
def a_request_field_gets_a_pattern(spec: Spec) -> None:
    schema(spec, "CreateFiatPayoutOrderRequest")["properties"]["toAccount"]["pattern"] = "^[^ ]+$"


@mutation(
    "request-property-pattern-removed",
    verdict=PATCH,
    lines=("- Changed: `pwpp`: request field `city`: pattern `^[A-Za-z ]{1,15}$` -> (none)",),
)
def a_request_field_loses_its_pattern(spec: Spec) -> None:
    del schema(spec, "PwppRequest")["properties"]["city"]["pattern"]


@mutation(
    "request-property-pattern-changed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `pwpp`: request field `mobile`: pattern `^[0-9]{4,15}$` -> `^[0-9]{6,15}$` (narrower: refuses "
        "e.g. `0000`)",
    ),
)
def a_request_pattern_narrows(spec: Spec) -> None:
    """oasdiff: WARN (it cannot tell). The report names a mobile number the old pattern accepts and the new one
    refuses: a narrowing shown, not guessed."""
    schema(spec, "PwppRequest")["properties"]["mobile"]["pattern"] = "^[0-9]{6,15}$"


@mutation(
    "request-property-pattern-generalized",
    verdict=PATCH,
    lines=(
        "- Changed: `createFiatPayoutOrder`: request field `amount`: pattern `^(0|[1-9][0-9]{0,8})(\\.[0-9]{1,2})?$` "
        "-> `^(0|[1-9][0-9]{0,8})(\\.[0-9]{1,8})?$` (wider: accepts every value it accepted: also accepts e.g. "
        "`0.00000000`)",
    ),
)
def a_request_pattern_widens(spec: Spec) -> None:
    properties = schema(spec, "CreateFiatPayoutOrderRequest")["properties"]
    properties["amount"]["pattern"] = properties["amount"]["pattern"].replace("{1,2}", "{1,8}")


@mutation(
    "request-property-content-schema-added",
    verdict=MAJOR,
    lines=("- Breaking: `withdraw`: request field `toAddress`: JSON content schema added",),
)
def a_request_text_field_must_now_hold_json(spec: Spec) -> None:
    schema(spec, "WithdrawRequest")["properties"]["toAddress"]["contentSchema"] = {"type": "object"}


@mutation(
    "request-property-content-schema-removed",
    verdict=PATCH,
    lines=("- Changed: `createFiatPayoutOrder`: request field `extInfo`: JSON content schema removed",),
)
def a_request_text_field_no_longer_holds_checked_json(spec: Spec) -> None:
    """oasdiff: INFO. Agreed: nothing is checked inside the text any more."""
    del schema(spec, "ExtInfo")["contentSchema"]


@mutation(
    "request-property-content-media-type-changed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `createOrderByCreditCard`: request field `products`: contentMediaType `application/json` -> "
        "`text/csv`",
        "- Breaking: `pwpp`: request field `products`: contentMediaType `application/json` -> `text/csv`",
    ),
)
def a_request_text_field_holds_another_format(spec: Spec) -> None:
    schema(spec, "Products")["contentMediaType"] = "text/csv"


@mutation(
    "request-property-content-encoding-changed",
    verdict=MAJOR,
    lines=("- Breaking: `submitKYC`: request field `data`: contentEncoding (none) -> `base64`",),
)
def a_request_text_field_is_now_base64(spec: Spec) -> None:
    schema(spec, "SubmitKycRequest")["properties"]["data"]["contentEncoding"] = "base64"


# ---- responses -----------------------------------------------------------------------------------------------


@mutation(
    "response-success-status-removed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `getWalletAddress`: response 200 removed",
        "- Added: `getWalletAddress`: response 201 added",
    ),
)
def the_success_status_changes(spec: Spec) -> None:
    responses = operation(spec, "getWalletAddress")["responses"]
    responses["201"] = responses.pop("200")


@mutation(
    "response-success-status-added",
    verdict=MINOR,
    lines=("- Added: `getMerchantBalance`: response 202 added",),
)
def a_second_success_status_is_added(spec: Spec) -> None:
    """oasdiff: INFO. Agreed that nothing breaks; the client gains a parsed answer for it (an addition)."""
    responses = operation(spec, "getMerchantBalance")["responses"]
    responses["202"] = copy.deepcopy(responses["200"])


@mutation(
    "response-non-success-status-added",
    verdict=MINOR,
    lines=("- Added: `exchange`: response 500 added",),
)
def an_error_status_is_added(spec: Spec) -> None:
    """oasdiff: INFO. Agreed that nothing breaks; the client parses it (an addition)."""
    responses = operation(spec, "exchange")["responses"]
    responses["500"] = copy.deepcopy(responses["200"])
    responses["500"]["description"] = "A server error, in the envelope."


@mutation(
    "response-media-type-removed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.api.exchange.get_exchange_rate`: `sync_detailed`, `asyncio_detailed`: return type "
        "`Response[GetExchangeRateResponse]` -> `Response[Any]`",
        "- Breaking: `cpay_client.api.exchange.get_exchange_rate`: `sync`, `asyncio`: removed",
        "- Breaking: `getExchangeRate`: response no longer application/json",
    ),
)
def a_response_loses_its_media_type(spec: Spec) -> None:
    del success(spec, "getExchangeRate")["content"]


@mutation(
    "response-media-type-added",
    verdict=MINOR,
    lines=("- Added: `submitKYC`: response also application/xml",),
)
def a_response_gets_another_media_type(spec: Spec) -> None:
    """oasdiff: INFO. Agreed that nothing breaks; the report lists the new media type as an addition."""
    content = success(spec, "submitKYC")["content"]
    content["application/xml"] = {"schema": copy.deepcopy(content["application/json"]["schema"])}


@mutation(
    "response-media-type-name-changed",
    verdict=MAJOR,
    lines=("- Breaking: `pwpp`: response now text/plain instead of application/json",),
)
def a_response_media_type_is_renamed(spec: Spec) -> None:
    """oasdiff: INFO. openapi-python-client 0.29.1 then hands the body's text to ``PwppResponse.from_dict``,
    which fails on every answer: the public signatures stay, so only the API side can see it."""
    content = success(spec, "pwpp")["content"]
    content["text/plain"] = content.pop("application/json")


@mutation(
    "response-body-media-type-schema-removed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.api.payouts.create_fiat_payout_order`: `sync_detailed`, `asyncio_detailed`: return "
        "type `Response[CreateFiatPayoutOrderResponse]` -> `Response[Any]`",
        "- Breaking: `cpay_client.api.payouts.create_fiat_payout_order`: `sync`, `asyncio`: removed",
        "- Breaking: `createFiatPayoutOrder`: response field `code` removed",
        "- Breaking: `createFiatPayoutOrder`: response field `data` removed",
        "- Breaking: `createFiatPayoutOrder`: response field `msg` removed",
        "- Breaking: `createFiatPayoutOrder`: response field `traceid` removed",
        "- Changed: `createFiatPayoutOrder`: response: type object -> any",
        "- Documentation: `createFiatPayoutOrder`: response: description changed",
    ),
)
def a_response_loses_its_schema(spec: Spec) -> None:
    del success(spec, "createFiatPayoutOrder")["content"]["application/json"]["schema"]


@mutation(
    "response-optional-property-added",
    verdict=MINOR,
    lines=(
        "- Added: `cpay_client.models.ExchangeResult`: optional field `source_amount` added",
        "- Added: `exchange`: optional response field `data.sourceAmount` added",
    ),
)
def an_optional_response_field_is_added(spec: Spec) -> None:
    schema(spec, "ExchangeResult")["properties"]["sourceAmount"] = {"$ref": "#/components/schemas/DecimalString"}


@mutation(
    "response-required-property-added",
    verdict=MINOR,
    lines=(
        "- Added: `submitKYC`: required response field `data.rejected` added",
        "- Changed: `cpay_client.models.KycResult`: required field `rejected` added (a new constructor argument) (of "
        "a model the API only returns: it matters to code that builds one, such as a test double)",
    ),
)
def a_required_response_field_is_added(spec: Spec) -> None:
    result = schema(spec, "KycResult")
    result["properties"]["rejected"] = {"type": "integer", "minimum": 0}
    result["required"].append("rejected")


@mutation(
    "response-optional-property-removed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.CardOrder.pledge_amount`: removed",
        "- Breaking: `createOrderByCreditCard`: response field `data.pledgeAmount` removed",
    ),
)
def an_optional_response_field_is_removed(spec: Spec) -> None:
    """oasdiff: WARN. The model loses the attribute: code that reads ``order.pledge_amount`` fails."""
    del schema(spec, "CardOrder")["properties"]["pledgeAmount"]


@mutation(
    "response-required-property-removed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.CreditCardExchangeRate.amount_exchanged`: removed",
        "- Breaking: `getExchangeRateForCreditCard`: response field `data.amountExchanged` removed",
    ),
)
def a_required_response_field_is_removed(spec: Spec) -> None:
    result = schema(spec, "CreditCardExchangeRate")
    del result["properties"]["amountExchanged"]
    result["required"].remove("amountExchanged")


@mutation(
    "response-property-became-optional",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.FiatPayoutOrder.fee`: type `str` -> `str | Unset`",
        "- Breaking: `createFiatPayoutOrder`: response field `data.fee` is now optional",
        "- Changed: `cpay_client.models.FiatPayoutOrder`: field `fee` may now be left out (default `UNSET`)",
    ),
)
def a_response_field_becomes_optional(spec: Spec) -> None:
    schema(spec, "FiatPayoutOrder")["required"].remove("fee")


@mutation(
    "response-property-became-required",
    verdict=PATCH,
    lines=(
        "- Changed: `cpay_client.models.OrderDetail.currency`: type `str | Unset` -> `str`",
        "- Changed: `cpay_client.models.OrderDetail`: field `currency` is now a required constructor argument (of a "
        "model the API only returns: it matters to code that builds one, such as a test double)",
        "- Changed: `getOrderDetail`: response field `data.currency` is now required",
    ),
)
def a_response_field_becomes_required(spec: Spec) -> None:
    schema(spec, "OrderDetail")["required"].append("currency")


@mutation(
    "response-property-became-nullable",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.PwppPayment.redirect_url`: type `str | Unset` -> `None | str | Unset`",
        "- Breaking: `pwpp`: response field `data.redirectURL` may now be null",
    ),
)
def a_response_field_may_be_null(spec: Spec) -> None:
    schema(spec, "PwppPayment")["properties"]["redirectURL"]["type"] = ["string", "null"]


@mutation(
    "response-property-any-of-removed",
    "response-property-became-not-nullable",
    verdict=PATCH,
    lines=(
        "- Changed: `cpay_client.models.WithdrawResponse.data`: type `None | Unset | WithdrawOrder` -> `WithdrawOrder "
        "| Unset`",
        "- Changed: `withdraw`: response field `data` can no longer be null",
        "- Documentation: `withdraw`: response field `data`: description changed",
    ),
)
def response_data_can_no_longer_be_null(spec: Spec) -> None:
    """Agreed with oasdiff (INFO for both): the client receives less. Code written for ``WithdrawOrder | None |
    Unset`` still works with ``WithdrawOrder | Unset``; the report says so on both sides."""
    schema(spec, "WithdrawResponse")["properties"]["data"] = {
        "$ref": "#/components/schemas/WithdrawOrder",
        "description": "The payout order.",
    }


@mutation(
    "response-property-any-of-added",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.PwppPayment.cc_storage_id`: type `str | Unset` -> `int | str | Unset`",
        "- Breaking: `pwpp`: response field `data.ccStorageID`: type string -> string | integer",
        "- Documentation: `pwpp`: response field `data.ccStorageID`: description changed",
    ),
)
def a_response_field_becomes_a_union(spec: Spec) -> None:
    """oasdiff: INFO. The attribute's type grows to ``str | int``: code that treats it as ``str`` may get an int."""
    schema(spec, "PwppPayment")["properties"]["ccStorageID"] = {"anyOf": [{"type": "string"}, {"type": "integer"}]}


@mutation(
    "response-property-one-of-added",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.WithdrawOrder.remark`: type `str | Unset` -> `int | str | Unset`",
        "- Breaking: `withdraw`: response field `data.remark`: type string -> string | integer",
    ),
)
def a_response_field_becomes_one_of_two_types(spec: Spec) -> None:
    schema(spec, "WithdrawOrder")["properties"]["remark"] = {"oneOf": [{"type": "string"}, {"type": "integer"}]}


@mutation(
    "response-property-all-of-added",
    verdict=PATCH,
    lines=(
        "- Changed: `exchange`: response field `data.targetCurrency`: maxLength (none) -> `16`",
        "- Changed: `exchange`: response field `data.targetCurrency`: minLength (none) -> `2`",
        "- Changed: `exchange`: response field `data.targetCurrency`: pattern (none) -> `^[A-Z0-9]{2,16}$`",
        "- Documentation: `exchange`: response field `data.targetCurrency`: description changed",
    ),
)
def a_response_field_takes_the_rules_of_a_component(spec: Spec) -> None:
    """oasdiff: INFO. Agreed: the client does not validate what it receives, and the type stays ``str``."""
    schema(spec, "ExchangeResult")["properties"]["targetCurrency"] = {
        "allOf": [{"$ref": "#/components/schemas/CurrencyCode"}]
    }


@mutation(
    "response-property-all-of-removed",
    verdict=PATCH,
    lines=(
        "- Changed: `getMerchantBalance`: response field `data[].freezeBalance`: pattern `^(-?[0-9]+(\\.[0-9]+)?)?$` "
        "-> (none)",
        "- Documentation: `getMerchantBalance`: response field `data[].freezeBalance`: description changed",
    ),
)
def a_response_field_drops_the_rules_of_a_component(spec: Spec) -> None:
    schema(spec, "MerchantBalance")["properties"]["freezeBalance"] = {"type": "string"}


@mutation(
    "response-property-all-of-added-annotation-only",
    verdict=PATCH,
    lines=("- Documentation: `getWalletAddress`: response field `data[].address`: description changed",),
)
def a_response_field_gets_an_annotation_through_all_of(spec: Spec) -> None:
    schema(spec, "WalletAddress")["properties"]["address"]["allOf"] = [{"description": "The deposit address."}]


@mutation(
    "response-property-default-value-added",
    verdict=PATCH,
    lines=(
        "- Changed: `cpay_client.models.CryptoOrder`: field `remark`: default `UNSET` -> `''`",
        '- Changed: `createOrder`: response field `data.remark`: default (none) -> `""`',
    ),
)
def a_response_field_gets_a_default(spec: Spec) -> None:
    schema(spec, "CryptoOrder")["properties"]["remark"]["default"] = ""


@mutation(
    "response-property-const-added",
    verdict=PATCH,
    lines=(
        "- Changed: `cpay_client.models.OrderDetail.network`: type `str | Unset` -> `Literal['TRON(TRC-20)'] | Unset`",
        "- Changed: `getOrderDetail`: response field `data.network`: const (none) -> `TRON(TRC-20)`",
    ),
)
def a_response_field_gets_a_const(spec: Spec) -> None:
    schema(spec, "OrderDetail")["properties"]["network"]["const"] = "TRON(TRC-20)"


@mutation(
    "response-property-enum-value-added",
    verdict=MINOR,
    lines=(
        "- Added: `cpay_client.models.OrderStatus`: enum member `REFUNDED` added",
        "- Added: `createFiatPayoutOrder`: response field `data.status`: enum value `16` added",
        "- Added: `createOrderByCreditCard`: response field `data.orderStatus`: enum value `16` added",
        "- Added: `createOrder`: response field `data.status`: enum value `16` added",
        "- Added: `getOrderDetail`: response field `data.status`: enum value `16` added",
        "- Added: `webhook orderStatusChanged`: payload field `orderStatus`: enum value `16` added",
        "- Added: `withdraw`: response field `data.status`: enum value `16` added",
    ),
)
def a_response_enum_gets_a_value(spec: Spec) -> None:
    """oasdiff: WARN (a client may not know the value). The generated enums accept values they do not list
    (``templates/str_enum.py.jinja``), so the new member is an addition."""
    status = schema(spec, "OrderStatus")
    status["enum"].append("16")
    status["x-enum-varnames"].append("REFUNDED")
    status["x-enum-descriptions"].append("Refunded")


@mutation(
    "response-property-enum-value-removed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.OrderStatus.PROCESSING`: removed",
        "- Breaking: `createFiatPayoutOrder`: response field `data.status`: enum value `11` removed",
        "- Breaking: `createOrderByCreditCard`: response field `data.orderStatus`: enum value `11` removed",
        "- Breaking: `createOrder`: response field `data.status`: enum value `11` removed",
        "- Breaking: `getOrderDetail`: response field `data.status`: enum value `11` removed",
        "- Breaking: `webhook orderStatusChanged`: payload field `orderStatus`: enum value `11` removed",
        "- Breaking: `withdraw`: response field `data.status`: enum value `11` removed",
    ),
)
def a_response_enum_loses_a_value(spec: Spec) -> None:
    """oasdiff: INFO (the server sends less). The generated enum loses its member: code that names
    ``OrderStatus.PROCESSING`` fails."""
    status = schema(spec, "OrderStatus")
    index = status["enum"].index("11")
    for key in ("enum", "x-enum-varnames", "x-enum-descriptions"):
        del status[key][index]


@mutation(
    "response-mediatype-enum-value-removed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.WebhookReply.FAIL`: removed",
        "- Breaking: `webhook orderStatusChanged`: response: enum value `FAIL` removed",
    ),
)
def the_webhook_reply_loses_a_value(spec: Spec) -> None:
    """oasdiff: INFO. The merchant sends this reply: ``WebhookReply.FAIL`` disappears from the client."""
    reply = schema(spec, "WebhookReply")
    reply["enum"].remove("FAIL")
    reply["x-enum-varnames"].remove("FAIL")


@mutation(
    "response-property-pattern-added",
    verdict=PATCH,
    lines=("- Changed: `withdraw`: response field `data.network`: pattern (none) -> `^[A-Za-z()0-9-]+$`",),
)
def a_response_field_gets_a_pattern(spec: Spec) -> None:
    schema(spec, "WithdrawOrder")["properties"]["network"]["pattern"] = "^[A-Za-z()0-9-]+$"


@mutation(
    "response-property-pattern-changed",
    verdict=PATCH,
    lines=(
        "- Changed: `webhook orderStatusChanged`: payload field `sign`: pattern `^[0-9a-f]{64}$` -> "
        "`^[0-9a-f]{64,128}$` (wider: accepts every value it accepted: also accepts e.g. "
        "`00000000000000000000000000000000000000000000000000000000000000000`)",
    ),
)
def a_response_pattern_changes(spec: Spec) -> None:
    schema(spec, "WebhookNotification")["properties"]["sign"]["pattern"] = "^[0-9a-f]{64,128}$"


@mutation(
    "response-property-pattern-removed",
    verdict=PATCH,
    lines=(
        "- Changed: `createOrderByCreditCard`: response field `data.fee`: "
        "pattern `^(-?[0-9]+(\\.[0-9]+)?)?$` -> (none)",
        "- Documentation: `createOrderByCreditCard`: response field `data.fee`: description changed",
    ),
)
def a_response_field_loses_its_pattern(spec: Spec) -> None:
    schema(spec, "CardOrder")["properties"]["fee"] = {"type": "string"}


@mutation(
    "response-property-max-length-increased",
    verdict=PATCH,
    lines=("- Changed: `getMerchantBalance`: response field `data[].cryptoCurrency`: maxLength `128` -> `256`",),
)
def a_response_max_length_goes_up(spec: Spec) -> None:
    """oasdiff: ERR (a client may keep the value in a buffer of that size). Python strings have no fixed size,
    and the client does not validate what it receives."""
    schema(spec, "MerchantBalance")["properties"]["cryptoCurrency"]["maxLength"] = 256


@mutation(
    "response-property-max-length-unset",
    verdict=PATCH,
    lines=("- Changed: `webhook orderStatusChanged`: payload field `merchantTradeNo`: maxLength `256` -> (none)",),
)
def a_response_max_length_is_removed(spec: Spec) -> None:
    """oasdiff: ERR, for the same reason; the same answer."""
    del schema(spec, "WebhookNotification")["properties"]["merchantTradeNo"]["maxLength"]


@mutation(
    "response-property-min-length-decreased",
    verdict=PATCH,
    lines=("- Changed: `getWalletAddress`: response field `data[].network`: minLength `1` -> `0`",),
)
def a_response_min_length_goes_down(spec: Spec) -> None:
    """oasdiff: ERR (a client may rely on the bound). The client does not validate what it receives, and an empty
    network name is still a ``str``."""
    field(spec, "WalletAddress", "network")["minLength"] = 0


@mutation(
    "response-property-min-decreased",
    verdict=PATCH,
    lines=("- Changed: `submitKYC`: response field `data.count`: minimum `0` -> `-1`",),
)
def a_response_minimum_goes_down(spec: Spec) -> None:
    """oasdiff: ERR (a client may rely on the bound). The generated type stays ``int`` and the client does not
    validate; code that relies on a count being positive is the caller's business logic."""
    schema(spec, "KycResult")["properties"]["count"]["minimum"] = -1


@mutation(
    "response-property-type-changed",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.OrderDetail.hash_`: type `str | Unset` -> `int | Unset`",
        "- Breaking: `getOrderDetail`: response field `data.hash`: type string -> integer",
    ),
)
def a_response_field_changes_type(spec: Spec) -> None:
    schema(spec, "OrderDetail")["properties"]["hash"]["type"] = "integer"


@mutation(
    "response-property-type-generalized",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.KycResult.count`: type `int` -> `float`",
        "- Breaking: `submitKYC`: response field `data.count`: type integer (int64) -> number (int64)",
    ),
)
def an_integer_response_field_becomes_a_number(spec: Spec) -> None:
    schema(spec, "KycResult")["properties"]["count"]["type"] = "number"


@mutation(
    "response-property-list-of-types-widened",
    verdict=MAJOR,
    lines=(
        "- Breaking: `cpay_client.models.CryptoOrder.order_id`: type `str` -> `int | str`",
        "- Breaking: `createOrder`: response field `data.orderId`: type string -> integer | string",
    ),
)
def a_response_field_may_also_be_an_integer(spec: Spec) -> None:
    schema(spec, "CryptoOrder")["properties"]["orderId"]["type"] = ["string", "integer"]


@mutation(
    "response-property-list-of-types-narrowed",
    verdict=PATCH,
    lines=(
        "- Changed: `cpay_client.models.CardOrder.merchant_id`: type `int | str | Unset` -> `str | Unset`",
        "- Changed: `createOrderByCreditCard`: response field `data.merchantId`: type integer | string -> string",
        "- Documentation: `createOrderByCreditCard`: response field `data.merchantId`: description changed",
    ),
)
def a_response_field_is_only_a_string(spec: Spec) -> None:
    schema(spec, "CardOrder")["properties"]["merchantId"] = {"type": "string"}


@mutation(
    "response-property-content-schema-added",
    verdict=PATCH,
    lines=("- Changed: `createFiatPayoutOrder`: response field `data.remark`: JSON content schema added",),
)
def a_response_text_field_is_described_as_json(spec: Spec) -> None:
    schema(spec, "FiatPayoutOrder")["properties"]["remark"]["contentSchema"] = {"type": "object"}
