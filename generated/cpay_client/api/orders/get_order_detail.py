from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.get_order_detail_response import GetOrderDetailResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    merchant_trade_no: str | Unset = UNSET,
    cpay_order_id: str | Unset = UNSET,
    hash_: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["merchantTradeNo"] = merchant_trade_no

    params["cpayOrderId"] = cpay_order_id

    params["hash"] = hash_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/openapi/v1/getOrderDetail",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> GetOrderDetailResponse | None:
    if response.status_code == 200:
        response_200 = GetOrderDetailResponse.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[GetOrderDetailResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    merchant_trade_no: str | Unset = UNSET,
    cpay_order_id: str | Unset = UNSET,
    hash_: str | Unset = UNSET,
) -> Response[GetOrderDetailResponse]:
    """Get an order by merchant order number, C-Pay order id or transaction hash

     Look up an order of any kind (section 9). The three keys are each optional but at least one must
    be given; when several are given, all must match the same order. Useful when a user deposited to
    a C-Pay address directly and the callback did not reach the merchant: find the deposit by its
    on-chain transaction `hash`.

    Args:
        merchant_trade_no (str | Unset): The merchant's order number, unique per merchant.
        cpay_order_id (str | Unset):
        hash_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GetOrderDetailResponse]
    """

    kwargs = _get_kwargs(
        merchant_trade_no=merchant_trade_no,
        cpay_order_id=cpay_order_id,
        hash_=hash_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    merchant_trade_no: str | Unset = UNSET,
    cpay_order_id: str | Unset = UNSET,
    hash_: str | Unset = UNSET,
) -> GetOrderDetailResponse | None:
    """Get an order by merchant order number, C-Pay order id or transaction hash

     Look up an order of any kind (section 9). The three keys are each optional but at least one must
    be given; when several are given, all must match the same order. Useful when a user deposited to
    a C-Pay address directly and the callback did not reach the merchant: find the deposit by its
    on-chain transaction `hash`.

    Args:
        merchant_trade_no (str | Unset): The merchant's order number, unique per merchant.
        cpay_order_id (str | Unset):
        hash_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GetOrderDetailResponse
    """

    return sync_detailed(
        client=client,
        merchant_trade_no=merchant_trade_no,
        cpay_order_id=cpay_order_id,
        hash_=hash_,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    merchant_trade_no: str | Unset = UNSET,
    cpay_order_id: str | Unset = UNSET,
    hash_: str | Unset = UNSET,
) -> Response[GetOrderDetailResponse]:
    """Get an order by merchant order number, C-Pay order id or transaction hash

     Look up an order of any kind (section 9). The three keys are each optional but at least one must
    be given; when several are given, all must match the same order. Useful when a user deposited to
    a C-Pay address directly and the callback did not reach the merchant: find the deposit by its
    on-chain transaction `hash`.

    Args:
        merchant_trade_no (str | Unset): The merchant's order number, unique per merchant.
        cpay_order_id (str | Unset):
        hash_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GetOrderDetailResponse]
    """

    kwargs = _get_kwargs(
        merchant_trade_no=merchant_trade_no,
        cpay_order_id=cpay_order_id,
        hash_=hash_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    merchant_trade_no: str | Unset = UNSET,
    cpay_order_id: str | Unset = UNSET,
    hash_: str | Unset = UNSET,
) -> GetOrderDetailResponse | None:
    """Get an order by merchant order number, C-Pay order id or transaction hash

     Look up an order of any kind (section 9). The three keys are each optional but at least one must
    be given; when several are given, all must match the same order. Useful when a user deposited to
    a C-Pay address directly and the callback did not reach the merchant: find the deposit by its
    on-chain transaction `hash`.

    Args:
        merchant_trade_no (str | Unset): The merchant's order number, unique per merchant.
        cpay_order_id (str | Unset):
        hash_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GetOrderDetailResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            merchant_trade_no=merchant_trade_no,
            cpay_order_id=cpay_order_id,
            hash_=hash_,
        )
    ).parsed
