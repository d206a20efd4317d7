from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_order_by_credit_card_request import CreateOrderByCreditCardRequest
from ...models.create_order_by_credit_card_response import CreateOrderByCreditCardResponse
from ...types import Response


def _get_kwargs(
    *,
    body: CreateOrderByCreditCardRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/openapi/v1/createOrderByCreditCard",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CreateOrderByCreditCardResponse | None:
    if response.status_code == 200:
        response_200 = CreateOrderByCreditCardResponse.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CreateOrderByCreditCardResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateOrderByCreditCardRequest,
) -> Response[CreateOrderByCreditCardResponse]:
    """Create a card payment order with a hosted payment page

     Create an order that the user pays by credit card on the acquirer's page (section 14). Redirect
    the user to `cashierURL`.

    Args:
        body (CreateOrderByCreditCardRequest): Parameters of `createOrderByCreditCard` (section
            14), besides `merchantId` and `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateOrderByCreditCardResponse]
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
    body: CreateOrderByCreditCardRequest,
) -> CreateOrderByCreditCardResponse | None:
    """Create a card payment order with a hosted payment page

     Create an order that the user pays by credit card on the acquirer's page (section 14). Redirect
    the user to `cashierURL`.

    Args:
        body (CreateOrderByCreditCardRequest): Parameters of `createOrderByCreditCard` (section
            14), besides `merchantId` and `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateOrderByCreditCardResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateOrderByCreditCardRequest,
) -> Response[CreateOrderByCreditCardResponse]:
    """Create a card payment order with a hosted payment page

     Create an order that the user pays by credit card on the acquirer's page (section 14). Redirect
    the user to `cashierURL`.

    Args:
        body (CreateOrderByCreditCardRequest): Parameters of `createOrderByCreditCard` (section
            14), besides `merchantId` and `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateOrderByCreditCardResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CreateOrderByCreditCardRequest,
) -> CreateOrderByCreditCardResponse | None:
    """Create a card payment order with a hosted payment page

     Create an order that the user pays by credit card on the acquirer's page (section 14). Redirect
    the user to `cashierURL`.

    Args:
        body (CreateOrderByCreditCardRequest): Parameters of `createOrderByCreditCard` (section
            14), besides `merchantId` and `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateOrderByCreditCardResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
