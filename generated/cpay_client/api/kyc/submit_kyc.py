from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.submit_kyc_request import SubmitKycRequest
from ...models.submit_kyc_response import SubmitKycResponse
from ...types import Response


def _get_kwargs(
    *,
    body: SubmitKycRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/openapi/v1/submitKYC",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> SubmitKycResponse | None:
    if response.status_code == 200:
        response_200 = SubmitKycResponse.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[SubmitKycResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SubmitKycRequest,
) -> Response[SubmitKycResponse]:
    """Submit users' KYC data

     When using the H2H mode, user KYC data must be submitted to C-Pay through this interface
    (section 11). Up to 1000 records at a time, as a JSON array inside the `data` form field.

    Args:
        body (SubmitKycRequest): Parameters of `submitKYC` (section 11), besides `merchantId` and
            `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[SubmitKycResponse]
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
    body: SubmitKycRequest,
) -> SubmitKycResponse | None:
    """Submit users' KYC data

     When using the H2H mode, user KYC data must be submitted to C-Pay through this interface
    (section 11). Up to 1000 records at a time, as a JSON array inside the `data` form field.

    Args:
        body (SubmitKycRequest): Parameters of `submitKYC` (section 11), besides `merchantId` and
            `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        SubmitKycResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SubmitKycRequest,
) -> Response[SubmitKycResponse]:
    """Submit users' KYC data

     When using the H2H mode, user KYC data must be submitted to C-Pay through this interface
    (section 11). Up to 1000 records at a time, as a JSON array inside the `data` form field.

    Args:
        body (SubmitKycRequest): Parameters of `submitKYC` (section 11), besides `merchantId` and
            `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[SubmitKycResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: SubmitKycRequest,
) -> SubmitKycResponse | None:
    """Submit users' KYC data

     When using the H2H mode, user KYC data must be submitted to C-Pay through this interface
    (section 11). Up to 1000 records at a time, as a JSON array inside the `data` form field.

    Args:
        body (SubmitKycRequest): Parameters of `submitKYC` (section 11), besides `merchantId` and
            `sign`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        SubmitKycResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
