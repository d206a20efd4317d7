from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.get_wallet_address_response import GetWalletAddressResponse
from ...types import UNSET, Response


def _get_kwargs(
    *,
    user_id: str,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["userId"] = user_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/openapi/v1/getWalletAddress",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GetWalletAddressResponse | None:
    if response.status_code == 200:
        response_200 = GetWalletAddressResponse.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[GetWalletAddressResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    user_id: str,
) -> Response[GetWalletAddressResponse]:
    """Get a user's deposit addresses

     Query for the deposit address of your users (section 3). If the user wants to deposit crypto
    directly from an external wallet, your system must call this method so that C-Pay generates an
    address for that user; otherwise the user cannot deposit. The same user always gets the same
    address per network.

    Args:
        user_id (str): The user's unique id in the merchant's system.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GetWalletAddressResponse]
    """

    kwargs = _get_kwargs(
        user_id=user_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    user_id: str,
) -> GetWalletAddressResponse | None:
    """Get a user's deposit addresses

     Query for the deposit address of your users (section 3). If the user wants to deposit crypto
    directly from an external wallet, your system must call this method so that C-Pay generates an
    address for that user; otherwise the user cannot deposit. The same user always gets the same
    address per network.

    Args:
        user_id (str): The user's unique id in the merchant's system.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GetWalletAddressResponse
    """

    return sync_detailed(
        client=client,
        user_id=user_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    user_id: str,
) -> Response[GetWalletAddressResponse]:
    """Get a user's deposit addresses

     Query for the deposit address of your users (section 3). If the user wants to deposit crypto
    directly from an external wallet, your system must call this method so that C-Pay generates an
    address for that user; otherwise the user cannot deposit. The same user always gets the same
    address per network.

    Args:
        user_id (str): The user's unique id in the merchant's system.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GetWalletAddressResponse]
    """

    kwargs = _get_kwargs(
        user_id=user_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    user_id: str,
) -> GetWalletAddressResponse | None:
    """Get a user's deposit addresses

     Query for the deposit address of your users (section 3). If the user wants to deposit crypto
    directly from an external wallet, your system must call this method so that C-Pay generates an
    address for that user; otherwise the user cannot deposit. The same user always gets the same
    address per network.

    Args:
        user_id (str): The user's unique id in the merchant's system.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GetWalletAddressResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            user_id=user_id,
        )
    ).parsed
