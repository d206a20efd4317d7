from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.withdraw_request import WithdrawRequest
from ...models.withdraw_response import WithdrawResponse
from ...types import Response


def _get_kwargs(
    *,
    body: WithdrawRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/openapi/v1/withdraw",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> WithdrawResponse | None:
    if response.status_code == 200:
        response_200 = WithdrawResponse.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[WithdrawResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: WithdrawRequest,
) -> Response[WithdrawResponse]:
    """Pay out crypto to an external address

     Use this method when your clients want to withdraw crypto coins to their external wallet address
    (section 4, "Payout"). The amount is frozen on the merchant's balance until the payout completes
    (debited) or closes (released). The result is reported to `callBackURL` (or the merchant's
    configured URL) by the webhook.

    Args:
        body (WithdrawRequest): Parameters of `withdraw` (section 4), besides `merchantId` and
            `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[WithdrawResponse]
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
    body: WithdrawRequest,
) -> WithdrawResponse | None:
    """Pay out crypto to an external address

     Use this method when your clients want to withdraw crypto coins to their external wallet address
    (section 4, "Payout"). The amount is frozen on the merchant's balance until the payout completes
    (debited) or closes (released). The result is reported to `callBackURL` (or the merchant's
    configured URL) by the webhook.

    Args:
        body (WithdrawRequest): Parameters of `withdraw` (section 4), besides `merchantId` and
            `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        WithdrawResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: WithdrawRequest,
) -> Response[WithdrawResponse]:
    """Pay out crypto to an external address

     Use this method when your clients want to withdraw crypto coins to their external wallet address
    (section 4, "Payout"). The amount is frozen on the merchant's balance until the payout completes
    (debited) or closes (released). The result is reported to `callBackURL` (or the merchant's
    configured URL) by the webhook.

    Args:
        body (WithdrawRequest): Parameters of `withdraw` (section 4), besides `merchantId` and
            `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[WithdrawResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: WithdrawRequest,
) -> WithdrawResponse | None:
    """Pay out crypto to an external address

     Use this method when your clients want to withdraw crypto coins to their external wallet address
    (section 4, "Payout"). The amount is frozen on the merchant's balance until the payout completes
    (debited) or closes (released). The result is reported to `callBackURL` (or the merchant's
    configured URL) by the webhook.

    Args:
        body (WithdrawRequest): Parameters of `withdraw` (section 4), besides `merchantId` and
            `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        WithdrawResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
