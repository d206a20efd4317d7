from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_fiat_payout_order_request import CreateFiatPayoutOrderRequest
from ...models.create_fiat_payout_order_response import CreateFiatPayoutOrderResponse
from ...types import Response


def _get_kwargs(
    *,
    body: CreateFiatPayoutOrderRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/openapi/v1/createFiatPayoutOrder",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CreateFiatPayoutOrderResponse | None:
    if response.status_code == 200:
        response_200 = CreateFiatPayoutOrderResponse.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CreateFiatPayoutOrderResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateFiatPayoutOrderRequest,
) -> Response[CreateFiatPayoutOrderResponse]:
    """Pay out fiat currency to a bank or Pix account

     Use this method when your clients want to withdraw fiat currency to their account (section 5,
    "Fiat Currency Payout"). The document gives the URL as
    `/openapi/v1/openapi/v1/createFiatPayoutOrder`, its own request example as
    `/openapi/v1/createFiatPayoutOrder`; the latter is used (see spec-notes).

    For Pix (`payoutChannel` 1) the currency must be `BRL`, the country `BRA`, and `accountType`
    says what `toAccount` holds.

    Args:
        body (CreateFiatPayoutOrderRequest): Parameters of `createFiatPayoutOrder` (section 5),
            besides `merchantId` and `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateFiatPayoutOrderResponse]
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
    body: CreateFiatPayoutOrderRequest,
) -> CreateFiatPayoutOrderResponse | None:
    """Pay out fiat currency to a bank or Pix account

     Use this method when your clients want to withdraw fiat currency to their account (section 5,
    "Fiat Currency Payout"). The document gives the URL as
    `/openapi/v1/openapi/v1/createFiatPayoutOrder`, its own request example as
    `/openapi/v1/createFiatPayoutOrder`; the latter is used (see spec-notes).

    For Pix (`payoutChannel` 1) the currency must be `BRL`, the country `BRA`, and `accountType`
    says what `toAccount` holds.

    Args:
        body (CreateFiatPayoutOrderRequest): Parameters of `createFiatPayoutOrder` (section 5),
            besides `merchantId` and `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateFiatPayoutOrderResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateFiatPayoutOrderRequest,
) -> Response[CreateFiatPayoutOrderResponse]:
    """Pay out fiat currency to a bank or Pix account

     Use this method when your clients want to withdraw fiat currency to their account (section 5,
    "Fiat Currency Payout"). The document gives the URL as
    `/openapi/v1/openapi/v1/createFiatPayoutOrder`, its own request example as
    `/openapi/v1/createFiatPayoutOrder`; the latter is used (see spec-notes).

    For Pix (`payoutChannel` 1) the currency must be `BRL`, the country `BRA`, and `accountType`
    says what `toAccount` holds.

    Args:
        body (CreateFiatPayoutOrderRequest): Parameters of `createFiatPayoutOrder` (section 5),
            besides `merchantId` and `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateFiatPayoutOrderResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CreateFiatPayoutOrderRequest,
) -> CreateFiatPayoutOrderResponse | None:
    """Pay out fiat currency to a bank or Pix account

     Use this method when your clients want to withdraw fiat currency to their account (section 5,
    "Fiat Currency Payout"). The document gives the URL as
    `/openapi/v1/openapi/v1/createFiatPayoutOrder`, its own request example as
    `/openapi/v1/createFiatPayoutOrder`; the latter is used (see spec-notes).

    For Pix (`payoutChannel` 1) the currency must be `BRL`, the country `BRA`, and `accountType`
    says what `toAccount` holds.

    Args:
        body (CreateFiatPayoutOrderRequest): Parameters of `createFiatPayoutOrder` (section 5),
            besides `merchantId` and `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateFiatPayoutOrderResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
