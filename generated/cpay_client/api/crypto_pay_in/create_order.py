from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_order_request import CreateOrderRequest
from ...models.create_order_response import CreateOrderResponse
from ...types import Response


def _get_kwargs(
    *,
    body: CreateOrderRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/openapi/v1/createOrder",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CreateOrderResponse | None:
    if response.status_code == 200:
        response_200 = CreateOrderResponse.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[CreateOrderResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateOrderRequest,
) -> Response[CreateOrderResponse]:
    """Create a crypto pay-in order with a hosted cashier page

     Create an order that the user pays in crypto on C-Pay's cashier page (section 13). Redirect the
    user to `cashierURL`; the outcome is reported by the webhook and by `getOrderDetail`.

    Args:
        body (CreateOrderRequest): Parameters of `createOrder` (section 13), besides `merchantId`
            and `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateOrderResponse]
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
    body: CreateOrderRequest,
) -> CreateOrderResponse | None:
    """Create a crypto pay-in order with a hosted cashier page

     Create an order that the user pays in crypto on C-Pay's cashier page (section 13). Redirect the
    user to `cashierURL`; the outcome is reported by the webhook and by `getOrderDetail`.

    Args:
        body (CreateOrderRequest): Parameters of `createOrder` (section 13), besides `merchantId`
            and `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateOrderResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateOrderRequest,
) -> Response[CreateOrderResponse]:
    """Create a crypto pay-in order with a hosted cashier page

     Create an order that the user pays in crypto on C-Pay's cashier page (section 13). Redirect the
    user to `cashierURL`; the outcome is reported by the webhook and by `getOrderDetail`.

    Args:
        body (CreateOrderRequest): Parameters of `createOrder` (section 13), besides `merchantId`
            and `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateOrderResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CreateOrderRequest,
) -> CreateOrderResponse | None:
    """Create a crypto pay-in order with a hosted cashier page

     Create an order that the user pays in crypto on C-Pay's cashier page (section 13). Redirect the
    user to `cashierURL`; the outcome is reported by the webhook and by `getOrderDetail`.

    Args:
        body (CreateOrderRequest): Parameters of `createOrder` (section 13), besides `merchantId`
            and `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateOrderResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
