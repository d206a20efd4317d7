from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.exchange_request import ExchangeRequest
from ...models.exchange_response import ExchangeResponse
from ...types import Response


def _get_kwargs(
    *,
    body: ExchangeRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/openapi/v1/exchange",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ExchangeResponse | None:
    if response.status_code == 200:
        response_200 = ExchangeResponse.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ExchangeResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ExchangeRequest,
) -> Response[ExchangeResponse]:
    """Exchange between two currencies held by the merchant

     Convert `sourceAmount` of `sourceCurrency` into `targetCurrency` at the current rate (section 10).
    The fee is charged in the target currency.

    Args:
        body (ExchangeRequest): Parameters of `exchange` (section 10), besides `merchantId` and
            `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExchangeResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: ExchangeRequest,
) -> ExchangeResponse | None:
    """Exchange between two currencies held by the merchant

     Convert `sourceAmount` of `sourceCurrency` into `targetCurrency` at the current rate (section 10).
    The fee is charged in the target currency.

    Args:
        body (ExchangeRequest): Parameters of `exchange` (section 10), besides `merchantId` and
            `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExchangeResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ExchangeRequest,
) -> Response[ExchangeResponse]:
    """Exchange between two currencies held by the merchant

     Convert `sourceAmount` of `sourceCurrency` into `targetCurrency` at the current rate (section 10).
    The fee is charged in the target currency.

    Args:
        body (ExchangeRequest): Parameters of `exchange` (section 10), besides `merchantId` and
            `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExchangeResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: ExchangeRequest,
) -> ExchangeResponse | None:
    """Exchange between two currencies held by the merchant

     Convert `sourceAmount` of `sourceCurrency` into `targetCurrency` at the current rate (section 10).
    The fee is charged in the target currency.

    Args:
        body (ExchangeRequest): Parameters of `exchange` (section 10), besides `merchantId` and
            `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExchangeResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
