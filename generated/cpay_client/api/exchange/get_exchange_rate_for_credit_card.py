from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.get_exchange_rate_for_credit_card_response import GetExchangeRateForCreditCardResponse
from ...models.purchase_type import PurchaseType
from ...types import UNSET, Response


def _get_kwargs(
    *,
    source_currency: str,
    target_currency: str,
    purchase_type: PurchaseType,
    amount: str,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["sourceCurrency"] = source_currency

    params["targetCurrency"] = target_currency

    json_purchase_type = purchase_type.value
    params["purchaseType"] = json_purchase_type

    params["amount"] = amount

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/openapi/v1/getExchangeRateForCreditCard",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GetExchangeRateForCreditCardResponse | None:
    if response.status_code == 200:
        response_200 = GetExchangeRateForCreditCardResponse.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[GetExchangeRateForCreditCardResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    source_currency: str,
    target_currency: str,
    purchase_type: PurchaseType,
    amount: str,
) -> Response[GetExchangeRateForCreditCardResponse]:
    """Get the exchange rate for a credit-card purchase

     Query the exchange rate for "fiat to crypto" and "crypto to crypto" when paying by credit card
    (section 8), with the amount the user gets (`purchaseType` 0) or must pay (`purchaseType` 1).

    Args:
        source_currency (str): A currency code, crypto (`BTC`, `USDT`, `ETH`, `BNB`, `TRX`) or ISO
            4217 fiat (`USD`, `EUR`, `BRL`).
        target_currency (str): A currency code, crypto (`BTC`, `USDT`, `ETH`, `BNB`, `TRX`) or ISO
            4217 fiat (`USD`, `EUR`, `BRL`).
        purchase_type (PurchaseType): 0 = `amount` is in the source currency; 1 = `amount` is in
            the target currency.
        amount (str): A decimal amount with at most 8 decimals, e.g. `66.12345678`; never a JSON
            number. The format admits
            zero; C-Pay's minimum amounts are business rules (a business error, not a malformed
            request).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GetExchangeRateForCreditCardResponse]
    """

    kwargs = _get_kwargs(
        source_currency=source_currency,
        target_currency=target_currency,
        purchase_type=purchase_type,
        amount=amount,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    source_currency: str,
    target_currency: str,
    purchase_type: PurchaseType,
    amount: str,
) -> GetExchangeRateForCreditCardResponse | None:
    """Get the exchange rate for a credit-card purchase

     Query the exchange rate for "fiat to crypto" and "crypto to crypto" when paying by credit card
    (section 8), with the amount the user gets (`purchaseType` 0) or must pay (`purchaseType` 1).

    Args:
        source_currency (str): A currency code, crypto (`BTC`, `USDT`, `ETH`, `BNB`, `TRX`) or ISO
            4217 fiat (`USD`, `EUR`, `BRL`).
        target_currency (str): A currency code, crypto (`BTC`, `USDT`, `ETH`, `BNB`, `TRX`) or ISO
            4217 fiat (`USD`, `EUR`, `BRL`).
        purchase_type (PurchaseType): 0 = `amount` is in the source currency; 1 = `amount` is in
            the target currency.
        amount (str): A decimal amount with at most 8 decimals, e.g. `66.12345678`; never a JSON
            number. The format admits
            zero; C-Pay's minimum amounts are business rules (a business error, not a malformed
            request).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GetExchangeRateForCreditCardResponse
    """

    return sync_detailed(
        client=client,
        source_currency=source_currency,
        target_currency=target_currency,
        purchase_type=purchase_type,
        amount=amount,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    source_currency: str,
    target_currency: str,
    purchase_type: PurchaseType,
    amount: str,
) -> Response[GetExchangeRateForCreditCardResponse]:
    """Get the exchange rate for a credit-card purchase

     Query the exchange rate for "fiat to crypto" and "crypto to crypto" when paying by credit card
    (section 8), with the amount the user gets (`purchaseType` 0) or must pay (`purchaseType` 1).

    Args:
        source_currency (str): A currency code, crypto (`BTC`, `USDT`, `ETH`, `BNB`, `TRX`) or ISO
            4217 fiat (`USD`, `EUR`, `BRL`).
        target_currency (str): A currency code, crypto (`BTC`, `USDT`, `ETH`, `BNB`, `TRX`) or ISO
            4217 fiat (`USD`, `EUR`, `BRL`).
        purchase_type (PurchaseType): 0 = `amount` is in the source currency; 1 = `amount` is in
            the target currency.
        amount (str): A decimal amount with at most 8 decimals, e.g. `66.12345678`; never a JSON
            number. The format admits
            zero; C-Pay's minimum amounts are business rules (a business error, not a malformed
            request).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GetExchangeRateForCreditCardResponse]
    """

    kwargs = _get_kwargs(
        source_currency=source_currency,
        target_currency=target_currency,
        purchase_type=purchase_type,
        amount=amount,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    source_currency: str,
    target_currency: str,
    purchase_type: PurchaseType,
    amount: str,
) -> GetExchangeRateForCreditCardResponse | None:
    """Get the exchange rate for a credit-card purchase

     Query the exchange rate for "fiat to crypto" and "crypto to crypto" when paying by credit card
    (section 8), with the amount the user gets (`purchaseType` 0) or must pay (`purchaseType` 1).

    Args:
        source_currency (str): A currency code, crypto (`BTC`, `USDT`, `ETH`, `BNB`, `TRX`) or ISO
            4217 fiat (`USD`, `EUR`, `BRL`).
        target_currency (str): A currency code, crypto (`BTC`, `USDT`, `ETH`, `BNB`, `TRX`) or ISO
            4217 fiat (`USD`, `EUR`, `BRL`).
        purchase_type (PurchaseType): 0 = `amount` is in the source currency; 1 = `amount` is in
            the target currency.
        amount (str): A decimal amount with at most 8 decimals, e.g. `66.12345678`; never a JSON
            number. The format admits
            zero; C-Pay's minimum amounts are business rules (a business error, not a malformed
            request).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GetExchangeRateForCreditCardResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            source_currency=source_currency,
            target_currency=target_currency,
            purchase_type=purchase_type,
            amount=amount,
        )
    ).parsed
